"""The chat page for staff (no login): pick your department, ask, read the sources, rate, escalate."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.types import Answer
from assistant.ui import render
from assistant.ui.client import client_of
from assistant.ui.services import Services
from assistant.ui.session import sign_id, unsign_id

log = logging.getLogger(__name__)

OTHER_DEPT = "andere"
MAX_REMEMBERED = 30
HEADER = """<div style="margin-bottom:.3em"><h1 style="margin:0">digihulp</h1>
<p style="margin:.2em 0 0 0">Stel je vraag over Outlook, Teams, printen, aanmelden, ... Ik zoek het antwoord in de tips
en handleidingen van de digicoaches. Weet ik het niet zeker, dan geef ik je vraag door aan je digicoach.</p>
<p style="margin:.4em 0 0 0"><a href="/start" id="dh-startcheck">Nieuw bij de stad? Doe de startcheck</a></p></div>"""


class ChatPage:
    """Thin handlers: they call the assistant and its stores, and format the result as escaped HTML."""

    def __init__(self, services: Services, secret: str) -> None:
        self.assistant = services.assistant
        self.directory = services.directory
        self.records = services.records
        self.secret = secret

    # -- helpers ------------------------------------------------------------------------------------------
    def department_choices(self) -> list[tuple[str, str]]:
        depts = sorted(self.directory.departments(), key=lambda d: d.name.casefold())
        return [(d.name, d.id) for d in depts] + [("Andere dienst / weet ik niet", OTHER_DEPT)]

    def _known(self, department: str | None) -> str | None:
        if department == OTHER_DEPT:
            return OTHER_DEPT
        dept = self.directory.get(department)
        return dept.id if dept else None

    def what_to_do(self, department: str | None) -> str:
        coach = self.directory.route(department).coach
        phone = f", {coach.phone}" if coach.phone else ""
        return (f"Probeer het over enkele minuten opnieuw. Lukt het dan nog niet, contacteer je digicoach "
                f"{coach.name} ({coach.email}{phone}).")

    def _answer_html(self, answer: Answer) -> str:
        token = sign_id(self.secret, answer.escalation_id) if answer.escalation_id else ""
        return render.answer_html(answer, token)

    @staticmethod
    def _remember(ids: Any, new_id: int | None) -> list[int]:
        kept = [int(i) for i in (ids or []) if str(i).isdigit()]
        if new_id is not None and new_id not in kept:
            kept.append(int(new_id))
        return kept[-MAX_REMEMBERED:]

    # -- handlers -----------------------------------------------------------------------------------------
    def ask(self, question: str, department: str | None, name: str, contact: str, ids: Any,
            request: gr.Request = None,  # Gradio fills it in
            progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 (Gradio's idiom)
        hidden = gr.update(visible=False)
        if not self._known(department):
            return render.box("Kies eerst je dienst bovenaan, dan weet ik wie je digicoach is.", "notice"), \
                None, ids, hidden, hidden, ""
        progress(0.1, desc="Ik zoek in de tips en handleidingen…")
        try:
            answer = self.assistant.ask(question or "", department, asker_name=(name or "").strip(),
                                        asker_contact=(contact or "").strip(), client=client_of(request))
        except DigihulpError as exc:
            log.warning("Question not answered: %s", exc)
            return render.error_box(str(exc), self.what_to_do(department)), None, ids, hidden, hidden, ""
        except Exception:
            log.exception("Unexpected error while answering")
            message = "Er liep iets onverwachts fout bij het zoeken."
            return render.error_box(message, self.what_to_do(department)), None, ids, hidden, hidden, ""
        answered = bool(answer.text or answer.escalated)
        return (self._answer_html(answer), answer if answered else None, self._remember(ids, answer.escalation_id),
                gr.update(visible=answered), gr.update(visible=answered and not answer.escalated), "")

    def escalate(self, answer: Answer | None, department: str | None, name: str, contact: str,
                 ids: Any, request: gr.Request = None) -> tuple[Any, ...]:
        if answer is None:
            return gr.skip(), answer, ids, gr.skip(), render.box("Stel eerst een vraag.", "notice")
        if answer.escalated:
            return gr.skip(), answer, ids, gr.update(visible=False), render.box(
                f"Je vraag ligt al bij {answer.coach}.", "ok")
        try:
            done = self.assistant.escalate(answer, department if self._known(department) else None,
                                           (name or "").strip(), (contact or "").strip(), client_of(request))
        except Exception:
            log.exception("Escalation failed")
            return gr.skip(), answer, ids, gr.skip(), render.error_box(
                "Je vraag kon niet doorgegeven worden.", self.what_to_do(department))
        if not done.escalated:  # over the limit: the notice in the answer says why and whom to contact
            return self._answer_html(done), done, ids, gr.skip(), render.box(done.notice, "notice")
        return (self._answer_html(done), done, self._remember(ids, done.escalation_id), gr.update(visible=False),
                render.box(f"Je vraag is doorgegeven aan {done.coach}.", "ok"))

    def feedback(self, answer: Answer | None, comment: str, department: str | None, rating: int) -> str:
        if answer is None:
            return render.box("Stel eerst een vraag.", "notice")
        try:
            self.records.add_feedback(answer.question, answer.text, rating, (comment or "").strip()[:2000],
                                                self._known(department))
        except Exception:
            log.exception("Could not store feedback")
            return render.error_box("Je feedback kon niet bewaard worden.", "Probeer het later nog eens.")
        thanks = "Fijn dat het hielp!" if rating > 0 else "Bedankt, de digicoaches bekijken dit antwoord."
        return render.box(thanks, "ok")

    def on_load(self, department: str | None, ids: Any, request: gr.Request) -> tuple[Any, ...]:
        """Restore the department and show coach answers to earlier questions (or to ?vraag=<link>)."""
        ids = self._remember(ids, None)
        linked = unsign_id(self.secret, request.query_params.get("vraag") if request else None)
        if linked is not None:
            ids = self._remember(ids, linked)
        try:
            answered = self.records.answered_for(ids)
        except Exception:
            log.exception("Could not read coach answers")
            answered = []
        waiting = ""
        if linked is not None and all(e.id != linked for e in answered):
            waiting = render.box(f"Je vraag #{linked} is nog niet beantwoord. Kom later nog eens kijken.", "notice")
        dept = department if self._known(department) else None
        return gr.update(value=dept), waiting + render.coach_answers_html(answered), ids

    # -- layout -------------------------------------------------------------------------------------------
    def blocks(self) -> gr.Blocks:
        with gr.Blocks(title="digihulp", analytics_enabled=False) as demo:
            gr.HTML(HEADER)
            c: dict[str, Any] = {"demo": demo}
            c["dept_store"] = gr.BrowserState("", storage_key="digihulp_dienst", secret=self.secret)
            c["ids_store"] = gr.BrowserState([], storage_key="digihulp_vragen", secret=self.secret)
            c["answer_state"] = gr.State(None)
            c["dept"] = gr.Dropdown(self.department_choices(), value=None, label="Jouw dienst", elem_id="dh-dienst",
                                    info="We onthouden je keuze in deze browser. Je kunt ze altijd wijzigen.")
            c["coach_answers"] = gr.HTML("", elem_id="dh-coach-answers")
            with gr.Row(equal_height=True):
                c["question"] = gr.Textbox(label="Je vraag", placeholder="bv. Hoe print ik met mijn badge?", lines=2,
                                           max_lines=6, scale=5, elem_id="dh-vraag")
                c["ask_btn"] = gr.Button("Vraag", variant="primary", scale=1, elem_id="dh-vraag-knop")
            c["answer"] = gr.HTML("", elem_id="dh-antwoord")
            self._after_answer(c)
            self._wire(c)
        return demo

    @staticmethod
    def _after_answer(c: dict[str, Any]) -> None:
        with gr.Accordion("Je naam en contactgegevens voor de digicoach (niet verplicht)", open=False), gr.Row():
            c["name"] = gr.Textbox(label="Naam", max_length=120)
            c["contact"] = gr.Textbox(label="E-mail of telefoon", max_length=120)
        with gr.Column(visible=False) as c["after"]:
            gr.HTML("<strong>Was dit antwoord nuttig?</strong>")
            with gr.Row():
                c["up"] = gr.Button("👍 Ja", size="sm", elem_id="dh-duim-op")
                c["down"] = gr.Button("👎 Nee", size="sm", elem_id="dh-duim-neer")
                c["esc_btn"] = gr.Button("Vraag het aan mijn digicoach", elem_id="dh-escaleer")
            c["comment"] = gr.Textbox(label="Opmerking bij je 👍 / 👎 (niet verplicht)", max_length=2000,
                                      elem_id="dh-opmerking")
            c["status"] = gr.HTML("", elem_id="dh-status")

    def _wire(self, c: dict[str, Any]) -> None:
        ask_in = [c["question"], c["dept"], c["name"], c["contact"], c["ids_store"]]
        ask_out = [c["answer"], c["answer_state"], c["ids_store"], c["after"], c["esc_btn"], c["status"]]
        progress: dict[str, Any] = {"show_progress": "full", "show_progress_on": [c["answer"]]}
        c["ask_btn"].click(self.ask, ask_in, ask_out, api_name="vraag", **progress)
        c["question"].submit(self.ask, ask_in, ask_out, api_visibility="private", **progress)
        c["esc_btn"].click(self.escalate, [c["answer_state"], c["dept"], c["name"], c["contact"], c["ids_store"]],
                           [c["answer"], c["answer_state"], c["ids_store"], c["esc_btn"], c["status"]],
                           api_name="escaleer")
        for button, rating in ((c["up"], 1), (c["down"], -1)):
            button.click(lambda a, m, d, r=rating: self.feedback(a, m, d, r),
                         [c["answer_state"], c["comment"], c["dept"]], c["status"], api_visibility="private")
        c["dept"].change(lambda d: d, c["dept"], c["dept_store"], api_visibility="private", show_progress="hidden")
        c["demo"].load(self.on_load, [c["dept_store"], c["ids_store"]], [c["dept"], c["coach_answers"],
                                                                          c["ids_store"]], api_visibility="private")
