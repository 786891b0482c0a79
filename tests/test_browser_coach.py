"""The coach's desk (/coach) in headless Chromium (Debian's /usr/bin/chromium driven by Playwright) on the real
model: issue 12 points 7-12, each flow as a coach would do it. Set DIGIHULP_SCREENSHOT_DIR (e.g. docs/screenshots)
to keep a screenshot per point."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import DESKTOP, axe_violations, blocking, describe, new_context, real_web, shot
from browser_kit import browser as browser  # one Chromium for this module
from test_app import COACH, PASSWORD, Web, serve

pytestmark = [pytest.mark.integration, pytest.mark.browser]

RECEIVER = "Jonas Verstraete"  # the ICT digicoach in tests/fixtures/corpus/coaches.yaml
TIP = """---
title: Scanner van de bib koppelen
app: Scanner
tags: [scanner, bib]
author: An Declercq
department: cultuur
created: 2026-01-05
reviewed: 2026-01-05
status: active
---
Druk op de scanner van de bib op Scan naar mail en kies je naam in de lijst.
"""


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, real_ingested_dir: Path, real_embedder: Any) -> Iterator[Web]:
    yield from real_web(tmp_path_factory, "browser-coach", real_ingested_dir, real_embedder, [(RECEIVER, "ict")])


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = new_context(browser, DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def sign_in(page: Any, web: Web, name: str = COACH, path: str = "/coach") -> None:
    page.goto(f"{web.url}{path}")
    page.fill("#naam", name)
    page.fill("#wachtwoord", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#dh-hello").filter(has_text="Aangemeld als").wait_for()


def choose(page: Any, field: str, option: str | re.Pattern[str]) -> None:
    page.locator(f"{field} input").click()
    page.get_by_role("option", name=option).click()


def message(page: Any, elem: str, text: str, timeout: float = 60_000) -> str:
    """The text of `elem` once it says `text`; a failure shows what it said instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(elem).filter(has_text=text)
    try:
        box.wait_for(timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"{elem} never said {text!r}; it says {page.locator(elem).inner_text()!r}") from None
    return str(box.inner_text())


def no_error_toasts(page: Any) -> None:
    assert page.get_by_text(re.compile(r"^(Error|Fout)$")).count() == 0


# --- point 8: /coach with and without a slash ------------------------------------------------------------
@pytest.mark.parametrize("path", ["/coach", "/coach/"])
def test_the_workspace_opens_with_and_without_a_trailing_slash(page: Any, web: Web, path: str) -> None:
    sign_in(page, web)
    page.goto(f"{web.url}{path}")
    page.locator("#dh-queue").wait_for()
    assert page.url == f"{web.url}/coach/" and "detail" not in page.content()[:200]


# --- point 7: handover moves the question --------------------------------------------------------------
def test_handover_moves_the_question_to_the_receivers_queue(browser: Any, page: Any, web: Web,
                                                            tmp_path: Path) -> None:
    esc_id = web.assistant.ask("de scanner aan de balie piept bij elke scan", "burgerzaken",
                               escalate=True).escalation_id
    sign_in(page, web)
    page.locator("#dh-queue").filter(has_text=f"#{esc_id}").wait_for()  # the coach's own department
    choose(page, "#dh-pick", re.compile(rf"^#{esc_id} · Burgerzaken"))
    page.locator("#dh-handover input").click()
    page.get_by_role("option", name=re.compile("^Coördinator – ")).wait_for()
    # Under load the question list's options can still be open for a moment: leave those ("#1 · ...") out.
    options = [o for o in map(str, page.get_by_role("option").all_inner_texts()) if "#" not in o]
    assert options[0].startswith("Coördinator – ") and "ICT – Jonas Verstraete (digicoach)" in options
    page.get_by_role("option", name="ICT – Jonas Verstraete (digicoach)").click()
    page.locator("#dh-handover-btn").click()
    assert "Ze staat nu bij de vragen van ICT" in message(page, "#dh-queue-msg", "doorgegeven aan Jonas")
    page.locator("#dh-queue").filter(has_text="Goed bezig").wait_for()  # gone from Burgerzaken's open list
    shot(page, "12-07-handover-doorgegeven.png", tmp_path)
    stored = web.assistant.records.get(esc_id)
    assert stored is not None and (stored.department, stored.coach_name) == ("ict", RECEIVER)

    other = new_context(browser, DESKTOP)
    try:
        receiver = other.new_page()
        sign_in(receiver, web, RECEIVER)
        queue = receiver.locator("#dh-queue").filter(has_text=f"#{esc_id}")
        queue.wait_for()  # in the receiver's own department view, not "Goed bezig!"
        assert "ICT" in queue.inner_text() and RECEIVER in queue.inner_text()
        choose(receiver, "#dh-pick", re.compile(rf"^#{esc_id} · ICT"))
        assert "overgenomen van An Declercq" in message(receiver, "#dh-detail", f"Vraag #{esc_id}")
        shot(receiver, "12-07-handover-ontvanger.png", tmp_path)
        # Closing with a note the colleague reads.
        receiver.locator("#dh-close-note textarea").fill("Scanner vervangen, opgelost aan de balie.")
        receiver.locator("#dh-close").click()
        message(receiver, "#dh-queue-msg", "is gesloten")
    finally:
        other.close()
    closed = web.assistant.records.get(esc_id)
    assert closed is not None and closed.status == "closed"
    assert closed.close_note == "Scanner vervangen, opgelost aan de balie."


# --- point 9: sessions survive a restart; an expired one asks to sign in again, keeping typed text ---------
def test_a_restarted_app_keeps_the_coach_signed_in(page: Any, web: Web) -> None:
    from assistant.ui import create_app
    from assistant.ui.session import SessionStore

    sign_in(page, web)
    # A new app: new in-memory state, the same database (and the test's session clock).
    restarted = create_app(web.settings, web.assistant,
                           sessions=SessionStore(web.settings.db_path, web.settings.session_hours,
                                                 clock=web.session_clock))
    for url in serve(restarted):  # cookies do not depend on the port: the same browser, the "restarted" app
        page.goto(f"{url}/coach/")
        page.locator("#dh-hello").filter(has_text=f"Aangemeld als {COACH}").wait_for()
        page.locator("#dh-queue").wait_for()
        assert page.url == f"{url}/coach/"
        no_error_toasts(page)


def test_an_expired_session_asks_to_sign_in_and_keeps_the_typed_answer(page: Any, web: Web,
                                                                       tmp_path: Path) -> None:
    web.assistant.ask("de printer op de gang is offline", "burgerzaken", escalate=True)  # shown first on load
    esc_id = web.assistant.ask("mijn badge werkt niet meer aan de printer", "burgerzaken",
                               escalate=True).escalation_id
    sign_in(page, web)
    choose(page, "#dh-pick", re.compile(rf"^#{esc_id} · "))
    message(page, "#dh-detail", f"Vraag #{esc_id} –")  # loading the question fills the answer box: wait for it
    reply = "Houd je badge drie seconden tegen de lezer."
    page.locator("#dh-reply textarea").fill(reply)
    web.session_clock.now += web.settings.session_hours * 3600 + 60  # the session ends while the tab is open
    page.locator("#dh-reply-send").click()
    dialog = page.get_by_role("dialog", name="Je bent afgemeld, meld je opnieuw aan.")
    dialog.wait_for()
    assert page.locator("#dh-reply textarea").input_value() == reply  # nothing typed is lost
    shot(page, "12-09-afgemeld.png", tmp_path)
    dialog.get_by_label("Naam").fill(COACH)
    dialog.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    dialog.get_by_role("button", name="Aanmelden").click()
    dialog.get_by_role("alert").filter(has_text="niet juist").wait_for()
    dialog.get_by_label("Wachtwoord").fill(PASSWORD)
    dialog.get_by_role("button", name="Aanmelden").click()
    message(page, "#dh-queue-msg", f"Antwoord op vraag #{esc_id} bewaard")  # the action went on
    assert dialog.count() == 0
    no_error_toasts(page)
    stored = web.assistant.records.get(esc_id)
    assert stored is not None and stored.answer == reply and stored.answered_by == COACH


# --- point 10: the Corpus tab and 'Tip opslaan' --------------------------------------------------------------
def test_corpus_actions_sit_above_a_filterable_paged_list(page: Any, web: Web, tmp_path: Path) -> None:
    sign_in(page, web)
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#dh-corpus table").wait_for()
    actions, listing = page.locator("#dh-corpus-tip").bounding_box(), page.locator("#dh-corpus").bounding_box()
    assert actions["y"] + actions["height"] < listing["y"] and listing["y"] < 900  # actions on the first screen
    assert "Documenten 1–" in page.locator("#dh-corpus").inner_text()
    page.locator("#dh-corpus-zoek textarea, #dh-corpus-zoek input").first.fill("badge")
    page.locator("#dh-corpus-zoek textarea, #dh-corpus-zoek input").first.press("Enter")
    page.locator("#dh-corpus").filter(has_text="printen-met-badge").wait_for()
    page.wait_for_function("!document.querySelector('#dh-corpus').innerText.includes('teams-status-instellen')")
    shot(page, "12-10-corpus.png", tmp_path)


def test_a_double_click_on_tip_opslaan_writes_one_tip(page: Any, web: Web, tmp_path: Path) -> None:
    esc_id = web.assistant.ask("hoe koppel ik de labelprinter van de bib", "cultuur", escalate=True).escalation_id
    web.assistant.records.answer(esc_id, "Open Instellingen > Printers en kies 'Labelprinter bib'.", COACH)
    sign_in(page, web)
    page.get_by_role("tab", name="Van antwoord naar tip").click()
    choose(page, "#dh-tip-bron", re.compile(rf"^#{esc_id} · Cultuur en evenementen · "))  # a name, not an id
    page.locator("#dh-tip-titel textarea, #dh-tip-titel input").first.wait_for()
    page.wait_for_function("document.querySelector('#dh-tip-tekst textarea')?.value.includes('Labelprinter bib')")
    assert page.locator("#dh-tip-dienst input").input_value() == "Cultuur en evenementen"
    page.locator("#dh-tip-app textarea, #dh-tip-app input").first.fill("Printen")
    page.get_by_label("Meteen in het corpus").check()
    page.locator("#dh-tip-opslaan").dblclick()  # the page sends one save while one runs
    message(page, "#dh-tip-msg", "Tip opgeslagen als tips/hoe-koppel-ik-de-labelprinter-van-de-bib.md")
    page.locator("#dh-tip-opslaan").click()  # saving again (a correction, a late second click) updates it
    message(page, "#dh-tip-msg", "bijgewerkt (dezelfde vraag: geen tweede tip)")
    written = sorted((web.settings.corpus_dir / "tips").glob("hoe-koppel-ik-de-labelprinter*.md"))
    assert [p.name for p in written] == ["hoe-koppel-ik-de-labelprinter-van-de-bib.md"]
    front = written[0].read_text(encoding="utf-8").split("---")[1]
    assert "&id" not in front and "*id" not in front and f"origin: vraag-{esc_id}" in front
    shot(page, "12-10-tip-opslaan.png", tmp_path)


def upload_zip(page: Any, upload: Path) -> None:
    """Put the zip in the batch's file field and wait for the server to have it. set_input_files does not wait
    for the (hidden) input's component: wait until the field shows in the opened accordion, then for the upload
    request itself (the slow part on a busy machine), then for the finished preview of the file."""
    field = page.locator("#dh-batch-zip")
    field.wait_for(state="visible")
    # Opening the tab and the accordion start round trips (corpus list, workspace batch): let them land first, so
    # the upload does not race them (a precaution; the failure seen was the name check below).
    page.wait_for_function("document.querySelector('#dh-batch-werkruimte')?.innerText.includes('batch')"
                           " && document.querySelector('#dh-corpus')?.innerText.trim().length > 0")
    with page.expect_response(lambda r: "/gradio_api/upload" in r.url and r.request.method == "POST") as sent:
        field.locator("input[type=file]").set_input_files(str(upload))
    assert sent.value.ok, f"upload of {upload.name}: HTTP {sent.value.status}"
    try:
        # The finished preview shows the stem and '.zip' in separate cells ('slecht\n.zip'); only the transient
        # 'uploading' view had the whole name, which is why the old wait passed only when it caught that view.
        field.filter(has_text=re.compile(rf"{re.escape(upload.stem)}\s*{re.escape(upload.suffix)}")).wait_for()
    except Exception as exc:  # the server has the zip; say what the field shows instead of only timing out
        raise AssertionError(f"{upload.name} uploaded ({sent.value.text()[:200]}) but the field shows: "
                             f"{field.inner_text()[:300]!r}") from exc


def test_batch_publiceren_takes_a_zip_from_the_browser(page: Any, web: Web, tmp_path: Path) -> None:
    bad, good = tmp_path / "slecht.zip", tmp_path / "batch.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("tips/../../kwaad.md", TIP)
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("batch-mei/tips/scanner-bib.md", TIP)
    sign_in(page, web)
    for upload, expected in ((bad, "'..' is niet toegelaten"), (good, "nieuw, 0 bijgewerkt, 0 ingetrokken)")):
        page.goto(f"{web.url}/coach/")
        page.get_by_role("tab", name="Corpus").click()
        page.locator("#dh-batch").get_by_text("Batch publiceren").first.click()
        page.get_by_label("Een zip-bestand").check()
        upload_zip(page, upload)
        page.get_by_label("Enkel testen (niet publiceren)").check()
        page.locator("#dh-batch-publiceer").click()
        message(page, "#dh-corpus-msg", expected, timeout=300_000)  # the gate runs the eval sets
    shot(page, "12-10-batch-zip.png", tmp_path)
    assert not (web.settings.corpus_dir / "tips" / "scanner-bib.md").exists()  # a dry run publishes nothing
    assert not any((web.settings.data_dir / "batch-uploads").iterdir())  # the unpacked zip is cleaned up


# --- point 11: the Feedback tab --------------------------------------------------------------------------
def test_feedback_tab_marks_handled_sends_to_the_coach_and_makes_a_tip(page: Any, web: Web, tmp_path: Path) -> None:
    records = web.assistant.records
    handled = records.add_feedback("hoe deel ik mijn scherm", "Klik op Delen.", -1, "te vaag", "burgerzaken")
    sent = records.add_feedback("wifi op de bib valt weg", "Geen antwoord.", -1, "", "ict")
    to_tip = records.add_feedback("hoe zet ik een afwezigheidsbericht", "Via Instellingen. [1]", -1, "", "cultuur")
    sign_in(page, web)
    page.get_by_role("tab", name="Feedback").click()
    page.locator("#dh-fb-lijst").filter(has_text=f"#{handled}").wait_for()
    assert "Burgerzaken" in page.locator("#dh-fb-lijst").inner_text()
    choose(page, "#dh-fb-pick", re.compile(rf"^#{handled} · Burgerzaken"))
    page.locator("#dh-fb-afgehandeld").click()
    message(page, "#dh-fb-msg", f"Feedback #{handled} is afgehandeld")
    page.wait_for_function(f"!document.querySelector('#dh-fb-lijst').innerText.includes('#{handled}\\t')")
    choose(page, "#dh-fb-pick", re.compile(rf"^#{sent} · ICT"))
    page.locator("#dh-fb-coach").click()
    text = message(page, "#dh-fb-msg", "Doorgestuurd naar Jonas Verstraete")
    shot(page, "12-11-feedback.png", tmp_path)
    esc_id = int(re.search(r"als vraag #(\d+)", text).group(1))  # type: ignore[union-attr]
    escalation = records.get(esc_id)
    assert escalation is not None and escalation.department == "ict" and escalation.coach_name == RECEIVER
    choose(page, "#dh-fb-pick", re.compile(rf"^#{to_tip} · Cultuur"))
    page.locator("#dh-fb-tip").click()
    page.wait_for_function("document.querySelector('#dh-tip-tekst textarea')?.value === 'Via Instellingen.'")
    assert page.locator("#dh-tip-bron input").input_value().startswith(f"👎 feedback #{to_tip}")
    assert page.get_by_role("tab", name="Van antwoord naar tip").get_attribute("aria-selected") == "true"


# --- point 12: login backoff per client, never a lockout -----------------------------------------------------
def test_wrong_passwords_slow_down_only_this_browser_in_dutch(page: Any, web: Web, tmp_path: Path) -> None:
    web.login_clock.now += 3600  # forget earlier failures
    page.goto(f"{web.url}/login")
    for _ in range(6):
        page.fill("#naam", COACH)
        page.fill("#wachtwoord", "fout-fout-fout")
        page.click("#login-form button[type=submit]")
        page.locator("#login-form").wait_for()
    assert "Te veel mislukte pogingen vanaf dit toestel. Probeer het over" in page.content()
    shot(page, "12-12-login-backoff.png", tmp_path)
    web.login_clock.now += 3600
    sign_in(page, web)  # the account itself was never locked


# --- point 13: WCAG 2.1 AA on the coach's desk, checked with axe-core ------------------------------------------
TABS = ["Escalaties", "Van antwoord naar tip", "Corpus", "Feedback", "Kennishiaten", "Nakijken", "Overleg",
        "Nieuwe collega's"]


def test_login_and_every_coach_tab_have_no_serious_axe_violations(browser: Any, web: Web) -> None:
    """Zero serious or critical WCAG 2.1 A/AA violations (axe-core) on the login page and on each tab of /coach,
    with a question in the queue and one opened."""
    esc_id = web.assistant.ask("de printer van de bib drukt alles dubbel af", "burgerzaken",
                               escalate=True).escalation_id
    context = new_context(browser, {"width": 1600, "height": 1000})  # every tab in the tab bar, none in "more"
    page = context.new_page()
    found: dict[str, list[dict[str, Any]]] = {}
    page.goto(f"{web.url}/login")
    found["/login"] = blocking(axe_violations(page))
    sign_in(page, web)
    page.locator("#dh-queue").filter(has_text=f"#{esc_id}").wait_for()
    choose(page, "#dh-pick", re.compile(rf"^#{esc_id} · "))
    message(page, "#dh-detail", f"Vraag #{esc_id} –")
    for name in TABS:
        tab = page.get_by_role("tab", name=name, exact=True)
        tab.click()
        page.wait_for_function("(t) => t.getAttribute('aria-selected') === 'true'", arg=tab.element_handle())
        page.wait_for_timeout(1500)  # the tab's lists load on select
        found[f"/coach tab {name!r}"] = blocking(axe_violations(page))
    context.close()
    report = "\n".join(f"{where}:\n{describe(v)}" for where, v in found.items() if v)
    assert not report, f"axe-core: serious/critical WCAG 2.1 AA violations\n{report}"
