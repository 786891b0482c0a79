"""Fast tier: questions that ask for a number, limit or duration, and whether the shown text states one.

A quantity question whose shown answer states no quantity cannot be answered by it: the band goes at least
to "niet zeker" (Settings.quantity_check), on the fake embedder with real Chroma and SQLite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import HashEmbedder, private_settings

from assistant.answerability import at_most
from assistant.answering import Draft
from assistant.asking import asks_quantity
from assistant.quantities import holds_quantity, misses_quantity
from assistant.service import Assistant, build_assistant
from assistant.types import Citation


@pytest.mark.parametrize("question", [
    "hoeveel mensen passen er in een teams-vergadering",
    "Hoe veel opslag krijg ik op mijn onedrive?",
    "hoelang blijft een gedeelde link actief",
    "hoe lang duurt het voor mijn wachtwoord verloopt",
    "hoe groot mag een bijlage zijn in outlook",
    "hoe dikwijls moet ik mijn laptop herstarten",
    "is er een maximum aan het aantal kanalen in een team",
    "max. aantal deelnemers aan een chat?",
    "is er een opslaglimiet op de gedeelde schijf",
    "wat is de bewaartermijn van voicemails",
    "wordt de cache van teams na een tijdje vanzelf leeggemaakt",
    "kan ik meer dan 20 mensen in één groepschat zetten",
])
def test_questions_that_ask_for_a_quantity(question: str) -> None:
    assert asks_quantity(question)


@pytest.mark.parametrize("question", [
    "hoe zet ik een afwezigheidsbericht in outlook",
    "hoe laat ik een collega binnen uit de wachtruimte",  # "laten", not a time of day
    "hoe maximaliseer ik het venster van teams",
    "hoe kan ik snel een bestand terugvinden",
    "op termijn willen we naar sharepoint, waar begin ik",
    "wanneer moet ik mijn wachtwoord veranderen",
    "wat is oase",
])
def test_questions_that_do_not_ask_for_a_quantity(question: str) -> None:
    assert not asks_quantity(question)


@pytest.mark.parametrize("text", [
    "Verwijderde bestanden blijven 93 dagen in de prullenbak staan.",
    "Je mailbox mag 50 GB groot zijn.",
    "De link blijft twee weken geldig.",
    "Een code is een week geldig.",
    "De back-up loopt dagelijks.",
    "Er is geen limiet op het aantal berichten.",
    "Het loket sluit om 12u00.",
    "Tot 80% van de collega's klikte door.",
    "Die code is 8 uur geldig.",
    "Je kan tot acht mensen uitnodigen.",
])
def test_passages_that_state_a_quantity(text: str) -> None:
    assert holds_quantity(text)


@pytest.mark.parametrize("text", [
    "1. Klik op Bestand.\n2. Kies Opslaan als.\n3. Klik op Opslaan.",
    "In Microsoft 365 en Outlook 2016 werkt dat zo [1]:",
    "Werk je met M365 op Windows 11, zie dan pagina 4 en stap 3.",
    "Klik op de drie puntjes rechtsboven en kies Instellingen.",
    "Dat werd beslist op het overleg van 18 maart 2026.",
    "Druk op F5 of Ctrl+1 om te vernieuwen. Neem dit in acht.",
    "Meer uitleg op https://support.example.org/ba-p/362242.",
    "Haal hem af op de 3e verdieping, lokaal 3.01, elke werkdag om 8u of na 12u00.",
])
def test_passages_that_state_no_quantity(text: str) -> None:
    assert not holds_quantity(text)


def test_bands_are_lowered_never_raised() -> None:
    assert at_most("answer", "unsure") == "unsure"
    assert at_most("unsure", "unsure") == "unsure"
    assert at_most("escalated", "unsure") == "escalated"
    assert at_most("answer", "escalated") == "escalated"
    assert misses_quantity("hoeveel pagina's mag ik printen", "Houd je badge tegen de lezer.")
    assert not misses_quantity("hoeveel pagina's mag ik printen", "Je mag 200 pagina's per maand printen.")
    assert not misses_quantity("hoe print ik met mijn badge", "Houd je badge tegen de lezer.")


CITATION = Citation(1, "tips/printen-met-badge.md", "Printen met je badge", "tip", "", None, "", "", "Houd je badge")
NO_NUMBER = "Volgens de tip “Printen met je badge” [1]:\nHoud je badge tegen de lezer naast het scherm."
A_NUMBER = "Volgens de tip “Printen met je badge” [1]:\nAfdrukken die je na 24 uur niet ophaalt, worden gewist."


def _assistant(ingested_dir: Path, root: Path, shown: str, monkeypatch: pytest.MonkeyPatch,
               **overrides: Any) -> Assistant:
    """Every score in the "answer" band (both thresholds 0), with a fixed shown answer."""
    settings = private_settings(ingested_dir, root, confidence_threshold=0.0, unsure_threshold=0.0, **overrides)
    assistant = build_assistant(settings, embedder=HashEmbedder())
    draft = Draft(text=shown, citations=(CITATION,), coverage=1.0, answerer="extractive")
    monkeypatch.setattr(assistant, "_draft", lambda *args: (draft, ""))
    return assistant


@pytest.mark.parametrize(("mode", "expected"), [("unsure", "unsure"), ("escalate", "escalated"), ("off", "answer")])
def test_a_quantity_question_without_a_quantity_in_the_answer_is_not_answered_plainly(
        ingested_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, expected: str) -> None:
    assistant = _assistant(ingested_dir, tmp_path, NO_NUMBER, monkeypatch, quantity_check=mode)
    answer = assistant.ask("hoeveel pagina's mag ik per maand printen met mijn badge?", "burgerzaken")
    assert answer.band == expected
    assert answer.escalated == (expected == "escalated")


def test_the_default_escalates_and_leaves_other_answers_alone(
        ingested_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = _assistant(ingested_dir, tmp_path / "a", NO_NUMBER, monkeypatch)
    assert assistant.ask("hoeveel pagina's mag ik per maand printen met mijn badge?").band == "escalated"
    assert assistant.ask("hoe print ik met mijn badge aan een andere printer?").band == "answer"
    with_number = _assistant(ingested_dir, tmp_path / "b", A_NUMBER, monkeypatch)
    assert with_number.ask("hoe lang blijft mijn afdruk op de printer staan?").band == "answer"
