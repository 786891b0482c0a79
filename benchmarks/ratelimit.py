"""What the flood protection costs per question: the escalation limiter, the duplicate check and the fingerprint,
on real SQLite in a temporary directory, next to the escalation write that was there before (records.create).

    python benchmarks/ratelimit.py [--rounds 500] [--fingerprints 200]

Answered questions pay nothing (only escalations pass the intake); an escalation pays take() + find() +
remember(). `--fingerprints` open escalations of the same department are in the database, each with a 768-dim
vector, so find() compares against that many (more than a department gathers in 24 h).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.duplicates import DuplicateFinder  # noqa: E402
from assistant.escalation import Coach, Route  # noqa: E402
from assistant.ratelimit import DAY, Client, EscalationLimiter, Limit  # noqa: E402
from assistant.records import EscalationStore  # noqa: E402
from assistant.runtime import cpu_name  # noqa: E402
from evals.metrics import percentile  # noqa: E402


def timed(fn: Callable[[int], object], rounds: int) -> list[float]:
    out = []
    for i in range(rounds):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--fingerprints", type=int, default=200)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="digihulp-ratelimit-") as tmp:
        db = Path(tmp) / "digihulp.sqlite3"
        records = EscalationStore(db)
        # Generous limits: every take() is an allowed one, the common case (a refused take() is cheaper).
        limiter = EscalationLimiter(db, (Limit(10**9, 600), Limit(10**9, DAY)), (Limit(10**9, 600),))
        dups = DuplicateFinder(db, similarity=0.9, hours=24)
        vectors = rng.standard_normal((args.fingerprints + args.rounds, 768)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for i in range(args.fingerprints):
            dups.remember(10_000 + i, f"een eerdere vraag nummer {i} over iets anders", vectors[i], f"b{i}", "ict")
        route = Route(Coach("Jan Desmet", "jan@w.example"), None, "coach")
        question = "Hoe zet ik een automatisch afwezigheidsbericht in Outlook op mijn computer?"
        clients = [Client(browser=f"browser-{i % 40:04d}-xxxxxxxxxx", address=f"10.0.{i % 7}.1") for i in range(9)]

        create = timed(lambda i: records.create(question, "ict", route, [], "", 0.1), args.rounds)
        take = timed(lambda i: limiter.take(clients[i % len(clients)]), args.rounds)
        find = timed(lambda i: dups.find(question, vectors[args.fingerprints + i], "b-new", "ict",
                                         lambda _id: True), args.rounds)
        remember = timed(lambda i: dups.remember(i + 1, question, vectors[args.fingerprints + i], "b-new", "ict"),
                         args.rounds)
    total = [a + b + c for a, b, c in zip(take, find, remember, strict=True)]
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores); {args.rounds} rounds, {args.fingerprints} fingerprints "
          f"in the department; SQLite WAL in {tempfile.gettempdir()} (limiter and fingerprints: a kept "
          "connection per thread, synchronous=NORMAL)")
    print(f"{'step':<34} {'median ms':>10} {'p95 ms':>8}")
    for name, values in (("limiter take()", take), ("duplicates find()", find), ("duplicates remember()", remember),
                         ("added per escalation (sum)", total), ("records.create() (reference)", create)):
        print(f"{name:<34} {statistics.median(values):>10.3f} {percentile(values, 95):>8.3f}")
    print("limiter cost per question: 0 ms for an answered question; "
          f"{statistics.median(take):.3f} ms median for an escalation "
          f"({'<' if statistics.median(take) < 1 else '>='} 1 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
