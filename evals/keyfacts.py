"""Key facts: does the shown answer text hold the step the colleague needs?

A case's `must_contain` is a list of groups of alternative short phrases copied verbatim from an expected
source. The answer holds the key facts when every group has one phrase in the quoted part of the answer
(titles, section names and "Zie ook" entries do not count), compared lowercased with whitespace collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from assistant.answering import clean_line, quoted_part

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})
_MARKER = re.compile(r"\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)")  # a phrase copied with its markdown link


def normalize(text: str) -> str:
    """Lowercase, markup and [n] markers stripped, quotes unified, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _MARKER.sub(" ", _LINK.sub(r"\1", text))
    return " ".join(clean_line(line) for line in text.splitlines()).lower().replace("`", "").strip()


def missing_groups(answer_text: str, groups: Sequence[Sequence[str]]) -> list[int]:
    """Indexes of the key-fact groups none of whose phrases is in the quoted part of the answer."""
    shown = " " + " ".join(normalize(quoted_part(answer_text)).split()) + " "
    return [i for i, group in enumerate(groups)
            if not any(" ".join(normalize(phrase).split()) in shown for phrase in group)]


def holds_key_facts(answer_text: str, groups: Sequence[Sequence[str]]) -> bool:
    return bool(groups) and not missing_groups(answer_text, groups)
