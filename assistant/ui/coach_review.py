"""Coach tabs 'Nakijken' (tip freshness: overdue and ownerless tips, "Nagekeken") and 'Overleg' (the agenda)."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from typing import Any

import gradio as gr

from assistant import agenda
from assistant.agenda import render as agenda_render
from assistant.agenda.build import directory_coaches
from assistant.errors import DigihulpError
from assistant.escalation import CoachDirectory
from assistant.freshness import citation_counts, freshness_rows
from assistant.gap_board import GapBoard
from assistant.ui import gaps_render
from assistant.ui.coach_gaps import parse_day
from assistant.ui.login import coach_of
from assistant.ui.render import box
from ingest import corpus_files
from ingest.corpus_files import CorpusError
from ingest.tip_facts import TipShelf, corpus_facts

log = logging.getLogger(__name__)


class ReviewTabs:
    def __init__(self, board: GapBoard, directory: CoachDirectory, tips: TipShelf) -> None:
        self.board, self.directory, self.shelf, self.settings = board, directory, tips, board.settings
        self._last: agenda.AgendaFiles | None = None

    # -- Nakijken -----------------------------------------------------------------------------------------
    def freshness(self, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        today = dt.date.today()
        counts = citation_counts(self.board.records, today, self.settings.citation_window_days)
        coaches = {c.name for c in directory_coaches(self.directory)}
        rows = freshness_rows(self.shelf.tips(), counts, coaches, today)
        choices = [(f"{r.tip.title} ({r.tip.source})", r.tip.source) for r in rows]
        return (gaps_render.freshness_html(rows, today, self.settings.citation_window_days),
                gr.update(choices=choices, value=choices[0][1] if choices else None))

    def reviewed(self, rel: str | None, request: gr.Request) -> str:
        coach = coach_of(request)
        if not rel:
            return box("Kies eerst een tip.", "notice")
        try:
            corpus_files.set_front_matter(self.settings, rel, "reviewed", corpus_files.today_iso())
        except CorpusError as exc:
            return box(str(exc), "error")
        log.info("Tip %s reviewed by %s", rel, coach)
        return box(f"De tip {rel} is nagekeken op vandaag. Collega's zien die datum bij elk antwoord.", "ok")

    def freshness_tab(self, tab: gr.Tab) -> None:
        refresh = gr.Button("Vernieuwen", size="sm", elem_id="dh-fresh-refresh")
        table = gr.HTML("", elem_id="dh-fresh")
        with gr.Row():
            tip = gr.Dropdown([], value=None, label="Tip", scale=4, elem_id="dh-fresh-pick")
            done = gr.Button("Nagekeken", variant="primary", scale=1, elem_id="dh-fresh-done")
        msg = gr.HTML("", elem_id="dh-fresh-msg")
        for event in (tab.select, refresh.click):
            event(self.freshness, None, [table, tip], api_visibility="private")
        done.click(self.reviewed, tip, msg, api_visibility="private").then(
            self.freshness, None, [table, tip], api_visibility="private")

    # -- Overleg ------------------------------------------------------------------------------------------
    def make_agenda(self, since: str | None, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        start = parse_day(since, dt.date.min) if (since or "").strip() else None
        out = self.settings.data_dir / "agenda" / f"agenda-{dt.date.today().isoformat()}.md"
        try:
            files = agenda.write_agenda(self.settings, self.board, self.directory,
                                        corpus_facts(self.settings, self.shelf), out, since=start)
        except DigihulpError as exc:
            return box(f"De agenda kon niet gemaakt worden: {exc}", "error"), None
        self._last = files
        images = "".join(f'<p><img alt="grafiek" style="max-width:100%" src="data:image/png;base64,'
                         f'{base64.b64encode(p.read_bytes()).decode()}"></p>' for p in files.charts)
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark", {"html": False}).enable("table").render(agenda_render.markdown(files.data))
        return (f'<div class="dh-box dh-answer" id="dh-agenda-body">{body}{images}</div>',
                [str(files.markdown), str(files.html)])

    def save_note(self, request: gr.Request) -> str:
        coach = coach_of(request)
        if self._last is None:
            return box("Maak eerst de agenda.", "notice")
        try:
            data = self._last.data
            rel = corpus_files.write_meeting_note(self.settings, data.meeting, agenda_render.note_skeleton(data, []))
        except CorpusError as exc:
            return box(str(exc), "error")
        log.info("Agenda saved as meeting notes %s by %s", rel, coach)
        return box(f"Bewaard als {rel}: vul het verslag tijdens het overleg aan. Het wordt doorzoekbaar na "
                   "'Index bijwerken'.", "ok")

    def agenda_tab(self) -> None:
        with gr.Row():
            since = gr.Textbox("", label="Sinds (JJJJ-MM-DD; leeg = het vorige overleg)", max_length=10,
                               elem_id="dh-agenda-sinds")
            make = gr.Button("Agenda maken", variant="primary", scale=0, elem_id="dh-agenda-maak")
        # Hidden until there is an agenda: Gradio's empty file box is an unnamed div with an aria-label (WCAG).
        files = gr.File(label="Agenda (Markdown en afdrukbare HTML)", file_count="multiple", interactive=False,
                        visible=False, elem_id="dh-agenda-bestanden")
        save = gr.Button("Bewaar als verslag in overleg/", elem_id="dh-agenda-bewaar")
        msg = gr.HTML("", elem_id="dh-agenda-msg")
        page = gr.HTML("", elem_id="dh-agenda")
        make.click(self.make_agenda, since, [page, files], api_visibility="private").then(
            lambda made: gr.update(visible=bool(made)), files, files, api_visibility="private")
        save.click(self.save_note, None, msg, api_visibility="private")
