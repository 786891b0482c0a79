"""The frame every command-line entry point runs in (app.py and the `python -m` CLIs): offline environment,
arguments, Settings, logging once, and one exit-code ladder with one Dutch wording per failure.

Exit codes: 0 done; 1 done in part, refused, or stopped with Ctrl-C (the command says which); 2 wrong
arguments, settings or configuration, or an error that stopped the command (the message names the fix).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import DigihulpError, explain
from assistant.runtime import configure_logging, force_offline

log = logging.getLogger(__name__)

Command = Callable[[Settings, argparse.Namespace], int]
Reporter = Callable[[BaseException, str, argparse.Namespace], None]


# argparse's messages to the person at the console (Python 3.11+), matched whole; anything else is shown as is.
ARGPARSE_DUTCH = (
    (r"unrecognized arguments: (.*)", "onbekende optie of argument: {0}"),
    (r"the following arguments are required: (.*)", "dit ontbreekt nog: {0}"),
    (r"one of the arguments (.*) is required", "geef een van deze opties: {0}"),
    (r"expected one argument", "hier hoort een waarde bij"),
    (r"expected at least one argument", "hier hoort minstens een waarde bij"),
    (r"expected at most one argument", "hier hoort hoogstens een waarde bij"),
    (r"invalid choice: (.*) \(choose from (.*)\)", "ongeldige keuze {0}; kies uit {1}"),
    (r"invalid \S+ value: (.*)", "ongeldige waarde {0}"),
    (r"ambiguous option: (.*) could match (.*)", "de optie {0} is onduidelijk: bedoel je {1}?"),
    (r"not allowed with argument (.*)", "kan niet samen met {0}"),
    (r"ignored explicit argument (.*)", "deze optie neemt geen waarde ({0})"),
)


def dutch_usage_error(message: str) -> str:
    """argparse's English usage error in Dutch ("argument --x: expected one argument" -> "bij --x: ...")."""
    nested = re.fullmatch(r"argument (.+?): (.*)", message, flags=re.DOTALL)
    if nested:
        return f"bij {nested[1]}: {dutch_usage_error(nested[2])}"
    for pattern, dutch in ARGPARSE_DUTCH:
        found = re.fullmatch(pattern, message, flags=re.DOTALL)
        if found:
            return dutch.format(*found.groups())
    return message


class DutchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Gebruik: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Dutch to the console: help, usage and errors (exit code 2 kept)."""

    def __init__(self, prog: str | None = None, *, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DutchHelpFormatter)
        super().__init__(prog, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "argumenten", "opties"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="toon deze hulp en stop")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"Fout: {dutch_usage_error(message)}\nTyp '{self.prog} --help' om te zien welke opties er zijn.\n")


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
