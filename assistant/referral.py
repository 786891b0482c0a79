"""Not every question is a digicoach question: greetings get a friendly prompt, and questions about leave, pay,
the building, ... get a pointer to the service that helps (the referral list the coordinator keeps next to
coaches.yaml, `referrals.yaml`), instead of landing in a coach's queue.

A referral is matched like a document of the corpus: each of its example questions and each of its topics is
embedded as a passage titled with what the service helps with, and a question is referred when it lies closer to a
referral than to every passage of the corpus (by `referral_margin`) and close enough to it at all
(`referral_min_similarity`). So "hoeveel verlofdagen heb ik nog" goes to the personnel service while
"afwezigheidsbericht instellen voor mijn verlof", which a tip answers, does not. The question's vector is the one
retrieval computed: nothing is embedded twice.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.embedding import EmbeddingModel
from assistant.errors import ConfigError
from assistant.types import Answer

log = logging.getLogger(__name__)

GREETINGS = frozenset([
    "hallo", "hallo's", "hoi", "hey", "hi", "hello", "dag", "daag", "goeiedag", "goedendag",
    "goedemorgen", "goeiemorgen", "morgen", "goedemiddag", "goeiemiddag", "middag", "goedenavond",
    "goeieavond", "avond", "allo", "yo", "hee", "saluut", "salut", "bonjour"
])
THANKS = frozenset([
    "bedankt", "dank", "merci", "thanks", "thx", "dankjewel", "dankuwel", "dankje", "top", "super",
    "ok", "oke", "oké", "okay"
])
FILLER = frozenset([
    "je", "u", "jij", "wel", "nog", "eens", "allemaal", "iedereen", "daar", "digihulp", "daar", "hier",
    "even", "alvast", "veel", "vriendelijk", "zeer", "heel", "er", "is", "test", "testje", "een",
    "twee", "ik", "ben", "zijn"
])
GREETING_PROMPT = ("Hallo! Ik ben digihulp. Stel je vraag over Outlook, Teams, printen, aanmelden, ... in een zin, "
                   "bv. 'Hoe deel ik mijn scherm in Teams?'. Ik zoek het antwoord in de tips en handleidingen van de "
                   "digicoaches.")
THANKS_PROMPT = "Graag gedaan! Heb je nog een vraag? Typ ze gerust hieronder."


class ReferralFileError(ConfigError, ValueError):
    """referrals.yaml is unreadable or incomplete."""


@dataclass(frozen=True)
class Referral:
    id: str
    name: str  # the service that helps: "Personeelsdienst"
    about: str  # what it helps with, for the colleague: "verlof, loon, ziekte en vergoedingen"
    where: str  # how to reach it: "het HR-portaal (Mijn HR) of personeel@waregem.example, 056 00 00 60"
    topics: tuple[str, ...]
    examples: tuple[str, ...]

    def message(self) -> str:
        return (f"Dit is geen vraag voor je digicoach: voor {self.about} helpt de {self.name} je verder. "
                f"Je vindt ze via {self.where}")

    def passages(self) -> list[tuple[str, str]]:
        """(title, text) pairs embedded like corpus passages: every example and every topic on its own, each
        titled with what the service helps with. A short question ("hoeveel verlofdagen heb ik nog?") is near
        one topic ("verlofsaldo") under that title, where it was far from a list of twenty topics in one passage
        and from examples titled only with the service's name (issue 12: it went to a coach)."""
        return [(self.about, text) for text in (*self.examples, *self.topics)]


@dataclass(frozen=True)
class Match:
    referral: Referral
    similarity: float  # to its closest passage
    corpus: float  # the corpus's best passage, for comparison


def greeting_reply(question: str) -> str:
    """A friendly prompt when the whole question is a greeting or a thank-you ("" for a real question)."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", folded)
    if not words or len(words) > 6 or re.search(r"\d", folded):
        return ""
    if not all(w in GREETINGS or w in THANKS or w in FILLER for w in words):
        return ""
    if any(w in GREETINGS for w in words):
        return GREETING_PROMPT
    return THANKS_PROMPT if any(w in THANKS for w in words) else ""


def refer(answer: Answer, match: Match) -> Answer:
    """A question for another service: its pointer instead of an answer, and no escalation unless asked."""
    log.info("Referred to %s (%.3f vs corpus %.3f)", match.referral.id, match.similarity, match.corpus)
    return replace(answer, text=match.referral.message(), citations=(), band="referred", referral=match.referral.id)


def _text(raw: Any, where: str, origin: str, required: bool = True) -> str:
    value = " ".join(str(raw or "").split())
    if required and not value:
        raise ReferralFileError(f"{origin}: {where} ontbreekt of is leeg (missing field)")
    return value


def _words(raw: Any, where: str, origin: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ReferralFileError(f"{origin}: {where} moet een lijst zijn, bv. [verlof, loonbrief] (expected a list)")
    return tuple(dict.fromkeys(t for t in (" ".join(str(x).split()) for x in raw) if t))


def parse(data: Any, origin: str = "referrals") -> tuple[Referral, ...]:
    """The referral list from parsed YAML; every problem is a Dutch ReferralFileError naming the entry."""
    if data is None:
        return ()
    if not isinstance(data, Mapping) or not isinstance(data.get("referrals"), list):
        raise ReferralFileError(f"{origin}: verwacht een lijst 'referrals:' (expected a mapping with a list)")
    found: dict[str, Referral] = {}
    for i, raw in enumerate(data["referrals"]):
        where = f"referrals[{i}]"
        if not isinstance(raw, Mapping):
            raise ReferralFileError(f"{origin}: {where} moet een blok met id, name, about, where zijn")
        ref = Referral(id=_text(raw.get("id"), f"{where}.id", origin), name=_text(raw.get("name"), f"{where}.name",
                       origin), about=_text(raw.get("about"), f"{where}.about", origin),
                       where=_text(raw.get("where"), f"{where}.where", origin),
                       topics=_words(raw.get("topics"), f"{where}.topics", origin),
                       examples=_words(raw.get("examples"), f"{where}.examples", origin))
        if not ref.examples and not ref.topics:
            raise ReferralFileError(f"{origin}: {where} ({ref.id}) heeft geen 'examples' en geen 'topics': geef "
                                    "een paar voorbeeldvragen, zodat digihulp weet welke vragen erbij horen")
        if ref.id.casefold() in found:
            raise ReferralFileError(f"{origin}: verwijzing '{ref.id}' staat er dubbel in (duplicate id)")
        found[ref.id.casefold()] = ref
    return tuple(found.values())


def load(path: Path) -> tuple[Referral, ...]:
    """The list in `path`; no file means no referrals (every question is for the corpus and the coaches)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferralFileError(f"{path}: kan het bestand niet lezen (cannot read file): {exc}") from exc
    try:
        return parse(yaml.safe_load(text), str(path))
    except yaml.YAMLError as exc:
        raise ReferralFileError(f"{path}: ongeldige YAML (invalid YAML): {exc}") from exc


class Referrals:
    """The referral list and its passage vectors; re-read when the coordinator saves the file (a bad edit is
    logged and the last good list stays in use)."""

    def __init__(self, path: Path, embedder: EmbeddingModel, margin: float, min_similarity: float) -> None:
        self.path, self.embedder = Path(path), embedder
        self.margin, self.min_similarity = margin, min_similarity
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._owners: list[Referral] = []
        self._vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
        self._reload(strict=True)

    def _file_stamp(self) -> tuple[int, int]:
        try:
            info = self.path.stat()
        except OSError:
            return (0, 0)
        return (info.st_mtime_ns, info.st_size)

    def _reload(self, strict: bool = False) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        try:
            referrals = load(self.path)
        except ReferralFileError:
            if strict:
                raise
            log.exception("Referral list %s not reloaded; the previous list stays in use", self.path)
            self._stamp = stamp
            return
        owners = [r for r in referrals for _ in r.passages()]
        items = [p for r in referrals for p in r.passages()]
        vectors = self.embedder.embed_documents(items) if items else np.zeros((0, self.embedder.dimension))
        self._owners, self._vectors, self._stamp = owners, np.asarray(vectors, dtype=np.float32), stamp
        log.info("Referral list %s: %d referrals, %d passages", self.path, len(referrals), len(items))

    def all(self) -> list[Referral]:
        with self._lock:
            self._reload()
            return list(dict.fromkeys(self._owners))

    def closest(self, vector: np.ndarray | None) -> Match | None:
        """The referral nearest to a question's vector, whatever its similarity."""
        if vector is None:
            return None
        with self._lock:
            self._reload()
            owners, vectors = self._owners, self._vectors
        if not owners:
            return None
        sims = vectors @ np.asarray(vector, dtype=np.float32)
        best = int(np.argmax(sims))
        return Match(owners[best], float(sims[best]), 0.0)

    def match(self, vector: np.ndarray | None, corpus_best: float) -> Match | None:
        """The referral for a question whose vector lies closer to it than to the corpus, else None."""
        found = self.closest(vector)
        if found is None or found.similarity < self.min_similarity or found.similarity < corpus_best + self.margin:
            return None
        return Match(found.referral, found.similarity, corpus_best)
