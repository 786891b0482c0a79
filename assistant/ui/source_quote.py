"""Find the quoted passage in its source and mark it: the source view scrolls to the mark (`#citaat`).

A citation's passage is text the answerer took from the source, cleaned (markdown marks and list numbers gone,
lines joined, sometimes cut with "…"), so it is found by its words, not its characters: the lines of the
source holding the densest run of the passage's words, when that run holds most of them.
"""

from __future__ import annotations

import html
import re
from difflib import SequenceMatcher

from markdown_it import MarkdownIt

from assistant.ui.source_links import ANCHOR

WORD = re.compile(r"\w+")
MIN_SHARE = 0.6  # of the passage's words that must be found in one run of the source
MARKABLE = {"paragraph_open", "list_item_open", "heading_open", "table_open", "blockquote_open"}


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def quoted_lines(lines: list[str], passage: str) -> tuple[int, int] | None:
    """(first, last) line of `lines` that hold the passage, or None when it is not there (any more)."""
    doc: list[str] = []
    line_of: list[int] = []
    for number, line in enumerate(lines):
        for word in words(line):
            doc.append(word)
            line_of.append(number)
    quote = words(passage)
    if len(quote) < 2 or not doc:
        return None
    blocks = [b for b in SequenceMatcher(None, doc, quote, autojunk=False).get_matching_blocks()
              if b.size >= min(3, len(quote))]
    best: tuple[int, int, int] | None = None  # (matched words, first word, last word)
    limit = 2 * len(quote) + 10  # a run longer than this is scattered common words, not the passage
    for i, start in enumerate(blocks):
        matched = 0
        for end in blocks[i:]:
            if end.a + end.size - start.a > limit:
                break
            matched += end.size
            if best is None or matched > best[0]:
                best = (matched, start.a, end.a + end.size - 1)
    if best is None or best[0] < MIN_SHARE * len(quote):
        return None
    return line_of[best[1]], line_of[best[2]]


def markdown_marked(md: MarkdownIt, body: str, passage: str) -> tuple[str, bool]:
    """The body as HTML with the blocks that hold the passage marked; True when it was found."""
    tokens = md.parse(body)
    span = quoted_lines(body.splitlines(), passage) if passage else None
    found = False
    if span is not None:
        for token in tokens:
            if token.type not in MARKABLE or token.hidden or not token.map:
                continue
            start, end = token.map  # lines [start, end)
            if start <= span[1] and end - 1 >= span[0]:
                token.attrJoin("class", "gemarkeerd")
                if not found:
                    token.attrSet("id", ANCHOR)
                found = True
    return md.renderer.render(tokens, md.options, {}), found


def text_marked(text: str, passage: str) -> tuple[str, bool]:
    """Plain text (a manual's page) as HTML lines, the passage's lines inside one <mark>; True when found."""
    lines = [line.rstrip() for line in text.splitlines()]
    span = quoted_lines(lines, passage) if passage else None
    out = []
    for number, line in enumerate(lines):
        if span is not None and number == span[0]:
            out.append(f'<mark class="gemarkeerd" id="{ANCHOR}">')
        out.append(html.escape(line) + "<br>")
        if span is not None and number == span[1]:
            out.append("</mark>")
    return "".join(out), span is not None
