"""Start the digihulp web app: python app.py (settings from DIGIHULP_* environment variables).

The chat page for staff is at http://HOST:PORT/, the coach workspace at /coach, status at /health.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from assistant.cli import Parser, run
from assistant.config import Settings

log = logging.getLogger("digihulp.app")


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the app; if the assistant cannot start (no model, no coach file, ...) serve the Dutch reason instead."""
    import uvicorn

    from assistant.errors import ConfigError, DigihulpError
    from assistant.service import build_assistant
    from assistant.ui import create_app, create_unavailable_app

    try:
        app = create_app(settings, build_assistant(settings))  # one model instance for every request
    except ConfigError:
        raise  # wrong settings: the CLI frame says so and exits 2
    except DigihulpError as exc:
        log.error("digihulp cannot answer questions: %s", exc)
        app = create_unavailable_app(str(exc))
    except Exception:
        log.exception("digihulp could not start")
        app = create_unavailable_app("digihulp kon niet starten door een onverwachte fout (zie het logbestand).")
    log.info("digihulp listens on http://%s:%d/ (coach workspace: /coach)", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="python app.py", description="Start de digihulp-webapp.",
                                     epilog="Instellingen via DIGIHULP_*-omgevingsvariabelen (zie README).")
    return run(argv, parser, serve)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
