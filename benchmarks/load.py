"""Load benchmark: the real web app (app.py) on a free local port, driven over HTTP like browsers do.

    python benchmarks/load.py [--levels 1,5,10,20,40] [--level-seconds 60] [--soak-seconds 600]

Simulated colleagues each ask a question from an eval set through the Gradio API of the chat page
(POST /gradio_api/call/vraag, then read the event stream), read the answer (think time) and ask the
next one. Per level it prints throughput, p50/p95/p99 latency, errors and the server's peak memory;
then a soak at --soak-users shows whether memory grows. Each level is bounded in time and in count.

The index is the office-nl corpus in data/bench-office-nl (shared with benchmarks/query.py, built
once); the app runs on a throwaway copy of it, so benchmark escalations never reach data/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import OFFLINE_ENV, free_port  # noqa: E402
from evals.metrics import percentile  # noqa: E402

OFFICE = ROOT.parent / "shared" / "corpora" / "office-nl" / "docs"
HEADER = (f"{'users':>5} {'questions':>9} {'q/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} "
          f"{'peak MB':>9}")
DEPARTMENTS = ("burgerzaken", "ict", "financien", "personeel", "communicatie")
# The simulated colleagues share one address and send no browser cookie, so the escalation limits (issue 16)
# would refuse most of their escalations after the first five: the benchmark switches them off explicitly.
NO_LIMITS = {"DIGIHULP_ESCALATIONS_PER_WINDOW": "0", "DIGIHULP_ESCALATIONS_PER_DAY": "0",
             "DIGIHULP_ESCALATIONS_PER_ADDRESS_WINDOW": "0", "DIGIHULP_ESCALATIONS_PER_ADDRESS_DAY": "0"}


# -- the server ---------------------------------------------------------------------------------------
class MemoryWatch:
    """Samples the server's resident memory from /proc; `take()` returns and resets the peak."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak = 0.0
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            rss = self.rss_mb()
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss))

    def take(self) -> float:
        peak, self.peak = self.peak, self.rss_mb()
        return peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


def ensure_index(args: argparse.Namespace, env: dict[str, str]) -> None:
    env = env | {"DIGIHULP_DATA_DIR": str(args.index_dir), "DIGIHULP_LOG_LEVEL": "WARNING"}
    print(f"Index: {args.index_dir} (built from {args.corpus} if missing)", flush=True)
    subprocess.run([sys.executable, "-m", "ingest", "--if-missing"], cwd=ROOT, env=env, check=True)


def start_app(env: dict[str, str], data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = env | {"DIGIHULP_DATA_DIR": str(data_dir), "DIGIHULP_PORT": str(port), "DIGIHULP_LOG_LEVEL": "WARNING"}
    log = open(data_dir / "app.log", "wb")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py stopped (exit {proc.returncode}); see {data_dir / 'app.log'}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("app.py did not become healthy within 300 s")


# -- the simulated colleagues -------------------------------------------------------------------------
@dataclass
class Level:
    users: int
    latencies: list[float] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)  # time.monotonic() of each answer, for the soak
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    seconds: float = 0.0
    peak_mb: float = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies) + len(self.errors)


async def ask_once(client: httpx.AsyncClient, url: str, question: str, department: str) -> str | None:
    """One question through the chat page's API; returns an error description or None."""
    # The page's inputs: question, dienst, remembered question ids, the visit's turns, comment, given feedback.
    payload: dict[str, list[Any]] = {"data": [question, department, [], [], "", None]}
    response = await client.post(f"{url}/gradio_api/call/vraag", json=payload)
    if response.status_code != 200:
        return f"HTTP {response.status_code} on submit"
    event_id = response.json()["event_id"]
    stream = await client.get(f"{url}/gradio_api/call/vraag/{event_id}")
    event, data = "", ""
    for line in stream.text.splitlines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
    if event != "complete":
        return f"event {event or 'none'}: {data[:120]}"
    html = json.loads(data)[0]
    if "Er ging iets mis" in html:
        return "error box: " + html[:160]
    return None


async def colleague(level: Level, client: httpx.AsyncClient, url: str, questions: list[str], rng: random.Random,
                    deadline: float, budget: int, think: tuple[float, float]) -> None:
    await asyncio.sleep(rng.uniform(0, think[1]))  # colleagues do not all press "Vraag" at once
    while time.monotonic() < deadline and level.done < budget:
        t0 = time.perf_counter()
        try:
            error = await ask_once(client, url, rng.choice(questions), rng.choice(DEPARTMENTS))
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        if error:
            level.errors.append(error)
        else:
            level.latencies.append(time.perf_counter() - t0)
            level.answered_at.append(time.monotonic())
        await asyncio.sleep(rng.uniform(*think))


async def run_level(users: int, url: str, questions: list[str], seconds: float, budget: int,
                    think: tuple[float, float], seed: int) -> Level:
    level = Level(users)
    limits = httpx.Limits(max_connections=users * 2 + 4, max_keepalive_connections=users * 2 + 4)
    async with httpx.AsyncClient(timeout=httpx.Timeout(180.0), limits=limits) as client:
        level.started = time.monotonic()
        await asyncio.gather(*(colleague(level, client, url, questions, random.Random(seed * 1000 + i),
                                         level.started + seconds, budget, think) for i in range(users)))
        level.seconds = time.monotonic() - level.started
    return level


# -- reporting ----------------------------------------------------------------------------------------
def print_level(level: Level) -> None:
    lat = [v * 1000 for v in level.latencies] or [0.0]
    qps = level.done / level.seconds if level.seconds else 0.0
    print(f"{level.users:>5} {level.done:>9} {qps:>8.2f} {statistics.median(lat):>8.0f} {percentile(lat, 95):>8.0f} "
          f"{percentile(lat, 99):>8.0f} {len(level.errors):>6} {level.peak_mb:>9.0f}", flush=True)
    for error in sorted(set(level.errors))[:5]:
        print(f"      error: {error}")


def print_soak(watch: MemoryWatch, level: Level) -> None:
    start = level.started
    minutes: dict[int, list[float]] = {}
    for t, rss in watch.samples:
        if t >= start:
            minutes.setdefault(int((t - start) // 60), []).append(rss)
    lat_by_min: dict[int, list[float]] = {}
    for t, seconds in zip(level.answered_at, level.latencies, strict=True):
        lat_by_min.setdefault(int((t - start) // 60), []).append(seconds * 1000)
    print(f"{'minute':>6} {'RSS median MB':>14} {'RSS max MB':>11} {'questions':>10} {'p50 ms':>8}")
    for minute in sorted(minutes):
        lat = lat_by_min.get(minute, [0.0])
        print(f"{minute + 1:>6} {statistics.median(minutes[minute]):>14.0f} {max(minutes[minute]):>11.0f} "
              f"{len(lat_by_min.get(minute, [])):>10} {statistics.median(lat):>8.0f}")
    if len(minutes) >= 3:
        keys = sorted(minutes)
        first, last = statistics.median(minutes[keys[1]]), statistics.median(minutes[keys[-1]])
        print(f"RSS minute 2 -> last minute: {first:.0f} -> {last:.0f} MB ({last - first:+.0f} MB)")


def soak(url: str, questions: list[str], users: int, seconds: float, think: tuple[float, float],
         watch: MemoryWatch) -> None:
    """The same colleagues as a level, bounded by time only; memory per minute shows any growth."""
    level = asyncio.run(run_level(users, url, questions, seconds, sys.maxsize, think, seed=7))
    level.peak_mb = watch.take()
    print(f"\nSoak: {users} colleagues for {seconds:.0f} s")
    print_soak(watch, level)
    print(HEADER)
    print_level(level)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=OFFICE)
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "office-nl.jsonl")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "data" / "bench-office-nl")
    parser.add_argument("--levels", default="1,5,10,20,40", help="concurrent colleagues per level")
    parser.add_argument("--level-seconds", type=float, default=60.0, help="time bound per level")
    parser.add_argument("--level-questions", type=int, default=400, help="question bound per level")
    parser.add_argument("--think", default="2,8", help="think time between questions: min,max seconds")
    parser.add_argument("--soak-users", type=int, default=10)
    parser.add_argument("--soak-seconds", type=float, default=600.0, help="0 skips the soak")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME:KEY=VAL,...",
                        help="run the levels once per variant (app environment overrides), side by side; "
                             "the soak runs on the first variant only")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def parse_variants(specs: list[str]) -> list[tuple[str, dict[str, str]]]:
    variants = []
    for spec in specs or ["shipped defaults:"]:
        name, _, pairs = spec.partition(":")
        overrides = dict(pair.split("=", 1) for pair in pairs.split(",") if "=" in pair)
        variants.append((name, overrides))
    return variants


def run_variant(args: argparse.Namespace, env: dict[str, str], questions: list[str], soak_too: bool) -> list[Level]:
    low, high = (float(x) for x in args.think.split(","))
    think = (low, high)
    data_dir = Path(tempfile.mkdtemp(prefix="digihulp-load-"))
    shutil.copytree(args.index_dir / "chroma", data_dir / "chroma")
    proc, url = start_app(env, data_dir)
    watch = MemoryWatch(proc.pid)
    levels = []
    try:
        asyncio.run(run_level(2, url, questions, 10, 10, (0.0, 0.2), seed=0))  # warm-up, not reported
        watch.take()
        print(f"{len(questions)} questions from {args.dataset.name}; think time {think[0]:g}-{think[1]:g} s; "
              f"each level at most {args.level_seconds:.0f} s and {args.level_questions} questions; "
              f"{os.cpu_count()} CPUs; app RSS after warm-up {watch.rss_mb():.0f} MB")
        print(HEADER)
        for users in (int(u) for u in args.levels.split(",") if u.strip()):
            level = asyncio.run(run_level(users, url, questions, args.level_seconds, args.level_questions,
                                          think, args.seed + users))
            level.peak_mb = watch.take()
            print_level(level)
            levels.append(level)
        if soak_too and args.soak_seconds > 0:
            soak(url, questions, args.soak_users, args.soak_seconds, think, watch)
    finally:
        watch.stop()
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return levels


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = os.environ | OFFLINE_ENV | {"DIGIHULP_CORPUS_DIR": str(args.corpus),
                                  "DIGIHULP_COACHES_PATH": str(ROOT / "corpus" / "coaches.yaml")} | NO_LIMITS
    ensure_index(args, env)
    questions = [json.loads(line)["question"] for line in args.dataset.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    results = []
    for i, (name, overrides) in enumerate(parse_variants(args.variant)):
        print(f"\n== {name} {overrides or ''}", flush=True)
        results.append((name, run_variant(args, env | overrides, questions, soak_too=i == 0)))
    if len(results) > 1:
        base_name, base = results[0]
        print(f"\nSide by side (ratio to '{base_name}'): throughput and p50 latency per level")
        for name, levels in results[1:]:
            for b, v in zip(base, levels, strict=True):
                qps = (v.done / v.seconds) / max(b.done / b.seconds, 1e-9)
                p50 = statistics.median(v.latencies or [0]) / max(statistics.median(b.latencies or [1]), 1e-9)
                print(f"  {name:<20} {v.users:>3} users: throughput x{qps:.2f}, p50 latency x{p50:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
