"""The web app over real HTTP: a uvicorn server in a thread, the chat page through gradio_client, the coach
workspace's protection, login and rate limiting, and the coach handlers (answer, tip, upload, retire).

Fast tier: the assistant runs on the fake embedder over a real Chroma index of the fixture corpus and real
SQLite; tests/test_browser.py drives the same app on the real model."""

from __future__ import annotations

import json
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import httpx
import pytest
from chroma_server import free_port
from conftest import FAKE_CONFIDENCE_THRESHOLD, FAKE_UNSURE_THRESHOLD, FakeClock, HashEmbedder, private_settings

from assistant.ui.services import Services
from ingest import catalog

COACH, PASSWORD = "An Declercq", "een-lang-testwachtwoord"
BADGE_QUESTION = "hoe print ik met mijn badge"


@dataclass
class Web:
    url: str
    settings: Any
    assistant: Any
    login_clock: FakeClock
    session_clock: FakeClock
    evals_file: Path
    root: Path


def serve(app: Any) -> Iterator[str]:
    """Run `app` with uvicorn in a daemon thread; yields its base URL and stops it afterwards."""
    import uvicorn

    port = free_port()
    # Open event streams of gradio clients would hold a graceful shutdown for its whole 15 s wait.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def private_copy(ingested_dir: Path, root: Path, **overrides: Any) -> Any:
    """Settings on a private copy of the ingested fixture corpus and data (tests write tips and escalations)."""
    return private_settings(ingested_dir, root, corpus=True, **overrides)


def fake_copy(ingested_dir: Path, root: Path) -> Any:
    return private_copy(ingested_dir, root, confidence_threshold=FAKE_CONFIDENCE_THRESHOLD,
                        unsure_threshold=FAKE_UNSURE_THRESHOLD)


def start_web(root: Path, settings: Any, embedder: Any) -> Iterator[Web]:
    """The whole web app around an assistant on `settings` and `embedder`, served on a free port."""
    from assistant.auth import AccountStore
    from assistant.service import build_assistant
    from assistant.ui import create_app
    from assistant.ui.session import LoginBackoff, SessionStore

    AccountStore(settings.accounts_file).add(COACH, PASSWORD, "burgerzaken")
    assistant = build_assistant(settings, embedder=embedder)  # like the `assistant` fixture, one per module
    login_clock, session_clock = FakeClock(), FakeClock()
    evals = settings.escalation_evals_file
    app = create_app(settings, assistant, backoff=LoginBackoff(clock=login_clock),
                     sessions=SessionStore(settings.db_path, settings.session_hours, clock=session_clock))
    for url in serve(app):
        yield Web(url, settings, assistant, login_clock, session_clock, evals, root)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, ingested_dir: Path) -> Iterator[Web]:
    root = tmp_path_factory.mktemp("web")
    # Behind a (test) reverse proxy on 127.0.0.1: X-Forwarded-For makes requests come from other colleagues.
    settings = fake_copy(ingested_dir, root).model_copy(update={"trusted_proxies": "127.0.0.1"})
    yield from start_web(root, settings, HashEmbedder())


def login(url: str, name: str = COACH, password: str = PASSWORD, client: str = "",
          headers: dict[str, str] | None = None) -> httpx.Response:
    headers = {**({"X-Forwarded-For": client} if client else {}), **(headers or {})}
    return httpx.post(f"{url}/login", data={"naam": name, "wachtwoord": password}, headers=headers,
                      follow_redirects=False)


def coach_request(name: str = COACH) -> gr.Request:
    return gr.Request(username=name)


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# --- chat page --------------------------------------------------------------------------------------------


def test_health(web: Web) -> None:
    response = httpx.get(f"{web.url}/health")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok" and data["index"] == "ok" and data["database"] == "ok"
    assert data["chunks"] > 0 and data["model"] and data["llm"] == "uit"


def test_chat_answers_with_a_citation(web: Web) -> None:
    from gradio_client import Client

    client = Client(f"{web.url}/", verbose=False)
    html = client.predict(BADGE_QUESTION, "burgerzaken", [], "", api_name="/vraag")[0]
    assert 'class="dh-sources"' in html and "Bronnen" in html
    assert "Printen met je badge" in html
    assert "<details>" in html and "Toon de geciteerde passage" in html


def test_chat_escalates_on_request_and_escapes_the_question(web: Web) -> None:
    from gradio_client import Client

    client = Client(f"{web.url}/", verbose=False)
    question = "<img src=x onerror=alert(1)> hoe zet ik mijn status in teams op afwezig"
    html = client.predict(question, "burgerzaken", [], "", api_name="/vraag")[0]
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    html, ids, status, mine = client.predict("burgerzaken", [], api_name="/escaleer")
    assert "Doorgestuurd naar je digicoach" in html and COACH in html and "?vraag=" in html
    escalation_id = json.loads(ids)[-1] if isinstance(ids, str) else ids[-1]
    stored = web.assistant.records.get(escalation_id)
    assert stored.question.startswith("<img") and stored.coach_name == COACH
    assert "doorgegeven aan An Declercq" in status
    assert "Mijn vragen" in mine and f'data-vraag="{escalation_id}"' in mine and "<img src=x" not in mine


def test_chat_asks_for_a_department_first(web: Web) -> None:
    from gradio_client import Client

    html = Client(f"{web.url}/", verbose=False).predict(BADGE_QUESTION, None, [], "", api_name="/vraag")[0]
    assert "Kies eerst je dienst" in html


def test_index_missing_gives_a_dutch_message_not_a_traceback(tmp_path: Path, embedder: Any) -> None:
    from assistant.config import Settings
    from assistant.service import build_assistant
    from assistant.ui.chat import ChatPage
    from assistant.ui.server import health

    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).parent / "fixtures" / "corpus", corpus)
    assistant = build_assistant(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"), embedder=embedder)
    html = ChatPage(Services.build(assistant), "geheim").ask(BADGE_QUESTION, "ict", [], [], "", None,
                                                             progress=lambda *a, **k: None)[0]
    assert "Er ging iets mis" in html and "zoekindex" in html and "Wat kun je doen?" in html
    assert "Traceback" not in html and "Jonas Verstraete" in html  # the ICT coach to contact
    assert health(assistant).status_code == 503


def test_unavailable_app_shows_the_reason(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from assistant.ui import create_unavailable_app

    client = TestClient(create_unavailable_app("Het taalmodel is niet geïnstalleerd. Voer `make model` uit."))
    for path in ("/", "/coach", "/coach/gradio_api/info"):
        response = client.get(path)
        assert response.status_code == 503 and "taalmodel is niet geïnstalleerd" in response.text
    assert client.get("/health").json()["status"] == "problemen"


# --- coach workspace: protection, login, rate limit ------------------------------------------------------

PROTECTED = [
    ("GET", "/coach/config"), ("GET", "/coach/gradio_api/info"), ("GET", "/coach/gradio_api/openapi.json"),
    ("POST", "/coach/gradio_api/queue/join"), ("GET", "/coach/gradio_api/queue/data?session_hash=abc"),
    ("POST", "/coach/gradio_api/upload"), ("GET", "/coach/gradio_api/file=/etc/hostname"),
    ("POST", "/coach/gradio_api/run/predict"), ("GET", "/coach/theme.css"), ("GET", "/coach/gradio_api/heartbeat/x"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_coach_api_without_session_gets_no_data(web: Web, method: str, path: str) -> None:
    for cookies in ({}, {"digihulp_session": "verzonnen"}):
        response = httpx.request(method, f"{web.url}{path}", cookies=cookies, json={}, follow_redirects=False)
        assert response.status_code == 401, path
        assert "Escalaties" not in response.text and "components" not in response.text


def test_coach_page_redirects_to_login(web: Web) -> None:
    response = httpx.get(f"{web.url}/coach", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = httpx.get(f"{web.url}/coach/", follow_redirects=True)
    assert page.url.path == "/login" and 'name="wachtwoord"' in page.text and "Escalaties" not in page.text


def test_gradio_client_cannot_open_the_coach_app(web: Web) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 (the client raises its own error types for 401)
        Client(f"{web.url}/coach/", verbose=False)


def test_coach_queue_join_is_refused_even_with_a_real_event(web: Web) -> None:
    cookie = login(web.url).cookies["digihulp_session"]
    config = httpx.get(f"{web.url}/coach/config", cookies={"digihulp_session": cookie}).json()
    fn_index = next(i for i, dep in enumerate(config["dependencies"]) if dep.get("targets"))
    body = {"data": [], "fn_index": fn_index, "session_hash": "abc123", "event_data": None, "trigger_id": None}
    assert httpx.post(f"{web.url}/coach/gradio_api/queue/join", json=body).status_code == 401


def test_login_wrong_password_fails_right_password_works(web: Web) -> None:
    wrong = login(web.url, password="niet-het-wachtwoord")
    assert wrong.status_code == 401 and "niet juist" in wrong.text and "digihulp_session" not in wrong.cookies
    assert login(web.url, name="Niemand").status_code == 401
    right = login(web.url, name="an declercq")
    assert right.status_code == 303 and right.headers["location"] == "/coach/"
    set_cookie = right.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/" in set_cookie
    cookies = {"digihulp_session": right.cookies["digihulp_session"]}
    page = httpx.get(f"{web.url}/coach/", cookies=cookies)
    assert page.status_code == 200
    config = httpx.get(f"{web.url}/coach/config", cookies=cookies)
    assert config.status_code == 200 and "Escalaties" in config.text
    logout = httpx.post(f"{web.url}/logout", cookies=cookies, follow_redirects=False)
    assert logout.status_code == 303
    assert httpx.get(f"{web.url}/coach/config", cookies=cookies).status_code == 401


def test_login_from_another_site_is_refused(web: Web) -> None:
    response = httpx.post(f"{web.url}/login", data={"naam": COACH, "wachtwoord": PASSWORD},
                          headers={"Origin": "http://evil.example"}, follow_redirects=False)
    assert response.status_code == 403 and "digihulp_session" not in response.cookies


def test_wrong_passwords_slow_down_that_client_but_never_lock_the_account(web: Web) -> None:
    """Issue 12 point 12: a colleague typing a coach's name with wrong passwords cannot lock the coach out."""
    web.login_clock.now += 3600  # forget failures of other tests
    for _ in range(5):
        assert login(web.url, password="fout-fout-fout", client="10.1.1.1").status_code == 401
    waiting = login(web.url, client="10.1.1.1")  # even the right password waits out the backoff
    assert waiting.status_code == 429 and "Te veel mislukte pogingen vanaf dit toestel" in waiting.text
    assert "digihulp_session" not in waiting.cookies
    assert login(web.url, client="10.2.2.2").status_code == 303  # the coach, on their own pc: not locked
    web.login_clock.now += 2.5  # the first wait is 2 s
    assert login(web.url, client="10.1.1.1").status_code == 303


def test_behind_a_trusted_proxy_one_client_does_not_slow_down_everyone(web: Web) -> None:
    web.login_clock.now += 3600
    for _ in range(8):
        login(web.url, password="fout-fout-fout", client="10.9.9.9")
    assert login(web.url, client="10.9.9.9").status_code == 429
    # Without X-Forwarded-For the proxy's own address is the client: a separate one.
    assert login(web.url).status_code == 303
    # A client cannot dodge its backoff by writing its own X-Forwarded-For: the proxy appends the real one.
    assert login(web.url, client="1.2.3.4, 10.9.9.9").status_code == 429


def test_secure_cookie_over_https_behind_a_trusted_proxy(web: Web) -> None:
    def flags(response: httpx.Response) -> list[str]:
        session = next(c for c in response.headers.get_list("set-cookie") if c.startswith("digihulp_session="))
        return [part.strip() for part in session.lower().split(";")]

    assert "secure" not in flags(login(web.url))
    assert "secure" in flags(login(web.url, headers={"X-Forwarded-Proto": "https"}))


def test_session_expires(web: Web) -> None:
    cookies = {"digihulp_session": login(web.url).cookies["digihulp_session"]}
    assert httpx.get(f"{web.url}/coach/gradio_api/info", cookies=cookies).status_code == 200
    web.session_clock.now += web.settings.session_hours * 3600 + 1
    assert httpx.get(f"{web.url}/coach/gradio_api/info", cookies=cookies).status_code == 401
    back = httpx.get(f"{web.url}/coach/", cookies=cookies, follow_redirects=True)
    assert back.url.path == "/login" and "Je bent afgemeld, meld je opnieuw aan." in back.text


@pytest.mark.parametrize("path", ["/coach", "/coach/"])
def test_the_workspace_opens_with_and_without_a_trailing_slash(web: Web, path: str) -> None:
    cookies = {"digihulp_session": login(web.url).cookies["digihulp_session"]}
    page = httpx.get(f"{web.url}{path}?x=1", cookies=cookies, follow_redirects=True)
    assert page.status_code == 200 and page.url.path == "/coach/" and "detail" not in page.text[:50]
    assert "dh-relogin" in page.text  # the sign-in-again dialog's script is on the page


def test_sessions_survive_an_app_restart(web: Web) -> None:
    """Issue 12 point 9: sessions live in the SQLite database, so a new app on the same data keeps them."""
    from fastapi.testclient import TestClient

    from assistant.ui import create_app
    from assistant.ui.session import SessionStore

    token = login(web.url).cookies["digihulp_session"]
    sessions = SessionStore(web.settings.db_path, web.settings.session_hours, clock=web.session_clock)
    restarted = TestClient(create_app(web.settings, web.assistant, sessions=sessions))
    config = restarted.get("/coach/config", cookies={"digihulp_session": token})
    assert config.status_code == 200 and "Escalaties" in config.text
    assert restarted.get("/coach/config", cookies={"digihulp_session": "verzonnen"}).status_code == 401


def test_without_accounts_the_workspace_explains_how_to_create_one(web: Web, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from assistant.ui import create_app

    settings = web.settings.model_copy(update={"data_dir": tmp_path / "data"})
    client = TestClient(create_app(settings, web.assistant))
    page = client.get("/login")
    assert page.status_code == 503 and "python -m assistant.auth add-coach" in page.text
    assert 'name="wachtwoord"' not in page.text
    assert client.post("/login", data={"naam": COACH, "wachtwoord": PASSWORD}).status_code == 503
    assert client.get("/coach/config").status_code == 401


# --- coach handlers ---------------------------------------------------------------------------------------


def test_coach_answer_reaches_the_colleague(web: Web) -> None:
    from assistant.ui.chat import ChatPage
    from assistant.ui.coach_queue import QueueTab
    from assistant.ui.session import load_secret, sign_id

    answer = web.assistant.ask("<b>vet</b> mijn scanner piept", "burgerzaken", escalate=True)
    coach = QueueTab(Services.build(web.assistant))
    queue, _, detail, _ = coach.refresh("burgerzaken", "open", None, coach_request())
    assert f"#{answer.escalation_id}" in queue and "&lt;b&gt;vet&lt;/b&gt;" in queue and "<b>vet" not in detail
    message = coach.answer(answer.escalation_id, "Herstart de scanner <script>x</script>.", coach_request())
    assert "bewaard" in message
    with pytest.raises(gr.Error):
        coach.close(answer.escalation_id, "", gr.Request())  # no user: refused
    chat = ChatPage(Services.build(web.assistant), load_secret(web.settings.data_dir))
    request = SimpleNamespace(query_params={"vraag": sign_id(chat.secret, answer.escalation_id)})
    _, top, mine, ids = chat.on_load("burgerzaken", [], request)
    html = top + mine
    assert answer.escalation_id in ids and "Herstart de scanner &lt;script&gt;" in html and "<script>" not in html
    _, top, mine, _ = chat.on_load("burgerzaken", [], SimpleNamespace(
        query_params={"vraag": f"{answer.escalation_id}.0"}))
    assert "Herstart" not in top + mine and "klopt niet" in top  # a forged link shows nothing of the question


def test_hand_over_moves_the_question_to_the_receivers_department(web: Web) -> None:
    """Issue 12 point 7: filed under the receiver's department, in their own view, the colleague sees the coach."""
    from assistant.ui.coach_queue import QueueTab

    esc_id = web.assistant.ask("mijn scanner piept altijd", "burgerzaken", escalate=True).escalation_id
    queue = QueueTab(Services.build(web.assistant))
    labels = [label for label, _ in queue.handover_choices()]
    assert labels[0].startswith("Coördinator – ")
    assert "ICT – Jonas Verstraete (digicoach)" in labels
    depts = [label.split(" – ")[0] for label in labels[1:]]
    assert depts == sorted(depts, key=lambda d: (next(x.site for x in web.assistant.directory.departments()
                                                      if x.name == d), d.casefold()))  # grouped by department
    assert "Kies de coach" in queue.hand_over(esc_id, "onbekend:coach", coach_request())
    message = queue.hand_over(esc_id, "ict:coach", coach_request())
    assert "doorgegeven aan Jonas Verstraete" in message and "bij de vragen van ICT" in message
    stored = web.assistant.records.get(esc_id)
    assert (stored.coach_name, stored.department, stored.handed_over_from) == ("Jonas Verstraete", "ict", COACH)
    assert stored.coach_email == web.assistant.directory.get("ict").coach.email and stored.route_reason == "coach"
    html, _, _, _ = queue.refresh("ict", "open", None, coach_request("Jonas Verstraete"))
    assert f"#{esc_id}" in html and "Goed bezig" not in html
    mine, _, _, _ = queue.refresh("mijn", "open", None, coach_request("Jonas Verstraete"))
    assert f"#{esc_id}" in mine
    assert f"#{esc_id}" not in queue.refresh("burgerzaken", "open", None, coach_request())[0]
    assert "gesloten" in queue.close(esc_id, "Opgelost aan de telefoon.", coach_request())
    closed = web.assistant.records.get(esc_id)
    assert closed.status == "closed" and closed.close_note == "Opgelost aan de telefoon."
    assert "Dat lukte niet" in queue.answer(esc_id, "te laat", coach_request())
    with pytest.raises(gr.Error, match="Je bent afgemeld"):
        queue.close(esc_id, "", gr.Request())  # no user: refused, in Dutch


def test_queue_and_detail_show_department_names_not_ids(web: Web) -> None:
    from assistant.ui.coach_queue import QueueTab

    esc_id = web.assistant.ask("mijn scanner doet raar", "cultuur", escalate=True).escalation_id
    queue = QueueTab(Services.build(web.assistant))
    html, choices, detail, _ = queue.refresh("cultuur", "open", esc_id, coach_request())
    assert "Cultuur en evenementen" in html and "Dienst: Cultuur en evenementen" in detail
    assert all(" · cultuur · " not in label for label, _ in choices["choices"])
    assert "Cultuur en evenementen" in dict(queue.department_choices())


def test_answer_becomes_a_tip_and_an_eval_question(tmp_path: Path, ingested_dir: Path, embedder: Any) -> None:
    from assistant.service import build_assistant
    from assistant.ui.coach_corpus import CorpusTabs
    from assistant.ui.coach_tip import TipTab
    from ingest.loaders import load_markdown, read_text

    settings = fake_copy(ingested_dir, tmp_path)
    assistant = build_assistant(settings, embedder=embedder)
    question = "Hoe koppel ik de nieuwe labelprinter van de bib aan mijn laptop?"
    esc_id = assistant.ask(question, "cultuur", escalate=True).escalation_id
    assistant.records.answer(esc_id, "Open Instellingen > Printers en kies 'Labelprinter bib' (Brother QL).",  # type: ignore[arg-type]
                             COACH)
    tabs, tip, evals = CorpusTabs(Services.build(assistant)), TipTab(Services.build(assistant)), \
        settings.escalation_evals_file
    assert tip.choices()[0] == (f"#{esc_id} · Cultuur en evenementen · {question}", f"vraag-{esc_id}")
    title, _app, _tags, dept, body, _ = tip.load_tip(f"vraag-{esc_id}", coach_request())
    assert title.startswith("Hoe koppel ik") and dept == "cultuur" and "Brother QL" in body
    message = tip.save_tip(f"vraag-{esc_id}", "Labelprinter van de bib koppelen", "Printen",
                           "printen, labelprinter, bib", dept, body, coach_request())
    assert "tips/labelprinter-van-de-bib-koppelen.md" in message
    path = settings.corpus_dir / "tips" / "labelprinter-van-de-bib-koppelen.md"
    doc = load_markdown(read_text(path), "tips/labelprinter-van-de-bib-koppelen.md", "tip")
    assert doc.active and doc.meta["author"] == COACH and doc.meta["app"] == "Printen"
    assert doc.meta["tags"] == ["printen", "labelprinter", "bib"] and doc.meta["department"] == "cultuur"
    line = json.loads(evals.read_text(encoding="utf-8").splitlines()[-1])
    assert line == {"id": f"esc-{esc_id}", "question": question,
                    "expected_sources": ["tips/labelprinter-van-de-bib-koppelen.md"], "answerable": True,
                    "department": "cultuur", "notes": line["notes"]}
    # Issue 12 point 10: "Tip opslaan" twice (a double click) writes one tip, not `…-2.md`.
    second = tip.save_tip(esc_id, "Labelprinter van de bib koppelen", "Printen", "", dept, body, coach_request())
    assert "tips/labelprinter-van-de-bib-koppelen.md bijgewerkt" in second and "evaluatieset" not in second
    assert not (settings.corpus_dir / "tips" / "labelprinter-van-de-bib-koppelen-2.md").exists()
    assert len(evals.read_text(encoding="utf-8").splitlines()) == 1  # a second save does not duplicate the question
    assert "&id0" not in path.read_text(encoding="utf-8")
    assert "Toegevoegd: 1" in tabs.reindex(coach_request(), progress=lambda *a, **k: None)
    answer = assistant.ask("labelprinter van de bib koppelen aan laptop", "cultuur")
    assert any(c.source == "tips/labelprinter-van-de-bib-koppelen.md" for c in answer.citations)


def test_retire_and_mark_reviewed(tmp_path: Path, ingested_dir: Path, embedder: Any) -> None:
    from assistant.service import build_assistant
    from assistant.ui.coach_corpus import CorpusTabs
    from ingest.loaders import load_markdown, read_text

    settings = fake_copy(ingested_dir, tmp_path)
    tabs = CorpusTabs(Services.build(build_assistant(settings, embedder=embedder)))
    rel = "tips/windows-scherm-vergrendelen.md"
    before = read_text(settings.corpus_dir / rel)
    assert "ingetrokken" in tabs.retire(rel, coach_request())
    after = read_text(settings.corpus_dir / rel)
    assert not load_markdown(after, rel, "tip").active
    assert after.replace("status: retired", "status: active") == before  # nothing else changed
    assert "nagekeken" in tabs.mark_reviewed("tips/teams-status-instellen.md", coach_request())
    html, choices, page, where = tabs.listing("tip", "alle", coach_request())
    assert "ingetrokken" in html and "Printen" in html and "printen-pincode-oud" in html
    assert rel not in [value for _, value in choices["choices"]] and page == 0 and where == "Pagina 1 van 1"
    for bad in ("../coaches.yaml", "tips/../../etc/passwd.md", "handleidingen/mini-handleiding-printen.pdf", ""):
        assert "dh-error" in tabs.retire(bad, coach_request())


def test_corpus_list_filters_and_pages(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.ui import coach_render
    from assistant.ui.coach_corpus import CorpusTabs

    tabs = CorpusTabs(Services.build(web.assistant))
    html, _, _, _ = tabs.listing("alle", "alle", coach_request(), "badge")
    assert "printen-met-badge" in html and "teams-status-instellen" not in html
    monkeypatch.setattr(coach_render, "PAGE_SIZE", 3)
    first, _, page, where = tabs.listing("alle", "alle", coach_request(), "", 0)
    _, _, last_page, last_where = tabs.listing("alle", "alle", coach_request(), "", 99)
    total = len(catalog.list_documents(web.settings))
    assert page == 0 and where == f"Pagina 1 van {-(-total // 3)}" and f"Documenten 1–3 van {total}" in first
    assert last_page == -(-total // 3) - 1 and last_where.startswith(f"Pagina {last_page + 1} ")
    assert first.count("<tr>") == 4  # header + 3


def test_batch_from_the_workspace_and_a_refused_zip_leave_the_corpus_alone(web: Web, tmp_path: Path) -> None:
    from assistant.ui.coach_batch import BatchSection

    section = BatchSection(Services.build(web.assistant), threading.Lock())
    assert "nog geen tips in de batch" in section.run("werkruimte", None, True, coach_request(),
                                                        progress=lambda *a, **k: None)
    assert "Kies eerst het zip-bestand" in section.run("zip", None, True, coach_request())
    bad = tmp_path / "batch.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("tips/../../evil.md", VALID_TIP)
    before = files_under(web.root)
    message = section.run("zip", str(bad), False, coach_request(), progress=lambda *a, **k: None)
    assert "dh-error" in message and "&#x27;..&#x27; is niet toegelaten" in message
    assert files_under(web.root) == before
    with pytest.raises(gr.Error):
        section.run("werkruimte", None, True, gr.Request())


def test_corpus_list_flags_old_tips(web: Web) -> None:
    from ingest import catalog

    rows = {r.source: r for r in catalog.list_documents(web.settings)}
    assert rows["handleidingen/mini-handleiding-printen.pdf"].doc_type == "handleiding"
    assert rows["overleg/2026-02-04-digicoach-overleg.md"].doc_type == "overleg"
    tip = rows["tips/printen-met-badge.md"]
    assert tip.app == "Printen" and tip.reviewed == "2026-03-05" and tip.author == "Pieter Vermeulen"
    from datetime import date

    assert tip.stale == (date.fromisoformat("2026-03-05").toordinal() < date.today().toordinal() - 365)


# --- uploads ----------------------------------------------------------------------------------------------

VALID_TIP = """---
title: "Een testtip over de scanner"
app: Scanner
author: "An Declercq"
department: burgerzaken
created: 2026-05-01
status: active
---
Druk twee seconden op de knop **Scan naar mail**.
"""


@pytest.mark.parametrize("name", [
    "../../evil.md", "..\\..\\evil.md", "/etc/evil.md", "tips/../../evil.md", "....md", ".verborgen.md",
    "tip.exe", "tip.md.exe", "tip.html", "tip", "tip.MD.sh", "geen\x00naam.md",
])
def test_upload_refuses_traversal_and_wrong_extensions(web: Web, tmp_path: Path, name: str) -> None:
    from ingest.corpus_files import CorpusError, accept_upload

    src = tmp_path / "upload.md"
    src.write_text(VALID_TIP, encoding="utf-8")
    parent = web.root
    before = files_under(parent)
    with pytest.raises(CorpusError):
        accept_upload(web.settings, src, name)
    assert files_under(parent) == before
    assert not (web.root.parent / "evil.md").exists()


def test_upload_validates_and_accepts(web: Web, tmp_path: Path) -> None:
    from assistant.ui.coach_corpus import CorpusTabs

    tabs = CorpusTabs(Services.build(web.assistant))
    corpus = web.settings.corpus_dir
    bad = tmp_path / "kapotte-tip.md"
    bad.write_text(VALID_TIP.replace("app: Scanner\n", ""), encoding="utf-8")
    assert "Verplichte velden ontbreken" in tabs.upload(str(bad), coach_request())
    fake_pdf = tmp_path / "handleiding.pdf"
    fake_pdf.write_bytes(b"dit is geen pdf")
    assert "geen PDF" in tabs.upload(str(fake_pdf), coach_request())
    big = tmp_path / "groot.md"
    big.write_text(VALID_TIP + "x" * int(web.settings.max_file_mb * 1_000_000), encoding="utf-8")
    assert "te groot" in tabs.upload(str(big), coach_request())
    good = tmp_path / "Scanner Tip (nieuw).md"
    good.write_text(VALID_TIP, encoding="utf-8")
    assert "toegevoegd als tips/scanner-tip-nieuw.md" in tabs.upload(str(good), coach_request())
    assert (corpus / "tips" / "scanner-tip-nieuw.md").read_text(encoding="utf-8") == VALID_TIP
    assert "bestaat al" in tabs.upload(str(good), coach_request())
    pdf = tmp_path / "Mini handleiding 2.pdf"
    shutil.copyfile(corpus / "handleidingen" / "mini-handleiding-printen.pdf", pdf)
    assert "handleidingen/mini-handleiding-2.pdf" in tabs.upload(str(pdf), coach_request())
    assert not [p for p in corpus.rglob("*.tmp")]
    with pytest.raises(gr.Error):
        tabs.upload(str(good), gr.Request())
