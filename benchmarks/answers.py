"""Passage selection side by side: key facts, answer length and compose time per selector.

    python benchmarks/answers.py [--sets sample office-nl] [--json out.json] [--misses SELECTOR]

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import ROOT, cpu_name, dump, load_set

from assistant.runtime import configure_logging, force_offline

force_offline()


# The lead rules of 2026-12-01 (platform, problem report), off in every row measured before them.
BEFORE_LEAD_2: dict[str, Any] = {"lead_platform": False, "lead_counterpart": False, "lead_trouble": -1.0}

# The rules shipped after the two-part rule (2026-12-01, "which window of the quoted document"): rows
# measured before them keep them off, so their figures reproduce.
LATER: dict[str, Any] = {"first_within": -1.0, "before_chars": 0, "decisions_chars": 0}
# Rows measured before both: the lead rules and the window rules off.
OFF: dict[str, Any] = {**BEFORE_LEAD_2, **LATER}


def _whole_chunk(max_chars: int) -> Callable[..., Any]:
    from assistant.answering import Draft, _intro, citation_for
    from assistant.passages import normalize_text

    def compose(question: str, hits: list[Any], windows: Any) -> Any:
        top = hits[0].chunk
        text = normalize_text(top.text)
        if len(text) > max_chars:
            text = text[:max_chars].rsplit(" ", 1)[0]
        return Draft(f"{_intro(top, 1)}\n{text}", (citation_for(1, top, text),), 1.0, "extractive")

    return compose


def _lead_by(score: Callable[[list[Any], Any], float], margin: float) -> Callable[..., Any]:
    """A lead rule measured here only: the document (of the top 3) whose `score` beats the top one's by
    more than `margin` is quoted first; the hits are reordered, the shipped lead is off."""
    from assistant.answering import compose_extractive
    from assistant.selection import SelectionOptions

    def compose(question: str, hits: list[Any], windows: Any) -> Any:
        order = list(dict.fromkeys(h.chunk.source for h in hits))[:3]
        first = {h.chunk.source: h for h in reversed(hits)}
        scores = {s: score(windows.get(s, []), first[s]) for s in order if windows.get(s)}
        better = [s for s in order[1:] if s in scores and order[0] in scores and scores[s] > scores[order[0]] + margin]
        if better:
            lead = max(better, key=lambda s: scores[s])
            hits = sorted(hits, key=lambda h: h.chunk.source != lead)
        options = SelectionOptions(lead_docs=1, main_within=-1.0, finish_list=False, second_section_within=-1.0,
                                   **OFF)
        return compose_extractive(question, hits, windows=windows, options=options)

    return compose


def _top2(doc: list[Any], hit: Any) -> float:
    sims = sorted((w.similarity for w in doc), reverse=True)[:2]
    return sum(sims) / len(sims)


def _with_retrieval(doc: list[Any], hit: Any) -> float:
    return (max(w.similarity for w in doc) + hit.score) / 2


@contextmanager
def _anchor_rule(pick: Callable[[list[Any], Any], Any]) -> Iterator[None]:
    """An anchor rule measured here only: `pick(doc, shipped anchor)` replaces the window the shown part
    is built around, for the duration of one compose."""
    from assistant import selection

    shipped = selection.anchor
    selection.anchor = lambda doc, options, procedure=False: pick(doc, shipped(doc, options, procedure))
    try:
        yield
    finally:
        selection.anchor = shipped


def _anchored(rule: Callable[[str, list[Any], Any], Any], two_part: bool = False) -> Callable[..., Any]:
    from assistant.answering import compose_extractive
    from assistant.selection import SelectionOptions

    # the rules these anchors compete with (`two_part`: all rules up to the two-part one)
    options = SelectionOptions(**OFF) if two_part else SelectionOptions(main_within=-1.0, finish_list=False,
                                                                        second_section_within=-1.0, **OFF)

    def compose(question: str, hits: list[Any], windows: Any) -> Any:
        with _anchor_rule(lambda doc, top: rule(question, doc, top) if top is not None else None):
            return compose_extractive(question, hits, windows=windows, options=options)

    return compose


def _most_terms(gap: float) -> Callable[[str, list[Any], Any], Any]:
    """Of the windows within `gap` of the anchor, the one holding most of the question's terms (the lead
    rule's signal; ties keep the anchor)."""
    from assistant.bm25 import tokenize
    from assistant.leading import shared_terms

    def pick(question: str, doc: list[Any], top: Any) -> Any:
        terms = set(tokenize(question))
        share = lambda w: shared_terms(terms, set(tokenize(w.layout.texts[w.index]))) if terms else 0.0  # noqa: E731
        near = [w for w in doc if w.similarity >= top.similarity - gap]
        return max(near, key=lambda w: (share(w), w is top, w.similarity))

    return pick


def _heading_terms(gap: float) -> Callable[[str, list[Any], Any], Any]:
    """Of the windows within `gap` of the anchor, the one whose heading holds most of the question's terms
    (ties keep the anchor)."""
    from assistant.bm25 import tokenize
    from assistant.leading import shared_terms

    def pick(question: str, doc: list[Any], top: Any) -> Any:
        terms = set(tokenize(question))
        share = lambda w: shared_terms(terms, set(tokenize(w.window.heading))) if terms else 0.0  # noqa: E731
        near = [w for w in doc if w.similarity >= top.similarity - gap]
        return max(near, key=lambda w: (share(w), w is top, w.similarity))

    return pick


def _opening_heading_terms(gap: float) -> Callable[[str, list[Any], Any], Any]:
    """An anchor in the untitled opening (the anecdote that restates the problem) gives way to the window
    within `gap` whose heading holds most of the question's terms, when one holds any."""
    heading_terms = _heading_terms(gap)

    def pick(question: str, doc: list[Any], top: Any) -> Any:
        return heading_terms(question, doc, top) if not top.window.heading else top

    return pick


def _earliest(gap: float, same_heading: bool = False) -> Callable[[str, list[Any], Any], Any]:
    """The first window in reading order within `gap` of the anchor (under the anchor's heading)."""
    return lambda question, doc, top: next(w for w in doc if w.similarity >= top.similarity - gap
                                           and (not same_heading or w.window.heading == top.window.heading))


@contextmanager
def _detector(asks: Callable[[str], bool]) -> Iterator[None]:
    """A two-part detector measured here only, in place of the shipped one for the duration of one compose."""
    from assistant import answering

    shipped = answering.asks_two_things
    answering.asks_two_things = lambda question: asks(question)
    try:
        yield
    finally:
        answering.asks_two_things = shipped


def _loose_two_part(question: str) -> bool:
    """The shipped detector, or any question mark with three more words after it (context remarks too)."""
    import re

    from assistant.asking import asks_two_things

    return asks_two_things(question) or bool(re.search(r"\?\s*(?:\S+\s+){2,}\S+", question))


def _two_part(gap: float, asks: Callable[[str], bool] | None = None, **options: Any) -> Callable[..., Any]:
    """Another section's best window within `gap` for the questions `asks` marks (default: the shipped
    detector)."""
    from assistant.answering import compose_extractive
    from assistant.asking import asks_two_things
    from assistant.selection import SelectionOptions

    opts = SelectionOptions(**{"second_section_within": gap, **OFF, **options})

    def compose(question: str, hits: list[Any], windows: Any) -> Any:
        with _detector(asks or asks_two_things):
            return compose_extractive(question, hits, windows=windows, options=opts)

    return compose


def selectors() -> dict[str, Callable[..., Any]]:
    from assistant.answering import compose_extractive
    from assistant.selection import SelectionOptions

    def make(use_windows: bool, **options: Any) -> Callable[..., Any]:
        opts = SelectionOptions(**{"second_section_within": -1.0, **OFF, **options})  # before two-part
        return lambda q, hits, windows: compose_extractive(q, hits, windows=windows if use_windows else None,
                                                           options=opts)

    wraps = {"finish_list": False}  # before wrapped PDF step lists were finished (2026-12-01)
    no_main = {"main_within": -1.0, **wraps}  # before the main-procedure anchor
    top = {"lead_docs": 1, **no_main}  # the top retrieved document is quoted first (before the lead rule)
    first_cut = {"procedure_within": -1.0, "steps_before": False, **top}  # the window rules before these two
    whole: dict[str, Any] = {"second_section_lines": 0, "second_section_chars": 0}
    return {
        "words (before)": make(False),
        "whole top chunk, 900 chars": _whole_chunk(900),
        "best window only": make(True, next_window=False, steps_within=-1.0, second_doc_within=-1.0, **first_cut),
        "+ next window": make(True, steps_within=-1.0, second_doc_within=-1.0, **first_cut),
        "+ next window + steps (0.10)": make(True, second_doc_within=-1.0, **first_cut),
        "+ 2nd doc within 0.02": make(True, **first_cut),
        "+ 2nd doc within 0.03": make(True, second_doc_within=0.03, **first_cut),
        "+ steps before a result": make(True, procedure_within=-1.0, **top),
        "+ how: procedure over bullets .05": make(True, steps_before=False, **top),
        "+ both (top doc first)": make(True, **top),
        "+ both, how: procedure .10": make(True, procedure_within=0.10, **top),
        **{f"lead: best window > top + {m:.2f}": make(True, lead_terms=0.0, lead_margin=m, **no_main)
           for m in (0.0, 0.01, 0.02, 0.03)},
        "lead: top-2 windows mean + 0.02": _lead_by(_top2, 0.02),
        "lead: window+retrieval + 0.01": _lead_by(_with_retrieval, 0.01),
        **{f"lead: window+{w}*terms > top + {m:.2f}": make(True, lead_terms=w, lead_margin=m, **no_main)
           for w, m in ((0.2, 0.03), (0.3, 0.02), (0.4, 0.03))},
        "lead: window+0.3*terms + 0.03": make(True, **no_main),
        **{f"anchor: most question terms within {g:.2f}": _anchored(_most_terms(g)) for g in (0.01, 0.02, 0.03)},
        "anchor: earliest window within 0.02": _anchored(_earliest(0.02)),
        "anchor: earliest, same heading, 0.02": _anchored(_earliest(0.02, same_heading=True)),
        **{f"how: main procedure within {g:.3f}": make(True, main_within=g, **wraps)
           for g in (0.02, 0.035, 0.05, 0.10)},
        "how: main procedure 0.03": make(True, **wraps),
        # Meeting notes and PDF line wraps, each on top of the rules above.
        "+ Vragen: takes Beslissingen:": make(True, decisions_after_questions=True, **wraps),
        "+ finish a cut sentence": make(True, finish_sentence=True, **wraps),
        "+ finish a cut list (before 2-part)": make(True),
        "+ finish sentence and list": make(True, finish_sentence=True),
        "+ all three": make(True, decisions_after_questions=True, finish_sentence=True),
        # Two-part questions, on top of the rules above ("whole": the other section whole; no chars bound).
        **{f"two-part: other section within {g:.2f}": _two_part(g, **whole) for g in (0.03, 0.05, 0.10)},
        "two-part, loose '?': other section 0.10": _two_part(0.10, _loose_two_part, **whole),
        **{f"every question: other section {g:.2f}": _two_part(g, lambda q: True, **whole) for g in (0.05, 0.10)},
        **{f"two-part: its first line, within {g:.2f}": _two_part(g, second_section_chars=0)
           for g in (0.03, 0.05, 0.10)},
        "two-part: first 2 lines, within 0.10": _two_part(0.10, second_section_lines=2, second_section_chars=0),
        "every question: first line, within 0.10": _two_part(0.10, lambda q: True, second_section_chars=0),
        "two-part: 1st line .05, part <= 500 chars": _two_part(0.05),
        "two-part: 1st line .10, part <= 500 chars": _two_part(0.10),
        # Which document is quoted first, on top of all the rules above: what the question says outright.
        "lead: + other platform behind": _two_part(0.10, lead_platform=True),
        "lead: + its counterpart first": _two_part(0.10, lead_platform=True, lead_counterpart=True),
        **{f"lead: + problem report, fix within {g:.2f}": _two_part(0.10, lead_trouble=g) for g in (0.05, 0.10, 0.20)},
        "lead: platform, counterpart, fix .10": _two_part(0.10, lead_platform=True, lead_counterpart=True,
                                                          lead_trouble=0.10),
        # Which window of the quoted document, on top of the rules above (two-part ones included).
        **{f"numbered: first procedure within {g:.2f}": _two_part(0.10, first_within=g) for g in (0.02, 0.03, 0.04)},
        **{f"window before, part <= {c} chars": _two_part(0.10, before_chars=c) for c in (400, 500)},
        **{f"window before within {g:.2f}, <= 500": _two_part(0.10, before_chars=500, before_within=g)
           for g in (0.05, 0.10)},
        "next window: same heading only": _two_part(0.10, next_same_heading=True),
        "next same heading, 2nd section <= 600": _two_part(0.10, next_same_heading=True, second_section_chars=600),
        "opening takes the best titled window": _two_part(0.10, intro_best=True),
        **{f"anchor: heading terms within {g:.2f}": _anchored(_heading_terms(g), two_part=True)
           for g in (0.01, 0.02, 0.04)},
        **{f"opening: heading terms within {g:.2f}": _anchored(_opening_heading_terms(g), two_part=True)
           for g in (0.02, 0.04, 0.06)},
        "window: first procedure .02, before <= 400": _two_part(0.10, first_within=0.02, before_chars=400),
        "lead rules + window rules": lambda q, hits, windows: compose_extractive(
            q, hits, windows=windows, options=SelectionOptions(decisions_chars=0)),
        "+ decisions list, part <= 500": lambda q, hits, windows: compose_extractive(
            q, hits, windows=windows, options=SelectionOptions(decisions_chars=500)),
        # As shipped (the defaults).
        "shipped: + decisions list, part <= 400": lambda q, hits, windows: compose_extractive(
            q, hits, windows=windows, options=SelectionOptions()),
    }


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
        loose = sum(_loose_two_part(c.question) for c in annotated)
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
