"""Which platform a text names: the web version, the program on the computer (Windows, Mac) or the phone.

The help articles are written per platform ("Webversie van Outlook: …", "Bureaubladversie van Outlook:
…", "… in Outlook voor Windows") and the steps differ between them, while a colleague often says which
one they use ("outlook op de pc", "op mijn computer (het programma, niet de browser)"). Read from the
words alone, nothing embedded.
"""

from __future__ import annotations

import re

_WEB, _WINDOWS, _MAC, _MOBILE = "web", "windows", "mac", "mobile"
_DESKTOP = frozenset({_WINDOWS, _MAC})
WORDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("web", "webversie", "browser", "webbrowser", "owa", "outlook.com"), frozenset({_WEB})),
    **dict.fromkeys(("windows", "pc"), frozenset({_WINDOWS})),
    **dict.fromkeys(("mac", "macos", "macbook"), frozenset({_MAC})),
    **dict.fromkeys(("computer", "laptop", "programma", "desktop", "bureaubladversie"), _DESKTOP),
    **dict.fromkeys(("gsm", "smartphone", "iphone", "ipad", "tablet", "android", "ios", "mobiel", "mobiele"),
                    frozenset({_MOBILE})),
}
_WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(WORDS, key=len, reverse=True)) + r")\b",
                   re.IGNORECASE)
# "(het programma, niet de browser)": a platform the colleague rules out; "Aanmelden zonder smartphone":
# a title that is not for it.
_NOT = re.compile(r"\b(?:niet|nie|ni|geen|zonder)\s+(?:(?:in|op|via|met)\s+)?(?:(?:de|het|mijn|een|die|dat)\s+)?$",
                  re.IGNORECASE)


def platforms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The platforms `text` names, and the ones it rules out ("niet de browser")."""
    named: set[str] = set()
    ruled_out: set[str] = set()
    for m in _WORD.finditer(text):
        negated = _NOT.search(text[max(0, m.start() - 30):m.start()])
        (ruled_out if negated else named).update(WORDS[m.group(1).lower()])
    return frozenset(named), frozenset(ruled_out)


def without_platforms(text: str) -> str:
    """`text` with its platform words left out ("Webversie van Outlook: x" -> " van Outlook: x")."""
    return _WORD.sub(" ", text)


def other_platform(title: str, question: str) -> bool:
    """The title is written for another platform than the question's: it names platforms, and none of
    them is one the question names, or all are ones the question rules out."""
    of_title, _ = platforms(title)
    named, ruled_out = platforms(question)
    if not of_title:
        return False
    return (bool(named) and not of_title & named) or of_title <= ruled_out


def names_platform(question: str) -> bool:
    named, ruled_out = platforms(question)
    return bool(named or ruled_out)
