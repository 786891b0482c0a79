"""Load the embedding model, and make its derived copies: the only module that touches sentence-transformers.

Loading first checks the whole install (presence and size of every file, see `assistant.model.files`), so
a damaged install is reported the same way on every CPU before torch is even imported.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.embedding import EmbeddingModel
from assistant.errors import ModelError
from assistant.model.files import FIX, artifact_dir, inspect_install, model_name

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)

MAX_TOKENS = 512
DTYPES = ("auto", "bfloat16", "float32")  # never float16: EmbeddingGemma produces garbage in fp16


def cpu_has_fast_bf16() -> bool:
    """bfloat16 is only fast with native CPU support; on AVX2-only CPUs torch falls back to a
    scalar path that measured ~100x slower than float32, so there the float32 original is used."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def resolve_dtype(setting: str) -> str:
    """DIGIHULP_EMBED_DTYPE to the dtype that will be loaded on this CPU."""
    if setting not in DTYPES:
        raise ModelError(f"Onbekend rekenformaat DIGIHULP_EMBED_DTYPE={setting!r}; kies auto, bfloat16 of float32.")
    if setting == "auto":
        return "bfloat16" if cpu_has_fast_bf16() else "float32"
    return setting


def dimension_of(model: Any) -> int:
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter() or 0)


def save_bf16(source: Path, target: Path) -> int:
    """Save a bfloat16 copy of the model in `source` to `target`; returns the embedding dimension.
    Made once at install time: converting at every load doubles peak memory."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True, trust_remote_code=False)
    model.to(torch.bfloat16)
    model.save(str(target))
    return dimension_of(model)


class Embedder(EmbeddingModel):
    """Sentence-transformers embedder with the model's own query/document prompts."""

    def __init__(self, model_dir: Path, dtype: str = "auto", threads: int = 0) -> None:
        self.dtype = resolve_dtype(dtype)
        inspect_install(model_dir).require()  # the whole install, whichever copy this CPU loads
        import torch
        from sentence_transformers import SentenceTransformer

        if threads > 0:
            # Process-wide: torch oversubscribes the cores when several encodes (or processes) run
            # at once; measured 0.2 s per question on 1 thread vs 0.7-3 s on 2 with another job busy.
            torch.set_num_threads(threads)
        path = artifact_dir(model_dir, self.dtype)
        try:
            self._model = SentenceTransformer(
                str(path),
                device="cpu",
                local_files_only=True,
                trust_remote_code=False,
                model_kwargs={"torch_dtype": getattr(torch, self.dtype)},
            )
        except Exception as exc:  # a damaged file of the right size surfaces as many different errors
            log.debug("Model load failed", exc_info=True)
            raise ModelError(
                f"Het taalmodel in {path} is onvolledig of beschadigd ({type(exc).__name__}). Controleer het met "
                f"python -m assistant.model verify. {FIX}"
            ) from exc
        # Chunks are ~180 words; the model's 2048-token window would let one odd passage
        # (a table, a list of URLs) cost as much as a whole batch.
        self._model.max_seq_length = min(self._model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
        self.name = model_name(model_dir)
        self.dimension = dimension_of(self._model)
        self._prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        log.info(
            "Loaded embedding model %s (%d dims, %s) from %s", self.name, self.dimension, self.dtype, path
        )

    def document_text(self, title: str, text: str) -> str:
        document_prompt = self._prompts.get("document", "")
        if "title:" in document_prompt:
            return f"title: {title or 'none'} | text: {text}"
        return f"{document_prompt}{title}\n{text}" if title else f"{document_prompt}{text}"

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        texts = [self.document_text(title, text) for title, text in items]
        return self._encode(texts, batch_size=batch_size)

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        prompt = self._prompts.get("query", "")
        return self._encode([prompt + q for q in questions], batch_size=batch_size)

    def encode_raw(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Plain encode of ready-made strings (used by the benchmark as the baseline)."""
        return self._encode(list(texts), batch_size=batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors: Any = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_embedder(settings: Settings, *, all_cores: bool = False) -> Embedder:
    """The embedder `settings` describe. Torch threads: DIGIHULP_EMBED_THREADS, else 1 for serving (many short
    questions, one process per core's worth of work) or every core for ingest (`all_cores`: one long batch)."""
    default = (os.cpu_count() or 1) if all_cores else 1
    return Embedder(settings.model_dir, settings.embed_dtype, threads=settings.embed_threads or default)
