"""Does a passage state a quantity: a number, a size, a duration or a frequency? Pure functions, no model.

A question that asks "hoeveel", "hoe lang" or for a limit (assistant.asking.asks_quantity) cannot be
answered by a passage that states none; the band then says so (assistant.service). What is not a
quantity: list and step numbering ("1.", "stap 3"), citation markers ("[2]"), page and room references,
dates, clock times, ordinals ("3e verdieping"), links, menu names ("de drie puntjes") and the version
numbers in product names ("Microsoft 365", "Outlook 2016", "Windows 11").
"""

from __future__ import annotations

import re

from assistant.answerability import at_most
from assistant.asking import asks_quantity
from assistant.types import CITATION_MARKER, Band

_NUMBER_WORDS = (
    "twee drie vier vijf zes zeven negen tien elf twaalf dertien veertien vijftien twintig dertig veertig vijftig "
    "zestig zeventig tachtig negentig honderd duizend miljoen anderhalf dozijn tientallen honderden"
)
_UNITS = (
    r"(?:seconde|minuut|minuten|kwartier|halfuur|uur|uren|dag|dagen|etmaal|week|weken|maand|maanden|jaar|jaren"
    r"|tekens?|karakters?|[kmgt]b|bytes?|procent)"
)
_QUANTIFIER = r"(?:een|één|enkele|paar|aantal|elke|iedere|per|half|halve|twee|drie)"
# Counted in a passage: digits not glued to a word before them ("A4", "F5" are not quantities), number
# words, "een week", "per dag", frequency adverbs, percentages, and "no limit" statements.
_QUANTITY = re.compile(
    rf"(?<![\w+/])\d|\b(?:{'|'.join(_NUMBER_WORDS.split())})\b|(?<!\bin )\bacht\b|\b{_QUANTIFIER}\s+{_UNITS}\b"
    r"|\b(?:dagelijks|wekelijks|maandelijks|jaarlijks|tweewekelijks)\b|%"
    r"|\bonbeperkt\b|\bongelimiteerd\b|\bgeen\s+(?:limiet|maximum|beperking)\b",
)
# Numbers that name something: "Microsoft 365", "Outlook 2016", "Windows 11", "pagina 4", "stap 3".
_NAMES = (
    r"(?:microsoft|office|m)\s*365|(?:office|outlook|word|excel|powerpoint|onenote|windows|exchange|sharepoint)\s*"
    r"(?:19|20)\d\d|(?:windows|ios|android|macos|versie)\s*\d+(?:\.\d+)*"
    r"|(?:pagina|p\.|blz\.?)\s*\d+(?:\s*(?:van|/)\s*\d+)?|(?:stap|hoofdstuk|bijlage|figuur|punt|lokaal)\s*\d[\d.]*"
)
_MONTHS = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)"
_NOT_QUANTITIES = (
    CITATION_MARKER,
    re.compile(r"\S*(?:://|www\.)\S*"),  # links
    # Dates say when, not how long or how many: "18 maart 2026", "oktober 2020", "sinds 2021".
    re.compile(rf"\b(?:\d{{1,2}}\s+)?{_MONTHS}(?:\s+\d{{4}})?\b"
               r"|\b(?:in|sinds|eind|begin|midden|kwartaal van)\s+(?:19|20)\d\d\b", re.IGNORECASE),
    # Clock times and ordinals say when or where: "om 8u", "12u00", "de 3e verdieping".
    re.compile(r"\b\d{1,2}u\d\d\b|\bom\s+\d{1,2}(?:u|[.:]\d\d)|\b\d+(?:e|de|ste)\b", re.IGNORECASE),
    # Menu names: "de drie puntjes", "de drie streepjes".
    re.compile(r"\b(?:twee|drie)\s+(?:puntjes|stipjes|streepjes|bolletjes|lijntjes)\b", re.IGNORECASE),
    re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+", re.MULTILINE),  # list and step numbering
    re.compile(rf"\b(?:{_NAMES})\b", re.IGNORECASE),
)


def holds_quantity(text: str) -> bool:
    """The text states a number, size, duration or frequency (not a list number, page or product version)."""
    for pattern in _NOT_QUANTITIES:
        text = pattern.sub(" ", text)
    return bool(_QUANTITY.search(text.lower()))


def misses_quantity(question: str, shown: str) -> bool:
    """The question asks for a quantity and the shown text states none: it cannot answer the question."""
    return asks_quantity(question) and not holds_quantity(shown)


def capped(band: Band, question: str, shown: str, check: str) -> Band:
    """`band`, lowered to at most "unsure" or "escalated" (`check`: unsure / escalate; off leaves it) when
    the question asks for a quantity the shown text does not state (Settings.quantity_check)."""
    if check == "off" or not misses_quantity(question, shown):
        return band
    return at_most(band, "escalated" if check == "escalate" else "unsure")
