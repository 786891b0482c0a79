"""Faults: ingest killed at exact steps, the app killed while escalating, the Chroma server going away,
and a broken index, model or data dir. Real processes, real Chroma, real SQLite, the real model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from chroma_server import ChromaServer, free_port
from test_app import BADGE_QUESTION, serve

from assistant.config import Settings
from assistant.records import EscalationStore
from assistant.store import ChromaStore

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
# Answered from tips that the fault tests never touch.
QUESTIONS = ("hoe print ik met mijn badge", "hoe zet ik mijn status in teams op afwezig",
             "ik heb een bestand in onedrive per ongeluk verwijderd")
NOBODY_KNOWS = "Welk gerecht eet de burgemeester het liefst op een dinsdag"


@pytest.fixture
def own(real_ingested_dir: Path, tmp_path: Path) -> Settings:
    """A private copy of the ingested corpus and data: these tests change both."""
    shutil.copytree(real_ingested_dir / "corpus", tmp_path / "corpus")
    shutil.copytree(real_ingested_dir / "data", tmp_path / "data")
    return Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")


def cli(module: str, *args: str, settings: Settings, env: dict[str, str] | None = None,
        limit_file_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DIGIHULP_CORPUS_DIR": str(settings.corpus_dir),
                "DIGIHULP_DATA_DIR": str(settings.data_dir), **(env or {})}

    def full_disk() -> None:  # the kernel refuses to grow any file past the limit: a full disk, as seen
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes or -1, limit_file_bytes or -1))

    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=full_env, capture_output=True,
                          text=True, timeout=600, preexec_fn=full_disk if limit_file_bytes else None)


def answers(settings: Settings, embedder: Any) -> list[tuple[str, tuple[str, ...]]]:
    from assistant.service import build_assistant

    assistant = build_assistant(settings, embedder=embedder)
    return [(a.text, tuple(c.source for c in a.citations)) for a in map(assistant.ask, QUESTIONS)]


# --- ingest killed ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("point", ["ingest-embedding", "ingest-before-publish", "ingest-after-pointer"])
def test_ingest_killed_at_each_step_loses_nothing(own: Settings, real_embedder: Any, point: str) -> None:
    from ingest.pipeline import run_ingest

    before_info = ChromaStore(own).live_info()
    before = answers(own, real_embedder)
    assert before_info is not None and all(sources for _, sources in before)
    tip = own.corpus_dir / "tips" / "windows-scherm-vergrendelen.md"
    tip.write_text(tip.read_text(encoding="utf-8") + "\nTip: zet ook een einddatum.\n", encoding="utf-8")

    killed = cli("ingest", settings=own, env={"DIGIHULP_FAILPOINT": point, "DIGIHULP_EMBED_BATCH_SIZE": "1"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    live = ChromaStore(own).live_info()
    assert live is not None
    if point == "ingest-after-pointer":
        assert live.collection != before_info.collection and live.previous == before_info.collection
    else:
        assert live.collection == before_info.collection
    assert answers(own, real_embedder) == before  # the live index answers exactly as before
    store = ChromaStore(own)
    report = run_ingest(own, real_embedder, store)
    assert report.exit_code == 0 and (report.published or point == "ingest-after-pointer")
    info = store.live_info()
    assert info is not None
    ids = [c.id for c in store.all_chunks(info)]
    assert len(ids) == len(set(ids)) == info.count == report.chunks_total
    assert any("einddatum" in c.text for c in store.all_chunks(info))
    assert answers(own, real_embedder) == before


# --- the app killed while escalations are written --------------------------------------------------------
@dataclass
class AppProcess:
    proc: subprocess.Popen[bytes]
    url: str


def start_app(settings: Settings, extra_env: dict[str, str] | None = None, timeout: float = 240) -> AppProcess:
    port = free_port()
    env = {**os.environ, "DIGIHULP_CORPUS_DIR": str(settings.corpus_dir), "DIGIHULP_DATA_DIR": str(settings.data_dir),
           "DIGIHULP_PORT": str(port), "DIGIHULP_LOG_LEVEL": "WARNING", **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code in (200, 503):
                return AppProcess(proc, url)
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"app.py did not start (exit {proc.poll()})")


def ask_over_http(url: str, question: str, department: str = "ict") -> list[Any]:
    """The chat page's Gradio API, as a browser uses it: submit, then read the event stream."""
    submitted = httpx.post(f"{url}/gradio_api/call/vraag", json={"data": [question, department, [], [], "", None]},
                           timeout=60)
    submitted.raise_for_status()
    stream = httpx.get(f"{url}/gradio_api/call/vraag/{submitted.json()['event_id']}", timeout=120)
    events = [line[5:].strip() for line in stream.text.splitlines() if line.startswith("data:")]
    if not stream.text.count("event: complete"):
        raise RuntimeError(f"no answer: {stream.text[:200]}")
    return list(json.loads(events[-1]))


# Six colleagues from one address without browser cookies, asking questions that differ in a number only: the
# flood protection (limits, merging near-identical questions) would otherwise acknowledge few new escalations.
UNLIMITED = {"DIGIHULP_ESCALATIONS_PER_WINDOW": "0", "DIGIHULP_ESCALATIONS_PER_DAY": "0",
             "DIGIHULP_ESCALATIONS_PER_ADDRESS_WINDOW": "0", "DIGIHULP_ESCALATIONS_PER_ADDRESS_DAY": "0",
             "DIGIHULP_MERGE_DUPLICATES": "false"}


def test_app_killed_while_escalating_keeps_every_acknowledged_escalation(own: Settings) -> None:
    app = start_app(own, UNLIMITED)
    acknowledged: dict[int, str] = {}
    stop = threading.Event()

    def colleague(n: int) -> None:
        for i in range(1000):
            if stop.is_set():
                return
            question = f"{NOBODY_KNOWS} {n}-{i}?"
            try:
                out = ask_over_http(app.url, question)
            except (httpx.HTTPError, RuntimeError):
                return  # the server died under us: nothing was acknowledged for this one
            html, ids = out[0], next((x for x in out[1:] if isinstance(x, list)), [])
            if ids and "digicoach" in html:
                acknowledged[int(ids[-1])] = question

    threads = [threading.Thread(target=colleague, args=(n,), daemon=True) for n in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 240
    while len(acknowledged) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    app.proc.send_signal(signal.SIGKILL)  # mid-stream: other colleagues' escalations are being written
    app.proc.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 12

    restarted = start_app(own, UNLIMITED)
    try:
        health = httpx.get(f"{restarted.url}/health", timeout=10).json()
        assert health["database"] == "ok"
        records = EscalationStore(own.db_path)
        for esc_id, question in acknowledged.items():
            stored = records.get(esc_id)
            assert stored is not None and stored.question == question
    finally:
        restarted.proc.terminate()
        restarted.proc.wait(timeout=30)


# --- the Chroma server goes away and comes back ------------------------------------------------------------
@pytest.fixture
def chroma_app(own: Settings, real_embedder: Any, tmp_path: Path) -> Iterator[tuple[str, ChromaServer]]:
    from assistant.service import build_assistant
    from assistant.ui import create_app

    shutil.copytree(own.chroma_path, tmp_path / "server")  # `chroma run` reads the embedded store's format
    server = ChromaServer(tmp_path / "server")
    server.start()
    remote = own.model_copy(update={"chroma_url": server.url})
    app = create_app(remote, build_assistant(remote, embedder=real_embedder))
    try:
        for url in serve(app):
            yield url, server
    finally:
        server.stop()


def test_chroma_server_down_gives_a_dutch_message_and_answers_resume(chroma_app: tuple[str, ChromaServer]) -> None:
    url, server = chroma_app
    html = ask_over_http(url, BADGE_QUESTION, "burgerzaken")[0]
    assert "Printen met je badge" in html
    server.stop()
    html = ask_over_http(url, BADGE_QUESTION, "burgerzaken")[0]
    assert "Er ging iets mis" in html and "niet bereikbaar" in html and "Wat kun je doen?" in html
    assert "Traceback" not in html and "Exception" not in html
    health = httpx.get(f"{url}/health", timeout=10)
    assert health.status_code == 503 and "niet bereikbaar" in health.json()["index"]
    server.start()  # same port, same data: no restart of the app
    html = ask_over_http(url, BADGE_QUESTION, "burgerzaken")[0]
    assert "Printen met je badge" in html and "Er ging iets mis" not in html
    assert httpx.get(f"{url}/health", timeout=10).status_code == 200


# --- a broken index, model or data dir: a clear message naming the fix, never a traceback -----------------
def assert_clean_failure(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    for needle in needles:
        assert needle in done.stderr, done.stderr[-2000:]


def test_corrupt_index_names_the_fix_and_rebuild_repairs_it(own: Settings, real_embedder: Any) -> None:
    (own.chroma_path / "chroma.sqlite3").write_bytes(b"dit is geen database " * 500)
    assert_clean_failure(cli("assistant", "ask", BADGE_QUESTION, settings=own),
                         "beschadigd", "python -m ingest --rebuild")
    assert_clean_failure(cli("ingest", settings=own), "beschadigd", "--rebuild")
    rebuilt = cli("ingest", "--rebuild", settings=own)
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert "opzij gezet" in rebuilt.stderr and list(own.data_dir.glob("chroma-beschadigd-*"))
    assert answers(own, real_embedder)[0][1][0] == "tips/printen-met-badge.md"


def test_missing_index_names_the_fix(own: Settings) -> None:
    shutil.rmtree(own.chroma_path)
    assert_clean_failure(cli("assistant", "ask", BADGE_QUESTION, settings=own), "python -m ingest")


DTYPES = ("float32", "bfloat16")  # each run on every CPU: auto picks only one of them


def linked_model(installed: Path, tmp_path: Path, *, without: tuple[str, ...] = ()) -> Path:
    """A copy of the installed model in real folders whose files link to it (no 1.8 GB copy), minus `without`.
    Damage the copy only by removing links or putting new files in their place, never by writing through one."""
    copy = tmp_path / "model"
    for path in sorted(installed.rglob("*")):
        rel, target = path.relative_to(installed).as_posix(), copy / path.relative_to(installed)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif rel not in without:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return copy


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("missing", ["model.safetensors", "bf16/model.safetensors"])
def test_missing_model_files_name_the_fix(own: Settings, installed_model_dir: Path, tmp_path: Path, dtype: str,
                                          missing: str) -> None:
    broken = linked_model(installed_model_dir, tmp_path, without=(missing,))
    env = {"DIGIHULP_MODEL_DIR": str(broken), "DIGIHULP_EMBED_DTYPE": dtype}
    done = cli("assistant", "ask", BADGE_QUESTION, settings=own, env=env)
    assert_clean_failure(done, "onvolledig of beschadigd", f"{missing} ontbreekt", "make model")
    status = cli("assistant.model", "status", settings=own, env=env)
    assert status.returncode == 1 and f"{missing} ontbreekt" in status.stderr
    if missing == "model.safetensors":  # once per dtype: no model at all
        empty = tmp_path / "leeg"
        empty.mkdir()
        done = cli("ingest", "--rebuild", settings=own, env={**env, "DIGIHULP_MODEL_DIR": str(empty)})
        assert_clean_failure(done, "niet geïnstalleerd", "make model")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("missing", ["model.safetensors", "bf16/model.safetensors"])
def test_app_without_model_explains_itself(own: Settings, installed_model_dir: Path, tmp_path: Path, dtype: str,
                                           missing: str) -> None:
    broken = linked_model(installed_model_dir, tmp_path, without=(missing,))
    app = start_app(own, {"DIGIHULP_MODEL_DIR": str(broken), "DIGIHULP_EMBED_DTYPE": dtype})
    try:
        health = httpx.get(f"{app.url}/health", timeout=10)
        page = httpx.get(f"{app.url}/", timeout=10)
    finally:
        app.proc.terminate()
        app.proc.wait(timeout=30)
    assert health.status_code == 503 and "make model" in health.json()["fout"]
    assert f"{missing} ontbreekt" in health.json()["fout"]
    assert page.status_code == 503 and "onvolledig of beschadigd" in page.text and "Traceback" not in page.text


def test_model_files_damaged_under_a_running_app_show_in_health(own: Settings, installed_model_dir: Path,
                                                               tmp_path: Path) -> None:
    model = linked_model(installed_model_dir, tmp_path)
    app = start_app(own, {"DIGIHULP_MODEL_DIR": str(model)})
    try:
        assert httpx.get(f"{app.url}/health", timeout=10).json()["model_status"] == "ok"
        (model / "bf16" / "tokenizer.json").unlink()
        health = httpx.get(f"{app.url}/health", timeout=10)
        html = ask_over_http(app.url, BADGE_QUESTION, "burgerzaken")[0]
    finally:
        app.proc.terminate()
        app.proc.wait(timeout=30)
    # The loaded model still answers; the next start would not, so monitoring hears it now.
    assert health.status_code == 200 and health.json()["status"] == "beperkt"
    assert "bf16/tokenizer.json ontbreekt" in health.json()["model_status"] and "make model" in health.json()[
        "model_status"]
    assert "Printen met je badge" in html


def test_damaged_bf16_copy_is_found_by_verify_and_repaired_by_make_model(own: Settings, installed_model_dir: Path,
                                                                        tmp_path: Path) -> None:
    model = linked_model(installed_model_dir, tmp_path)
    weights = model / "bf16" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.unlink()
    weights.write_bytes(bytes(data))  # same size, one bit pattern changed: only a checksum sees it
    env = {"DIGIHULP_MODEL_DIR": str(model)}
    assert cli("assistant.model", "status", settings=own, env=env).returncode == 0  # quick check: by design
    verify = cli("assistant.model", "verify", settings=own, env=env)
    assert verify.returncode == 2 and "bf16/model.safetensors: de controlesom klopt niet" in verify.stderr
    assert "make model" in verify.stderr
    repaired = cli("assistant.model", "install", settings=own, env=env)
    assert repaired.returncode == 0, repaired.stderr[-2000:]
    assert cli("assistant.model", "verify", settings=own, env=env).returncode == 0
    source = (installed_model_dir / "model.safetensors").resolve()
    assert (model / "model.safetensors").resolve() == source  # the repair replaced the copy's bf16/, nothing else
    asked = cli("assistant", "ask", BADGE_QUESTION, "--json", settings=own,
                env={**env, "DIGIHULP_EMBED_DTYPE": "bfloat16"})
    assert asked.returncode == 0 and json.loads(asked.stdout)["citations"][0]["source"] == "tips/printen-met-badge.md"


@pytest.fixture
def read_only(own: Settings) -> Iterator[Path]:
    """The data dir on a read-only mount (root ignores file modes, so a bind mount when we are root)."""
    path = own.data_dir
    if os.geteuid() != 0:
        for item in [path, *path.rglob("*")]:
            item.chmod(item.stat().st_mode & ~0o222)
        yield path
        for item in [path, *path.rglob("*")]:
            item.chmod(item.stat().st_mode | 0o200)
        return
    bound = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot mount here: {bound.stderr!r}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True, capture_output=True)
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_read_only_data_dir_names_the_fix(own: Settings, read_only: Path) -> None:
    assert_clean_failure(cli("ingest", "--rebuild", settings=own), "schrijfrechten")
    asked = cli("assistant", "ask", NOBODY_KNOWS, settings=own)
    assert "Traceback" not in asked.stderr
    if asked.returncode == 0:  # reading works; the escalation could not be stored and is not acknowledged
        assert "niet doorgeven" in asked.stdout and "rechtstreeks" in asked.stdout
    else:
        assert_clean_failure(asked, "schrijfrechten")


def test_full_disk_keeps_the_live_index_and_acknowledges_no_escalation(own: Settings,
                                                                        real_embedder: Any) -> None:
    before = answers(own, real_embedder)
    live = ChromaStore(own).live_info()
    tip = own.corpus_dir / "tips" / "windows-scherm-vergrendelen.md"
    tip.write_text(tip.read_text(encoding="utf-8") + "\nNog een regel.\n", encoding="utf-8")
    assert_clean_failure(cli("ingest", settings=own, limit_file_bytes=64_000), "vol")
    assert ChromaStore(own).live_info() == live and answers(own, real_embedder) == before
    count = len(EscalationStore(own.db_path).escalations())
    asked = cli("assistant", "ask", NOBODY_KNOWS, "--json", settings=own, limit_file_bytes=1)
    assert "Traceback" not in asked.stderr
    if asked.returncode == 0:
        line = json.loads(asked.stdout)
        assert not line["escalated"] and "rechtstreeks" in line["notice"]
    else:
        assert_clean_failure(asked, "vol")
    assert len(EscalationStore(own.db_path).escalations()) == count


@pytest.mark.parametrize(("message", "damaged"), [
    ("error returned from database: (code: 26) file is not a database", True),
    ("error returned from database: (code: 11) database disk image is malformed", True),
    ("error returned from database: (code: 5) database is locked", False),
])
def test_only_real_damage_is_called_damaged(tmp_path: Path, message: str, damaged: bool) -> None:
    from assistant.errors import IndexCorrupt

    store = ChromaStore(Settings(corpus_dir=tmp_path, data_dir=tmp_path / "data"))
    assert isinstance(store._translate("het zoeken", RuntimeError(message)), IndexCorrupt) is damaged
