"""Split documents into chunks with stable ids and content hashes (llama-index node parsers)."""

from __future__ import annotations

import hashlib
import re

from llama_index.core import Document as LlamaDocument
from llama_index.core.node_parser import MarkdownNodeParser, SentenceSplitter

from assistant.types import Chunk
from ingest.loaders import Document

AGENDA_ITEM = re.compile(r"^(?=##\s)", re.MULTILINE)
HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*)$")
ANCHOR = re.compile(r"<a\s+name=[^>]*>\s*</a>")
MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)")


DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]{16,}")


def strip_link_targets(text: str) -> str:
    """`[label](https://very/long/url)` -> `label`: the URL adds hundreds of tokens and no meaning,
    and a colleague on the intranet cannot follow most of them anyway. Images keep their alt text;
    inline base64 images (thousands of tokens of noise) shrink to a marker."""
    return DATA_URI.sub("data:…", MD_LINK.sub(lambda m: m.group(2), text))


def _word_tokenizer(text: str) -> list[str]:
    # Counting words keeps llama-index off tiktoken, which would download its vocabulary.
    return text.split()


class Chunker:
    """Heading-aware for markdown, per page for PDFs, one chunk per agenda item for meeting notes."""

    def __init__(self, chunk_words: int, overlap_words: int, model_name: str) -> None:
        self._splitter = SentenceSplitter(
            chunk_size=chunk_words, chunk_overlap=min(overlap_words, chunk_words // 2),
            tokenizer=_word_tokenizer, include_metadata=False, include_prev_next_rel=False,
        )
        self._markdown = MarkdownNodeParser(include_metadata=False, include_prev_next_rel=False)
        self._model_name = model_name

    def chunk(self, doc: Document) -> list[Chunk]:
        pieces: list[tuple[str, int | None, str]]  # (section, page, text)
        if doc.doc_type == "handleiding":
            pieces = [(f"Pagina {page}", page, part) for page, text in doc.pages for part in self._split(text)]
        elif doc.doc_type == "overleg":
            pieces = [(section, None, part) for section, text in self._agenda_items(doc.text)
                      for part in self._split(text)]
        else:
            pieces = [(section, None, part) for section, text in self._sections(doc.text)
                      for part in self._split(text)]
        return [self._make(doc, position, section, page, text)
                for position, (section, page, text) in enumerate(pieces)]

    def _sections(self, body: str) -> list[tuple[str, str]]:
        nodes = self._markdown.get_nodes_from_documents([LlamaDocument(text=body)])
        sections = []
        for node in nodes:
            text = strip_link_targets(ANCHOR.sub("", node.get_content())).strip()
            if not _has_content(text):
                continue
            sections.append((_heading_of(text), text))
        return sections

    @staticmethod
    def _agenda_items(body: str) -> list[tuple[str, str]]:
        items = []
        for block in AGENDA_ITEM.split(body):
            text = strip_link_targets(block).strip()
            if _has_content(text):
                items.append((_heading_of(text), text))
        return items

    def _split(self, text: str) -> list[str]:
        if len(text.split()) <= self._splitter.chunk_size:
            return [text]
        return [part.strip() for part in self._splitter.split_text(text) if part.strip()]

    def _make(self, doc: Document, position: int, section: str, page: int | None, text: str) -> Chunk:
        return Chunk(
            id=f"{doc.source}#{position}",
            text=text,
            source=doc.source,
            doc_type=doc.doc_type,
            title=doc.title,
            section=section,
            page=page,
            position=position,
            content_hash=content_hash(self._model_name, doc.title, text),
            meta=dict(doc.meta),
        )


def content_hash(model_name: str, title: str, text: str) -> str:
    """What is embedded decides the hash: same model, title and text means same vector."""
    payload = "\x1f".join((model_name, title, text)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:32]


def _heading_of(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    match = HEADING_LINE.match(first)
    return match.group(2).strip() if match else ""


def _has_content(text: str) -> bool:
    # A bare heading with nothing under it is not worth a vector.
    lines = [line for line in text.splitlines() if line.strip()]
    return any(not HEADING_LINE.match(line) for line in lines)
