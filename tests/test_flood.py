"""Issue 16's flood, against the real web app over the chat page's own API: 30 off-topic questions from one
browser in a few seconds leave at most 5 escalations, repeats merged into a counter, a clear Dutch message, and
colleagues in other browsers unaffected. Fast tier: fake embedder, real Chroma, SQLite, uvicorn and Gradio."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import HashEmbedder
from test_app import BADGE_QUESTION, Web, fake_copy, start_web

from assistant.ui.client import BROWSER_COOKIE

OFF_TOPIC = [
    "Wanneer is de kerstmarkt op de Markt dit jaar?",
    "Wat eten we vrijdag in de kantine?",
    "Wie wint de koers van zondag?",
    "Hoe laat sluit het zwembad op woensdag?",
    "Waar kan ik mijn fiets laten herstellen?",
    "Welke film speelt er in het cultuurcentrum?",
    "Is de parking achter het stadhuis morgen open?",
    "Hoeveel vakantiedagen heeft een gemeenteraadslid?",
]
LIMIT_MESSAGE = "Nieuwe vragen doorgeven kan pas weer"


@pytest.fixture(scope="module")
def flood_web(tmp_path_factory: pytest.TempPathFactory, ingested_dir: Path) -> Iterator[Web]:
    root = tmp_path_factory.mktemp("flood")
    yield from start_web(root, fake_copy(ingested_dir, root), HashEmbedder())


def ask(browser: httpx.Client, question: str, department: str = "burgerzaken") -> str:
    """One question through POST /gradio_api/call/vraag (as the page and benchmarks/load.py do); the answer HTML."""
    response = browser.post("/gradio_api/call/vraag", json={"data": [question, department, [], [], "", None]})
    response.raise_for_status()
    stream = browser.get(f"/gradio_api/call/vraag/{response.json()['event_id']}")
    data = [line[5:].strip() for line in stream.text.splitlines() if line.startswith("data:")]
    assert "event: complete" in stream.text, stream.text[:300]
    return str(json.loads(data[-1])[0])


@contextmanager
def open_browser(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=120) as browser:
        browser.get("/")  # the chat page hands out the browser token
        assert BROWSER_COOKIE in browser.cookies
        yield browser


def test_a_flood_leaves_at_most_five_escalations_and_others_are_unaffected(flood_web: Web) -> None:
    records, duplicates = flood_web.assistant.records, flood_web.assistant.intake.duplicates
    flood = [OFF_TOPIC[i % len(OFF_TOPIC)] for i in range(30)]
    with open_browser(flood_web.url) as flooder, ThreadPoolExecutor(max_workers=10) as pool:
        # One question first: ten concurrent first questions on a cold index trip a race in opening Chroma
        # ('RustBindingsAPI' object has no attribute 'bindings'), which is not what this test is about.
        assert "Printen met je badge" in ask(flooder, BADGE_QUESTION)
        pages = list(pool.map(lambda q: ask(flooder, q), flood))
        assert 1 <= len(records.escalations()) <= 5
        refused = [p for p in pages if LIMIT_MESSAGE in p]
        assert refused, "the colleague over the limit must be told"
        # The message names the department's coach and how to reach her directly.
        assert all("An Declercq" in p and "an.declercq@waregem.example" in p and "056 00 00 10" in p
                   for p in refused)
        merged = sum(duplicates.repeats(e.id).count for e in records.escalations())
        assert merged >= 1 and any("nog eens gevraagd" in p for p in pages)
        assert len(refused) + merged + len(records.escalations()) == 30  # every question got one of the three
        print(f"flood of 30: {len(records.escalations())} escalations, {merged} merged, {len(refused)} refused")
        # Answers keep working for the flooding browser; only escalations are limited.
        answered = ask(flooder, BADGE_QUESTION)
        assert "Printen met je badge" in answered and LIMIT_MESSAGE not in answered
        assert LIMIT_MESSAGE in ask(flooder, "Wat is het weer morgen in Waregem?")
    before = len(records.escalations())
    with open_browser(flood_web.url) as colleague:  # same address (loopback), another browser
        # (not a facilities question: those get a pointer to the right service, no escalation, since issue 12)
        page = ask(colleague, "Hoe zet ik de planning van de koers van zondag in de stadskalender?", "ict")
    assert "Doorgestuurd naar je digicoach" in page and LIMIT_MESSAGE not in page
    assert len(records.escalations()) == before + 1
