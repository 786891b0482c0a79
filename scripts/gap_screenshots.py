"""Screenshots of the gap board, the freshness view and the agenda for the README, on a generated question log.

    python benchmarks/question_log.py --data-dir data/bench-gaps
    python scripts/gap_screenshots.py --data-dir data/bench-gaps [--out docs/screenshots]

Serves the real app (real model) on a free port over a COPY of the data dir, logs in as a coach created for the
copy, and saves gaps.png, freshness.png, agenda.png and chat-freshness.png; also writes docs/agenda-voorbeeld.md.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()
COACH, PASSWORD = "Jan Vanneste", "schermafdrukken-maken"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    import uvicorn
    from playwright.sync_api import sync_playwright

    from assistant.auth import AccountStore
    from assistant.config import Settings
    from assistant.service import build_assistant
    from assistant.ui import create_app

    work = Path(tempfile.mkdtemp(prefix="digihulp-shots-"))
    shutil.copytree(args.data_dir, work / "data")
    shutil.copytree(ROOT / "corpus", work / "corpus")
    # OneDrive tips on a 60-day review interval, so the views show overdue tips as a busy autumn would.
    settings = Settings(corpus_dir=work / "corpus", data_dir=work / "data", query_workers=-1,
                        review_interval_by_app={"OneDrive": 60})
    AccountStore(settings.accounts_file).add(COACH, PASSWORD, "omgeving")
    app = create_app(settings, build_assistant(settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    url = f"http://127.0.0.1:{port}"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1250}, locale="nl-BE")
        page.set_default_timeout(120_000)
        page.goto(f"{url}/")
        page.locator("#dh-dienst input").click()
        page.get_by_role("option", name="Omgeving").first.click()
        page.locator("#dh-vraag textarea").fill("Hoe verhuis ik mijn H-schijf naar OneDrive?")
        page.locator("#dh-vraag-knop").click()
        page.locator("#dh-antwoord .dh-fresh").first.wait_for()
        page.locator("#dh-antwoord").screenshot(path=str(args.out / "chat-freshness.png"))
        page.goto(f"{url}/coach")
        page.fill("#naam", COACH)
        page.fill("#wachtwoord", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.locator("#dh-queue").wait_for()
        for tab, ready, name in (("Kennishiaten", "#dh-gaps .dh-card", "gaps.png"),
                                 ("Nakijken", "#dh-fresh-table", "freshness.png")):
            page.get_by_role("tab", name=tab).click()
            page.locator(ready).first.wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / name))
        page.get_by_role("tab", name="Overleg").click()
        page.locator("#dh-agenda-maak").click()
        page.locator("#dh-agenda-body").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(args.out / "agenda.png"))
        browser.close()
    server.should_exit = True
    agenda = sorted((work / "data" / "agenda").glob("agenda-*.md"))[-1]
    example = ROOT / "docs" / "agenda-voorbeeld.md"
    text = agenda.read_text(encoding="utf-8")
    for png in agenda.parent.glob(f"{agenda.stem}-*.png"):
        shutil.copy(png, ROOT / "docs" / png.name.replace(agenda.stem, "agenda-voorbeeld"))
        text = text.replace(png.name, png.name.replace(agenda.stem, "agenda-voorbeeld"))
    example.write_text(text, encoding="utf-8")
    print(f"screenshots in {args.out}, agenda in {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
