"""Server-rendered pages outside Gradio (/start, /bron): the HTML shell, its stylesheet and script, strict headers.

Plain HTML works on any phone, without a framework download, and its forms work without JavaScript; the script only
adds comfort (remembering the path in the browser, ticking tips off without a reload, copying the link).
Scripts and styles come from this server only (Content-Security-Policy), and no page sends a Referer: the path
token in a URL must not travel to a site a tip links to.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from assistant.ui.render import esc

STATIC = resources.files("assistant.ui") / "static"
ASSET_PREFIX = "/digihulp-assets"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
ASSETS = {"pagina.css": "text/css; charset=utf-8", "start.js": "text/javascript; charset=utf-8"}


def page(title: str, body: str, *, page_id: str, data: dict[str, str] | None = None, status: int = 200,
         script: bool = True) -> HTMLResponse:
    """A complete page; `body` is HTML its caller built with esc() around every stored or typed value."""
    attrs = "".join(f' data-{key}="{esc(value)}"' for key, value in (data or {}).items())
    js = f'<script src="{ASSET_PREFIX}/start.js" defer></script>' if script else ""
    html = (
        '<!doctype html><html lang="nl-BE"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} · digihulp</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{ASSET_PREFIX}/pagina.css">{js}</head>'
        f'<body data-page="{esc(page_id)}"{attrs}><a class="skip" href="#inhoud">Naar de inhoud</a>'
        '<header class="top"><a href="/" class="merk">digihulp</a></header>'
        f'<main id="inhoud" tabindex="-1">{body}</main></body></html>'
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def install_assets(app: FastAPI) -> None:
    """The stylesheet and script, read once at start (they ship inside the package)."""
    files = {name: (STATIC / name).read_text(encoding="utf-8") for name in ASSETS}

    def asset(name: str) -> Response:
        if name not in files:
            return Response("Niet gevonden", status_code=404, media_type="text/plain; charset=utf-8")
        return Response(files[name], media_type=ASSETS[name],
                        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})

    app.add_api_route(f"{ASSET_PREFIX}/{{name}}", asset, methods=["GET"], include_in_schema=False)
