"""HTML for the chat page. Every piece of stored or typed text passes through `esc()` before it is shown."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant.dutch import nl_date
from assistant.service import UNSURE
from assistant.types import CITATION_MARKER, Answer, Citation, Escalation

DOC_TYPES = {"tip": "tip", "handleiding": "handleiding", "overleg": "overleg", "document": "document"}
_LIST = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+")

CSS = """
.dh-box {border-radius: 10px; padding: 14px 18px; margin: 6px 0; line-height: 1.55; font-size: 1.02rem;}
.dh-answer {background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);}
.dh-answer p {margin: 0 0 .5em 0;}
.dh-answer ul {margin: .2em 0 .6em 1.2em;}
.dh-ref {font-size: .8em; vertical-align: super; color: var(--color-accent); font-weight: 600;}
.dh-notice {background: #fff8e1; border: 1px solid #f0c36d; color: #5d4300;}
.dh-unsure {background: #fff3e0; border: 1px solid #f0a35d; color: #5d2f00;}
.dh-escalated {background: #e8f4fd; border: 1px solid #7fb8e6; color: #0b3c61;}
.dh-error {background: #fdecea; border: 1px solid #e5a29b; color: #6b1d16;}
.dh-ok {background: #eaf7ee; border: 1px solid #8fcf9f; color: #184d27;}
.dh-sources {margin: .4em 0 0 0; padding-left: 1.4em;}
.dh-sources li {margin-bottom: .5em;}
.dh-title {font-weight: 600;}
.dh-badge {display: inline-block; font-size: .78em; padding: 0 .5em; border-radius: 8px;
  background: var(--color-accent-soft); margin-left: .3em;}
.dh-meta {color: var(--body-text-color-subdued); font-size: .9em;}
.dh-sources details summary {cursor: pointer; color: var(--color-accent); font-size: .9em;}
.dh-sources blockquote {margin: .3em 0; padding: .4em .8em; border-left: 3px solid var(--border-color-accent);
  white-space: pre-wrap; background: var(--background-fill-primary);}
.dh-coach-answer {border-top: 1px solid var(--border-color-primary); padding-top: .6em; margin-top: .6em;}
.dh-table {width: 100%; border-collapse: collapse; font-size: .93rem;}
.dh-table th, .dh-table td {text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border-color-primary);
  vertical-align: top;}
.dh-warn {color: #9a4b00; font-weight: 600;}
.dh-pre {white-space: pre-wrap;}
.dh-link {text-decoration: underline; background: none; border: none; cursor: pointer; color: inherit; padding: 0;
  font: inherit;}
.dh-question {margin: 0 0 .3em .2em;}
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
    c = _as_dict(citation)
    kind = DOC_TYPES.get(str(c.get("doc_type", "")), "document")
    when = freshness_html(mark) if mark is not None else esc(nl_date(c.get("date", "")))
    meta = [f"pagina {esc(c['page'])}" if c.get("page") else "", when, esc(c.get("author", ""))]
    section = str(c.get("section") or "")
    section = "" if not section or section.casefold() == f"pagina {c.get('page')}" else f" – {esc(section)}"
    passage = str(c.get("passage") or "").strip()
    details = (f"<details><summary>Toon de geciteerde passage</summary><blockquote>{esc(passage)}</blockquote>"
               "</details>") if passage else ""
    return (f'<li value="{int(c.get("n") or 0) or 1}"><span class="dh-title">{esc(c.get("title", ""))}</span>'
            f'{section}<span class="dh-badge">{kind}</span><br><span class="dh-meta">'
            f"{' · '.join(m for m in meta if m)}</span>{details}</li>")


def sources_html(citations: Iterable[Citation | Mapping[str, Any]], marks: Mapping[str, Fresh] | None = None) -> str:
    marks = marks or {}
    items = "".join(citation_html(c, marks.get(str(_as_dict(c).get("source", "")))) for c in citations)
    return f'<div class="dh-sources-block"><strong>Bronnen</strong><ol class="dh-sources">{items}</ol></div>' if items \
        else ""


def answer_html(answer: Answer, link_token: str = "", marks: Mapping[str, Fresh] | None = None) -> str:
    """The answer with its sources; an escalation says plainly who picks the question up."""
    parts = [f'<p class="dh-meta dh-question">Je vraag: <em>{esc(answer.question)}</em></p>'] if answer.question else []
    if answer.escalated:
        # Asked by the colleague: the notice holds the routing sentence. By itself: the text does.
        message = answer.notice if answer.citations else answer.text
        link = (f' Het antwoord verschijnt hier zodra je digicoach antwoordt. Bewaar eventueel deze link: '
                f'<a href="?vraag={esc(link_token)}">vraag #{esc(link_token.split(".")[0])}</a>') if link_token else ""
        parts.append(f'<div class="dh-box dh-escalated" role="status"><strong>Doorgestuurd naar je digicoach'
                     f"{esc(' – ' + answer.coach if answer.coach else '')}</strong><br>{esc(message)}{link}</div>")
        if answer.notice and not answer.citations:
            parts.append(box(answer.notice, "notice"))
    elif answer.notice:
        parts.append(box(answer.notice, "notice"))
    if answer.band == "unsure" and not answer.escalated and answer.text:
        parts.append(box(UNSURE, "unsure"))
    if answer.text and not (answer.escalated and not answer.citations):
        body = text_html(answer.text) + sources_html(answer.citations, marks)
        parts.append(f'<div class="dh-box dh-answer">{body}</div>')
    if len(parts) <= 1:
        parts.append(box("Ik heb hierover geen antwoord gevonden.", "notice"))
    return "".join(parts)


def coach_answers_html(escalations: Sequence[Escalation]) -> str:
    if not escalations:
        return ""
    blocks = []
    for escalation in reversed(escalations):  # newest first
        who = esc(escalation.answered_by or escalation.coach_name)
        blocks.append(
            f'<div class="dh-coach-answer"><span class="dh-meta">Je vraag van {esc(nl_date(escalation.created_at))}'
            f"</span><p><em>{esc(escalation.question)}</em></p><p><strong>{who} antwoordde:</strong></p>"
            f'<div class="dh-pre">{esc(escalation.answer)}</div></div>'
        )
    return ('<div class="dh-box dh-ok"><strong>Antwoorden van je digicoach</strong>' + "".join(blocks) + "</div>")
