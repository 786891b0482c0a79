"""Plain data passed between modules. Frozen so nothing downstream mutates what it was handed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DocType = Literal["tip", "handleiding", "overleg", "document"]
# What the colleague gets: an answer, an answer shown under "not sure" with the coach one click away,
# or an escalation to the coach.
Band = Literal["answer", "unsure", "escalated"]


@dataclass(frozen=True)
class Chunk:
    """One passage as stored in the index. `id` is stable (source path + position)."""

    id: str
    text: str
    source: str  # path relative to the corpus root, posix style
    doc_type: DocType
    title: str
    section: str = ""
    page: int | None = None
    position: int = 0
    content_hash: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # app, department, author, created, ...

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values: Chroma refuses them)."""
        flat: dict[str, Any] = {
            "source": self.source,
            "doc_type": self.doc_type,
            "title": self.title,
            "section": self.section,
            "page": self.page if self.page is not None else 0,
            "position": self.position,
            "content_hash": self.content_hash,
        }
        for key, value in self.meta.items():
            if value is None:
                continue
            flat[key] = ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
        return flat


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores. `dense_score` is cosine similarity in [-1, 1]."""

    chunk: Chunk
    score: float
    dense_score: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    doc_type: DocType
    section: str
    page: int | None
    date: str
    author: str
    passage: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "doc_type": self.doc_type,
            "section": self.section,
            "page": self.page,
            "date": self.date,
            "author": self.author,
            "passage": self.passage,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    confidence: float
    escalated: bool = False
    escalation_id: int | None = None
    coach: str = ""
    notice: str = ""  # a Dutch note for the colleague (e.g. "je vraag werd ingekort")
    retrieved: tuple[tuple[str, float], ...] = ()  # (source, fused score) per document, ranked
    band: Band = "answer"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "confidence": round(self.confidence, 4),
            "escalated": self.escalated,
            "band": self.band,
            "escalation_id": self.escalation_id,
            "coach": self.coach,
            "notice": self.notice,
            "retrieved": [{"source": s, "score": round(sc, 6)} for s, sc in self.retrieved],
        }
