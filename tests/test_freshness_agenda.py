"""Tip freshness (owners, intervals, overdue, citations, the chat's "nagekeken op") and the meeting agenda
(dates, sections, files, the notes skeleton, the CLI) on the fixture corpus; nothing personal in clear text."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_gaps import own_assistant

from assistant.agenda.meetings import meetings
from assistant.freshness import FreshnessMarks, freshness_rows, interval_for
from assistant.records import EscalationStore
from ingest import corpus_files
from ingest.tip_facts import TipShelf, corpus_facts, meeting_dates, read_tips

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\b0\d{2,3}[ /.]?\d{2}[ .]?\d{2}[ .]?\d{2}\b")
TODAY = dt.date(2026, 11, 30)


def test_interval_comes_from_the_tip_then_its_app_then_the_default(settings) -> None:  # type: ignore[no-untyped-def]
    s = settings.model_copy(update={"review_interval_days": 300, "review_interval_by_app": {"onedrive": 90}})
    assert interval_for(s, "OneDrive", {}) == 90
    assert interval_for(s, "Teams", {}) == 300
    assert interval_for(s, "OneDrive", {"review_days": 30}) == 30


def test_overdue_and_ownerless_tips_most_cited_first(settings) -> None:  # type: ignore[no-untyped-def]
    tips = {t.source: t for t in read_tips(settings.model_copy(update={"review_interval_days": 365}))}
    assert "tips/printen-pincode-oud.md" not in tips  # retired
    old = tips["tips/onedrive-bestand-terugzetten.md"]  # created 2025-05-19, never reviewed
    assert old.owner == old.author == "An Declercq" and old.overdue(TODAY)
    assert not tips["tips/teams-status-instellen.md"].overdue(TODAY)  # reviewed 2026-02-16
    cited = Counter({"tips/onedrive-bestand-terugzetten.md": 7, "tips/mfa-nieuwe-gsm.md": 2})
    rows = freshness_rows(tips.values(), cited, {"Pieter Vermeulen", "Jonas Verstraete"}, TODAY)
    assert rows[0].tip.source == "tips/onedrive-bestand-terugzetten.md" and rows[0].citations == 7
    assert not rows[0].owner_known  # An Declercq is not in the list given here
    assert "tips/teams-status-instellen.md" in {r.tip.source for r in rows}  # owner Lotte: not a coach here
    assert all(r.overdue or not r.owner_known for r in rows)
    assert "tips/mfa-nieuwe-gsm.md" not in {r.tip.source for r in rows}  # on time, owner is a coach


def test_owner_field_overrides_the_author(settings) -> None:  # type: ignore[no-untyped-def]
    path = settings.corpus_dir / "tips" / "teams-status-instellen.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: active\nowner: Els Desmet"),
                    encoding="utf-8")
    tip = next(t for t in read_tips(settings) if t.source == "tips/teams-status-instellen.md")
    assert (tip.author, tip.owner) == ("Lotte Verbeke", "Els Desmet")


def test_citation_counts_come_from_the_question_log(tmp_path: Path) -> None:
    from assistant.freshness import citation_counts

    store = EscalationStore(tmp_path / "db.sqlite3")
    store.log_question("a", "ict", 0.8, False, cited=["tips/x.md", "tips/y.md"])
    store.log_question("b", "ict", 0.8, False, cited=["tips/x.md"])
    assert citation_counts(store, dt.date.today(), 90) == Counter({"tips/x.md": 2, "tips/y.md": 1})
    assert citation_counts(store, dt.date.today() + dt.timedelta(days=200), 90) == Counter()


def test_chat_marks_cited_tips_with_their_review_date_and_overdue(settings) -> None:  # type: ignore[no-untyped-def]
    from assistant.types import Answer, Citation
    from assistant.ui.render import answer_html

    marks = FreshnessMarks(TipShelf(settings.model_copy(update={"review_interval_days": 365})).tips,
                           clock=lambda: TODAY)
    cite = Citation(1, "tips/onedrive-bestand-terugzetten.md", "Bestand terugzetten", "tip", "", None, "", "A", "x")
    answer = Answer("vraag", "Zo doe je het [1].", (cite,), 0.9)
    html = answer_html(answer, "", marks.lookup([cite.source]))
    assert "nagekeken op 19 mei 2025" in html and "nakijken gepland" in html
    assert "Bestand terugzetten" in html  # shown, never hidden
    corpus_files.set_front_matter(settings, cite.source, "reviewed", TODAY.isoformat())
    html = answer_html(answer, "", marks.lookup([cite.source]))
    assert "nagekeken op 30 november 2026" in html and "nakijken gepland" not in html


def test_next_meeting_is_the_last_plus_three_weeks_or_a_saved_note_or_the_setting(settings) -> None:  # type: ignore[no-untyped-def]
    dates = meeting_dates(settings.corpus_dir)
    got = meetings(settings, dates, dt.date(2026, 2, 10))
    assert (got.last, got.next) == (dt.date(2026, 2, 4), dt.date(2026, 2, 25))
    assert meetings(settings, dates, dt.date(2026, 3, 1)).next == dt.date(2026, 3, 18)  # moved on by whole periods
    fixed = settings.model_copy(update={"next_meeting": "2026-02-20"})
    assert meetings(fixed, dates, dt.date(2026, 2, 10)).next == dt.date(2026, 2, 20)
    note = settings.corpus_dir / "overleg" / "2026-02-18-digicoach-overleg.md"
    note.write_text('---\ntitle: "Overleg"\ndate: 2026-02-18\n---\n## 1. Punt\nTekst\n', encoding="utf-8")
    assert meetings(settings, meeting_dates(settings.corpus_dir), dt.date(2026, 2, 10)).next == dt.date(2026, 2, 18)


@pytest.fixture
def filled(ingested_dir: Path, tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    """Questions through the real ask path (fake embedder): answered ones, escalations with personal data."""
    assistant = own_assistant(ingested_dir, tmp_path / "own", embedder)
    for text in ("Hoe print ik met mijn badge?", "Printen met badge lukt niet", "Mijn Teams-status instellen"):
        assistant.ask(text, "burgerzaken")
    for i, text in enumerate(("Webinar met inschrijving maken? Mail me: jan.peeters@waregem.example",
                              "Hoe organiseer ik een webinar met inschrijving? Bel 0470 12 34 56",
                              "Webinar inschrijving voor burgers")):
        assistant.ask(text, "ict" if i else "burgerzaken", escalate=True)
    return assistant


def test_agenda_has_every_section_and_nothing_personal(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.agenda import render, write_agenda
    from assistant.gap_board import GapBoard

    settings = filled.settings.model_copy(update={"gap_distance": 0.8, "answer_within_days": -1})
    board = GapBoard(settings, filled.records, filled.store, tmp_path / "evals.jsonl")
    files = write_agenda(settings, board, filled.directory, corpus_facts(settings), tmp_path / "out" / "agenda.md",
                         since=dt.date.today() - dt.timedelta(days=1))
    text = files.markdown.read_text(encoding="utf-8")
    for heading in ("Nieuwe en gewijzigde tips", "Kennishiaten", "Openstaande escalaties", "Tips om na te kijken",
                    "App in de kijker", "Cijfers per dienst", "Grafieken"):
        assert re.search(rf"(?m)^## .*{heading}", text), heading
    assert "| Burgerzaken |" in text and "webinar" in text.lower()
    assert len(files.charts) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in files.charts)
    page = files.html.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<script" not in page
    note = render.note_skeleton(files.data, [])
    for output in (text, page, note):
        assert not EMAIL.search(output) and not PHONE.search(output)
    assert "e-mail\\]" in text or "telefoon\\]" in text  # masked (brackets escaped as Markdown)


def test_saved_agenda_is_meeting_notes_that_ingest_like_any_other(filled: Any, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.agenda.__main__ import main
    from ingest.pipeline import run_ingest

    settings = filled.settings
    monkeypatch.setenv("DIGIHULP_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("DIGIHULP_DATA_DIR", str(settings.data_dir))
    assert main(["--out", str(tmp_path / "agenda.md"), "--save-note"]) == 0
    saved = re.search(r"bewaard als (overleg/(\d{4}-\d{2}-\d{2})-digicoach-overleg\.md)", capsys.readouterr().out)
    assert saved is not None
    rel, meeting = saved.group(1), dt.date.fromisoformat(saved.group(2))
    note = (settings.corpus_dir / rel).read_text(encoding="utf-8")
    assert "**Gedeelde tips:**" in note and not EMAIL.search(note) and not PHONE.search(note)
    report = run_ingest(settings, filled.embedder, filled.store)
    assert rel not in report.failed and rel in report.added
    # the saved note is the next meeting
    assert meetings(settings, meeting_dates(settings.corpus_dir), dt.date.today()).next == meeting
    assert main(["--out", str(tmp_path / "agenda.md"), "--save-note"]) == 2  # never overwrites the notes
    assert "bestaat al" in capsys.readouterr().err
    assert (settings.corpus_dir / rel).read_text(encoding="utf-8") == note


def test_agenda_cli_writes_markdown_html_and_charts(filled: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.agenda.__main__ import main

    monkeypatch.setenv("DIGIHULP_CORPUS_DIR", str(filled.settings.corpus_dir))
    monkeypatch.setenv("DIGIHULP_DATA_DIR", str(filled.settings.data_dir))
    out = tmp_path / "a" / "agenda.md"
    assert main(["--since", "2026-01-01", "--out", str(out)]) == 0
    assert out.is_file() and out.with_suffix(".html").is_file() and list(out.parent.glob("agenda-*.png"))
    assert "Agenda voor het overleg" in capsys.readouterr().out
    monkeypatch.setenv("DIGIHULP_CORPUS_DIR", str(tmp_path / "geen-corpus"))
    assert main(["--out", str(out)]) == 2
    assert "digicoaches ontbreekt" in capsys.readouterr().err
    assert main(["--since", "gisteren"]) == 2


def test_board_html_escapes_and_masks(tmp_path: Path) -> None:
    from assistant.gaps import GapCard, TipMatch
    from assistant.ui.gaps_render import board_html, sparkline

    card = GapCard(key="n1", label="<script>x</script>", question_ids=(1,), count=3, previous=1, weekly=(0, 1, 2),
                   departments=(("ict", 3),), examples=("vraag <b>vet</b>",), kinds={"escalated": 3},
                   tips=(TipMatch("tips/a.md", "Tip <i>A</i>", 0.61),), missing=False,
                   centroid=np.zeros(2, np.float32))
    html = board_html([card], {"ict": "ICT"}, dt.date(2026, 11, 1), dt.date(2026, 11, 8))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert "Zwakke tip" in html and "+200%" in html and "<svg" in sparkline((0, 1, 2))


def test_new_tips_carry_what_the_batch_gate_measured(settings) -> None:  # type: ignore[no-untyped-def]
    import json

    from assistant.agenda.build import tip_changes
    from ingest.corpus_files import TipDraft

    rel = corpus_files.write_tip(settings, TipDraft("Nieuwe tip", "Teams", "", "ict", "Tekst."), "An Declercq").rel
    other = corpus_files.write_tip(settings, TipDraft("Andere tip", "Outlook", "", "ict", "Tekst."), "Els Desmet").rel
    gate = settings.data_dir / "batches" / "20261130-101010-000001" / "gate.json"
    gate.parent.mkdir(parents=True)
    gate.write_text(json.dumps({"live": {"hit@5": 0.9, "mrr": 0.8}, "staged": {"hit@5": 0.95, "mrr": 0.82},
                                "added": [rel], "updated": [], "retired": []}), encoding="utf-8")
    today = dt.date.today()
    changes = {c.source: c for c in tip_changes(settings, today - dt.timedelta(days=1), today + dt.timedelta(days=1),
                                                read_tips(settings))}
    assert changes[rel].kind == "nieuw" and changes[rel].author == "An Declercq"
    assert "hit@5 0.90 → 0.95" in changes[rel].gate and "MRR 0.80 → 0.82" in changes[rel].gate
    assert changes[other].gate == ""
