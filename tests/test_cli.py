"""The command-line frame (assistant/cli.py): usage errors and help in Dutch, exit codes kept."""

from __future__ import annotations

import pytest

from assistant.cli import Parser, dutch_usage_error


def test_an_unknown_option_of_the_app_is_a_dutch_error_with_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    import app

    assert app.main(["--x"]) == 2
    err = capsys.readouterr().err
    assert "Fout: onbekende optie of argument: --x" in err and "python app.py --help" in err
    assert "usage" not in err and "error" not in err and "unrecognized" not in err


def test_the_apps_help_is_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    import app

    assert app.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Gebruik: python app.py") and "toon deze hulp en stop" in out and "show this" not in out


def test_argparse_messages_in_dutch_nested_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    parser = Parser(prog="x")
    parser.add_argument("--port", type=int)
    parser.add_argument("mode", choices=["a", "b"])
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--port", "zes", "a"])
    assert stop.value.code == 2 and "Fout: bij --port: ongeldige waarde 'zes'" in capsys.readouterr().err
    assert dutch_usage_error("argument --port: expected one argument") == "bij --port: hier hoort een waarde bij"
    assert dutch_usage_error("the following arguments are required: mode") == "dit ontbreekt nog: mode"
    assert dutch_usage_error("iets nieuws") == "iets nieuws"  # an unknown message is shown, not lost


def test_every_cli_speaks_dutch_on_a_wrong_choice(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.model.__main__ import main as model_main
    from evals.__main__ import main as evals_main

    assert model_main(["instal"]) == 2 and evals_main(["nope"]) == 2
    err = capsys.readouterr().err
    assert "Fout: bij command: ongeldige keuze 'instal'; kies uit 'install'" in err and "ongeldige keuze 'nope'" in err
    assert "invalid choice" not in err
