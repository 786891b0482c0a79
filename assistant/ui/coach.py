"""The coach workspace (/coach, behind login): escalation queue, answer-to-tip, corpus and feedback tabs."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.escalation import Coach
from assistant.types import strip_citations
from assistant.ui import coach_render
from assistant.ui.coach_bulk import BulkActions
from assistant.ui.coach_corpus import CorpusTabs
from assistant.ui.coach_newcomers import NewcomersTab
from assistant.ui.coach_startcheck import StartcheckEditor
from assistant.ui.login import coach_of
from assistant.ui.render import box
from assistant.ui.services import Services

log = logging.getLogger(__name__)

ALL = "alle"
STATUSES = [("Open", "open"), ("Beantwoord", "answered"), ("Gesloten", "closed"), ("Alle", ALL)]
TITLE = ('<div style="display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:1em">'
         '<h1 style="margin:0">digihulp · werkruimte digicoaches</h1><span>{user}</span></div>')
LOGOUT = ('<form method="post" action="/logout" style="display:inline"><button type="submit" class="dh-link">'
          "Afmelden</button></form>")


class CoachPage:
    def __init__(self, services: Services) -> None:
        self.directory = services.directory
        self.records = services.records
        self.accounts = services.accounts
        self.corpus = CorpusTabs(services)
        self.bulk = BulkActions(services.triage)
        self.duplicates = services.assistant.intake.duplicates
        self.newcomers = NewcomersTab(services.start_results, services.start_content, services.directory,
                                      services.accounts)
        self.startcheck = StartcheckEditor(services.settings)

    # -- helpers ------------------------------------------------------------------------------------------
    def department_choices(self) -> list[tuple[str, str]]:
        depts = sorted(self.directory.departments(), key=lambda d: d.name.casefold())
        return [("Alle diensten", ALL)] + [(d.name, d.id) for d in depts]

    def coaches(self) -> dict[str, Coach]:
        directory = self.directory
        found = [directory.coordinator]
        for dept in directory.departments():
            found += [dept.coach] + ([dept.backup] if dept.backup else [])
        return {c.name: c for c in found}

    def _items(self, dept: str | None, status: str | None) -> list[Any]:
        return self.records.escalations(None if dept in (None, "", ALL) else dept,
                                 None if status in (None, "", ALL) else status)  # type: ignore[arg-type]

    def _draft_for(self, escalation_id: int | None) -> tuple[str, str]:
        escalation = self.records.get(int(escalation_id)) if escalation_id else None
        return coach_render.detail_html(escalation), escalation.answer if escalation else ""

    def take_draft(self, escalation_id: Any, request: gr.Request) -> str:
        """The draft without [n] markers and 'Zie ook' pointers: the colleague does not see the source list."""
        coach_of(request)
        escalation = self.records.get(int(escalation_id)) if escalation_id else None
        draft = (escalation.draft_answer if escalation else "").split("\nZie ook:")[0]
        return strip_citations(draft).strip()

    # -- handlers -----------------------------------------------------------------------------------------
    def refresh(self, dept: str | None, status: str | None, selected: Any) -> tuple[Any, ...]:
        items = self._items(dept, status)
        choices = [(coach_render.choice_label(e), e.id) for e in items]
        keep = selected if any(e.id == selected for e in items) else (items[0].id if items else None)
        detail, text = self._draft_for(keep)
        names = {d.id: d.name for d in self.directory.departments()}
        repeats = self.duplicates.repeat_counts() if self.duplicates is not None else {}
        return coach_render.queue_html(items, names, repeats), gr.update(choices=choices, value=keep), detail, text

    def select(self, escalation_id: Any) -> tuple[str, str]:
        return self._draft_for(escalation_id)

    def _act(self, action: str, escalation_id: Any, request: gr.Request | None, *args: Any) -> str:
        coach = coach_of(request)
        if not escalation_id:
            return box("Kies eerst een vraag.", "notice")
        try:
            if action == "answer":
                self.records.answer(int(escalation_id), str(args[0] or ""), coach)
                return box(f"Antwoord op vraag #{escalation_id} bewaard. De collega ziet het bij een volgend bezoek.",
                           "ok")
            if action == "close":
                self.records.close(int(escalation_id))
                return box(f"Vraag #{escalation_id} is gesloten.", "ok")
            target = self.coaches().get(str(args[0] or ""))
            if target is None:
                return box("Kies de coach aan wie je de vraag doorgeeft.", "notice")
            self.records.hand_over(int(escalation_id), target)
            return box(f"Vraag #{escalation_id} is doorgegeven aan {target.name}.", "ok")
        except DigihulpError as exc:
            return box(f"Dat lukte niet: {exc}", "error")

    def answer(self, escalation_id: Any, text: str, request: gr.Request) -> str:
        return self._act("answer", escalation_id, request, text)

    def close(self, escalation_id: Any, request: gr.Request) -> str:
        return self._act("close", escalation_id, request)

    def hand_over(self, escalation_id: Any, coach_name: str, request: gr.Request) -> str:
        return self._act("hand_over", escalation_id, request, coach_name)

    def feedback(self, request: gr.Request) -> str:
        coach_of(request)
        return coach_render.feedback_html(self.records.negative_feedback())

    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        user = coach_of(request)
        account = self.accounts.get(user)
        dept = self.directory.get(account.department if account else "")
        hello = TITLE.format(user=f"Aangemeld als <strong>{coach_render.esc(user)}</strong> · {LOGOUT}")
        return (hello, gr.update(value=dept.id if dept else ALL), *self.refresh(dept.id if dept else ALL, "open", None))

    # -- layout -------------------------------------------------------------------------------------------
    def blocks(self) -> gr.Blocks:
        with gr.Blocks(title="digihulp – digicoaches", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            c: dict[str, Any] = {"demo": demo}
            c["hello"] = gr.HTML(TITLE.format(user=""), elem_id="dh-hello")
            with gr.Tabs():
                with gr.Tab("Escalaties", id="escalaties"):
                    self._queue_tab(c)
                with gr.Tab("Van antwoord naar tip", id="tip") as tip_tab:
                    self.corpus.tip_tab(tip_tab, self.department_choices()[1:])
                with gr.Tab("Corpus", id="corpus") as corpus_tab:
                    self.corpus.corpus_tab(corpus_tab)
                with gr.Tab("Feedback", id="feedback") as c["fb_tab"]:
                    c["fb_btn"] = gr.Button("Vernieuwen", size="sm")
                    c["fb_html"] = gr.HTML("")
                with gr.Tab("Nieuwe collega's", id="nieuwe-collegas") as newcomers_tab:
                    self.newcomers.build(newcomers_tab)
                    self.startcheck.build()
            self._wire(c)
        return demo

    def _queue_tab(self, c: dict[str, Any]) -> None:
        with gr.Row():
            c["dept"] = gr.Dropdown(self.department_choices(), value=ALL, label="Dienst", elem_id="dh-filter-dienst")
            c["status"] = gr.Radio(STATUSES, value="open", label="Status")
            c["refresh"] = gr.Button("Vernieuwen", size="sm", scale=0)
        c["queue"] = gr.HTML("", elem_id="dh-queue")
        c["pick"] = gr.Dropdown([], value=None, label="Vraag (oudste eerst)", elem_id="dh-pick")
        c["detail"] = gr.HTML("", elem_id="dh-detail")
        c["text"] = gr.Textbox(label="Jouw antwoord aan de collega", lines=6, max_length=10_000, elem_id="dh-reply",
                               placeholder="Schrijf je antwoord, of neem het ontwerp van digihulp over en pas het aan.")
        with gr.Row():
            c["draft_btn"] = gr.Button("Ontwerp overnemen")
            c["answer_btn"] = gr.Button("Antwoord versturen", variant="primary", elem_id="dh-reply-send")
            c["close_btn"] = gr.Button("Sluiten zonder antwoord")
        with gr.Row():
            coaches = [(f"{name}", name) for name in sorted(self.coaches())]
            c["to_coach"] = gr.Dropdown(coaches, value=None, label="Doorgeven aan", scale=3)
            c["hand_btn"] = gr.Button("Doorgeven", scale=1)
        c["msg"] = gr.HTML("")
        self.bulk.section(c)

    def _wire(self, c: dict[str, Any]) -> None:
        listing = [c["queue"], c["pick"], c["detail"], c["text"]]
        filters = [c["dept"], c["status"], c["pick"]]
        for event in (c["refresh"].click, c["dept"].input, c["status"].input):
            event(self.refresh, filters, listing, api_visibility="private")
        c["pick"].input(self.select, c["pick"], [c["detail"], c["text"]], api_visibility="private")
        c["draft_btn"].click(self.take_draft, c["pick"], c["text"], api_visibility="private")
        for button, fn, extra in ((c["answer_btn"], self.answer, [c["text"]]), (c["close_btn"], self.close, []),
                                  (c["hand_btn"], self.hand_over, [c["to_coach"]])):
            button.click(fn, [c["pick"], *extra], c["msg"], api_visibility="private").then(
                self.refresh, filters, listing, api_visibility="private")
        self.bulk.wire(c, self._items, self.refresh, filters, listing)
        for event in (c["fb_tab"].select, c["fb_btn"].click):
            event(self.feedback, None, c["fb_html"], api_visibility="private")
        c["demo"].load(self.on_load, None, [c["hello"], c["dept"], *listing], api_visibility="private")
