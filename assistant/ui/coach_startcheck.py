"""'Startcheck aanpassen' in the coach workspace: coaches edit corpus/startcheck.yaml in the browser, as they add
and retire tips there. The text is checked against the tips before it is saved (ingest.corpus_files writes it);
a text with problems is never saved, and the problems are listed in Dutch."""

from __future__ import annotations

import logging

import gradio as gr

from assistant.config import Settings
from assistant.errors import DigihulpError
from assistant.startcheck import FILE_NAME, StartcheckError
from assistant.ui.login import coach_of
from assistant.ui.render import box, esc
from ingest import corpus_files

log = logging.getLogger(__name__)

HELP = ("Het bestand met de vragen, antwoorden en tips van de startcheck (/start). Pas aan en klik op 'Controleren "
        "en opslaan': digihulp controleert eerst of elke tip bestaat en actief is. Met een fout wordt er niets "
        "opgeslagen. Uitleg staat bovenaan in het bestand.")


def problems_html(exc: StartcheckError) -> str:
    items = "".join(f"<li>{esc(p)}</li>" for p in exc.problems)
    return box(f"Niet opgeslagen: {FILE_NAME} bevat {len(exc.problems)} fout(en).", "error") + f"<ul>{items}</ul>"


class StartcheckEditor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def load(self, request: gr.Request) -> str:
        coach_of(request)
        path = self.settings.corpus_dir / FILE_NAME
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("%s not readable: %s", path, exc)
            return ""

    def save(self, text: str, request: gr.Request) -> str:
        coach = coach_of(request)
        if not (text or "").strip():
            return box("Het bestand is leeg. Laad het opnieuw met 'Huidige versie laden'.", "notice")
        try:
            questions = corpus_files.write_startcheck(self.settings, text, coach)
        except StartcheckError as exc:
            return problems_html(exc)
        except DigihulpError as exc:
            return box(str(exc), "error")
        return box(f"Opgeslagen: de startcheck heeft nu {questions} vragen. Nieuwe collega's zien hem meteen op "
                   "/start.", "ok")

    def build(self) -> None:
        """Inside the caller's tab: a folded editor, loaded when it opens."""
        with gr.Accordion(f"Startcheck aanpassen ({FILE_NAME})", open=False) as fold:
            gr.Markdown(HELP)
            text = gr.Code("", language="yaml", lines=20, max_lines=40, label=FILE_NAME, interactive=True,
                           elem_id="dh-startcheck-yaml")
            with gr.Row():
                reload = gr.Button("Huidige versie laden", size="sm")
                save = gr.Button("Controleren en opslaan", variant="primary")
            msg = gr.HTML("", elem_id="dh-startcheck-melding")
        for event in (fold.expand, reload.click):
            event(self.load, None, text, api_visibility="private")
        save.click(self.save, text, msg, api_visibility="private")
