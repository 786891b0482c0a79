"""The one embedder interface, after simonw/llm's EmbeddingModel: implement `embed_queries` and `embed_documents`,
and `embed_query` comes derived. The real model (`assistant.model.Embedder`), the question batcher, the gate's
question cache and the tests' fakes all are one; every consumer (retrieval, ingest, evals, the gate) asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class EmbeddingModel(Protocol):
    """Unit-length float32 vectors of `dimension` for questions and for (title, text) passages."""

    name: str  # recorded in the index: a different model means a rebuild
    dimension: int

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """One row per question, with the model's query prompt."""
        ...

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        """One row per (title, text) passage, with the model's document prompt."""
        ...

    def embed_query(self, question: str) -> np.ndarray:
        return self.embed_queries([question])[0]
