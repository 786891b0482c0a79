"""Repeated questions merge into the open escalation they repeat (assistant.duplicates, assistant.intake)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from conftest import FakeClock, HashEmbedder

from assistant.duplicates import DuplicateFinder, near_identical, normalise
from assistant.intake import Intake
from assistant.ratelimit import Client

OFF_TOPIC = "Wanneer is de kerstmarkt op de Markt dit jaar?"


def test_normalise_and_near_identical() -> None:
    assert normalise("  Hoe PRINT ik met mijn badge?? ") == "hoe print ik met mijn badge"
    assert normalise("Café-kaart, één keer") == "cafe kaart een keer"
    assert near_identical(normalise("hoe print ik met mijn badge"), normalise("Hoe print ik met m'n badge?"))
    assert not near_identical(normalise("hoe print ik met mijn badge"), normalise("hoe scan ik met mijn gsm"))


def finder(tmp_path: Path, clock: FakeClock, similarity: float = 0.9) -> DuplicateFinder:
    return DuplicateFinder(tmp_path / "db.sqlite3", similarity=similarity, hours=24, clock=clock)


def test_same_browser_or_same_department_within_a_day(tmp_path: Path) -> None:
    clock, opened = FakeClock(), {1, 2}
    dups = finder(tmp_path, clock)
    dups.remember(1, OFF_TOPIC, None, "browser-a", "burgerzaken")
    by_browser = dups.find(OFF_TOPIC.upper(), None, "browser-a", "ict", opened.__contains__)
    by_department = dups.find(OFF_TOPIC, None, "browser-b", "burgerzaken", opened.__contains__)
    assert by_browser is not None and by_browser.escalation_id == 1 and by_browser.how == "tekst"
    assert by_department is not None and by_department.escalation_id == 1
    assert dups.find(OFF_TOPIC, None, "browser-b", "ict", opened.__contains__) is None  # other browser and dept
    clock.now += 24 * 3600 + 1
    assert dups.find(OFF_TOPIC, None, "browser-b", "burgerzaken", opened.__contains__) is None  # too old for dept
    assert dups.find(OFF_TOPIC, None, "browser-a", "ict", opened.__contains__) is not None  # own browser: open = enough
    assert dups.find(OFF_TOPIC, None, "browser-a", "ict", lambda _id: False) is None  # closed: a new escalation


def test_embedding_similarity_above_the_threshold_merges(tmp_path: Path) -> None:
    dups = finder(tmp_path, FakeClock(), similarity=0.8)
    emb = HashEmbedder()
    dups.remember(7, "hoe print ik met mijn badge", emb.vector("hoe print ik met mijn badge"), "b", "ict")
    close = "printen met badge, hoe doe ik dat"  # other words and order, same stems
    found = dups.find(close, emb.vector(close), "b", "ict", lambda _id: True)
    assert found is not None and found.how == "betekenis" and found.similarity >= 0.8
    far = "hoe reserveer ik een vergaderzaal"
    assert dups.find(far, emb.vector(far), "b", "ict", lambda _id: True) is None
    assert dups.find(close, np.zeros(3, dtype=np.float32), "b", "ict", lambda _id: True) is None  # other model


def test_a_repeated_question_merges_and_the_colleague_sees_the_open_escalation(assistant: Any) -> None:
    a = assistant
    clock = FakeClock()
    a.intake = Intake.from_settings(a.settings, a.directory, a.records, None, clock=clock)
    me = Client(browser="x" * 22, address="10.1.1.1")
    first = a.ask(OFF_TOPIC, "burgerzaken", client=me)
    assert first.escalated and first.escalation_id
    again = a.ask("wanneer is de kerstmarkt op de markt dit jaar", "burgerzaken", client=me)
    assert again.escalated and again.escalation_id == first.escalation_id
    assert f"vraag #{first.escalation_id}" in again.notice and "nog open" in again.notice
    assert "nog eens gevraagd werd (nu 2 keer gesteld)" in again.notice
    assert len(a.records.escalations()) == 1
    repeats = a.intake.duplicates.repeats(first.escalation_id)
    assert repeats.count == 1 and len(repeats.times) == 1
    a.records.close(first.escalation_id)
    third = a.ask(OFF_TOPIC, "burgerzaken", client=me)
    assert third.escalated and third.escalation_id != first.escalation_id  # closed: asked anew
