"""The chat page for staff (no login): pick your department, ask, read the sources, rate, escalate, and follow
your questions to the coach in "Mijn vragen"."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.clients import parse_networks
from assistant.errors import DigihulpError
from assistant.mail import mail_address
from assistant.service import ASK_COACH
from assistant.types import Answer
from assistant.ui import render
from assistant.ui.chat_feedback import AnswerFeedback, Given, Outcome
from assistant.ui.chat_layout import Layout
from assistant.ui.client import client_of
from assistant.ui.my_questions import linked_html, my_questions_html
from assistant.ui.services import Services
from assistant.ui.session import sign_id, unsign_id

log = logging.getLogger(__name__)

OTHER_DEPT = "andere"
MAX_REMEMBERED = 30
MAX_TURNS = 20  # of one visit kept on the page (and in server memory)
SITE_LABEL = {"stadhuis": "Stadhuis", "welzijnshuis": "Welzijnshuis"}


def _show(visible: bool) -> Any:
    return gr.update(visible=visible)


class ChatPage:
    """Thin handlers: they call the assistant and its stores, and format the result as escaped HTML."""

    def __init__(self, services: Services, secret: str) -> None:
        self.assistant = services.assistant
        self.directory = services.directory
        self.records = services.records
        self.secret = secret
        self.trusted = parse_networks(services.settings.trusted_proxies)  # whose X-Forwarded-For is believed
        self.feedback = AnswerFeedback(services.records)
        self.freshness = services.freshness

    # -- helpers ------------------------------------------------------------------------------------------
    def department_choices(self) -> list[tuple[str, str]]:
        """Grouped by site (stadhuis first), each with the other names colleagues search it by: the picker
        filters on the label, so "welzijn" finds every department of the welzijnshuis and "ocmw" the social
        service."""
        order = {site: i for i, site in enumerate(SITE_LABEL)}
        depts = sorted(self.directory.departments(), key=lambda d: (order.get(d.site, 9), d.name.casefold()))
        choices = []
        for d in depts:
            label = f"{SITE_LABEL.get(d.site, d.site)} › {d.name}"
            extra = [a for a in d.aliases if a.casefold() not in label.casefold()]
            choices.append((label + (f" ({', '.join(extra)})" if extra else ""), d.id))
        return [*choices, ("Andere dienst / weet ik niet", OTHER_DEPT)]

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

    def link(self, escalation_id: int) -> str:
        return f"?vraag={sign_id(self.secret, escalation_id)}"

    def _answer_html(self, answer: Answer) -> str:
        token = sign_id(self.secret, answer.escalation_id) if answer.escalation_id else ""
        marks = None
        if self.freshness is not None:
            try:
                marks = self.freshness.lookup(c.source for c in answer.citations if c.doc_type == "tip")
            except Exception:  # a freshness note must never cost a colleague their answer
                log.exception("Could not read tip freshness")
        return render.answer_html(answer, token, marks)

    def _mine(self, ids: list[int]) -> str:
        try:
            return my_questions_html(self.records.for_asker(ids), self.directory.days_for, self.link)
        except Exception:
            log.exception("Could not read the colleague's questions")
            return ""

    @staticmethod
    def _remember(ids: Any, new_id: int | None) -> list[int]:
        kept = [int(i) for i in (ids or []) if str(i).isdigit()]
        if new_id is not None and new_id not in kept:
            kept.append(int(new_id))
        return kept[-MAX_REMEMBERED:]

    @staticmethod
    def _turns(turns: Any) -> list[str]:
        return [str(t) for t in (turns or [])][-MAX_TURNS:]

    def _panels(self, answer: Answer | None) -> tuple[Any, ...]:
        """Visibility under the latest answer: (after, rate, escalate button, contact box)."""
        if answer is None or answer.band == "greeting" or not (answer.text or answer.escalated):
            return _show(False), _show(False), gr.update(visible=False), _show(False)
        # Under a "niet zeker" answer the coach button is the first thing to offer, not the thumbs.
        rate = bool(answer.citations) and answer.band not in ("referred", "greeting", "unsure")
        label = {"referred": "Toch aan mijn digicoach vragen", "unsure": ASK_COACH}.get(answer.band,
                                                                                       "Vraag het aan mijn digicoach")
        return (_show(True), _show(rate), gr.update(visible=not answer.escalated, value=label),
                _show(answer.escalated and answer.escalation_id is not None))

    # -- handlers -----------------------------------------------------------------------------------------
    def ask(self, question: str, department: str | None, ids: Any, turns: Any, comment: str, given: Given | None,
            request: gr.Request = None,  # Gradio fills it in
            progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 (Gradio's idiom)
        turns = self._turns(turns)
        self.feedback.settle(len(turns), given, comment)
        if not self._known(department):
            said = "Kies eerst je dienst bovenaan, dan weet ik wie je digicoach is."
            return self._reply(turns, render.box(said, "notice"), None, ids, question, said)
        progress(0.1, desc="Ik zoek in de tips en handleidingen…")
        try:
            answer = self.assistant.ask(question or "", department, client=client_of(request, self.trusted))
        except DigihulpError as exc:
            log.warning("Question not answered: %s", exc)
            html = render.error_box(str(exc), self.what_to_do(department))
            return self._reply(turns, html, None, ids, question, f"Er ging iets mis. {exc}")
        except Exception:
            log.exception("Unexpected error while answering")
            message = "Er liep iets onverwachts fout bij het zoeken."
            html = render.error_box(message, self.what_to_do(department))
            return self._reply(turns, html, None, ids, question, message)
        return self._reply(turns, self._answer_html(answer), answer, ids, "")

    def _reply(self, turns: list[str], html: str, answer: Answer | None, ids: Any, question: str,
               said: str = "") -> tuple[Any, ...]:
        """Outputs of a question: the conversation with this turn added, a fresh feedback state and an empty comment
        box; the question stays in its box only when it was not answered (to try again)."""
        answered = answer if answer is not None and (answer.text or answer.escalated) else None
        turns = [*turns, html][-MAX_TURNS:]
        new_ids = self._remember(ids, answer.escalation_id if answer else None)
        mine = self._mine(new_ids) if answer is not None and answer.escalation_id else gr.skip()
        live = render.live_text(answer) if answer is not None else f"<p>{render.esc(said)}</p>"
        return (render.conversation_html(turns), turns, answered, new_ids, *self._panels(answered), "", "", None,
                question, mine, live, "")

    def escalate(self, answer: Answer | None, department: str | None, ids: Any, turns: Any,
                 request: gr.Request = None) -> tuple[Any, ...]:
        turns = self._turns(turns)
        if answer is None:
            return gr.skip(), turns, answer, ids, gr.skip(), gr.skip(), render.box("Stel eerst een vraag."), gr.skip()
        if answer.escalated:
            return (gr.skip(), turns, answer, ids, gr.update(visible=False), gr.skip(),
                    render.box(f"Je vraag ligt al bij {answer.coach}.", "ok"), gr.skip())
        try:
            done = self.assistant.escalate(answer, department if self._known(department) else None,
                                           client=client_of(request, self.trusted))
        except Exception:
            log.exception("Escalation failed")
            return gr.skip(), turns, answer, ids, gr.skip(), gr.skip(), render.error_box(
                "Je vraag kon niet doorgegeven worden.", self.what_to_do(department)), gr.skip()
        turns = [*turns[:-1], self._answer_html(done)] if turns else [self._answer_html(done)]
        if not done.escalated:  # over the limit: the notice in the answer says why and whom to contact
            return (render.conversation_html(turns), turns, done, ids, gr.skip(), gr.skip(),
                    render.box(done.notice, "notice"), gr.skip())
        ids = self._remember(ids, done.escalation_id)
        return (render.conversation_html(turns), turns, done, ids, gr.update(visible=False), _show(True),
                render.box(f"Je vraag is doorgegeven aan {done.coach}.", "ok"), self._mine(ids))

    def contact(self, answer: Answer | None, name: str, contact: str, ids: Any) -> tuple[str, Any]:
        """Name and contact, asked after "Doorgestuurd naar je digicoach"; an e-mail address gets the answer."""
        name, contact = (name or "").strip()[:120], (contact or "").strip()[:120]
        if answer is None or not answer.escalation_id:
            return render.box("Stel eerst een vraag.", "notice"), gr.skip()
        if not name and not contact:
            return render.box("Vul je naam of je e-mailadres in.", "notice"), gr.skip()
        if "@" in contact and not mail_address(contact):
            return render.box("Dit e-mailadres lijkt niet te kloppen. Kijk het even na.", "notice"), gr.skip()
        try:
            self.records.set_asker(answer.escalation_id, name, contact)
        except DigihulpError:
            return render.box("Je digicoach heeft je vraag al behandeld: kijk bij 'Mijn vragen'.", "notice"), gr.skip()
        except Exception:
            log.exception("Could not store the asker's contact")
            return render.error_box("Je gegevens konden niet bewaard worden.", "Probeer het zo meteen opnieuw."), \
                gr.skip()
        first = answer.coach.split()[0] if answer.coach else "je digicoach"
        if mail_address(contact):
            said = f"Bewaard. Je krijgt een mail op {contact} zodra {first} je vraag beantwoord heeft."
        else:
            said = f"Bewaard. {first} weet nu wie de vraag stelde" + (f" en kan je bereiken op {contact}." if contact
                                                                        else ".")
        return render.box(said, "ok"), self._mine(self._remember(ids, None))

    def rate(self, answer: Answer | None, turns: Any, given: Given | None, comment: str, department: str | None,
             rating: int) -> tuple[Any, ...]:
        try:
            done = self.feedback.rate(answer, len(self._turns(turns)), given, rating, comment, self._known(department))
        except Exception:
            log.exception("Could not store feedback")
            done = Outcome(given, "Je feedback kon niet bewaard worden. Probeer het later nog eens.", "error")
        return render.box(done.message, done.kind), done.given, gr.skip()

    def send_comment(self, answer: Answer | None, turns: Any, given: Given | None, comment: str) -> tuple[Any, ...]:
        try:
            done = self.feedback.comment(answer, len(self._turns(turns)), given, comment)
        except Exception:
            log.exception("Could not store the comment")
            done = Outcome(given, "Je opmerking kon niet bewaard worden. Probeer het later nog eens.", "error")
        return render.box(done.message, done.kind), done.given, "" if done.clear else gr.skip()

    def on_load(self, department: str | None, ids: Any, request: gr.Request) -> tuple[Any, ...]:
        """Restore the department, show "Mijn vragen" and, for a ?vraag=<link>, that question on top."""
        ids = self._remember(ids, None)
        token = request.query_params.get("vraag") if request else None
        top = ""
        if token is not None:
            linked = unsign_id(self.secret, token)
            ids = self._remember(ids, linked)
            try:
                found = self.records.get(linked) if linked is not None else None
            except DigihulpError:
                log.exception("Could not read question #%s", linked)
                found = None
            top = linked_html(found, linked, self.directory.days_for, self.link(linked) if linked else "")
        dept = department if self._known(department) else None
        return gr.update(value=dept), top, self._mine(ids), ids

    def blocks(self) -> gr.Blocks:
        return Layout(self).blocks()
