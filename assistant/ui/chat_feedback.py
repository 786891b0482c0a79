"""👍/👎 and a comment that belong to the answer they are about.

The page keeps, per visit, what was given on its latest answer (`Given`: which turn, which stored row). A thumb
stores the answer's question and text with the comment typed so far; a comment written after the thumb updates
that same row; a comment still unsent when the next question is asked is stored with the answer it was written
under; and a new answer starts with no feedback and an empty box. So "👎, then type why" keeps the why, and no
comment is ever stored with another answer's thumb.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from assistant.records import EscalationStore
from assistant.types import Answer

log = logging.getLogger(__name__)

MAX_COMMENT = 2000
ASK_WHY = "Bedankt. Wat kan er beter? Typ het hieronder en klik op 'Opmerking versturen'."


@dataclass(frozen=True)
class Given:
    """The feedback stored for one answer of this visit (turn = its place in the conversation)."""

    turn: int
    feedback_id: int
    rating: int
    comment: str


@dataclass(frozen=True)
class Outcome:
    given: Given | None
    message: str  # for the colleague
    kind: str = "ok"  # render.box kind
    clear: bool = False  # the comment box may be emptied (the comment is stored)


def _clean(comment: str | None) -> str:
    return (comment or "").strip()[:MAX_COMMENT]


class AnswerFeedback:
    def __init__(self, records: EscalationStore) -> None:
        self.records = records

    def _mine(self, given: Given | None, turn: int) -> Given | None:
        return given if given is not None and given.turn == turn else None

    def rate(self, answer: Answer | None, turn: int, given: Given | None, rating: int, comment: str | None,
             department: str | None) -> Outcome:
        if answer is None:
            return Outcome(given, "Stel eerst een vraag.", "notice")
        text = _clean(comment)
        mine = self._mine(given, turn)
        if mine is not None:
            text = text or mine.comment
            self.records.update_feedback(mine.feedback_id, rating, text)
            stored = replace(mine, rating=rating, comment=text)
        else:
            row = self.records.add_feedback(answer.question, answer.text, rating, text, department)
            stored = Given(turn, row, rating, text)
        if rating > 0:
            return Outcome(stored, "Fijn dat het hielp!")
        return Outcome(stored, "Bedankt, de digicoaches bekijken dit antwoord." if text else ASK_WHY)

    def comment(self, answer: Answer | None, turn: int, given: Given | None, comment: str | None) -> Outcome:
        text = _clean(comment)
        mine = self._mine(given, turn)
        if answer is None:
            return Outcome(given, "Stel eerst een vraag.", "notice")
        if not text:
            return Outcome(given, "Typ eerst je opmerking.", "notice")
        if mine is None:
            return Outcome(given, "Klik eerst op 👍 of 👎: dan bewaren we je opmerking bij dit antwoord.", "notice")
        self.records.update_feedback(mine.feedback_id, mine.rating, text)
        return Outcome(replace(mine, comment=text), "Bedankt, je opmerking is bewaard bij dit antwoord.", clear=True)

    def settle(self, turn: int, given: Given | None, comment: str | None) -> None:
        """Before the next question: a comment typed under this answer after its thumb, but not sent, is kept
        with this answer (never with the next one). Without a thumb there is no feedback to add it to."""
        text = _clean(comment)
        mine = self._mine(given, turn)
        if mine is None or not text or text == mine.comment:
            return
        try:
            self.records.update_feedback(mine.feedback_id, mine.rating, text)
        except Exception:  # the next answer matters more than this comment
            log.exception("Could not store the comment of feedback #%s", mine.feedback_id)
