"""A passage's structure: sentences, step lists, headings; the windows embedded at ingest; what is shown.

Pure text functions, no model. Ingest cuts every chunk into windows (a step list with its lead-in, or a
sentence or two) and embeds each with its heading; at question time the best window is found by meaning
(assistant.windows) and `expand` turns it into the lines shown, by the answer rules:
never end on a lead-in (":" or "?"), a procedure from its first step within a bound, never a bare link
label, a "Zie …" pointer or an empty heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_STEPS = 12  # a procedure longer than this is cut, with a pointer to the rest in the source
MAX_STEP_CHARS = 900
WINDOW_WORDS = 45  # a sentence window grows to about this many words
CONTEXT_WORDS = 25  # a shown passage shorter than this takes the next sentence along

_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+")
_LIST_ITEM = re.compile(_BULLET.pattern + r"\S")
_NUMBER = re.compile(r"^\s*(\d{1,2})[.)]\s")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_EMPHASIS = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])")  # *nadruk*, not "* item" or 2*3
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(\s+)")
_ABBREV = frozenset("bv bijv vb o.a d.w.z enz nl ca resp dhr mevr nr tel zgn incl excl blz".split())  # noqa: SIM905
# Lines that point elsewhere instead of saying something: "Zie ook …", "Meer informatie over …".
_POINTER = re.compile(r"^(?:zie(?:\s+ook)?\b|meer\s+(?:informatie|info|hulp)\b|verwante\s+onderwerpen\b|"
                      r"gerelateerde\s+onderwerpen\b|lees\s+meer\b)", re.IGNORECASE)
_LEAD_IN_END = (":", "?")
_SENTENCE_END = (".", "!", "?", ":", ";", ")", "]", "”", "’", '"', "'", "…")
_BETWEEN_STEPS = 3  # at most this many sentences of wrapped text between step n and step n+1

UnitKind = Literal["sentence", "steps", "pointer"]


@dataclass(frozen=True)
class Unit:
    kind: UnitKind
    lines: tuple[str, ...]  # one sentence, or the items of a list
    segment: int  # runs of sentences never cross a heading or a list
    heading: str  # the nearest heading above, "" if none

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def lead_in(self) -> bool:
        return self.kind == "sentence" and self.lines[-1].rstrip().endswith(_LEAD_IN_END)


@dataclass(frozen=True)
class Window:
    start: int  # first unit (inclusive)
    end: int  # last unit (exclusive)
    kind: Literal["sentences", "steps"]
    heading: str


def clean_line(line: str) -> str:
    """Strip emphasis and heading marks and collapse whitespace: the only edits made to quoted text."""
    line = _EMPHASIS.sub(r"\1", _HEADING.sub("", line.replace("**", ""), count=1))
    return " ".join(line.split())


def normalize_text(text: str) -> str:
    """Source text as the answer may quote it; groundedness compares against this form."""
    return " ".join(filter(None, (clean_line(line) for line in text.splitlines())))


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for m in _SENT_END.finditer(text):
        before = text[start : m.start()].split()
        following = text[m.end() : m.end() + 1]
        # "bv. Outlook" and "stap 2. daarna" are not sentence ends.
        if (before and before[-1].lower().strip("(“\"'") in _ABBREV) or following.islower():
            continue
        sentences.append(text[start : m.start(1)])
        start = m.end(1)
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def is_bare_label(paragraph: str) -> bool:
    """A short line without sentence punctuation that stands alone: a link label left after link stripping."""
    text = paragraph.strip()
    return bool(text) and len(text.split()) <= 14 and not text.endswith((".", "!", "?", ":", ";", ")", "”", '"'))


@dataclass
class _Place:
    segment: int  # blocks separated by headings or lists
    heading: str


def units(text: str, section: str = "") -> list[Unit]:
    """Sentences and step lists in reading order, each with its segment and nearest heading."""
    out: list[Unit] = []
    para: list[str] = []
    items: list[str] = []
    state = _Place(0, section)

    def flush_para() -> None:
        joined = " ".join(para)
        para.clear()
        if not joined:
            return
        if is_bare_label(joined) or _POINTER.match(joined):
            out.append(Unit("pointer", (joined,), state.segment, state.heading))
            return
        for sentence in split_sentences(joined):
            kind: UnitKind = "pointer" if _POINTER.match(sentence) else "sentence"
            out.append(Unit(kind, (sentence,), state.segment, state.heading))

    def flush_items() -> None:
        if items:
            pointer = all(_POINTER.match(_BULLET.sub("", i)) or is_bare_label(_BULLET.sub("", i)) for i in items)
            out.append(Unit("pointer" if pointer and len(items) > 1 else "steps", tuple(items), state.segment,
                            state.heading))
            items.clear()
            state.segment += 1

    for raw in text.splitlines():
        line = clean_line(raw)
        if not line:
            flush_para()  # a blank line inside a list keeps the list open (loose markdown lists)
        elif _HEADING.match(raw.replace("**", "")):
            flush_para()
            flush_items()
            state.segment += 1
            state.heading = line
        elif _LIST_ITEM.match(raw):
            flush_para()
            items.append(line)
        elif items and raw[:1].isspace():
            items[-1] += " " + line  # continuation of a list item
        else:
            flush_items()
            para.append(line)
    flush_para()
    flush_items()
    return out


def windows(parts: list[Unit]) -> list[Window]:
    """Non-overlapping windows over the units: each step list with its lead-in sentence, and runs of
    sentences up to ~WINDOW_WORDS that never end on a lead-in. Pointers and bare labels get none."""
    out: list[Window] = []
    i = 0
    while i < len(parts):
        unit = parts[i]
        if unit.kind == "pointer":
            i += 1
            continue
        if unit.kind == "steps":
            out.append(Window(i, i + 1, "steps", unit.heading))
            i += 1
            continue
        if _introduces_steps(parts, i):
            out.append(Window(i, i + 2, "steps", unit.heading))
            i += 2
            continue
        j, words = i, 0
        while j < len(parts) and parts[j].kind == "sentence" and parts[j].segment == unit.segment:
            if j > i and _introduces_steps(parts, j):
                break  # that lead-in belongs with its list
            words += len(parts[j].text.split())
            j += 1
            if words >= WINDOW_WORDS and not parts[j - 1].lead_in:
                break
        out.append(Window(i, j, "sentences", unit.heading))
        i = j
    return out


def _introduces_steps(parts: list[Unit], i: int) -> bool:
    return parts[i].lead_in and i + 1 < len(parts) and parts[i + 1].kind == "steps"


def window_text(parts: list[Unit], window: Window) -> str:
    """What is embedded for a window: its heading, then its text."""
    body = "\n".join(line for unit in parts[window.start:window.end] for line in unit.lines)
    return f"{window.heading}\n{body}" if window.heading else body


@dataclass(frozen=True)
class Shown:
    lines: tuple[str, ...]
    truncated: bool  # a procedure cut at the bound: the rest is in the source
    heading: str


def expand(parts: list[Unit], window: Window, context_words: int = CONTEXT_WORDS, *,
           finish_sentence: bool = False, finish_list: bool = False) -> Shown:
    """The lines shown for a window: a lead-in takes what follows, a procedure is shown whole from its
    first step within MAX_STEPS / MAX_STEP_CHARS, a short passage takes the next sentence along, and
    (when asked) a passage cut by a wrapped line is finished (`_finished`)."""
    end = window.end
    # Never end on a lead-in: take what it introduces (a list, or the next sentences up to the bound).
    while end < len(parts) and parts[end - 1].lead_in and parts[end].kind != "pointer":
        end += 1
    chosen = parts[window.start:end]
    if not any(u.kind == "steps" for u in chosen):
        words = sum(len(u.text.split()) for u in chosen)
        while (words < context_words and end < len(parts) and parts[end].kind != "pointer"
               and parts[end].segment == parts[end - 1].segment and not is_title(parts[end])):
            words += len(parts[end].text.split())
            end += 1
        chosen = parts[window.start:end]
        if chosen and chosen[-1].lead_in and end < len(parts) and parts[end].kind == "steps":
            chosen = [*chosen, parts[end]]
    finishing = finish_sentence or finish_list
    if finishing:
        chosen = parts[window.start:_finished(parts, window.start, window.start + len(chosen), finish_sentence,
                                              finish_list)]
    lines: list[str] = []
    truncated = False
    for unit in chosen:
        if unit.kind == "steps":
            kept, bounded = _bounded_steps(unit.lines)
            lines.extend(kept)
            truncated = truncated or bounded
        elif lines and (not _is_item(lines[-1]) or (finishing and cut(lines[-1]) and unit.text[:1].islower())):
            lines[-1] = f"{lines[-1]} {unit.text}"  # a wrapped step reads as one line again
        else:
            lines.append(unit.text)
    return Shown(tuple(lines), truncated, window.heading)


def is_title(unit: Unit) -> bool:
    """A lone short numbered line without a sentence end: a manual's section title ("3. Scannen naar je
    mailbox"), which pypdf hands over like a one-step list; shown alone it is an empty heading."""
    return (unit.kind == "steps" and len(unit.lines) == 1 and step_number(unit.lines[0]) is not None
            and len(unit.lines[0].split()) <= 8 and cut(unit.lines[0]))


def cut(line: str) -> bool:
    """The line stops mid-sentence: a PDF line or page break, not the end of what it says."""
    return not line.rstrip().endswith(_SENTENCE_END)


def _finished(parts: list[Unit], start: int, end: int, sentence: bool, lists: bool) -> int:
    """Where a shown passage (units start..end) really ends. PDF text wraps lines, and a wrapped line
    that does not start with a step number falls out of its list: a step can stop at "… de oude gsm uit
    je", with "account en meldt …" and the next steps after it. `sentence`: any cut line takes the rest
    of its sentence (it goes on in lowercase); `lists`: a numbered step takes its wrapped tail, and the
    list takes step n+1 with the wrapped text before it. Within MAX_STEPS / MAX_STEP_CHARS."""
    steps, chars = _size(parts[start:end])
    while end < len(parts) and parts[end].heading == parts[end - 1].heading:
        number = _last_number(parts[start:end])
        unit, last = parts[end], parts[end - 1].lines[-1]
        tail = unit.kind == "sentence" and cut(last) and unit.text[:1].islower()
        if tail and (sentence or (lists and parts[end - 1].kind == "steps" and step_number(last) is not None)):
            following = end + 1
        elif lists and number is not None:
            following = _next_step(parts, end, number + 1)
        else:
            break
        more_steps, more_chars = _size(parts[end:following])
        if following == end or steps + more_steps > MAX_STEPS or chars + more_chars > MAX_STEP_CHARS:
            break
        steps, chars, end = steps + more_steps, chars + more_chars, following
    return end


def _next_step(parts: list[Unit], end: int, number: int) -> int:
    """The end after step `number` when it follows at `end` (after at most a few wrapped sentences)."""
    j = end
    while j < len(parts) and j - end < _BETWEEN_STEPS and parts[j].kind == "sentence" \
            and parts[j].heading == parts[end].heading:
        j += 1
    starts = j < len(parts) and parts[j].kind == "steps" and step_number(parts[j].lines[0]) == number
    return j + 1 if starts and parts[j].heading == parts[end].heading else end


def _size(units: list[Unit]) -> tuple[int, int]:
    return sum(len(u.lines) for u in units if u.kind == "steps"), sum(len(u.text) for u in units)


def _last_number(units: list[Unit]) -> int | None:
    numbers = [step_number(line) for u in units if u.kind == "steps" for line in u.lines]
    return next((n for n in reversed(numbers) if n is not None), None)


def _is_item(line: str) -> bool:
    return bool(_LIST_ITEM.match(line))


def _bounded_steps(items: tuple[str, ...]) -> tuple[list[str], bool]:
    kept: list[str] = []
    chars = 0
    for item in items:
        if kept and (len(kept) >= MAX_STEPS or chars + len(item) > MAX_STEP_CHARS):
            return kept, True
        kept.append(item)
        chars += len(item)
    return kept, False


def step_number(line: str) -> int | None:
    m = _NUMBER.match(line)
    return int(m.group(1)) if m else None
