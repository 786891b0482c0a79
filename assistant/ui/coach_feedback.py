"""The 'Feedback' tab: 👎 answers of colleagues, to mark handled, turn into a tip (the 'Van antwoord naar tip'
flow) or send to the digicoach of the question's department as a new escalation."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.ui import coach_render
from assistant.ui.coach_tip import TipTab
from assistant.ui.login import coach_of
from assistant.ui.render import box
from assistant.ui.services import Services

log = logging.getLogger(__name__)

SHOW = [("Te bekijken", "open"), ("Afgehandeld", "handled"), ("Alle", "alle")]


class FeedbackTab:
    def __init__(self, services: Services, tip: TipTab) -> None:
        self.services, self.tip = services, tip
        self.records = services.records
        self.directory = services.directory

    def names(self) -> dict[str, str]:
        return {d.id: d.name for d in self.directory.departments()}

    def listing(self, show: str, selected: Any, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        handled = {"open": False, "handled": True}.get(show)
        items, names = self.records.negative_feedback(handled=handled), self.names()
        keep = selected if any(f.id == selected for f in items) else None
        choices = [(coach_render.feedback_label(f, names), f.id) for f in items]
        return coach_render.feedback_html(items, names), gr.update(choices=choices, value=keep)

    def mark_handled(self, feedback_id: Any, request: gr.Request) -> str:
        coach = coach_of(request)
        if not feedback_id:
            return box("Kies eerst een feedback uit de lijst.", "notice")
        try:
            self.records.handle_feedback(int(feedback_id), coach, "bekeken")
        except DigihulpError as exc:
            return box(f"Dat lukte niet: {exc}", "error")
        return box(f"Feedback #{feedback_id} is afgehandeld.", "ok")

    def send_to_coach(self, feedback_id: Any, request: gr.Request) -> str:
        """A new escalation for the digicoach of the question's department, with the answer and the comment."""
        coach = coach_of(request)
        found = self.records.feedback(int(feedback_id)) if feedback_id else None
        if found is None:
            return box("Kies eerst een feedback uit de lijst.", "notice")
        draft = (f"Dit antwoord kreeg de collega (👎):\n{found.answer}\n\n"
                 f"Opmerking van de collega: {found.comment or '(geen)'}\nDoorgestuurd door {coach}.")
        try:
            escalation_id, route = self.services.assistant.forward(found.question, found.department, draft)
            self.records.handle_feedback(found.id, coach, f"doorgestuurd als vraag #{escalation_id} naar "
                                                          f"{route.coach.name}")
        except DigihulpError as exc:
            return box(f"Dat lukte niet: {exc}", "error")
        where = f"de digicoach van {route.department.name}" if route.department else "de coördinator"
        return box(f"Doorgestuurd naar {route.coach.name} ({where}) als vraag #{escalation_id}.", "ok")

    def tab(self, tab: gr.Tab, tabs: gr.Tabs, tip: dict[str, Any]) -> None:
        with gr.Row():
            show = gr.Radio(SHOW, value="open", label="Toon", elem_id="dh-fb-toon")
            refresh = gr.Button("Vernieuwen", size="sm", scale=0)
        pick = gr.Dropdown([], value=None, label="Feedback", elem_id="dh-fb-pick")
        with gr.Row():
            handled = gr.Button("Markeer als afgehandeld", elem_id="dh-fb-afgehandeld")
            to_tip = gr.Button("Maak er een tip van", elem_id="dh-fb-tip")
            to_coach = gr.Button("Stuur naar de digicoach van de dienst", elem_id="dh-fb-coach")
        msg = gr.HTML("", elem_id="dh-fb-msg")
        table = gr.HTML("", elem_id="dh-fb-lijst")
        for event in (tab.select, refresh.click, show.input):
            event(self.listing, [show, pick], [table, pick], api_visibility="private")
        for button, fn in ((handled, self.mark_handled), (to_coach, self.send_to_coach)):
            button.click(fn, pick, msg, api_visibility="private").then(
                self.listing, [show, pick], [table, pick], api_visibility="private")
        to_tip.click(self.tip.from_feedback, pick, [tabs, tip["pick"], *tip["form"]],
                     api_visibility="private")
