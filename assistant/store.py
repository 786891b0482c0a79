"""The only module that talks to Chroma (embedded on disk, or a server over HTTP).

Index generations: every ingest that changes something writes a complete new collection
(`chunks-<stamp>`), copying unchanged vectors from the live one, and then flips one pointer record
in `digihulp-pointer`. Readers follow the pointer, so a run killed at any point leaves the
previously published collection untouched. The previous generation is kept for rollback.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.config import Settings
from assistant.errors import (
    ConfigError,
    DigihulpError,
    IndexCorrupt,
    IndexProblem,
    StorageError,
    StoreUnavailable,
    explain,
    explain_database,
    translated,
)
from assistant.runtime import failpoint

log = logging.getLogger(__name__)

POINTER_COLLECTION = "digihulp-pointer"
POINTER_ID = "live"
PREFIX = "chunks-"
WINDOW_PREFIX = "windows-"  # each generation's sentence/step windows live in windows-<same stamp>
NO_INDEX = "Er is nog geen zoekindex. Bouw hem met: python -m ingest"
RECONNECTS = "Start de Chroma-server opnieuw; digihulp maakt vanzelf weer verbinding."
WRITE_BATCH = 256


@dataclass(frozen=True)
class IndexInfo:
    collection: str
    previous: str
    model: str
    dimension: int
    published_at: str
    count: int = 0


def windows_of(collection: str) -> str:
    """The windows collection that belongs to a chunks generation."""
    return WINDOW_PREFIX + collection.removeprefix(PREFIX)


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any]


def _telemetry_off() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


class ChromaStore:
    def __init__(self, settings: Settings, pinned: IndexInfo | None = None) -> None:
        self._settings = settings
        self._client: Any = None
        # Concurrent first requests would each build a client; Chroma's shared system then races
        # ('RustBindingsAPI' object has no attribute 'bindings'), so one thread connects, the rest wait.
        self._connect_lock = threading.Lock()
        self._pinned = pinned  # read this generation instead of following the live pointer

    def pinned(self, collection: str) -> ChromaStore:
        """A read view of a staged (unpublished) generation, e.g. for evaluating a tip batch."""
        live = self.live_info()
        if live is None:
            raise IndexProblem("Er is nog geen live index om een batch mee te vergelijken.")
        info = IndexInfo(collection=collection, previous=live.collection, model=live.model,
                         dimension=live.dimension, published_at="", count=self.count(collection))
        view = ChromaStore(self._settings, pinned=info)
        view._client = self._client
        return view

    # -- connection ---------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        client = self._client
        if client is None:
            with self._connect_lock:
                if self._client is None:
                    self._client = self._connect()
                client = self._client
        return client

    def _connect(self) -> Any:
        import chromadb

        url = self._settings.chroma_url.strip()
        if not url:
            try:
                self._settings.chroma_path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"De map voor de zoekindex kan niet gemaakt worden: {explain(exc)}") from exc
            return chromadb.PersistentClient(path=str(self._settings.chroma_path), settings=_telemetry_off())
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(f"DIGIHULP_CHROMA_URL '{url}' is geen geldige URL (bv. http://127.0.0.1:8000).")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https", settings=_telemetry_off(),
            )
        except Exception as exc:
            raise StoreUnavailable(f"De Chroma-server op {url} is niet bereikbaar. {RECONNECTS}") from exc

    def _translated(self, what: str) -> AbstractContextManager[None]:
        """Every Chroma failure in the block becomes a Dutch error that names the fix (see `_translate`)."""
        return translated(lambda exc: self._translate(what, exc))

    def _translate(self, what: str, exc: Exception) -> DigihulpError:
        """A lost server connection also drops the client, so the next call reconnects: answers resume when the
        server is back, without restarting the app."""
        log.debug("Chroma call failed during %s", what, exc_info=True)
        if self._settings.chroma_url and _looks_like_connection_error(exc):
            self._client = None
            return StoreUnavailable(
                f"De zoekindex (Chroma-server {self._settings.chroma_url}) is niet bereikbaar. {RECONNECTS}")
        text = str(exc).lower()
        where = self._settings.chroma_url or str(self._settings.chroma_path)
        if isinstance(exc, OSError) or any(w in text for w in ("readonly", "read-only", "disk is full",
                                                                  "disk i/o", "permission denied")):
            detail = explain(exc) if isinstance(exc, OSError) else explain_database(exc)
            return StorageError(f"De zoekindex in {where} kan niet geschreven worden: {detail}")
        if any(w in text for w in CORRUPT_WORDS):
            self._client = None
            return IndexCorrupt(
                f"De zoekindex in {where} is beschadigd ({str(exc)[:120]}). Zet een back-up van de gegevensmap "
                "terug, of bouw de index opnieuw met: python -m ingest --rebuild"
            )
        return IndexProblem(f"De zoekindex gaf een fout bij {what}: {exc}")

    def set_aside_damaged(self) -> str:
        """Move a damaged embedded index out of the way (kept for inspection) so a rebuild can start clean."""
        if self._settings.chroma_url:
            raise IndexCorrupt("Een beschadigde index op een Chroma-server moet op de server zelf hersteld worden.")
        from chromadb.api.shared_system_client import SharedSystemClient

        self._client = None
        SharedSystemClient.clear_system_cache()  # chroma keeps one open system per path
        path = self._settings.chroma_path
        target = path.with_name(f"{path.name}-beschadigd-{time.strftime('%Y%m%d-%H%M%S')}")
        path.rename(target)
        log.warning("Damaged index moved to %s", target)
        return str(target)

    # -- pointer ------------------------------------------------------------------------------
    def _pointer(self) -> Any:
        return self.client.get_or_create_collection(POINTER_COLLECTION, embedding_function=None)

    def live_info(self) -> IndexInfo | None:
        if self._pinned is not None:
            return self._pinned
        with self._translated("het lezen van de indexwijzer"):
            result = self._pointer().get(ids=[POINTER_ID])
        if not result["ids"]:
            return None
        meta = result["metadatas"][0]
        return IndexInfo(
            collection=str(meta["collection"]), previous=str(meta.get("previous", "")),
            model=str(meta["model"]), dimension=int(meta["dimension"]),
            published_at=str(meta.get("published_at", "")), count=int(meta.get("count", 0)),
        )

    def require_live(self, model: str, dimension: int) -> IndexInfo:
        info = self.live_info()
        if info is None:
            raise IndexProblem(NO_INDEX)
        if info.model != model or info.dimension != dimension:
            raise IndexProblem(
                f"De zoekindex is gebouwd met model {info.model} ({info.dimension} dimensies), maar nu is "
                f"{model} ({dimension}) ingesteld. Bouw de index opnieuw: python -m ingest --rebuild"
            )
        return info

    def publish(self, collection: str, model: str, dimension: int, count: int) -> IndexInfo:
        """Atomically make `collection` live; keep the old live one as `previous`, drop older ones."""
        if self._pinned is not None:
            raise IndexProblem("Een vastgepinde weergave kan niet publiceren.")
        old = self.live_info()
        meta = {
            "collection": collection, "previous": old.collection if old else "", "model": model,
            "dimension": dimension, "count": count,
            "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        with self._translated("het publiceren"):
            self._pointer().upsert(ids=[POINTER_ID], embeddings=[[1.0]], metadatas=[meta], documents=[""])
        failpoint("ingest-after-pointer")
        self.drop_unused()
        return self.live_info()  # type: ignore[return-value]

    def rollback(self) -> IndexInfo:
        info = self.live_info()
        if info is None or not info.previous or not self._exists(info.previous):
            raise IndexProblem("Er is geen vorige versie van de index om naar terug te keren.")
        with self._translated("het terugdraaien"):
            count = self.client.get_collection(info.previous, embedding_function=None).count()
        meta = {"collection": info.previous, "previous": info.collection, "model": info.model,
                "dimension": info.dimension, "count": count,
                "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        with self._translated("het terugdraaien"):
            self._pointer().upsert(ids=[POINTER_ID], embeddings=[[1.0]], metadatas=[meta], documents=[""])
        return self.live_info()  # type: ignore[return-value]

    def drop_unused(self, keep_also: str = "") -> list[str]:
        """Delete generations that are neither live nor previous (e.g. left by a killed run)."""
        if self._pinned is not None:
            return []
        info = self.live_info()
        keep = ({info.collection, info.previous} if info else set()) | {keep_also}
        keep |= {windows_of(name) for name in keep if name}
        dropped = []
        for name in self._collection_names():
            if name.startswith((PREFIX, WINDOW_PREFIX)) and name not in keep:
                with self._translated("het opruimen"):
                    self.client.delete_collection(name)
                dropped.append(name)
        if dropped:
            log.info("Removed unused index generations: %s", ", ".join(dropped))
        return dropped

    def drop(self, collection: str) -> None:
        """Delete one unpublished generation (e.g. a refused batch); the live and previous ones are refused."""
        info = self.live_info()
        if info is not None and collection in (info.collection, info.previous):
            raise IndexProblem(f"De index {collection} is live of de vorige versie en wordt niet verwijderd.")
        names = self._collection_names()
        for name in (collection, windows_of(collection)):
            if name in names:
                with self._translated("het verwijderen"):
                    self.client.delete_collection(name)
        log.info("Removed index generation %s", collection)

    def _collection_names(self) -> list[str]:
        with self._translated("het oplijsten"):
            return [getattr(c, "name", c) for c in self.client.list_collections()]

    def _exists(self, name: str) -> bool:
        return name in self._collection_names()

    # -- writing a generation -------------------------------------------------------------------
    def create_generation(self) -> str:
        """A new chunks collection and its windows collection; returns the chunks collection's name."""
        name = f"{PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        with self._translated("het aanmaken van een nieuwe index"):
            for collection in (name, windows_of(name)):
                self.client.create_collection(
                    collection, embedding_function=None,
                    configuration={"hnsw": {"space": "cosine", "ef_search": 200, "ef_construction": 200}},
                )
        return name

    def add(self, collection: str, ids: list[str], vectors: np.ndarray, texts: list[str],
            metadatas: list[dict[str, Any]]) -> None:
        with self._translated("het schrijven"):
            col = self.client.get_collection(collection, embedding_function=None)
            for start in range(0, len(ids), WRITE_BATCH):
                end = start + WRITE_BATCH
                col.add(ids=ids[start:end], embeddings=vectors[start:end].tolist(), documents=texts[start:end],
                        metadatas=metadatas[start:end])

    def add_windows(self, collection: str, hashes: list[str], vectors: np.ndarray) -> int:
        """Window vectors of a generation, one per content hash; returns how many were written."""
        with self._translated("het schrijven"):
            col = self.client.get_collection(windows_of(collection), embedding_function=None)
            for start in range(0, len(hashes), WRITE_BATCH):
                end = start + WRITE_BATCH
                col.add(ids=hashes[start:end], embeddings=vectors[start:end].tolist())
            return int(col.count())

    def has_windows(self, info: IndexInfo) -> bool:
        return windows_of(info.collection) in self._collection_names()

    def window_vectors(self, info: IndexInfo | None) -> dict[str, np.ndarray]:
        """content hash -> vector of the generation's windows ({} for an index built before windows)."""
        if info is None or not self.has_windows(info):
            return {}
        with self._translated("het lezen van de index"):
            got = self.client.get_collection(windows_of(info.collection), embedding_function=None).get(
                include=["embeddings"])
        if not len(got["ids"]):
            return {}
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], vectors, strict=True))

    def count(self, collection: str) -> int:
        with self._translated("het tellen"):
            return int(self.client.get_collection(collection, embedding_function=None).count())

    # -- reading the live generation --------------------------------------------------------------
    def _live_collection(self, info: IndexInfo) -> Any:
        with self._translated("het openen van de index"):
            return self.client.get_collection(info.collection, embedding_function=None)

    def vectors_by_hash(self, info: IndexInfo | None) -> dict[str, np.ndarray]:
        """content_hash -> vector of the live generation, so unchanged text is never re-embedded."""
        if info is None:
            return {}
        collection = self._live_collection(info)
        with self._translated("het lezen van de index"):
            got = collection.get(include=["embeddings", "metadatas"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32) if len(got["ids"]) else np.zeros((0, 0))
        return {meta["content_hash"]: vectors[i] for i, meta in enumerate(got["metadatas"])}

    def all_chunks(self, info: IndexInfo) -> list[StoredChunk]:
        collection = self._live_collection(info)
        with self._translated("het lezen van de index"):
            got = collection.get(include=["documents", "metadatas"])
        return [StoredChunk(id=i, text=t, metadata=dict(m))
                for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

    def vectors_of_type(self, info: IndexInfo, doc_type: str) -> list[tuple[dict[str, Any], np.ndarray]]:
        """(metadata, vector) of every passage of one document type (the gap board compares clusters with tips)."""
        collection = self._live_collection(info)
        with self._translated("het lezen van de index"):
            got = collection.get(where={"doc_type": doc_type}, include=["embeddings", "metadatas"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32) if len(got["ids"]) else np.zeros((0, 0))
        return [(dict(meta), vectors[i]) for i, meta in enumerate(got["metadatas"])]

    def dense_search(self, info: IndexInfo, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        col = self._live_collection(info)
        n = min(n, info.count or n)
        if n <= 0:
            return []
        with self._translated("het zoeken"):
            got = col.query(query_embeddings=[vector.tolist()], n_results=n, include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0], strict=True)]


# Not Chroma's generic "error returned from database" prefix: a busy ("database is locked") index is not damaged.
CORRUPT_WORDS = ("malformed", "not a database", "corrupt", "no such table", "hnsw", "segment", "failed to load",
                 "unexpected eof")


def _looks_like_connection_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("connect", "refused", "timeout", "timed out", "unreachable",
                                         "network", "remoteprotocol", "could not"))
