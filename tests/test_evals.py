"""Evals: metric arithmetic, dataset validation and compare() on hand-made data; one real run on the fixture corpus."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.types import Answer, Citation
from evals.dataset import Case, DatasetError, check_sources, load_dataset, parse_lines
from evals.keyfacts import holds_key_facts, missing_groups, normalize
from evals.metrics import (
    DEFAULT_TOLERANCES,
    Tolerance,
    aggregate,
    citation_valid,
    compare,
    hit_rate,
    mrr,
    percentile,
    precision_recall_f1,
    score_case,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
FIXTURE_DATASET = ROOT / "tests" / "fixtures" / "evals" / "fixture.jsonl"
TIP = "tips/teams-status-instellen.md"
PASSAGE = "Klik rechtsboven in Teams op je profielfoto of je initialen."


def _citation(n: int, source: str = TIP, passage: str = PASSAGE, title: str = "Je status in Teams") -> Citation:
    return Citation(n, source, title, "tip", "", None, "2026-02-16", "Lotte", passage)


def _answer(text: str, citations: tuple[Citation, ...] = (), *, escalated: bool = False,
            retrieved: tuple[str, ...] = (TIP,)) -> Answer:
    return Answer(question="vraag", text=text, citations=citations, confidence=0.1 if escalated else 0.9,
                  escalated=escalated, retrieved=tuple((s, 1.0 - i / 10) for i, s in enumerate(retrieved)))


def _case(cid: str = "c1", sources: tuple[str, ...] = (TIP,)) -> Case:
    return Case(cid, "hoe zet ik mijn status?", sources, answerable=bool(sources), department="ict")


GOOD_TEXT = f"Volgens de tip “Je status in Teams” [1]:\n{PASSAGE}"


# --- metrics --------------------------------------------------------------------------------------


def test_mrr_and_hits_by_rank() -> None:
    assert mrr([1, 2, None]) == pytest.approx((1 + 0.5 + 0) / 3)
    assert hit_rate([1, 2, None], 1) == pytest.approx(1 / 3)
    assert hit_rate([1, 4, None], 3) == pytest.approx(1 / 3)
    assert hit_rate([1, 4, 5], 5) == 1.0
    assert mrr([]) is None


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == pytest.approx(25.0)
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_escalation_precision_recall_f1() -> None:
    assert precision_recall_f1(tp=2, fp=1, fn=1) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert precision_recall_f1(tp=0, fp=0, fn=2) == (0.0, 0.0, 0.0)  # escalated nothing that needed it
    assert precision_recall_f1(tp=0, fp=0, fn=0) == (None, None, None)  # nothing to measure


def test_rank_is_first_expected_source_in_retrieved() -> None:
    answer = _answer(GOOD_TEXT, (_citation(1),), retrieved=("a.md", "b.md", TIP, "c.md"))
    result = score_case(_case(sources=("c.md", TIP)), answer, 12.0)
    assert result.rank == 3
    assert result.ranks == {"c.md": 4, TIP: 3}
    assert (result.hit(1), result.hit(3), result.hit(5)) == (False, True, True)
    assert score_case(_case(sources=("z.md",)), answer, 1.0).rank is None


def test_citation_validity() -> None:
    assert citation_valid(_answer(GOOD_TEXT, (_citation(1),)))
    assert citation_valid(_answer("Zie [1] en [bron 2].", (_citation(1), _citation(2, "b.md"))))
    assert not citation_valid(_answer("Zie [1, 3].", (_citation(1), _citation(2, "b.md"))))
    assert not citation_valid(_answer("Zie [1].", ()))
    assert citation_valid(_answer("Ik stuur je vraag door naar je digicoach.", escalated=True))


def test_citation_correctness_uses_first_cited_source() -> None:
    citations = (_citation(1, "other.md"), _citation(2, TIP))
    assert score_case(_case(), _answer("Eerst [2], dan [1].", citations), 1.0).citation_correct is True
    assert score_case(_case(), _answer("Eerst [1], dan [2].", citations), 1.0).citation_correct is False
    escalated = score_case(_case(), _answer("Doorgestuurd.", escalated=True), 1.0)
    assert escalated.citation_correct is None
    assert escalated.escalation_correct is False


def test_groundedness_of_quoted_and_invented_text() -> None:
    quoted = score_case(_case(), _answer(GOOD_TEXT, (_citation(1),)), 1.0)
    assert quoted.groundedness == 1.0
    assert quoted.passed
    invented = score_case(_case(), _answer(GOOD_TEXT + "\nDruk daarna op Ctrl+Alt+Delete.", (_citation(1),)), 1.0)
    assert invented.groundedness is not None and invented.groundedness < 1.0
    assert "grounded" in invented.failed_checks
    assert score_case(_case(), _answer("Vrij geformuleerd [1].", (_citation(1),)), 1.0,
                      extractive=False).groundedness is None
    assert score_case(_case(sources=()), _answer("Doorgestuurd.", escalated=True), 1.0).groundedness is None


def test_aggregate_on_hand_made_results() -> None:
    good = score_case(_case("a"), _answer(GOOD_TEXT, (_citation(1),)), 10.0)
    second = score_case(_case("b"), _answer(GOOD_TEXT, (_citation(1),), retrieved=("x.md", TIP)), 20.0)
    missed = score_case(_case("c"), _answer("Doorgestuurd.", escalated=True, retrieved=("x.md",)), 30.0)
    refused = score_case(_case("d", ()), _answer("Doorgestuurd.", escalated=True), 40.0)
    leaked = score_case(_case("e", ()), _answer(GOOD_TEXT, (_citation(1),)), 50.0)
    result = aggregate([good, second, missed, refused, leaked])
    m = result.metrics
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["hit@1"] == pytest.approx(1 / 3)
    assert m["hit@5"] == pytest.approx(2 / 3)
    assert m["escalation_precision"] == pytest.approx(0.5)  # d right, c wrongly escalated
    assert m["escalation_recall"] == pytest.approx(0.5)  # e should have been escalated
    assert m["citation_correctness"] == 1.0  # only a and b are scored
    assert m["groundedness"] == 1.0
    assert m["latency_p50_ms"] == pytest.approx(30.0)
    assert result.counts["failed"] == 2
    assert {r.case.id for r in result.failures} == {"c", "e"}


# --- compare --------------------------------------------------------------------------------------


def test_compare_flags_drop_beyond_tolerance_and_ignores_small_one() -> None:
    baseline = {"hit@5": 0.90, "mrr": 0.80, "escalation_recall": 0.70, "citation_correctness": 0.95}
    current = {"hit@5": 0.89, "mrr": 0.77, "escalation_recall": 0.70, "citation_correctness": 0.98,
               "groundedness": 1.0, "citation_validity": 1.0}
    regressions = compare(current, baseline)
    assert [r.metric for r in regressions] == ["mrr"]
    assert regressions[0].baseline == 0.80
    assert compare({"hit@5": 0.88}, {"hit@5": 0.90}) == []  # exactly the allowed 0.02


def test_compare_floors_apply_without_baseline() -> None:
    regressions = compare({"groundedness": 0.97, "citation_validity": 1.0, "mrr": None}, None)
    assert [r.metric for r in regressions] == ["groundedness"]
    assert compare({"hit@5": 0.5}, {"hit@5": 0.9}, {"hit@5": Tolerance(max_drop=0.5)}) == []
    assert set(DEFAULT_TOLERANCES) == {"hit@5", "mrr", "escalation_recall", "citation_correctness",
                                       "groundedness", "citation_validity", "key_facts", "key_facts_all"}


def test_a_batch_that_loses_key_facts_is_refused() -> None:
    regressions = compare({"key_facts": 0.70, "key_facts_all": 0.69}, {"key_facts": 0.80, "key_facts_all": 0.70})
    assert [r.metric for r in regressions] == ["key_facts"]


# --- key facts ------------------------------------------------------------------------------------


KEY_TEXT = ("Volgens de tip “Afwezig in Outlook” [1]:\nKlik op **Bestand** >  Automatische antwoorden [1].\n\n"
            "Zie ook:\n- Agenda delen [2]: Kies Machtigingen")


def test_key_facts_need_one_phrase_of_every_group_in_the_quoted_text() -> None:
    assert holds_key_facts(KEY_TEXT, [["bestand > automatische antwoorden"]])  # case, markup, spaces
    assert holds_key_facts(KEY_TEXT, [["iets anders", "Klik op Bestand"], ["automatische ANTWOORDEN"]])
    assert not holds_key_facts(KEY_TEXT, [["Bestand"], ["Machtigingen"]])  # a "Zie ook" line does not count
    assert not holds_key_facts(KEY_TEXT, [["Afwezig in Outlook"]])  # nor does the title
    assert not holds_key_facts(KEY_TEXT, [])  # nothing annotated: nothing to hold
    assert missing_groups(KEY_TEXT, [["Bestand"], ["Agenda delen"], ["x"]]) == [1, 2]
    assert normalize("Klik op [Opslaan](https://x.be) ’nu’") == "klik op opslaan 'nu'"


def _kind_case(cid: str, kind: str, must: tuple[tuple[str, ...], ...] = ()) -> Case:
    sources = (TIP,) if kind == "answerable" else ()
    return Case(cid, "vraag?", sources, kind == "answerable", "ict", must_contain=must, kind=kind)


def test_key_facts_answer_length_and_escalation_by_kind() -> None:
    must = (("profielfoto",),)
    results = [
        score_case(_kind_case("a", "answerable", must), _answer(GOOD_TEXT, (_citation(1),)), 1.0),
        score_case(_kind_case("b", "answerable", (("bestaat niet",),)), _answer(GOOD_TEXT, (_citation(1),)), 1.0),
        score_case(_kind_case("c", "answerable", must), _answer("Doorgestuurd.", escalated=True), 1.0),
        score_case(_kind_case("d", "answerable"), _answer(GOOD_TEXT, (_citation(1),)), 1.0),  # not annotated
        score_case(_kind_case("n1", "near-miss"), replace(_answer(GOOD_TEXT, (_citation(1),)), band="unsure"), 1.0),
        score_case(_kind_case("n2", "near-miss"), _answer("Doorgestuurd.", escalated=True), 1.0),
        score_case(_kind_case("n3", "near-miss"), _answer(GOOD_TEXT, (_citation(1),)), 1.0),
        score_case(_kind_case("o1", "off-topic"), _answer("Doorgestuurd.", escalated=True), 1.0),
    ]
    m = aggregate(results).metrics
    assert m["key_facts"] == pytest.approx(1 / 2)  # a holds them, b does not; c escalated, d not annotated
    assert m["key_facts_all"] == pytest.approx(1 / 3)  # the escalated c counts as not holding them
    quoted = len(PASSAGE)  # the intro with the title is not part of the answer's length
    assert m["answer_chars_p50"] == quoted and m["answer_chars_p90"] == quoted
    assert m["escalated:answerable"] == pytest.approx(1 / 4) and m["unsure:answerable"] == 0.0
    assert m["escalated:near-miss"] == pytest.approx(1 / 3) and m["unsure:near-miss"] == pytest.approx(1 / 3)
    assert m["handled:near-miss"] == pytest.approx(2 / 3)
    assert m["escalated:off-topic"] == 1.0
    assert results[1].checks()["key_facts"] is False and "key_facts" in results[1].failed_checks
    assert results[2].checks()["key_facts"] is None  # an escalation is not a key-fact failure of the answer


def test_a_referral_is_a_declined_answer_not_an_ungrounded_one() -> None:
    """An off-topic question pointed to another service (issue 12) is handled right: not escalated, but no
    corpus answer either, so no groundedness or key facts to score and no 'answered an unanswerable' error."""
    pointer = replace(_answer("Voor een dienstwagen: reserveer via de vlootbeheerder."), band="referred")
    results = [
        score_case(_kind_case("o1", "off-topic"), pointer, 1.0),
        score_case(_kind_case("o2", "off-topic"), _answer("Doorgestuurd.", escalated=True), 1.0),
        score_case(_kind_case("a", "answerable", (("profielfoto",),)), _answer(GOOD_TEXT, (_citation(1),)), 1.0),
    ]
    assert results[0].groundedness is None and results[0].escalation_correct and results[0].passed
    m = aggregate(results).metrics
    assert m["escalated:off-topic"] == pytest.approx(1 / 2) and m["referred:off-topic"] == pytest.approx(1 / 2)
    assert m["handled:off-topic"] == 1.0 and m["escalation_recall"] == 1.0 and m["groundedness"] == 1.0


# --- dataset --------------------------------------------------------------------------------------


def _line(**overrides: Any) -> str:
    record = {"id": "x1", "question": "hoe print ik?", "expected_sources": ["tips/printen-met-badge.md"],
              "answerable": True, "department": "ict", "notes": ""}
    record.update(overrides)
    return json.dumps({k: v for k, v in record.items() if v != "<drop>"})


def test_dataset_reports_each_bad_line(tmp_path: Path) -> None:
    lines = [
        _line(id="ok"),
        "{not json",
        _line(id="m1", notes="<drop>"),
        _line(id="t1", answerable="yes"),
        _line(id="a1", expected_sources=[]),
        _line(id="u1", answerable=False),
        _line(id="ok"),
        "",
        "[1, 2]",
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    problems = info.value.problems
    assert problems[0].startswith("line 2: invalid JSON")
    assert problems[1] == "line 3: missing field 'notes'"
    assert problems[2].startswith("line 4: field 'answerable' must be true/false")
    assert problems[3] == "line 5: answerable question without expected sources"
    assert problems[4] == "line 6: unanswerable question with expected sources"
    assert problems[5] == "line 7: duplicate id 'ok' (first on line 1)"
    assert problems[6].startswith("line 9: expected a JSON object")
    assert len(problems) == 7
    assert "line 4" in str(info.value)


def test_dataset_loads_good_file_and_checks_sources(tmp_path: Path) -> None:
    cases = load_dataset(FIXTURE_DATASET)
    assert len(cases) == 11 and sum(c.answerable for c in cases) == 8
    assert check_sources(cases, FIXTURE_CORPUS) == []
    ghost = parse_lines([_line(expected_sources=["tips/bestaat-niet.md"])])[0]
    assert check_sources(ghost, FIXTURE_CORPUS) == [
        f"case x1: expected source 'tips/bestaat-niet.md' not found in {FIXTURE_CORPUS}"]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no questions"):
        load_dataset(empty)
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "missing.jsonl")


def test_dataset_checks_key_facts_and_kind() -> None:
    cases, problems = parse_lines([
        _line(id="k1", must_contain=[["Bestand > Opties"], ["F5", "Ctrl+R"]]),
        _line(id="k2", must_contain=[[]]),
        _line(id="k3", must_contain="Bestand"),
        _line(id="n1", answerable=False, expected_sources=[], kind="near-miss"),
        _line(id="n2", answerable=False, expected_sources=[], kind="bijna"),
        _line(id="n3", answerable=False, expected_sources=[], must_contain=[["x"]]),
        _line(id="n4", kind="off-topic"),
        _line(id="o1", answerable=False, expected_sources=[]),
    ])
    assert [c.id for c in cases] == ["k1", "n1", "o1"]
    assert cases[0].must_contain == (("Bestand > Opties",), ("F5", "Ctrl+R")) and cases[0].kind == "answerable"
    assert cases[1].kind == "near-miss" and cases[2].kind == "off-topic"  # unlabelled unanswerable: off-topic
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 5", "line 6", "line 7"]
    assert "must_contain" in problems[0] and "kind" in problems[2] and "kind" in problems[4]


def test_shipped_datasets_are_valid() -> None:
    for path in sorted((ROOT / "evals" / "datasets").glob("*.jsonl")):
        assert load_dataset(path), path


# --- evaluate, outputs and CLI without the model ---------------------------------------------------------


class FakeAssistant:
    llm = None

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def ask(self, question: str, department: str | None = None) -> Answer:
        self.asked.append((question, department))
        if "fiets" in question:
            return _answer("Doorgestuurd.", escalated=True, retrieved=("x.md",))
        return _answer(GOOD_TEXT, (_citation(1),))


def test_evaluate_asks_every_case_through_ask(tmp_path: Path) -> None:
    from evals.report import format_table, write_outputs
    from evals.runner import evaluate

    cases = [_case("a"), Case("b", "waar zet ik mijn fiets?", (), False, "personeel")]
    fake = FakeAssistant()
    result = evaluate(fake, cases)
    assert fake.asked == [("hoe zet ik mijn status?", "ict"), ("waar zet ik mijn fiets?", "personeel")]
    assert result.metrics["escalation_f1"] == 1.0 and result.metrics["mrr"] == 1.0
    write_outputs(tmp_path, result, {"dataset": "fake", "settings": {}}, {"mrr": 0.5})
    assert {p.name for p in tmp_path.iterdir()} == {"summary.json", "cases.jsonl", "report.md", "metrics.png"}
    assert "| mrr | 1.000 | 0.500 | +0.500 |" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "mrr" in format_table(result.metrics, None)


def test_cli_rejects_bad_dataset_and_live_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from evals.__main__ import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line(answerable=False) + "\n", encoding="utf-8")
    common = ["run", "--corpus", str(FIXTURE_CORPUS), "--out", str(tmp_path / "out")]
    assert main([*common, "--dataset", str(bad), "--data-dir", str(tmp_path / "d")]) == 2
    assert "line 1: unanswerable question with expected sources" in capsys.readouterr().err
    monkeypatch.setenv("DIGIHULP_DATA_DIR", str(tmp_path / "live"))
    assert main([*common, "--dataset", str(FIXTURE_DATASET), "--data-dir", str(tmp_path / "live")]) == 2
    assert main(["run"]) == 2  # --dataset is required
    assert not (tmp_path / "out").exists()


def test_assistant_settings_borrow_project_coaches_only_when_missing(tmp_path: Path) -> None:
    from assistant.config import Settings
    from evals.runner import assistant_settings

    with_coaches = Settings(corpus_dir=FIXTURE_CORPUS, data_dir=tmp_path / "d")
    assert assistant_settings(with_coaches) is with_coaches
    bare = Settings(corpus_dir=tmp_path, data_dir=tmp_path / "d")
    borrowed = assistant_settings(bare)
    assert borrowed.coaches_file == ROOT / "corpus" / "coaches.yaml"
    assert borrowed.data_dir == bare.data_dir


# --- integration ----------------------------------------------------------------------------------


@pytest.mark.integration
def test_run_on_fixture_corpus(tmp_path: Path, real_embedder: Any, real_ingested_dir: Path,
                               monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from evals.__main__ import main

    # The CLI loads the model itself, as in production. Torch threads are per process: keep the session's.
    monkeypatch.setenv("DIGIHULP_EMBED_THREADS", str(os.cpu_count() or 1))
    corpus, data, out, baseline = tmp_path / "corpus", tmp_path / "data", tmp_path / "out", tmp_path / "base.json"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    # The session's index of the same corpus: the eval's incremental ingest must then embed nothing.
    shutil.copytree(real_ingested_dir / "data", data)
    baseline.write_text(json.dumps({"metrics": {"hit@5": 0.5, "mrr": 0.5, "groundedness": 1.0}}), encoding="utf-8")
    code = main(["run", "--corpus", str(corpus), "--dataset", str(FIXTURE_DATASET), "--data-dir", str(data),
                 "--out", str(out), "--baseline", str(baseline), "--update-baseline"])
    assert code == 0
    stdout = capsys.readouterr().out
    assert "hit@5" in stdout and "0.500" in stdout  # the table shows the old baseline

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    metrics = summary["metrics"]
    for name in ("hit@1", "hit@3", "hit@5", "mrr", "citation_validity", "citation_correctness",
                 "escalation_precision", "escalation_recall", "escalation_f1", "groundedness"):
        assert metrics[name] is not None and 0.0 <= metrics[name] <= 1.0, name
    assert metrics["groundedness"] == 1.0
    assert metrics["latency_p95_ms"] >= metrics["latency_p50_ms"] > 0
    assert summary["counts"]["cases"] == 11
    assert summary["index"]["embedded"] == 0 and summary["index"]["chunks"] > 0
    assert summary["settings"]["model"] == real_embedder.name and summary["settings"]["top_k"] > 0

    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [c["id"] for c in cases] == [c.id for c in load_dataset(FIXTURE_DATASET)]
    assert all({"rank", "ranks", "answer", "citations", "confidence", "escalated", "checks"} <= set(c) for c in cases)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "![metrics](metrics.png)" in report and "Failing cases" in report
    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(baseline.read_text(encoding="utf-8"))["metrics"]["hit@5"] == metrics["hit@5"]
    assert (data / "digihulp.sqlite3").is_file()  # escalations went to the eval's own data dir

