"""The 'Escalaties' tab: the queue per department, one question's detail, answer, close with a note, hand over."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.escalation import Coach, Department
from assistant.types import strip_citations
from assistant.ui import coach_render
from assistant.ui.coach_bulk import BulkActions
from assistant.ui.login import coach_of
from assistant.ui.render import box
from assistant.ui.services import Services
from assistant.ui.session import load_secret, sign_id

log = logging.getLogger(__name__)

ALL = "alle"
MINE = "mijn"
STATUSES = [("Open", "open"), ("Beantwoord", "answered"), ("Gesloten", "closed"), ("Alle", ALL)]
COORDINATOR = "coordinator:"


class QueueTab:
    def __init__(self, services: Services) -> None:
        self.directory = services.directory
        self.records = services.records
        self.bulk = BulkActions(services.triage)  # issue 16: close or mark spam many at once
        self.duplicates = services.assistant.intake.duplicates
        self.assistant = services.assistant
        self.public_url = services.settings.public_url.strip().rstrip("/")
        self.secret = load_secret(services.settings.data_dir) if self.public_url else ""

    def link(self, escalation_id: int) -> str:
        """The colleague's own page for the question, for the mail that tells them ("" without public_url)."""
        return f"{self.public_url}/?vraag={sign_id(self.secret, escalation_id)}" if self.public_url else ""

    # -- helpers ------------------------------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        return {d.id: d.name for d in self.directory.departments()}

    def department_choices(self) -> list[tuple[str, str]]:
        depts = sorted(self.directory.departments(), key=lambda d: d.name.casefold())
        return [("Alle diensten", ALL), ("Bij mij (alle diensten)", MINE)] + [(d.name, d.id) for d in depts]

    def handover_choices(self) -> list[tuple[str, str]]:
        """Grouped by department (site, then name): 'Burgerzaken – An Declercq (digicoach)'. The value says
        where the question is filed after the handover."""
        choices = [(f"Coördinator – {self.directory.coordinator.name}", COORDINATOR)]
        for dept in sorted(self.directory.departments(), key=lambda d: (d.site, d.name.casefold())):
            choices.append((f"{dept.name} – {dept.coach.name} (digicoach{', afwezig' if dept.coach_absent else ''})",
                            f"{dept.id}:coach"))
            if dept.backup is not None:
                choices.append((f"{dept.name} – {dept.backup.name} (back-up)", f"{dept.id}:backup"))
        return choices

    def target(self, value: str | None) -> tuple[Coach, Department | None, str] | None:
        """(coach, department to file under or None to keep it, route reason) for a handover choice."""
        dept_id, _, role = str(value or "").partition(":")
        if value == COORDINATOR:
            return self.directory.coordinator, None, "coordinator"
        dept = self.directory.get(dept_id)
        if dept is None or role not in ("coach", "backup") or (role == "backup" and dept.backup is None):
            return None
        return (dept.backup if role == "backup" else dept.coach), dept, role  # type: ignore[return-value]

    def _items(self, dept: str | None, status: str | None, user: str = "") -> list[Any]:
        mine = dept == MINE
        items = self.records.escalations(None if dept in (None, "", ALL, MINE) else dept,
                                         None if status in (None, "", ALL) else status)  # type: ignore[arg-type]
        return [e for e in items if e.coach_name.casefold() == user.casefold()] if mine else items

    def _detail(self, escalation_id: Any) -> tuple[str, str]:
        escalation = self.records.get(int(escalation_id)) if escalation_id else None
        again = self.duplicates.repeats(escalation.id).times if escalation and self.duplicates is not None else ()
        return coach_render.detail_html(escalation, self.names(), again), escalation.answer if escalation else ""

    # -- handlers -----------------------------------------------------------------------------------------
    def refresh(self, dept: str | None, status: str | None, selected: Any, request: gr.Request) -> tuple[Any, ...]:
        user = coach_of(request)
        items, names = self._items(dept, status, user), self.names()
        choices = [(coach_render.choice_label(e, names), e.id) for e in items]
        keep = selected if any(e.id == selected for e in items) else (items[0].id if items else None)
        detail, text = self._detail(keep)
        repeats = self.duplicates.repeat_counts() if self.duplicates is not None else {}
        return coach_render.queue_html(items, names, repeats), gr.update(choices=choices, value=keep), detail, text

    def select(self, escalation_id: Any, request: gr.Request) -> tuple[str, str]:
        coach_of(request)
        return self._detail(escalation_id)

    def take_draft(self, escalation_id: Any, request: gr.Request) -> str:
        """The draft without [n] markers and 'Zie ook' pointers: the colleague does not see the source list."""
        coach_of(request)
        escalation = self.records.get(int(escalation_id)) if escalation_id else None
        draft = (escalation.draft_answer if escalation else "").split("\nZie ook:")[0]
        return strip_citations(draft).strip()

    @staticmethod
    def _do(escalation_id: Any, action: Callable[[int], None], done: str) -> str:
        """Run one action on the chosen question; its Dutch outcome as a message box."""
        if not escalation_id:
            return box("Kies eerst een vraag.", "notice")
        try:
            action(int(escalation_id))
        except DigihulpError as exc:
            return box(f"Dat lukte niet: {exc}", "error")
        return box(done, "ok")

    def answer(self, escalation_id: Any, text: str, request: gr.Request) -> str:
        coach = coach_of(request)
        mailed: list[bool] = []

        def act(i: int) -> None:
            mailed.append(self.assistant.answer_escalation(i, str(text or ""), coach, self.link(i)))

        message = self._do(escalation_id, act, f"Antwoord op vraag #{escalation_id} bewaard.")
        told = " De collega kreeg een mail en ziet het onder 'Mijn vragen'." if any(mailed) else \
            " De collega ziet het onder 'Mijn vragen'."
        return message.replace("bewaard.", "bewaard." + told, 1) if mailed else message

    def close(self, escalation_id: Any, note: str, request: gr.Request) -> str:
        coach_of(request)
        mailed: list[bool] = []

        def act(i: int) -> None:
            mailed.append(self.assistant.close_escalation(i, str(note or "")[:2000], self.link(i)))

        message = self._do(escalation_id, act, f"Vraag #{escalation_id} is gesloten.")
        return message.replace("gesloten.", "gesloten. De collega kreeg je notitie per mail.", 1) if any(mailed) \
            else message

    def hand_over(self, escalation_id: Any, choice: str, request: gr.Request) -> str:
        coach_of(request)
        target = self.target(choice)
        if target is None:
            return box("Kies de coach aan wie je de vraag doorgeeft." if escalation_id else "Kies eerst een vraag.",
                       "notice")
        coach, dept, reason = target
        where = f" Ze staat nu bij de vragen van {dept.name}." if dept else ""
        return self._do(escalation_id, lambda i: self.records.hand_over(i, coach, dept.id if dept else None, reason),
                        f"Vraag #{escalation_id} is doorgegeven aan {coach.name}.{where}")

    # -- layout -------------------------------------------------------------------------------------------
    def tab(self, c: dict[str, Any]) -> None:
        with gr.Row():
            c["dept"] = gr.Dropdown(self.department_choices(), value=ALL, label="Dienst", elem_id="dh-filter-dienst")
            c["status"] = gr.Radio(STATUSES, value="open", label="Status", elem_id="dh-filter-status")
            c["refresh"] = gr.Button("Vernieuwen", size="sm", scale=0)
        c["queue"] = gr.HTML("", elem_id="dh-queue")
        c["pick"] = gr.Dropdown([], value=None, label="Vraag (oudste eerst)", elem_id="dh-pick")
        c["detail"] = gr.HTML("", elem_id="dh-detail")
        c["text"] = gr.Textbox(label="Jouw antwoord aan de collega", lines=6, max_length=10_000, elem_id="dh-reply",
                               placeholder="Schrijf je antwoord, of neem het ontwerp van digihulp over en pas het aan.")
        with gr.Row():
            c["draft_btn"] = gr.Button("Ontwerp overnemen")
            c["answer_btn"] = gr.Button("Antwoord versturen", variant="primary", elem_id="dh-reply-send")
        with gr.Row(equal_height=True):
            c["note"] = gr.Textbox(label="Notitie bij het sluiten (de collega leest ze)", max_length=2000, scale=3,
                                   elem_id="dh-close-note", placeholder="bv. Opgelost aan de telefoon.")
            c["close_btn"] = gr.Button("Sluiten zonder antwoord", scale=1, elem_id="dh-close")
        with gr.Row(equal_height=True):
            c["to_coach"] = gr.Dropdown(self.handover_choices(), value=None, label="Doorgeven aan (per dienst)",
                                        scale=3, elem_id="dh-handover")
            c["hand_btn"] = gr.Button("Doorgeven", scale=1, elem_id="dh-handover-btn")
        c["msg"] = gr.HTML("", elem_id="dh-queue-msg")
        self.bulk.section(c)

    def wire(self, c: dict[str, Any]) -> None:
        listing = [c["queue"], c["pick"], c["detail"], c["text"]]
        filters = [c["dept"], c["status"], c["pick"]]
        for event in (c["refresh"].click, c["dept"].input, c["status"].input):
            event(self.refresh, filters, listing, api_visibility="private")
        c["pick"].input(self.select, c["pick"], [c["detail"], c["text"]], api_visibility="private")
        c["draft_btn"].click(self.take_draft, c["pick"], c["text"], api_visibility="private")
        for button, fn, extra in ((c["answer_btn"], self.answer, [c["text"]]),
                                  (c["close_btn"], self.close, [c["note"]]),
                                  (c["hand_btn"], self.hand_over, [c["to_coach"]])):
            button.click(fn, [c["pick"], *extra], c["msg"], api_visibility="private").then(
                self.refresh, filters, listing, api_visibility="private")
        self.bulk.wire(c, self._items, self.refresh, filters, listing)
