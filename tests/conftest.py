"""Shared fixtures and fakes. Tests run offline: any connection beyond loopback fails the test.

Two tiers. The fast tier (`make test-fast`, `-m "not integration"`) runs on fakes: the `embedder`, `ingested_dir`,
`ingested_settings` and `assistant` fixtures use `HashEmbedder` over a real Chroma index and real SQLite in
tmp_path. Tests that need the real model, real processes, a Chroma server or the browser are marked
`integration` and use the `real_*` fixtures (the real model is loaded once per session). Two guards keep the
fast tier honest: an unmarked test that asks for the real model is a collection error, and unmarked tests see
no installed model at all (DIGIHULP_MODEL_DIR points at an empty place), so neither they nor a process they
start can load it by accident.
"""

from __future__ import annotations

import email
import hashlib
import ipaddress
import shutil
import socket
from collections.abc import Iterator, Sequence
from email import policy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.bm25 import tokenize
from assistant.runtime import force_offline

force_offline()

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# The fake's similarities run lower than the real model's; at these answerability thresholds the fixture corpus
# gives a mix of answers (questions sharing words with a tip), "niet zeker" answers (fewer shared words) and
# escalations (questions about nothing in it): fixture answerable questions score 0.13-0.69, the others < 0.01.
FAKE_CONFIDENCE_THRESHOLD = 0.05
FAKE_UNSURE_THRESHOLD = 0.30
REAL_MODEL_FIXTURES = ("installed_model_dir", "real_embedder")
_real_connect = socket.socket.connect


class HashEmbedder:
    """A fake (not a mock) of the embedder: a deterministic hashed bag of Dutch word stems (the BM25 tokenizer:
    no stop words), unit length. Questions sharing words with a passage land near it, so retrieval behaves like
    a (weak) real model."""

    name = "fake-hash-embedder"
    dimension = 1024

    def __init__(self) -> None:
        self.queries: list[str] = []

    def vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in tokenize(text):
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
            vec[int.from_bytes(digest, "big") % self.dimension] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else np.full(self.dimension, self.dimension ** -0.5, dtype=np.float32)

    def embed_query(self, question: str) -> np.ndarray:
        self.queries.append(question)
        return self.vector(question)

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        return np.stack([self.embed_query(q) for q in questions]) if questions else np.zeros((0, self.dimension))

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        return np.stack([self.vector(f"{title}\n{text}") for title, text in items])


class CountingEmbedder:
    """Wraps an embedder and records every passage it is asked to embed (what ingest re-embeds)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.embedded: list[str] = []

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        self.embedded.extend(text for _, text in items)
        return self.inner.embed_documents(items, batch_size=batch_size)

    def embed_query(self, question: str) -> np.ndarray:
        return self.inner.embed_query(question)

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        return self.inner.embed_queries(questions, batch_size=batch_size)


class SmtpCollector:
    """What a real SMTP server (aiosmtpd, on loopback) received: envelopes, and their messages parsed."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    # aiosmtpd looks the hook up by this exact name.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Any]:
        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Any, SmtpCollector]]:
    """(controller, collector) of a real SMTP server on a free loopback port."""
    from aiosmtpd.controller import Controller

    from assistant.runtime import free_port

    handler = SmtpCollector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


class FakeClock:
    """A clock the test moves by hand (`clock.now += 301`) for rate limits and session expiry."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        host = str(address[0])
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise OSError(f"Network access blocked in tests: {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign, assignment]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        uses = [name for name in REAL_MODEL_FIXTURES if name in getattr(item, "fixturenames", ())]
        if uses and item.get_closest_marker("integration") is None:
            raise pytest.UsageError(f"{item.nodeid} uses the real model ({uses[0]}) but is not marked integration")


@pytest.fixture(autouse=True)
def _no_model_in_the_fast_tier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                               tmp_path_factory: pytest.TempPathFactory) -> None:
    if request.node.get_closest_marker("integration") is None:
        monkeypatch.setenv("DIGIHULP_MODEL_DIR", str(tmp_path_factory.getbasetemp() / "no-model-in-the-fast-tier"))


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from assistant.config import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data")


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def installed_model_dir() -> Path:
    """The real model as installed by `make model` (shared: tests damage only copies of it in tmp_path)."""
    from assistant.config import Settings
    from assistant.model import inspect_install

    state = inspect_install(Settings().model_dir)
    if not state.complete:
        pytest.fail(f"{state.message()} (the integration tests need the real model)")
    return state.model_dir


@pytest.fixture(scope="session")
def real_embedder(installed_model_dir: Path):  # type: ignore[no-untyped-def]
    from assistant.model import Embedder

    return Embedder(installed_model_dir)


def ingest_fixture_corpus(root: Path, embedder: Any) -> Path:
    """The fixture corpus copied to `root` and ingested; returns `root` (corpus/ and data/)."""
    from assistant.config import Settings
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    s = Settings(corpus_dir=root / "corpus", data_dir=root / "data")
    report = run_ingest(s, embedder, ChromaStore(s))
    assert report.published and not report.failed
    return root


def private_settings(ingested: Path, root: Path, *, corpus: bool = False, **overrides: Any) -> Any:
    """Settings on a private copy of an ingested data dir (and of its corpus when `corpus`): tests write."""
    from assistant.config import Settings

    shutil.copytree(ingested / "data", root / "data")
    if corpus:
        shutil.copytree(ingested / "corpus", root / "corpus")
    return Settings(corpus_dir=(root if corpus else ingested) / "corpus", data_dir=root / "data", **overrides)


@pytest.fixture(scope="session")
def ingested_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus ingested once with the fake embedder into a real Chroma index (a second or two)."""
    return ingest_fixture_corpus(tmp_path_factory.mktemp("ingested-fake"), HashEmbedder())


@pytest.fixture(scope="session")
def real_ingested_dir(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:  # type: ignore[no-untyped-def]
    """The fixture corpus ingested once with the real model (embedding costs time; read-only for tests)."""
    return ingest_fixture_corpus(tmp_path_factory.mktemp("ingested-real"), real_embedder)


@pytest.fixture
def ingested_settings(ingested_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    return private_settings(ingested_dir, tmp_path, confidence_threshold=FAKE_CONFIDENCE_THRESHOLD,
                            unsure_threshold=FAKE_UNSURE_THRESHOLD)


@pytest.fixture
def real_ingested_settings(real_ingested_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    return private_settings(real_ingested_dir, tmp_path)


@pytest.fixture
def assistant(ingested_settings, embedder) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from assistant.service import build_assistant

    yield build_assistant(ingested_settings, embedder=embedder)


@pytest.fixture
def real_assistant(real_ingested_settings, real_embedder) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from assistant.service import build_assistant

    yield build_assistant(real_ingested_settings, embedder=real_embedder)
