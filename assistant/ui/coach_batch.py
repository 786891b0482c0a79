"""'Batch publiceren' in the Corpus tab: the tips waiting in the workspace batch, or a zip of tips and manuals
uploaded from the browser, go through the tip-batch gate and are published only when no answer gets worse."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import DigihulpError
from assistant.ui.login import coach_of
from assistant.ui.render import box, esc
from assistant.ui.services import Services
from ingest import batch_sources
from ingest.batch_files import BatchError

log = logging.getLogger(__name__)

SOURCES = [("Tips uit de werkruimte", "werkruimte"), ("Een zip-bestand", "zip")]
HELP = ("Een batch wordt eerst getest met de evaluatievragen; hij wordt alleen gepubliceerd als de antwoorden niet "
        "slechter worden. **Tips uit de werkruimte** zijn de tips die je opsloeg met 'In de volgende batch'. "
        "Een **zip** bevat tips in `tips/` (.md), handleidingen in `handleidingen/` (.pdf, met een .yml ernaast) "
        "en eventueel `retire.txt` met de tips die ingetrokken worden (één per regel).")


def _problems(exc: BatchError) -> str:
    text = "\n".join([str(exc), *(f"- {name}: {reason}" for name, reason in exc.problems.items())])
    return f'<div class="dh-box dh-error dh-pre" role="alert">{esc(text)}</div>'


class BatchSection:
    def __init__(self, services: Services, ingest_lock: threading.Lock,
                 on_publish: Callable[[], str] = lambda: "") -> None:
        self.services = services
        self.on_publish = on_publish  # what else a published batch brings (e.g. gap cards' eval cases), as text
        self.settings = services.settings
        self._lock = ingest_lock

    def staged(self, request: gr.Request) -> tuple[Any, ...]:
        coach_of(request)
        tips = batch_sources.staged_tips(self.settings)
        if not tips:
            html = '<p class="dh-meta">Er staan nog geen tips in de batch van de werkruimte.</p>'
        else:
            items = "".join(f'<li>{esc(title)} <span class="dh-meta">({esc(rel)})</span></li>' for rel, title in tips)
            html = f"<p><strong>In de volgende batch:</strong></p><ul>{items}</ul>"
        return html, gr.update(choices=[(f"{title} ({rel})", rel) for rel, title in tips], value=None)

    def remove(self, rel: str | None, request: gr.Request) -> str:
        coach = coach_of(request)
        try:
            batch_sources.remove_staged(self.settings, rel or "")
        except BatchError as exc:
            return _problems(exc)
        log.info("Tip %s taken out of the workspace batch by %s", rel, coach)
        return box(f"{rel} is uit de batch gehaald.", "ok")

    def run(self, source: str, upload: Any, dry_run: bool, request: gr.Request,
            progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """The tip-batch gate from the workspace: test the batch and publish it only when it passes."""
        coach = coach_of(request)
        staged = [rel for rel, _ in batch_sources.staged_tips(self.settings)]
        unpacked: Path | None = None
        if source == "zip":
            if not upload:
                return box("Kies eerst het zip-bestand met de batch.", "notice")
            try:
                unpacked = batch_sources.unpack_zip(self.settings, Path(str(upload)))
            except BatchError as exc:
                return _problems(exc)
        elif not staged and not (batch_sources.workspace_batch(self.settings) / "retire.txt").is_file():
            return box("Er staan nog geen tips in de batch. Sla een tip op met 'In de volgende batch' (tabblad Van "
                       "antwoord naar tip), of kies een zip-bestand.", "notice")
        if not self._lock.acquire(blocking=False):
            if unpacked is not None:
                shutil.rmtree(unpacked, ignore_errors=True)
            return box("De index wordt al bijgewerkt. Even geduld.", "notice")
        try:
            from evals.gate import default_datasets, describe, run_batch

            progress(0.1, desc="De batch wordt getest…")
            folder = unpacked or batch_sources.workspace_batch(self.settings)
            outcome = run_batch(self.settings, self.services.embedder, folder, default_datasets(self.settings),
                                dry_run=bool(dry_run))
        except BatchError as exc:
            return _problems(exc)
        except DigihulpError as exc:
            return box(f"De batch kon niet verwerkt worden: {exc}", "error")
        finally:
            self._lock.release()
            if unpacked is not None:
                shutil.rmtree(unpacked, ignore_errors=True)
        log.info("Batch (%s) run from the coach workspace by %s (dry run: %s): published=%s",
                 source, coach, bool(dry_run), outcome.published)
        text = describe(outcome)
        if outcome.published and unpacked is None:
            batch_sources.clear_published(self.settings, staged)
            text += "\nDe batch van de werkruimte is weer leeg."
        if outcome.published:
            text += self.on_publish()
        kind = "dh-ok" if outcome.passed else "dh-notice"
        return f'<div class="dh-box {kind} dh-pre" role="status">{esc(text)}</div>'

    def layout(self) -> dict[str, Any]:
        b: dict[str, Any] = {}
        with gr.Accordion("Batch publiceren", open=False, elem_id="dh-batch") as b["accordion"]:
            gr.Markdown(HELP)
            b["source"] = gr.Radio(SOURCES, value="werkruimte", label="Wat publiceer je?", elem_id="dh-batch-bron")
            b["staged"] = gr.HTML("", elem_id="dh-batch-werkruimte")
            with gr.Row(equal_height=True):
                b["pick"] = gr.Dropdown([], value=None, label="Tip in de batch", scale=3)
                b["remove"] = gr.Button("Uit de batch halen", scale=1)
            b["zip"] = gr.File(label="Zip-bestand met de batch", file_types=[".zip"], file_count="single",
                               type="filepath", elem_id="dh-batch-zip")
            b["dry_run"] = gr.Checkbox(False, label="Enkel testen (niet publiceren)")
            b["run"] = gr.Button("Batch publiceren", variant="primary", elem_id="dh-batch-publiceer")
        return b

    def wire(self, b: dict[str, Any], msg: Any, then: Any) -> None:
        shown = [b["staged"], b["pick"]]
        b["accordion"].expand(self.staged, None, shown, api_visibility="private")
        b["remove"].click(self.remove, b["pick"], msg, api_visibility="private").then(
            self.staged, None, shown, api_visibility="private")
        event = b["run"].click(self.run, [b["source"], b["zip"], b["dry_run"]], msg, api_visibility="private",
                               concurrency_limit=1, concurrency_id="batch-run")
        then(event.then(self.staged, None, shown, api_visibility="private"))
