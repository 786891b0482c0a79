"""Coach tabs that change the corpus: 'Van antwoord naar tip' and 'Corpus' (list, upload, retire, re-index, batch)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.ui import coach_render
from assistant.ui.login import coach_of
from assistant.ui.render import box, esc
from assistant.ui.services import Services
from ingest import catalog, corpus_files
from ingest.corpus_files import CorpusError, TipDraft

log = logging.getLogger(__name__)

KINDS = [("Alle soorten", "alle"), ("Tips", "tip"), ("Handleidingen", "handleiding"), ("Overleg", "overleg"),
         ("Andere documenten", "document")]
STATES = [("Alle", "alle"), ("Actief", "active"), ("Ingetrokken", "retired")]
BATCH_HELP = ("Map op de server met de batch: nieuwe of gewijzigde tips in `tips/`, handleidingen in "
              "`handleidingen/` en een `retire.txt` met de tips die ingetrokken worden (één per regel). "
              "De batch wordt eerst getest; hij wordt alleen gepubliceerd als de antwoorden niet slechter worden.")
NEXT_INDEX = " Klik op 'Index bijwerken' in het tabblad Corpus om hem doorzoekbaar te maken."


class CorpusTabs:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.records = services.records
        self._ingest_lock = threading.Lock()

    # -- Van antwoord naar tip ----------------------------------------------------------------------------
    def answered(self, request: gr.Request) -> Any:
        coach_of(request)
        items = [e for e in self.services.triage.without_spam(self.records.escalations()) if e.answer]
        return gr.update(choices=[(coach_render.choice_label(e), e.id) for e in reversed(items)], value=None)

    def load_tip(self, escalation_id: Any, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        escalation = self.records.get(int(escalation_id)) if escalation_id else None
        if escalation is None or not escalation.answer:
            return "", "", "", None, "", box("Kies een beantwoorde vraag.", "notice")
        top = str(escalation.sources[0].get("source", "")) if escalation.sources else ""
        row = catalog.describe(self.settings, self.settings.corpus_dir / top) if top else None
        title = " ".join(escalation.question.split()).rstrip("?").strip()
        title = (title[:1].upper() + title[1:])[:90]
        dept = self.services.directory.get(escalation.department)
        return (title, row.app if row else "", row.app.lower() if row and row.app else "", dept.id if dept else None,
                escalation.answer, box("Pas de tip aan waar nodig en klik op 'Tip opslaan'.", "notice"))

    def save_tip(self, escalation_id: Any, title: str, app: str, tags: str, dept: str | None, body: str,
                 request: gr.Request) -> str:
        coach = coach_of(request)
        escalation = self.records.get(int(escalation_id)) if escalation_id else None
        if escalation is None:
            return box("Kies eerst de vraag waarop de tip gebaseerd is.", "notice")
        try:
            rel = corpus_files.write_tip(self.settings, TipDraft(title or "", app or "", tags or "", dept or "",
                                                                 body or ""), coach)
        except CorpusError as exc:
            return box(str(exc), "error")
        # Spam never becomes an eval case: the gate would guard a question nobody asked in earnest.
        added = not self.services.triage.is_spam(escalation.id) and corpus_files.add_escalation_case(
            self.settings.escalation_evals_file, escalation.id, escalation.question, rel, escalation.department, coach)
        extra = " De vraag staat nu ook in de evaluatieset." if added else ""
        return box(f"Tip opgeslagen als {rel}.{extra}{NEXT_INDEX}", "ok")

    def tip_tab(self, tab: gr.Tab, departments: list[tuple[str, str]]) -> None:
        with gr.Row():
            pick = gr.Dropdown([], value=None, label="Beantwoorde vraag", scale=4, elem_id="dh-tip-bron")
            refresh = gr.Button("Vernieuwen", size="sm", scale=0)
        title = gr.Textbox(label="Titel van de tip", max_length=160)
        with gr.Row():
            app = gr.Textbox(label="App (bv. Outlook, Teams, Printen)", max_length=60)
            tags = gr.Textbox(label="Trefwoorden, gescheiden door komma's", max_length=300)
            dept = gr.Dropdown(departments, value=None, label="Dienst")
        body = gr.Textbox(label="Tekst van de tip (markdown)", lines=12, max_length=20_000)
        save = gr.Button("Tip opslaan", variant="primary")
        msg = gr.HTML("")
        for event in (tab.select, refresh.click):
            event(self.answered, None, pick, api_visibility="private")
        pick.input(self.load_tip, pick, [title, app, tags, dept, body, msg], api_visibility="private")
        save.click(self.save_tip, [pick, title, app, tags, dept, body], msg, api_visibility="private")

    # -- Corpus -------------------------------------------------------------------------------------------
    def listing(self, kind: str, status: str, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        rows = catalog.list_documents(self.settings)
        shown = [r for r in rows if kind in ("alle", r.doc_type) and status in ("alle", r.status)]
        stale = sum(r.stale for r in rows)
        summary = box(f"{stale} actieve tip(s) zijn meer dan een jaar niet nagekeken.", "notice") if stale else ""
        tips = [(f"{r.title} ({r.source})", r.source) for r in rows if r.doc_type == "tip" and r.status == "active"]
        return summary + coach_render.corpus_html(shown), gr.update(choices=tips, value=None)

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
        return f'<div class="dh-box dh-ok dh-pre">{esc(describe(report))}</div>'

    def run_batch(self, folder: str, dry_run: bool, request: gr.Request,
                  progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """The tip-batch gate from the workspace: test the batch and publish it only when it passes."""
        coach = coach_of(request)
        data_dir = self.settings.data_dir.resolve()
        batch_dir = Path((folder or "").strip() or self.settings.data_dir / "batch").resolve()
        if not batch_dir.is_relative_to(data_dir):
            return box(f"De batchmap moet in de datamap van digihulp liggen ({data_dir}).", "error")
        if not self._ingest_lock.acquire(blocking=False):
            return box("De index wordt al bijgewerkt. Even geduld.", "notice")
        try:
            from evals.gate import BatchError, default_datasets, describe, run_batch

            progress(0.1, desc="De batch wordt getest…")
            outcome = run_batch(self.settings, self.services.embedder, batch_dir, default_datasets(self.settings),
                                dry_run=bool(dry_run))
        except BatchError as exc:
            text = "\n".join([str(exc), *(f"- {name}: {reason}" for name, reason in exc.problems.items())])
            return f'<div class="dh-box dh-error dh-pre">{esc(text)}</div>'
        except DigihulpError as exc:
            return box(f"De batch kon niet verwerkt worden: {exc}", "error")
        finally:
            self._ingest_lock.release()
        log.info("Batch %s run from the coach workspace by %s (dry run: %s): published=%s",
                 batch_dir, coach, bool(dry_run), outcome.published)
        kind = "dh-ok" if outcome.passed else "dh-notice"
        return f'<div class="dh-box {kind} dh-pre">{esc(describe(outcome))}</div>'

    def corpus_tab(self, tab: gr.Tab) -> None:
        with gr.Row():
            kind = gr.Dropdown(KINDS, value="alle", label="Soort")
            status = gr.Dropdown(STATES, value="alle", label="Status")
            refresh = gr.Button("Vernieuwen", size="sm", scale=0)
        table = gr.HTML("", elem_id="dh-corpus")
        with gr.Accordion("Document toevoegen (.pdf handleiding of .md tip)", open=False):
            file = gr.File(label="Bestand", file_types=[".pdf", ".md"], file_count="single", type="filepath")
            add = gr.Button("Controleren en toevoegen")
        with gr.Row():
            tip = gr.Dropdown([], value=None, label="Actieve tip", scale=4)
            seen = gr.Button("Markeer als nagekeken", scale=1)
            retire = gr.Button("Tip intrekken", variant="stop", scale=1)
        reindex = gr.Button("Index bijwerken")
        with gr.Accordion("Batch publiceren", open=False):
            folder = gr.Textbox(str(self.settings.data_dir / "batch"), label="Batchmap op de server", info=BATCH_HELP,
                                max_length=1000)
            dry_run = gr.Checkbox(False, label="Enkel testen (niet publiceren)")
            batch = gr.Button("Batch publiceren", variant="primary")
        msg = gr.HTML("")
        for event in (tab.select, refresh.click, kind.input, status.input):
            event(self.listing, [kind, status], [table, tip], api_visibility="private")
        for button, fn, inputs in ((add, self.upload, [file]), (retire, self.retire, [tip]),
                                   (seen, self.mark_reviewed, [tip]), (reindex, self.reindex, []),
                                   (batch, self.run_batch, [folder, dry_run])):
            button.click(fn, inputs, msg, api_visibility="private").then(
                self.listing, [kind, status], [table, tip], api_visibility="private")
