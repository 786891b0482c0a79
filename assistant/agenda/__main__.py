"""python -m assistant.agenda [--since DATE] [--out FILE] [--save-note]

Writes the agenda of the next digicoach meeting as Markdown (FILE), printable HTML (FILE with .html) and its
charts (PNG beside it); --save-note also saves it in overleg/ as the skeleton of the meeting notes.
Needs no model: it reads the question log, the corpus and the vectors already in the index.
Exit codes: 0 written, 2 wrong arguments, configuration or data problem (the message names the fix).

An entry point, like `python -m ingest`: it hands the corpus reader and writer (ingest) to the agenda, which
itself reads and writes no corpus file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.cli import Parser, run
from assistant.config import Settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ongeldige datum '{text}': gebruik JJJJ-MM-DD, bv. 2026-11-18") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m assistant.agenda",
                                     description="Agenda van het volgende digicoach-overleg")
    parser.add_argument("--since", type=_date, help="begin van de periode (standaard: het vorige overleg)")
    parser.add_argument("--out", type=Path, help="Markdown-bestand (standaard: DATA_DIR/agenda/agenda-DATUM.md)")
    parser.add_argument("--save-note", action="store_true",
                        help="bewaar de agenda ook als skelet van het verslag in overleg/")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, build_parser(), _agenda)


def _agenda(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.agenda import render, write_agenda
    from assistant.errors import ConfigError
    from assistant.escalation import CoachDirectory
    from assistant.gap_board import GapBoard
    from assistant.records import EscalationStore
    from assistant.store import ChromaStore
    from ingest import corpus_files
    from ingest.tip_facts import corpus_facts

    if not settings.coaches_file.is_file():
        raise ConfigError(f"Het bestand met digicoaches ontbreekt: {settings.coaches_file}")
    board = GapBoard(settings, EscalationStore(settings.db_path), ChromaStore(settings),
                     settings.escalation_evals_file, corpus_files.add_eval_cases)
    directory = CoachDirectory.load(settings.coaches_file)
    out = args.out or settings.data_dir / "agenda" / f"agenda-{dt.date.today().isoformat()}.md"
    files = write_agenda(settings, board, directory, corpus_facts(settings), out, since=args.since)
    print(f"Agenda voor het overleg van {files.data.meeting.isoformat()} geschreven: {files.markdown} en {files.html}")
    if args.save_note:
        note = corpus_files.write_meeting_note(settings, files.data.meeting, render.note_skeleton(files.data, []))
        print(f"Skelet van het verslag bewaard als {note}. Het wordt doorzoekbaar na 'Index bijwerken'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
