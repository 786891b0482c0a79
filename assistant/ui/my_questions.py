"""HTML for "Mijn vragen": the questions a colleague passed on to a digicoach, each with its real status as the
escalation record has it now (open with the coach who holds it now, answered with the answer, closed with the
coach's note, handed over to whom). The `?vraag=` page shows the same item on top. All stored text goes
through `esc()`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.escalation import expected_answer
from assistant.types import Escalation
from assistant.ui.render import esc, nl_date

LABELS = {"open": "Open", "answered": "Beantwoord", "closed": "Gesloten", "handed": "Doorgegeven"}


def state_of(e: Escalation) -> str:
    return "handed" if e.status == "open" and e.handed_over_from else e.status


def status_html(e: Escalation, days_for: Callable[[str], int | None]) -> str:
    """What happened to the question, in a sentence or two and the coach's own words."""
    first = e.coach_name.split()[0] if e.coach_name.strip() else "je digicoach"
    if e.status == "answered":
        who = e.answered_by or e.coach_name
        return (f'<p><strong>{esc(who)} antwoordde</strong> op {esc(nl_date(e.updated_at))}:</p>'
                f'<div class="dh-pre dh-coach-text">{esc(e.answer)}</div>')
    if e.status == "closed":
        who = e.coach_name
        if e.close_note:
            return (f"<p><strong>{esc(who)} sloot je vraag af</strong> op {esc(nl_date(e.updated_at))}:</p>"
                    f'<div class="dh-pre dh-coach-text">{esc(e.close_note)}</div>')
        return (f"<p><strong>{esc(who)} sloot je vraag af</strong> op {esc(nl_date(e.updated_at))}, zonder "
                "opmerking. Is je vraag nog niet opgelost? Stel ze gerust opnieuw.</p>")
    when = expected_answer(days_for(e.coach_name))
    wait = f" {esc(first)} antwoordt {esc(when)}." if when else ""
    if e.handed_over_from:
        return (f"<p>{esc(e.handed_over_from)} gaf je vraag door aan <strong>{esc(e.coach_name)}</strong>. "
                f"Nog niet beantwoord.{wait}</p>")
    return f"<p>Nog niet beantwoord. Je vraag ligt bij <strong>{esc(e.coach_name)}</strong>.{wait}</p>"


def item_html(e: Escalation, days_for: Callable[[str], int | None], link: str, tag: str = "li") -> str:
    state = state_of(e)
    return (f'<{tag} class="dh-mq dh-mq-{state}" data-vraag="{e.id}"><p class="dh-mq-head"><span class="dh-status '
            f'dh-status-{state}">{LABELS[state]}</span> <span class="dh-meta">vraag #{e.id} · gesteld op '
            f"{esc(nl_date(e.created_at))} · <a href=\"{esc(link)}\">link naar deze vraag</a></span></p>"
            f'<p class="dh-mq-vraag">{esc(e.question)}</p>{status_html(e, days_for)}</{tag}>')


def my_questions_html(items: Sequence[Escalation], days_for: Callable[[str], int | None],
                      link_for: Callable[[int], str]) -> str:
    """The list, newest first ("" when the colleague never passed a question on from this browser)."""
    if not items:
        return ""
    answered = sum(1 for e in items if e.status != "open")
    summary = f"{len(items)} vraag" + ("" if len(items) == 1 else "en") + f", {answered} afgerond"
    rows = "".join(item_html(e, days_for, link_for(e.id)) for e in reversed(items))
    return (f'<section class="dh-mijn-vragen" aria-labelledby="dh-mq-kop"><details open><summary><h2 id="dh-mq-kop">'
            f'Mijn vragen <span class="dh-meta">({esc(summary)})</span></h2></summary><p class="dh-meta">De vragen '
            "die je vanuit deze browser aan je digicoach stelde, met wat er nu mee gebeurd is.</p>"
            f'<ul class="dh-mq-lijst">{rows}</ul></details></section>')


def linked_html(found: Escalation | None, number: int | None, days_for: Callable[[str], int | None],
                link: str) -> str:
    """The top of the `?vraag=` page: that one question and its status, or why it cannot be shown."""
    if number is None:
        return ('<div class="dh-box dh-notice" role="status">Deze link naar een vraag klopt niet (meer). Kijk bij '
                "'Mijn vragen' hieronder, of stel je vraag opnieuw.</div>")
    if found is None:
        return (f'<div class="dh-box dh-notice" role="status">We vinden vraag #{number} niet meer. Stel je vraag '
                "gerust opnieuw.</div>")
    return (f'<div class="dh-box dh-linked" role="status"><h2 class="dh-linked-kop">Je vraag #{found.id}</h2>'
            f'{item_html(found, days_for, link, tag="div")}</div>')
