"""Fast tier: the answerability bands ("answer" | "unsure" | "escalated") from score to chat page and coach queue.

No model: the assistant's escalation path runs on real SQLite and the fixture coach directory.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import HashEmbedder

from assistant.answerability import SHIPPED, Calibration, Evidence, band
from assistant.config import Settings
from assistant.escalation import CoachDirectory
from assistant.records import EscalationStore
from assistant.service import ASK_COACH, UNSURE, Assistant
from assistant.store import ChromaStore
from assistant.types import Answer, Citation
from assistant.ui import coach_render, render

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"
CITATION = Citation(1, "tips/printen-met-badge.md", "Printen met je badge", "tip", "", None, "", "", "Houd je badge")
SHOWN = "Volgens de tip “Printen met je badge” [1]:\nHoud je badge tegen de lezer."


def evidence(best_window: float) -> Evidence:
    return Evidence(best_dense=best_window, second_dense=0.3, best_window=best_window, doc_coverage=0.5,
                    term_coverage=0.5, top_in_bm25=True, novel_terms=0)


def test_bands_follow_the_two_thresholds() -> None:
    assert [band(p, 0.25, 0.45) for p in (0.1, 0.25, 0.44, 0.45, 0.9)] == \
        ["escalated", "unsure", "unsure", "answer", "answer"]
    assert 0.0 < SHIPPED.escalate_below < SHIPPED.answer_from < 1.0
    scores = [SHIPPED.probability(evidence(s)) for s in (0.3, 0.5, 0.55, 0.6, 0.8)]
    assert scores == sorted(scores)  # a closer window never lowers the score
    assert [SHIPPED.band(p) for p in scores] == ["escalated", "escalated", "unsure", "answer", "answer"]


def test_calibration_reads_its_features_by_name() -> None:
    two = Calibration(("best_window", "doc_coverage"), (0.6, 0.5), (0.1, 0.2), (1.0, 2.0), 0.0, 0.3, 0.5)
    low, high = replace(evidence(0.6), doc_coverage=0.1), replace(evidence(0.6), doc_coverage=0.9)
    assert two.probability(low) < 0.5 < two.probability(high)
    assert Settings().confidence_threshold == SHIPPED.escalate_below
    assert Settings().unsure_threshold == SHIPPED.answer_from


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    settings = Settings(corpus_dir=FIXTURES, data_dir=tmp_path / "data")
    return Assistant(settings, HashEmbedder(), ChromaStore(settings), CoachDirectory.load(FIXTURES / "coaches.yaml"),
                     EscalationStore(settings.db_path))


def _answer(band_: Any) -> Answer:
    return Answer("hoe print ik?", SHOWN, (CITATION,), 0.35, band=band_)


def test_asking_the_coach_from_the_unsure_band_marks_the_escalation(assistant: Assistant) -> None:
    done = assistant.escalate(_answer("unsure"), "burgerzaken")
    stored = assistant.records.get(done.escalation_id or 0)
    assert done.escalated and done.band == "escalated" and done.text == SHOWN  # they keep what they read
    assert stored is not None and stored.shown_unsure and stored.draft_answer == SHOWN
    plain = assistant.records.get(assistant.escalate(_answer("answer"), "burgerzaken").escalation_id or 0)
    assert plain is not None and not plain.shown_unsure
    queue = coach_render.queue_html([stored, plain])
    assert queue.count("niet zeker – antwoord getoond") == 1
    assert "Dit antwoord kreeg de collega te zien" in coach_render.detail_html(stored)
    assert "Ontwerp van antwoord" in coach_render.detail_html(plain)


def test_unsure_answer_is_shown_under_a_plain_warning() -> None:
    html = render.answer_html(_answer("unsure"))
    assert UNSURE in html and html.index(UNSURE) < html.index("Houd je badge")
    assert UNSURE not in render.answer_html(_answer("answer"))
    assert UNSURE not in render.answer_html(replace(_answer("unsure"), escalated=True, band="escalated"))


def test_chat_page_puts_the_coach_button_first_under_an_unsure_answer(assistant: Assistant) -> None:
    from assistant.ui.chat import ChatPage
    from assistant.ui.services import Services

    page = ChatPage(Services.build(assistant), "geheim")
    assistant.ask = lambda *a, **k: _answer("unsure")  # type: ignore[method-assign]
    out = page.ask("hoe print ik?", "burgerzaken", [], [], "", None, progress=lambda *a, **k: None)
    html, _turns, state, _ids, after, rate, esc_btn = out[:7]
    assert UNSURE in html and after["visible"] and not rate["visible"]
    assert esc_btn["visible"] and esc_btn["value"] == ASK_COACH
    assistant.ask = lambda *a, **k: _answer("answer")  # type: ignore[method-assign]
    plain = page.ask("hoe print ik?", "burgerzaken", [], [], "", None, progress=lambda *a, **k: None)
    assert plain[5]["visible"] and plain[6]["value"] != ASK_COACH
    _html, _turns, done, ids, esc_btn, _contact, status, _mine = page.escalate(state, "burgerzaken", [], out[1])
    assert done.escalated and not esc_btn["visible"] and ids == [done.escalation_id]
    stored = assistant.records.get(done.escalation_id)
    assert stored is not None and stored.shown_unsure and "doorgegeven" in status


def test_version_1_database_gains_the_flag(tmp_path: Path) -> None:
    from assistant.records import _SCHEMA_V1

    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(_SCHEMA_V1)
        conn.execute("INSERT INTO escalations (created_at, updated_at, question, coach_name, coach_email, "
                     "route_reason) VALUES ('2026-01-01', '2026-01-01', 'oud', 'An', 'an@x', 'coach')")
        conn.execute("PRAGMA user_version = 1")
    store = EscalationStore(db)
    old = store.get(1)
    assert old is not None and old.question == "oud" and old.shown_unsure is False
