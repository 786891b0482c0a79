"""Referral benchmark: how many of the eval sets' off-topic questions get a referral (referrals.yaml), and how
many answerable or near-miss questions would be referred needlessly, at the configured margin and a few others.

    python benchmarks/referrals.py [--corpus DIR] [--dataset FILE] [--data-dir DIR] [--referrals FILE]

The decision is the one Assistant.ask makes (Referrals.match on the question's vector and the corpus's best
dense similarity), computed once per question; the referral examples must not copy eval questions.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, cpu_name, force_offline  # noqa: E402

force_offline()

MARGINS = (-0.05, 0.0, 0.05)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "sample.jsonl")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-referrals-sample")
    parser.add_argument("--referrals", type=Path, default=ROOT / "corpus" / "referrals.yaml")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.service import build_assistant
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=args.corpus, data_dir=args.data_dir, coaches_path=ROOT / "corpus" / "coaches.yaml",
                        referrals_path=args.referrals)
    embedder = load_embedder(settings)
    run_ingest(settings, embedder, ChromaStore(settings))
    assistant = build_assistant(settings, embedder=embedder)
    referrals = assistant.referrals
    assert referrals is not None
    cases = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts: dict[float, collections.Counter[str]] = {m: collections.Counter() for m in MARGINS}
    totals: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    for case in cases:
        kind = case.get("kind") or ("answerable" if case.get("answerable", True) else "unanswerable")
        totals[kind] += 1
        found = assistant.retrieve(case["question"])
        closest = referrals.closest(found.vector)
        for margin in MARGINS:
            if closest is not None and closest.similarity >= settings.referral_min_similarity and \
                    closest.similarity >= found.best_dense + margin:
                counts[margin][kind] += 1
                if margin == settings.referral_margin and kind != "off-topic":
                    wrong.append(f"  {case['id']} ({kind}) -> {closest.referral.id}: {case['question']}")
    print(f"dataset {args.dataset.name}, {len(cases)} questions; CPU {cpu_name()}; min similarity "
          f"{settings.referral_min_similarity}, configured margin {settings.referral_margin}")
    print("margin  " + "  ".join(f"{k} referred/total" for k in sorted(totals)))
    for margin in MARGINS:
        print(f"{margin:+.2f}   " + "  ".join(f"{counts[margin][k]}/{totals[k]}" for k in sorted(totals)))
    if wrong:
        print("needless referrals at the configured margin:\n" + "\n".join(wrong))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
