"""Shared by the answer and answerability benchmarks: one eval set over its own index, every question
embedded once (vectors cached next to the index, keyed by model and question) and retrieved once."""

from __future__ import annotations

import difflib
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.runtime import cpu_name  # noqa: E402,F401 (re-exported: every benchmark names the CPU)

OFFICE = ROOT.parent / "shared" / "corpora" / "office-nl" / "docs"
SETS = {
    "sample": (ROOT / "corpus", ROOT / "evals" / "datasets" / "sample.jsonl", ROOT / "data" / "evals-sample"),
    "office-nl": (OFFICE, ROOT / "evals" / "datasets" / "office-nl.jsonl", ROOT / "data" / "evals-office-nl"),
}

PAIRS = ROOT.parent / "shared" / "data" / "answerability-pairs-sample.jsonl"


def pairs_dataset(path: Path, exclude: list[str] | None = None) -> Path:
    """The shared answerability pairs as an eval-set file at `path`, over the sample corpus (label 1:
    answerable, 0: near miss), without those that closely paraphrase a question of `exclude`."""
    lines = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = lines
    if exclude is not None:
        lowered = [q.lower() for q in exclude]
        kept = [p for p in lines if not any(difflib.SequenceMatcher(None, p["question"].lower(), q).ratio() > 0.8
                                            for q in lowered)]
        print(f"pairs: {len(kept)} of {len(lines)} kept (the rest paraphrase an eval question)", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({
        "id": f"p{i:03d}", "question": p["question"], "expected_sources": [p["source"]] if p["label"] else [],
        "answerable": bool(p["label"]), "department": None, "notes": "",
        "kind": "answerable" if p["label"] else "near-miss"}, ensure_ascii=False) + "\n"
        for i, p in enumerate(kept)), encoding="utf-8")
    return path


@dataclass
class Loaded:
    name: str
    settings: Any
    assistant: Any
    cases: list[Any]  # evals.dataset.Case
    found: list[Any]  # assistant.retrieval.Retrieved per case


def cached_vectors(embedder: Any, questions: list[str], cache: Path) -> np.ndarray:
    """Question vectors, embedded once per model and question text."""
    keys = [hashlib.sha256(f"{embedder.name}\x1f{embedder.dtype}\x1f{q}".encode()).hexdigest()[:24]
            for q in questions]
    stored: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache) as data:
            stored = {k: data[k] for k in data.files}
    todo = [q for q, k in zip(questions, keys, strict=True) if k not in stored]
    if todo:
        fresh = embedder.embed_queries(todo)
        for q, v in zip(todo, fresh, strict=True):
            stored[keys[questions.index(q)]] = v
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **stored)  # type: ignore[arg-type]  # numpy's stub reads **kwargs as allow_pickle
    return np.stack([stored[k] for k in keys])


def load_set(name: str, embedder: Any, *, dataset: Path | None = None, ingest: bool = True,
             **overrides: Any) -> Loaded:
    from assistant.config import Settings
    from assistant.service import build_assistant
    from assistant.store import ChromaStore
    from evals.dataset import load_dataset
    from ingest.pipeline import run_ingest

    corpus, default_dataset, data_dir = SETS[name]
    settings = Settings(corpus_dir=corpus, data_dir=data_dir, coaches_path=ROOT / "corpus" / "coaches.yaml",
                        smtp_host="", **overrides)
    if ingest:
        report = run_ingest(settings, embedder, ChromaStore(settings))
        print(f"[{name}] ingest: {report.chunks_embedded} chunks and {report.windows_embedded} windows embedded "
              f"in {report.seconds:.1f} s ({report.chunks_total} chunks, {report.windows_total} windows)",
              file=sys.stderr)
    assistant = build_assistant(settings, embedder=embedder)
    cases = load_dataset(dataset or default_dataset)
    vectors = cached_vectors(embedder, [c.question for c in cases], data_dir / "question-vectors.npz")
    found = [assistant.retriever.search(c.question, v) for c, v in zip(cases, vectors, strict=True)]
    return Loaded(name, settings, assistant, cases, found)


def auc(positive: list[float], negative: list[float]) -> float | None:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if not positive or not negative:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def dump(path: Path | None, data: Any) -> None:
    if path is not None:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


# The confidence score before issue 11 (assistant/confidence.py, removed), kept to compare against.
def old_confidence(found: Any, coverage: float) -> float:
    top = found.documents[0][0] if found.documents else ""
    clip = lambda v: max(0.0, min(1.0, v))  # noqa: E731
    similarity = clip((found.best_dense - 0.40) / 0.30)
    margin = clip((found.best_dense - found.second_dense) / 0.08)
    agreement = 1.0 if top in found.bm25_top[:3] else 0.0
    combined = 0.75 * similarity + 0.1 * margin + 0.1 * agreement + 0.05 * clip(coverage)
    return round(clip(combined if similarity > 0 else 0.0), 4)
