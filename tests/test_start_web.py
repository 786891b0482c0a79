"""/start, /start/pad and /bron over HTTP (fast tier): the check, the path, the signed progress token, consent (nothing
stored without it), the readable source view's safety, the coach's "Nieuwe collega's" view, and a broken
startcheck.yaml that leaves the chat page working. Real SQLite in tmp_path; the shipped corpus's start check."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.auth import AccountStore
from assistant.escalation import CoachDirectory
from assistant.startcheck_store import StartResults
from assistant.ui.coach_newcomers import NewcomersTab
from assistant.ui.plain_page import install_assets
from assistant.ui.source_view import SourceView
from assistant.ui.start import StartPage
from assistant.ui.start_content import StartContent
from assistant.ui.start_token import PathState, sign_state, unsign_state

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s" * 64
TODAY = dt.date(2026, 11, 30)


@dataclass
class Site:
    client: TestClient
    corpus: Path
    data: Path
    results: StartResults
    content: StartContent
    directory: CoachDirectory


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    for folder in ("tips", "overleg"):
        shutil.copytree(ROOT / "corpus" / folder, corpus / folder)
    for name in ("coaches.yaml", "startcheck.yaml"):
        shutil.copy2(ROOT / "corpus" / name, corpus / name)
    app = FastAPI()
    install_assets(app)
    SourceView(corpus).install(app)
    results, content = StartResults(data / "digihulp.sqlite3"), StartContent(corpus)
    directory = CoachDirectory.load(corpus / "coaches.yaml")
    StartPage(content, directory, results, SECRET, today=lambda: TODAY).install(app)
    with TestClient(app) as client:
        yield Site(client, corpus, data, results, content, directory)


def form_fields(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="([ik]-[a-z0-9-]+)"', html)))


def all_answers(site: Site, rating: int = 2, low: tuple[str, ...] = (), low_rating: int = 0,
                dept: str = "burgerzaken", **extra: str) -> dict[str, str]:
    """Every item `rating` (items of the `low` areas `low_rating`), every knowledge question right."""
    check = site.content.current().check
    assert check is not None
    data = {"dienst": dept, **extra}
    for area in check.areas:
        for item in area.items:
            data[f"i-{item.id}"] = str(low_rating if area.id in low else rating)
        if area.question:
            data[f"k-{area.id}"] = str(area.question.correct)
    return data


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text[:300]!r}"
    return match.group(1)


def state_of(token: str) -> PathState:
    state = unsign_state(SECRET, token)
    assert state is not None, "a token this server signed"
    return state


def submit(site: Site, data: dict[str, str]) -> tuple[str, PathState]:
    response = site.client.post("/start", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    token = found(r"r=([^&]+)", response.headers["location"])
    return token, state_of(token)


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- the check --------------------------------------------------------------------------------------------


def test_the_check_asks_the_department_by_site_and_every_item_with_consent_off(site: Site) -> None:
    response = site.client.get("/start")
    html = response.text
    assert response.status_code == 200 and 'lang="nl-BE"' in html
    assert '<optgroup label="Stadhuis">' in html and '<optgroup label="Welzijnshuis">' in html
    assert '<option value="">Kies je dienst</option>' in html
    fields = form_fields(html)
    assert len([f for f in fields if f.startswith("i-")]) == 12 and len(fields) == 17
    assert html.count('value="3" required') == 12  # four answers per item
    assert 'name="toestemming" value="ja" id="toestemming">' in html  # not checked
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert not re.search(r'(src|href)="https?://', html)  # nothing from the internet
    assert site.client.get("/digihulp-assets/start.js").status_code == 200


def test_missing_answers_are_listed_and_what_was_given_stays(site: Site) -> None:
    data = all_answers(site)
    del data["i-teams-kanaal"], data["k-printen"]
    data["dienst"] = "bestaat-niet"
    response = site.client.post("/start", data=data)
    html = response.text
    assert response.status_code == 422
    assert 'role="alert"' in html and "Nog niet alles is ingevuld" in html
    assert '<a href="#dienst">Kies je dienst.</a>' in html
    assert 'href="#v-teams-kanaal"' in html and 'href="#v-printen"' in html
    assert 'name="i-outlook-agenda" value="2" required checked' in html  # the given answers are kept


def test_the_path_starts_with_the_lowest_area_basics_first_and_ends_with_the_digicoach(site: Site) -> None:
    token, state = submit(site, all_answers(site, rating=2, low=("printen",), low_rating=0))
    assert [a for a, _ in state.sections] == ["_start", "printen", "_einde"]
    assert state.tips == ["onboarding-oase-intranet", "printen-badge-koppelen", "printen-follow-me-badge",
                          "printen-kleur-en-enkelzijdig", "printen-scannen-naar-mail", "onboarding-digistart-sessie",
                          "onboarding-wie-is-mijn-digicoach"]
    assert next(iter(state.levels)) == "printen" and state.series == "" and state.done == frozenset()
    html = site.client.get(f"/start/pad?r={token}").text
    titles = re.findall(r'class="tiplink"[^>]*>([^<]+)</a>', html)
    assert titles[1].startswith("Je badge de eerste keer koppelen") and len(titles) == 7
    card = html[html.index('<section class="kaart"'):]
    assert "An Declercq" in card and "Stadhuis, gelijkvloers, loket 3" in card and "Pieter Vermeulen" in card
    assert "Volgende Digistart:</strong> dinsdag 1 december 2026, 9u tot 11u, vergaderzaal 2.04" in card
    assert "Digicoach-overleg 18 november 2026" in card
    assert "0 van 7 tips gedaan" in html and "28 februari 2027" in html  # the re-check date
    assert f"http://testserver/start/pad?r={token}" in html  # the link for another device


def test_a_coach_who_is_away_is_replaced_by_the_backup_on_the_card(site: Site) -> None:
    token, _ = submit(site, all_answers(site, dept="cultuur"))
    dept = site.directory.get("cultuur")
    assert dept is not None and dept.coach_absent and dept.backup is not None
    card = site.client.get(f"/start/pad?r={token}").text.split('<section class="kaart"')[1]
    assert dept.backup.name in card and "die nu afwezig is" in card


def test_the_first_tip_opens_in_the_readable_source_view_and_leads_back(site: Site) -> None:
    token, _ = submit(site, all_answers(site))
    html = site.client.get(f"/start/pad?r={token}").text
    href = found(r'class="tiplink" data-bron="tips/onboarding-oase-intranet.md" href="([^"]+)"', html)
    tip = site.client.get(href.replace("&amp;", "&"))
    assert tip.status_code == 200
    assert "<h1>OASE, ons intranet: waar vind je het en wat staat er allemaal op</h1>" in tip.text
    assert "<h2>Waar vind je OASE?</h2>" in tip.text and "<strong>" in tip.text
    assert f'<a class="terug" href="/start/pad?r={token}">' in tip.text


# --- the signed token -------------------------------------------------------------------------------------


def test_ticking_a_tip_off_signs_a_new_token(site: Site) -> None:
    token, state = submit(site, all_answers(site))
    tip = state.tips[1]
    reply = site.client.post("/start/gedaan", data={"r": token, "tip": tip, "gedaan": "1"},
                             headers={"Accept": "application/json"}).json()
    assert reply["done"] is True and reply["count"] == 1 and reply["total"] == len(state.tips)
    assert state_of(reply["token"]).done == {tip}
    assert f"1 van {len(state.tips)} tips gedaan" in site.client.get(f"/start/pad?r={reply['token']}").text
    plain = site.client.post("/start/gedaan", data={"r": reply["token"], "tip": tip, "gedaan": "0"},
                             follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("#tip-2")
    assert state_of(plain.headers["location"].split("r=")[1].split("#")[0]).done == frozenset()


@pytest.mark.parametrize("spoil", [
    lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),  # the signature
    lambda t: ("e" if t[0] != "e" else "f") + t[1:],  # the payload
    lambda t: t.split(".")[0],  # no signature at all
    lambda t: sign_state("another secret" * 4, state_of(t)),  # signed elsewhere
])
def test_a_token_that_is_not_ours_is_refused_in_dutch(site: Site, spoil: Any) -> None:
    token, _ = submit(site, all_answers(site))
    bad = spoil(token)
    response = site.client.get(f"/start/pad?r={bad}")
    assert response.status_code == 400 and "Deze link werkt niet" in response.text
    assert site.client.post("/start/gedaan", data={"r": bad, "tip": "x", "gedaan": "1"}).status_code == 400


# --- consent ----------------------------------------------------------------------------------------------


def test_without_consent_the_server_stores_nothing(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    before = tree(site.data)
    caplog.set_level(logging.DEBUG)
    token, state = submit(site, all_answers(site, rating=1, low=("teams",), dept="welzijn-sociale-dienst"))
    page = site.client.get(f"/start/pad?r={token}").text
    ticked = site.client.post("/start/gedaan", data={"r": token, "tip": state.tips[0], "gedaan": "1"},
                              headers={"Accept": "application/json"})
    assert ticked.status_code == 200 and "met niemand gedeeld" in page
    assert tree(site.data) == before  # no row, no file: the database is byte for byte the same
    assert site.results.count() == 0 and state.series == ""
    logged = caplog.text.lower()
    check = site.content.current().check
    assert check is not None
    for secret in ["welzijn-sociale-dienst", "met hulp", "nog nooit", *[i.id for i in check.items], *state.tips]:
        assert secret not in logged
    assert "shared with the digicoach: no" in logged


def test_with_consent_only_the_levels_and_the_date_are_shared(site: Site) -> None:
    token, state = submit(site, all_answers(site, rating=2, low=("outlook",), low_rating=1, toestemming="ja"))
    assert state.series and site.results.count() == 1
    import sqlite3

    with sqlite3.connect(site.data / "digihulp.sqlite3") as conn:
        row = conn.execute("SELECT * FROM startcheck_results").fetchone()
        columns = [c[1] for c in conn.execute("PRAGMA table_info(startcheck_results)")]
    assert columns == ["id", "series", "department", "checked_on", "levels_json"]
    assert row[2:4] == ("burgerzaken", "2026-11-30")
    assert row[4] == ('{"aanmelden": 2.0, "bestanden": 2.0, "outlook": 1.0, "printen": 2.0, "teams": 2.0, '
                      '"veilig": 2.0}')
    assert "gedeeld met je digicoach" in site.client.get(f"/start/pad?r={token}&melding=gedeeld").text
    # A re-check in the same browser joins the same colleague's series, shows the progress, keeps what is done.
    ticked = site.client.post("/start/gedaan", data={"r": token, "tip": state.tips[0], "gedaan": "1"},
                              headers={"Accept": "application/json"}).json()["token"]
    again, later = submit(site, all_answers(site, rating=3, toestemming="ja", vorige=ticked))
    assert later.series == state.series and later.first_on == TODAY and later.first_levels["outlook"] == 1.0
    assert later.done == {"onboarding-oase-intranet"} and later.levels["outlook"] == 3.0
    assert [len(n.checks) for n in site.results.newcomers(["burgerzaken"])] == [2]
    assert "Bij je eerste check (30 november 2026): met hulp" in site.client.get(f"/start/pad?r={again}").text
    withdrawn = site.client.post("/start/intrekken", data={"r": again}, follow_redirects=False)
    assert withdrawn.status_code == 303 and "melding=ingetrokken" in withdrawn.headers["location"]
    assert site.results.count() == 0
    assert state_of(withdrawn.headers["location"].split("r=")[1].split("&")[0]).series == ""


def test_the_coach_sees_levels_progress_and_who_is_due_for_a_recheck(site: Site, tmp_path: Path) -> None:
    accounts = AccountStore(tmp_path / "accounts.json")
    accounts.add("An Declercq", "een-lang-testwachtwoord", "burgerzaken")
    site.results.add("reeks-a", "burgerzaken", dt.date(2026, 6, 1), {"outlook": 0.5, "teams": 1.0})
    site.results.add("reeks-a", "burgerzaken", dt.date(2026, 8, 20), {"outlook": 2.0, "teams": 1.0})
    site.results.add("reeks-b", "burgerzaken", dt.date(2026, 11, 2), {"outlook": 3.0, "teams": 0.0})
    site.results.add("reeks-c", "ict", dt.date(2026, 11, 2), {"outlook": 3.0, "teams": 3.0})
    tab = NewcomersTab(site.results, site.content, site.directory, accounts, today=lambda: TODAY)
    dept, html = tab.view(None, gr.Request(username="An Declercq"))
    assert dept["value"] == "burgerzaken"  # the coach's own department first
    assert dept["choices"] == [("Burgerzaken", "burgerzaken"), ("Onthaal stadhuis", "onthaal"),
                               ("Al mijn diensten", "alle")]  # she coaches Burgerzaken and backs up Onthaal
    assert "1 nieuwe collega is toe aan de herhalingscheck" in html  # reeks-a: last check 20 August
    people = html[html.index('id="dh-nieuw-collegas"'):]
    assert people.count("<tr><td>Collega ") == 2 and "laatst 20 augustus 2026 (2 checks)" in people
    assert "met hulp (0,5) → <strong>zelfstandig (2,0)</strong>" in people
    assert "20 november 2026" not in people and '<span class="dh-warn">nu</span>' in people
    assert "Aanmelden en beveiliging" in html and "Outlook en je agenda" in html  # area names from the file
    assert "reeks-" not in html  # the series id stays out of the coach's view
    _, mine = tab.view("alle", gr.Request(username="An Declercq"))
    assert "2 nieuwe collega's" in mine
    refused, html = tab.view("ict", gr.Request(username="An Declercq"))  # shared with ICT's coach, not with her
    assert refused["value"] == "burgerzaken" and "2 nieuwe collega's" in html
    coordinator = site.directory.coordinator.name
    _, everyone = tab.view("alle", gr.Request(username=coordinator))
    assert "3 nieuwe collega's" in everyone
    nobody, html = tab.view(None, gr.Request(username="Iemand Anders"))
    assert nobody["choices"] == [] and "niet als digicoach" in html


# --- the source view --------------------------------------------------------------------------------------


def test_the_source_view_serves_only_tips_and_notes_and_never_runs_their_html(site: Site, tmp_path: Path) -> None:
    (tmp_path / "geheim.md").write_text("---\ntitle: geheim\n---\nwachtwoord\n")
    (site.corpus / "tips" / "link.md").symlink_to(tmp_path / "geheim.md")
    tip = (site.corpus / "tips" / "outlook-handtekening-huisstijl.md").read_text()
    (site.corpus / "tips" / "script.md").write_text(tip.replace("status: active", "status: retired") + (
        "\n<script>alert(1)</script> [klik](javascript:alert(2)) <img src=x onerror=alert(3)>\n"))
    for bad in ("../coaches.yaml", "coaches.yaml", "tips/../../geheim.md", "/etc/passwd", "tips/link.md",
                "startcheck.yaml", "tips/bestaat-niet.md", "tips\\..\\coaches.yaml"):
        response = site.client.get("/bron", params={"pad": bad})
        assert response.status_code == 404 and "Deze bron bestaat niet" in response.text, bad
    html = site.client.get("/bron", params={"pad": "tips/script.md", "terug": "//evil.example/x"}).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "href=\"javascript:" not in html and "<img src=x" not in html
    assert "Deze tip is ingetrokken" in html and 'href="//evil.example' not in html
    note = site.client.get("/bron", params={"pad": "overleg/2026-11-18-digicoach-overleg.md"})
    assert note.status_code == 200 and "Verslag van het digicoach-overleg" in note.text


# --- a broken start check ---------------------------------------------------------------------------------


def test_a_broken_start_check_shows_a_notice_with_the_reasons(site: Site) -> None:
    path = site.corpus / "startcheck.yaml"
    path.write_text(path.read_text().replace("[printen-scannen-naar-mail]", "[printen-stadhuis-tweede-verdieping]"))
    html = site.client.get("/start").text
    assert "De startcheck is even niet beschikbaar" in html and 'href="/"' in html
    assert "printen-stadhuis-tweede-verdieping" in html and "ingetrokken (status: retired)" in html
    assert "even niet beschikbaar" in site.client.post("/start", data={"dienst": "ict"}).text
    path.write_text(path.read_text().replace("[printen-stadhuis-tweede-verdieping]", "[printen-scannen-naar-mail]"))
    assert "Toon mijn tippad" in site.client.get("/start").text  # the fix shows without a restart
    path.unlink()
    assert "De startcheck is nog niet ingesteld" in site.client.get("/start").text


def test_the_chat_page_keeps_answering_with_a_broken_start_check(tmp_path: Path, ingested_dir: Path) -> None:
    import httpx
    from conftest import HashEmbedder
    from gradio_client import Client
    from test_app import BADGE_QUESTION, fake_copy, start_web

    settings = fake_copy(ingested_dir, tmp_path)
    (settings.corpus_dir / "startcheck.yaml").write_text("areas: [\n  - id: kapot\n", encoding="utf-8")
    for web in start_web(tmp_path, settings, HashEmbedder()):
        start = httpx.get(f"{web.url}/start")
        assert start.status_code == 200 and "De startcheck is even niet beschikbaar" in start.text
        assert "geen geldige YAML" in start.text
        assert "Nieuw bij de stad? Doe de startcheck" in httpx.get(f"{web.url}/config").text
        html = Client(f"{web.url}/", verbose=False).predict(BADGE_QUESTION, "burgerzaken", [], "",
                                                            api_name="/vraag")[0]
        assert "Printen met je badge" in html


def test_shared_results_are_a_named_migration_beside_the_escalations(tmp_path: Path) -> None:
    """Either store may open the database first; each brings its own tables once, and the rows stay."""
    from assistant.db import Database
    from assistant.records import MIGRATIONS as RECORDS
    from assistant.records import EscalationStore
    from assistant.startcheck_store import MIGRATIONS as START

    for first in ("records", "start"):
        path = tmp_path / f"{first}.sqlite3"
        opened = [EscalationStore, StartResults] if first == "records" else [StartResults, EscalationStore]
        for store in opened:
            store(path)
        StartResults(path).add("reeks", "ict", TODAY, {"aanmelden": 1.5})
        for store in opened:  # opening again runs nothing twice
            store(path)
        assert Database(path, []).applied() == {name for name, _ in [*RECORDS, *START]} >= {"records-initial-tables",
                                                                                       "startcheck-results"}
        assert [n.latest.levels for n in StartResults(path).newcomers()] == [{"aanmelden": 1.5}]


def test_a_coach_edits_the_start_check_in_the_workspace_and_a_broken_edit_is_not_saved(site: Site) -> None:
    from assistant.config import Settings
    from assistant.ui.coach_startcheck import StartcheckEditor

    editor = StartcheckEditor(Settings(corpus_dir=site.corpus, data_dir=site.data))
    path = site.corpus / "startcheck.yaml"
    shipped = editor.load(gr.Request(username="An Declercq"))
    assert shipped == path.read_text(encoding="utf-8") and "areas:" in shipped
    broken = shipped.replace("[printen-scannen-naar-mail]", "[printen-stadhuis-tweede-verdieping]")
    broken = broken.replace("  - id: outlook\n", "  - id: aanmelden\n")
    message = editor.save(broken, gr.Request(username="An Declercq"))
    assert "Niet opgeslagen: startcheck.yaml bevat 2 fout(en)" in message
    assert "ingetrokken" in message and "aanmelden" in message
    assert path.read_text(encoding="utf-8") == shipped  # nothing written
    assert "Niet opgeslagen" in editor.save("areas: [\n  - id: kapot\n", gr.Request(username="An Declercq"))
    edited = shipped.replace("Kan je je e-mailhandtekening", "Kan je jouw e-mailhandtekening")
    assert "Opgeslagen: de startcheck heeft nu 17 vragen" in editor.save(edited, gr.Request(username="An Declercq"))
    assert path.read_text(encoding="utf-8") == edited
    assert "Kan je jouw e-mailhandtekening" in site.client.get("/start").text  # /start shows it at once
    with pytest.raises(gr.Error):
        editor.save(shipped, gr.Request())  # not logged in


def test_the_workspace_refuses_to_retire_a_tip_a_path_needs(site: Site) -> None:
    from assistant.config import Settings
    from ingest.corpus_files import CorpusError, set_front_matter

    settings = Settings(corpus_dir=site.corpus, data_dir=site.data)
    needed = "tips/printen-scannen-naar-mail.md"
    before = (site.corpus / needed).read_bytes()
    with pytest.raises(CorpusError, match="Deze tip kan niet ingetrokken worden: de startcheck"):
        set_front_matter(settings, needed, "status", "retired")
    assert (site.corpus / needed).read_bytes() == before
    assert not set_front_matter(settings, "tips/outlook-verzenden-uitstellen.md", "status", "retired").active
    set_front_matter(settings, needed, "reviewed", "2026-11-30")  # other edits of a needed tip stay possible
    assert "Toon mijn tippad" in site.client.get("/start").text
