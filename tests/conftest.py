"""Shared fixtures. Tests run offline: any connection beyond loopback fails the test.

Fixtures build on each other: settings(tmp_path) → store → ingested index (tiny corpus, real model)
→ assistant. The real model is loaded once per session.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.runtime import force_offline

force_offline()

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
_real_connect = socket.socket.connect


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
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from assistant.config import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from assistant.config import Settings
    from assistant.model import Embedder, is_installed

    model_dir = Settings().model_dir
    if not is_installed(model_dir):
        pytest.fail(f"Embedding model not installed in {model_dir}; run `make model` first.")
    return Embedder(model_dir)


@pytest.fixture(scope="session")
def ingested_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """One ingested copy of the fixture corpus for read-only tests (embedding costs time)."""
    from assistant.config import Settings
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("ingested")
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    s = Settings(corpus_dir=root / "corpus", data_dir=root / "data")
    run_ingest(s, embedder, ChromaStore(s))
    return root


@pytest.fixture
def ingested_settings(ingested_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings on a private copy of the ingested data dir, so tests may write escalations."""
    from assistant.config import Settings

    shutil.copytree(ingested_dir / "data", tmp_path / "data")
    return Settings(corpus_dir=ingested_dir / "corpus", data_dir=tmp_path / "data")


@pytest.fixture
def assistant(ingested_settings, embedder) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from assistant.service import build_assistant

    yield build_assistant(ingested_settings, embedder=embedder)
