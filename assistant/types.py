"""Plain data passed between modules. Frozen so nothing downstream mutates what it was handed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

# The citation markers an answer carries: [1], [1, 2], [bron 3]. Answerers write them, check_citations renumbers
# them, the pages show or strip them and the evals count them, all with this one pattern.
CITATION_MARKER = re.compile(r"\[(?:bron\s*)?(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]", re.IGNORECASE)
_MARKER_AND_SPACE = re.compile(r"[ \t]*" + CITATION_MARKER.pattern, re.IGNORECASE)

DocType = Literal["tip", "handleiding", "overleg", "document"]
Status = Literal["open", "answered", "closed"]  # of an escalation
# What the colleague gets: an answer, an answer shown under "not sure" with the coach one click away,
# or an escalation to the coach; and two that are no digicoach question at all: a pointer to the service that
# helps (a referral list the coordinator keeps next to coaches.yaml) and a friendly prompt after a greeting.
Band = Literal["answer", "unsure", "escalated", "referred", "greeting"]


def cited_numbers(text: str) -> list[int]:
    """Every source number cited in `text`, in order of appearance."""
    return [int(n) for m in CITATION_MARKER.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def strip_citations(text: str) -> str:
    """`text` without its citation markers (and the blanks before them)."""
    return _MARKER_AND_SPACE.sub("", text)


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
    referral: str = ""  # the id of the referral (band "referred")
    # The question's embedding, computed once at ask time; reused to spot a repeated question. Not serialised.
    vector: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "confidence": round(self.confidence, 4),
            "escalated": self.escalated,
            "band": self.band,
            "referral": self.referral,
            "escalation_id": self.escalation_id,
            "coach": self.coach,
            "notice": self.notice,
            "retrieved": [{"source": s, "score": round(sc, 6)} for s, sc in self.retrieved],
        }


@dataclass(frozen=True)
class Escalation:
    """A question passed on to a digicoach, as `assistant.records` stores it."""

    id: int
    created_at: str
    updated_at: str
    question: str
    department: str
    asker_name: str
    asker_contact: str
    coach_name: str
    coach_email: str
    route_reason: str
    sources: tuple[dict[str, Any], ...]
    draft_answer: str
    confidence: float
    status: Status
    answer: str
    answered_by: str
    handed_over_from: str
    shown_unsure: bool = False  # asked from an answer shown under "niet zeker"; draft_answer is what was shown
    close_note: str = ""  # why a coach closed it without an answer; the colleague reads it
