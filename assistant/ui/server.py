"""create_app(): one FastAPI app with /health, /login, the coach workspace at /coach and the chat page at /."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from assistant.auth import AccountStore
from assistant.clients import parse_networks
from assistant.config import Settings
from assistant.maildigest import DigestFlusher, MailThrottle
from assistant.service import Assistant
from assistant.ui import relogin
from assistant.ui.chat import ChatPage
from assistant.ui.client import BrowserCookie
from assistant.ui.coach import CoachPage
from assistant.ui.gaps_render import CSS as GAPS_CSS
from assistant.ui.login import PREFIX, CoachGate, LoginRoutes, auth_dependency
from assistant.ui.plain_page import install_assets
from assistant.ui.render import CSS, error_box
from assistant.ui.services import Services
from assistant.ui.session import LoginBackoff, SessionStore, load_secret
from assistant.ui.source_view import SourceView
from assistant.ui.start import StartPage

log = logging.getLogger(__name__)

MOUNT: dict[str, Any] = {"footer_links": [], "run_history": False, "show_error": False, "ssr_mode": False,
                         "css": CSS + GAPS_CSS}


def _theme() -> gr.themes.Base:
    # System fonts only: the default theme would fetch Google Fonts, and this app runs offline.
    font = ["system-ui", "Segoe UI", "Arial", "sans-serif"]
    theme = gr.themes.Default(primary_hue="blue", font=font, font_mono=["ui-monospace", "Consolas", "monospace"])
    # WCAG 2.1 AA (issue 12 point 13): the default's helper text and placeholders are 1.9:1 and its blue-500
    # buttons, selected tabs and red "stop" buttons under 4.5:1 with their text; these shades reach >= 4.5:1.
    return theme.set(body_text_color_subdued="*neutral_600", input_placeholder_color="*neutral_500",
                     color_accent="*primary_700", button_primary_background_fill="*primary_700",
                     button_primary_border_color="*primary_700", button_primary_background_fill_hover="*primary_800",
                     button_primary_border_color_hover="*primary_800", button_cancel_background_fill="#b91c1c",
                     button_cancel_background_fill_hover="#991b1b")


def health(assistant: Assistant) -> JSONResponse:
    """200 while colleagues get answers ("ok"; "beperkt" when the LLM server is down or the model's files broke
    under the running app), else 503."""
    try:
        status: dict[str, Any] = dict(assistant.health())
    except Exception as exc:  # health must answer even when something unforeseen broke
        log.exception("Health check failed")
        status = {"status": "problemen", "fout": type(exc).__name__}
    return JSONResponse(status, status_code=503 if status.get("status") == "problemen" else 200)


def _digests(throttle: MailThrottle | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """While the app runs, queued escalation mails go out as digests when a coach's window is up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        flusher = DigestFlusher(throttle) if throttle is not None else None
        if flusher is not None:
            flusher.start()
        try:
            yield
        finally:
            if flusher is not None:
                flusher.stop()

    return lifespan


def create_app(settings: Settings, assistant: Assistant, *, sessions: SessionStore | None = None,
               backoff: LoginBackoff | None = None) -> FastAPI:
    """The whole web app around one shared Assistant (one model instance): the web app's composition root."""
    accounts = AccountStore(settings.accounts_file)
    services = Services.build(assistant, accounts)
    trusted = parse_networks(settings.trusted_proxies)
    sessions = sessions or SessionStore(settings.db_path, settings.session_hours)
    backoff = backoff or LoginBackoff(settings.login_free_attempts, settings.login_max_wait_s)
    secret = load_secret(settings.data_dir)
    if not accounts.has_accounts():
        log.warning("No coach accounts in %s: the coach workspace stays closed. Create one with: "
                    'python -m assistant.auth add-coach "Name" --department ID', settings.accounts_file)

    app = FastAPI(title="digihulp", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_digests(assistant.intake.throttle))
    app.add_middleware(CoachGate, sessions=sessions)
    app.add_middleware(BrowserCookie)
    app.add_api_route("/health", lambda: health(assistant), methods=["GET"], include_in_schema=False)
    LoginRoutes(accounts, sessions, backoff, trusted).install(app)

    install_start_pages(app, services, secret)

    coach = CoachPage(services).blocks()
    coach.queue(default_concurrency_limit=settings.concurrency_limit)
    gr.mount_gradio_app(app, coach, path=PREFIX, theme=_theme(), auth_dependency=auth_dependency(sessions),
                        max_file_size=int(settings.max_file_mb * 1_000_000), head=relogin.head(), **MOUNT)

    chat = ChatPage(services, secret).blocks()
    chat.queue(default_concurrency_limit=settings.concurrency_limit)
    # Bounds memory: every page load (and every API call) is a session holding its last answer.
    chat.state_session_capacity = coach.state_session_capacity = settings.chat_sessions_kept
    gr.mount_gradio_app(app, chat, path="/", theme=_theme(), max_file_size="10kb", **MOUNT)
    return app


def install_start_pages(app: FastAPI, services: Services, secret: str) -> None:
    """/start (start check and tip path for new colleagues), /bron (readable sources) and their assets."""
    settings = services.settings
    install_assets(app)
    SourceView(settings.corpus_dir, int(settings.max_file_mb * 1_000_000)).install(app)
    StartPage(services.start_content, services.directory, services.start_results, secret).install(app)


def create_unavailable_app(message: str) -> FastAPI:
    """When the assistant cannot start (e.g. model missing): every page shows the Dutch reason, /health 503."""
    app = FastAPI(title="digihulp", docs_url=None, redoc_url=None, openapi_url=None)
    page = (f'<!doctype html><html lang="nl-BE"><head><meta charset="utf-8"><title>digihulp</title>'
            f"<style>{CSS}</style></head><body style='font-family:system-ui;max-width:720px;margin:8vh auto'>"
            f"<h1>digihulp</h1>{error_box(message, 'Meld dit aan de beheerder of aan je digicoach.')}</body></html>")

    @app.get("/health", include_in_schema=False)
    def _health() -> JSONResponse:
        return JSONResponse({"status": "problemen", "fout": message}, status_code=503)

    @app.api_route("/{path:path}", methods=["GET", "POST"], include_in_schema=False)
    def _any(path: str) -> HTMLResponse:
        return HTMLResponse(page, status_code=503)

    return app
