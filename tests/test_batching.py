"""QueryBatcher with a fake embedder: right vector for each caller, fewer passes under load, errors reach callers."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from assistant.batching import QueryBatcher
from assistant.embedding import EmbeddingModel


class SlowFakeEmbedder(EmbeddingModel):
    name, dimension = "fake", 4

    def __init__(self, delay: float = 0.05, fail_on: str = "") -> None:
        self.delay, self.fail_on = delay, fail_on
        self.batches: list[list[str]] = []

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        self.batches.append(list(questions))
        time.sleep(self.delay)
        if self.fail_on in questions:
            raise RuntimeError("model broke")
        return np.array([[len(q), ord(q[0]), ord(q[-1]), 1.0] for q in questions], dtype=np.float32)

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        return self.embed_queries([t for _, t in items])


def expected(question: str) -> list[float]:
    return [len(question), ord(question[0]), ord(question[-1]), 1.0]


def ask_all(batcher: QueryBatcher, questions: list[str]) -> dict[str, object]:
    results: dict[str, object] = {}

    def one(q: str) -> None:
        try:
            results[q] = batcher.embed_query(q).tolist()
        except RuntimeError as exc:
            results[q] = exc

    threads = [threading.Thread(target=one, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    return results


def test_each_caller_gets_its_own_vector_and_concurrent_questions_share_a_pass() -> None:
    fake = SlowFakeEmbedder()
    batcher = QueryBatcher(fake, workers=1, max_batch=8)
    questions = [f"vraag nummer {i} over teams{'?' * i}" for i in range(16)]
    results = ask_all(batcher, questions)
    batcher.close()
    assert all(results[q] == expected(q) for q in questions)
    assert sum(len(b) for b in fake.batches) == 16
    assert len(fake.batches) < 16 and max(len(b) for b in fake.batches) <= 8


def test_a_lone_question_is_embedded_alone_and_at_once() -> None:
    fake = SlowFakeEmbedder(delay=0.0)
    batcher = QueryBatcher(fake, workers=2)
    assert batcher.embed_query("hoe print ik").tolist() == expected("hoe print ik")
    batcher.close()
    assert fake.batches == [["hoe print ik"]]


def test_an_error_reaches_every_caller_in_the_batch_and_the_worker_lives_on() -> None:
    fake = SlowFakeEmbedder(fail_on="kapot")
    batcher = QueryBatcher(fake, workers=1)
    with pytest.raises(RuntimeError, match="model broke"):
        batcher.embed_query("kapot")
    assert batcher.embed_query("daarna").tolist() == expected("daarna")
    batcher.close()


def test_documents_pass_straight_through() -> None:
    fake = SlowFakeEmbedder(delay=0.0)
    batcher = QueryBatcher(fake, workers=1)
    assert batcher.embed_documents([("titel", "tekst")]).tolist() == [expected("tekst")]
    batcher.close()
    assert not any(w.is_alive() for w in batcher._workers)
