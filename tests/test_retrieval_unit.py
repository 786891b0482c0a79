"""Fast unit tests of the pure parts of the query layer (no model, no Chroma)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.answerability import SHIPPED, Evidence
from assistant.bm25 import BM25, tokenize
from assistant.question import clean_question
from assistant.retrieval import fuse


def test_dutch_tokenizer_stems_drops_stop_words_and_folds_accents() -> None:
    assert tokenize("Ik wil mijn instellingen van de printers") == tokenize("instelling printer")
    assert tokenize("geïnstalleerd") == tokenize("geinstalleerd")
    assert tokenize("hoe moet ik da doen") == []


def test_bm25_prefers_exact_rare_terms() -> None:
    docs = ["Outlook regels voor je postvak", "Foutcode CAA50021 bij aanmelden in Teams", "Teams status instellen"]
    index = BM25(docs)
    assert index.top("foutcode caa50021", 3)[0][0] == 1
    assert index.top("teams status", 3)[0][0] == 2
    assert index.top("kantine menu", 3) == []


def test_fusion_is_dense_led_and_bm25_breaks_near_ties() -> None:
    dense = [(0, 0.70), (1, 0.69), (2, 0.40)]
    sparse = [(1, 12.0), (2, 3.0)]
    assert [i for i, _ in fuse(dense, sparse, 0.0)] == [0, 1, 2]
    assert [i for i, _ in fuse(dense, sparse, 0.1)][:2] == [1, 0]  # near tie: exact terms decide
    assert fuse([(0, 0.9), (1, 0.5)], [(1, 12.0)], 0.1)[0][0] == 0  # a clear dense win stays


def test_fusion_gives_bm25_only_chunks_the_dense_floor() -> None:
    fused = dict(fuse([(0, 0.8), (1, 0.5)], [(7, 5.0)], 0.1))
    assert abs(fused[7] - (0.5 + 0.1)) < 1e-9


@given(st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1), st.floats(0, 1), st.integers(0, 20))
def test_answerability_score_always_in_unit_interval(best: float, second: float, window: float, cov: float,
                                                     novel: int) -> None:
    evidence = Evidence(best, second, window, cov, cov, True, novel)
    assert 0.0 <= SHIPPED.probability(evidence) <= 1.0
    assert SHIPPED.band(SHIPPED.probability(evidence)) in ("answer", "unsure", "escalated")


def test_known_terms_include_compounds_and_prefixes() -> None:
    index = BM25(["Vergaderruimte reserveren in Outlook", "Wachtwoord wijzigen"])
    assert index.known(tokenize("vergaderruimte")[0]) and index.known(tokenize("wachtwoordbeleid")[0])
    assert not index.known(tokenize("parkeerkaart")[0])


def test_clean_question_refuses_empty_and_symbols_and_trims_long() -> None:
    assert clean_question("  \n ", 100).refused
    assert clean_question("🙂 ?!", 100).refused
    long = clean_question("woord " * 100, 50)
    assert not long.refused and len(long.text) <= 50 and long.notice
    assert clean_question("hoe\x00 print\u200b ik", 100).text == "hoe print ik"


@given(st.text(max_size=3000))
def test_clean_question_never_crashes(text: str) -> None:
    result = clean_question(text, 1000)
    assert len(result.text) <= 1000
    assert result.refused or result.text.strip()


def test_tokenize_is_safe_when_request_threads_stem_at_once() -> None:
    """The web app answers in several threads; a shared Snowball stemmer mixed their words up (IndexError)."""
    import threading

    text = " ".join(["Hoe installeer ik de beveiligingsupdates van mijn laptop en de printerstuurprogramma's"] * 400)
    expected = tokenize(text)
    start = threading.Barrier(8)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def stem() -> None:
        start.wait()
        try:
            for _ in range(5):
                results.append(tokenize(text))
        except BaseException as exc:  # an exception in a thread would not fail the test by itself
            errors.append(exc)

    threads = [threading.Thread(target=stem) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 40 and all(r == expected for r in results)
