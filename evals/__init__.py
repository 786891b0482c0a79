"""Offline evals of digihulp: retrieval ranks, citations, escalation, groundedness and latency.

`evaluate(assistant, cases)` and `compare(current, baseline)` are the reusable core (e.g. for a gate on
a batch of new tips); `run(settings, dataset, out)` adds ingest and the report files.
"""

from __future__ import annotations

from typing import Any

from evals.dataset import Case, DatasetError, check_sources, load_dataset

__all__ = [
    "DEFAULT_TOLERANCES",
    "Case",
    "CaseResult",
    "DatasetError",
    "EvalResult",
    "Regression",
    "Tolerance",
    "check_sources",
    "compare",
    "evaluate",
    "load_dataset",
    "run",
]

_LAZY = {
    "DEFAULT_TOLERANCES": "evals.metrics", "CaseResult": "evals.metrics", "EvalResult": "evals.metrics",
    "Regression": "evals.metrics", "Tolerance": "evals.metrics", "compare": "evals.metrics",
    "evaluate": "evals.runner", "run": "evals.runner",
}


def __getattr__(name: str) -> Any:
    # `python -m evals` imports this package before main() can switch the process offline.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
