"""Which windows of a document answer the question, chosen by meaning and shown by the answer rules.

Measured on both eval sets (benchmarks/answers.py): the window most similar to a question is often the
one that restates the problem ("Mijn mails zijn weg!"), and the answer follows it. So a document shows
its best window, the window after it when the best one is not a procedure, and its best procedure when
that is nearly as close; a second document that is about as close shows its own best window.

Refinements, measured side by side in the same benchmark:
- a how-question whose best window is a bullet list ("Let op", "Handig om te weten") is answered from
  the numbered procedure of that document when it is nearly as close: the bullets are remarks around
  the steps, and a bullet list never counted as the procedure the colleague asked for;
- a best window that follows a numbered procedure under the same heading ("Vanaf nu wordt alles …")
  says what the steps achieve: the procedure it concludes is shown with it;
- a how-question whose shown part holds no numbered procedure is answered from the document's main
  procedure (its first numbered one) when that is nearly as close (`main_within`): the best window is
  then often a side case ("Oude gsm al kwijt?") next to the steps that answer. Choosing among near-equal
  windows by the question's words instead picks the ones that echo the question, not the steps;
- a best numbered procedure gives way to the document's first one within `first_within`, and a short
  part takes the sentence before it under its heading (`before_chars`): see `anchor`, `_sentence_before`.

A question that asks two things ("wanneer is er … en hoe schrijf ik mij in", assistant.asking) is often
answered in two sections of the quoted document: the best window of another section (heading) within
`second_section_within` joins, in reading order, showing its first line (a numbered procedure whole).
Only for such questions: a second section for every question pushes the median answer far over 500
characters, and a whole second section for the two-part ones already over 500 on the sample.

Which document is quoted first is assistant.leading's role.

A PDF wraps lines, so a step can stop mid-sentence ("… de oude gsm uit je") with its rest and the next
steps outside the list: a shown numbered list takes them along, within the procedure bound
(`finish_list`, passages.expand). Measured and off (flags): finishing any passage cut mid-sentence, and in meeting
notes a best "Vragen:" list (it restates the colleague's question) taking the "Beslissingen:" list of
its agenda item: they lengthen typical answers past the 500-character median.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from assistant import passages
from assistant.types import Chunk
from assistant.windows import ScoredWindow

# Meeting notes: the list that restates what was asked, and the one that says what was decided.
_QUESTIONS = re.compile(r"^(?:open\s+)?vra(?:ag|gen)\b[^:]*:$", re.IGNORECASE)
_DECISIONS = re.compile(r"^(?:beslissing(?:en)?|besluit(?:en)?|beslist|afspraken|conclusies?)\b[^:]*:$", re.IGNORECASE)


@dataclass(frozen=True)
class SelectionOptions:
    next_window: bool = True  # a best window that is not a procedure takes the window after it along
    steps_within: float = 0.10  # the document's best procedure is shown when this close to its best window
    second_doc_within: float = 0.02  # the next document gets its own passage when its best window is this close
    context_words: int = passages.CONTEXT_WORDS
    procedure_within: float = 0.05  # how-questions: a numbered procedure this close replaces a best bullet list
    steps_before: bool = True  # a best window right after a numbered procedure (same heading) takes it along
    lead_docs: int = 3  # the document quoted first is chosen among this many retrieved ones (1: always the top)
    lead_margin: float = 0.03  # ... when its lead score beats the top document's by more than this
    lead_terms: float = 0.3  # lead score: best window similarity + this × share of question terms in its part
    lead_in_across: bool = True  # a window that would end on a lead-in takes the next window along
    skip_titles: bool = True  # a manual's numbered section title is no procedure and never the window shown next
    lead_platform: bool = True  # a document titled for another platform than the question names goes behind
    lead_counterpart: bool = True  # ... and a top one so put behind yields to the same article for that platform
    lead_trouble: float = 0.10  # a problem report: the troubleshooting article within this of the top lead score
    lead_keeps_steps: bool = True  # how-questions: a top document showing steps is not swapped for one without
    main_within: float = 0.03  # how-questions: the first numbered procedure this close anchors when none is shown
    finish_list: bool = True  # a numbered list broken by wrapped lines takes its next steps along
    # Measured 2026-12-01 and off: neither raises key facts on top of the others, and each pushes the
    # sample's answer_chars median over 500 (README, "Answers: the passage that answers").
    decisions_after_questions: bool = False  # a best "Vragen:" list takes the "Beslissingen:" list of its item
    decisions_chars: int = 400  # ... a shown "Vragen:" list takes it while the part stays within this (0: off)
    finish_sentence: bool = False  # a passage ending mid-sentence takes the (lowercase) rest along
    second_section_within: float = 0.10  # two-part questions: another section's best window this close joins
    second_section_lines: int = 1  # ... showing its first this many lines unless numbered steps (0: all)
    second_section_chars: int = 500  # ... only when the document's shown lines stay within this (0: no bound)
    first_within: float = 0.02  # a numbered best window gives way to the first numbered procedure this close
    before_chars: int = 400  # the sentence window before the shown part (same heading) joins within this (0: off)
    before_within: float = 1.0  # ... when its similarity is this close to the document's best window
    # Measured 2026-12-01 and off: each loses key facts on the sample (README).
    next_same_heading: bool = False  # the window after a titled best window joins only under its heading
    intro_best: bool = False  # a best window in the untitled opening takes the best titled window along


@dataclass(frozen=True)
class Part:
    """What one document contributes to the answer."""

    chunk: Chunk  # where the first shown window lies (title, page, dates)
    heading: str
    lines: tuple[str, ...]
    truncated: bool  # a procedure was cut at the bound: the rest is in the source
    similarity: float  # of the document's best window


# A part in the making: the window indexes shown (reading order), their lines, and whether a list was cut.
Shown = tuple[list[int], list[str], bool]


def best(doc: list[ScoredWindow]) -> ScoredWindow | None:
    return max(doc, key=lambda w: w.similarity, default=None)


def numbered(window: ScoredWindow) -> bool:
    """A procedure: the window holds a numbered list (a bullet list holds remarks or options; a numbered
    section title of a manual, "2. Een afdruk ophalen", is a title)."""
    parts = window.layout.parts[window.window.start:window.window.end]
    return any(u.kind == "steps" and passages.step_number(u.lines[0]) is not None and not passages.is_title(u)
               for u in parts)


def title_only(window: ScoredWindow) -> bool:
    """The window is nothing but a section title: shown alone it is an empty heading."""
    return all(passages.is_title(u) for u in window.layout.parts[window.window.start:window.window.end])


def anchor(doc: list[ScoredWindow], options: SelectionOptions, procedure: bool = False) -> ScoredWindow | None:
    """The window the shown passage is built around: the best one, or for a how-question (`procedure`)
    whose best window is a bullet list, the closest numbered procedure within `procedure_within`. A best
    numbered procedure gives way to the document's first one within `first_within`: a later procedure is
    an alternative or a fallback ("Als dat niet werkt, …"), the first one the main way."""
    top = best(doc)
    if top is not None and options.first_within >= 0 and numbered(top):
        return next(w for w in doc if numbered(w) and w.similarity >= top.similarity - options.first_within)
    if top is None or not procedure or top.window.kind != "steps" or numbered(top):
        return top
    steps = [w for w in doc if numbered(w) and w.similarity >= top.similarity - options.procedure_within]
    return max(steps, key=lambda w: w.similarity, default=top)


def choose(doc: list[ScoredWindow], options: SelectionOptions, procedure: bool = False) -> list[int]:
    """Indexes (into `doc`, which is in reading order) of the windows to show, in reading order."""
    top = anchor(doc, options, procedure)
    if top is None:
        return []
    chosen = _around(doc, top, options)
    if procedure and not any(numbered(doc[i]) for i in chosen):
        main = next((w for w in doc if numbered(w)), None)  # the document's main procedure
        if main is not None and main.similarity >= top.similarity - options.main_within:
            chosen = _around(doc, main, options)
    return chosen


def _around(doc: list[ScoredWindow], top: ScoredWindow, options: SelectionOptions) -> list[int]:
    """The anchor window and what it takes along: the next window, the procedure it concludes, the
    closest procedure when none is shown, a split list's first steps."""
    at = doc.index(top)
    chosen = {at} | (_decisions(doc, at) if options.decisions_after_questions else set())
    titled = [i for i, w in enumerate(doc) if w.window.heading] \
        if options.intro_best and not top.window.heading and top.window.kind != "steps" else []
    if titled:
        chosen.add(max(titled, key=lambda i: doc[i].similarity))
    elif options.next_window and top.window.kind != "steps" and at + 1 < len(doc) \
            and not (options.skip_titles and title_only(doc[at + 1])) \
            and not (options.next_same_heading and top.window.heading
                     and doc[at + 1].window.heading != top.window.heading):
        chosen.add(at + 1)
    if options.steps_before and top.window.kind != "steps" and at > 0 and numbered(doc[at - 1]) \
            and doc[at - 1].window.heading == top.window.heading:
        chosen.add(at - 1)
    if not any(doc[i].window.kind == "steps" for i in chosen):
        steps = [i for i, w in enumerate(doc) if w.window.kind == "steps"
                 and w.similarity >= top.similarity - options.steps_within]
        if steps:
            chosen.add(max(steps, key=lambda i: doc[i].similarity))
    for i in sorted(chosen):
        chosen |= _list_start(doc, i)
    if options.lead_in_across:
        chosen |= {i + 1 for i in chosen if i + 1 < len(doc) and _ends_on_lead_in(doc[i])}
    return sorted(chosen)


def _ends_on_lead_in(window: ScoredWindow) -> bool:
    """Shown alone, the window would end on a lead-in ("Om te voorkomen dat u deze drempel bereikt:")
    because what it introduces lies past a bold sub-heading or in the next chunk: the next window follows."""
    lines = passages.expand(window.layout.parts, window.window, 0).lines
    return bool(lines) and lines[-1].rstrip().endswith(":")


def _label(window: ScoredWindow) -> str:
    """The lead-in of a list window ("Vragen:"), "" for other windows."""
    first = window.layout.parts[window.window.start]
    return first.text if window.window.kind == "steps" and first.kind == "sentence" else ""


def _decisions(doc: list[ScoredWindow], at: int) -> set[int]:
    """A best "Vragen:" list restates the colleague's question; the "Beslissingen:" list of the same
    agenda item (same heading) holds the answer, so it is shown with it."""
    if not _QUESTIONS.match(_label(doc[at])):
        return set()
    for j in range(at + 1, len(doc)):
        if doc[j].window.heading != doc[at].window.heading:
            break
        if _DECISIONS.match(_label(doc[j])):
            return {j}
    return set()


def _list_start(doc: list[ScoredWindow], i: int) -> set[int]:
    """A numbered list split over two chunks is shown from its first step: the earlier window joins."""
    first = _first_line(doc[i])
    number = passages.step_number(first) if doc[i].window.kind == "steps" else None
    if not number or number <= 1 or i == 0 or doc[i - 1].window.kind != "steps":
        return set()
    return {i - 1}


def _first_line(window: ScoredWindow) -> str:
    unit = window.layout.parts[window.window.start]
    if unit.kind != "steps" and window.window.end - window.window.start > 1:
        unit = window.layout.parts[window.window.start + 1]
    return unit.lines[0]


def other_section(doc: list[ScoredWindow], chosen: list[int], options: SelectionOptions) -> set[int]:
    """For a question that asks two things: the best window of a section (heading) not shown yet, when it
    is within `second_section_within` of the document's best window; with a split list's first steps."""
    top = best(doc)
    if top is None or options.second_section_within < 0:
        return set()
    shown = {doc[i].window.heading for i in chosen}
    floor = top.similarity - options.second_section_within
    others = [i for i, w in enumerate(doc) if w.window.heading not in shown and w.similarity >= floor]
    if not others:
        return set()
    at = max(others, key=lambda i: doc[i].similarity)
    return {at} | _list_start(doc, at)


def part(doc: list[ScoredWindow], options: SelectionOptions, procedure: bool = False,
         two_part: bool = False) -> Part | None:
    """The lines a document shows: chosen windows in reading order, duplicates (chunk overlap) left out.
    `two_part`: the question asks two things, so another section may answer the second."""
    indexes = choose(doc, options, procedure)
    if not indexes:
        return None
    shown: Shown = (indexes, *_lines(doc, indexes, options))
    brief: Collection[int] = ()
    extra = other_section(doc, indexes, options) if two_part else set()
    if extra:
        grown = _joined(doc, shown, extra, options, extra, options.second_section_chars)
        shown, brief = grown, (extra if grown is not shown else brief)
    if options.decisions_chars:
        decided = set().union(*(_decisions(doc, i) for i in shown[0]))
        shown = _joined(doc, shown, decided, options, brief, options.decisions_chars)
    if options.before_chars:
        shown = _joined(doc, shown, _sentence_before(doc, shown[0], options), options, brief, options.before_chars)
    indexes, lines, truncated = shown
    top = best(doc)
    assert top is not None
    return Part(doc[indexes[0]].chunk, doc[indexes[0]].window.heading, tuple(lines), truncated, top.similarity)


def _joined(doc: list[ScoredWindow], shown: Shown, extra: Collection[int], options: SelectionOptions,
            brief: Collection[int], bound: int) -> Shown:
    """`shown` with the windows `extra` joined in reading order, when its lines then stay within `bound`
    characters (0: no bound); else `shown` as it was. A part over the bound never grows, so a bound at or
    under the 500-character median cannot push the median over it."""
    both = sorted(set(shown[0]) | set(extra))
    if len(both) == len(shown[0]):
        return shown
    lines, truncated = _lines(doc, both, options, brief=brief)
    return (both, lines, truncated) if not bound or len(" ".join(lines)) <= bound else shown


def _sentence_before(doc: list[ScoredWindow], indexes: list[int], options: SelectionOptions) -> set[int]:
    """The sentence window right before the part (same heading), when within `before_within` of the best
    window: in a short article it states what the steps rest on ("Verwijderde kanalen kunnen worden
    hersteld tot 21 dagen …"), while the steps' own lead-in restates the task."""
    top, at = best(doc), indexes[0] - 1
    if top is None or at < 0 or doc[at].window.kind != "sentences" \
            or doc[at].window.heading != doc[indexes[0]].window.heading \
            or doc[at].similarity < top.similarity - options.before_within:
        return set()
    return {at}


def _lines(doc: list[ScoredWindow], indexes: list[int], options: SelectionOptions,
           brief: Collection[int] = ()) -> tuple[list[str], bool]:
    """The shown lines of the windows at `indexes`, a later section under its heading; a `brief` window
    (a second section) that is not a numbered procedure shows its first `second_section_lines` lines."""
    lines: list[str] = []
    truncated = False
    last_heading = doc[indexes[0]].window.heading
    for i in indexes:
        window = doc[i]
        context = 0 if options.next_window and i + 1 in indexes else options.context_words
        shown = passages.expand(window.layout.parts, window.window, context, finish_sentence=options.finish_sentence,
                                finish_list=options.finish_list)
        fresh = [line for line in shown.lines if not any(line in seen for seen in lines)]
        if not fresh:
            continue
        cut = shown.truncated
        if i in brief and options.second_section_lines and not numbered(window) \
                and len(fresh) > options.second_section_lines:
            fresh, cut = fresh[:options.second_section_lines], True
        if window.window.heading != last_heading and window.window.heading:
            lines.append(window.window.heading)  # a later section says where its lines come from
        last_heading = window.window.heading
        lines.extend(fresh)
        truncated = truncated or cut
    return lines, truncated


def parts(documents: dict[str, list[ScoredWindow]], order: list[str],
          options: SelectionOptions, procedure: bool = False, two_part: bool = False) -> list[Part]:
    """The top document's part, and the next document's when its best window is about as close.
    `procedure`: the question asks how to do something; `two_part`: it asks two things."""
    found: list[Part] = []
    for rank, source in enumerate(order[:2]):
        doc = documents.get(source, [])
        if rank == 1:
            top = best(documents.get(order[0], []))
            second = best(doc)
            if top is None or second is None or second.similarity < top.similarity - options.second_doc_within:
                break
        shown = part(doc, options, procedure, two_part)
        if shown is None or not shown.lines:
            break
        found.append(shown)
    return found

