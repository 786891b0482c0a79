"""The colleague's chat page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright) on the real
model: issue 12 points 5 (a greeting, a leave question referred to the Personeelsdienst) and 6 (the department
picker), and the coach's `/coach` without a trailing slash (point 8) as a screenshot. Set DIGIHULP_SCREENSHOT_DIR
(e.g. docs/screenshots) to keep a screenshot per point.

The app runs on the city's real coach directory (corpus/coaches.yaml, 24 departments on two sites): the fixture
directory has no welzijnshuis, and the picker is about finding one's department among all of them."""

# Fixtures imported from test_browser are named as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import browser as browser  # one Chromium for this module
from browser_kit import real_web, shot
from test_app import COACH, PASSWORD, Web
from test_browser import ask, page, pick_department  # noqa: F401 (fixtures pytest finds here)

from assistant.referral import GREETING_PROMPT

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CITY_COACHES = Path(__file__).resolve().parents[1] / "corpus" / "coaches.yaml"
LEAVE = "Hoeveel verlofdagen heb ik nog over dit jaar?"
SOCIAL = "Sociale dienst"
SOCIAL_COACH = "Ann-Sofie Dhondt"  # the Sociale dienst's digicoach in corpus/coaches.yaml
WELZIJNSHUIS = ["Kinderopvang", "Onthaal welzijnshuis", "Schuldbemiddeling en budgetbeheer",
                "Seniorenbeleid en lokaal dienstencentrum", "Sociale dienst", "Thuiszorg en woonzorg", "Wonen"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, real_ingested_dir: Path, real_embedder: Any) -> Iterator[Web]:
    yield from real_web(tmp_path_factory, "browser-colleague", real_ingested_dir, real_embedder,
                        prepare=lambda settings: shutil.copy(CITY_COACHES, settings.corpus_dir / "coaches.yaml"))


def open_escalations(web: Web) -> int:
    return len(web.assistant.records.escalations())


# --- point 5: a greeting and a leave question do not land in a coach's queue --------------------------------
def test_a_greeting_gets_a_friendly_prompt_and_no_coach(page: Any, web: Web, tmp_path: Path) -> None:
    before = open_escalations(web)
    page.goto(f"{web.url}/")
    pick_department(page, SOCIAL)
    answer = ask(page, "hallo")
    page.locator("#dh-antwoord .dh-ok").filter(has_text="Ik ben digihulp").wait_for()
    text = answer.inner_text()
    assert GREETING_PROMPT in text
    assert "Doorgestuurd" not in text and answer.locator(".dh-escalated").count() == 0
    assert not page.locator("#dh-escaleer").is_visible()  # nothing to pass on, nothing to rate
    assert not page.locator("#dh-duim-op").is_visible()
    assert open_escalations(web) == before
    shot(page, "12-05-groet.png", tmp_path)


def test_a_leave_question_points_to_the_personeelsdienst_and_escalates_only_on_request(
        page: Any, web: Web, tmp_path: Path) -> None:
    before = open_escalations(web)
    page.goto(f"{web.url}/")
    pick_department(page, SOCIAL)
    answer = ask(page, LEAVE)
    referral = answer.locator(".dh-referral")
    referral.wait_for()
    said = referral.inner_text()
    assert "Dit vraag je beter aan een andere dienst" in said and "Personeelsdienst" in said
    assert "verlof, loon, ziekte en vergoedingen" in said and "HR-portaal" in said
    assert "Doorgestuurd" not in answer.inner_text() and answer.locator(".dh-escalated").count() == 0
    assert open_escalations(web) == before  # a pointer, not a question in the Sociale dienst's queue
    button = page.locator("#dh-escaleer")
    assert button.is_visible() and button.inner_text().strip() == "Toch aan mijn digicoach vragen"
    assert not page.locator("#dh-duim-op").is_visible()  # a pointer is not an answer to rate
    shot(page, "12-05-doorverwijzing.png", tmp_path)

    button.click()
    escalated = page.locator("#dh-antwoord .dh-escalated").filter(has_text="Doorgestuurd naar je digicoach")
    escalated.wait_for()
    assert SOCIAL_COACH in escalated.inner_text()
    assert open_escalations(web) == before + 1
    stored = web.assistant.records.escalations()[-1]
    assert (stored.question, stored.department, stored.coach_name) == (LEAVE, "welzijn-sociale-dienst", SOCIAL_COACH)


# --- point 6: the department picker ---------------------------------------------------------------------------
def test_the_picker_says_kies_je_dienst_groups_by_site_and_finds_welzijn(page: Any, web: Web,
                                                                         tmp_path: Path) -> None:
    page.goto(f"{web.url}/")
    picker = page.locator("#dh-dienst input")
    page.wait_for_function("document.querySelector('#dh-dienst input')?.placeholder === 'Kies je dienst'")
    assert picker.input_value() == ""  # nothing chosen yet: the placeholder is what the colleague reads

    picker.click()
    page.get_by_role("option").first.wait_for()
    options = [str(o).strip() for o in page.get_by_role("option").all_inner_texts()]
    sites = [o.split(" › ")[0] for o in options if " › " in o]
    assert sites == ["Stadhuis"] * 17 + ["Welzijnshuis"] * 7  # every department labelled by site, grouped
    assert options[-1] == "Andere dienst / weet ik niet"
    shot(page, "12-06-dienstkiezer-leeg.png", tmp_path)  # "Kies je dienst" over the list grouped by site

    picker.fill("")
    picker.press_sequentially("welzijn")
    page.get_by_role("option", name=re.compile(SOCIAL)).wait_for()
    found = [str(o).strip() for o in page.get_by_role("option").all_inner_texts()]
    names = sorted(o.split(" › ")[1].split(" (")[0] for o in found)
    assert names == WELZIJNSHUIS and all(o.startswith("Welzijnshuis › ") for o in found)
    shot(page, "12-06-dienstkiezer.png", tmp_path)

    page.get_by_role("option", name=re.compile(SOCIAL)).click()
    assert SOCIAL in picker.input_value()


# --- point 8: /coach without a trailing slash, once signed in ------------------------------------------------
def test_coach_without_a_trailing_slash_opens_the_workspace(page: Any, web: Web, tmp_path: Path) -> None:
    page.goto(f"{web.url}/login")
    page.fill("#naam", COACH)
    page.fill("#wachtwoord", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#dh-hello").filter(has_text="Aangemeld als").wait_for()
    page.goto(f"{web.url}/coach")
    page.locator("#dh-hello").filter(has_text=f"Aangemeld als {COACH}").wait_for()
    page.locator("#dh-queue").wait_for()
    assert page.url == f"{web.url}/coach/"
    assert '"detail"' not in page.content()[:300]  # not the raw JSON 404 of before
    shot(page, "12-08-coach-zonder-slash.png", tmp_path)
