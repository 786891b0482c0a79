"""The start check's content and logic (fast tier): validation of startcheck.yaml with Dutch messages, the tip path's
order and bounds, the re-check date, the next Digistart from tips and meeting notes, and the checks at ingest and in
the tip-batch gate."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.digistart import Source, next_session
from assistant.startcheck import StartCheck, StartcheckError, TipInfo, parse_startcheck
from assistant.startpath import END, START, Answers, build_path, level_label, recheck_due
from ingest.startcheck_files import load_startcheck, retire_conflicts, tip_catalog

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"

TIPS = {t: TipInfo(t, f"tips/{t}.md", t.replace("-", " ").capitalize(), t.split("-")[0].capitalize())
        for t in ("welkom", "digicoach", "digistart", "mfa-basis", "mfa-extra", "mail-basis", "mail-extra",
                  "teams-basis", "teams-extra", "print-basis")}
TIPS["oud"] = TipInfo("oud", "tips/oud.md", "Oude tip", "Print", active=False)
ANSWERS = [{"label": "nog nooit gedaan", "path": "all"}, {"label": "met hulp", "path": "first"},
           {"label": "zelfstandig", "path": "none"}, {"label": "kan het anderen uitleggen", "path": "none"}]


def small_check() -> dict[str, Any]:
    """Three areas, five items, one knowledge question: enough to see every ordering rule at work."""
    return {
        "answers": copy.deepcopy(ANSWERS), "start_tips": ["welkom"], "end_tips": ["digistart", "digicoach"],
        "max_tips": 15,
        "areas": [
            {"id": "aanmelden", "name": "Aanmelden", "apps": ["Mfa"],
             "items": [{"id": "mfa", "text": "Kan je aanmelden?", "tips": ["mfa-basis", "mfa-extra"]}],
             "question": {"text": "Wat doe je?", "options": [{"text": "fout"}, {"text": "juist", "correct": True}],
                          "explanation": "Daarom.", "tip": "mfa-extra"}},
            {"id": "mail", "name": "Mail", "apps": ["Mail"],
             "items": [{"id": "mail-1", "text": "Kan je mailen?", "tips": ["mail-basis"]},
                       {"id": "mail-2", "text": "Kan je meer?", "tips": ["mail-extra", "mail-basis"]}]},
            {"id": "teams", "name": "Teams", "apps": ["Teams"],
             "items": [{"id": "teams-1", "text": "Kan je chatten?", "tips": ["teams-basis", "teams-extra"]},
                       {"id": "teams-2", "text": "Kan je vergaderen?", "tips": ["teams-extra", "digicoach"]}]},
        ],
    }


def parsed(data: dict[str, Any] | None = None) -> StartCheck:
    return parse_startcheck(small_check() if data is None else data, TIPS)


def problems_of(data: Any) -> list[str]:
    with pytest.raises(StartcheckError) as caught:
        parse_startcheck(data, TIPS)
    assert str(caught.value).startswith("startcheck.yaml bevat")
    return caught.value.problems


def answers(check: StartCheck, default: int, knowledge_ok: bool = True, **ratings: int) -> Answers:
    chosen = {item.id: ratings.get(item.id.replace("-", "_"), default) for item in check.items}
    know = {a.id: (a.question.correct if knowledge_ok else 1 - a.question.correct) for a in check.areas
            if a.question}
    return Answers(chosen, know)


# --- the shipped content ----------------------------------------------------------------------------------


def test_the_shipped_start_check_is_valid_and_covers_the_onboarding_areas() -> None:
    check = load_startcheck(CORPUS)
    assert check is not None
    assert 10 <= len(check.items) <= 12
    assert [a.label for a in check.answers] == ["nog nooit gedaan", "met hulp", "zelfstandig",
                                                 "kan het anderen uitleggen"]
    assert all(item.text.startswith("Kan je ") and item.text.endswith("?") for item in check.items)
    names = " ".join(a.name for a in check.areas).lower()
    for topic in ("aanmelden", "outlook", "teams", "onedrive", "sharepoint", "printen", "phishing", "ai"):
        assert topic in names
    catalog = tip_catalog(CORPUS)
    assert all(catalog[t].active for t in check.uses())
    assert check.start_tips[0].startswith("onboarding-") and "onboarding-wie-is-mijn-digicoach" in check.end_tips


# --- validation -------------------------------------------------------------------------------------------


def test_unknown_and_retired_tips_are_named_with_where_they_are_used() -> None:
    data = small_check()
    data["areas"][1]["items"][0]["tips"] = ["mail-basiss", "oud"]
    data["end_tips"] = ["digicoach", "bestaat-niet"]
    found = problems_of(data)
    assert "Vraag 'mail-1' verwijst naar tip 'mail-basiss', maar die bestaat niet in tips/." in found[1]
    assert any("'oud' (tips/oud.md), maar die is ingetrokken (status: retired). Kies een actieve tip." in p
               for p in found)
    assert found[0].startswith("end_tips verwijst naar tip 'bestaat-niet'")


def test_an_area_without_items_and_a_duplicate_id_are_refused() -> None:
    data = small_check()
    data["areas"][2]["items"] = []
    data["areas"][1]["items"][1]["id"] = "mfa"
    found = problems_of(data)
    assert "Het gebied 'teams' heeft geen vragen (items). Voeg er minstens één toe of verwijder het gebied." in found
    assert any(p.startswith("De id 'mfa' komt twee keer voor") and "Elke id moet uniek zijn" in p for p in found)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["answers"][1].update(path="soms"), "Antwoord 2 ('met hulp') heeft path 'soms'"),
    (lambda d: d["answers"].pop() and d["answers"].pop() and d["answers"].pop(), "2 tot 6 antwoorden"),
    (lambda d: d["areas"][0]["question"]["options"][0].update(correct=True), "precies één juiste keuze"),
    (lambda d: d["areas"][0]["question"].pop("tip"), "mist 'tip'"),
    (lambda d: d.update(max_tips=20), "'max_tips' moet een getal van 4 tot 15 zijn"),
    (lambda d: d["areas"][0]["items"][0].update(tip="x"), "onbekend veld 'tip'"),
    (lambda d: d["areas"][0].update(id="Aanmelden!"), "geen geldige 'id'"),
    (lambda d: d["areas"][0]["items"][0].pop("text"), "Vraag 'mfa' mist 'text'"),
    (lambda d: d.update(areas="geen lijst"), "'areas' moet een lijst van gebieden zijn"),
    (lambda d: d["areas"][1]["items"].extend({"id": f"extra-{i}", "text": "Kan je?", "tips": ["mail-basis"]}
                                             for i in range(20)), "houd het bij hoogstens 20"),
])
def test_every_kind_of_mistake_gets_a_dutch_message(change: Any, expected: str) -> None:
    data = small_check()
    change(data)
    assert any(expected in p for p in problems_of(data)), problems_of(data)


def test_a_file_that_is_not_a_start_check_is_refused() -> None:
    assert "Het bestand moet velden bevatten" in problems_of(["een", "lijst"])[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("answers: [\n  - label: x\n", "geen geldige YAML"),
    ("a: &x [1, 2]\nb: *x\n", "YAML-verwijzingen"),
    ("", "Het bestand bevat geen tekst"),
])
def test_a_broken_file_gives_a_dutch_reason(tmp_path: Path, text: str, expected: str) -> None:
    shutil.copytree(FIXTURE_CORPUS / "tips", tmp_path / "tips")
    (tmp_path / "startcheck.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StartcheckError) as caught:
        load_startcheck(tmp_path)
    assert expected in str(caught.value)


def test_no_start_check_file_means_none(tmp_path: Path) -> None:
    assert load_startcheck(tmp_path) is None


# --- the path ---------------------------------------------------------------------------------------------


def test_lowest_areas_come_first_and_basics_first_within_an_area() -> None:
    check = parsed()
    path = build_path(check, answers(check, 2, teams_1=0, teams_2=1, mail_1=1, mail_2=2))
    assert [lv.area for lv in path.levels] == ["teams", "mail", "aanmelden"]  # 0.5, 1.5, 2.0
    assert [s.area for s in path.sections] == [START, "teams", "mail", END]
    # teams-1 "nog nooit": both its tips; teams-2 "met hulp": its first (already there); the end tip stays last.
    assert path.tips == ["welkom", "teams-basis", "teams-extra", "mail-basis", "digistart", "digicoach"]


def test_a_missed_knowledge_question_adds_its_tip_and_breaks_a_tie() -> None:
    check = parsed()
    path = build_path(check, answers(check, 2, knowledge_ok=False))
    assert path.levels[0].area == "aanmelden"  # all level 2: the missed question goes first
    assert path.tips == ["welkom", "mfa-extra", "digistart", "digicoach"]
    assert [lv.knowledge_ok for lv in path.levels] == [False, None, None]


def test_an_expert_still_gets_the_start_and_end_tips() -> None:
    check = parsed()
    path = build_path(check, answers(check, 3))
    assert path.tips == ["welkom", "digistart", "digicoach"] and path.cut == ()


def test_a_path_never_exceeds_max_tips_and_keeps_the_rest_for_the_recheck() -> None:
    data = small_check()
    data["max_tips"] = 5
    check = parsed(data)
    path = build_path(check, answers(check, 0, knowledge_ok=False))
    assert len(path.tips) == 5 and path.tips[0] == "welkom" and path.tips[-2:] == ["digistart", "digicoach"]
    assert path.tips[1:3] == ["mfa-basis", "mfa-extra"]  # aanmelden: level 0 and its question missed
    assert path.cut == ("mail-basis", "mail-extra", "teams-basis", "teams-extra")
    assert len(set(path.tips)) == len(path.tips)


def test_unanswered_items_and_questions_are_listed_in_page_order() -> None:
    check = parsed()
    assert Answers({"mfa": 1, "mail-2": 9}, {}).missing(check) == ["aanmelden", "mail-1", "mail-2", "teams-1",
                                                                   "teams-2"]
    assert answers(check, 1).missing(check) == []


def test_level_labels_and_recheck_dates() -> None:
    check = parsed()
    assert [level_label(check, s) for s in (0, 0.4, 0.5, 1.5, 3)] == ["nog nooit gedaan", "nog nooit gedaan",
                                                                     "met hulp", "zelfstandig",
                                                                     "kan het anderen uitleggen"]
    assert recheck_due(dt.date(2026, 11, 30)) == dt.date(2027, 2, 28)
    assert recheck_due(dt.date(2026, 3, 14)) == dt.date(2026, 6, 14)
    assert recheck_due(dt.date(2027, 10, 31)) == dt.date(2028, 1, 31)


# --- the next Digistart -----------------------------------------------------------------------------------


def corpus_sources(corpus: Path = CORPUS) -> list[Source]:
    from ingest.loaders import read_text, split_front_matter

    found = []
    for kind, folder in (("tip", "tips"), ("overleg", "overleg")):
        for path in sorted((corpus / folder).glob("*.md")):
            front, body = split_front_matter(read_text(path))
            day = dt.date.fromisoformat(str(front["date"])) if kind == "overleg" else None
            found.append(Source(path.relative_to(corpus).as_posix(), kind, str(front.get("title", "")), body, day))
    return found


@pytest.mark.parametrize(("today", "expected", "source"), [
    ("2026-11-30", "2026-12-01", "overleg/2026-11-18-digicoach-overleg.md"),  # "gaat gewoon door"
    ("2026-12-02", "2027-01-12", "overleg/2026-11-18-digicoach-overleg.md"),  # moved: not 5 January (a reason)
    ("2027-01-13", "2027-02-02", "tips/onboarding-digistart-sessie.md"),  # the tip's rule: first Tuesday
    ("2026-07-08", "2026-09-01", "overleg/2026-06-10-digicoach-overleg.md"),  # "in augustus geen Digistart"
])
def test_next_digistart_follows_the_tip_and_the_meeting_notes(today: str, expected: str, source: str) -> None:
    session = next_session(corpus_sources(), dt.date.fromisoformat(today))
    assert session is not None
    assert (session.day.isoformat(), session.source) == (expected, source)
    assert session.time == "9u tot 11u" and "2.04" in session.place


def test_no_digistart_text_means_no_session() -> None:
    tip = Source("tips/x.md", "tip", "Printen", "Elke eerste dinsdag van de maand printen we.")
    assert next_session([tip], dt.date(2026, 1, 1)) is None


# --- ingest and the batch gate ----------------------------------------------------------------------------

FIXTURE_CHECK = """
answers: [{label: nooit, path: all}, {label: met hulp, path: first}, {label: zelf, path: none}]
start_tips: [windows-scherm-vergrendelen]
end_tips: [mfa-nieuwe-gsm]
max_tips: 10
areas:
  - id: printen
    name: Printen
    items: [{id: printen-badge, text: "Kan je printen met je badge?", tips: [printen-met-badge]}]
"""


def test_ingest_reports_a_broken_start_check_and_ingests_the_rest(settings: Any, embedder: Any) -> None:
    from assistant.store import ChromaStore
    from ingest.pipeline import describe, run_ingest

    (settings.corpus_dir / "startcheck.yaml").write_text(FIXTURE_CHECK.replace("printen-met-badge",
                                                                               "printen-pincode-oud"))
    report = run_ingest(settings, embedder, ChromaStore(settings))
    assert report.published and report.exit_code == 1
    assert list(report.failed) == ["startcheck.yaml"]
    assert "tip 'printen-pincode-oud' (tips/printen-pincode-oud.md), maar die is ingetrokken" in \
        report.failed["startcheck.yaml"]
    assert "MISLUKT startcheck.yaml" in describe(report)
    assert len(report.added) == 8  # every active document still went in
    (settings.corpus_dir / "startcheck.yaml").write_text(FIXTURE_CHECK)
    assert run_ingest(settings, embedder, ChromaStore(settings)).failed == {}


def test_the_batch_gate_refuses_to_retire_a_tip_a_path_needs(tmp_path: Path) -> None:
    from assistant.config import Settings
    from evals.gate import check_batch
    from ingest.batch_files import BatchError

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "startcheck.yaml").write_text(FIXTURE_CHECK)
    batch = tmp_path / "batch"
    (batch / "tips").mkdir(parents=True)
    (batch / "retire.txt").write_text("printen-met-badge\nteams-status-instellen\n")
    retired = (corpus / "tips" / "mfa-nieuwe-gsm.md").read_text().replace("status: active", "status: retired")
    (batch / "tips" / "mfa-nieuwe-gsm.md").write_text(retired)
    with pytest.raises(BatchError) as caught:
        check_batch(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"), batch)
    problems = caught.value.problems
    assert sorted(problems) == ["retire.txt: tips/printen-met-badge.md", "tips/mfa-nieuwe-gsm.md"]
    assert problems["retire.txt: tips/printen-met-badge.md"] == (
        "Deze tip kan niet ingetrokken worden: de startcheck (startcheck.yaml) heeft hem nodig bij vraag "
        "'printen-badge'. Vervang hem daar eerst door een andere tip.")
    assert "end_tips" in problems["tips/mfa-nieuwe-gsm.md"]
    (corpus / "startcheck.yaml").unlink()  # without a start check the same batch is fine
    assert retire_conflicts(corpus, ["tips/printen-met-badge.md"], {}) == {}
    plan = check_batch(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"), batch)
    assert plan.retire == ["tips/printen-met-badge.md", "tips/teams-status-instellen.md"]



# --- the path benchmark's checks --------------------------------------------------------------------------


def path_benchmark() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("startpaths", ROOT / "benchmarks" / "startpaths.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["startpaths"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_every_path_of_the_shipped_check_passes_the_path_benchmark() -> None:
    report = path_benchmark().check_paths(CORPUS, sample=300)
    assert report.failures == []
    assert report.paths == 2 ** 6 * 8 + 300 and min(report.lengths) >= 3 and max(report.lengths) <= 15
    assert report.coverage >= 0.7 and "onboarding-oase-intranet" in report.reached


def test_the_path_benchmark_flags_short_retired_unknown_and_unordered_paths() -> None:
    from assistant.startpath import AreaLevel, Section, TipPath

    bench = path_benchmark()
    files = {"a": (True, "X"), "b": (False, "X")}
    path = TipPath((Section("hoog", ("a",)), Section("laag", ("b", "c"))),
                   (AreaLevel("laag", 0.0), AreaLevel("hoog", 2.0)))
    found = bench.problems(parsed(), path, files)
    assert found == ["tip c does not exist", "tip b is retired", "areas not lowest first: ['hoog', 'laag']"]
    assert bench.problems(parsed(), TipPath((Section(START, ("a", "a")),), ()), files) == ["only 2 tips",
                                                                                          "a tip twice"]
