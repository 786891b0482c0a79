"""Start the digihulp web app: python app.py (settings from DIGIHULP_* environment variables).

The chat page for staff is at http://HOST:PORT/, the coach workspace at /coach, status at /health.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from assistant.runtime import configure_logging, force_offline

log = logging.getLogger("digihulp.app")


def main(argv: Sequence[str] | None = None) -> int:
    force_offline()  # before gradio, chromadb or transformers are imported
    from assistant.config import Settings
    from assistant.errors import ConfigError, DigihulpError

    if argv:
        print("Gebruik: python app.py (instellingen via DIGIHULP_*-omgevingsvariabelen)", file=sys.stderr)
        return 2
    try:
        settings = Settings()
    except Exception as exc:  # pydantic validation of DIGIHULP_* variables
        print(f"Fout in de instellingen: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    import uvicorn

    from assistant.service import build_assistant
    from assistant.ui import create_app, create_unavailable_app

    try:
        app = create_app(settings, build_assistant(settings))  # one model instance for every request
    except ConfigError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except DigihulpError as exc:
        log.error("digihulp cannot answer questions: %s", exc)
        app = create_unavailable_app(str(exc))
    except Exception:
        log.exception("digihulp could not start")
        app = create_unavailable_app("digihulp kon niet starten door een onverwachte fout (zie het logbestand).")
    log.info("digihulp listens on http://%s:%d/ (coach workspace: /coach)", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
