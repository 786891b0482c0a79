"""Coach tab 'Kennishiaten': one card per group of questions digihulp could not answer well, with actions."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import gradio as gr

from assistant.agenda.meetings import meetings
from assistant.errors import DigihulpError
from assistant.escalation import CoachDirectory
from assistant.gap_board import GapBoard
from assistant.gaps import GapCard
from assistant.ui import gaps_render
from assistant.ui.login import coach_of
from assistant.ui.render import box
from ingest import corpus_files
from ingest.corpus_files import CorpusError, TipDraft
from ingest.tip_facts import TipShelf, meeting_dates

log = logging.getLogger(__name__)
NEXT_INDEX = (" Klik op 'Index bijwerken' in het tabblad Corpus om hem doorzoekbaar te maken; daarna komen de vragen "
              "van deze kaart in de evaluatieset.")


def parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text or "").strip()) if str(text or "").strip() else default
    except ValueError as exc:
        raise gr.Error(f"Ongeldige datum '{text}': gebruik JJJJ-MM-DD, bv. 2026-11-18.") from exc


class GapTab:
    def __init__(self, board: GapBoard, directory: CoachDirectory, tips: TipShelf) -> None:
        self.board, self.directory, self.shelf = board, directory, tips
        self.settings = board.settings

    def default_period(self, today: dt.date | None = None) -> tuple[str, str]:
        today = today or dt.date.today()
        last = meetings(self.settings, meeting_dates(self.settings.corpus_dir), today).last
        since = last if last and last < today else today - dt.timedelta(days=self.settings.meeting_every_days)
        return since.isoformat(), today.isoformat()

    def _period(self, since: str | None, until: str | None) -> tuple[dt.date, dt.date]:
        default_since, default_until = self.default_period()
        start = parse_day(since, dt.date.fromisoformat(default_since))
        end = parse_day(until, dt.date.fromisoformat(default_until)) + dt.timedelta(days=1)
        if end <= start:
            raise gr.Error("De einddatum ligt voor de begindatum.")
        return start, end

    def _card(self, key: str | None) -> GapCard:
        card = self.board.card(str(key or ""))
        if card is None:
            raise gr.Error("Kies eerst een kaart (klik op 'Vernieuwen' als de lijst verouderd is).")
        return card

    # -- handlers -----------------------------------------------------------------------------------------
    def refresh(self, since: str | None, until: str | None, request: gr.Request,
                selected: str | None = None) -> tuple[Any, ...]:
        coach_of(request)
        start, end = self._period(since, until)
        try:
            cards = self.board.cards(start, end)
        except DigihulpError as exc:
            return box(f"De kennishiaten konden niet gelezen worden: {exc}", "error"), gr.update(choices=[], value=None)
        names = {d.id: d.name for d in self.directory.departments()}
        choices = [(f"{c.label} ({c.count} · {c.status_nl})", c.key) for c in cards]
        html = gaps_render.board_html(cards, names, start, end)
        keep = self.board.resolve(selected)
        value = keep if any(c.key == keep for c in cards) else (choices[0][1] if choices else None)
        return html, gr.update(choices=choices, value=value)

    def refresh_keeping(self, since: str | None, until: str | None, selected: str | None,
                        request: gr.Request) -> tuple[Any, ...]:
        return self.refresh(since, until, request, selected)

    def tips(self, request: gr.Request) -> Any:
        coach_of(request)
        rows = sorted(self.shelf.tips(), key=lambda t: t.title.casefold())
        return gr.update(choices=[(f"{t.title} ({t.source})", t.source) for t in rows], value=None)

    def start_tip(self, key: str | None, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        prefill = self.board.prefill(self._card(key))
        dept = self.directory.get(prefill.department)
        return (gr.update(visible=True), prefill.title, prefill.app, prefill.tags, dept.id if dept else None,
                prefill.body, box(f"{prefill.note} Pas de tip aan en klik op 'Tip opslaan'.", "notice"))

    def save_tip(self, key: str | None, title: str, app: str, tags: str, dept: str | None, body: str,
                 request: gr.Request) -> str:
        coach = coach_of(request)
        card = self._card(key)
        try:
            rel = corpus_files.write_tip(self.settings, TipDraft(title or "", app or "", tags or "", dept or "",
                                                                 body or ""), coach).rel
        except CorpusError as exc:
            return box(str(exc), "error")
        self.board.decide(card, "tip", coach, rel)
        return box(f"Tip opgeslagen als {rel}.{NEXT_INDEX}", "ok")

    def link(self, key: str | None, tip: str | None, request: gr.Request) -> str:
        coach = coach_of(request)
        card = self._card(key)
        if not tip:
            return box("Kies de tip waaraan je deze kaart koppelt.", "notice")
        self.board.decide(card, "linked", coach, tip)
        return box(f"Kaart '{card.label}' is gekoppeld aan {tip}.", "ok")

    def no_action(self, key: str | None, request: gr.Request) -> str:
        coach = coach_of(request)
        card = self._card(key)
        self.board.decide(card, "no_action", coach)
        return box(f"Kaart '{card.label}' staat op 'geen actie'. Ze gaat weer open als er nieuwe vragen bijkomen.",
                   "ok")

    # -- layout -------------------------------------------------------------------------------------------
    def tab(self, tab: gr.Tab, departments: list[tuple[str, str]]) -> None:
        since, until = self.default_period()
        with gr.Row():
            c_since = gr.Textbox(since, label="Van (JJJJ-MM-DD)", max_length=10, elem_id="dh-gaps-van")
            c_until = gr.Textbox(until, label="Tot en met", max_length=10, elem_id="dh-gaps-tot")
            refresh = gr.Button("Vernieuwen", size="sm", scale=0, elem_id="dh-gaps-refresh")
        board = gr.HTML("", elem_id="dh-gaps")
        pick = gr.Dropdown([], value=None, label="Kaart", elem_id="dh-gap-pick")
        with gr.Row():
            make = gr.Button("Maak tip", variant="primary", elem_id="dh-gap-tip")
            no_action = gr.Button("Geen actie", elem_id="dh-gap-none")
        with gr.Row():
            tip = gr.Dropdown([], value=None, label="Bestaande tip", scale=3, elem_id="dh-gap-tipkeuze")
            link = gr.Button("Koppel aan bestaande tip", scale=1, elem_id="dh-gap-link")
        msg = gr.HTML("", elem_id="dh-gap-msg")
        with gr.Column(visible=False) as form:
            title = gr.Textbox(label="Titel van de tip", max_length=160, elem_id="dh-gap-titel")
            with gr.Row():
                app = gr.Textbox(label="App", max_length=60)
                tags = gr.Textbox(label="Trefwoorden, gescheiden door komma's", max_length=300)
                dept = gr.Dropdown(departments, value=None, label="Dienst")
            body = gr.Textbox(label="Tekst van de tip (markdown)", lines=10, max_length=20_000, elem_id="dh-gap-tekst")
            save = gr.Button("Tip opslaan", variant="primary", elem_id="dh-gap-save")
        period, listing = [c_since, c_until], [board, pick]
        for event in (tab.select, refresh.click):
            event(self.refresh, period, listing, api_visibility="private")
        tab.select(self.tips, None, tip, api_visibility="private")
        make.click(self.start_tip, pick, [form, title, app, tags, dept, body, msg], api_visibility="private")
        for button, fn, inputs in ((save, self.save_tip, [pick, title, app, tags, dept, body]),
                                   (link, self.link, [pick, tip]), (no_action, self.no_action, [pick])):
            button.click(fn, inputs, msg, api_visibility="private").then(
                self.refresh_keeping, [*period, pick], listing, api_visibility="private")
