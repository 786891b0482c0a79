"""Coach bulk actions (assistant.triage): close several with one note, mark spam; spam stays out of the signals
and the eval set. The browser test is in tests/test_browser.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_app import COACH, coach_request, fake_copy

from assistant.triage import Triage
from assistant.ui.services import Services


def test_close_many_with_one_note_and_spam(assistant: Any) -> None:
    ids = [assistant.ask(q, "burgerzaken", escalate=True).escalation_id for q in ("vraag een", "vraag twee", "xx")]
    triage = Triage(assistant.records)
    done = triage.close_many([ids[0], ids[1], 9999], "Opgelost in het digicafé", COACH)
    assert done.done == ids[:2] and done.failed == [(9999, "onbekende vraag #9999")]
    assert done.message("gesloten") == "2 vragen gesloten. Niet gelukt: #9999 (onbekende vraag #9999)."
    assert [assistant.records.get(i).status for i in ids] == ["closed", "closed", "open"]
    assert triage.note(ids[0]) == "Opgelost in het digicafé"
    assert assistant.records.get(ids[0]).close_note == "Opgelost in het digicafé"  # what the colleague reads
    assert triage.close_many([ids[0]], "nog eens", COACH).failed == [(ids[0], "was al gesloten")]
    spam = triage.mark_spam([ids[2], ids[1]], COACH)  # a closed one can still be called spam
    assert spam.done == [ids[1], ids[2]] and triage.spam_ids() == {ids[1], ids[2]}
    assert triage.note(ids[2]) == "geen vraag / spam"
    assert [e.id for e in triage.without_spam(assistant.records.escalations())] == [ids[0]]


def test_spam_never_becomes_an_eval_question(tmp_path: Path, ingested_dir: Path, embedder: Any) -> None:
    from assistant.service import build_assistant
    from assistant.ui.coach_tip import TipTab

    settings = fake_copy(ingested_dir, tmp_path)
    assistant = build_assistant(settings, embedder=embedder)
    esc_id = assistant.ask("Hoe koppel ik de labelprinter van de bib?", "cultuur", escalate=True).escalation_id
    assert esc_id is not None
    assistant.records.answer(esc_id, "Via Instellingen > Printers.", COACH)
    services = Services.build(assistant)
    tabs = TipTab(services)
    assert any(value == f"vraag-{esc_id}" for _label, value in tabs.answered(None, coach_request())["choices"])
    services.triage.mark_spam([esc_id], COACH)
    assert all(value != f"vraag-{esc_id}" for _label, value in tabs.answered(None, coach_request())["choices"])
    message = tabs.save_tip(f"vraag-{esc_id}", "Labelprinter koppelen", "Printen", "", "cultuur", "Via Instellingen.",
                            coach_request())
    assert "Tip opgeslagen" in message and "evaluatieset" not in message
    assert not settings.escalation_evals_file.exists() or settings.escalation_evals_file.read_text() == ""


def test_the_coach_sees_when_a_question_was_asked_again() -> None:
    from assistant.types import Escalation
    from assistant.ui.coach_render import detail_html

    e = Escalation(
        id=4, created_at="2026-11-30T09:00:00+00:00", updated_at="", question="vpn valt weg", department="ict",
        coach_name="Jonas", coach_email="", route_reason="department", sources=(), draft_answer="", confidence=0.1,
        status="open", asker_name="", asker_contact="", answer="", answered_by="", handed_over_from="")
    assert "Nog eens gevraagd" not in detail_html(e)
    shown = detail_html(e, asked_again=("2026-11-30T10:15:00+00:00", "2026-11-30T11:40:00+00:00"))
    assert "Nog eens gevraagd (2×): 30 november 2026, 11:15, 30 november 2026, 12:40" in shown
