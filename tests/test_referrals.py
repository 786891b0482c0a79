"""Referrals on the real model (issue 12 point 5): colleagues' questions about leave, pay, sickness, parking, badges
and the building get the pointer of the right service from the coordinator's list (corpus/referrals.yaml), while
questions the corpus answers (several about leave and badges too) are never referred.

The corpus is the fixture corpus plus the sample corpus's tips that lie nearest to such questions (the out-of-office
tip, badge printing, working from home, "who is my digicoach"), so the referral competes with what a real `make
run` finds. benchmarks/referrals.py measures the same on both eval sets."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import yaml
from conftest import FIXTURE_CORPUS, ROOT

pytestmark = pytest.mark.integration

QUESTIONS = yaml.safe_load((ROOT / "tests" / "fixtures" / "referrals" / "questions.yaml").read_text(encoding="utf-8"))
NEIGHBOURS = ("outlook-afwezigheidsbericht.md", "printen-badge-koppelen.md", "onboarding-wie-is-mijn-digicoach.md",
              "thuiswerk-checklist-voor-je-vertrekt.md")


@pytest.fixture(scope="module")
def referring(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Any:
    from assistant.config import Settings
    from assistant.service import build_assistant
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("referrals")
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    for name in NEIGHBOURS:
        shutil.copy(ROOT / "corpus" / "tips" / name, root / "corpus" / "tips" / name)
    shutil.copy(ROOT / "corpus" / "referrals.yaml", root / "corpus" / "referrals.yaml")  # the shipped list
    settings = Settings(corpus_dir=root / "corpus", data_dir=root / "data")
    report = run_ingest(settings, real_embedder, ChromaStore(settings))
    assert report.published and not report.failed
    return build_assistant(settings, embedder=real_embedder)


@pytest.mark.parametrize("case", QUESTIONS["referred"], ids=lambda case: case["question"][:40])
def test_a_question_for_another_service_is_referred_there(referring: Any, case: dict[str, str]) -> None:
    answer = referring.ask(case["question"], "ict")
    assert (answer.band, answer.referral) == ("referred", case["referral"])
    assert not answer.escalated and referring.records.escalations() == []


def test_questions_the_corpus_answers_are_not_referred(referring: Any) -> None:
    referred = {q: a.referral for q in QUESTIONS["not_referred"] if (a := referring.ask(q, "ict")).band == "referred"}
    assert referred == {}
