"""The ONNX Runtime paths of benchmarks/quantised.py: export inside the project venv, quantise, load.

- `export()` traces the whole sentence-transformers pipeline (transformer, mean pooling, both Dense layers,
  normalisation) with `torch.onnx.export(dynamo=True)` from a verified local copy of the weights, and checks the
  result against torch float32 by cosine. The legacy TorchScript exporter cannot trace transformers 5's
  vmap-built attention masks; the dynamo exporter needs `onnxscript` (which brings `onnx`).
- `VARIANTS` are the quantised copies made from that float32 file with `onnxruntime.quantization`
  (needs `onnx`): dynamic int8 MatMul (per channel, signed 7-bit or unsigned weights, with sensitive layers
  left in float32) and weight-only MatMulNBits.
- `OrtEmbedder` runs a produced file behind the project's EmbeddingModel interface with the model's own
  query/document prompts and 512-token cap, as `assistant.model.Embedder` does with torch.

Nothing is fetched from a hub: the tokenizer and weights come from the local folder only.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FP32_FILE = "model.onnx"
PROBE_TEXTS = ("task: search result | query: Hoe deel ik mijn agenda in Outlook met een collega?",
               "title: Teams | text: " + "In Teams plan je een vergadering vanuit de agenda. " * 40, "ok")
LAYERS = 24
ROLES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


# -- export ---------------------------------------------------------------------------------------------
def export(src: Path, out_dir: Path) -> dict[str, Any]:
    """The float32 ONNX file of the whole pipeline in out_dir/model.onnx (+ .data), verified by cosine."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(src), device="cpu", local_files_only=True, trust_remote_code=False,
                                model_kwargs={"attn_implementation": "eager"}).eval()

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.st({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]

    enc = model.tokenizer(list(PROBE_TEXTS[:2]), padding=True, return_tensors="pt")
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq", max=2048)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with torch.no_grad():
        torch.onnx.export(Pipeline().eval(), (enc["input_ids"], enc["attention_mask"]), str(out_dir / FP32_FILE),
                          dynamo=True, external_data=True, opset_version=18,
                          input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
                          dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}})
    seconds = time.perf_counter() - started
    reference = model.encode(list(PROBE_TEXTS), normalize_embeddings=True)
    got = OrtEmbedder(out_dir, FP32_FILE, src, threads=os.cpu_count() or 1).encode(list(PROBE_TEXTS))
    cos = np.sum(reference * got, axis=1)
    if float(cos.min()) < 0.9999:
        raise SystemExit(f"the ONNX export differs from torch float32: cosines {cos}")
    return {"seconds": round(seconds, 1), "probe_cos_min": float(cos.min())}


# -- quantised variants ---------------------------------------------------------------------------------
def module_of(node: Any) -> str:
    """The torch module a node of the dynamo export came from (st.0.model.layers.3.mlp.down_proj)."""
    for prop in node.metadata_props:
        if prop.key == "pkg.torch.onnx.name_scopes":
            scopes = json.loads(prop.value.replace("'", '"'))
            return str(scopes[-2]) if len(scopes) >= 2 else ""
    return ""


def matmul_nodes(model_path: Path) -> dict[str, str]:
    """Weight MatMul node name -> module path, for the transformer's linear layers."""
    import onnx

    model = onnx.load(str(model_path), load_external_data=False)
    weights = {i.name for i in model.graph.initializer}
    return {n.name: module_of(n) for n in model.graph.node
            if n.op_type == "MatMul" and n.input[1] in weights and ".layers." in module_of(n)}


def select(nodes: dict[str, str], roles: Sequence[str] = (), layers: Sequence[int] = ()) -> list[str]:
    """Node names whose module is one of `roles` (any layer) or in one of `layers` (any role)."""
    picked = []
    for name, module in nodes.items():
        layer = int(module.split(".layers.")[1].split(".")[0])
        if module.rsplit(".", 1)[-1] in roles or layer in layers:
            picked.append(name)
    return picked


@dataclass(frozen=True)
class Variant:
    name: str
    note: str
    make: Callable[[Path, Path], None]  # (float32 model.onnx, output file)


def _dynamic(weight: str, reduce_range: bool, roles: Sequence[str] = (), layers: Sequence[int] = ()
             ) -> Callable[[Path, Path], None]:
    def make(fp32: Path, out: Path) -> None:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        exclude = select(matmul_nodes(fp32), roles, layers)
        quantize_dynamic(str(fp32), str(out), op_types_to_quantize=["MatMul"], per_channel=True,
                         reduce_range=reduce_range, nodes_to_exclude=exclude,
                         weight_type=QuantType.QInt8 if weight == "s8" else QuantType.QUInt8,
                         extra_options={"MatMulConstBOnly": True})
    return make


def _nbits(bits: int, block: int, accuracy_level: int) -> Callable[[Path, Path], None]:
    def make(fp32: Path, out: Path) -> None:
        import onnx
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        quantizer = MatMulNBitsQuantizer(onnx.load(str(fp32)), bits=bits, block_size=block, is_symmetric=True,
                                         accuracy_level=accuracy_level, op_types_to_quantize=("MatMul",))
        quantizer.process()
        quantizer.model.save_model_to_file(str(out), use_external_data_format=True)
    return make


VARIANTS = {v.name: v for v in (
    Variant("dyn-u8", "dynamic int8, u8 weights per channel (as round 1's 'avx2' config)", _dynamic("u8", False)),
    Variant("dyn-s8r", "dynamic int8, s8 7-bit weights (reduce_range) per channel", _dynamic("s8", True)),
    Variant("dyn-s8r-nodown", "dyn-s8r, down_proj in float32", _dynamic("s8", True, roles=("down_proj",))),
    Variant("dyn-u8-nodown", "dyn-u8, down_proj in float32", _dynamic("u8", False, roles=("down_proj",))),
    Variant("dyn-s8r-noedge", "dyn-s8r, first and last layer in float32", _dynamic("s8", True, layers=(0, 23))),
    Variant("dyn-s8r-nodown-o", "dyn-s8r, down_proj and o_proj in float32",
            _dynamic("s8", True, roles=("down_proj", "o_proj"))),
    Variant("nbits8", "MatMulNBits 8-bit weights, block 32, int8 compute (accuracy_level 4)", _nbits(8, 32, 4)),
    Variant("nbits4", "MatMulNBits 4-bit weights, block 32, int8 compute (accuracy_level 4)", _nbits(4, 32, 4)),
)}


def variant_file(name: str) -> str:
    return FP32_FILE if name == "fp32" else f"model_{name}.onnx"


def produce(name: str, onnx_dir: Path) -> dict[str, Any]:
    out = onnx_dir / variant_file(name)
    started = time.perf_counter()
    if not out.is_file():
        VARIANTS[name].make(onnx_dir / FP32_FILE, out)
    files = [p for p in (out, out.with_name(out.name + ".data")) if p.is_file()]
    return {"seconds": round(time.perf_counter() - started, 1),
            "mb": round(sum(p.stat().st_size for p in files) / 2**20)}


# -- the runtime ------------------------------------------------------------------------------------------
class OrtEmbedder:
    """An ONNX file of the whole pipeline behind the EmbeddingModel interface (embed_query/queries/documents)."""

    def __init__(self, onnx_dir: Path, file: str, model_dir: Path, threads: int = 1, spinning: bool = True) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        from assistant.model.files import model_name

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Spinning threads burn a core while they wait; on a shared or oversubscribed machine that core is lost.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        self._session = ort.InferenceSession(str(onnx_dir / file), options, providers=["CPUExecutionProvider"])
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        config = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        self._prompts: dict[str, str] = config.get("prompts", {})
        self.max_seq_length = 512
        self.name = model_name(model_dir)  # as the torch path records it: the index cannot tell them apart
        self.dtype = file
        self.dimension = int(self._session.get_outputs()[0].shape[-1] or 768)

    def document_text(self, title: str, text: str) -> str:
        return f"title: {title or 'none'} | text: {text}"

    def embed_query(self, question: str) -> np.ndarray:
        return self.embed_queries([question])[0]

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        return self.encode([self._prompts.get("query", "") + q for q in questions], batch_size)

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        return self.encode([self.document_text(t, x) for t, x in items], batch_size)

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # as sentence-transformers batches
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            enc = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                  max_length=self.max_seq_length, return_tensors="np")
            feeds = {"input_ids": enc["input_ids"].astype(np.int64),
                     "attention_mask": enc["attention_mask"].astype(np.int64)}
            vectors = self._session.run(None, feeds)[0]
            out[idx] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out
