"""python -m evals run: score retrieval, citations, escalation and groundedness on a question set.

Exit codes: 0 the eval ran (regressions are reported, not fatal), 2 configuration or dataset error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.runtime import configure_logging, force_offline

log = logging.getLogger("evals")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluate digihulp on a question set.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ingest the corpus (incremental), ask every question, write a report")
    run.add_argument("--dataset", type=Path, required=True, help="JSONL question set")
    run.add_argument("--corpus", type=Path, help="corpus root (default: DIGIHULP_CORPUS_DIR or corpus/)")
    run.add_argument("--data-dir", type=Path, help="index and escalations of this eval (default: data/evals-<name>)")
    run.add_argument("--out", type=Path, help="output folder (default: evals/out/<name>/)")
    run.add_argument("--baseline", type=Path, help="baseline file (default: evals/baselines/<name>.json)")
    run.add_argument("--update-baseline", action="store_true", help="overwrite the baseline with this run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    force_offline()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors; main() returns instead
        return exc.code if isinstance(exc.code, int) else 2
    from assistant.config import Settings
    from evals.runner import default_data_dir

    overrides = {"data_dir": args.data_dir or default_data_dir(args.dataset)}
    if args.corpus is not None:
        overrides["corpus_dir"] = args.corpus
    try:
        live_data_dir = Settings().data_dir
        settings = Settings(**overrides)
    except Exception as exc:
        print(f"Ongeldige instellingen: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if settings.data_dir.resolve() == live_data_dir.resolve():
        print(f"Weigering: {settings.data_dir} is de echte datamap; evals maken escalaties aan. "
              "Kies een eigen --data-dir.", file=sys.stderr)
        return 2
    return _run(settings, args)


def _run(settings: object, args: argparse.Namespace) -> int:
    from assistant.config import Settings
    from assistant.errors import DigihulpError
    from evals.dataset import DatasetError
    from evals.report import format_table
    from evals.runner import run

    assert isinstance(settings, Settings)
    try:
        outcome = run(settings, args.dataset, args.out, baseline=args.baseline, update_baseline=args.update_baseline)
    except DatasetError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except DigihulpError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    counts = outcome.result.counts
    print(f"Eval {args.dataset.stem}: {counts['cases']} vragen, {counts['escalated']} doorgestuurd, "
          f"{counts['failed']} met een fout")
    print(format_table(outcome.result.metrics, outcome.baseline))
    for regression in outcome.regressions:
        print(f"REGRESSIE {regression}")
    for problem in outcome.source_problems:
        print(f"DATASET {problem}")
    print(f"Rapport: {outcome.out_dir / 'report.md'}")
    if args.update_baseline:
        print(f"Baseline bijgewerkt: {outcome.baseline_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
