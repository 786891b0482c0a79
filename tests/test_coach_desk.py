"""The coach's desk without a browser (issue 12 points 10 and 11): the Feedback tab's three actions and the zip a
coach uploads for 'Batch publiceren'. Fakes for the model; real Chroma, SQLite and corpus files in tmp_path."""

from __future__ import annotations

import json
import stat
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from conftest import FAKE_CONFIDENCE_THRESHOLD, private_settings

from assistant.ui.services import Services
from ingest import batch_sources
from ingest.batch_files import BatchError

COACH = "An Declercq"
TIP = """---
title: Scanner koppelen
app: Scanner
tags: [scanner]
author: An Declercq
department: ict
created: 2026-01-05
reviewed: 2026-01-05
status: active
---
Druk op Scan naar mail en kies je naam.
"""


def request(name: str = COACH) -> gr.Request:
    return gr.Request(username=name)


@pytest.fixture
def services(ingested_dir: Path, tmp_path: Path, embedder: Any) -> Iterator[Services]:
    from assistant.service import build_assistant

    settings = private_settings(ingested_dir, tmp_path, corpus=True, confidence_threshold=FAKE_CONFIDENCE_THRESHOLD)
    yield Services.build(build_assistant(settings, embedder=embedder))


def thumbs_down(services: Services, question: str = "hoe zet ik mijn teams status", dept: str = "cultuur") -> int:
    return services.records.add_feedback(question, "Klik op je foto en kies een status. [1]\nZie ook: tips/x.md", -1,
                                         "Dat werkt niet op mijn gsm", dept)


# --- Feedback tab -------------------------------------------------------------------------------------------
def test_feedback_can_be_marked_handled_and_leaves_the_open_list(services: Services) -> None:
    from assistant.ui.coach_feedback import FeedbackTab
    from assistant.ui.coach_tip import TipTab

    tab = FeedbackTab(services, TipTab(services))
    fb = thumbs_down(services)
    html, choices = tab.listing("open", None, request())
    assert f"#{fb}" in html and "Cultuur en evenementen" in html and "te bekijken" in html
    assert ("cultuur" not in [label.split(" · ")[1] for label, _ in choices["choices"]])  # names, not ids
    assert "Kies eerst" in tab.mark_handled(None, request())
    assert "afgehandeld" in tab.mark_handled(fb, request())
    assert f"#{fb}" not in tab.listing("open", fb, request())[0]
    handled = tab.listing("handled", fb, request())[0]
    assert f"#{fb}" in handled and f"afgehandeld door {COACH}" in handled
    assert "Dat lukte niet" in tab.mark_handled(99_999, request())
    with pytest.raises(gr.Error, match="Je bent afgemeld"):
        tab.mark_handled(fb, gr.Request())


def test_feedback_sent_to_the_coach_of_its_department_becomes_an_escalation(services: Services) -> None:
    from assistant.ui.coach_feedback import FeedbackTab
    from assistant.ui.coach_tip import TipTab

    tab = FeedbackTab(services, TipTab(services))
    fb = thumbs_down(services, dept="ict")
    message = tab.send_to_coach(fb, request())
    escalation = services.records.escalations(status="open")[-1]
    ict = services.directory.get("ict")
    assert ict is not None and escalation.coach_name == ict.coach.name and escalation.department == "ict"
    assert f"als vraag #{escalation.id}" in message and ict.coach.name in message
    assert "Dat werkt niet op mijn gsm" in escalation.draft_answer and f"Doorgestuurd door {COACH}" in \
        escalation.draft_answer
    stored = services.records.feedback(fb)
    assert stored is not None and stored.handled_by == COACH and f"vraag #{escalation.id}" in stored.handled_note


def test_feedback_turned_into_a_tip_uses_the_tip_flow_once(services: Services) -> None:
    from assistant.ui.coach_feedback import FeedbackTab
    from assistant.ui.coach_tip import TipTab

    tip = TipTab(services)
    tab = FeedbackTab(services, tip)
    fb = thumbs_down(services)
    selected, pick, title, _app, _tags, dept, body, _msg = tab.tip.from_feedback(fb, request())
    assert selected.selected == "tip" and pick["value"] == f"feedback-{fb}"
    assert pick["choices"][0][0].startswith(f"👎 feedback #{fb} · Cultuur en evenementen")
    assert title == "Hoe zet ik mijn teams status" and dept == "cultuur"
    assert tip.answered(f"feedback-{fb}", request())["value"] == f"feedback-{fb}"  # opening the tab keeps it
    assert body == "Klik op je foto en kies een status."  # no [n] markers, no 'Zie ook' pointer
    saved = [tip.save_tip(f"feedback-{fb}", title, "Teams", "teams", dept, "Klik op je foto.", request())
             for _ in range(2)]  # a double click
    assert "Tip opgeslagen als tips/hoe-zet-ik-mijn-teams-status.md" in saved[0] and "bijgewerkt" in saved[1]
    assert len(list((services.settings.corpus_dir / "tips").glob("hoe-zet-ik-mijn-teams-status*.md"))) == 1
    cases = [json.loads(line) for line in
             services.settings.escalation_evals_file.read_text(encoding="utf-8").splitlines()]
    assert [c["id"] for c in cases] == [f"fb-{fb}"] and cases[0]["notes"].startswith(f"from feedback {fb}")
    stored = services.records.feedback(fb)
    assert stored is not None and stored.handled_note == "tip tips/hoe-zet-ik-mijn-teams-status.md"


def test_a_tip_saved_into_the_next_batch_waits_in_the_workspace_batch(services: Services) -> None:
    from assistant.ui.coach_batch import BatchSection
    from assistant.ui.coach_tip import TipTab

    tip = TipTab(services)
    fb = thumbs_down(services)
    message = tip.save_tip(f"feedback-{fb}", "Teams status", "Teams", "", "cultuur", "Klik op je foto.", request(),
                           where="batch")
    assert "in de volgende batch" in message
    assert not (services.settings.corpus_dir / "tips" / "teams-status.md").exists()
    section = BatchSection(services, threading.Lock())
    html, choices = section.staged(request())
    assert "Teams status" in html and choices["choices"] == [("Teams status (tips/teams-status.md)",
                                                               "tips/teams-status.md")]
    assert "uit de batch gehaald" in section.remove("tips/teams-status.md", request())
    assert "nog geen tips" in section.staged(request())[0]
    assert "dh-error" in section.remove("tips/teams-status.md", request())


# --- a batch zip from the browser ----------------------------------------------------------------------------
def make_zip(path: Path, members: dict[str, str | bytes], *, link: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def test_a_zip_in_one_folder_unpacks_as_a_batch_without_junk(settings: Any, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "b.zip", {"batch-mei/tips/scanner.md": TIP, "batch-mei/retire.txt": "tips/x.md\n",
                                            "batch-mei/.DS_Store": "x", "__MACOSX/batch-mei/._scanner.md": "x"})
    folder = batch_sources.unpack_zip(settings, archive)
    got = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert got == ["retire.txt", "tips/scanner.md"] and folder.parent == settings.data_dir / "batch-uploads"


@pytest.mark.parametrize(("members", "link", "reason"), [
    ({"tips/../../evil.md": TIP}, "", "'..' is niet toegelaten"),
    ({"/tips/abs.md": TIP}, "", "'/' vooraan"),
    ({"tips/ok.md": TIP}, "tips/link.md", "symbolische link"),
    ({"tips/a.exe": "MZ"}, "", "hoort niet in een batch"),
    ({"tips/diep/a.md": TIP}, "", "hoort niet in een batch"),
    ({"tips/A.md": TIP, "tips/a.md": TIP}, "", "twee keer"),
    ({"tips/bom.md": b"a" * 3_000_000}, "", "zip-bom"),
    ({}, "", "De zip is leeg"),
])
def test_a_bad_zip_is_refused_whole_and_leaves_nothing(settings: Any, tmp_path: Path, members: dict[str, Any],
                                                        link: str, reason: str) -> None:
    archive = make_zip(tmp_path / "b.zip", members, link=link)
    with pytest.raises(BatchError) as caught:
        batch_sources.unpack_zip(settings, archive)
    assert any(reason in text for text in caught.value.problems.values()), caught.value.problems
    uploads = settings.data_dir / "batch-uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_file_that_is_not_a_zip_gets_a_dutch_reason(settings: Any, tmp_path: Path) -> None:
    fake = tmp_path / "batch.zip"
    fake.write_text("dit is geen zip", encoding="utf-8")
    with pytest.raises(BatchError) as caught:
        batch_sources.unpack_zip(settings, fake)
    assert caught.value.problems == {"batch.zip": "Dit is geen (leesbaar) zip-bestand."}
