"""HTML for the coach workspace; all stored text goes through `esc()`. Departments show by name, never by id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.records import Feedback
from assistant.types import Escalation
from assistant.ui.render import esc, nl_date, nl_datetime, sources_html
from ingest.catalog import DocRow

STATUS_NL = {"open": "open", "answered": "beantwoord", "closed": "gesloten"}
REASON_NL = {"coach": "eigen coach", "backup": "back-up", "coordinator": "coördinator"}
PAGE_SIZE = 25


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str, caption: str = "") -> str:
    if not rows:
        return f'<p class="dh-meta">{esc(empty)}</p>'
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f'<caption class="dh-sr">{esc(caption)}</caption>' if caption else ""
    return f'<table class="dh-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


UNSURE_BADGE = '<span class="dh-badge dh-unsure">niet zeker – antwoord getoond</span>'


def dept_name(names: Mapping[str, str], dept: str | None) -> str:
    """The department's name; an id the directory no longer knows is shown as it is."""
    return names.get(dept or "", dept or "") or "onbekend"


def status_nl(e: Escalation) -> str:
    return STATUS_NL.get(e.status, e.status)


def queue_html(items: Sequence[Escalation], names: Mapping[str, str] | None = None,
               repeats: Mapping[int, int] | None = None) -> str:
    """`repeats`: escalation id -> times the question was asked again (merged duplicates)."""
    names, repeats = names or {}, repeats or {}

    def again(e: Escalation) -> str:
        n = repeats.get(e.id, 0)
        return f' <span class="dh-badge" title="nog eens gevraagd">+{n}× nog eens gevraagd</span>' if n else ""

    rows = [[f"#{e.id}", esc(nl_datetime(e.created_at)), esc(dept_name(names, e.department)),
             esc(_short(e.question)) + (f" {UNSURE_BADGE}" if e.shown_unsure else "") + again(e), esc(e.coach_name),
             esc(status_nl(e))] for e in items]
    return _table(["Nr", "Gesteld op", "Dienst", "Vraag", "Coach", "Status"], rows,
                  "Geen vragen met deze filter. Goed bezig!", "Vragen van collega's")


def choice_label(e: Escalation, names: Mapping[str, str] | None = None) -> str:
    """Dropdown label (rendered as text by Gradio, not as HTML)."""
    return f"#{e.id} · {dept_name(names or {}, e.department)} · {_short(e.question, 80)}"


def detail_html(e: Escalation | None, names: Mapping[str, str] | None = None, asked_again: Sequence[str] = ()) -> str:
    """One escalation for the coach; `asked_again`: when the same question came in again (merged, ISO times)."""
    if e is None:
        return '<p class="dh-meta">Kies een vraag uit de lijst.</p>'
    asker = " – ".join(x for x in (e.asker_name, e.asker_contact) if x) or "niet opgegeven"
    handed = f" (overgenomen van {esc(e.handed_over_from)})" if e.handed_over_from else ""
    answer = (f"<p><strong>Antwoord van {esc(e.answered_by)}:</strong></p><div class=\"dh-pre\">{esc(e.answer)}</div>"
              if e.answer else "")
    note = (f"<p><strong>Notitie bij het sluiten:</strong> {esc(e.close_note)}</p>" if e.close_note else "")
    if asked_again:
        when = ", ".join(esc(nl_datetime(t)) for t in asked_again)
        note += f'<p class="dh-meta">Nog eens gevraagd ({len(asked_again)}×): {when}</p>'
    draft = esc(e.draft_answer) if e.draft_answer else "<em>(geen ontwerp)</em>"
    draft_label = ("Dit antwoord kreeg de collega te zien, onder “Ik ben niet zeker dat dit je vraag beantwoordt”"
                   if e.shown_unsure else "Ontwerp van antwoord (digihulp)")
    sources = sources_html(e.sources) or '<p class="dh-meta">Geen bronnen gevonden.</p>'
    dept = dept_name(names or {}, e.department)
    return (
        f'<div class="dh-box dh-answer"><p><strong>Vraag #{e.id}</strong> – {esc(status_nl(e))}'
        f'</p><p class="dh-pre">{esc(e.question)}</p><p class="dh-meta">Dienst: {esc(dept)}'
        f" · Gesteld op {esc(nl_datetime(e.created_at))} · Door: {esc(asker)} · Bij: {esc(e.coach_name)} "
        f"({esc(REASON_NL.get(e.route_reason, e.route_reason))}){handed} · Zekerheid: {e.confidence:.0%}</p>"
        f"{sources}"
        f'<p><strong>{esc(draft_label)}:</strong>{" " + UNSURE_BADGE if e.shown_unsure else ""}</p>'
        f'<div class="dh-pre">{draft}</div>{answer}{note}</div>'
    )


def corpus_html(rows: Sequence[DocRow], total: int = -1, page: int = 0) -> str:
    """One page of the corpus list; `total` is the number of rows the filter kept."""
    cells = []
    for r in rows:
        warn = ' <span class="dh-warn">⚠ meer dan een jaar niet nagekeken</span>' if r.stale else ""
        error = f'<br><span class="dh-warn">{esc(r.error)}</span>' if r.error else ""
        status = "actief" if r.status == "active" else "ingetrokken" if r.status == "retired" else r.status
        cells.append([esc(r.doc_type), f"{esc(r.title)}<br><span class=\"dh-meta\">{esc(r.source)}</span>{error}",
                      esc(r.app), esc(status), esc(nl_date(r.reviewed)) + warn, esc(r.author)])
    table = _table(["Soort", "Titel", "App", "Status", "Laatst nagekeken", "Auteur"], cells, "Geen documenten.",
                   "Documenten in het corpus")
    if total < 0 or not rows:
        return table
    first = page * PAGE_SIZE + 1
    return (f'<p class="dh-meta" role="status">Documenten {first}–{first + len(rows) - 1} van {total}</p>'
            + table)


def feedback_html(items: Sequence[Feedback], names: Mapping[str, str] | None = None) -> str:
    names = names or {}
    rows = []
    for f in items:
        done = (f"afgehandeld door {esc(f.handled_by)} op {esc(nl_date(f.handled_at))}"
                + (f": {esc(f.handled_note)}" if f.handled_note else "")) if f.handled_at else "te bekijken"
        rows.append([f"#{f.id}", esc(nl_datetime(f.created_at)), esc(dept_name(names, f.department) if f.department
                                                                      else "–"), esc(f.question),
                     f'<details><summary>antwoord</summary><div class="dh-pre">{esc(f.answer)}</div></details>',
                     esc(f.comment) or '<span class="dh-meta">(geen opmerking)</span>', done])
    return _table(["Nr", "Datum", "Dienst", "Vraag", "Antwoord", "Opmerking", "Status"], rows,
                  "Geen 👎-feedback met deze filter.", "Feedback van collega's")


def feedback_label(f: Feedback, names: Mapping[str, str] | None = None) -> str:
    dept = dept_name(names or {}, f.department) if f.department else "–"
    return f"#{f.id} · {dept} · {_short(f.question, 80)}"
