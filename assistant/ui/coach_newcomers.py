"""The coach workspace's "Nieuwe collega's" tab: the start-check levels new colleagues chose to share with their
department's digicoach, progress since each one's first check, and who is due for the three-month re-check.

A coach sees levels per area and dates only: no answers and no names (colleagues are numbered by first check); and
only for the departments they coach or back up (coaches.yaml) or their account's department, because colleagues
shared their result with *their department's* digicoach. The coordinator sees every department.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr

from assistant.auth import AccountStore
from assistant.errors import DigihulpError
from assistant.escalation import CoachDirectory, Department
from assistant.startcheck import StartCheck
from assistant.startcheck_store import Newcomer, StartResults
from assistant.startpath import level_label, recheck_due
from assistant.ui.render import box, esc, nl_date
from assistant.ui.start_content import StartContent

log = logging.getLogger(__name__)

ALL = "alle"
NOT_A_COACH = ("Je staat in coaches.yaml niet als digicoach of back-up van een dienst, dus er zijn geen gedeelde "
               "startchecks voor jou. Klopt dat niet, vraag het dan aan de coördinator van de digicoaches.")
PRIVACY = ("Je ziet alleen collega's die bij de startcheck toestemming gaven om hun resultaat met jou te delen: hun "
           "niveau per onderwerp en de datum. Geen antwoorden en geen namen. Doe de startcheck zelf via /start.")


def _num(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _level(check: StartCheck | None, score: float | None) -> str:
    if score is None:
        return "—"
    return f"{level_label(check, score)} ({_num(score)})" if check else _num(score)


def _change(check: StartCheck | None, before: float | None, now: float | None) -> str:
    if before is None or now is None or before == now:
        return esc(_level(check, now))
    arrow = "▲" if now > before else "▼"
    return (f"{esc(_level(check, before))} → <strong>{esc(_level(check, now))}</strong> "
            f'<span class="dh-meta">{arrow} {_num(now - before)}</span>')


def areas_of(check: StartCheck | None, newcomers: Sequence[Newcomer]) -> list[tuple[str, str]]:
    """(area id, name): the start check's areas, then any stored area the file no longer has."""
    known = [(a.id, a.name) for a in check.areas] if check else []
    extra = sorted({k for n in newcomers for c in n.checks for k in c.levels} - {a for a, _ in known})
    return known + [(a, a) for a in extra]


def newcomers_html(check: StartCheck | None, newcomers: Sequence[Newcomer], today: dt.date) -> str:
    if not newcomers:
        return box("Nog geen gedeelde startchecks voor deze dienst.", "notice") + \
            f'<p class="dh-meta">{esc(PRIVACY)}</p>'
    areas = areas_of(check, newcomers)
    due = [n for n in newcomers if recheck_due(n.latest.checked_on) <= today]
    parts = [f'<p class="dh-meta">{esc(PRIVACY)}</p>']
    if due:
        who = "1 nieuwe collega is" if len(due) == 1 else f"{len(due)} nieuwe collega's zijn"
        parts.append(box(f"{who} toe aan de herhalingscheck: de laatste check is meer dan drie maanden oud. Vraag "
                         "je nieuwe collega's om de startcheck opnieuw te doen (link op de chatpagina: 'Nieuw bij de "
                         "stad? Doe de startcheck').", "notice", "Herhalingscheck"))
    team = []
    for area_id, name in areas:
        firsts = [n.first.levels[area_id] for n in newcomers if area_id in n.first.levels]
        latest = [n.latest.levels[area_id] for n in newcomers if area_id in n.latest.levels]
        team.append(f"<tr><td>{esc(name)}</td><td>{_change(check, _avg(firsts), _avg(latest))}</td></tr>")
    parts.append(f"<h3>Het team ({len(newcomers)} nieuwe collega's): gemiddeld niveau, eerste check → nu</h3>"
                 f'<table class="dh-table" id="dh-nieuw-team"><thead><tr><th>Onderwerp</th><th>Niveau</th></tr>'
                 f'</thead><tbody>{"".join(team)}</tbody></table>')
    head = "".join(f"<th>{esc(name)}</th>" for _, name in areas)
    rows = []
    for number, person in enumerate(reversed(newcomers), start=1):
        start, last = person.first, person.latest
        checks = f"{esc(nl_date(start.checked_on.isoformat()))}" + (
            f" · laatst {esc(nl_date(last.checked_on.isoformat()))} ({len(person.checks)} checks)"
            if len(person.checks) > 1 else "")
        again = recheck_due(last.checked_on)
        when = '<span class="dh-warn">nu</span>' if again <= today else esc(nl_date(again.isoformat()))
        cells = "".join(f"<td>{_change(check, start.levels.get(a), last.levels.get(a))}</td>" for a, _ in areas)
        rows.append(f"<tr><td>Collega {number}</td><td>{checks}</td>{cells}<td>{when}</td></tr>")
    parts.append("<h3>Per nieuwe collega</h3>"
                 f'<table class="dh-table" id="dh-nieuw-collegas"><thead><tr><th>Wie</th><th>Startcheck</th>{head}'
                 f'<th>Herhalingscheck</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return "".join(parts)


def _avg(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


class NewcomersTab:
    def __init__(self, results: StartResults, content: StartContent, directory: CoachDirectory,
                 accounts: AccountStore, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.results, self.content, self.directory, self.accounts = results, content, directory, accounts
        self.today = today

    def departments_of(self, user: str) -> list[Department]:
        """The departments whose shared results this coach may see, their account's department first."""
        account = self.accounts.get(user)
        own = self.directory.get(account.department if account else "")
        everyone = sorted(self.directory.departments(), key=lambda d: d.name.casefold())
        if user and user == self.directory.coordinator.name:
            mine = everyone
        else:
            mine = [d for d in everyone if user in (d.coach.name, d.backup.name if d.backup else None)]
        return ([own] if own is not None else []) + [d for d in mine if own is None or d.id != own.id]

    def view(self, dept: str | None, request: gr.Request | None = None) -> tuple[Any, str]:
        allowed = self.departments_of(str(getattr(request, "username", "") or ""))
        choices = [(d.name, d.id) for d in allowed] + ([("Al mijn diensten", ALL)] if len(allowed) > 1 else [])
        if not allowed:
            return gr.update(choices=[], value=None), box(NOT_A_COACH, "notice")
        if dept not in {value for _, value in choices}:  # first opening (or not theirs): their own department
            dept = allowed[0].id
        try:
            found = self.results.newcomers([d.id for d in allowed] if dept == ALL else [dept])
        except DigihulpError as exc:
            log.warning("Newcomers not readable: %s", exc)
            return gr.update(choices=choices, value=dept), box(str(exc), "error")
        html = newcomers_html(self.content.current().check, found, self.today())
        return gr.update(choices=choices, value=dept), html

    def build(self, tab: gr.Tab) -> None:
        """The tab's components, inside the caller's `with gr.Tab(...)`."""
        with gr.Row():
            dept = gr.Dropdown([], value=None, label="Dienst", elem_id="dh-nieuw-dienst", scale=3)
            refresh = gr.Button("Vernieuwen", size="sm", scale=0)
        shown = gr.HTML("", elem_id="dh-nieuw")
        for event in (tab.select, refresh.click, dept.input):
            event(self.view, dept, [dept, shown], api_visibility="private")
