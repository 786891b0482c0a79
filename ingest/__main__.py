"""python -m ingest: bring the index in line with the corpus.

Exit codes: 0 all files ingested, 1 some files failed (the rest is ingested), 2 configuration error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.runtime import configure_logging, force_offline

log = logging.getLogger("ingest")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Ingest the corpus into the index.")
    parser.add_argument("--corpus", type=Path, help="corpus root (default: DIGIHULP_CORPUS_DIR or corpus/)")
    parser.add_argument("--data-dir", type=Path, help="data dir (default: DIGIHULP_DATA_DIR or data/)")
    parser.add_argument("--rebuild", action="store_true", help="re-embed everything (e.g. after a model change)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--if-missing", action="store_true", help="only ingest when there is no index yet")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    force_offline()
    args = build_parser().parse_args(argv)
    from assistant.config import Settings
    from assistant.errors import ConfigError, DigihulpError

    overrides = {k: v for k, v in (("corpus_dir", args.corpus), ("data_dir", args.data_dir)) if v is not None}
    try:
        settings = Settings(**overrides)
    except Exception as exc:
        print(f"Ongeldige instellingen: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return _run(settings, args)
    except ConfigError as exc:
        print(f"Configuratiefout: {exc}", file=sys.stderr)
        return 2
    except DigihulpError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2


def _run(settings: object, args: argparse.Namespace) -> int:
    from assistant.config import Settings
    from assistant.model import Embedder
    from assistant.store import ChromaStore
    from ingest.pipeline import describe, run_ingest

    assert isinstance(settings, Settings)
    store = ChromaStore(settings)
    if args.if_missing and store.live_info() is not None:
        print("Index bestaat al; niets te doen.")
        return 0
    embedder = Embedder(settings.model_dir, settings.embed_dtype)
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


if __name__ == "__main__":
    raise SystemExit(main())
