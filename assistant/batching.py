"""Questions that arrive together are embedded together: one forward pass for a handful of questions.

On these CPUs a batch of 4 short questions costs ~175 ms per question on one core against ~260 ms one
at a time (benchmarks/load.py has the end-to-end figures). A fixed pool of worker threads, one per
core by default, also keeps the number of concurrent forward passes at the number of cores, however
many colleagues wait in the web queue: more would only fight over the same cores.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

import numpy as np

from assistant.embedding import EmbeddingModel

log = logging.getLogger(__name__)


class QueryBatcher(EmbeddingModel):
    """Wraps an embedder; `embed_query` blocks until a worker has embedded it with whatever else was waiting."""

    def __init__(self, inner: EmbeddingModel, workers: int = 2, max_batch: int = 8) -> None:
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self.max_batch = max(1, max_batch)
        self._queue: queue.Queue[tuple[str, Future[np.ndarray]] | None] = queue.Queue()
        self._workers = [threading.Thread(target=self._work, name=f"embed-{i}", daemon=True)
                         for i in range(max(1, workers))]
        for worker in self._workers:
            worker.start()

    def embed_query(self, question: str) -> np.ndarray:
        future: Future[np.ndarray] = Future()
        self._queue.put((question, future))
        return future.result()

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        return self.inner.embed_queries(questions, batch_size=batch_size)

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        """Ingest from the coach workspace: a long job, it does not go through the question queue."""
        return self.inner.embed_documents(items, batch_size=batch_size)

    def close(self) -> None:
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=10)

    def _take_batch(self) -> list[tuple[str, Future[np.ndarray]]] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        # No waiting window: whatever queued up while the previous batch ran goes together, so a lone
        # question never waits for company.
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)  # leave the stop signal for this worker's next round
                break
            batch.append(item)
        return batch

    def _work(self) -> None:
        while (batch := self._take_batch()) is not None:
            try:
                vectors = self.inner.embed_queries([question for question, _ in batch], batch_size=len(batch))
            except BaseException as exc:  # the waiting request threads get the error, the worker lives on
                log.exception("Embedding %d question(s) failed", len(batch))
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), vector in zip(batch, vectors, strict=True):
                future.set_result(vector)
