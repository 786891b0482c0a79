"""The publishing lock: one publishing ingest, tip batch or rollback at a time, across processes (a file lock
in the data dir, so the CLI and the web app's 'Index bijwerken' / 'Batch publiceren' see each other)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import ConfigError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]


@contextmanager
def batch_lock(data_dir: Path) -> Iterator[None]:
    """A second click on 'Batch publiceren' must not race the first, and an ingest's cleanup must not delete the
    generation a running batch has staged. Taken without waiting: the second caller gets a Dutch ConfigError."""
    path = Path(data_dir) / "batches" / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise ConfigError("Er loopt al een batch, ingest of terugdraaiing. Probeer het straks opnieuw."
                                  ) from exc
        yield
