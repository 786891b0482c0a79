"""Crash-safe file writes: a temp file beside the target, flushed to disk, then renamed (or linked) into place.

A reader, or a process killed halfway, sees the old file or the new one, never half of one. The temp file lives
in the target's folder because a rename is only atomic within one file system.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o666, overwrite: bool = True) -> None:
    """Write `data` (str as UTF-8) to `path` in one step. `mode` (before the umask) applies from the first byte,
    so a secret is never readable by others. overwrite=False never replaces an existing file: FileExistsError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails when `path` exists, where a rename would silently replace it
    finally:
        tmp.unlink(missing_ok=True)


def copy_atomic(source: Path, target: Path) -> None:
    """Copy a file (with its timestamps, like shutil.copy2) so that `target` is replaced in one step."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(target)
    try:
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
