"""Short Dutch answers with numbered citations. The extractive answerer only quotes source text; the
generative one (assistant.llm) shares `check_citations` and the citation builders below."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Literal

import snowballstemmer

from assistant.types import CITATION_MARKER, Chunk, Citation, Hit

log = logging.getLogger(__name__)

# The only words the extractive answerer adds itself; everything else is quoted from a source.
TEMPLATE_PHRASES: tuple[str, ...] = (
    "Volgens de tip “{title}” [{n}]:",
    "In de handleiding “{title}”, pagina {page} [{n}]:",
    "In de handleiding “{title}” [{n}]:",
    "Uit het verslag “{title}” [{n}]:",
    "Dit vond ik in “{title}” [{n}]:",
    "Zie ook:",
    "- {title} [{n}]",
)
_INTRO = {"tip": 0, "handleiding": 2, "overleg": 3, "document": 4}
_SEE_ALSO, _SEE_ALSO_ITEM = TEMPLATE_PHRASES[5], TEMPLATE_PHRASES[6]

MAX_SENTENCES = 4  # a phone screen shows about this much without scrolling
MAX_WORDS = 110
LEAD_WORDS = 40  # passage shown for "Zie ook" sources

_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+")
_LIST_ITEM = re.compile(_BULLET.pattern + r"\S")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_EMPHASIS = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])")  # *nadruk*, not "* item" or 2*3
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(\s+)")
_MARKER = re.compile(r"[ \t]*" + CITATION_MARKER.pattern, re.IGNORECASE)  # with the blanks before it
_HOW = re.compile(r"\b(hoe|stappen|instellen|installeren|aanvragen|aanmaken|wijzigen|veranderen|toevoegen)\b")
_ABBREV = frozenset("bv bijv vb o.a d.w.z enz nl ca resp dhr mevr nr tel zgn incl excl blz".split())  # noqa: SIM905
_STOP = frozenset(
    """de het een en of in op aan van voor met naar bij om te tot uit over als dan dat die dit deze is zijn
    was wordt worden kan kun kunt je jij jou u ik me mij we wij ze zij hij mijn jouw uw ons onze hoe wat waar
    wanneer waarom wie welke niet geen ook nog wel er hier daar moet moeten mag mogen zou zal wil door zo al
    maar dus heb hebt heeft hebben doe doen iets""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Draft:
    text: str  # Dutch answer text with [n] markers
    citations: tuple[Citation, ...]  # only cited sources, numbered 1..k in order of first use
    coverage: float  # share of answer sentences that come from the top source (0..1)
    answerer: str  # "extractive" | "llm"


@dataclass(frozen=True)
class _Unit:
    kind: Literal["sentence", "steps"]
    lines: tuple[str, ...]
    segment: int  # runs of sentences never cross a heading or a list


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


def _terms(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", plain) if len(w) > 1 and w not in _STOP]
    # A stemmer per call: snowball stemmers keep state and answers run on several threads.
    return set(snowballstemmer.stemmer("dutch").stemWords(words))


def _overlap(question: set[str], unit: set[str]) -> float:
    # Half credit for Dutch compounds: "wachtwoord" inside "wachtwoordbeleid".
    long_words = [w for w in unit if len(w) >= 5]
    rest = [t for t in question - unit if len(t) >= 5]
    return len(question & unit) + 0.5 * sum(any(w.startswith(t) or t.startswith(w) for w in long_words) for t in rest)


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    para: list[str] = []
    items: list[str] = []
    segment = 0

    def flush_para() -> None:
        units.extend(_Unit("sentence", (s,), segment) for s in split_sentences(" ".join(para)))
        para.clear()

    def flush_items() -> None:
        nonlocal segment
        if items:
            units.append(_Unit("steps", tuple(items), segment))
            items.clear()
            segment += 1

    for raw in text.splitlines():
        line = clean_line(raw)
        if not line:
            flush_para()  # a blank line inside a list keeps the list open (loose markdown lists)
        elif _HEADING.match(raw.replace("**", "")):
            flush_para()
            flush_items()
            segment += 1
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
    return units


def select_passage(question: str, text: str) -> tuple[str, ...]:
    """The best contiguous run of sentences, or a whole step list; lines verbatim (normalised)."""
    units = _units(text)
    q_terms = _terms(question)
    how = bool(_HOW.search(question.lower()))
    terms = [_terms(" ".join(u.lines)) for u in units]
    best: tuple[float, tuple[str, ...]] = (float("-inf"), ())
    for i, unit in enumerate(units):
        bonus = 0.3 / (1 + i)  # the start of a tip usually holds its core
        if unit.kind == "steps":
            # Steps answer "hoe" questions and stay complete and in order, with their "Zo doe je het:" lead-in.
            prev = units[i - 1] if i else None
            start = i - 1 if prev and prev.kind == "sentence" and prev.lines[0].endswith(":") else i
            score = _overlap(q_terms, set().union(*terms[start : i + 1])) + bonus + (1.5 if how else 0.0)
            best = max(best, (score, tuple(x for u in units[start : i + 1] for x in u.lines)), key=lambda c: c[0])
            continue
        if i and not _overlap(q_terms, terms[i]):
            continue  # a run opens with a matching sentence, not with "Aanwezig: An, Bram."
        covered: set[str] = set()
        words = 0
        for j in range(i, min(i + MAX_SENTENCES, len(units))):
            if units[j].kind != "sentence" or units[j].segment != unit.segment:
                break
            words += len(units[j].lines[0].split())
            if j > i and words > MAX_WORDS:
                break
            covered |= terms[j]
            # Distinct question words count once; a little context reads better than one bare sentence.
            score = _overlap(q_terms, covered) + bonus + 0.25 * (j - i)
            best = max(best, (score, (" ".join(u.lines[0] for u in units[i : j + 1]),)), key=lambda c: c[0])
    return best[1]


def _meta_str(meta: dict[str, Any], *keys: str) -> str:
    value = next((meta[k] for k in keys if meta.get(k) not in (None, "", [], ())), "")
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def source_title(chunk: Chunk) -> str:
    return clean_line(chunk.title) or PurePosixPath(chunk.source).stem


def citation_for(n: int, chunk: Chunk, passage: str) -> Citation:
    # The review date tells a colleague how fresh a tip is; meeting notes carry their meeting date.
    date = _meta_str(chunk.meta, "reviewed", "date", "created")
    author = _meta_str(chunk.meta, "author")
    title = source_title(chunk)
    return Citation(n, chunk.source, title, chunk.doc_type, chunk.section, chunk.page, date, author, passage)


def _intro(chunk: Chunk, n: int) -> str:
    title = source_title(chunk)
    if chunk.doc_type == "handleiding" and chunk.page:
        return TEMPLATE_PHRASES[1].format(title=title, page=chunk.page, n=n)
    return TEMPLATE_PHRASES[_INTRO.get(chunk.doc_type, 4)].format(title=title, n=n)


def compose_extractive(question: str, hits: list[Hit], max_parts: int = 3) -> Draft:
    """Quote the best passage of the top hit and point to up to `max_parts - 1` other documents."""
    if not hits:
        return Draft("", (), 0.0, "extractive")
    top = hits[0].chunk
    lines = select_passage(question, top.text) or ((normalize_text(top.text),) if top.text.strip() else ())
    out = [_intro(top, 1), *lines]
    citations = [citation_for(1, top, " ".join(lines))]
    best_per_doc: dict[str, Chunk] = {}
    for hit in hits:
        best_per_doc.setdefault(hit.chunk.source, hit.chunk)
    see_also: list[str] = []
    for n, chunk in enumerate(list(best_per_doc.values())[1:max_parts], start=2):
        lead = " ".join(normalize_text(chunk.text).split()[:LEAD_WORDS])
        citations.append(citation_for(n, chunk, lead))
        see_also.append(_SEE_ALSO_ITEM.format(title=source_title(chunk), n=n))
    if see_also:
        out += ["", _SEE_ALSO, *see_also]
    log.debug("extractive answer from %s: %d lines, %d see-also", top.source, len(lines), len(see_also))
    # Every answer sentence is quoted from the top source; "Zie ook" lines are pointers, not answer.
    return Draft("\n".join(out), tuple(citations), 1.0 if lines else 0.0, "extractive")


def check_citations(text: str, sources: list[Citation]) -> tuple[str, tuple[Citation, ...]]:
    """Drop [n] that point to no source; renumber the cited ones 1..k in order of first use."""
    by_n = {c.n: c for c in sources}
    renumber: dict[int, int] = {}
    cited: list[Citation] = []

    def rewrite(m: re.Match[str]) -> str:
        kept: list[int] = []
        for raw in re.split(r"\s*[,;]\s*", m.group(1)):
            old = int(raw)
            if old not in by_n:
                log.info("dropping citation [%d]: no such source", old)
                continue
            if old not in renumber:
                renumber[old] = len(renumber) + 1
                cited.append(replace(by_n[old], n=renumber[old]))
            if renumber[old] not in kept:
                kept.append(renumber[old])
        if not kept:
            return ""
        space = m.group(0)[: len(m.group(0)) - len(m.group(0).lstrip(" \t"))]
        return space + "".join(f"[{k}]" for k in kept)

    cleaned = _MARKER.sub(rewrite, text)
    cleaned = "\n".join(re.sub(r"^ (?=\S)", "", line.rstrip()) for line in cleaned.split("\n")).strip()
    return cleaned, tuple(cited)


def _template_regex(template: str) -> re.Pattern[str]:
    fields = {"{n}": r"\d+", "{page}": r"(?P<page>\d+)"}
    return re.compile(
        "".join(
            fields.get(part, f"(?P<{part[1:-1]}>.+)") if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{\w+\})", template)
        ).replace(r"\ ", r"\s*")
    )


def groundedness(draft: Draft, templates: tuple[str, ...] = TEMPLATE_PHRASES) -> float:
    """Share (by characters) of the non-template answer text found verbatim in the cited passages.

    Text inside a template (a title, a page) must match the cited sources too. An empty answer claims
    nothing and scores 1.0.
    """
    corpus = [normalize_text(c.passage) for c in draft.citations]
    corpus += [clean_line(c.title) for c in draft.citations]
    pages = {str(c.page) for c in draft.citations if c.page is not None}
    patterns = [_template_regex(t) for t in templates]
    total = found = 0
    for line in draft.text.splitlines():
        line = line.strip()
        match = next((m for p in patterns if (m := p.fullmatch(line))), None) if line else None
        if match:
            pieces = [(k, v) for k, v in match.groupdict().items() if v]
        else:
            pieces = [("text", s) for s in split_sentences(normalize_text(_MARKER.sub("", line)))]
        for kind, piece in pieces:
            piece = normalize_text(piece)
            total += len(piece)
            if kind == "page":
                found += len(piece) if piece in pages else 0
            else:
                # A model may put its own bullet before a quoted sentence: layout, not a claim.
                bare = _BULLET.sub("", piece, count=1)
                found += len(piece) if any(piece in s or (bare and bare in s) for s in corpus) else 0
    return found / total if total else 1.0

