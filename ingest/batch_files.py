"""Files of a tip batch: reading the batch folder, staging the corpus copy, the batch lock, backups and rollback.

A batch folder holds new or changed tips (tips/*.md), manuals (handleidingen/*.pdf + .yml) and retire.txt (one
tip path or id per line). Publishing copies the files into the corpus, then flips the index pointer, so corpus and
index agree; the files it replaced are kept in data_dir/batches/<stamp>/ so `rollback` restores both.
The gate itself (evaluate the staged generation against the live one) is ingest/batch.py.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.atomic import copy_atomic, write_atomic
from assistant.config import Settings
from assistant.embedding import EmbeddingModel
from assistant.errors import ConfigError, IndexProblem
from assistant.store import ChromaStore, IndexInfo
from ingest import corpus_files
from ingest.loaders import LoadError, load, load_yaml, read_text
from ingest.lock import batch_lock
from ingest.pipeline import IngestReport

RETIRE_FILE = "retire.txt"
ALLOWED = {"tips": (".md",), "handleidingen": (".pdf", ".yml", ".yaml")}


class BatchError(ConfigError):
    """A batch that cannot be staged; `problems` maps each bad file to its Dutch reason."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(f"De batch bevat {len(self.problems)} fout(en); er is niets getest of gepubliceerd.")


@dataclass
class BatchPlan:
    files: dict[str, Path] = field(default_factory=dict)  # corpus path -> file in the batch folder
    retire: list[str] = field(default_factory=list)  # corpus paths of tips to retire


# -- reading a batch -------------------------------------------------------------------------------------
def read_batch(settings: Settings, batch_dir: Path) -> BatchPlan:
    """Validate the whole batch before anything is staged; BatchError lists every bad file."""
    if not Path(batch_dir).is_dir():
        raise BatchError({str(batch_dir): "Deze batchmap bestaat niet."})
    known = corpus_files.tip_ids(settings.corpus_dir)
    plan, problems, seen = BatchPlan(), dict[str, str](), dict[str, str]()
    for path in sorted(p for p in Path(batch_dir).rglob("*") if p.is_file()):
        rel = path.relative_to(batch_dir)
        if any(part.startswith(".") for part in rel.parts) or rel.as_posix() == RETIRE_FILE:
            continue
        if len(rel.parts) != 2 or path.suffix.lower() not in ALLOWED.get(rel.parts[0], ()):
            problems[rel.as_posix()] = ("Dit bestand hoort niet in een batch: alleen tips/*.md, "
                                        "handleidingen/*.pdf (met .yml) en retire.txt.")
            continue
        try:
            plan.files[_target(settings, Path(batch_dir), path, known, seen)] = path
        except LoadError as exc:
            problems[rel.as_posix()] = str(exc)
    plan.retire = _read_retire(Path(batch_dir) / RETIRE_FILE, settings.corpus_dir, known, plan, problems)
    if not problems and not plan.files and not plan.retire:
        problems[str(batch_dir)] = "De batch is leeg: geen tips/, handleidingen/ of retire.txt."
    if problems:
        raise BatchError(problems)
    return plan


def _target(settings: Settings, batch_dir: Path, path: Path, known: dict[str, str], seen: dict[str, str]) -> str:
    rel = path.relative_to(batch_dir).as_posix()
    if path.suffix.lower() in (".yml", ".yaml"):
        pdf = path.with_suffix(".pdf")
        if not pdf.is_file() and not (settings.corpus_dir / "handleidingen" / pdf.name).is_file():
            raise LoadError(f"Dit begeleidende bestand hoort bij geen PDF: {pdf.name} ontbreekt.")
        if not isinstance(load_yaml(read_text(path), f"Het begeleidende bestand {path.name}"), dict):
            raise LoadError(f"Het begeleidende bestand {path.name} moet velden bevatten (title, app, owner, version).")
        return rel
    doc = load(path, batch_dir, int(settings.max_file_mb * 1_000_000), settings.max_pdf_pages)
    if doc.doc_type != "tip":
        return rel
    if doc.doc_id in seen:
        raise LoadError(f"Tip-id '{doc.doc_id}' komt ook voor in {seen[doc.doc_id]} van deze batch.")
    seen[doc.doc_id] = rel
    return known.get(doc.doc_id, rel)  # a known id replaces that tip, wherever it lives in the corpus


def _read_retire(path: Path, corpus: Path, known: dict[str, str], plan: BatchPlan, problems: dict[str, str]
                 ) -> list[str]:
    if not path.is_file():
        return []
    try:
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        problems[RETIRE_FILE] = "Het bestand is geen UTF-8-tekst. Sla het op als UTF-8."
        return []
    retire: list[str] = []
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip().replace("\\", "/").removeprefix("./")
        if not entry:
            continue
        rel = next((r for r in (entry, f"tips/{entry}", f"tips/{entry}.md") if ".." not in r
                    and r.startswith("tips/") and r.endswith(".md") and (corpus / r).is_file()), known.get(entry))
        where = f"{RETIRE_FILE} regel {number}"
        if rel is None:
            problems[where] = f"Geen tip '{entry}' in het corpus. Gebruik het pad (tips/naam.md) of de id."
        elif rel in plan.files:
            problems[where] = f"{rel} staat ook in tips/ van deze batch: vervang de tip of trek hem in, niet allebei."
        elif rel not in retire:
            try:
                retire_text(read_text(corpus / rel))
            except LoadError as exc:
                problems[where] = f"{rel} kan niet ingetrokken worden: {exc}"
                continue
            retire.append(rel)
    return retire


def retire_text(text: str) -> str:
    """The tip with `status: retired` in its front matter; the rest of the file stays as it was."""
    return corpus_files.with_front_matter_field(text, "status", "retired")


# -- staging, publishing and rolling back -----------------------------------------------------------------
def stage_corpus(corpus: Path, plan: BatchPlan, staged: Path) -> Path:
    """A copy of the live corpus with the batch applied; the live corpus is not touched."""
    shutil.copytree(corpus, staged)
    for rel, source in plan.files.items():
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, staged / rel)
    for rel in plan.retire:
        (staged / rel).write_text(retire_text(read_text(staged / rel)), encoding="utf-8", newline="")
    return staged


def publish_batch(settings: Settings, store: ChromaStore, plan: BatchPlan, staged: Path, report: IngestReport,
                  live: IndexInfo, embedder: EmbeddingModel) -> Path:
    """Files first, then the pointer; a failure in between puts the old files back."""
    if (store.live_info() or live).collection != live.collection:
        raise IndexProblem("Terwijl de batch getest werd, is de index gewijzigd. Start de batch opnieuw.")
    corpus = settings.corpus_dir
    targets = sorted({*plan.files, *plan.retire})
    backup = settings.data_dir / "batches" / time.strftime("%Y%m%d-%H%M%S")
    backup = backup.with_name(f"{backup.name}-{time.time_ns() % 1_000_000:06d}")
    created = [rel for rel in targets if not (corpus / rel).exists()]
    for rel in targets:
        if rel not in created:
            copy_atomic(corpus / rel, backup / "before" / rel)
        copy_atomic(staged / rel, backup / "after" / rel)
    changed_index = report.collection != live.collection
    manifest = {"corpus": str(corpus.resolve()), "collection": report.collection, "previous": live.collection,
                "created": created, "changed": [rel for rel in targets if rel not in created],
                "state": "published" if changed_index else "unchanged"}
    _save(backup, manifest)
    try:
        _copy_files(backup / "after", corpus, targets)
        if changed_index:
            store.publish(report.collection, embedder.name, embedder.dimension, store.count(report.collection))
    except BaseException:
        _restore(backup, manifest)
        shutil.rmtree(backup, ignore_errors=True)
        raise
    return backup


def _save(backup: Path, manifest: dict[str, Any]) -> None:
    write_atomic(backup / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))


def _copy_files(source: Path, corpus: Path, rels: Sequence[str]) -> None:
    for rel in rels:
        corpus_files.put_file(corpus, rel, source / rel)


def _restore(backup: Path, manifest: dict[str, Any]) -> None:
    corpus = Path(manifest["corpus"])
    _copy_files(backup / "before", corpus, manifest["changed"])
    for rel in manifest["created"]:
        corpus_files.remove_file(corpus, rel)


def rollback(settings: Settings) -> tuple[IndexInfo, str]:
    """Make the previous generation live again and bring the corpus files of that batch along (Dutch note)."""
    store = ChromaStore(settings)
    with batch_lock(settings.data_dir):
        undone = store.live_info()
        info = store.rollback()
        return info, _sync_corpus(settings.data_dir, undone.collection if undone else "", info.collection)


def _sync_corpus(data_dir: Path, undone: str, live: str) -> str:
    for path in sorted((Path(data_dir) / "batches").glob("*/manifest.json"), reverse=True):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = len(manifest["created"]) + len(manifest["changed"])
        if manifest["state"] == "published" and manifest["collection"] == undone:
            _restore(path.parent, manifest)
            manifest["state"], note = "rolled_back", f"De {files} corpusbestanden van batch {path.parent.name} " \
                                                     "staan weer zoals voor de batch."
        elif manifest["state"] == "rolled_back" and manifest["collection"] == live:
            _copy_files(path.parent / "after", Path(manifest["corpus"]), manifest["created"] + manifest["changed"])
            manifest["state"], note = "published", f"Batch {path.parent.name} is weer live, met zijn {files} " \
                                                   "corpusbestanden."
        else:
            continue
        _save(path.parent, manifest)
        return note
    return ("Let op: alleen de zoekindex is teruggezet; bij deze versie hoort geen batch, dus de corpusbestanden "
            "zijn niet aangepast. Een volgende `python -m ingest` neemt ze weer op.")
