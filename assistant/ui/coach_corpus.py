"""The 'Corpus' tab: actions and their messages on top (upload, review, retire, re-index, batch), then a
filterable list of the corpus, a page at a time."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.ui import coach_render
from assistant.ui.coach_batch import BatchSection
from assistant.ui.login import coach_of
from assistant.ui.render import box, esc
from assistant.ui.services import Services
from ingest import catalog, corpus_files
from ingest.catalog import DocRow
from ingest.corpus_files import CorpusError

log = logging.getLogger(__name__)

KINDS = [("Alle soorten", "alle"), ("Tips", "tip"), ("Handleidingen", "handleiding"), ("Overleg", "overleg"),
         ("Andere documenten", "document")]
STATES = [("Alle", "alle"), ("Actief", "active"), ("Ingetrokken", "retired")]
NEXT_INDEX = " Klik op 'Index bijwerken' om hem doorzoekbaar te maken."


def _matches(row: DocRow, kind: str, status: str, words: list[str]) -> bool:
    if kind not in ("alle", row.doc_type) or status not in ("alle", row.status):
        return False
    text = f"{row.title} {row.source} {row.app} {row.author}".casefold()
    return all(word in text for word in words)


class CorpusTabs:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self._ingest_lock = threading.Lock()  # 'Index bijwerken' and 'Batch publiceren' never run together
        self.batch = BatchSection(services, self._ingest_lock, on_publish=self._gap_cases)

    # -- the list -----------------------------------------------------------------------------------------
    def listing(self, kind: str, status: str, request: gr.Request, search: str = "", page: Any = 0
                ) -> tuple[Any, ...]:
        """(summary + one page of the list, active-tip choices, page number shown)."""
        coach_of(request)
        rows = catalog.list_documents(self.settings)
        words = (search or "").casefold().split()
        shown = [r for r in rows if _matches(r, kind or "alle", status or "alle", words)]
        pages = max(1, -(-len(shown) // coach_render.PAGE_SIZE))
        page = min(max(0, int(page or 0)), pages - 1)
        start = page * coach_render.PAGE_SIZE
        stale = sum(r.stale for r in rows)
        summary = box(f"{stale} actieve tip(s) zijn meer dan een jaar niet nagekeken.", "notice") if stale else ""
        tips = [(f"{r.title} ({r.source})", r.source) for r in rows if r.doc_type == "tip" and r.status == "active"]
        html = summary + coach_render.corpus_html(shown[start:start + coach_render.PAGE_SIZE], len(shown), page)
        return html, gr.update(choices=tips, value=None), page, f"Pagina {page + 1} van {pages}"

    # -- actions ------------------------------------------------------------------------------------------
    def upload(self, file: Any, request: gr.Request) -> str:
        coach_of(request)
        if not file:
            return box("Kies eerst een bestand (.pdf of .md).", "notice")
        path = Path(str(file))
        try:
            rel, doc = corpus_files.accept_upload(self.settings, path, path.name)
        except CorpusError as exc:
            return box(str(exc), "error")
        return box(f"'{doc.title}' is toegevoegd als {rel}.{NEXT_INDEX}", "ok")

    def retire(self, rel: str | None, request: gr.Request) -> str:
        coach = coach_of(request)
        try:
            corpus_files.set_front_matter(self.settings, rel or "", "status", "retired")
        except CorpusError as exc:
            return box(str(exc), "error")
        log.info("Tip %s retired by %s", rel, coach)
        return box(f"De tip {rel} is ingetrokken.{NEXT_INDEX.replace('doorzoekbaar', 'onvindbaar')}", "ok")

    def mark_reviewed(self, rel: str | None, request: gr.Request) -> str:
        coach_of(request)
        try:
            corpus_files.set_front_matter(self.settings, rel or "", "reviewed", corpus_files.today_iso())
        except CorpusError as exc:
            return box(str(exc), "error")
        return box(f"De tip {rel} is gemarkeerd als nagekeken op vandaag.", "ok")

    def reindex(self, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        coach = coach_of(request)
        if not self._ingest_lock.acquire(blocking=False):
            return box("De index wordt al bijgewerkt. Even geduld.", "notice")
        try:
            from ingest.pipeline import describe, run_ingest

            progress(0.1, desc="De index wordt bijgewerkt…")
            report = run_ingest(self.settings, self.services.embedder, self.services.store)
        except DigihulpError as exc:
            return box(f"De index kon niet bijgewerkt worden: {exc}", "error")
        finally:
            self._ingest_lock.release()
        log.info("Index updated from the coach workspace by %s: %s", coach, report.to_dict())
        return f'<div class="dh-box dh-ok dh-pre">{esc(describe(report) + self._gap_cases())}</div>'

    def _gap_cases(self) -> str:
        """Tips made from knowledge-gap cards that are now live bring their questions into the eval set at once,
        so the next batch gate guards them (not only when a coach next opens the board)."""
        try:
            added = self.services.gaps.sync_published()
        except DigihulpError as exc:  # the index is updated; the board's next view tries again
            log.warning("Gap cards' eval cases not added after the update: %s", exc)
            return ""
        return f"\n{added} vragen uit kennishiaten staan nu in de evaluatieset." if added else ""

    # -- layout -------------------------------------------------------------------------------------------
    def corpus_tab(self, tab: gr.Tab) -> None:
        with gr.Row(equal_height=True):
            tip = gr.Dropdown([], value=None, label="Actieve tip", scale=4, elem_id="dh-corpus-tip")
            seen = gr.Button("Markeer als nagekeken", scale=1)
            retire = gr.Button("Tip intrekken", variant="stop", scale=1)
        with gr.Row():
            with gr.Accordion("Document toevoegen (.pdf handleiding of .md tip)", open=False):
                file = gr.File(label="Bestand", file_types=[".pdf", ".md"], file_count="single", type="filepath")
                add = gr.Button("Controleren en toevoegen")
            reindex = gr.Button("Index bijwerken", scale=0, min_width=180)
        batch = self.batch.layout()
        msg = gr.HTML("", elem_id="dh-corpus-msg")
        with gr.Row(equal_height=True):
            kind = gr.Dropdown(KINDS, value="alle", label="Soort", scale=1)
            status = gr.Dropdown(STATES, value="alle", label="Status", scale=1)
            search = gr.Textbox(label="Zoek op titel, bestand, app of auteur", scale=2, elem_id="dh-corpus-zoek")
            refresh = gr.Button("Vernieuwen", size="sm", scale=0)
        table = gr.HTML("", elem_id="dh-corpus")
        page = gr.State(0)
        with gr.Row(equal_height=True):
            prev = gr.Button("◀ Vorige", size="sm", scale=0, elem_id="dh-corpus-vorige")
            where = gr.Markdown("Pagina 1 van 1", elem_id="dh-corpus-pagina")
            nxt = gr.Button("Volgende ▶", size="sm", scale=0, elem_id="dh-corpus-volgende")
        self._wire(tab, {"kind": kind, "status": status, "search": search, "refresh": refresh, "table": table,
                         "page": page, "prev": prev, "where": where, "nxt": nxt, "tip": tip, "seen": seen,
                         "retire": retire, "file": file, "add": add, "reindex": reindex, "batch": batch, "msg": msg})

    def _wire(self, tab: gr.Tab, c: dict[str, Any]) -> None:
        def from_start(kind: str, status: str, search: str, request: gr.Request) -> tuple[Any, ...]:
            return self.listing(kind, status, request, search, 0)

        def same(kind: str, status: str, search: str, page: Any, request: gr.Request) -> tuple[Any, ...]:
            return self.listing(kind, status, request, search, int(page or 0))

        def previous(kind: str, status: str, search: str, page: Any, request: gr.Request) -> tuple[Any, ...]:
            return self.listing(kind, status, request, search, int(page or 0) - 1)

        def following(kind: str, status: str, search: str, page: Any, request: gr.Request) -> tuple[Any, ...]:
            return self.listing(kind, status, request, search, int(page or 0) + 1)

        first = [c["kind"], c["status"], c["search"]]
        inputs, outputs = [*first, c["page"]], [c["table"], c["tip"], c["page"], c["where"]]
        for event in (tab.select, c["refresh"].click, c["kind"].input, c["status"].input, c["search"].submit):
            event(from_start, first, outputs, api_visibility="private")
        c["prev"].click(previous, inputs, outputs, api_visibility="private")
        c["nxt"].click(following, inputs, outputs, api_visibility="private")
        for button, fn, args in ((c["add"], self.upload, [c["file"]]), (c["retire"], self.retire, [c["tip"]]),
                                 (c["seen"], self.mark_reviewed, [c["tip"]]), (c["reindex"], self.reindex, [])):
            button.click(fn, args, c["msg"], api_visibility="private").then(same, inputs, outputs,
                                                                            api_visibility="private")
        self.batch.wire(c["batch"], c["msg"], lambda event: event.then(same, inputs, outputs,
                                                                       api_visibility="private"))
