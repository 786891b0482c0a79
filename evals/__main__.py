"""python -m evals run: score retrieval, citations, escalation and groundedness on a question set.

Exit codes: 0 the eval ran (regressions are reported, not fatal), 2 configuration or dataset error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.cli import Parser, run
from assistant.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m evals", description="Evaluate digihulp on a question set.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ingest the corpus (incremental), ask every question, write a report")
    run.add_argument("--dataset", type=Path, required=True, help="JSONL question set")
    run.add_argument("--corpus", type=Path, help="corpus root (default: DIGIHULP_CORPUS_DIR or corpus/)")
    run.add_argument("--data-dir", type=Path, help="index and escalations of this eval (default: data/evals-<name>)")
    run.add_argument("--out", type=Path, help="output folder (default: evals/out/<name>/)")
    run.add_argument("--baseline", type=Path, help="baseline file (default: evals/baselines/<name>.json)")
    run.add_argument("--update-baseline", action="store_true", help="overwrite the baseline with this run")
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Path | None]:
    from evals.runner import default_data_dir

    return {"data_dir": args.data_dir or default_data_dir(args.dataset), "corpus_dir": args.corpus}


def evals_command(settings: Settings, args: argparse.Namespace) -> int:
    from evals.report import format_table
    from evals.runner import run

    if settings.data_dir.resolve() == Settings().data_dir.resolve():
        print(f"Weigering: {settings.data_dir} is de echte datamap; evals maken escalaties aan. "
              "Kies een eigen --data-dir.", file=sys.stderr)
        return 2
    outcome = run(settings, args.dataset, args.out, baseline=args.baseline, update_baseline=args.update_baseline)
    counts = outcome.result.counts
    print(f"Eval {args.dataset.stem}: {counts['cases']} vragen, {counts['escalated']} doorgestuurd, "
          f"{counts.get('referred', 0)} doorverwezen, "
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


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, build_parser(), evals_command, overrides=_overrides)


if __name__ == "__main__":
    sys.exit(main())
