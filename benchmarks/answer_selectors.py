"""The selector rows of benchmarks/answers.py: each a labelled compose function, measured side by side.

    from answer_selectors import selectors   # label -> compose(question, hits, windows) -> Draft

A row is the shipped composer (assistant.answering.compose_extractive) with some SelectionOptions, or a
rule measured here only (a whole chunk, another lead score, another anchor, another two-part detector),
swapped in for one compose. The rows measured before later rules keep those rules off (BEFORE_LEAD_2,
LATER, OFF), so their figures reproduce; the last row is the shipped default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


def loose_two_part(question: str) -> bool:
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


def _make(use_windows: bool, **options: Any) -> Callable[..., Any]:
    """The shipped composer with `options`, the two-part rule and the later rules off."""
    from assistant.answering import compose_extractive
    from assistant.selection import SelectionOptions

    opts = SelectionOptions(**{"second_section_within": -1.0, **OFF, **options})  # before two-part
    return lambda q, hits, windows: compose_extractive(q, hits, windows=windows if use_windows else None,
                                                       options=opts)


WRAPS: dict[str, Any] = {"finish_list": False}  # before wrapped PDF step lists were finished (2026-12-01)
NO_MAIN: dict[str, Any] = {"main_within": -1.0, **WRAPS}  # before the main-procedure anchor
# The top retrieved document is quoted first (before the lead rule).
TOP: dict[str, Any] = {"lead_docs": 1, **NO_MAIN}
# The window rules before these two (procedure over bullets, steps before a result).
FIRST_CUT: dict[str, Any] = {"procedure_within": -1.0, "steps_before": False, **TOP}
# The two-part rule's other section whole (no lines or chars bound).
WHOLE: dict[str, Any] = {"second_section_lines": 0, "second_section_chars": 0}


def _window_rows() -> dict[str, Callable[..., Any]]:
    """The rows before the two-part rule: windows, leads, anchors, main procedure, notes and wraps."""
    make, wraps, no_main, top, first_cut = _make, WRAPS, NO_MAIN, TOP, FIRST_CUT
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
    }


def _two_part_rows() -> dict[str, Callable[..., Any]]:
    """The two-part rule and the lead and window rules measured on top of it."""
    whole = WHOLE
    return {
        # Two-part questions, on top of the rules above ("whole": the other section whole; no chars bound).
        **{f"two-part: other section within {g:.2f}": _two_part(g, **whole) for g in (0.03, 0.05, 0.10)},
        "two-part, loose '?': other section 0.10": _two_part(0.10, loose_two_part, **whole),
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
    }


def selectors() -> dict[str, Callable[..., Any]]:
    """Every row, label -> compose(question, hits, windows), in the table's order; the last is as shipped."""
    from assistant.answering import compose_extractive
    from assistant.selection import SelectionOptions

    return {
        **_window_rows(),
        **_two_part_rows(),
        "lead rules + window rules": lambda q, hits, windows: compose_extractive(
            q, hits, windows=windows, options=SelectionOptions(decisions_chars=0)),
        "+ decisions list, part <= 500": lambda q, hits, windows: compose_extractive(
            q, hits, windows=windows, options=SelectionOptions(decisions_chars=500)),
        # As shipped (the defaults).
        "shipped: + decisions list, part <= 400": lambda q, hits, windows: compose_extractive(
            q, hits, windows=windows, options=SelectionOptions()),
    }
