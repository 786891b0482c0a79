"""What shape of answer a question asks for, read from its words alone (no model, nothing embedded):
a procedure ("hoe …"), two things at once ("wanneer is er … en hoe schrijf ik mij in"), a quantity
("hoeveel gb mag mijn mailbox zijn", "hoe lang blijft die link geldig"), or a problem report ("wil ni
uploaden").

A two-part question is usually answered in two sections of one document; the selector then shows a
second section (assistant.selection). Only questions that really ask two things get it: showing a
second section for every question made the median answer 100+ characters longer (benchmarks/answers.py).
"""

from __future__ import annotations

import re

HOW = re.compile(r"\b(hoe|stappen|instellen|installeren|aanvragen|aanmaken|wijzigen|veranderen|toevoegen)\b")

_ASKING = r"(?:hoe|wanneer|waar|wie|wat|welke|waarom|hoeveel|hoelang|(?:tot|tegen|vanaf)\s+wanneer)"
_SUBJECT = r"(?:ik|je|jij|u|we|wij|ze|zij|hij|dat|da|dit|die|het|men)"
# A second interrogative clause: "… en hoe schrijf ik mij in", "… en tot wanneer loopt dat".
_SECOND_CLAUSE = re.compile(rf"\b(?:en|of)\s+(?:dan\s+|ook\s+)?{_ASKING}\b")
# A question mark with another question after it, opening with a question word or with a verb before
# its subject ("wat is da, oase? is dat een programma da ik …"), or ending in its own question mark;
# not a remark that adds context ("… ni opnemen? de opnameknop is grijs").
_SECOND_QUESTION = re.compile(rf"\?\s*(?:(?:en|of)\s+)?(?:{_ASKING}|\w+\s+{_SUBJECT})\b\s*\S|\?[^?]*\w[^?]*\?")

# A number, limit, size, frequency or duration: "hoeveel", "hoe lang", "hoe groot", "max", "limiet",
# "bewaartermijn", "na een tijd(je)", "meer dan 10". Flemish and sloppy spellings: "hoevel", "hoe veel",
# "hoelang", "hoe dikwijls", "max." ("maximaliseren" is a window action, not a limit).
_QUANTITY = re.compile(
    r"\bhoe\s?ve+l\b|\bhoe\s?lang(?:e)?\b|\bhoe\s+(?:groot|zwaar|vaak|dikwijls|snel|oud)\b"
    r"|\bmax(?:imum|imaal|imale|\.)?(?=[\s.,?!]|$)|\bmin(?:imum|imaal|imale)\b|\w*limiet(?:en)?\b|\bquota\b"
    r"|(?<!\bop )\b\w*termijn\b|\bna\s+(?:een\s+)?(?:bepaalde\s+|zekere\s+)?(?:tijd(?:je)?|poos|periode)\b"
    r"|\b(?:meer|minder|groter|kleiner|langer|korter)\s+dan\s+\d"
)
# A colleague reporting that something fails: "wil ni uploaden", "is verdwenen", "foutmelding".
_PROBLEM = re.compile(r"\b(?:wil|werkt|lukt|gaat|doet)\s+(?:\w+\s+)?(?:ni|nie|niet)\b|verdwenen|kwijt|ontbre|"
                      r"foutmelding|\bfout\b|error|probleem|problemen|loopt vast|crash|blijft hangen")


def asks_how(question: str) -> bool:
    """The question asks how to do something: a procedure answers it."""
    return bool(HOW.search(question.lower()))


def asks_two_things(question: str) -> bool:
    """The question asks two things: a second interrogative clause after "en"/"of", or a second question
    after a question mark."""
    text = " ".join(question.lower().split())
    return bool(_SECOND_CLAUSE.search(text) or _SECOND_QUESTION.search(text))


def asks_quantity(question: str) -> bool:
    """The question asks for a number, limit, size, frequency or duration: only a passage that states one
    (a number, "twee dagen", "onbeperkt") can answer it (assistant.quantities)."""
    return bool(_QUANTITY.search(" ".join(question.lower().split())))


def reports_problem(question: str) -> bool:
    """The colleague reports that something fails: the article that troubleshoots it answers (assistant.leading)."""
    return bool(_PROBLEM.search(question.lower()))
