"""Referral benchmark: on both eval sets, how many questions of each kind (answerable, near-miss, off-topic) are
referred to another service, by the referral list and rule before issue 12 point 5 was measured and by today's,
side by side in one run. Off-topic questions about leave, pay, the building, ... should be referred; answerable
and near-miss questions never (they belong to the corpus and, failing that, to the coach).

    python benchmarks/referrals.py [--sets sample office-nl] [--referrals FILE] [--before FILE] [--show]

Each set has its own index under data/evals-<set> (gitignored; built once, as `make evals` and the answer benchmarks
do) and every question is embedded once (benchmarks/common.py). "after" is the decision Assistant.ask makes
(Referrals.match with the Settings' thresholds); "before" is the old rule: the examples titled with the service's
name and all topics in one passage, referred at similarity >= --before-min and >= the corpus's best + --before-margin.
Neither list may copy an eval question.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
from common import ROOT, cpu_name, load_set

from assistant.runtime import configure_logging, force_offline

force_offline()

KINDS = ("answerable", "near-miss", "off-topic")


def before_passages(ref: Any) -> list[tuple[str, str]]:
    """The passages of a referral as they were embedded before: titled with the service's name, topics together."""
    found = [(ref.name, example) for example in ref.examples]
    return found + ([(ref.name, f"{ref.about}: {', '.join(ref.topics)}")] if ref.topics else [])


def before_rule(embedder: Any, path: Path, minimum: float, margin: float) -> Any:
    """decide(vector, corpus_best) -> referral id or "" with the old passages and thresholds."""
    from assistant.referral import load

    refs = load(path)
    owners = [r.id for r in refs for _ in before_passages(r)]
    vectors = np.asarray(embedder.embed_documents([p for r in refs for p in before_passages(r)]), dtype=np.float32)

    def decide(vector: np.ndarray, corpus_best: float) -> str:
        sims = vectors @ np.asarray(vector, dtype=np.float32)
        best = int(np.argmax(sims))
        return owners[best] if sims[best] >= minimum and sims[best] >= corpus_best + margin else ""

    return decide


def measure(name: str, embedder: Any, args: argparse.Namespace) -> tuple[dict[str, collections.Counter[str]],
                                                                          list[str]]:
    loaded = load_set(name, embedder, referrals_path=args.referrals)
    referrals = loaded.assistant.referrals
    assert referrals is not None
    before = before_rule(embedder, args.before, args.before_min, args.before_margin)
    counts: dict[str, collections.Counter[str]] = {"total": collections.Counter(), "before": collections.Counter(),
                                                   "after": collections.Counter()}
    lines: list[str] = []
    for case, found in zip(loaded.cases, loaded.found, strict=True):
        old = before(found.vector, found.best_dense)
        match = referrals.match(found.vector, found.best_dense)
        new = match.referral.id if match is not None else ""
        counts["total"][case.kind] += 1
        counts["before"][case.kind] += bool(old)
        counts["after"][case.kind] += bool(new)
        closest = referrals.closest(found.vector)
        if (new and case.kind != "off-topic") or (args.show and case.kind == "off-topic") or (old and not new):
            assert closest is not None
            lines.append(f"  {name} {case.id} {case.kind:10} before={old or '-':16} after={new or '-':16} "
                         f"ref {closest.similarity:.3f} ({closest.referral.id}) corpus {found.best_dense:.3f}  "
                         f"{case.question[:70]}")
    return counts, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["sample", "office-nl"], choices=["sample", "office-nl"])
    parser.add_argument("--referrals", type=Path, default=ROOT / "corpus" / "referrals.yaml")
    parser.add_argument("--before", type=Path, default=ROOT / "benchmarks" / "referrals-before.yaml")
    parser.add_argument("--before-min", type=float, default=0.45, help="the old referral_min_similarity")
    parser.add_argument("--before-margin", type=float, default=0.0, help="the old referral_margin")
    parser.add_argument("--show", action="store_true", help="list every off-topic question's decision")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.config import Settings
    from assistant.model import load_embedder

    settings = Settings()
    embedder = load_embedder(settings)
    rows, details = [], []
    for name in args.sets:
        counts, lines = measure(name, embedder, args)
        rows += [(name, kind, counts["before"][kind], counts["after"][kind], counts["total"][kind]) for kind in KINDS]
        details += lines
    print(f"CPU {cpu_name()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"before: {args.before.name}, min similarity {args.before_min}, margin {args.before_margin}; "
          f"after: {args.referrals.name}, min similarity {settings.referral_min_similarity}, "
          f"margin {settings.referral_margin}")
    print(f"{'set':10} {'kind':11} {'before':>9} {'after':>9}")
    for name, kind, old, new, total in rows:
        print(f"{name:10} {kind:11} {f'{old}/{total}':>9} {f'{new}/{total}':>9}")
    if details:
        print("answerable or near-miss referred, referrals lost, and (--show) every off-topic question:")
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
