"""The quantity check side by side: bands by kind with the check off, at "unsure" and at "escalate".

    python benchmarks/quantity_check.py [--json out.json]

A question that asks for a number, limit or duration (assistant.asking.asks_quantity) whose shown answer
states none (assistant.quantities.holds_quantity) goes at least to the band of Settings.quantity_check.
Both eval sets and the shared answerability pairs (../shared/data/answerability-pairs-sample.jsonl, over
the sample corpus; written apart from the eval sets and the rule, so an independent check) are embedded
once and retrieved once; the answer is composed as in ask(), referrals included, and banded three ways.
The rule has no fitted parameter: nothing is held out.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from common import ROOT, cpu_name, dump, load_set, pairs_dataset

from assistant.runtime import configure_logging, force_offline

force_offline()

MODES = ("off", "unsure", "escalate")
KINDS = ("answerable", "near-miss", "off-topic")


def banded(loaded: Any) -> list[dict[str, Any]]:
    """Per question: its kind, whether it asks for a quantity, whether the shown text holds one, and its
    band under each mode."""
    from assistant import answerability
    from assistant.answerability import SHIPPED
    from assistant.answering import compose_extractive, quoted_part
    from assistant.asking import asks_quantity
    from assistant.quantities import capped, holds_quantity

    assistant, rows = loaded.assistant, []
    for case, found in zip(loaded.cases, loaded.found, strict=True):
        windows = assistant.scored_windows(found)
        draft = compose_extractive(case.question, found.hits, windows=windows)
        shown = quoted_part(draft.text)
        score = SHIPPED.probability(assistant.retriever.evidence(case.question, found, windows, shown))
        referred = assistant.referrals is not None and assistant.referrals.match(found.vector, found.best_dense)
        band = answerability.band(score, loaded.settings.confidence_threshold, loaded.settings.unsure_threshold)
        bands = {mode: "referred" if referred else capped(band, case.question, shown, mode) if draft.text
                 else "escalated" for mode in MODES}
        rows.append({"id": case.id, "kind": case.kind, "asks": asks_quantity(case.question),
                     "holds": holds_quantity(shown), "bands": bands})
    return rows


def table(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    kinds = [k for k in KINDS if any(r["kind"] == k for r in rows)]
    print(f"\n{name}: " + ", ".join(f"{k} {sum(r['kind'] == k for r in rows)}" for k in kinds))
    flagged = {k: sum(r["asks"] for r in rows if r["kind"] == k) for k in kinds}
    holding = {k: sum(r["asks"] and r["holds"] for r in rows if r["kind"] == k) for k in kinds}
    print("  asks for a quantity (of which the shown text holds one): "
          + ", ".join(f"{k} {flagged[k]} ({holding[k]})" for k in kinds))
    print("  | mode | answerable escalated | answerable unsure | near-miss handled | near-miss escalated "
          "| off-topic handled |")
    out: dict[str, Any] = {"flagged": flagged, "holding": holding}
    for mode in MODES:
        share = {}
        for kind in kinds:
            counts = Counter(r["bands"][mode] for r in rows if r["kind"] == kind)
            n = sum(counts.values())
            share[kind] = {b: counts[b] / n for b in ("escalated", "unsure", "referred")}
        cells = [share.get("answerable", {}).get("escalated"), share.get("answerable", {}).get("unsure"),
                 _handled(share.get("near-miss")), share.get("near-miss", {}).get("escalated"),
                 _handled(share.get("off-topic"))]
        print(f"  | {mode} | " + " | ".join("–" if c is None else f"{c:.3f}" for c in cells) + " |")
        out[mode] = share
    return out


def _handled(share: dict[str, float] | None) -> float | None:
    return None if share is None else sum(share.values())


def main(argv: list[str] | None = None) -> int:
    from assistant.config import Settings
    from assistant.model import load_embedder

    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    embedder = load_embedder(Settings(), all_cores=True)
    print(f"{cpu_name()}, model {embedder.name} ({embedder.dtype})")
    summary = {}
    for name in ("sample", "office-nl"):
        summary[name] = table(name, banded(load_set(name, embedder)))
    dataset = pairs_dataset(ROOT / "data" / "quantity-pairs.jsonl")
    pairs = load_set("sample", embedder, dataset=dataset, ingest=False)
    summary["pairs"] = table("shared pairs (sample corpus)", banded(pairs))
    dump(args.json, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
