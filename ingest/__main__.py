"""python -m ingest: bring the index in line with the corpus.

Exit codes: 0 all files ingested, 1 some files failed (the rest is ingested), 2 configuration error.

Subcommands (the gate is evals/gate.py, the batch files ingest/batch_files.py):
  python -m ingest batch DIR [--dataset FILE ...]  test a coaches' batch against the evals; publish only if
      nothing gets worse. Exit 0 published, 1 refused by the gate, 2 invalid batch or configuration.
  python -m ingest rollback                        make the previous index live again (and its corpus files).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.cli import Parser, run
from assistant.config import Settings

SUBCOMMANDS = ("batch", "rollback")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m ingest", description="Ingest the corpus into the index.",
        epilog="Subcommands: `batch DIR` (test and publish a batch of tips), `rollback` (previous index).",
    )
    parser.add_argument("--corpus", type=Path, help="corpus root (default: DIGIHULP_CORPUS_DIR or corpus/)")
    parser.add_argument("--data-dir", type=Path, help="data dir (default: DIGIHULP_DATA_DIR or data/)")
    parser.add_argument("--rebuild", action="store_true", help="re-embed everything (e.g. after a model change)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--if-missing", action="store_true", help="only ingest when there is no index yet")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _places(args: argparse.Namespace) -> dict[str, Path | None]:
    return {"corpus_dir": getattr(args, "corpus", None), "data_dir": args.data_dir}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        # A separate parser per subcommand keeps the plain `python -m ingest [flags]` exactly as it was.
        parser = build_batch_parser() if argv[0] == "batch" else build_rollback_parser()
        command = _batch if argv[0] == "batch" else _rollback
        return run(argv[1:], parser, command, overrides=_places, report=_report)
    return run(argv, build_parser(), _run, overrides=_places)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.errors import IndexCorrupt, StorageError
    from assistant.model import load_embedder
    from assistant.service import disk_status
    from assistant.store import ChromaStore
    from ingest.pipeline import describe, run_ingest

    store = ChromaStore(settings)
    try:
        live = store.live_info()  # a missing, damaged or unreachable index fails here, before the model loads
    except IndexCorrupt:
        if not args.rebuild:
            raise
        moved = store.set_aside_damaged()
        print(f"De beschadigde index is opzij gezet in {moved}; een nieuwe wordt gebouwd.", file=sys.stderr)
        live = None
    disk = disk_status(settings.data_dir)
    if disk["schijf"] != "ok":
        raise StorageError(f"De gegevensmap {settings.data_dir}: {disk['schijf']}")
    if args.if_missing and live is not None:
        print("Index bestaat al; niets te doen.")
        return 0
    embedder = load_embedder(settings, all_cores=True)
    report = run_ingest(settings, embedder, store, rebuild=args.rebuild,
                        progress=_progress_factory(quiet=args.quiet or args.json))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(describe(report))
    return report.exit_code


def _progress_factory(quiet: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    def make(total: int, desc: str) -> tqdm:
        return tqdm(total=total, desc=desc, unit="stuk", disable=quiet or total == 0, file=sys.stderr)

    return make


# -- subcommands -------------------------------------------------------------------------------------------
def build_batch_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m ingest batch",
        description="Test a batch of tips against the evals beside the live index; publish it only when no "
                    "gated metric gets worse. Exit codes: 0 published, 1 refused by the gate, 2 invalid batch.",
    )
    parser.add_argument("batch_dir", type=Path, metavar="DIR", help="batch folder: tips/, handleidingen/, retire.txt")
    parser.add_argument("--corpus", type=Path, help="corpus root (default: DIGIHULP_CORPUS_DIR or corpus/)")
    parser.add_argument("--data-dir", type=Path, help="data dir (default: DIGIHULP_DATA_DIR or data/)")
    parser.add_argument("--dataset", type=Path, action="extend", nargs="+", metavar="FILE",
                        help="eval question set(s) (default: evals/datasets/sample.jsonl + the escalation set, "
                             "DIGIHULP_ESCALATION_EVALS)")
    parser.add_argument("--dry-run", action="store_true", help="only test; never publish")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    return parser


def build_rollback_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m ingest rollback",
                                     description="Make the previous index generation live again.")
    parser.add_argument("--data-dir", type=Path, help="data dir (default: DIGIHULP_DATA_DIR or data/)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _report(exc: BaseException, message: str, args: argparse.Namespace) -> None:
    """Batch and rollback report an error in JSON too (--json), with every bad file of an invalid batch or dataset."""
    problems = getattr(exc, "problems", {})
    if isinstance(problems, list):  # a dataset's problems are lines of one file
        problems = {str(getattr(exc, "path", "")): "\n".join(problems)} if problems else {}
    _print_error(args.json, message, dict(problems))


def _print_error(as_json: bool, message: str, problems: dict[str, str]) -> None:
    if as_json:
        print(json.dumps({"published": False, "error": message, "problems": problems}, ensure_ascii=False, indent=2))
    print(f"Fout: {message}", file=sys.stderr)
    for where, reason in sorted(problems.items()):
        print(f"  {where}: {reason}", file=sys.stderr)


def _batch(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.model import load_embedder
    from evals.gate import check_batch, default_datasets, describe, load_cases, run_batch

    datasets = args.dataset or default_datasets(settings)
    check_batch(settings, args.batch_dir)  # a bad batch or dataset fails before the model loads
    load_cases(datasets)
    embedder = load_embedder(settings, all_cores=True)
    outcome = run_batch(settings, embedder, args.batch_dir, datasets, dry_run=args.dry_run)
    print(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2) if args.json else describe(outcome))
    return 0 if outcome.passed else 1


def _rollback(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.batch_files import rollback

    info, note = rollback(settings)
    if args.json:
        print(json.dumps({"collection": info.collection, "previous": info.previous, "count": info.count,
                          "note": note}, ensure_ascii=False, indent=2))
    else:
        print(f"Live index nu: {info.collection} ({info.count} stukken); de teruggedraaide versie "
              f"{info.previous} blijft bewaard (nogmaals `rollback` zet ze terug).\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
