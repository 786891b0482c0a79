"""Who is asking on the chat page: a browser token (a long-lived random cookie) and the client's address.

The token lets the escalation limits (assistant.ratelimit) and duplicate merging (assistant.duplicates) tell one
browser from another behind a shared address. It is no secret and proves nothing: a client that drops or
changes it is still counted by its address.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from http.cookies import SimpleCookie
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.clients import Network, client_address
from assistant.ratelimit import Client

BROWSER_COOKIE = "digihulp_browser"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_YEAR = 365 * 24 * 3600


def _cookie(scope: Scope, name: str) -> str:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is the client's problem, not a reason to fail
                return ""
            if name in jar:
                return jar[name].value
    return ""


class BrowserCookie:
    """ASGI middleware: gives every browser without a valid token one (HttpOnly, SameSite=Lax, a year)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _TOKEN.match(_cookie(scope, BROWSER_COOKIE)):
            await self.app(scope, receive, send)
            return
        header = (f"{BROWSER_COOKIE}={secrets.token_urlsafe(18)}; Max-Age={_YEAR}; Path=/; HttpOnly; "
                  "SameSite=Lax").encode("latin-1")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def client_of(request: Any, trusted: Sequence[Network] = ()) -> Client:
    """The Client of a Gradio/Starlette request (empty parts when unknown). Behind a proxy in `trusted`
    (DIGIHULP_TRUSTED_PROXIES) the address is the colleague's from X-Forwarded-For, as for the coach login."""
    cookies = getattr(request, "cookies", None) or {}
    token = str(cookies.get(BROWSER_COOKIE, "")) if hasattr(cookies, "get") else ""
    peer = str(getattr(getattr(request, "client", None), "host", "") or "")
    headers = getattr(request, "headers", None)
    address = client_address(peer, headers.items(), trusted) if peer and headers is not None else peer
    return Client(browser=token if _TOKEN.match(token) else "", address=address)
