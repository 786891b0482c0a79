"""The embedding paths benchmarks/quantised.py compares: how each is produced from the verified float32
weights and how it is loaded behind the project's Embedder interface.

Produced files go to a scratch folder, never into the shared model folder: `produce()` first copies the
original (without the bf16 copy) into <scratch>/src and checks its SHA-256, then exports from that copy.
Nothing is ever fetched from a hub (HF_HUB_OFFLINE, local_files_only).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quant_onnx import VARIANTS

SOURCE_FILES = ("1_Pooling", "2_Dense", "3_Dense", "added_tokens.json", "config.json",
                "config_sentence_transformers.json", "digihulp-model.json", "generation_config.json",
                "model.safetensors", "modules.json", "sentence_bert_config.json", "special_tokens_map.json",
                "tokenizer.json", "tokenizer.model", "tokenizer_config.json")


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str  # torch | torch-int8 | onnx | openvino | ort (round 2: whole pipeline in one ONNX file)
    folder: str = ""  # under the scratch dir; "" = the installed model folder itself
    file: str = ""  # backend file inside the folder
    note: str = ""


CANDIDATES = {c.name: c for c in (
    Candidate("float32", "torch", note="today's exact path"),
    Candidate("bf16", "torch", note="today's path on native-bf16 CPUs"),
    Candidate("torch-int8", "torch-int8", note="torch.ao quantize_dynamic, nn.Linear -> qint8, at load"),
    Candidate("onnx-fp32", "onnx", "onnx", "onnx/model.onnx", "ONNX Runtime, float32 export"),
    Candidate("onnx-int8", "onnx", "onnx", "onnx/model_quint8_avx2.onnx",
              "ONNX Runtime, dynamic int8, ST 'avx2' config (u8 activations and weights, per channel)"),
    Candidate("onnx-int8-vnni", "onnx", "onnx", "onnx/model_qint8_avx512_vnni.onnx",
              "ONNX Runtime, dynamic int8, 'avx512_vnni' config (u8 activations, s8 weights, per channel)"),
    Candidate("ov-fp32", "openvino", "openvino", "openvino/openvino_model.xml",
              "OpenVINO IR, float32 weights (CPU plugin picks bf16 itself where the CPU has it)"),
    Candidate("ov-int8", "openvino", "openvino", "openvino/openvino_model_int8wo.xml",
              "OpenVINO IR, NNCF int8 weight compression (data-free)"),
    Candidate("ort-fp32", "ort", "onnx", "model.onnx", "round 2: the dynamo export of the whole pipeline, float32"),
    *(Candidate(f"ort-{v.name}", "ort", "onnx", f"model_{v.name}.onnx", f"round 2: {v.note}")
      for v in VARIANTS.values()),
)}


def python_for(candidate: Candidate, scratch: Path) -> str | None:
    """OpenVINO runs through sentence-transformers' backend="openvino", which needs optimum-intel and with it
    transformers < 5.6: that lives in its own venv (scratch/venv-ov). Everything else runs in the project venv."""
    return str(scratch / "venv-ov" / "bin" / "python") if candidate.kind == "openvino" else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_source(model_dir: Path, scratch: Path, expected_sha256: str) -> Path:
    """A private copy of the verified original; exports read this, so nothing can write into the shared folder."""
    src = scratch / "src"
    weights = src / "model.safetensors"
    if not weights.is_file() or sha256_file(weights) != expected_sha256:
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        for name in SOURCE_FILES:
            item = model_dir / name
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, src / name)
        actual = sha256_file(weights)
        if actual != expected_sha256:
            raise SystemExit(f"copied model.safetensors has sha256 {actual}, expected {expected_sha256}")
    return src


def produce(candidate: Candidate, src: Path, scratch: Path) -> dict[str, Any]:
    """Make the candidate's files (idempotent); returns what was produced: files, sizes, checksums, seconds."""
    if candidate.kind not in ("onnx", "openvino"):
        return {}
    out = scratch / candidate.folder
    target = out / candidate.file
    started = time.perf_counter()
    if not target.is_file():
        if candidate.kind == "onnx":
            _produce_onnx(candidate, src, out)
        else:
            _produce_openvino(candidate, src, out)
    files = [target, *([target.with_suffix(".bin")] if candidate.kind == "openvino" else [])]
    files += [p for p in target.parent.glob(target.name + "_data")]  # ONNX external data, if any
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "files": {str(p.relative_to(out)): {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in files},
    }


def _st_model(src: Path, backend: str, **model_kwargs: Any) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(src), device="cpu", backend=backend, local_files_only=True,
                               trust_remote_code=False, model_kwargs=model_kwargs or None)


def _produce_onnx(candidate: Candidate, src: Path, out: Path) -> None:
    from sentence_transformers import export_dynamic_quantized_onnx_model

    if not (out / "onnx" / "model.onnx").is_file():
        model = _st_model(src, "onnx")  # no ONNX file in src: sentence-transformers exports one via Optimum
        model.save(str(out))
    if candidate.file.endswith("model.onnx"):
        return
    config = candidate.file.split("int8_")[1].removesuffix(".onnx")  # model_q(u)int8_<config>.onnx
    model = _st_model(out, "onnx", file_name="onnx/model.onnx")
    export_dynamic_quantized_onnx_model(model, config, str(out))


def _produce_openvino(candidate: Candidate, src: Path, out: Path) -> None:
    """OpenVINO IR converted from the float32 ONNX export (produce onnx-fp32 first). sentence-transformers'
    own OpenVINO export goes through optimum-intel, whose gemma3 exporter refuses transformers > 5.0 while
    sentence-transformers 6 needs >= 5.0; OpenVINO reads the ONNX file itself, so that detour is not needed."""
    import openvino as ov

    base = out / "openvino" / "openvino_model.xml"
    onnx_dir = src.parent / "onnx"
    if not base.is_file():
        if not (onnx_dir / "onnx" / "model.onnx").is_file():
            raise SystemExit("produce onnx-fp32 first: the OpenVINO IR is converted from it")
        shutil.copytree(onnx_dir, out, ignore=shutil.ignore_patterns("onnx"), dirs_exist_ok=True)
        ov.save_model(ov.convert_model(str(onnx_dir / "onnx" / "model.onnx")), str(base), compress_to_fp16=False)
    if candidate.file.endswith("_int8wo.xml"):
        import nncf
        import openvino as ov

        ov_model = ov.Core().read_model(str(base))
        compressed = nncf.compress_weights(ov_model, mode=nncf.CompressWeightsMode.INT8_ASYM)
        ov.save_model(compressed, str(out / candidate.file), compress_to_fp16=False)


def load(candidate: Candidate, model_dir: Path, scratch: Path, threads: int) -> Any:
    """An assistant.model.Embedder running the candidate's path, with `threads` compute threads."""
    import torch

    from assistant.model import Embedder

    if candidate.kind == "torch":
        return Embedder(model_dir, "bfloat16" if candidate.name == "bf16" else "float32", threads=threads)
    if candidate.kind == "torch-int8":
        embedder = Embedder(model_dir, "float32", threads=threads)
        torch.ao.quantization.quantize_dynamic(embedder._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        embedder.dtype = "int8 (torch dynamic)"
        return embedder
    folder = scratch / candidate.folder
    if candidate.kind == "ort":
        from quant_onnx import OrtEmbedder

        return OrtEmbedder(folder, candidate.file, model_dir, threads)
    torch.set_num_threads(threads)  # pooling and the two Dense layers stay in torch
    if candidate.kind == "onnx":
        # Not sentence-transformers' backend="onnx": it needs optimum-onnx, whose only release caps
        # transformers < 4.58 while sentence-transformers 6 needs >= 5. onnxruntime itself is already
        # installed (chromadb depends on it), so the runtime path needs no new package at all.
        model = OrtEncoder(folder, candidate.file, threads)
    else:
        config = {"INFERENCE_NUM_THREADS": str(threads), "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": "1"}
        if threads == 1:
            # OpenVINO 2026.4.1 dies with SIGFPE compiling this model for 1 thread in bf16 (its default on
            # native-bf16 CPUs); f32 works. On AVX2-only CPUs f32 is the default anyway.
            config["INFERENCE_PRECISION_HINT"] = "f32"
        model = _st_model(folder, "openvino", file_name=candidate.file, ov_config=config)
    return _wrap(model, model_dir, candidate.name)


class OrtEncoder:
    """The sentence-transformers pipeline of this model folder on ONNX Runtime: tokenizer -> ONNX transformer ->
    mean pooling -> the two Dense layers -> normalise. Offers the `encode()` that Embedder calls."""

    def __init__(self, folder: Path, file: str, threads: int) -> None:
        import numpy as np
        import onnxruntime as ort
        from safetensors.numpy import load_file
        from transformers import AutoTokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        config = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        self.prompts: dict[str, str] = config.get("prompts", {})
        self.max_seq_length = 512
        self._dense = [np.ascontiguousarray(load_file(str(folder / d / "model.safetensors"))["linear.weight"].T)
                       for d in ("2_Dense", "3_Dense")]

    def get_sentence_embedding_dimension(self) -> int:
        return int(self._dense[-1].shape[1])

    def encode(self, texts: list[str], batch_size: int = 16, normalize_embeddings: bool = True, **_: Any) -> Any:
        import numpy as np

        out = np.zeros((len(texts), self.get_sentence_embedding_dimension()), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # as sentence-transformers batches
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            enc = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                  max_length=self.max_seq_length, return_tensors="np")
            feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask") if k in self._inputs}
            if "position_ids" in self._inputs:
                feeds["position_ids"] = np.broadcast_to(np.arange(enc["input_ids"].shape[1]), enc["input_ids"].shape
                                                        ).astype(np.int64)
            hidden = self._session.run(None, feeds)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            for weight in self._dense:
                pooled = pooled @ weight
            if normalize_embeddings:
                pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled
        return out


def _wrap(model: Any, model_dir: Path, label: str) -> Any:
    """The project's Embedder around an already loaded SentenceTransformer (same prompts, same 512-token cap)."""
    from assistant.model.embedder import MAX_TOKENS, Embedder, dimension_of
    from assistant.model.files import model_name

    embedder = Embedder.__new__(Embedder)
    embedder._model = model
    model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
    embedder.name = model_name(model_dir)  # same name as float32: the index cannot tell the paths apart
    embedder.dimension = dimension_of(model)
    embedder.dtype = label
    embedder._prompts = dict(getattr(model, "prompts", {}) or {})
    return embedder


def runtime_details(embedder: Any) -> dict[str, Any]:
    """What the runtime actually chose (OpenVINO picks its own inference precision)."""
    model: Any = getattr(embedder, "_model", None)
    auto: Any = getattr(model[0], "auto_model", None) if hasattr(model, "__getitem__") else None
    for attr in ("compiled_model", "request"):
        compiled: Any = getattr(auto, attr, None)
        if hasattr(compiled, "get_compiled_model"):
            compiled = compiled.get_compiled_model()
        if hasattr(compiled, "get_property"):
            try:
                return {"ov_inference_precision": str(compiled.get_property("INFERENCE_PRECISION_HINT"))}
            except Exception as exc:  # property names differ across OpenVINO releases
                return {"ov_inference_precision": f"unknown ({type(exc).__name__})"}
    return {}


def save_manifest(scratch: Path, produced: dict[str, Any]) -> None:
    path = scratch / "produced.json"
    old = json.loads(path.read_text()) if path.is_file() else {}
    old.update(produced)
    path.write_text(json.dumps(old, indent=1))


def main(argv: list[str] | None = None) -> int:
    """python benchmarks/quant_candidates.py NAME [--scratch DIR]: produce one candidate (run in the venv that
    has its exporter: sentence-transformers' ONNX export needs optimum-onnx, which caps transformers < 4.58)."""
    import argparse
    import os
    import sys

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[key] = "1"
    from assistant.model.files import SAFETENSORS_SHA256

    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=sorted(CANDIDATES))
    parser.add_argument("--scratch", type=Path, default=root.parent / "scratch-15")
    parser.add_argument("--model-dir", type=Path, default=Path(os.environ.get(
        "DIGIHULP_MODEL_DIR", Path.home() / ".cache" / "digihulp" / "embeddinggemma-300m")))
    args = parser.parse_args(argv)
    src = copy_source(args.model_dir, args.scratch, SAFETENSORS_SHA256)
    produced = produce(CANDIDATES[args.name], src, args.scratch)
    save_manifest(args.scratch, {args.name: produced})
    print(json.dumps(produced))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
