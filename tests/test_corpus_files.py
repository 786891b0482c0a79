"""The corpus writer (ingest/corpus_files.py): one tip-id index with ingest, one front-matter editor, one eval-case
path that masks personal data, atomic writes. Plain files in tmp_path: no model, no index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.atomic import write_atomic
from ingest.corpus_files import (
    CorpusError,
    TipDraft,
    accept_upload,
    add_escalation_case,
    set_front_matter,
    tip_ids,
    with_front_matter_field,
    write_tip,
)
from ingest.loaders import LoadError, iter_documents

STATUS_TIP = "tips/teams-status-instellen.md"


def _move_to_subfolder(settings: Any) -> str:
    """The fixture's Teams-status tip, moved to tips/teams/ (as coaches file tips per app); returns its path."""
    rel = "tips/teams/teams-status-instellen.md"
    (settings.corpus_dir / rel).parent.mkdir()
    shutil.move(settings.corpus_dir / STATUS_TIP, settings.corpus_dir / rel)
    return rel


def test_tip_ids_are_the_ones_ingest_sees_subfolders_included(settings: Any) -> None:
    rel = _move_to_subfolder(settings)
    ingested = {doc.doc_id: source for source, doc, _ in iter_documents(settings.corpus_dir, 10**7, 100)
                if doc is not None and doc.doc_type == "tip"}
    assert tip_ids(settings.corpus_dir) == ingested
    assert ingested["teams-status-instellen"] == rel


def test_upload_refuses_a_tip_id_that_lives_in_a_subfolder(settings: Any, tmp_path: Path) -> None:
    rel = _move_to_subfolder(settings)
    src = tmp_path / "status-in-teams.md"
    shutil.copy(settings.corpus_dir / rel, src)  # same front-matter id, other file name
    with pytest.raises(CorpusError, match="Tip-id 'teams-status-instellen' bestaat al"):
        accept_upload(settings, src, src.name)
    assert not (settings.corpus_dir / "tips" / "status-in-teams.md").exists()


def test_new_tip_never_takes_an_id_used_in_a_subfolder(settings: Any) -> None:
    _move_to_subfolder(settings)
    draft = TipDraft("Teams status instellen", "Teams", "teams", "communicatie", "Klik op je foto en kies een status.")
    assert write_tip(settings, draft, "An Declercq").rel == "tips/teams-status-instellen-2.md"
    assert {source: reason for source, doc, reason in iter_documents(settings.corpus_dir, 10**7, 100)
            if doc is None} == {}  # ingest finds no duplicate tip id


def test_saving_a_tip_from_the_same_question_twice_writes_one_tip(settings: Any) -> None:
    """A double click on 'Tip opslaan' (or a correction) replaces the tip it wrote, never `<slug>-2.md`."""
    draft = TipDraft("Scanner koppelen", "Scanner", "scanner", "burgerzaken", "Druk op Scan naar mail.",
                     origin="vraag-12")
    first = write_tip(settings, draft, "An Declercq")
    again = write_tip(settings, draft, "An Declercq")
    assert first.rel == again.rel == "tips/scanner-koppelen.md" and not first.updated and again.updated
    fixed = write_tip(settings, TipDraft("Scanner koppelen (nieuw)", "Scanner", "", "burgerzaken",
                                         "Druk twee seconden op Scan naar mail.", origin="vraag-12"), "Jonas")
    assert fixed.rel == first.rel and fixed.updated
    assert sorted(p.name for p in (settings.corpus_dir / "tips").glob("scanner-koppelen*")) == ["scanner-koppelen.md"]
    text = (settings.corpus_dir / first.rel).read_text(encoding="utf-8")
    assert "twee seconden" in text and "origin: vraag-12" in text and "id: scanner-koppelen" in text
    other = write_tip(settings, TipDraft("Scanner koppelen", "Scanner", "", "ict", "Anders.", origin="vraag-13"),
                      "An Declercq")
    assert other.rel == "tips/scanner-koppelen-2.md"  # another question is another tip


def test_written_front_matter_has_no_yaml_anchors(settings: Any) -> None:
    """created and reviewed are the same date object: PyYAML would write `&id001` and `*id001`."""
    rel = write_tip(settings, TipDraft("Anker test", "Teams", "a, b", "ict", "Tekst."), "An Declercq").rel
    head = (settings.corpus_dir / rel).read_text(encoding="utf-8").split("---")[1]
    assert "&id" not in head and "*id" not in head
    assert "created: 20" in head and "reviewed: 20" in head and "tags: [a, b]" in head


def test_a_tip_staged_in_a_batch_folder_keeps_ids_unique_and_stays_out_of_the_corpus(settings: Any) -> None:
    batch = settings.data_dir / "batch"
    draft = TipDraft("Teams status instellen", "Teams", "", "ict", "Nieuwe tekst.", origin="vraag-3")
    saved = write_tip(settings, draft, "An Declercq", batch_dir=batch)
    assert saved.rel == "tips/teams-status-instellen-2.md" and (batch / saved.rel).is_file()
    assert not (settings.corpus_dir / saved.rel).exists()
    assert write_tip(settings, draft, "An Declercq", batch_dir=batch).rel == saved.rel  # idempotent in the batch
    # A published tip from the same question is replaced through the batch (same id, so the gate replaces it).
    live = write_tip(settings, TipDraft("Printer", "Printen", "", "ict", "Eerst.", origin="vraag-4"), "An")
    staged = write_tip(settings, TipDraft("Printer", "Printen", "", "ict", "Beter.", origin="vraag-4"), "An",
                       batch_dir=batch)
    assert staged.rel == live.rel and staged.updated and (batch / live.rel).is_file()


def test_front_matter_editor_changes_only_that_field(settings: Any) -> None:
    text = (settings.corpus_dir / STATUS_TIP).read_text(encoding="utf-8")
    assert with_front_matter_field(text, "status", "retired") == text.replace("status: active", "status: retired")
    assert with_front_matter_field("---\nid: x\n---\nbody\n", "reviewed", "2026-05-01") == (
        "---\nid: x\nreviewed: 2026-05-01\n---\nbody\n")
    # YAML keeps the last of a duplicated key: every line of it changes, or the edit would not count.
    assert with_front_matter_field("---\nstatus: a\nstatus: b\n---\nx\n", "status", "c") == (
        "---\nstatus: c\nstatus: c\n---\nx\n")
    assert with_front_matter_field("---\nx: \\1\n---\nb\n", "x", r"a\1") == "---\nx: a\\1\n---\nb\n"
    for bare in ("geen kop\n", "---\n---\nbody\n"):
        with pytest.raises(LoadError, match="geen kop"):
            with_front_matter_field(bare, "status", "retired")


def test_retire_reaches_a_tip_in_a_subfolder(settings: Any) -> None:
    rel = _move_to_subfolder(settings)
    assert set_front_matter(settings, rel, "status", "retired").meta["status"] == "retired"


def test_escalation_case_masks_personal_data_and_is_added_once(tmp_path: Path) -> None:
    path = tmp_path / "evals" / "escalations.jsonl"
    question = "Mijn gsm 0470 12 34 56 krijgt geen MFA-code, mail me op an.declercq@waregem.example"
    assert add_escalation_case(path, 7, question, "tips/mfa-nieuwe-gsm.md", "ict", coach="An Declercq")
    assert not add_escalation_case(path, 7, question, "tips/mfa-nieuwe-gsm.md", "ict", coach="An Declercq")
    (record,) = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert record["question"] == "Mijn gsm [telefoon] krijgt geen MFA-code, mail me op [e-mail]"
    assert record["notes"] == "from escalation 7; tip by An Declercq"


def test_atomic_write_never_overwrites_when_asked_and_keeps_modes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "geheim"
    write_atomic(target, "een", mode=0o600)
    assert target.read_text() == "een" and target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        write_atomic(target, "twee", overwrite=False)
    write_atomic(target, b"drie")
    assert target.read_bytes() == b"drie"
    assert [p.name for p in target.parent.iterdir()] == ["geheim"]  # no temp files left behind
