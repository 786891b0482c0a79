"""Errors that carry a Dutch message a non-technical colleague (or operator) can act on.

One vocabulary, after encode/httpx: every error digihulp raises on purpose is a DigihulpError, whose str() is the
Dutch message. Library errors are translated where they happen, always with `with translated(...)`.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class DigihulpError(Exception):
    """Base class. `str(exc)` is the Dutch message, already phrased for the person who sees it."""


class ConfigError(DigihulpError):
    """Settings or folders are wrong (CLI exit code 2)."""


class ModelError(DigihulpError):
    """The embedding model is missing, damaged or could not be installed."""


class IndexProblem(DigihulpError):
    """The index is missing, damaged, or built with another model."""


class StoreUnavailable(DigihulpError):
    """The Chroma server (or the on-disk index) cannot be reached right now."""


class IndexCorrupt(IndexProblem):
    """The on-disk index is damaged; the message names the fix (restore a backup or rebuild)."""


class StorageError(DigihulpError):
    """The data dir cannot be written or read (full disk, read-only mount, damaged database)."""


class DatabaseTooNew(StorageError, RuntimeError):
    """The database was changed by a newer digihulp in a way this version cannot work with."""


class RecordError(DigihulpError, ValueError):
    """An escalation or feedback that cannot be stored as asked: an unknown question, a status that does not
    allow the step, an empty answer, a rating other than +1/-1. A ValueError too: the caller passed it."""


@contextmanager
def translated(translate: Callable[[Exception], DigihulpError],
               catch: tuple[type[Exception], ...] = (Exception,)) -> Iterator[None]:
    """The one idiom for translating library errors: an exception of `catch` raised in the block leaves as
    `translate(exc)`, chained to it. DigihulpErrors pass unchanged: they are already translated."""
    try:
        yield
    except DigihulpError:
        raise
    except catch as exc:
        raise translate(exc) from exc


def explain_database(exc: Exception) -> str:
    """Why an SQLite call failed, in Dutch, with the fix."""
    text = str(exc).lower()
    if "full" in text or "i/o" in text:
        return ("de schijf is vol of geeft fouten. Maak plaats vrij op de schijf van de gegevensmap "
                "(DIGIHULP_DATA_DIR).")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return ("de gegevensmap is alleen-lezen of niet toegankelijk. Geef de gebruiker van digihulp "
                "schrijfrechten op DIGIHULP_DATA_DIR.")
    if "malformed" in text or "not a database" in text:
        return "het bestand is beschadigd. Zet een back-up terug (zie docs/operations.md)."
    if "locked" in text:
        return "ze is te lang bezet door een ander proces. Probeer het zo meteen opnieuw."
    return f"{exc}."


def explain(exc: BaseException) -> str:
    """A Dutch one-line reason, naming the fix, for an error no layer translated (CLIs print this, not a traceback)."""
    if isinstance(exc, DigihulpError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return f"De schijf is vol{where}. Maak plaats vrij op de schijf van de gegevensmap en probeer opnieuw."
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return (f"Geen schrijfrechten{where}: de map is alleen-lezen of van een andere gebruiker. Geef de "
                    "gebruiker van digihulp schrijfrechten op de gegevensmap (DIGIHULP_DATA_DIR).")
        if exc.errno in (errno.ENOTDIR, errno.ENOENT):
            return f"Map of bestand niet gevonden{where}. Controleer DIGIHULP_DATA_DIR en DIGIHULP_CORPUS_DIR."
        return f"Fout bij lezen of schrijven{where}: {exc.strerror or exc}."
    if isinstance(exc, MemoryError):
        return "Te weinig werkgeheugen. Sluit andere programma's of geef de server meer geheugen (minstens 3 GB)."
    return (f"Onverwachte fout ({type(exc).__name__}). Zet DIGIHULP_LOG_LEVEL=DEBUG voor details en meld het "
            "aan de beheerder.")
