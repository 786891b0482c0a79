"""python -m assistant.agenda [--since DATE] [--out FILE] [--save-note]

Writes the agenda of the next digicoach meeting as Markdown (FILE), printable HTML (FILE with .html) and its
charts (PNG beside it); --save-note also saves it in overleg/ as the skeleton of the meeting notes.
Needs no model: it reads the question log, the corpus and the vectors already in the index.
Exit codes: 0 written, 2 configuration or data problem.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.runtime import configure_logging, force_offline


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ongeldige datum '{text}': gebruik JJJJ-MM-DD, bv. 2026-11-18") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.agenda",
                                     description="Agenda van het volgende digicoach-overleg")
    parser.add_argument("--since", type=_date, help="begin van de periode (standaard: het vorige overleg)")
    parser.add_argument("--out", type=Path, help="Markdown-bestand (standaard: DATA_DIR/agenda/agenda-DATUM.md)")
    parser.add_argument("--save-note", action="store_true",
                        help="bewaar de agenda ook als skelet van het verslag in overleg/")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    force_offline()
    args = build_parser().parse_args(argv)
    from assistant.agenda import save_note, write_agenda
    from assistant.config import Settings
    from assistant.errors import DigihulpError, explain
    from assistant.escalation import CoachDirectory
    from assistant.gap_board import GapBoard
    from assistant.records import EscalationStore
    from assistant.store import ChromaStore
    from assistant.ui.corpus_files import CorpusError
    from assistant.ui.server import DEFAULT_EVALS

    settings = Settings()
    configure_logging(settings.log_level)
    try:
        if not settings.coaches_file.is_file():
            raise DigihulpError(f"Het bestand met digicoaches ontbreekt: {settings.coaches_file}")
        board = GapBoard(settings, EscalationStore(settings.db_path), ChromaStore(settings), DEFAULT_EVALS)
        directory = CoachDirectory.load(settings.coaches_file)
        out = args.out or settings.data_dir / "agenda" / f"agenda-{dt.date.today().isoformat()}.md"
        files = write_agenda(settings, board, directory, out, since=args.since)
        note = save_note(settings, files.data) if args.save_note else ""
    except (DigihulpError, CorpusError) as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # no traceback for the person at the console; DEBUG logging has it
        logging.getLogger(__name__).debug("agenda failed", exc_info=True)
        print(f"Fout: {explain(exc)}", file=sys.stderr)
        return 2
    print(f"Agenda voor het overleg van {files.data.meeting.isoformat()} geschreven: {files.markdown} en {files.html}")
    if note:
        print(f"Skelet van het verslag bewaard als {note}. Het wordt doorzoekbaar na 'Index bijwerken'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
