"""The addresses of the readable source view (/bron), for every page that links to a source: the chat page's
citations, the tip path, a retired tip's successor. A leaf of the web app: it imports nothing of it."""

from __future__ import annotations

from urllib.parse import quote

ROUTE = "/bron"
PDF_ROUTE = "/bron/pdf"
ANCHOR = "citaat"  # the id of the marked passage
MAX_QUOTE_WORDS = 80  # a link carries at most this many words of the passage (a short URL; enough to find it)


def link_quote(passage: str) -> str:
    """The start of a passage, for a link (the view needs only enough words to find it)."""
    return " ".join(passage.split()[:MAX_QUOTE_WORDS])


def source_href(source: str, back: str = "", page: int | None = None, passage: str = "") -> str:
    """The link to a source's readable view; `back` is a local page to return to (e.g. the tip path), `page` a
    manual's page and `passage` the quoted text to mark and scroll to."""
    params = [f"pad={quote(source, safe='')}"]
    params += [f"pagina={int(page)}"] if page else []
    params += [f"citaat={quote(link_quote(passage), safe='')}"] if passage.strip() else []
    params += [f"terug={quote(back, safe='')}"] if back else []
    return f"{ROUTE}?{'&'.join(params)}" + (f"#{ANCHOR}" if passage.strip() else "")


def pdf_href(source: str, page: int | None = None) -> str:
    """The PDF itself, opened at `page` by the browser's PDF viewer."""
    return f"{PDF_ROUTE}?pad={quote(source, safe='')}" + (f"#page={int(page)}" if page else "")


def local_back(back: str) -> str:
    """Only a path on this server ("/…", not "//host") may be the back link."""
    back = (back or "").strip()
    return back if back.startswith("/") and not back.startswith(("//", "/\\")) and len(back) < 7000 else ""
