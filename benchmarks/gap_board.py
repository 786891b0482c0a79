"""How long the gap board, the freshness view and the agenda take to open on a six-month question log.

    python benchmarks/question_log.py --data-dir data/bench-gaps      # once: 5,000 questions, six months
    python benchmarks/gap_board.py --data-dir data/bench-gaps [--today 2026-11-30] [--rounds 7]

Times what a coach waits for (no model is loaded: views read stored vectors): the board for the period since
the last meeting, the board for the last 90 days, the freshness view, and the whole agenda (Markdown, HTML and
charts). Prints medians and the slowest round, the log's size and the CPU. Target: ≤ 2 s each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float, float, object]:
    """Median and slowest wall time, and median CPU time of this process (less sensitive to other jobs)."""
    seconds, cpu, result = [], [], None
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(seconds), max(seconds), statistics.median(cpu), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30))
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant import agenda
    from assistant.agenda.build import directory_coaches
    from assistant.agenda.meetings import meetings
    from assistant.config import Settings
    from assistant.escalation import CoachDirectory
    from assistant.freshness import citation_counts, freshness_rows
    from assistant.gap_board import GapBoard
    from assistant.records import EscalationStore
    from assistant.store import ChromaStore
    from benchmarks.clustering import cpu_name
    from ingest.tip_facts import TipShelf, corpus_facts, meeting_dates

    settings = Settings(corpus_dir=ROOT / "corpus", data_dir=args.data_dir)
    records = EscalationStore(settings.db_path)
    directory = CoachDirectory.load(settings.coaches_file)
    out = Path(tempfile.mkdtemp(prefix="digihulp-agenda-"))
    evals = out / "escalations.jsonl"
    total = len(records.questions_between("0000"))
    last = meetings(settings, meeting_dates(settings.corpus_dir), args.today).last or args.today - dt.timedelta(days=21)
    until = args.today + dt.timedelta(days=1)
    print(f"question log: {total} questions · period since {last} · CPU: {cpu_name()}\n")
    print("| view | median | slowest | median CPU | result |")
    print("| --- | ---: | ---: | ---: | --- |")

    def cold_board() -> GapBoard:
        return GapBoard(settings, records, ChromaStore(settings), evals)

    coaches = {c.name for c in directory_coaches(directory)}
    board, shelf = cold_board(), TipShelf(settings)  # built once at start: caches (tip vectors, tips) stay warm
    ninety = args.today - dt.timedelta(days=90)
    runs: list[tuple[str, Callable[[], object]]] = [
        ("gap board, since last meeting, first open (new board: reads tip vectors and tips)",
         lambda: cold_board().cards(last, until)),
        ("gap board, since last meeting", lambda: board.cards(last, until)),
        ("gap board, last 90 days", lambda: board.cards(ninety, until)),
        ("freshness view", lambda: freshness_rows(shelf.tips(), citation_counts(
            records, args.today, settings.citation_window_days), coaches, args.today)),
        ("agenda (Markdown + HTML + 2 charts), first open", lambda: agenda.write_agenda(
            settings, cold_board(), directory, corpus_facts(settings), out / "agenda.md", today=args.today)),
        ("agenda (Markdown + HTML + 2 charts)", lambda: agenda.write_agenda(
            settings, board, directory, corpus_facts(settings, shelf), out / "agenda.md", today=args.today)),
    ]
    board.cards(last, until)  # warm-up: imports (scipy, matplotlib) happen once per process in the app too
    agenda.write_agenda(settings, board, directory, corpus_facts(settings, shelf), out / "agenda.md", today=args.today)
    for name, fn in runs:
        median, slowest, cpu, result = timed(fn, args.rounds)
        size = (f"{len(result)} {'tips' if name.startswith('freshness') else 'cards'}" if isinstance(result, list)
                else f"{len(result.data.gaps)} gaps on the agenda" if hasattr(result, "data") else "")
        print(f"| {name} | {median * 1000:.0f} ms | {slowest * 1000:.0f} ms | {cpu * 1000:.0f} ms | {size} |")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"\nload average {load} (2 cores) · agenda written to {out / 'agenda.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
