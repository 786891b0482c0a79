"""Dense-led retrieval: Chroma cosine search, optional BM25 boost, per-document dedupe.

Fusion, when on, is on scores, not ranks: fused = cosine + bm25_weight * (bm25 / best bm25).
Equal-weight rank fusion measured worse than dense alone on Dutch staff questions, and no boost
weight beat dense alone on both of our question sets (README, "Retrieval"), so the shipped
default is bm25_weight = 0: BM25 still runs (its vocabulary weighs the answerability signals).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.answerability import Evidence
from assistant.bm25 import BM25, tokenize
from assistant.config import Settings
from assistant.store import ChromaStore, IndexInfo, StoredChunk
from assistant.types import Chunk, Hit
from assistant.windows import ScoredWindow, WindowIndex

log = logging.getLogger(__name__)

META_KEYS = ("app", "department", "author", "created", "reviewed", "date", "status", "tags", "version")


@dataclass(frozen=True)
class Retrieved:
    hits: list[Hit]  # chunks for the answerer: top documents, at most N chunks each, best first
    documents: list[tuple[str, float]]  # every ranked document (source, fused score), best first
    best_dense: float = 0.0
    second_dense: float = 0.0  # best dense similarity of the next document
    bm25_top: list[str] = field(default_factory=list)  # documents ranked by BM25 alone
    vector: np.ndarray | None = None  # the question's vector, for scoring windows without encoding again


def chunk_from_stored(stored: StoredChunk) -> Chunk:
    meta = stored.metadata
    page = int(meta.get("page") or 0) or None
    return Chunk(
        id=stored.id, text=stored.text, source=str(meta.get("source", "")),
        doc_type=meta.get("doc_type", "document"), title=str(meta.get("title", "")),
        section=str(meta.get("section", "")), page=page, position=int(meta.get("position", 0)),
        content_hash=str(meta.get("content_hash", "")),
        meta={k: meta[k] for k in META_KEYS if k in meta},
    )


class Retriever:
    """Holds the live generation's chunks and BM25; reloads when the published index changes."""

    def __init__(self, settings: Settings, store: ChromaStore, model: str, dimension: int) -> None:
        self._settings = settings
        self._store = store
        self._model, self._dimension = model, dimension
        self._lock = threading.Lock()
        self._info: IndexInfo | None = None
        self._chunks: list[Chunk] = []
        self._by_id: dict[str, int] = {}
        self._bm25 = BM25([])
        self.windows = WindowIndex([], {}, model)
        self._doc_terms: dict[str, set[str]] = {}

    def _current(self) -> IndexInfo:
        info = self._store.require_live(self._model, self._dimension)
        with self._lock:
            if self._info is None or info.collection != self._info.collection:
                self._load(info)
        return info

    def _load(self, info: IndexInfo) -> None:
        stored = [s for s in self._store.all_chunks(info) if s.metadata.get("status", "active") == "active"]
        self._chunks = [chunk_from_stored(s) for s in stored]
        self._by_id = {c.id: i for i, c in enumerate(self._chunks)}
        self._bm25 = BM25([f"{c.title}\n{c.section}\n{c.text}" for c in self._chunks])
        self.windows = WindowIndex(self._chunks, self._store.window_vectors(info), self._model)
        self._doc_terms = _document_terms(self._chunks)
        self._info = info
        log.info("Loaded index %s: %d chunks", info.collection, len(self._chunks))

    def chunk_count(self) -> int:
        self._current()
        return len(self._chunks)

    def search(self, question: str, vector: np.ndarray) -> Retrieved:
        info = self._current()
        s = self._settings
        dense = [(self._by_id[cid], sim) for cid, sim in self._store.dense_search(info, vector, s.candidates)
                 if cid in self._by_id]
        # BM25 always runs (a few ms): even unweighted, its agreement with dense is an answerability signal.
        sparse = self._bm25.top(question, s.candidates)
        fused = fuse(dense, sparse, s.bm25_weight) if s.bm25_weight > 0 else sorted(dense, key=lambda d: -d[1])
        return replace(self._assemble(fused, dict(dense), sparse), vector=vector)

    def _assemble(self, fused: list[tuple[int, float]], dense: dict[int, float],
                  sparse: list[tuple[int, float]]) -> Retrieved:
        s = self._settings
        per_doc: dict[str, list[tuple[int, float]]] = {}
        for idx, score in fused:
            per_doc.setdefault(self._chunks[idx].source, []).append((idx, score))
        ranked_docs = sorted(per_doc, key=lambda src: -per_doc[src][0][1])
        hits = []
        for source in ranked_docs[: s.top_k]:
            for idx, score in per_doc[source][: s.max_chunks_per_doc]:
                hits.append(_hit(self._chunks[idx], score, dense, sparse, idx))
        # Confidence looks at the dense ranking itself: a document that only BM25 found says
        # nothing about how close the question is to the corpus.
        dense_docs: dict[str, float] = {}
        for idx, sim in sorted(dense.items(), key=lambda kv: -kv[1]):
            dense_docs.setdefault(self._chunks[idx].source, sim)
        sims = list(dense_docs.values())
        bm25_docs = list(dict.fromkeys(self._chunks[i].source for i, _ in sparse))
        return Retrieved(
            hits=hits,
            documents=[(src, per_doc[src][0][1]) for src in ranked_docs],
            best_dense=sims[0] if sims else 0.0,
            second_dense=sims[1] if len(sims) > 1 else 0.0,
            bm25_top=bm25_docs[:10],
        )

    def evidence(self, question: str, found: Retrieved, windows: dict[str, list[ScoredWindow]] | None,
                 quoted: str) -> Evidence:
        """The answerability signals of one question: similarities and how much of it the sources cover."""
        top = found.hits[0].chunk.source if found.hits else ""
        best_window = max((w.similarity for doc in (windows or {}).values() for w in doc), default=found.best_dense)
        q_terms = set(tokenize(question))
        return Evidence(
            best_dense=found.best_dense, second_dense=found.second_dense, best_window=best_window,
            doc_coverage=self._coverage(q_terms, self._doc_terms.get(top, set())),
            term_coverage=self._coverage(q_terms, set(tokenize(quoted))),
            top_in_bm25=bool(top) and top in found.bm25_top[:3],
            novel_terms=sum(1 for t in q_terms if not self._bm25.known(t)),
        )

    def _coverage(self, q_terms: set[str], terms: set[str]) -> float:
        """IDF-weighted share of the question's terms found in `terms` (a compound counts: "vergader" in
        "vergaderruimte")."""
        long_terms = [t for t in terms if len(t) >= 5]
        total = sum(self._bm25.idf(t) for t in q_terms)
        covered = sum(self._bm25.idf(t) for t in q_terms if t in terms or (
            len(t) >= 5 and any(w.startswith(t) or t.startswith(w) for w in long_terms)))
        return covered / total if total else 0.0


def _document_terms(chunks: list[Chunk]) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {}
    for chunk in chunks:
        terms.setdefault(chunk.source, set()).update(tokenize(f"{chunk.title}\n{chunk.section}\n{chunk.text}"))
    return terms


def fuse(
    dense: list[tuple[int, float]], sparse: list[tuple[int, float]], bm25_weight: float
) -> list[tuple[int, float]]:
    """Score fusion, best first. Chunks found only by BM25 get the weakest dense score seen."""
    dense_map = dict(dense)
    floor = min(dense_map.values(), default=0.0)
    top_bm25 = max((score for _, score in sparse), default=0.0) or 1.0
    bm25_map = {i: score / top_bm25 for i, score in sparse}
    candidates = set(dense_map) | set(bm25_map)
    scored = {i: dense_map.get(i, floor) + bm25_weight * bm25_map.get(i, 0.0) for i in candidates}
    return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))


def _hit(chunk: Chunk, score: float, dense: dict[int, float], sparse: list[tuple[int, float]], idx: int) -> Hit:
    dense_rank = _rank_of(idx, sorted(dense, key=lambda i: -dense[i]))
    bm25_rank = _rank_of(idx, [i for i, _ in sparse])
    return Hit(chunk=chunk, score=score, dense_score=dense.get(idx, 0.0), dense_rank=dense_rank,
               bm25_rank=bm25_rank)


def _rank_of(idx: int, order: list[int]) -> int | None:
    try:
        return order.index(idx) + 1
    except ValueError:
        return None

