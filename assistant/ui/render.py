"""HTML for the chat page. Every piece of stored or typed text passes through `esc()` before it is shown."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant.dutch import nl_date
from assistant.service import UNSURE
from assistant.types import CITATION_MARKER, Answer, Citation
from assistant.ui.source_links import source_href

DOC_TYPES = {"tip": "tip", "handleiding": "handleiding", "overleg": "overleg", "document": "document"}
OPEN_WHAT = {"tip": "Open de hele tip", "handleiding": "Open de handleiding op deze pagina",
             "overleg": "Open het hele verslag", "document": "Open de bron"}
_LIST = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+")

CSS = """
.dh-box {border-radius: 10px; padding: 14px 18px; margin: 6px 0; line-height: 1.55; font-size: 1.02rem;}
.dh-answer {background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);}
.dh-answer p {margin: 0 0 .5em 0;}
.dh-answer ul {margin: .2em 0 .6em 1.2em;}
.dh-ref {font-size: .8em; vertical-align: super; color: #0b57a4; font-weight: 700;}
.dh-notice {background: #fff8e1; border: 1px solid #f0c36d; color: #5d4300;}
.dh-unsure {background: #fff3e0; border: 1px solid #f0a35d; color: #5d2f00;}
.dh-escalated {background: #e8f4fd; border: 1px solid #7fb8e6; color: #0b3c61;}
.dh-referral {background: #f3ecfb; border: 1px solid #b99be0; color: #3b1d63;}
.dh-error {background: #fdecea; border: 1px solid #e5a29b; color: #6b1d16;}
.dh-ok {background: #eaf7ee; border: 1px solid #8fcf9f; color: #184d27;}
.dh-linked {background: #fff; border: 2px solid #0b57a4; color: #1b1f24;}
.dh-box a, .dh-title, .dh-open, .dh-mijn-vragen a {color: #0b57a4; text-decoration: underline;}
.dh-escalated a {color: #08345c;} .dh-referral a {color: #3b1d63;}
.dh-sources {margin: .4em 0 0 0; padding-left: 1.4em;}
.dh-sources li {margin-bottom: .6em;}
.dh-title {font-weight: 600;}
.dh-open {display: inline-block; padding: .35em 0; font-size: .95em;}
.dh-badge {display: inline-block; font-size: .78em; padding: 0 .5em; border-radius: 8px; background: #e3edf9;
  color: #0a3560; margin-left: .3em;}
.dh-meta {color: #4a525c; font-size: .9em;}
.dh-sources details summary {cursor: pointer; color: #0b57a4; font-size: .95em; padding: .35em 0;}
.dh-sources blockquote {margin: .3em 0; padding: .4em .8em; border-left: 3px solid #0b57a4;
  white-space: pre-wrap; background: var(--background-fill-primary);}
.dh-table {width: 100%; border-collapse: collapse; font-size: .93rem;}
.dh-table th, .dh-table td {text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border-color-primary);
  vertical-align: top;}
.dh-warn {color: #8a3f00; font-weight: 600;}
.dh-pre {white-space: pre-wrap;}
.dh-link {text-decoration: underline; background: none; border: none; cursor: pointer; color: inherit; padding: 0;
  font: inherit;}
.dh-question {margin: 0 0 .3em .2em;}
.dh-turn {margin: 0 0 1.2em 0;}
.dh-sr {position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;}
.dh-mijn-vragen summary {cursor: pointer; list-style-position: inside;}
.dh-mijn-vragen h2 {display: inline; font-size: 1.15rem; margin: 0;}
.dh-mq-lijst {list-style: none; padding: 0; margin: .4em 0 0 0;}
.dh-mq {border: 1px solid var(--border-color-primary); border-radius: 10px; padding: .6em .9em; margin: 0 0 .6em 0;}
.dh-mq p {display: block; margin: .2em 0;}
.dh-mq-vraag {font-style: italic;}
.dh-status {display: inline-block; font-weight: 700; font-size: .85em; padding: .05em .6em; border-radius: 8px;}
.dh-status-open {background: #fff4d6; color: #6b4400;} .dh-status-handed {background: #fff4d6; color: #6b4400;}
.dh-status-answered {background: #e6f4ea; color: #1d5e2f;} .dh-status-closed {background: #eceef1; color: #3b424b;}
.dh-coach-text {background: var(--background-fill-secondary); border-left: 3px solid #1d5e2f; padding: .4em .8em;
  margin: .3em 0;}
.dh-linked-kop {font-size: 1.1rem; margin: 0 0 .3em 0;}
#dh-duim-op, #dh-duim-neer, #dh-escaleer, #dh-opmerking-knop, #dh-contact-knop {min-height: 44px; min-width: 44px;}
.gradio-container :focus-visible, .dh-box a:focus-visible {outline: 3px solid #c2410c !important;
  outline-offset: 2px !important;}
.dark .dh-meta {color: #c3c9d1;} .dark .dh-box a, .dark .dh-title, .dark .dh-open, .dark .dh-mijn-vragen a,
.dark .dh-sources details summary, .dark .dh-ref {color: #9cc7f5;}
.dark .dh-linked {background: var(--background-fill-primary); color: inherit;}
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def nl_datetime(value: str) -> str:
    """An ISO timestamp (UTC) as Belgian local date and time: '5 maart 2026, 14:05'."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(_local_zone())
    return f"{nl_date(moment.date().isoformat())}, {moment:%H:%M}"


def _local_zone() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Brussels")
    except Exception:  # no tz database on this machine
        return dt.UTC



def box(message: str, kind: str = "notice", title: str = "") -> str:
    head = f"<strong>{esc(title)}</strong><br>" if title else ""
    return f'<div class="dh-box dh-{kind}" role="status">{head}{esc(message)}</div>'


def error_box(message: str, what_to_do: str) -> str:
    return (f'<div class="dh-box dh-error" role="alert"><strong>Er ging iets mis.</strong> {esc(message)}'
            f"<br><em>Wat kun je doen?</em> {esc(what_to_do)}</div>")


def text_html(text: str) -> str:
    """Answer text as paragraphs and lists; `[n]` markers become superscript references."""
    out: list[str] = []
    items: list[str] = []
    kind = "ul"

    def inline(line: str) -> str:
        return CITATION_MARKER.sub(lambda m: f'<span class="dh-ref">[{m.group(1)}]</span>', esc(line))

    def flush() -> None:
        if items:
            out.append(f"<{kind}>" + "".join(items) + f"</{kind}>")
            items.clear()

    for line in text.splitlines():
        marker = _LIST.match(line)
        if marker:
            this = "ol" if marker.group(0).strip()[:1].isdigit() else "ul"
            if items and this != kind:
                flush()
            kind = this
            number = re.match(r"\s*(\d+)", line) if this == "ol" else None
            value = f' value="{int(number.group(1))}"' if number else ""
            items.append(f"<li{value}>{inline(line[marker.end():].strip())}</li>")
        elif line.strip():
            flush()
            out.append(f"<p>{inline(line.strip())}</p>")
        else:
            flush()
    flush()
    return "".join(out)


def _as_dict(citation: Citation | Mapping[str, Any]) -> Mapping[str, Any]:
    return citation.to_dict() if isinstance(citation, Citation) else citation


# A cited tip's freshness (freshness.FreshnessMarks): last review date, and whether its review is overdue.
Fresh = tuple[dt.date | None, bool]


def freshness_html(mark: Fresh) -> str:
    checked, overdue = mark
    text = f"nagekeken op {nl_date(checked.isoformat())}" if checked else "nog niet nagekeken"
    warn = (' <span class="dh-warn dh-overdue" title="De digicoaches kijken deze tip binnenkort na.">'
            "· nakijken gepland</span>") if overdue else ""
    return f'<span class="dh-fresh">{esc(text)}</span>{warn}'


def citation_html(citation: Citation | Mapping[str, Any], mark: Fresh | None = None) -> str:
    """One source: its title links to the readable source view, at the quoted passage (a new tab, so the
    conversation stays)."""
    c = _as_dict(citation)
    kind = DOC_TYPES.get(str(c.get("doc_type", "")), "document")
    when = freshness_html(mark) if mark is not None else esc(nl_date(c.get("date", "")))
    meta = [f"pagina {esc(c['page'])}" if c.get("page") else "", when, esc(c.get("author", ""))]
    section = str(c.get("section") or "")
    section = "" if not section or section.casefold() == f"pagina {c.get('page')}" else f" – {esc(section)}"
    passage = str(c.get("passage") or "").strip()
    href = source_href(str(c.get("source") or ""), page=int(c.get("page") or 0) or None, passage=passage)
    new_tab = '<span class="dh-sr"> (opent in een nieuw tabblad)</span>'
    title = (f'<a class="dh-title" href="{esc(href)}" target="_blank" rel="noopener">{esc(c.get("title", ""))}'
             f"{new_tab}</a>")
    opener = f'<a class="dh-open" href="{esc(href)}" target="_blank" rel="noopener">{OPEN_WHAT[kind]}{new_tab}</a>'
    details = (f"<details><summary>Toon de geciteerde passage</summary><blockquote>{esc(passage)}</blockquote>"
               "</details>") if passage else ""
    return (f'<li value="{int(c.get("n") or 0) or 1}">{title}{section}<span class="dh-badge">{kind}</span><br>'
            f'<span class="dh-meta">{" · ".join(m for m in meta if m)}</span> {opener}{details}</li>')


def sources_html(citations: Iterable[Citation | Mapping[str, Any]], marks: Mapping[str, Fresh] | None = None) -> str:
    marks = marks or {}
    items = "".join(citation_html(c, marks.get(str(_as_dict(c).get("source", "")))) for c in citations)
    return f'<div class="dh-sources-block"><strong>Bronnen</strong><ol class="dh-sources">{items}</ol></div>' if items \
        else ""


def answer_html(answer: Answer, link_token: str = "", marks: Mapping[str, Fresh] | None = None) -> str:
    """The answer with its sources; an escalation says plainly who picks the question up and how soon, a referral
    which service helps instead, a greeting how to ask."""
    parts = [f'<p class="dh-meta dh-question">Je vraag: <em>{esc(answer.question)}</em></p>'] if answer.question else []
    if answer.band == "greeting":
        return "".join([*parts, box(answer.text, "ok")])
    if answer.escalated:
        parts.append(escalated_html(answer, link_token))
        if answer.notice and not answer.citations and not answer.referral:
            parts.append(box(answer.notice, "notice"))
    elif answer.notice:
        parts.append(box(answer.notice, "notice"))
    if answer.band == "referred" and not answer.escalated:
        parts.append(f'<div class="dh-box dh-referral" role="status"><strong>Dit vraag je beter aan een andere dienst'
                     f"</strong><br>{esc(answer.text)}<br>Toch een vraag voor je digicoach? Klik dan hieronder op "
                     "'Toch aan mijn digicoach vragen'.</div>")
        return "".join(parts)
    if answer.band == "unsure" and not answer.escalated and answer.text:
        parts.append(box(UNSURE, "unsure"))
    if answer.text and not (answer.escalated and not answer.citations):
        body = text_html(answer.text) + sources_html(answer.citations, marks)
        parts.append(f'<div class="dh-box dh-answer">{body}</div>')
    if len(parts) <= 1:
        parts.append(box("Ik heb hierover geen antwoord gevonden.", "notice"))
    return "".join(parts)


def escalated_html(answer: Answer, link_token: str) -> str:
    # Asked by the colleague: the notice holds the routing sentence. By itself: the text does.
    message = answer.notice if answer.citations or answer.referral else answer.text
    link = (" Je vindt ze terug onder 'Mijn vragen' bovenaan deze pagina, ook bij een volgend bezoek in deze "
            f'browser. Of bewaar deze link: <a href="?vraag={esc(link_token)}">vraag '
            f'#{esc(link_token.split(".")[0])}</a>.') if link_token else ""
    return (f'<div class="dh-box dh-escalated" role="status"><strong>Doorgestuurd naar je digicoach'
            f"{esc(' – ' + answer.coach if answer.coach else '')}</strong><br>{esc(message)}{link}</div>")


def conversation_html(turns: Sequence[str]) -> str:
    """The questions and answers of this visit, oldest first (each turn is HTML from answer_html)."""
    items = "".join(f'<section class="dh-turn" aria-label="Vraag {n}">{turn}</section>'
                    for n, turn in enumerate(turns, start=1))
    return f'<h2 class="dh-sr">Je vragen en de antwoorden</h2>{items}' if items else ""


def live_text(answer: Answer) -> str:
    """What a screen reader announces when an answer arrives: the gist, not the whole page."""
    if answer.escalated:
        said = f"Doorgestuurd naar je digicoach {answer.coach}."
    elif answer.band == "referred":
        said = answer.text
    else:
        said = " ".join(filter(None, (answer.notice, answer.text[:400])))
    return f'<p>{esc("Antwoord: " + " ".join(said.split()))}</p>' if said.strip() else ""
