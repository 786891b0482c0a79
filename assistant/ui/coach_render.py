"""HTML for the coach workspace; all stored text goes through `esc()`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.records import Feedback
from assistant.types import Escalation
from assistant.ui.render import esc, nl_date, nl_datetime, sources_html
from ingest.catalog import DocRow

STATUS_NL = {"open": "open", "answered": "beantwoord", "closed": "gesloten"}
REASON_NL = {"coach": "eigen coach", "backup": "back-up", "coordinator": "coördinator"}


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p class="dh-meta">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="dh-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


UNSURE_BADGE = '<span class="dh-badge dh-unsure">niet zeker – antwoord getoond</span>'


def queue_html(items: Sequence[Escalation], names: Mapping[str, str] | None = None,
               repeats: Mapping[int, int] | None = None) -> str:
    """`repeats`: escalation id -> times the question was asked again (merged duplicates)."""
    names, repeats = names or {}, repeats or {}

    def again(e: Escalation) -> str:
        n = repeats.get(e.id, 0)
        return f' <span class="dh-badge" title="nog eens gevraagd">+{n}× nog eens gevraagd</span>' if n else ""

    rows = [[f"#{e.id}", esc(nl_datetime(e.created_at)), esc(names.get(e.department, e.department or "onbekend")),
             esc(_short(e.question)) + (f" {UNSURE_BADGE}" if e.shown_unsure else "") + again(e), esc(e.coach_name),
             esc(STATUS_NL.get(e.status, e.status))] for e in items]
    return _table(["Nr", "Gesteld op", "Dienst", "Vraag", "Coach", "Status"], rows,
                  "Geen vragen met deze filter. Goed bezig!")


def choice_label(e: Escalation) -> str:
    """Dropdown label (rendered as text by Gradio, not as HTML)."""
    return f"#{e.id} · {e.department or 'onbekend'} · {_short(e.question, 80)}"


def detail_html(e: Escalation | None) -> str:
    if e is None:
        return '<p class="dh-meta">Kies een vraag uit de lijst.</p>'
    asker = " – ".join(x for x in (e.asker_name, e.asker_contact) if x) or "niet opgegeven"
    handed = f" (overgenomen van {esc(e.handed_over_from)})" if e.handed_over_from else ""
    answer = (f"<p><strong>Antwoord van {esc(e.answered_by)}:</strong></p><div class=\"dh-pre\">{esc(e.answer)}</div>"
              if e.answer else "")
    draft = esc(e.draft_answer) if e.draft_answer else "<em>(geen ontwerp)</em>"
    draft_label = ("Dit antwoord kreeg de collega te zien, onder “Ik ben niet zeker dat dit je vraag beantwoordt”"
                   if e.shown_unsure else "Ontwerp van antwoord (digihulp)")
    sources = sources_html(e.sources) or '<p class="dh-meta">Geen bronnen gevonden.</p>'
    return (
        f'<div class="dh-box dh-answer"><p><strong>Vraag #{e.id}</strong> – {esc(STATUS_NL.get(e.status, e.status))}'
        f'</p><p class="dh-pre">{esc(e.question)}</p><p class="dh-meta">Dienst: {esc(e.department or "onbekend")} · '
        f"Gesteld op {esc(nl_datetime(e.created_at))} · Door: {esc(asker)} · Bij: {esc(e.coach_name)} "
        f"({esc(REASON_NL.get(e.route_reason, e.route_reason))}){handed} · Zekerheid: {e.confidence:.0%}</p>"
        f"{sources}"
        f'<p><strong>{esc(draft_label)}:</strong>{" " + UNSURE_BADGE if e.shown_unsure else ""}</p>'
        f'<div class="dh-pre">{draft}</div>{answer}</div>'
    )


def corpus_html(rows: Sequence[DocRow]) -> str:
    cells = []
    for r in rows:
        warn = ' <span class="dh-warn">⚠ meer dan een jaar niet nagekeken</span>' if r.stale else ""
        error = f'<br><span class="dh-warn">{esc(r.error)}</span>' if r.error else ""
        status = "actief" if r.status == "active" else "ingetrokken" if r.status == "retired" else r.status
        cells.append([esc(r.doc_type), f"{esc(r.title)}<br><span class=\"dh-meta\">{esc(r.source)}</span>{error}",
                      esc(r.app), esc(status), esc(nl_date(r.reviewed)) + warn, esc(r.author)])
    return _table(["Soort", "Titel", "App", "Status", "Laatst nagekeken", "Auteur"], cells, "Geen documenten.")


def feedback_html(items: Sequence[Feedback]) -> str:
    rows = [[esc(nl_datetime(f.created_at)), esc(f.department or "–"), esc(f.question),
             f'<details><summary>antwoord</summary><div class="dh-pre">{esc(f.answer)}</div></details>',
             esc(f.comment) or '<span class="dh-meta">(geen opmerking)</span>'] for f in items]
    return _table(["Datum", "Dienst", "Vraag", "Antwoord", "Opmerking"], rows, "Nog geen 👎-feedback.")
