"""Bulk actions in the coach's queue: tick several escalations, close them with one note or mark them "geen
vraag / spam". The work is done by assistant.triage; this is the thin hook under the queue."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.triage import Triage
from assistant.ui import coach_render
from assistant.ui.login import coach_of
from assistant.ui.render import box


class BulkActions:
    def __init__(self, triage: Triage) -> None:
        self.triage = triage

    @staticmethod
    def choices(items: list[Any]) -> Any:
        """The tick list for the escalations the queue shows (open and answered ones can be closed)."""
        return gr.update(choices=[(coach_render.choice_label(e), e.id) for e in items], value=[])

    def close(self, ids: list[Any] | None, note: str, request: gr.Request) -> str:
        coach = coach_of(request)
        if not ids:
            return box("Vink eerst de vragen aan die je wilt sluiten.", "notice")
        if not (note or "").strip():
            return box("Schrijf een korte notitie: waarom sluit je deze vragen?", "notice")
        result = self.triage.close_many([int(i) for i in ids], note, coach)
        return box(result.message("gesloten"), "error" if result.failed and not result.done else "ok")

    def spam(self, ids: list[Any] | None, note: str, request: gr.Request) -> str:
        coach = coach_of(request)
        if not ids:
            return box("Vink eerst de vragen aan die geen echte vraag zijn.", "notice")
        result = self.triage.mark_spam([int(i) for i in ids], coach, note or "")
        return box(result.message("gemarkeerd als geen vraag / spam (ze tellen niet mee als kennishiaat of "
                                  "evaluatievraag)"), "error" if result.failed and not result.done else "ok")

    def section(self, c: dict[str, Any]) -> None:
        with gr.Accordion("Meerdere vragen tegelijk afhandelen", open=False, elem_id="dh-bulk"):
            c["bulk_pick"] = gr.CheckboxGroup([], value=[], label="Vink de vragen aan", elem_id="dh-bulk-pick")
            c["bulk_note"] = gr.Textbox(label="Notitie bij het sluiten", max_length=500, elem_id="dh-bulk-note",
                                        placeholder="bv. Opgelost in het digicafé van dinsdag")
            with gr.Row():
                c["bulk_close"] = gr.Button("Aangevinkte vragen sluiten", elem_id="dh-bulk-close")
                c["bulk_spam"] = gr.Button("Markeer als geen vraag / spam", elem_id="dh-bulk-spam")
            c["bulk_msg"] = gr.HTML("", elem_id="dh-bulk-msg")

    def wire(self, c: dict[str, Any], items: Any, refresh: Any, filters: list[Any], listing: list[Any]) -> None:
        """`items(dept, status)` lists what the queue shows; the tick list follows every refresh of the queue."""
        c["queue"].change(lambda dept, status: self.choices(items(dept, status)), [c["dept"], c["status"]],
                          c["bulk_pick"], api_visibility="private", show_progress="hidden")
        for button, fn in ((c["bulk_close"], self.close), (c["bulk_spam"], self.spam)):
            button.click(fn, [c["bulk_pick"], c["bulk_note"]], c["bulk_msg"], api_visibility="private").then(
                refresh, filters, listing, api_visibility="private")
