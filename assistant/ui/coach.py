"""The coach workspace (/coach, behind login): escalation queue, answer-to-tip, corpus, feedback, knowledge gaps,
tip freshness, the meeting agenda and new-colleague tabs, each in its own module; this one composes them."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.ui import coach_render
from assistant.ui.coach_corpus import CorpusTabs
from assistant.ui.coach_feedback import FeedbackTab
from assistant.ui.coach_gaps import GapTab
from assistant.ui.coach_newcomers import NewcomersTab
from assistant.ui.coach_queue import ALL, QueueTab
from assistant.ui.coach_review import ReviewTabs
from assistant.ui.coach_startcheck import StartcheckEditor
from assistant.ui.coach_tip import TipTab
from assistant.ui.login import coach_of
from assistant.ui.services import Services

log = logging.getLogger(__name__)

TITLE = ('<div style="display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:1em">'
         '<h1 style="margin:0">digihulp · werkruimte digicoaches</h1><span>{user}</span></div>')
LOGOUT = ('<form method="post" action="/logout" style="display:inline"><button type="submit" class="dh-link">'
          "Afmelden</button></form>")


class CoachPage:
    def __init__(self, services: Services) -> None:
        self.directory = services.directory
        self.records = services.records
        self.accounts = services.accounts
        self.queue = QueueTab(services)
        self.tip = TipTab(services)
        self.corpus = CorpusTabs(services)
        self.gaps = GapTab(services.gaps, services.directory, services.tips)
        self.review = ReviewTabs(services.gaps, services.directory, services.tips)
        self.feedback = FeedbackTab(services, self.tip)
        self.newcomers = NewcomersTab(services.start_results, services.start_content, services.directory,
                                      services.accounts)
        self.startcheck = StartcheckEditor(services.settings)

    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        user = coach_of(request)
        account = self.accounts.get(user)
        dept = self.directory.get(account.department if account else "")
        hello = TITLE.format(user=f"Aangemeld als <strong>{coach_render.esc(user)}</strong> · {LOGOUT}")
        view = dept.id if dept else ALL
        return (hello, gr.update(value=view), *self.queue.refresh(view, "open", None, request))

    # -- layout -------------------------------------------------------------------------------------------
    def blocks(self) -> gr.Blocks:
        with gr.Blocks(title="digihulp – digicoaches", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            c: dict[str, Any] = {"demo": demo}
            c["hello"] = gr.HTML(TITLE.format(user=""), elem_id="dh-hello")
            with gr.Tabs() as c["tabs"]:
                with gr.Tab("Escalaties", id="escalaties"):
                    self.queue.tab(c)
                with gr.Tab("Van antwoord naar tip", id="tip") as tip_tab:
                    tip = self.tip.tab(tip_tab, self.queue.department_choices()[2:])
                with gr.Tab("Corpus", id="corpus") as corpus_tab:
                    self.corpus.corpus_tab(corpus_tab)
                with gr.Tab("Feedback", id="feedback") as fb_tab:
                    self.feedback.tab(fb_tab, c["tabs"], tip)
                with gr.Tab("Kennishiaten", id="kennishiaten") as gaps_tab:
                    self.gaps.tab(gaps_tab, self.queue.department_choices()[2:])
                with gr.Tab("Nakijken", id="nakijken") as review_tab:
                    self.review.freshness_tab(review_tab)
                with gr.Tab("Overleg", id="overleg"):
                    self.review.agenda_tab()
                with gr.Tab("Nieuwe collega's", id="nieuwe-collegas") as newcomers_tab:
                    self.newcomers.build(newcomers_tab)
                    self.startcheck.build()
            self.queue.wire(c)
            listing = [c["queue"], c["pick"], c["detail"], c["text"]]
            c["demo"].load(self.on_load, None, [c["hello"], c["dept"], *listing], api_visibility="private")
        return demo
