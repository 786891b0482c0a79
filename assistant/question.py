"""What a colleague typed, made into a question: visible text only, trimmed to length, refused (with a Dutch
reason) when nothing in it can be asked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class CleanQuestion:
    text: str
    notice: str = ""
    refused: bool = False


def clean_question(raw: str, max_chars: int) -> CleanQuestion:
    """Normalise what a colleague typed; trim what is too long, then refuse what cannot be a question."""
    text = " ".join(visible_text(unicodedata.normalize("NFC", raw or "")).split())
    notice = ""
    if len(text) > max_chars:
        text = text[:max_chars].rstrip()
        notice = (f"Je vraag was erg lang; ik heb de eerste {max_chars} tekens gebruikt. Stel gerust een "
                  "kortere vraag.")
    if not text:
        return CleanQuestion("", "Typ eerst je vraag in het tekstvak.", refused=True)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        return CleanQuestion(text, "Ik begrijp je vraag niet. Stel ze in een paar woorden, bv. "
                                   "'Hoe deel ik mijn scherm in Teams?'", refused=True)
    return CleanQuestion(text, notice)


def visible_text(text: str) -> str:
    """Control characters become spaces; invisible format characters (soft hyphens from Word, bidi marks,
    zero-width and tag characters that can hide text) and lone surrogates are dropped."""
    text = CONTROL.sub(" ", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cs"))
