"""Quantised and alternative-runtime embedding paths against today's float32, side by side in one run.

    # 1. produce the files (each in the venv that has its exporter; see quant_candidates.py):
    python benchmarks/quant_candidates.py onnx-fp32|onnx-int8|onnx-int8-vnni|ov-fp32|ov-int8 [--scratch DIR]
    # 2. quality: full indexes of both eval corpora + retrieval metrics (reference float32@native first)
    python benchmarks/quantised.py run --candidates "" --quality float32@native,onnx-int8@avx2 --out DIR/quality
    # 3. speed (repeat with another --out), then one table over every run folder
    python benchmarks/quantised.py run --quality "" --index-root DIR/quality --out DIR/speed-1 [--candidates ...]
    python benchmarks/quantised.py table --out DIR/quality --out DIR/speed-1 --out DIR/speed-2

Round 2 (benchmarks/quant_onnx.py, quant_search.py: the whole pipeline exported in this venv, int8 variants):
    python benchmarks/quantised.py export --scratch R2          # R2/onnx/model.onnx, checked against torch
    python benchmarks/quantised.py produce --scratch R2 --variants dyn-s8r,dyn-s8r-nodown,nbits8
    python benchmarks/quantised.py screen --scratch R2 --modes avx2 --out R2/screen --variants ... \
        --index-root DIR/quality/native/float32      # cosines, CPU time, retrieval on the float32 index
    python benchmarks/quantised.py run --scratch R2 --quality "" --modes avx2 --index-root DIR/quality \
        --candidates float32,ort-dyn-s8r-nodown --out R2/speed   # ask p50/p95, ingest, load, memory

Candidates (benchmarks/quant_candidates.py): float32, bf16, torch-int8, onnx-fp32, onnx-int8, onnx-int8-vnni,
ov-fp32, ov-int8. Each is produced locally from the verified weights into --scratch (never the shared model
folder), then measured in fresh subprocesses per mode, so load time and peak memory are the candidate's own:
an ingest process (all cores, as `python -m ingest`) and a query process (1 thread, as the web app).

Modes: `native` is this CPU as it is. `avx2` makes the process see an AVX2-only CPU: the CPUID shim
(benchmarks/avx2_cpuid.c, LD_PRELOAD) hides AVX-512, AVX-VNNI, bf16/fp16 and AMX from every runtime,
GLIBC_TUNABLES does the same for glibc, and ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA / MKL_ENABLE_INSTRUCTIONS
cap torch. Each worker reports what its runtimes then saw. Only the instruction set is emulated: clock,
caches and memory stay this machine's.

Per candidate: hit@1/hit@5/MRR (by document, dense ranking as shipped) on both eval sets with its own index;
the same with the float32 index queried by the candidate's question vectors (and the candidate's index by
float32's); the share of questions whose top-5 documents equal float32's; AUC of best dense similarity and of
confidence (answerable vs not); cosine to float32's vectors; query embed and full ask() p50/p95 (1 thread,
warm); ingest chunks/s (all cores); load time; peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(BENCH))  # after ROOT: benchmarks/ingest.py must not shadow the ingest package

from assistant.runtime import configure_logging, cpu_name, force_offline  # noqa: E402

force_offline()

OFFICE = ROOT.parent / "shared" / "corpora" / "office-nl" / "docs"
SETS = {"sample": (ROOT / "corpus", ROOT / "evals" / "datasets" / "sample.jsonl"),
        "office-nl": (OFFICE, ROOT / "evals" / "datasets" / "office-nl.jsonl")}
AVX512_FLAGS = ("AVX512F,AVX512CD,AVX512ER,AVX512PF,AVX512VL,AVX512DQ,AVX512BW,AVX512_IFMA,AVX512_VBMI,"
                "AVX512_VBMI2,AVX512_VNNI,AVX512_BITALG,AVX512_VPOPCNTDQ,AVX512_BF16,AVX512_FP16,AVX_VNNI,"
                "AMX_BF16,AMX_TILE,AMX_INT8")
DEFAULT_CANDIDATES = "float32,bf16,torch-int8,onnx-fp32,onnx-int8,onnx-int8-vnni,ov-fp32,ov-int8"



def shim_path(scratch: Path) -> Path:
    """Compile the CPUID shim once into the scratch dir (a C compiler is on every dev machine here)."""
    source = BENCH / "avx2_cpuid.c"
    lib = scratch / "avx2_cpuid.so"
    if not lib.is_file() or lib.stat().st_mtime < source.stat().st_mtime:
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(source), "-ldl"], check=True)
    return lib


def mode_env(mode: str, scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(key, None)
    if mode == "avx2":
        env.update({
            "LD_PRELOAD": str(shim_path(scratch)),
            "GLIBC_TUNABLES": "glibc.cpu.hwcaps=" + ",".join(f"-{f}" for f in AVX512_FLAGS.split(",")),
            "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2",
            "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        })
    return env


def run_worker(args: list[str], env: dict[str, str], timeout: float, python: str | None = None
               ) -> dict[str, Any] | None:
    cmd = [python or sys.executable, str(Path(__file__).resolve()), "worker", *args]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        print(f"  FAILED ({proc.returncode}) {' '.join(args)}\n{proc.stderr[-3000:]}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="run",
                        choices=("export", "produce", "screen", "run", "worker", "table"))
    parser.add_argument("--variants", default="", help="int8 variants (benchmarks/quant_onnx.py VARIANTS)")
    parser.add_argument("--passages", type=int, default=64, help="screen: office-nl passages embedded")
    parser.add_argument("--candidates", default=DEFAULT_CANDIDATES)
    parser.add_argument("--modes", default="native,avx2")
    parser.add_argument("--scratch", type=Path, default=ROOT.parent / "scratch-15")
    parser.add_argument("--out", type=Path, action="append",
                        help="run folder (indexes, vectors, results); default scratch/run-<time>. "
                        "`table` takes it repeatedly to show several runs side by side")
    parser.add_argument("--quick", default="bf16@avx2",
                        help="candidate@mode pairs timed on a few questions/chunks only (too slow for all)")
    parser.add_argument("--quality", default="float32@native,torch-int8@avx2,onnx-int8@avx2,ov-int8@avx2",
                        help="candidate@mode pairs that get full indexes of both eval corpora and retrieval metrics "
                        "(a float32 index of both corpora takes ~30 min on 2 busy cores)")
    parser.add_argument("--quality-phases", default="ingest,query",
                        help="'query' alone re-measures retrieval on indexes already in --out")
    parser.add_argument("--speed-phases", default="speed-ingest,speed-query")
    parser.add_argument("--reference", default="float32@native", help="the index/vectors everything is compared to")
    parser.add_argument("--index-root", type=Path, help="run folder holding the reference's indexes (default --out)")
    parser.add_argument("--ask", type=int, default=146, help="office-nl questions for the full ask() timing")
    parser.add_argument("--sets", default="sample,office-nl")
    # worker-only
    parser.add_argument("--phase", choices=("produce", "ingest", "query", "speed-ingest", "speed-query", "screen"))
    parser.add_argument("--candidate")
    parser.add_argument("--mode", default="native")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    outs: list[Path] = args.out or [args.scratch / time.strftime("run-%Y%m%d-%H%M%S")]
    args.onnx_dir = args.scratch / "onnx"
    if args.command == "worker":
        import quant_worker

        args.out = outs[0]
        print(json.dumps(quant_worker.run(args)))
        return 0
    if args.command in ("export", "produce", "screen"):
        return onnx_command(args, outs[0])
    if args.command == "run":
        orchestrate(args, outs[0])
    import quant_report

    print(quant_report.render(outs))
    return 0


def orchestrate(args: argparse.Namespace, out: Path) -> None:
    import quant_candidates

    out.mkdir(parents=True, exist_ok=True)
    names = [n for n in args.candidates.split(",") if n]
    quality = [t for t in args.quality.split(",") if t]
    unknown = [n for n in names + [t.split("@")[0] for t in quality] if n not in quant_candidates.CANDIDATES]
    if unknown:
        raise SystemExit(f"unknown candidates: {unknown}")
    index_root = args.index_root or out
    common = ["--scratch", str(args.scratch), "--out", str(out), "--index-root", str(index_root),
              "--reference", args.reference, "--ask", str(args.ask), "--sets", args.sets]
    meta: dict[str, Any] = {"cpu": cpu_name(), "cores": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M"),
                            "candidates": names, "modes": args.modes.split(","), "results": {},
                            "reference": args.reference,
                            "produced": produced_manifest(args.scratch)}
    quality.sort(key=lambda t: t != args.reference)  # the reference goes first
    for phase in args.quality_phases.split(","):  # every index first: the reference's must exist before any query
        for tag in quality:
            name, mode = tag.split("@")
            print(f"{phase:<12} {tag}", file=sys.stderr)
            meta["results"].setdefault(tag, {})[phase] = run_worker(
                ["--phase", phase, "--candidate", name, "--mode", mode, *common], mode_env(mode, args.scratch),
                7200, quant_candidates.python_for(quant_candidates.CANDIDATES[name], args.scratch))
            (out / "results.json").write_text(json.dumps(meta, indent=1))
    ask_index = out / "ask-index"
    if names and not ask_index.is_dir():  # ask() writes escalations: give it a copy of the reference index
        name, mode = args.reference.split("@")
        shutil.copytree(index_root / mode / name / "index-office-nl", ask_index)
    quick = set(args.quick.split(",")) if args.quick else set()
    for mode in meta["modes"]:
        for name in names:
            tag = f"{name}@{mode}"
            extra = ["--candidate", name, "--mode", mode, *common, *(["--quick", "yes"] if tag in quick else [])]
            for phase in args.speed_phases.split(","):
                print(f"{phase:<12} {tag}", file=sys.stderr)
                meta["results"].setdefault(tag, {})[phase] = run_worker(
                    ["--phase", phase, *extra], mode_env(mode, args.scratch), 3600,
                    quant_candidates.python_for(quant_candidates.CANDIDATES[name], args.scratch))
            (out / "results.json").write_text(json.dumps(meta, indent=1))
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M")
    (out / "results.json").write_text(json.dumps(meta, indent=1))


def onnx_command(args: argparse.Namespace, out: Path) -> int:
    import quant_onnx
    import quant_search

    variants = [v for v in args.variants.split(",") if v]
    if args.command == "export":
        from quant_candidates import copy_source

        from assistant.config import Settings
        from assistant.model.files import SAFETENSORS_SHA256

        src = copy_source(Settings().model_dir, args.scratch, SAFETENSORS_SHA256)
        print(json.dumps(quant_onnx.export(src, args.onnx_dir)))
    elif args.command == "produce":
        for name in variants:
            print(name, json.dumps(quant_onnx.produce(name, args.onnx_dir)), flush=True)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for name in ["ref", *variants]:
            if (out / f"screen-{name}.json").is_file():
                continue
            mode = args.modes.split(",")[-1]  # the reference too: its CPU time is the baseline
            print(f"screen {name}@{mode}", file=sys.stderr, flush=True)
            result = run_worker(["--phase", "screen", "--candidate", name, "--mode", mode, "--out", str(out),
                                 "--scratch", str(args.scratch), "--passages", str(args.passages)],
                                mode_env(mode, args.scratch), 7200)
            if result:
                (out / f"screen-{name}.json").write_text(json.dumps(result))
        ref = json.loads((out / "screen-ref.json").read_text())
        print(quant_search.render(quant_search.compare(out, variants), ref))
        if args.index_root:  # the float32 quality run's indexes: rank each variant's question vectors there
            print()
            print(quant_search.render_retrieval(quant_search.retrieval(out, ["ref", *variants], args.index_root)))
    return 0


def produced_manifest(scratch: Path) -> dict[str, Any]:
    path = scratch / "produced.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
