"""Short Dutch answers with numbered citations. The extractive answerer only quotes source text; the
generative one (assistant.llm) shares `check_citations` and the citation builders below."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

import snowballstemmer

from assistant import leading, passages, selection
from assistant.asking import asks_how, asks_two_things
from assistant.leading import shared_terms
from assistant.passages import clean_line, normalize_text, split_sentences
from assistant.selection import SelectionOptions
from assistant.types import CITATION_MARKER, Chunk, Citation, Hit
from assistant.windows import ScoredWindow

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
    "- {title} [{n}]: {about}",
    "… (verder in de bron [{n}])",
    "Volgens de tip “{title}”, onder “{section}” [{n}]:",
    "In de handleiding “{title}”, pagina {page}, onder “{section}” [{n}]:",
    "Uit het verslag “{title}”, onder “{section}” [{n}]:",
    "Dit vond ik in “{title}”, onder “{section}” [{n}]:",
)
_INTRO = {"tip": 0, "handleiding": 2, "overleg": 3, "document": 4}
_INTRO_SECTION = {"tip": 9, "handleiding": 10, "overleg": 11, "document": 12}
_SEE_ALSO, _SEE_ALSO_ITEM, _SEE_ALSO_ABOUT, _MORE = TEMPLATE_PHRASES[5:9]

MAX_SENTENCES = 4  # a phone screen shows about this much without scrolling
MAX_WORDS = 110
ABOUT_CHARS = 110  # a "Zie ook" line says in about this much what is there

_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+")
_MARKER = re.compile(r"[ \t]*" + CITATION_MARKER.pattern, re.IGNORECASE)  # with the blanks before it
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


def terms(text: str) -> set[str]:
    """Stemmed content words (Dutch snowball), accents folded."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", plain) if len(w) > 1 and w not in _STOP]
    # A stemmer per call: snowball stemmers keep state and answers run on several threads.
    return set(snowballstemmer.stemmer("dutch").stemWords(words))


def select_passage(question: str, text: str) -> tuple[str, ...]:
    """By shared words (the selector before windows were embedded, kept for comparison and old indexes):
    the best contiguous run of sentences, or a whole step list; lines verbatim (normalised)."""
    units = passages.units(text)
    q_terms = terms(question)
    how = asks_how(question)
    unit_terms = [terms(u.text) for u in units]
    best: tuple[float, tuple[str, ...]] = (float("-inf"), ())
    for i, unit in enumerate(units):
        bonus = 0.3 / (1 + i)  # the start of a tip usually holds its core
        if unit.kind == "steps":
            # Steps answer "hoe" questions and stay complete and in order, with their "Zo doe je het:" lead-in.
            prev = units[i - 1] if i else None
            start = i - 1 if prev and prev.kind != "steps" and prev.lines[0].endswith(":") else i
            score = shared_terms(q_terms, set().union(*unit_terms[start : i + 1])) + bonus + (1.5 if how else 0.0)
            best = max(best, (score, tuple(x for u in units[start : i + 1] for x in u.lines)), key=lambda c: c[0])
            continue
        if i and not shared_terms(q_terms, unit_terms[i]):
            continue  # a run opens with a matching sentence, not with "Aanwezig: An, Bram."
        covered: set[str] = set()
        words = 0
        for j in range(i, min(i + MAX_SENTENCES, len(units))):
            if units[j].kind == "steps" or units[j].segment != unit.segment:
                break
            words += len(units[j].text.split())
            if j > i and words > MAX_WORDS:
                break
            covered |= unit_terms[j]
            # Distinct question words count once; a little context reads better than one bare sentence.
            score = shared_terms(q_terms, covered) + bonus + 0.25 * (j - i)
            best = max(best, (score, (" ".join(u.text for u in units[i : j + 1]),)), key=lambda c: c[0])
    return best[1]


def _meta_str(meta: dict[str, Any], *keys: str) -> str:
    value = next((meta[k] for k in keys if meta.get(k) not in (None, "", [], ())), "")
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def source_title(chunk: Chunk) -> str:
    return clean_line(chunk.title) or PurePosixPath(chunk.source).stem


def citation_for(n: int, chunk: Chunk, passage: str, section: str = "") -> Citation:
    # The review date tells a colleague how fresh a tip is; meeting notes carry their meeting date.
    date = _meta_str(chunk.meta, "reviewed", "date", "created")
    author = _meta_str(chunk.meta, "author")
    title = source_title(chunk)
    return Citation(n, chunk.source, title, chunk.doc_type, section or chunk.section, chunk.page, date, author,
                    passage)


def _intro(chunk: Chunk, n: int, section: str = "") -> str:
    title = source_title(chunk)
    # The heading of the quoted section tells at once what the passage is about; a page or the title says no more.
    section = clean_line(section)
    if section.casefold() in (title.casefold(), f"pagina {chunk.page}", ""):
        section = ""
    kind = chunk.doc_type if chunk.doc_type in _INTRO else "document"
    if kind == "handleiding" and chunk.page:
        template = TEMPLATE_PHRASES[10 if section else 1]
        return template.format(title=title, page=chunk.page, section=section, n=n)
    return TEMPLATE_PHRASES[(_INTRO_SECTION if section else _INTRO)[kind]].format(title=title, section=section, n=n)


def _documents(hits: list[Hit]) -> dict[str, Chunk]:
    """Each document's best chunk, in ranking order."""
    best: dict[str, Chunk] = {}
    for hit in hits:
        best.setdefault(hit.chunk.source, hit.chunk)
    return best


def compose_extractive(question: str, hits: list[Hit], max_parts: int = 3,
                       windows: dict[str, list[ScoredWindow]] | None = None,
                       options: SelectionOptions | None = None) -> Draft:
    """Quote the passage of the top document that answers (and a second document's when it is about as
    close), and point to the others ("Zie ook") with a line saying what is there. `windows` are the
    retrieved documents' windows scored against the question; without them (an index from before
    windows) the passage is chosen by shared words."""
    if not hits:
        return Draft("", (), 0.0, "extractive")
    docs = _documents(hits)
    order = list(docs)
    procedure = asks_how(question)
    options = options or SelectionOptions()
    if windows:  # [1] is the document quoted first; "Zie ook" keeps the retrieval order of the others
        order = leading.lead(windows, order, options, question, procedure)
    shown = selection.parts(windows, order, options, procedure, asks_two_things(question)) if windows else []
    if not shown:
        lines = select_passage(question, docs[order[0]].text) or _whole(docs[order[0]])
        shown = [selection.Part(docs[order[0]], "", tuple(lines), False, 0.0)]
    out: list[str] = []
    citations: list[Citation] = []
    for n, piece in enumerate(shown, start=1):
        more = [_MORE.format(n=n)] if piece.truncated else []
        out += ([""] if out else []) + [_intro(piece.chunk, n, piece.heading), *piece.lines, *more]
        citations.append(citation_for(n, piece.chunk, "\n".join(piece.lines), piece.heading))
    see_also: list[str] = []
    for n, source in enumerate(order[len(shown):max_parts], start=len(shown) + 1):
        about, passage = _about(docs[source], (windows or {}).get(source, []))
        citations.append(citation_for(n, docs[source], passage or _lead(docs[source])))
        title = source_title(docs[source])
        see_also.append((_SEE_ALSO_ABOUT if about else _SEE_ALSO_ITEM).format(title=title, n=n, about=about))
    if see_also:
        out += ["", _SEE_ALSO, *see_also]
    log.debug("extractive answer from %d source(s), %d see-also", len(shown), len(see_also))
    sizes = [len(piece.lines) for piece in shown]
    return Draft("\n".join(out), tuple(citations), sizes[0] / sum(sizes) if sum(sizes) else 0.0, "extractive")


def _whole(chunk: Chunk) -> tuple[str, ...]:
    return (normalize_text(chunk.text),) if chunk.text.strip() else ()


def _about(chunk: Chunk, doc: list[ScoredWindow]) -> tuple[str, str]:
    """A short line from the source saying what is there, and the passage it is quoted from."""
    window = selection.best(doc)
    if window is None:
        return "", ""
    text = " ".join(passages.expand(window.layout.parts, window.window, 0).lines)
    heading = clean_line(window.window.heading)
    if heading and heading.casefold() not in (source_title(chunk).casefold(), f"pagina {chunk.page}"):
        return heading, f"{heading}\n{text}"
    first = split_sentences(text)[0] if text else ""
    return (first, text) if first and len(first) <= ABOUT_CHARS else ("", text)


def _lead(chunk: Chunk, words: int = 40) -> str:
    return " ".join(normalize_text(chunk.text).split()[:words])


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
    corpus += [clean_line(c.title) for c in draft.citations] + [clean_line(c.section) for c in draft.citations]
    pages = {str(c.page) for c in draft.citations if c.page is not None}
    patterns = [_template_regex(t) for t in templates]
    total = found = 0
    for line in draft.text.splitlines():
        line = line.strip()
        if not line:
            continue
        matches = [m for p in patterns if (m := p.fullmatch(line))]
        readings = [[(k, v) for k, v in m.groupdict().items() if v] for m in matches] or [
            [("text", s) for s in split_sentences(normalize_text(_MARKER.sub("", line)))]]
        # A line that fits several templates ("“X” [1]:" and "“X”, onder “Y” [1]:") is read the way its
        # sources bear out best; every reading still has to be found in them.
        scored = [_grounded_chars(pieces, corpus, pages) for pieces in readings]
        line_found, line_total = max(scored, key=lambda ft: ft[0] / ft[1] if ft[1] else 1.0)
        found, total = found + line_found, total + line_total
    return found / total if total else 1.0


def _grounded_chars(pieces: list[tuple[str, str]], corpus: list[str], pages: set[str]) -> tuple[int, int]:
    found = total = 0
    for kind, piece in pieces:
        piece = normalize_text(piece)
        total += len(piece)
        if kind == "page":
            found += len(piece) if piece in pages else 0
        else:
            # A model may put its own bullet before a quoted sentence: layout, not a claim.
            bare = _BULLET.sub("", piece, count=1)
            found += len(piece) if any(piece in s or (bare and bare in s) for s in corpus) else 0
    return found, total


def quoted_part(text: str) -> str:
    """The answer's quoted source text: without template lines (intros naming a title) and without the
    "Zie ook" pointers. Key facts are looked for here only."""
    patterns = [_template_regex(t) for t in TEMPLATE_PHRASES]
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == _SEE_ALSO:
            break
        if not any(p.fullmatch(stripped) for p in patterns):
            kept.append(line)
    return "\n".join(kept)

