"""The tip-batch gate: batch validation and helpers on plain files and a fake index; the gate itself (its verdicts
rest on the real model's ranking) with the real model and Chroma."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CountingEmbedder, private_settings

from evals.gate import BatchOutcome, WorseCase, describe, run_batch
from ingest.__main__ import main
from ingest.batch_files import BatchError, read_batch, retire_text
from ingest.corpus_files import add_escalation_case

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
FIXTURE_DATASET = ROOT / "tests" / "fixtures" / "evals" / "fixture.jsonl"
BATCHES = ROOT / "tests" / "fixtures" / "batches"
GOOD_TIP = "tips/teams-achtergrond-vervagen.md"
SPAM_TIP = "tips/handige-weetjes-voor-iedereen.md"


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _settings(tmp_path: Path, corpus: Path = FIXTURE_CORPUS) -> Any:
    from assistant.config import Settings

    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data")


def _problems(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    batch = tmp_path / "batch"
    for rel, text in files.items():
        (batch / rel).parent.mkdir(parents=True, exist_ok=True)
        (batch / rel).write_text(text, encoding="utf-8")
    with pytest.raises(BatchError) as caught:
        read_batch(_settings(tmp_path), batch)
    return caught.value.problems


# --- plain files: no model, no index ----------------------------------------------------------------------


def test_retire_text_only_changes_the_status_line() -> None:
    text = (FIXTURE_CORPUS / "tips" / "teams-status-instellen.md").read_text(encoding="utf-8")
    retired = retire_text(text)
    assert retired == text.replace("status: active", "status: retired")
    assert retire_text("---\ntitle: x\n---\nbody\n") == "---\ntitle: x\nstatus: retired\n---\nbody\n"


def test_read_batch_resolves_tips_and_retire_entries(tmp_path: Path) -> None:
    plan = read_batch(_settings(tmp_path), BATCHES / "retire")
    assert plan.files == {}
    assert plan.retire == ["tips/teams-status-instellen.md", "tips/mfa-nieuwe-gsm.md",
                           "tips/onedrive-bestand-terugzetten.md", "tips/printen-met-badge.md",
                           "tips/windows-scherm-vergrendelen.md"]
    assert read_batch(_settings(tmp_path), BATCHES / "good").files == {GOOD_TIP: BATCHES / "good" / GOOD_TIP}


def test_read_batch_lists_every_problem_in_dutch(tmp_path: Path) -> None:
    good = (BATCHES / "good" / GOOD_TIP).read_text(encoding="utf-8")
    problems = _problems(tmp_path, {
        "tips/nieuw.md": good.replace("teams-achtergrond-vervagen", "teams-status-instellen", 1),
        "tips/kopie.md": good.replace("teams-achtergrond-vervagen", "teams-status-instellen", 1),
        "tips/notities.docx": "x",
        "handleidingen/los.yml": "title: x\n",
        "retire.txt": "bestaat-niet\nteams-status-instellen\n",
    })
    assert problems["tips/notities.docx"].startswith("Dit bestand hoort niet in een batch")
    assert problems["tips/nieuw.md"] == "Tip-id 'teams-status-instellen' komt ook voor in tips/kopie.md van deze batch."
    assert "los.pdf ontbreekt" in problems["handleidingen/los.yml"]
    assert problems["retire.txt regel 1"].startswith("Geen tip 'bestaat-niet' in het corpus.")
    assert "vervang de tip of trek hem in" in problems["retire.txt regel 2"]
    assert "leeg" in next(iter(_problems(tmp_path / "leeg", {"retire.txt": "# niets\n"}).values()))


def test_read_batch_checks_manuals(tmp_path: Path) -> None:
    import pdf_factory

    batch = tmp_path / "batch" / "handleidingen"
    pdf_factory.text_pdf(batch / "teams.pdf", ["Zo vervaag je je achtergrond in een Teams-vergadering."])
    (batch / "teams.yml").write_text("title: Teams-handleiding\napp: Teams\n", encoding="utf-8")
    pdf_factory.image_only_pdf(batch / "scan.pdf")
    with pytest.raises(BatchError) as caught:
        read_batch(_settings(tmp_path), tmp_path / "batch")
    assert list(caught.value.problems) == ["handleidingen/scan.pdf"]
    assert "OCR" in caught.value.problems["handleidingen/scan.pdf"]
    (batch / "scan.pdf").unlink()
    assert sorted(read_batch(_settings(tmp_path), tmp_path / "batch").files) == [
        "handleidingen/teams.pdf", "handleidingen/teams.yml"]


def test_add_escalation_case_appends_a_valid_case_once(tmp_path: Path) -> None:
    from evals.dataset import load_dataset

    path = tmp_path / "evals" / "escalations.jsonl"
    assert add_escalation_case(path, 12, "Hoe vervaag ik mijn achtergrond?", GOOD_TIP, "communicatie")
    assert not add_escalation_case(path, 12, "Hoe vervaag ik mijn achtergrond?", GOOD_TIP, "communicatie")
    assert add_escalation_case(path, 13, "Wie is mijn digicoach?", "tips/x.md", None)
    cases = load_dataset(path)
    assert [c.id for c in cases] == ["esc-12", "esc-13"]
    assert cases[0].expected_sources == (GOOD_TIP,) and cases[0].answerable and cases[0].notes == "from escalation 12"


def test_describe_names_questions_and_displacers() -> None:
    outcome = BatchOutcome(
        published=False, regressions=[], staged=[SPAM_TIP], added=[SPAM_TIP], updated=[], retired=[],
        live_metrics={}, staged_metrics={}, seconds=1.0,
        worse_cases=[WorseCase("f01", "hoe zet ik mijn status?", 1, 3, [SPAM_TIP]),
                     WorseCase("u01", "verlofdagen?", None, None, [SPAM_TIP])],
    )
    text = describe(outcome)
    assert "GEWEIGERD" in text and "f01 „hoe zet ik mijn status?”: rang 1 → 3 (verdrongen door" in text
    assert f"krijgt nu een antwoord uit {SPAM_TIP}" in text
    assert f"Oorzaak: {SPAM_TIP} verdringt de juiste bron bij 2 vragen." in text


def test_cli_config_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path / "nergens"), "--data-dir", str(tmp_path / "d")]) == 2
    assert "Deze batchmap bestaat niet." in capsys.readouterr().err
    assert main(["batch"]) == 2  # DIR is required
    assert main(["rollback", "--data-dir", str(tmp_path / "d")]) == 2
    assert "geen vorige versie" in capsys.readouterr().err


def test_publishing_ingest_waits_for_a_running_batch(settings: Any) -> None:
    from assistant.errors import ConfigError
    from ingest.lock import batch_lock
    from ingest.pipeline import run_ingest

    with batch_lock(settings.data_dir), pytest.raises(ConfigError, match="Er loopt al een batch"):
        run_ingest(settings, None, None)  # type: ignore[arg-type]  # refused before the model or store is touched


def test_store_drop_keeps_live_and_previous(settings: Any) -> None:
    import numpy as np

    from assistant.errors import IndexProblem
    from assistant.store import ChromaStore

    store = ChromaStore(settings)
    for _ in range(2):
        name = store.create_generation()
        store.add(name, ["a"], np.ones((1, 2), dtype=np.float32), ["tekst"], [{"source": "tips/a.md"}])
        store.publish(name, "model", 2, 1)
    new, old = store.live_info().collection, store.live_info().previous  # type: ignore[union-attr]
    staged = store.create_generation()  # e.g. a batch the gate refused
    for name in (old, new):
        with pytest.raises(IndexProblem):
            store.drop(name)
    store.drop(staged)
    store.drop(staged)  # already gone: no-op
    assert store.drop_unused() == [] and store.live_info().collection == new  # type: ignore[union-attr]


# --- the gate: real model, real Chroma --------------------------------------------------------------------


@pytest.fixture
def live(real_ingested_dir: Path, tmp_path: Path) -> Any:
    """The session's real index with a private corpus and data copy: publishing writes into both."""
    return private_settings(real_ingested_dir, tmp_path, corpus=True)


def _cli(live: Any, batch: str, *extra: str) -> list[str]:
    return ["batch", str(BATCHES / batch), "--corpus", str(live.corpus_dir), "--data-dir", str(live.data_dir),
            "--dataset", str(FIXTURE_DATASET), *extra]


@pytest.mark.integration
def test_good_batch_is_published_and_rollback_restores_it(live: Any, real_embedder: Any, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.retrieval import chunk_from_stored
    from assistant.service import build_assistant
    from assistant.store import ChromaStore
    from assistant.windows import chunk_windows

    store, counting = ChromaStore(live), CountingEmbedder(real_embedder)
    before = store.live_info()
    assert before is not None
    outcome = run_batch(live, counting, BATCHES / "good", [FIXTURE_DATASET])
    assert outcome.published and not outcome.regressions and outcome.added == [GOOD_TIP]
    gate = json.loads((Path(outcome.backup) / "gate.json").read_text(encoding="utf-8"))  # the agenda reports it
    assert gate["added"] == [GOOD_TIP] and gate["staged"] == outcome.staged_metrics and gate["live"]
    now = store.live_info()
    assert now is not None and now.collection == outcome.collection != before.collection
    # Only the new tip was embedded (its chunks, then their windows); everything else reused its live vector.
    new = [c for c in store.all_chunks(now) if c.metadata["source"] == GOOD_TIP]
    new_chunks = [c.text for c in new]
    new_windows = {t for c in new for t in chunk_windows(chunk_from_stored(c), real_embedder.name).texts}
    embedded_chunks = [t for t in counting.embedded if t in new_chunks]
    assert sorted(embedded_chunks) == sorted(new_chunks) and outcome.chunks_embedded == len(new_chunks) > 0
    # Besides those: the referral list's passages, embedded once when the gate builds its assistant (issue 12).
    from assistant.referral import load as load_referrals

    referral_texts = {text for ref in load_referrals(live.corpus_dir / "referrals.yaml") for _, text in ref.passages()}
    assert set(counting.embedded) - set(new_chunks) - referral_texts <= new_windows
    assert (live.corpus_dir / GOOD_TIP).read_bytes() == (BATCHES / "good" / GOOD_TIP).read_bytes()
    asker = build_assistant(live.model_copy(update={"data_dir": tmp_path / "ask"}), embedder=real_embedder,
                            store=store)
    assert asker.retrieve("hoe maak ik de achtergrond wazig in een teams-vergadering?").documents[0][0] == GOOD_TIP
    assert describe(outcome).startswith("Batch gepubliceerd (1 nieuw, 0 bijgewerkt, 0 ingetrokken")

    assert main(["rollback", "--data-dir", str(live.data_dir)]) == 0
    out = capsys.readouterr().out
    assert f"Live index nu: {before.collection}" in out and "staan weer zoals voor de batch" in out
    assert store.live_info().collection == before.collection  # type: ignore[union-attr]
    assert not (live.corpus_dir / GOOD_TIP).exists()
    assert main(["rollback", "--data-dir", str(live.data_dir)]) == 0  # and forward again
    assert store.live_info().collection == outcome.collection  # type: ignore[union-attr]
    assert (live.corpus_dir / GOOD_TIP).is_file()


@pytest.mark.integration
def test_retiring_needed_tips_is_refused_and_nothing_changes(live: Any, real_embedder: Any, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.service import build_assistant
    from assistant.store import ChromaStore
    from evals.dataset import load_dataset

    store, corpus = ChromaStore(live), _tree(live.corpus_dir)
    before = store.live_info()
    asker = build_assistant(live.model_copy(update={"data_dir": tmp_path / "ask"}), embedder=real_embedder,
                            store=store)
    questions = [(c.question, real_embedder.embed_query(c.question)) for c in load_dataset(FIXTURE_DATASET)]
    top = [[s for s, _ in asker.retriever.search(q, v).documents[:5]] for q, v in questions]

    assert main(_cli(live, "retire", "--json")) == 1  # the CLI loads the model as in production
    outcome = json.loads(capsys.readouterr().out)
    assert not outcome["published"] and len(outcome["retired"]) == 5
    worse = {c["id"]: c for c in outcome["worse_cases"]}
    assert {"f01", "f02", "f03", "f06"} <= set(worse) and worse["f01"]["rank_after"] is None
    assert outcome["lost_sources"]["f01"] == ["tips/teams-status-instellen.md"]
    assert {r["metric"] for r in outcome["regressions"]} >= {"hit@5", "mrr"}
    assert store.live_info() == before and _tree(live.corpus_dir) == corpus
    assert store.drop_unused() == []  # the staged generation is gone already
    fresh = build_assistant(live.model_copy(update={"data_dir": tmp_path / "ask2"}), embedder=real_embedder,
                            store=store)
    assert [[s for s, _ in fresh.retriever.search(q, v).documents[:5]] for q, v in questions] == top


@pytest.mark.integration
def test_keyword_stuffed_tip_is_refused_and_named(live: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.store import ChromaStore

    store, corpus = ChromaStore(live), _tree(live.corpus_dir)
    before = store.live_info()
    assert main(_cli(live, "spam")) == 1
    out = capsys.readouterr().out
    assert out.startswith("Batch GEWEIGERD (1 nieuw, 0 bijgewerkt, 0 ingetrokken)")
    assert f"(verdrongen door {SPAM_TIP})" in out
    assert f"Oorzaak: {SPAM_TIP} verdringt de juiste bron bij" in out
    assert store.live_info() == before and _tree(live.corpus_dir) == corpus and store.drop_unused() == []


def test_invalid_tip_exits_2_before_staging(ingested_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.store import ChromaStore

    # The fast tier has no model installed (conftest): had the CLI loaded it first, it would say so instead.
    live = private_settings(ingested_dir, tmp_path, corpus=True)
    store, corpus = ChromaStore(live), _tree(live.corpus_dir)
    before = store.live_info()
    assert main(_cli(live, "invalid")) == 2
    err = capsys.readouterr().err
    assert "tips/teams-achtergrond-kapot.md: Verplichte velden ontbreken in de kop: author." in err
    assert "taalmodel" not in err
    assert "teams-achtergrond-vervagen" not in err  # the valid tip is not reported
    assert store.live_info() == before and _tree(live.corpus_dir) == corpus and store.drop_unused() == []
