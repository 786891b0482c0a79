"""Where a tip batch comes from in the coach workspace: a zip uploaded from the browser, unpacked safely into a
fresh folder, or the workspace's own batch folder (tips saved with 'In de volgende batch').

A zip is checked whole before anything is written: no absolute paths or '..', no links or other special
files, no encrypted members, no more than MAX_MEMBERS files, every file within the upload size limit and all of
them within MAX_TOTAL_FACTOR times it, no member that unpacks to more than MAX_RATIO times its packed size (zip
bombs). Sizes are counted while unpacking too, because a zip's own header can lie. A refused zip leaves nothing.
"""

from __future__ import annotations

import logging
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from assistant.config import Settings
from ingest.batch_files import ALLOWED, RETIRE_FILE, BatchError
from ingest.loaders import LoadError, read_text, split_front_matter

log = logging.getLogger(__name__)

MAX_MEMBERS = 500
MAX_TOTAL_FACTOR = 5  # the unpacked batch at most 5x the per-file limit
MAX_RATIO = 100  # text compresses 3-10x; a bomb compresses 1000x and more
_CHUNK = 1 << 16
JUNK = ("__MACOSX", "Thumbs.db", "desktop.ini")


def workspace_batch(settings: Settings) -> Path:
    """The batch folder the workspace fills ('Tip opslaan' into the next batch)."""
    return settings.data_dir / "batch"


def staged_tips(settings: Settings) -> list[tuple[str, str]]:
    """(path in the batch, title) of each tip waiting in the workspace batch."""
    tips = workspace_batch(settings) / "tips"
    found = []
    for path in sorted(tips.glob("*.md")) if tips.is_dir() else []:
        try:
            title = str(split_front_matter(read_text(path))[0].get("title") or path.stem)
        except LoadError:
            title = path.stem
        found.append((f"tips/{path.name}", title))
    return found


def remove_staged(settings: Settings, rel: str) -> None:
    """Take a tip out of the workspace batch before it is published."""
    names = {r for r, _ in staged_tips(settings)}
    if rel not in names:
        raise BatchError({rel or "?": "Deze tip staat niet (meer) in de batch."})
    (workspace_batch(settings) / rel).unlink(missing_ok=True)


def clear_published(settings: Settings, rels: list[str]) -> None:
    """After publishing the workspace batch, its files are live (and kept in the batch's backup): empty it."""
    folder = workspace_batch(settings)
    for rel in rels:
        (folder / rel).unlink(missing_ok=True)
    (folder / RETIRE_FILE).unlink(missing_ok=True)


# -- zips ------------------------------------------------------------------------------------------------
def _member_problem(info: zipfile.ZipInfo, limit: int) -> str:
    name = info.filename
    kind = stat.S_IFMT(info.external_attr >> 16)
    if "\x00" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "Een pad met een schijf, een backslash of een '/' vooraan is niet toegelaten."
    if any(part in ("", "..", ".") for part in name.rstrip("/").split("/")):
        return "Een pad met '..' is niet toegelaten."
    if kind == stat.S_IFLNK:
        return "Een snelkoppeling (symbolische link) is niet toegelaten."
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "Dit is geen gewoon bestand."
    if info.flag_bits & 0x1:
        return "Versleutelde bestanden kunnen niet gelezen worden. Maak de zip zonder wachtwoord."
    if info.file_size > limit:
        return f"Het bestand is te groot ({info.file_size / 1e6:.1f} MB; maximum {limit / 1e6:g} MB)."
    if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(1, info.compress_size):
        return "Dit bestand pakt verdacht sterk uit (een zip-bom?) en is geweigerd."
    return ""


def _plan(archive: zipfile.ZipFile, limit: int) -> tuple[dict[str, zipfile.ZipInfo], dict[str, str]]:
    """Batch path -> member, and the problems; a single folder around everything is left out."""
    infos, problems = archive.infolist(), dict[str, str]()
    if len(infos) > MAX_MEMBERS:
        return {}, {"zip": f"De zip bevat {len(infos)} bestanden; maximum {MAX_MEMBERS}."}
    files = []
    for info in infos:
        problem = _member_problem(info, limit)
        parts = PurePosixPath(info.filename).parts
        if problem:
            problems[info.filename] = problem
        elif not info.is_dir() and not any(p.startswith(".") or p in JUNK for p in parts):
            files.append((parts, info))
    tops = {parts[0] for parts, _ in files if len(parts) > 1}
    strip = len(tops) == 1 and all(len(parts) > 1 for parts, _ in files) and next(iter(tops)) not in ALLOWED
    plan: dict[str, zipfile.ZipInfo] = {}
    for parts, info in files:
        rel = "/".join(parts[1:] if strip else parts)
        allowed = rel == RETIRE_FILE or (len(rel.split("/")) == 2 and rel.split("/")[0] in ALLOWED
                                         and PurePosixPath(rel).suffix.lower() in ALLOWED[rel.split("/")[0]])
        if not allowed:
            problems[info.filename] = ("Dit bestand hoort niet in een batch: alleen tips/*.md, handleidingen/*.pdf "
                                       "(met .yml) en retire.txt.")
        elif rel.casefold() in {r.casefold() for r in plan}:
            problems[info.filename] = "Dit bestand staat twee keer in de zip."
        else:
            plan[rel] = info
    if sum(i.file_size for i in plan.values()) > MAX_TOTAL_FACTOR * limit:
        problems["zip"] = f"De zip pakt uit tot meer dan {MAX_TOTAL_FACTOR * limit / 1e6:g} MB. Splits de batch op."
    if not plan and not problems:
        problems["zip"] = "De zip is leeg: geen tips/, handleidingen/ of retire.txt."
    return plan, problems


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, limit: int) -> None:
    written = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as src, open(dest, "xb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > min(limit, info.file_size):  # the header said less: do not trust the rest
                raise BatchError({info.filename: "Dit bestand is groter dan de zip aangeeft en is geweigerd."})
            out.write(chunk)


def unpack_zip(settings: Settings, archive_path: Path) -> Path:
    """The zip's batch in a fresh folder under data_dir/batch-uploads/ (the caller removes it after the run).
    BatchError lists every refused member; then nothing is left on disk."""
    limit = int(settings.max_file_mb * 1_000_000)
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BatchError({Path(archive_path).name: "Dit is geen (leesbaar) zip-bestand."}) from exc
    root = settings.data_dir / "batch-uploads"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="zip-", dir=root))
    try:
        with archive:
            plan, problems = _plan(archive, limit)
            if problems:
                raise BatchError(problems)
            for rel, info in plan.items():
                dest = (folder / rel).resolve()
                if not dest.is_relative_to(folder.resolve()):  # _plan refused this already; never write outside
                    raise BatchError({info.filename: "Een pad buiten de batch is niet toegelaten."})
                try:
                    _extract(archive, info, dest, limit)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                    raise BatchError({info.filename: "Dit bestand in de zip is beschadigd of kan niet uitgepakt "
                                                     "worden. Maak de zip opnieuw."}) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log.info("Batch zip %s unpacked into %s (%d files)", Path(archive_path).name, folder, len(plan))
    return folder
