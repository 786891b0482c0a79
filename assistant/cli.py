"""The frame every command-line entry point runs in (app.py and the `python -m` CLIs): offline environment,
arguments, Settings, logging once, and one exit-code ladder with one Dutch wording per failure.

Exit codes: 0 done; 1 done in part, refused, or stopped with Ctrl-C (the command says which); 2 wrong
arguments, settings or configuration, or an error that stopped the command (the message names the fix).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import DigihulpError, explain
from assistant.runtime import configure_logging, force_offline

log = logging.getLogger(__name__)

Command = Callable[[Settings, argparse.Namespace], int]
Reporter = Callable[[BaseException, str, argparse.Namespace], None]


def print_error(exc: BaseException, message: str, args: argparse.Namespace) -> None:
    """The default way a command reports the error that stopped it: one Dutch line on stderr."""
    print(f"Fout: {message}", file=sys.stderr)


def settings_problem(exc: ValidationError) -> str:
    """Which DIGIHULP_* variable is wrong and why, one per problem."""
    return "; ".join(f"DIGIHULP_{'_'.join(map(str, error['loc'])).upper()}: {error['msg']}"
                     for error in exc.errors()) or str(exc)


def run(argv: Sequence[str] | None, parser: argparse.ArgumentParser, command: Command, *,
        overrides: Callable[[argparse.Namespace], Mapping[str, Any]] = lambda args: {},
        log_level: Callable[[argparse.Namespace], str | None] = lambda args: None,
        report: Reporter = print_error) -> int:
    """Parse `argv`, build Settings (DIGIHULP_* plus `overrides` from the arguments), configure logging and run
    `command`; an error that stops it becomes `report`ed Dutch text and exit code 2, never a traceback."""
    force_offline()  # before chromadb, gradio or transformers are imported: they read it at import
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) and usage errors (2): return instead of leaving the caller
        return exc.code if isinstance(exc.code, int) else 2
    try:
        settings = Settings(**{k: v for k, v in overrides(args).items() if v is not None})
    except ValidationError as exc:
        print(f"Fout in de instellingen: {settings_problem(exc)}", file=sys.stderr)
        return 2
    configure_logging(log_level(args) or settings.log_level)
    try:
        return command(settings, args)
    except (KeyboardInterrupt, EOFError):
        print("Afgebroken.", file=sys.stderr)
        return 1
    except DigihulpError as exc:
        report(exc, str(exc), args)
    except Exception as exc:  # no traceback for the person at the console; DEBUG logging has it
        log.debug("%s failed", parser.prog, exc_info=True)
        report(exc, explain(exc), args)
    return 2
