"""Knowledge gaps: the question log keeps what the board needs, signals, clustering, cards and decisions.

Fast tier: synthetic vectors around a few topic centres (clear groups), real SQLite in tmp_path; the service
tests use the fake embedder over the fixture corpus in real Chroma.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from assistant import clustering
from assistant.config import Settings
from assistant.escalation import Route
from assistant.gap_board import GapBoard
from assistant.gap_store import CardRecord, GapCardStore
from assistant.gaps import GapCard, TipVectors, build_cards
from assistant.records import EscalationStore
from assistant.signals import gather

DIM = 32
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\b0\d{2,3}[ /.]?\d{2}[ .]?\d{2}[ .]?\d{2}\b")


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def __call__(self) -> str:
        return self.at.isoformat(timespec="seconds")


def topic_vector(topic: int, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    centre = np.zeros(DIM, dtype=np.float32)
    centre[topic] = 1.0
    vec = centre + rng.normal(0, noise, DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))


def own_assistant(ingested_dir: Path, root: Path, embedder):  # type: ignore[no-untyped-def]
    """An assistant on private copies of the ingested corpus and data: for tests that write tips and notes."""
    from conftest import FAKE_CONFIDENCE_THRESHOLD, private_settings

    from assistant.service import build_assistant

    settings = private_settings(ingested_dir, root, corpus=True, confidence_threshold=FAKE_CONFIDENCE_THRESHOLD)
    return build_assistant(settings, embedder=embedder)


@pytest.fixture
def writer(ingested_dir: Path, tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    return own_assistant(ingested_dir, tmp_path / "own", embedder)


@pytest.fixture
def route() -> Route:
    from conftest import FIXTURE_CORPUS

    from assistant.escalation import CoachDirectory

    return CoachDirectory.load(FIXTURE_CORPUS / "coaches.yaml").route("burgerzaken")


@pytest.fixture
def records(tmp_path: Path, clock: Clock) -> EscalationStore:
    return EscalationStore(tmp_path / "db.sqlite3", clock=clock)


def log(records: EscalationStore, clock: Clock, when: dt.datetime, text: str, vec: np.ndarray, band: str = "answer",
        dept: str = "burgerzaken", cited: tuple[str, ...] = (), top: str = "") -> int:
    clock.at = when
    return records.log_question(text, dept, 0.5, band == "escalated", band=band, cited=cited, top_source=top,
                                vector=vec)


def day(d: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, d, hour, minute, tzinfo=dt.UTC)


# -- the question log -------------------------------------------------------------------------------------
def test_log_keeps_band_citations_top_source_and_vector_masked(records: EscalationStore, clock: Clock) -> None:
    vec = topic_vector(1, np.random.default_rng(0))
    qid = log(records, clock, day(3), "bel me op 0470 12 34 56 over mijn badge", vec, band="unsure",
              cited=("tips/a.md",), top="tips/a.md")
    [row] = records.questions_between("2026-11-03", "2026-11-04")
    assert (row.id, row.band, row.cited, row.top_source) == (qid, "unsure", ("tips/a.md",), "tips/a.md")
    assert "0470" not in row.question
    assert np.allclose(records.question_vectors([qid])[qid], vec)
    assert records.questions_between("2026-11-04") == []


def test_a_version_1_database_gains_the_new_columns(tmp_path: Path) -> None:
    from assistant.records import _SCHEMA_V1

    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(_SCHEMA_V1)
        conn.execute("INSERT INTO questions (created_at, question) VALUES ('2026-01-01T10:00:00+00:00', 'oud')")
        conn.execute("PRAGMA user_version = 1")
    store = EscalationStore(db)
    [old] = store.questions_between("2026")
    assert (old.question, old.band, old.cited) == ("oud", "", ())
    assert store.question_vectors([old.id]) == {}
    assert GapCardStore(store).all() == []


def test_ask_stores_the_query_vector_and_embeds_only_masked_questions_again(assistant) -> None:  # type: ignore[no-untyped-def]
    embedder = assistant.embedder
    before = len(embedder.queries)
    assistant.ask("Hoe print ik met mijn badge?", "burgerzaken")
    assert len(embedder.queries) == before + 1  # the plain question: its query vector is reused
    assistant.ask("Mail jan.peeters@waregem.example: hoe print ik met mijn badge?", "burgerzaken")
    assert len(embedder.queries) == before + 3  # masking changed it: the masked text is embedded once more
    assert embedder.queries[-1] == "Mail [e-mail]: hoe print ik met mijn badge?"
    rows = assistant.records.recent_questions(2)
    vectors = assistant.records.question_vectors([r.id for r in rows])
    assert np.allclose(vectors[rows[0].id], embedder.vector(embedder.queries[-1]))
    assert rows[1].band in ("answer", "unsure", "escalated") and rows[1].top_source


# -- signals ----------------------------------------------------------------------------------------------
def test_signals_gather_escalations_bands_thumbs_down_and_asked_again(records: EscalationStore, clock: Clock,
                                                                      route: Route) -> None:
    rng = np.random.default_rng(1)
    plain = log(records, clock, day(3), "Hoe open ik de gedeelde mailbox?", topic_vector(2, rng))
    unsure = log(records, clock, day(3, 11), "Waar staat de printer?", topic_vector(3, rng), band="unsure")
    asked = log(records, clock, day(4, 9, 0), "Mijn gedeelde map is weg", topic_vector(4, rng))
    log(records, clock, day(4, 9, 6), "Gedeelde map verdwenen na migratie", topic_vector(4, rng))
    esc_q = log(records, clock, day(5), "Webinar met inschrijving? mail an@x.example", topic_vector(5, rng))
    clock.at = day(5, 10, 1)
    esc_id = records.create("Webinar met inschrijving? mail an@x.example", "burgerzaken", route, [], "", 0.2)
    fb_q = log(records, clock, day(6), "Postvak vol", topic_vector(6, rng))
    clock.at = day(6, 10, 2)
    records.add_feedback("Postvak vol", "antwoord", -1, "helpt niet", "burgerzaken")
    found = gather(records, dt.date(2026, 11, 1), dt.date(2026, 11, 8))
    kinds = {s.question_id: s.kinds for s in found.signals}
    assert plain not in kinds
    assert kinds[unsure] == {"unsure"} and kinds[asked] == {"asked_again"} and kinds[fb_q] == {"thumbs_down"}
    assert kinds[esc_q] == {"escalated"}
    found_esc = next(s for s in found.signals if s.question_id == esc_q).escalation
    assert found_esc is not None and found_esc.id == esc_id
    assert found.vectors.shape == (len(found.signals), DIM)


def test_spam_escalations_leave_the_board(records: EscalationStore, clock: Clock, route: Route) -> None:
    from assistant.triage import Triage

    rng = np.random.default_rng(2)
    qid = log(records, clock, day(3), "koop goedkope horloges", topic_vector(7, rng))
    clock.at = day(3, 10, 1)
    esc_id = records.create("koop goedkope horloges", "burgerzaken", route, [], "", 0.1)
    window = (dt.date(2026, 11, 1), dt.date(2026, 11, 8))
    triage = Triage(records)
    assert qid in {s.question_id for s in gather(records, *window, triage.spam_ids()).signals}
    assert triage.mark_spam([esc_id], "An Declercq").done == [esc_id]
    assert qid not in {s.question_id for s in gather(records, *window, triage.spam_ids()).signals}
    board = GapBoard(Settings(data_dir=records.db_path.parent), records, None, records.db_path.parent / "e.jsonl")
    assert board.triage.spam_ids() == {esc_id}  # the board asks the coaches' verdicts itself


# -- clustering and cards ---------------------------------------------------------------------------------
def test_agglomerative_finds_the_topics_and_leaves_a_loner_alone() -> None:
    rng = np.random.default_rng(3)
    vectors = np.stack([topic_vector(t, rng) for t in (0, 0, 0, 1, 1, 1, 2)])
    labels = clustering.agglomerative(vectors, 0.45)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 2]
    assert clustering.agglomerative(vectors[:1], 0.45).tolist() == [0]
    assert clustering.medoid(vectors[:3]) in (0, 1, 2)


def tip_vectors(rng: np.random.Generator) -> TipVectors:
    """Tip A answers topic 0 (its passage sits on the topic), tip B is far from everything."""
    far = np.zeros(DIM, dtype=np.float32)
    far[DIM - 1] = 1.0
    return TipVectors(("tips/a.md", "tips/b.md"), ("Tip A", "Tip B"), ("Outlook", "Teams"),
                      np.stack([topic_vector(0, rng, 0.05), far]), np.array([0, 1]))


def fill(records: EscalationStore, clock: Clock, rng: np.random.Generator) -> None:
    """Topic 0 (a weak tip exists): 4 now, 2 before. Topic 1 (missing tip): 3 now with personal data."""
    for d in (2, 3, 4, 5):
        log(records, clock, day(d + 14), f"outlook vraag {d}", topic_vector(0, rng), band="unsure", top="tips/a.md")
    for d in (3, 4):
        log(records, clock, day(d), f"outlook oud {d}", topic_vector(0, rng), band="unsure")
    asked = ("Webinar met inschrijving? Mail jan0@stad.example", "Burgers laten registreren voor een online sessie,"
             " bel 0470 12 34 51", "Infoavond online voor 200 mensen organiseren: jan2@stad.example of 056 12 34 52")
    for i, (d, text) in enumerate(zip((16, 17, 18), asked, strict=True)):
        log(records, clock, day(d), text, topic_vector(1, rng), band="escalated", dept="ict" if i else "burgerzaken")


def cards_for(records: EscalationStore, rng: np.random.Generator,
              decisions: list[CardRecord] | None = None) -> list[GapCard]:
    current = gather(records, dt.date(2026, 11, 15), dt.date(2026, 11, 22))
    history = gather(records, dt.date(2026, 9, 1), dt.date(2026, 11, 15))
    return build_cards(current, history, tip_vectors(rng), decisions or [], since=dt.date(2026, 11, 15),
                       until=dt.date(2026, 11, 22), distance=0.45, min_questions=2, weak_similarity=0.55)


def test_cards_count_trend_departments_examples_and_nearest_tips(records: EscalationStore, clock: Clock) -> None:
    rng = np.random.default_rng(4)
    fill(records, clock, rng)
    weak, missing = cards_for(records, rng)
    assert (weak.count, weak.previous, sum(weak.weekly)) == (4, 0, 6)  # previous period is one week: none there
    assert weak.tips[0].source == "tips/a.md" and not weak.missing and weak.apps == ("Outlook",)
    assert missing.missing and missing.count == 3
    assert dict(missing.departments) == {"ict": 2, "burgerzaken": 1}
    assert 3 <= len(missing.examples) <= 5
    for text in (missing.label, *missing.examples):
        assert not EMAIL.search(text) and not PHONE.search(text), text


def test_a_handled_card_is_found_again_and_reopens_on_new_questions(records: EscalationStore, clock: Clock) -> None:
    rng = np.random.default_rng(5)
    fill(records, clock, rng)
    store = GapCardStore(records)
    card = cards_for(records, rng)[1]
    clock.at = day(19)
    store.decide("no_action", coach="An", label=card.label, centroid=card.centroid, question_ids=card.question_ids)
    again = cards_for(records, rng, store.all())[1]
    assert (again.key, again.status) == ("k1", "no_action")
    log(records, clock, day(20), "nog een webinar-vraag", topic_vector(1, rng), band="escalated")
    reopened = next(c for c in cards_for(records, rng, store.all()) if c.key == "k1")
    assert reopened.status == "reopened" and reopened.count == 4


# -- the board end to end: Maak tip -> publish -> eval set --------------------------------------------------
def test_a_published_tip_from_a_card_adds_its_masked_questions_to_the_eval_set(writer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = writer
    from ingest import corpus_files
    from ingest.corpus_files import TipDraft
    from ingest.pipeline import run_ingest

    settings = assistant.settings.model_copy(update={"gap_distance": 0.8})
    evals = tmp_path / "escalations.jsonl"
    board = GapBoard(settings, assistant.records, assistant.store, evals, corpus_files.add_eval_cases)
    for text in ("Hoe maak ik een webinar met inschrijving? jan@stad.example", "Webinar met inschrijving maken",
                 "inschrijving voor een webinar in Teams"):
        assistant.ask(text, "ict", escalate=True)
    today = dt.date.today()
    [card] = [c for c in board.cards(today, today + dt.timedelta(days=1)) if "webinar" in c.label.lower()]
    assert board.prefill(card).body.startswith("Vragen van collega's")
    draft = TipDraft("Webinar met inschrijving", "Teams", "teams", "ict",
                     "Kies Nieuwe vergadering > Webinar en zet Registratie aan.")
    rel = corpus_files.write_tip(settings, draft, "An").rel
    board.decide(card, "tip", "An", rel)
    assert board.sync_published() == 0 and not evals.exists()  # written, not yet in the live index
    run_ingest(settings, assistant.embedder, assistant.store)
    assert board.sync_published() == 3
    cases = [json.loads(line) for line in evals.read_text(encoding="utf-8").splitlines()]
    assert {c["expected_sources"][0] for c in cases} == {rel}
    assert all("jan@" not in c["question"] for c in cases) and any("[e-mail]" in c["question"] for c in cases)
    assert board.sync_published() == 0  # once
    assert board.decisions.all()[0].status == "published"


def test_coach_tab_handlers_act_on_cards_and_refuse_without_a_session(writer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = writer
    import gradio as gr

    from assistant.ui.coach_gaps import GapTab
    from assistant.ui.coach_review import ReviewTabs
    from ingest.tip_facts import TipShelf

    settings = assistant.settings.model_copy(update={"gap_distance": 0.8})
    board = GapBoard(settings, assistant.records, assistant.store, tmp_path / "escalations.jsonl")
    shelf = TipShelf(settings)
    tab, review = GapTab(board, assistant.directory, shelf), ReviewTabs(board, assistant.directory, shelf)
    for text in ("Webinar met inschrijving? bel 0470 12 34 56", "Webinar met inschrijving", "webinar inschrijving"):
        assistant.ask(text, "ict", escalate=True)
    request = gr.Request(username="An Declercq")
    today = dt.date.today().isoformat()
    html, choices = tab.refresh(today, today, request)
    assert "0470" not in html and "[telefoon]" in html and choices["value"]
    key = choices["value"]
    assert "geen actie" in tab.no_action(key, request)
    assert "gekoppeld" in tab.link(key, "tips/teams-status-instellen.md", request)
    form = tab.start_tip(key, request)
    assert form[0]["visible"] and form[1] and "0470" not in form[5]
    saved = tab.save_tip(key, "Webinar met inschrijving", "Teams", "teams", "ict", "Zo doe je het.", request)
    assert "Tip opgeslagen als tips/webinar-met-inschrijving.md" in saved
    assert [(r.status, r.tip) for r in board.decisions.all()] == [("tip", "tips/webinar-met-inschrijving.md")]
    assert tab.refresh(today, today, request, key)[1]["value"] == "k1"  # the picked card stays picked
    # 'Index bijwerken' makes the tip live: the card's questions join the eval set right away, masked.
    from assistant.ui.coach_corpus import CorpusTabs
    from assistant.ui.services import Services

    done = CorpusTabs(Services.build(assistant)).reindex(request, progress=lambda *a, **k: None)
    assert "3 vragen uit kennishiaten staan nu in de evaluatieset" in done
    cases = [json.loads(line) for line in assistant.settings.escalation_evals_file.read_text("utf-8").splitlines()]
    assert [c["expected_sources"] for c in cases] == [["tips/webinar-met-inschrijving.md"]] * 3
    assert not any("0470" in c["question"] for c in cases)
    assert [r.status for r in board.decisions.all()] == ["published"]
    with pytest.raises(gr.Error):
        tab.refresh(today, today, gr.Request())
    with pytest.raises(gr.Error, match="Ongeldige datum"):
        tab.refresh("gisteren", today, request)
    table, pick = review.freshness(request)
    assert "dh-fresh-table" in table and pick["value"]
    assert "nagekeken op vandaag" in review.reviewed(pick["value"], request)
