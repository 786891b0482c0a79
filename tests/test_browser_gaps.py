"""The coach's gap board, freshness view and agenda in headless Chromium, on the real model: the card actions
(geen actie, koppel aan bestaande tip, Maak tip), "Nagekeken", and no personal data on the page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import ARGS, CHROMIUM, Watch
from test_app import COACH, PASSWORD, Web, private_copy, start_web

pytestmark = [pytest.mark.integration, pytest.mark.browser]

WEBINAR = ["Hoe maak ik een webinar met inschrijving in Teams? Mail me op jan.peeters@waregem.example",
           "Kunnen burgers zich inschrijven voor een online infosessie via Teams?",
           "Teams webinar registratieformulier maken"]
MAILBOX = ["Mijn mailbox is vol, ik kan geen mails meer versturen. Bel 0470 12 34 56",
           "Outlook zegt dat mijn postvak bijna vol is, wat moet ik verwijderen?",
           "Hoe maak ik ruimte vrij in mijn mailbox?"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, real_ingested_dir: Path, real_embedder: Any) -> Iterator[Web]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium); run `make browser`")
    root = tmp_path_factory.mktemp("browser-gaps")
    for web in start_web(root, private_copy(real_ingested_dir, root), real_embedder):
        for question in WEBINAR + MAILBOX:
            web.assistant.ask(question, "burgerzaken", escalate=True)
        yield web


@pytest.fixture
def page(web: Web) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 1000}, locale="nl-BE")
        context.set_default_timeout(60_000)
        page = context.new_page()
        page.watch = Watch(page, web.url)
        page.goto(f"{web.url}/coach")
        page.fill("#naam", COACH)
        page.fill("#wachtwoord", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.locator("#dh-queue").wait_for()
        yield page
        browser.close()


def pick(page: Any, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=re.compile(text, re.IGNORECASE)).first.click()


def message(page: Any, elem_id: str, text: str) -> str:
    page.locator(f"#{elem_id}").filter(has_text=text).wait_for()
    return str(page.locator(f"#{elem_id}").inner_text())


def test_gap_board_actions(page: Any, web: Web, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Kennishiaten").click()
    page.locator("#dh-gaps .dh-card").first.wait_for()
    board = page.locator("#dh-gaps").inner_text()
    assert "webinar" in board.lower() and "mailbox" in board.lower()
    assert "@" not in board and "0470" not in board and "[e-mail]" in board
    page.screenshot(path=str(tmp_path / "gaps.png"), full_page=True)

    pick(page, "dh-gap-pick", "mailbox|postvak")
    page.locator("#dh-gap-none").click()
    assert "geen actie" in message(page, "dh-gap-msg", "geen actie")
    page.locator("#dh-gaps .dh-card").filter(has_text="geen actie").wait_for()

    pick(page, "dh-gap-pick", "webinar|infosessie|inschrijv")
    pick(page, "dh-gap-tipkeuze", "status")
    page.locator("#dh-gap-link").click()
    assert "gekoppeld" in message(page, "dh-gap-msg", "gekoppeld")
    page.locator("#dh-gaps .dh-card").filter(has_text="gekoppeld aan tip").wait_for()

    pick(page, "dh-gap-pick", "webinar|infosessie|inschrijv")
    page.locator("#dh-gap-tip").click()
    title = page.locator("#dh-gap-titel textarea, #dh-gap-titel input").first
    page.wait_for_function("el => el.value.length > 0", arg=title.element_handle())
    assert "@" not in page.locator("#dh-gap-tekst textarea").input_value()
    title.fill("Een webinar met inschrijving in Teams")
    page.locator("#dh-gap-tekst textarea").fill("Kies Nieuwe vergadering > Webinar en zet Registratie aan.")
    page.locator("#dh-gap-save").click()
    saved = message(page, "dh-gap-msg", "Tip opgeslagen")
    rel = re.search(r"tips/[a-z0-9-]+\.md", saved).group(0)  # type: ignore[union-attr]
    assert (web.settings.corpus_dir / rel).is_file()
    page.locator("#dh-gaps .dh-card").filter(has_text="tip in de maak").wait_for()
    assert page.watch.external == [] and page.watch.dialogs == []


def test_freshness_view_nagekeken(page: Any, web: Web) -> None:
    page.get_by_role("tab", name="Nakijken").click()
    page.locator("#dh-fresh-table").wait_for()
    assert "Bestand" in page.locator("#dh-fresh-table").inner_text() or page.locator("#dh-fresh-table tr").count() > 1
    pick(page, "dh-fresh-pick", "OneDrive")
    page.locator("#dh-fresh-done").click()
    assert "nagekeken op vandaag" in message(page, "dh-fresh-msg", "nagekeken")
    tip = (web.settings.corpus_dir / "tips" / "onedrive-bestand-terugzetten.md").read_text(encoding="utf-8")
    assert f"reviewed: {dt.date.today().isoformat()}" in tip
    page.wait_for_timeout(500)
    assert "onedrive-bestand-terugzetten" not in page.locator("#dh-fresh").inner_text()


def test_agenda_from_the_workspace(page: Any, web: Web) -> None:
    page.get_by_role("tab", name="Overleg").click()
    page.locator("#dh-agenda-maak").wait_for()
    assert not page.locator("#dh-agenda-bestanden").is_visible()  # no empty file box before there is an agenda
    page.locator("#dh-agenda-maak").click()
    page.locator("#dh-agenda-body").wait_for()
    text = page.locator("#dh-agenda-body").inner_text()
    assert "App in de kijker" in text and "Cijfers per dienst" in text
    assert "@" not in text and "0470" not in text
    page.locator("#dh-agenda-bestanden").filter(has_text=".html").wait_for()  # shown once there is an agenda
    page.locator("#dh-agenda-bewaar").click()
    saved = message(page, "dh-agenda-msg", "Bewaard als")
    assert re.search(r"overleg/\d{4}-\d{2}-\d{2}-digicoach-overleg\.md", saved)
