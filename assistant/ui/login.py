"""Coach login: our own /login page, the session cookie, and an ASGI gate in front of everything under /coach.

The gate runs before Gradio sees a request, so the coach page, its config and every /coach/gradio_api/* call
(queue, upload, file, info, ...) get 401 (or a redirect to /login for the page itself) without a valid session.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.auth import AccountStore
from assistant.ui.render import esc
from assistant.ui.session import COOKIE, LoginGuard, SessionStore

log = logging.getLogger(__name__)

PREFIX = "/coach"
NO_ACCOUNTS = ("Er is nog geen account voor de digicoaches. Vraag de beheerder er een aan te maken met: "
               'python -m assistant.auth add-coach "Voornaam Naam" --department dienst-id')
PAGE = """<!doctype html><html lang="nl-BE"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>digihulp – aanmelden digicoach</title>
<style>body{{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0;color:#1d2733}}
main{{max-width:380px;margin:8vh auto;background:#fff;padding:28px 32px;border-radius:12px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}}h1{{font-size:1.4rem;margin:0 0 .2em}}label{{display:block;margin:.9em 0 .2em}}
input{{width:100%;box-sizing:border-box;padding:.55em;border:1px solid #b8c2cc;border-radius:6px;font-size:1rem}}
button{{margin-top:1.2em;width:100%;padding:.65em;border:0;border-radius:6px;background:#1f5fa8;color:#fff;
font-size:1rem;cursor:pointer}}.msg{{background:#fdecea;border:1px solid #e5a29b;padding:.6em .8em;border-radius:6px}}
.info{{background:#fff8e1;border:1px solid #f0c36d;padding:.6em .8em;border-radius:6px}}</style></head>
<body><main><h1>Werkruimte digicoaches</h1><p>Meld je aan om de vragen van collega's te beantwoorden.</p>
{body}<p style="margin-top:1.5em"><a href="/">Naar de vragenpagina voor collega's</a></p></main></body></html>"""
FORM = """{message}<form method="post" action="/login" id="login-form">
<label for="naam">Naam</label><input id="naam" name="naam" autocomplete="username" required value="{name}">
<label for="wachtwoord">Wachtwoord</label>
<input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required>
<button type="submit">Aanmelden</button></form>"""


def _under(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _token(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1")).get(COOKIE)
    return None


class CoachGate:
    """ASGI middleware: requests under /coach without a valid session never reach the coach app."""

    def __init__(self, app: ASGIApp, sessions: SessionStore) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gated = scope["type"] in ("http", "websocket") and _under(scope.get("path", ""))
        if gated and self.sessions.user(_token(scope)) is None:
            await self._deny(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _deny(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if scope.get("method") == "GET" and scope.get("path", "").rstrip("/") == PREFIX:
            response = RedirectResponse("/login", status_code=303)
        else:
            response = JSONResponse({"detail": "Niet aangemeld. Meld je aan via /login."}, status_code=401)
        await response(scope, receive, send)


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=status, headers={"Cache-Control": "no-store"})


def _form(message: str = "", name: str = "", status: int = 200) -> HTMLResponse:
    note = f'<p class="msg" role="alert">{esc(message)}</p>' if message else ""
    return _page(FORM.format(message=note, name=esc(name)), status)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


class LoginRoutes:
    def __init__(self, accounts: AccountStore, sessions: SessionStore, guard: LoginGuard) -> None:
        self.accounts, self.sessions, self.guard = accounts, sessions, guard

    def install(self, app: FastAPI) -> None:
        app.add_api_route("/login", self.show, methods=["GET"], include_in_schema=False)
        app.add_api_route("/login", self.submit, methods=["POST"], include_in_schema=False)
        app.add_api_route("/logout", self.logout, methods=["POST"], include_in_schema=False)

    async def show(self, request: Request) -> Response:
        if not self.accounts.has_accounts():
            return _page(f'<p class="info">{esc(NO_ACCOUNTS)}</p>', 503)
        if self.sessions.user(request.cookies.get(COOKIE)):
            return RedirectResponse(f"{PREFIX}/", status_code=303)
        return _form()

    async def submit(self, request: Request) -> Response:
        if not self.accounts.has_accounts():
            return _page(f'<p class="info">{esc(NO_ACCOUNTS)}</p>', 503)
        if not _same_origin(request):
            return _form("Aanmelden kan alleen vanaf deze pagina.", status=403)
        form = await request.form()
        name, password = str(form.get("naam") or "")[:120], str(form.get("wachtwoord") or "")[:1000]
        client = request.client.host if request.client else "?"
        keys = [f"account:{' '.join(name.split()).casefold()}", f"ip:{client}"]
        wait = self.guard.locked_for(keys)
        if wait > 0:
            log.warning("Login refused (locked) for %r from %s", name, client)
            minutes = max(1, round(wait / 60))
            return _form(f"Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw.", name, 429)
        account = await run_in_threadpool(self.accounts.verify, name, password)
        if account is None:
            self.guard.fail(keys)
            log.warning("Failed coach login for %r from %s", name, client)
            return _form("Naam of wachtwoord is niet juist.", name, 401)
        self.guard.success(keys[:1])
        log.info("Coach %s logged in from %s", account.name, client)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        response.set_cookie(COOKIE, self.sessions.create(account.name), max_age=int(self.sessions.seconds),
                            path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    async def logout(self, request: Request) -> Response:
        self.sessions.revoke(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response


def coach_of(request: gr.Request | None) -> str:
    """The logged-in coach of a workspace event; the gate already refused anonymous calls, this is a second check."""
    user = getattr(request, "username", None)
    if not user:
        raise gr.Error("Je sessie is verlopen. Vernieuw de pagina en meld je opnieuw aan.")
    return str(user)


def auth_dependency(sessions: SessionStore) -> Any:
    """For gr.mount_gradio_app: the coach name of the request's session, or None (Gradio then answers 401)."""

    def user(request: Request) -> str | None:
        return sessions.user(request.cookies.get(COOKIE))

    return user
