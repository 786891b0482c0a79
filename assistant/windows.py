"""Windows of the live index with their vectors: score them against the question vector already computed.

Ingest embeds every window (assistant.passages) with its heading and stores the vectors next to the
chunks, keyed by a content hash; nothing beyond the question is encoded per query.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from assistant import passages
from assistant.types import Chunk

log = logging.getLogger(__name__)

# Bump when the windowing rules change: every window is then embedded again at the next ingest.
WINDOWING_VERSION = "1"


def window_hash(model_name: str, title: str, text: str) -> str:
    payload = "\x1f".join((model_name, WINDOWING_VERSION, title, text)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:32]


@dataclass(frozen=True)
class ChunkWindows:
    parts: list[passages.Unit]
    windows: list[passages.Window]
    texts: list[str]  # what is embedded per window
    hashes: list[str]


def chunk_windows(chunk: Chunk, model_name: str) -> ChunkWindows:
    parts = passages.units(chunk.text, chunk.section)
    found = passages.windows(parts)
    texts = [passages.window_text(parts, w) for w in found]
    return ChunkWindows(parts, found, texts, [window_hash(model_name, chunk.title, t) for t in texts])


@dataclass(frozen=True)
class ScoredWindow:
    chunk: Chunk
    index: int  # window index within the chunk
    similarity: float  # cosine with the question
    layout: ChunkWindows

    @property
    def window(self) -> passages.Window:
        return self.layout.windows[self.index]


class WindowIndex:
    """Per chunk: its units, windows and the rows of their vectors in one matrix (unit-normalised)."""

    def __init__(self, chunks: Iterable[Chunk], vectors: Mapping[str, np.ndarray], model_name: str) -> None:
        self._layouts: dict[str, ChunkWindows] = {}
        self._rows: dict[str, list[int | None]] = {}
        self._documents: dict[str, list[Chunk]] = {}
        hashes: dict[str, int] = {}
        stacked: list[np.ndarray] = []
        missing = 0
        for chunk in chunks:
            layout = chunk_windows(chunk, model_name)
            rows: list[int | None] = []
            for h in layout.hashes:
                if h not in hashes and h in vectors:
                    hashes[h] = len(stacked)
                    stacked.append(np.asarray(vectors[h], dtype=np.float32))
                rows.append(hashes.get(h))
                missing += h not in hashes
            self._layouts[chunk.id], self._rows[chunk.id] = layout, rows
            self._documents.setdefault(chunk.source, []).append(chunk)
        for doc_chunks in self._documents.values():
            doc_chunks.sort(key=lambda c: c.position)
        matrix = np.stack(stacked) if stacked else np.zeros((0, 1), dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if len(stacked) else 1.0
        self._matrix = matrix / np.maximum(norms, 1e-12)
        if missing:
            log.warning("%d windows have no vector (index built by an older version?); run python -m ingest", missing)

    def __len__(self) -> int:
        return len(self._matrix) if self._matrix.ndim == 2 and self._matrix.shape[1] > 1 else 0

    def layout(self, chunk_id: str) -> ChunkWindows | None:
        return self._layouts.get(chunk_id)

    def score_documents(self, vector: np.ndarray, sources: Iterable[str]) -> dict[str, list[ScoredWindow]]:
        """Every window of these documents (all their chunks) with its cosine to the question, in reading order."""
        return {source: self.score(vector, self._documents.get(source, []), ordered=True) for source in sources}

    def score(self, vector: np.ndarray, chunks: Iterable[Chunk], ordered: bool = False) -> list[ScoredWindow]:
        """Every window of these chunks with its cosine to the question, best first (or in the given order)."""
        q = np.asarray(vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        out: list[ScoredWindow] = []
        for chunk in chunks:
            layout, rows = self._layouts.get(chunk.id), self._rows.get(chunk.id, [])
            if layout is None:
                continue
            present = [(i, r) for i, r in enumerate(rows) if r is not None]
            if not present:
                continue
            sims = self._matrix[[r for _, r in present]] @ q
            out.extend(ScoredWindow(chunk, i, float(s), layout) for (i, _), s in zip(present, sims, strict=True))
        return out if ordered else sorted(out, key=lambda w: -w.similarity)
