"""Fast tier: the shape of a question read from its words (how-question, two things asked at once)."""

from __future__ import annotations

import pytest

from assistant.asking import asks_how, asks_two_things


@pytest.mark.parametrize("question", [
    "wie beheert de gedeelde mailbox en hoe krijg ik er toegang toe",
    "tot wanneer kan ik verlof aanvragen en waar doe ik dat",
    "wat is teams eigenlijk? moet ik dat zelf installeren",
    "kan ik een vergadering opnemen? en waar staat die opname dan",
    "welke scanner gebruik ik, en tot wanneer blijft mijn scan bewaard?",
    "wat betekent dat rood bolletje? en dat gele?",
])
def test_questions_that_ask_two_things(question: str) -> None:
    assert asks_two_things(question)


@pytest.mark.parametrize("question", [
    "hoe zet ik een afwezigheidsbericht in outlook",
    "waarom kan ik de vergadering ni opnemen? de knop is grijs",
    "hoe deel ik mijn agenda? ik gebruik de webversie",
    "wanneer moet ik mijn wachtwoord veranderen",
    "ik zie mijn mails en mijn agenda niet meer",
])
def test_questions_that_ask_one_thing_with_context(question: str) -> None:
    assert not asks_two_things(question)


def test_how_questions_ask_for_a_procedure() -> None:
    assert asks_how("Hoe maak ik een inhoudsopgave")
    assert not asks_how("wat is oase")
