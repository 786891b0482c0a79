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
from assistant.clients import Network, client_address, forwarded_https
from assistant.ui.render import esc
from assistant.ui.session import COOKIE, LoginBackoff, SessionStore

log = logging.getLogger(__name__)

PREFIX = "/coach"
SIGNED_OUT = "Je bent afgemeld, meld je opnieuw aan."
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
            # A cookie that no longer opens a session: the coach was signed out (expiry, logout elsewhere).
            response = RedirectResponse("/login?afgemeld=1" if _token(scope) else "/login", status_code=303)
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
    def __init__(self, accounts: AccountStore, sessions: SessionStore, backoff: LoginBackoff,
                 trusted: tuple[Network, ...] = ()) -> None:
        self.accounts, self.sessions, self.backoff, self.trusted = accounts, sessions, backoff, trusted

    def install(self, app: FastAPI) -> None:
        app.add_api_route("/login", self.show, methods=["GET"], include_in_schema=False)
        app.add_api_route("/login", self.submit, methods=["POST"], include_in_schema=False)
        app.add_api_route("/logout", self.logout, methods=["POST"], include_in_schema=False)
        # Without the slash Starlette's mount of the workspace does not match (a JSON 404); the gate has let
        # only a signed-in coach get here.
        app.add_api_route(PREFIX, self.workspace, methods=["GET"], include_in_schema=False)

    async def workspace(self, request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{PREFIX}/{query}", status_code=307)

    def client(self, request: Request) -> str:
        return client_address(request.client.host if request.client else None, request.headers.items(),
                              self.trusted)

    async def show(self, request: Request) -> Response:
        if not self.accounts.has_accounts():
            return _page(f'<p class="info">{esc(NO_ACCOUNTS)}</p>', 503)
        if self.sessions.user(request.cookies.get(COOKIE)):
            return RedirectResponse(f"{PREFIX}/", status_code=303)
        if request.query_params.get("afgemeld"):
            return _page(f'<p class="info" role="status">{esc(SIGNED_OUT)}</p>' + FORM.format(message="", name=""))
        return _form()

    async def submit(self, request: Request) -> Response:
        if not self.accounts.has_accounts():
            return _page(f'<p class="info">{esc(NO_ACCOUNTS)}</p>', 503)
        if not _same_origin(request):
            return _form("Aanmelden kan alleen vanaf deze pagina.", status=403)
        form = await request.form()
        name, password = str(form.get("naam") or "")[:120], str(form.get("wachtwoord") or "")[:1000]
        client = self.client(request)
        wait = self.backoff.wait_for(client)
        if wait > 0:
            log.warning("Login refused (backoff, %.0f s) for %r from %s", wait, name, client)
            return _form(f"Te veel mislukte pogingen vanaf dit toestel. Probeer het over {_duration(wait)} "
                         "opnieuw.", name, 429)
        account = await run_in_threadpool(self.accounts.verify, name, password)
        if account is None:
            self.backoff.fail(client)
            log.warning("Failed coach login for %r from %s", name, client)
            return _form("Naam of wachtwoord is niet juist.", name, 401)
        self.backoff.success(client)
        log.info("Coach %s logged in from %s", account.name, client)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        secure = forwarded_https(request.url.scheme, request.client.host if request.client else None,
                                 request.headers.items(), self.trusted)
        response.set_cookie(COOKIE, self.sessions.create(account.name), max_age=int(self.sessions.seconds),
                            path="/", httponly=True, samesite="strict", secure=secure)
        return response

    async def logout(self, request: Request) -> Response:
        self.sessions.revoke(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response


def _duration(seconds: float) -> str:
    whole = max(1, round(seconds))
    return f"{whole} seconden" if whole < 90 else f"{max(2, round(whole / 60))} minuten"


def coach_of(request: gr.Request | None) -> str:
    """The logged-in coach of a workspace event; the gate already refused anonymous calls, this is a second check."""
    user = getattr(request, "username", None)
    if not user:
        raise gr.Error(SIGNED_OUT, title="Afgemeld")
    return str(user)


def auth_dependency(sessions: SessionStore) -> Any:
    """For gr.mount_gradio_app: the coach name of the request's session, or None (Gradio then answers 401)."""

    def user(request: Request) -> str | None:
        return sessions.user(request.cookies.get(COOKIE))

    return user
