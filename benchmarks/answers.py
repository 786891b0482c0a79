"""Passage selection side by side: key facts, answer length and compose time per selector.

    python benchmarks/answers.py [--sets sample office-nl] [--json out.json] [--only LABEL ...] [--misses SELECTOR]

The selectors (the table's rows, each a labelled compose function) live in benchmarks/answer_selectors.py.

Each eval set is ingested incrementally into its eval data dir (data/evals-<set>); every question is
embedded once and retrieved once, then every selector composes an answer from the same retrieval.
Answerable questions with `must_contain` only. `key_facts_all` counts every one of them; `key_facts` and
the answer lengths leave out the questions the answerability check escalates (as `python -m evals`
does, referrals aside), so the figures line up with the eval report. `1st cited` is the share of those
answered ones whose first cited document is an expected one (`citation_correctness` in the evals): a rule
that quotes another retrieved document first must not lower it. `--misses` lists, per set, the answered
questions a selector (a label of the table, e.g. "shipped") misses, with the document quoted first and
whether it is an expected one ("right doc": the miss is in the choice of window, not of document).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from answer_selectors import loose_two_part, selectors
from common import ROOT, cpu_name, dump, load_set

from assistant.runtime import configure_logging, force_offline

force_offline()


def escalated(loaded: Any, case: Any, found: Any, windows: Any, quoted: str) -> bool:
    """The answerability check's verdict, as Assistant.ask reaches it: the score's band, lowered by the
    quantity check (which reads the quoted text, so a selector can move a question between bands)."""
    from assistant import answerability

    evidence = loaded.assistant.retriever.evidence(case.question, found, windows, quoted)
    score = answerability.SHIPPED.probability(evidence)
    return bool(loaded.assistant.band(case.question, score, quoted) == "escalated")


def evaluate(loaded: Any, compose: Callable[..., Any]) -> dict[str, Any]:
    from assistant.answering import groundedness, quoted_part
    from assistant.types import Answer
    from evals.keyfacts import holds_key_facts
    from evals.metrics import first_cited_source

    held, held_all, chars, total, grounded, ms, first, misses = [], [], [], [], [], [], [], []
    for case, found in zip(loaded.cases, loaded.found, strict=True):
        if not case.answerable or not case.must_contain:
            continue
        if not found.hits:
            held_all.append(False)
            continue
        started = time.perf_counter()
        windows = loaded.assistant.scored_windows(found)
        draft = compose(case.question, found.hits, windows)
        ms.append((time.perf_counter() - started) * 1000)
        quoted = quoted_part(draft.text)
        ok = holds_key_facts(draft.text, case.must_contain)
        grounded.append(groundedness(draft))
        if escalated(loaded, case, found, windows, quoted):
            held_all.append(False)
            continue
        held.append(ok)
        held_all.append(ok)
        answer = Answer(case.question, draft.text, draft.citations, 1.0)
        first.append(first_cited_source(answer) in case.expected_sources)  # citation_correctness in the evals
        if not ok:
            misses.append((case.id, first_cited_source(answer) or "", first[-1]))
        chars.append(len(" ".join(quoted.split())))  # as answer_chars in the evals
        total.append(len(draft.text))
    n, n_all = len(held) or 1, len(held_all) or 1
    return {"n": len(held), "key_facts": sum(held) / n, "key_facts_all": sum(held_all) / n_all,
            "chars_p50": statistics.median(chars or [0]),
            "chars_p90": sorted(chars or [0])[int(0.9 * (len(chars) - 1))] if chars else 0,
            "total_chars_p50": statistics.median(total or [0]),
            "groundedness": min(grounded or [1.0]), "compose_ms_p50": statistics.median(ms or [0.0]),
            "first_expected": sum(first) / (len(first) or 1), "held": held, "misses": misses}


def print_misses(name: str, results: dict[str, dict[str, Any]], selector: str) -> None:
    label = next((k for k in results if k.startswith(selector)), None)
    if label is None:
        print(f"no selector starts with {selector!r}")
        return
    print(f"\n{name}: answered questions '{label}' misses")
    for case_id, source, right in results[label]["misses"]:
        print(f"  {case_id:<6} {'right doc' if right else 'wrong doc':<9}  {source}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="+", default=["sample", "office-nl"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--datasets", type=Path, help="folder with <set>.jsonl (default: evals/datasets)")
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="measure only the selectors whose label "
                        "starts with one of these")
    parser.add_argument("--misses", metavar="SELECTOR", help="list the questions this selector misses (a label "
                        "or the start of one, e.g. 'shipped')")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.asking import asks_two_things
    from assistant.config import Settings
    from assistant.model import load_embedder

    embedder = load_embedder(Settings(), all_cores=True)
    print(f"{cpu_name()}, model {embedder.name} ({embedder.dtype})")
    results: dict[str, dict[str, Any]] = {}
    for name in args.sets:
        loaded = load_set(name, embedder, dataset=args.datasets / f"{name}.jsonl" if args.datasets else None)
        annotated = [c for c in loaded.cases if c.answerable and c.must_contain]
        two = [c.id for c in annotated if asks_two_things(c.question)]
        loose = sum(loose_two_part(c.question) for c in annotated)
        print(f"\n{name}: {len(annotated)} answerable questions with key facts, "
              f"{len(loaded.assistant.retriever.windows)} window vectors; two-part: {len(two)} ({' '.join(two)}), "
              f"loose '?': {loose}")
        print(f"{'selector':<40} {'key_facts':>9} {'kf_all':>6} {'chars p50':>9} {'p90':>6} {'total p50':>9} "
              f"{'1st cited':>9} {'grounded':>8} {'ms p50':>7}")
        for label, compose in selectors().items():
            if args.only and not label.startswith(tuple(args.only)):
                continue
            r = evaluate(loaded, compose)
            results.setdefault(name, {})[label] = r
            print(f"{label:<40} {r['key_facts']:>9.3f} {r['key_facts_all']:>6.3f} {r['chars_p50']:>9.0f} "
                  f"{r['chars_p90']:>6.0f} {r['total_chars_p50']:>9.0f} {r['first_expected']:>9.3f} "
                  f"{r['groundedness']:>8.3f} "
                  f"{r['compose_ms_p50']:>7.2f}")
        if args.misses:
            print_misses(name, results[name], args.misses)
    dump(args.json, results)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
