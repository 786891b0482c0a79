"""Ingest on the tiny fixture corpus into real Chroma on tmp_path: the pipeline's logic on the fake embedder; the
CLI and a Chroma server on the real model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CountingEmbedder

from assistant.store import ChromaStore
from ingest.pipeline import run_ingest

ROOT = Path(__file__).resolve().parent.parent


def _sources(settings) -> set[str]:  # type: ignore[no-untyped-def]
    store = ChromaStore(settings)
    info = store.live_info()
    assert info is not None
    return {c.metadata["source"] for c in store.all_chunks(info)}


def test_windows_cut_differently_are_embedded_once_without_re_embedding_chunks(  # type: ignore[no-untyped-def]
        settings, embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version that cuts windows differently (same corpus, same chunks) gets its missing window
    vectors at the next ingest, and only those."""
    from assistant import passages

    first = run_ingest(settings, embedder, ChromaStore(settings))
    monkeypatch.setattr(passages, "WINDOW_WORDS", 12)  # shorter sentence runs: new window texts
    counting = CountingEmbedder(embedder)
    second = run_ingest(settings, counting, ChromaStore(settings))
    assert second.published and second.collection != first.collection and second.chunks_embedded == 0
    assert 0 < second.windows_embedded == len(counting.embedded) < second.windows_total
    assert not run_ingest(settings, counting, ChromaStore(settings)).published  # and then nothing changed


def test_ingest_then_incremental_rerun(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    counting = CountingEmbedder(embedder)
    first = run_ingest(settings, counting, ChromaStore(settings))
    assert first.published and not first.failed
    assert first.chunks_embedded + first.windows_embedded == len(counting.embedded) > 0
    assert first.windows_total == first.windows_embedded > first.chunks_total  # sentence/step windows too
    sources = _sources(settings)
    assert any(s.startswith("tips/") for s in sources)
    assert any(s.startswith("handleidingen/") for s in sources)
    assert any(s.startswith("overleg/") for s in sources)
    retired = [p for p in (settings.corpus_dir / "tips").glob("*.md") if "status: retired" in p.read_text()]
    assert retired and not any(f"tips/{p.name}" in sources for p in retired)

    # No change: nothing embedded, no new generation.
    counting.embedded.clear()
    again = run_ingest(settings, counting, ChromaStore(settings))
    assert again.chunks_embedded == 0 and again.windows_embedded == 0 and not again.published
    assert again.collection == first.collection and len(again.unchanged) == len(first.added)

    # Edit one tip: only its changed chunk is embedded; remove another: its chunks go.
    tips = sorted((settings.corpus_dir / "tips").glob("*.md"))
    active = [p for p in tips if p not in retired]
    edited, removed = active[0], active[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nExtra zin die eerder ontbrak.\n", encoding="utf-8")
    removed.unlink()
    third = run_ingest(settings, counting, ChromaStore(settings))
    assert third.updated == [f"tips/{edited.name}"]
    assert third.removed == [f"tips/{removed.name}"]
    assert 1 <= third.chunks_embedded <= 2 and 1 <= third.windows_embedded <= 2
    assert all("Extra zin" in t for t in counting.embedded)  # unchanged windows are reused too
    assert f"tips/{removed.name}" not in _sources(settings)


def test_index_from_before_windows_gets_them_once_without_re_embedding_chunks(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.store import windows_of

    store = ChromaStore(settings)
    run_ingest(settings, embedder, store)
    live = store.live_info()
    assert live is not None and store.has_windows(live)
    store.client.delete_collection(windows_of(live.collection))  # as an index built before windows
    assert store.window_vectors(live) == {}
    counting = CountingEmbedder(embedder)
    report = run_ingest(settings, counting, ChromaStore(settings))
    assert report.published and report.chunks_embedded == 0 and report.windows_embedded == report.windows_total > 0
    fresh = ChromaStore(settings)
    assert len(fresh.window_vectors(fresh.live_info())) == report.windows_total


def test_failed_file_keeps_last_good_version(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    run_ingest(settings, embedder, ChromaStore(settings))
    tip = sorted((settings.corpus_dir / "tips").glob("*.md"))[0]
    tip.write_text("---\ntitle: [kapot\n---\nbody\n", encoding="utf-8")
    report = run_ingest(settings, embedder, ChromaStore(settings))
    assert f"tips/{tip.name}" in report.failed and report.exit_code == 1
    assert f"tips/{tip.name}" in _sources(settings)


def test_model_mismatch_stops_with_rebuild_hint(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.errors import IndexProblem

    store = ChromaStore(settings)
    run_ingest(settings, embedder, store)
    with pytest.raises(IndexProblem, match="--rebuild"):
        store.require_live("another-model", 384)


@pytest.mark.integration
def test_cli_exit_codes(real_ingested_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    shutil.copytree(real_ingested_settings.corpus_dir, corpus)
    (corpus / "tips" / "leeg.md").write_text("", encoding="utf-8")
    cmd = [sys.executable, "-m", "ingest", "--corpus", str(corpus), "--data-dir", str(real_ingested_settings.data_dir),
           "--json"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert "tips/leeg.md" in report["failed"] and "leeg" in report["failed"]["tips/leeg.md"]
    assert report["chunks_embedded"] == 0  # everything else was unchanged
    missing = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(tmp_path / "nope"),
                              "--data-dir", str(tmp_path / "d")], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "bestaat niet" in missing.stderr


@pytest.mark.integration
def test_ingest_into_chroma_server(settings, real_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from chroma_server import running_chroma

    with running_chroma(tmp_path / "server-data") as server:
        remote = settings.model_copy(update={"chroma_url": server.url})
        report = run_ingest(remote, real_embedder, ChromaStore(remote))
        assert report.published and not report.failed
        store = ChromaStore(remote)
        info = store.live_info()
        assert info is not None and info.count == report.chunks_total
        hits = store.dense_search(info, real_embedder.embed_query("printen met mijn badge"), 3)
        assert hits and hits[0][1] > 0.3
    assert not (remote.data_dir / "chroma").exists()  # nothing went to the embedded store


def test_metadata_only_change_is_published_without_embedding(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    run_ingest(settings, embedder, ChromaStore(settings))
    tip = settings.corpus_dir / "tips" / "printen-met-badge.md"
    text = tip.read_text(encoding="utf-8")
    tip.write_text(text.replace("reviewed: 2026-03-05", "reviewed: 2026-11-01"), encoding="utf-8")
    report = run_ingest(settings, embedder, ChromaStore(settings))
    assert report.updated == ["tips/printen-met-badge.md"] and report.chunks_embedded == 0
    store = ChromaStore(settings)
    info = store.live_info()
    assert info is not None
    badge = "tips/printen-met-badge.md"
    reviewed = {c.metadata["reviewed"] for c in store.all_chunks(info) if c.metadata["source"] == badge}
    assert reviewed == {"2026-11-01"}


def test_concurrent_first_requests_share_one_chroma_client(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    """Ten first requests at once on a cold store (no Chroma system started in this process for its folder):
    one client, no start-up race."""
    import threading

    store = ChromaStore(settings)
    start = threading.Barrier(10)
    clients: list[object] = []
    errors: list[BaseException] = []

    def first_request() -> None:
        start.wait()
        try:
            clients.append(store.client)
            store.live_info()
        except BaseException as exc:  # collected: an exception in a thread would not fail the test
            errors.append(exc)

    threads = [threading.Thread(target=first_request) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({id(client) for client in clients}) == 1
