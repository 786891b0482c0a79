"""Chunking: stable ids, honest content hashes, heading/agenda/page-aware splits, flat metadata."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant.types import Chunk
from ingest import loaders
from ingest.chunking import Chunker, content_hash
from ingest.loaders import Document

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
MODEL = "embeddinggemma-300m"

TIP_BODY = """Teams zet je status vanzelf op Beschikbaar of Bezet. Wil je zelf kiezen, dan kan dat ook.

## Zo doe je het

1. Klik rechtsboven op je profielfoto.
2. Kies Niet storen en zet een duur in.

## Let op

Met Niet storen krijg je geen pop-ups, maar berichten komen wel binnen.
"""

MEETING_BODY = """Overleg in zaal 2.04. Voorzitter: Katrien.

## 1. Printen met badge

**Vragen:**
- Hilde: de printer herkent sommige badges niet. Antwoord: eerst koppelen.

### Beslissingen
- De pincode-tip wordt verouderd.

## 2. Nieuwe gsm's

Jonas: zet de Authenticator over vóór je je oude gsm inlevert.

## 3. Teams-status

Lotte schrijft een tip over je status zelf instellen.

Volgend overleg: 25 februari.
"""


def chunker(chunk_words: int = 180, overlap_words: int = 30, model: str = MODEL) -> Chunker:
    return Chunker(chunk_words, overlap_words, model)


def tip(text: str = TIP_BODY, title: str = "Je status in Teams", source: str = "tips/teams-status.md",
        **meta: object) -> Document:
    base = {"app": "Teams", "author": "Lotte", "department": "communicatie", "created": "2025-09-08",
            "status": "active", "tags": ["teams", "status"]}
    return Document(source=source, doc_type="tip", title=title, text=text, meta={**base, **meta},
                    doc_id=Path(source).stem)


def meeting(text: str = MEETING_BODY) -> Document:
    return Document(source="overleg/2026-02-04.md", doc_type="overleg", title="Overleg 4 februari", text=text,
                    meta={"date": "2026-02-04", "present": ["Katrien", "Hilde"], "status": "active"})


def manual(pages: tuple[tuple[int, str], ...]) -> Document:
    return Document(source="handleidingen/printen.pdf", doc_type="handleiding", title="Handleiding printen",
                    pages=pages, meta={"app": "Printen", "status": "active", "page_count": 3})


def words(n: int, start: int = 0) -> str:
    return " ".join(f"woord{i}" for i in range(start, start + n))


# ------------------------------------------------------------------------------------------------
# Ids and stability
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [tip(), meeting(), manual(((1, "Pagina een heeft genoeg tekst."),
                                                            (2, "Pagina twee heeft ook tekst.")))],
                         ids=["tip", "overleg", "handleiding"])
def test_chunk_ids_are_source_hash_position(doc: Document) -> None:
    chunks = chunker().chunk(doc)
    assert len(chunks) >= 2
    assert [c.id for c in chunks] == [f"{doc.source}#{i}" for i in range(len(chunks))]
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(c.source == doc.source and c.doc_type == doc.doc_type and c.title == doc.title for c in chunks)


def _fingerprint(chunks: list[Chunk]) -> list[list]:
    return [[c.id, c.content_hash, c.section, c.page, c.text] for c in chunks]


def test_same_document_gives_identical_chunks_on_every_run() -> None:
    docs = [tip(), meeting(), manual(((1, "Pagina een heeft genoeg tekst."),))]
    first = [_fingerprint(chunker().chunk(d)) for d in docs]
    second = [_fingerprint(chunker().chunk(d)) for d in docs]
    assert first == second


@pytest.mark.integration  # a fresh interpreter: ~6 s of imports
def test_ids_and_hashes_are_stable_across_processes() -> None:
    """A fresh interpreter with another hash seed gives the same ids and hashes (no hash(), no randomness)."""
    source = FIXTURE_CORPUS / "tips" / "teams-status-instellen.md"
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from ingest import loaders\n"
        "from ingest.chunking import Chunker\n"
        "corpus = Path(sys.argv[1])\n"
        "doc = loaders.load(corpus / 'tips/teams-status-instellen.md', corpus, 10**8, 400)\n"
        f"print(json.dumps([[c.id, c.content_hash] for c in Chunker(40, 8, {MODEL!r}).chunk(doc)]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script, str(FIXTURE_CORPUS)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    doc = loaders.load(source, FIXTURE_CORPUS, 10**8, 400)
    here = [[c.id, c.content_hash] for c in chunker(40, 8).chunk(doc)]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here
    assert len(here) >= 2


# ------------------------------------------------------------------------------------------------
# Content hash: changes iff model, title or text change
# ------------------------------------------------------------------------------------------------


def _hashes(doc: Document, model: str = MODEL) -> list[str]:
    return [c.content_hash for c in chunker(model=model).chunk(doc)]


def test_content_hash_is_deterministic_and_distinguishes_each_input() -> None:
    base = content_hash(MODEL, "Titel", "Tekst")
    assert base == content_hash(MODEL, "Titel", "Tekst")
    variants = {content_hash("ander-model", "Titel", "Tekst"), content_hash(MODEL, "Titel 2", "Tekst"),
                content_hash(MODEL, "Titel", "Tekst."), content_hash(MODEL, "TitelTekst", ""),
                content_hash(MODEL, "", "TitelTekst")}
    assert base not in variants and len(variants) == 5


def test_title_change_changes_every_hash() -> None:
    before, after = _hashes(tip()), _hashes(tip(title="Je status in Teams wijzigen"))
    assert len(before) == len(after) == 3
    assert all(a != b for a, b in zip(before, after, strict=True))


def test_model_change_changes_every_hash() -> None:
    before, after = _hashes(tip()), _hashes(tip(), model="multilingual-e5-small")
    assert all(a != b for a, b in zip(before, after, strict=True))


def test_text_change_changes_only_the_edited_chunk() -> None:
    edited = tip(TIP_BODY.replace("geen pop-ups", "geen meldingen"))
    before, after = _hashes(tip()), _hashes(edited)
    assert [a == b for a, b in zip(before, after, strict=True)] == [True, True, False]


def test_renaming_a_heading_changes_that_chunks_hash() -> None:
    before, after = _hashes(tip()), _hashes(tip(TIP_BODY.replace("## Let op", "## Opgelet")))
    assert [a == b for a, b in zip(before, after, strict=True)] == [True, True, False]


def test_hash_ignores_source_metadata_and_page() -> None:
    base = _hashes(tip())
    assert _hashes(tip(source="tips/andere-naam.md")) == base
    assert _hashes(tip(author="Jonas", department="ict", tags=["x"], reviewed="2026-01-01")) == base
    one = chunker().chunk(manual(((1, "Dezelfde tekst op een pagina."),)))
    other = chunker().chunk(manual(((7, "Dezelfde tekst op een pagina."),)))
    assert one[0].content_hash == other[0].content_hash
    assert (one[0].page, other[0].page) == (1, 7)


# ------------------------------------------------------------------------------------------------
# Markdown: split on headings
# ------------------------------------------------------------------------------------------------


def test_markdown_splits_on_headings_with_section_set() -> None:
    chunks = chunker().chunk(tip())
    assert [c.section for c in chunks] == ["", "Zo doe je het", "Let op"]
    assert chunks[0].text.startswith("Teams zet je status")
    assert chunks[1].text.startswith("## Zo doe je het") and "Niet storen en zet een duur in." in chunks[1].text
    assert chunks[2].text.startswith("## Let op") and "pop-ups" in chunks[2].text
    assert all(c.page is None for c in chunks)
    assert "Zo doe je het" not in chunks[0].text and "Let op" not in chunks[1].text


def test_nested_headings_and_office_anchors() -> None:
    body = ('# <a name="titel"></a>Printen\n\nInleiding over printen.\n\n'
            '## <a name="stap"></a>Stappen\n\nHoud je badge tegen de lezer.\n\n'
            "### Problemen\n\nBadge niet herkend? Koppel hem eerst.\n")
    chunks = chunker().chunk(tip(body))
    assert [c.section for c in chunks] == ["Printen", "Stappen", "Problemen"]
    assert all("<a name" not in c.text for c in chunks)


def test_windows_line_endings_leave_no_carriage_return_in_sections() -> None:
    chunks = chunker().chunk(tip(TIP_BODY.replace("\n", "\r\n")))
    assert [c.section for c in chunks] == ["", "Zo doe je het", "Let op"]


def test_heading_without_content_gives_no_chunk() -> None:
    body = ("# Titel\n\n## Leeg\n\n## Ook leeg\n### Nog leger\n\n## Vol\n\nHier staat wel tekst.\n\n"
            "## Leeg op het einde\n")
    chunks = chunker().chunk(tip(body))
    assert [c.section for c in chunks] == ["Vol"]
    assert chunks[0].id.endswith("#0")


def test_document_without_content_gives_no_chunks() -> None:
    assert chunker().chunk(tip("# Alleen\n\n## Koppen\n")) == []


def test_html_in_a_tip_is_kept_verbatim_in_the_chunk() -> None:
    body = "Plak nooit <script>alert('x')</script> of <img src=x onerror=alert(1)> in een mail.\n"
    (chunk,) = chunker().chunk(tip(body))
    assert chunk.text == body.strip()


def test_fixture_html_tip_keeps_the_code_in_its_chunks() -> None:
    doc = loaders.load(FIXTURE_CORPUS / "tips/outlook-handtekening-code.md", FIXTURE_CORPUS, 10**8, 400)
    text = "\n".join(c.text for c in chunker().chunk(doc))
    assert "<script>alert('x')</script>" in text and "<img src=x onerror=alert(1)>" in text


# ------------------------------------------------------------------------------------------------
# Long sections
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "section_text",
    [
        " ".join(f"Zin {i} gaat over printen met je badge." for i in range(120)),  # sentences
        words(400),  # no punctuation at all
        "\n".join(f"- stap {i}: klik op de knop." for i in range(150)),  # a long list
        "\n\n".join(words(35, i) + "." for i in range(0, 700, 35)),  # many paragraphs
    ],
    ids=["sentences", "no-punctuation", "list", "paragraphs"],
)
def test_long_section_is_split_into_bounded_chunks(section_text: str) -> None:
    chunk_words = 40
    body = f"Korte inleiding.\n\n## Lang stuk\n\n{section_text}\n\n## Kort\n\nEen kort stuk.\n"
    chunks = chunker(chunk_words, 8).chunk(tip(body))
    long = [c for c in chunks if c.section == "Lang stuk"]
    assert len(long) >= 3
    assert all(len(c.text.split()) <= chunk_words * 1.3 for c in chunks)
    assert [c.section for c in chunks] == [""] + ["Lang stuk"] * len(long) + ["Kort"]
    assert [c.position for c in chunks] == list(range(len(chunks)))
    # Nothing is lost: every word of the section is in some chunk.
    covered = set(" ".join(c.text for c in long).split())
    assert set(section_text.split()) <= covered


def test_section_at_the_limit_is_not_split() -> None:
    body = "## Precies\n\n" + words(38) + "\n"  # 40 words with the heading
    assert len(chunker(40, 8).chunk(tip(body))) == 1
    assert len(chunker(40, 8).chunk(tip(body + "nog eentje\n"))) == 2


def test_split_chunks_overlap() -> None:
    chunks = chunker(40, 10).chunk(tip("## Lang\n\n" + words(200) + "\n"))
    assert len(chunks) >= 4
    for left, right in itertools.pairwise(chunks):
        assert set(left.text.split()) & set(right.text.split()), "neighbouring chunks share no words"


# ------------------------------------------------------------------------------------------------
# Meeting notes: one chunk per agenda item
# ------------------------------------------------------------------------------------------------


def test_meeting_note_gives_one_chunk_per_agenda_item() -> None:
    chunks = chunker().chunk(meeting())
    agenda = ["1. Printen met badge", "2. Nieuwe gsm's", "3. Teams-status"]
    assert [c.section for c in chunks] == ["", *agenda]
    assert chunks[0].text == "Overleg in zaal 2.04. Voorzitter: Katrien."
    # A ### sub-heading stays inside its agenda item.
    assert "### Beslissingen" in chunks[1].text and "pincode-tip" in chunks[1].text
    assert chunks[3].text.endswith("Volgend overleg: 25 februari.")
    assert all(c.page is None for c in chunks)


def test_fixture_meeting_note_gives_exactly_one_chunk_per_agenda_item() -> None:
    path = FIXTURE_CORPUS / "overleg" / "2026-02-04-digicoach-overleg.md"
    doc = loaders.load(path, FIXTURE_CORPUS, 10**8, 400)
    items = [line[3:].strip() for line in doc.text.splitlines() if line.startswith("## ")]
    assert len(items) == 3
    sections = Counter(c.section for c in chunker().chunk(doc))
    assert {item: sections[item] for item in items} == dict.fromkeys(items, 1)
    assert sum(sections.values()) == len(items) + 1  # plus the short introduction


def test_meeting_note_with_empty_agenda_item_skips_it() -> None:
    chunks = chunker().chunk(meeting("## 1. Leeg punt\n\n## 2. Echt punt\n\nTekst.\n"))
    assert [c.section for c in chunks] == ["2. Echt punt"]


# ------------------------------------------------------------------------------------------------
# PDF pages
# ------------------------------------------------------------------------------------------------


def test_pdf_chunks_carry_their_page() -> None:
    chunks = chunker().chunk(manual(((1, "Je badge koppelen aan de printer."), (3, "Scannen naar je mailbox."))))
    assert [(c.page, c.section) for c in chunks] == [(1, "Pagina 1"), (3, "Pagina 3")]
    assert chunks[1].text == "Scannen naar je mailbox."


def test_long_pdf_page_is_split_and_every_part_keeps_the_page() -> None:
    chunks = chunker(40, 8).chunk(manual(((1, "Korte pagina met tekst."), (2, words(200)))))
    assert len(chunks) >= 5
    assert chunks[0].page == 1
    assert {c.page for c in chunks[1:]} == {2}
    assert all(len(c.text.split()) <= 52 for c in chunks)


def test_fixture_manual_gives_one_chunk_per_page() -> None:
    path = FIXTURE_CORPUS / "handleidingen" / "mini-handleiding-printen.pdf"
    doc = loaders.load(path, FIXTURE_CORPUS, 10**8, 400)
    chunks = chunker().chunk(doc)
    assert [c.page for c in chunks] == [1, 2, 3]
    assert "badge" in chunks[0].text.lower()


# ------------------------------------------------------------------------------------------------
# metadata()
# ------------------------------------------------------------------------------------------------

ALLOWED = (str, int, float, bool)


def test_metadata_is_flat_and_has_no_none_values() -> None:
    chunk = chunker().chunk(tip(reviewed=None, extra=("a", "b"), leeg=[]))[0]
    flat = chunk.metadata()
    assert None not in flat.values()
    assert all(isinstance(v, ALLOWED) for v in flat.values()), flat
    assert flat["tags"] == "teams, status"
    assert flat["extra"] == "a, b"
    assert flat["leeg"] == ""
    assert "reviewed" not in flat
    assert flat["page"] == 0
    for key in ("source", "doc_type", "title", "section", "page", "position", "content_hash"):
        assert key in flat
    assert (flat["source"], flat["doc_type"], flat["position"]) == ("tips/teams-status.md", "tip", 0)
    assert flat["content_hash"] == chunk.content_hash


def test_metadata_of_pdf_and_meeting_chunks() -> None:
    page = chunker().chunk(manual(((4, "Scannen naar je mailbox."),)))[0].metadata()
    assert (page["page"], page["page_count"], page["section"]) == (4, 3, "Pagina 4")
    note = chunker().chunk(meeting())[1].metadata()
    assert note["present"] == "Katrien, Hilde"
    assert note["page"] == 0


def test_metadata_of_every_fixture_chunk_is_storable() -> None:
    c = chunker()
    for _, doc, reason in loaders.iter_documents(FIXTURE_CORPUS, 10**8, 400):
        assert doc is not None, reason
        for chunk in c.chunk(doc):
            flat = chunk.metadata()
            assert all(isinstance(v, ALLOWED) for v in flat.values()), (chunk.id, flat)


def test_chunks_are_frozen() -> None:
    chunk = chunker().chunk(tip())[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        chunk.text = "anders"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------
# Link targets (strip_link_targets): the label stays, the URL and inline base64 go
# ------------------------------------------------------------------------------------------------

LINKY = ("Zie [de handleiding](https://oase.waregem.example/docs/printen?id=12) en ![logo van de stad]"
         "(https://oase.waregem.example/logo.png \"Logo\") of <img src=\"data:image/png;base64,"
         "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB\">.\n\n## [OASE](https://oase.waregem.example)\n\nTekst.\n")


@pytest.mark.parametrize("doc", [tip(LINKY), meeting(LINKY)], ids=["tip", "overleg"])
def test_link_targets_are_dropped_but_labels_kept(doc: Document) -> None:
    chunks = chunker().chunk(doc)
    text = "\n".join(c.text for c in chunks)
    assert "de handleiding" in text and "logo van de stad" in text
    assert "https://" not in text and "iVBORw0KGgo" not in text
    assert [c.section for c in chunks] == ["", "OASE"]
