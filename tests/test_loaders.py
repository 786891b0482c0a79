"""Corpus loading: valid files give complete documents, every bad file gives a clear Dutch reason."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pdf_factory
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import loaders
from ingest.loaders import Document, LoadError, iter_documents, load_markdown, split_front_matter

MAX_BYTES = 20_000_000
MAX_PAGES = 400
FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"

TIP_BODY = """Teams zet je status vanzelf op Beschikbaar of Bezet. Wil je zelf kiezen, dan kan dat ook.

## Zo doe je het

1. Klik rechtsboven op je profielfoto.
2. Kies Niet storen en zet een duur in.
"""

BASE_TIP = {
    "id": "teams-status",
    "title": '"Je status in Teams instellen"',
    "app": "Teams",
    "tags": "[teams, status]",
    "author": '"Lotte Verbeke"',
    "department": "communicatie",
    "created": "2025-09-08",
    "reviewed": "2026-02-16",
    "status": "active",
}


def tip_text(body: str = TIP_BODY, **fields: str | None) -> str:
    """A tip file; a field set to None is left out, other values are written verbatim as YAML."""
    front = {**BASE_TIP, **fields}
    lines = [f"{key}: {value}" for key, value in front.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


MEETING = """---
title: "Digicoach-overleg 4 februari 2026"
date: 2026-02-04
present: ["Katrien Vandenberghe", "An Declercq"]
---
Overleg in zaal 2.04.

## 1. Printen met badge

De pincode-tip wordt verouderd.
"""


def write(corpus: Path, rel: str, content: str | bytes) -> Path:
    path = corpus / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load_one(corpus: Path, rel: str, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Document:
    return loaders.load(corpus / rel, corpus, max_bytes, max_pages)


def results(corpus: Path, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> dict[str, tuple]:
    out = {}
    for source, doc, reason in iter_documents(corpus, max_bytes, max_pages):
        assert source not in out, f"{source} yielded twice"
        out[source] = (doc, reason)
    return out


# ------------------------------------------------------------------------------------------------
# Valid tips
# ------------------------------------------------------------------------------------------------


def test_valid_tip_parses_with_all_metadata(tmp_path: Path) -> None:
    write(tmp_path, "tips/teams-status.md", tip_text())
    doc = load_one(tmp_path, "tips/teams-status.md")
    assert doc.source == "tips/teams-status.md"
    assert doc.doc_type == "tip"
    assert doc.doc_id == "teams-status"
    assert doc.title == "Je status in Teams instellen"
    assert doc.text == TIP_BODY  # body only, front matter removed
    assert doc.pages == ()
    assert doc.active
    assert doc.meta == {
        "app": "Teams",
        "author": "Lotte Verbeke",
        "department": "communicatie",
        "created": "2025-09-08",
        "reviewed": "2026-02-16",
        "status": "active",
        "tags": ["teams", "status"],
    }
    assert isinstance(doc.meta["created"], str) and isinstance(doc.meta["reviewed"], str)


def test_tip_id_defaults_to_file_stem_and_optional_fields_may_be_absent(tmp_path: Path) -> None:
    write(tmp_path, "tips/mijn-tip.md", tip_text(id=None, reviewed=None, tags=None))
    doc = load_one(tmp_path, "tips/mijn-tip.md")
    assert doc.doc_id == "mijn-tip"
    assert doc.meta["tags"] == []
    assert "reviewed" not in doc.meta


def test_tags_written_as_comma_string_become_a_list(tmp_path: Path) -> None:
    write(tmp_path, "tips/t.md", tip_text(tags='"teams, chat , status"'))
    assert load_one(tmp_path, "tips/t.md").meta["tags"] == ["teams", "chat", "status"]


def test_datetime_and_quoted_dates_become_iso_dates(tmp_path: Path) -> None:
    write(tmp_path, "tips/t.md", tip_text(created="2025-09-08 14:30:00", reviewed='"2026-02-16"'))
    meta = load_one(tmp_path, "tips/t.md").meta
    assert (meta["created"], meta["reviewed"]) == ("2025-09-08", "2026-02-16")


def test_utf8_bom_and_windows_line_endings_are_accepted(tmp_path: Path) -> None:
    content = ("\ufeff" + tip_text()).replace("\n", "\r\n").encode("utf-8")
    write(tmp_path, "tips/teams-status.md", content)
    doc = load_one(tmp_path, "tips/teams-status.md")
    assert doc.title == "Je status in Teams instellen"
    assert doc.meta["created"] == "2025-09-08"
    assert "Niet storen" in doc.text and "---" not in doc.text


def test_retired_tip_loads_with_status_retired(tmp_path: Path) -> None:
    write(tmp_path, "tips/oud.md", tip_text(status="Retired"))
    doc = load_one(tmp_path, "tips/oud.md")
    assert doc.meta["status"] == "retired"
    assert not doc.active


def test_html_and_script_in_a_tip_are_kept_verbatim_as_text(tmp_path: Path) -> None:
    body = (
        "Plak nooit code zoals <script>alert('x')</script> of <img src=x onerror=alert(1)> in een mail.\n\n"
        "## Waarom\n\nOutlook blokkeert het & de ontvanger ziet rommel.\n"
    )
    write(tmp_path, "tips/html.md", tip_text(body=body, title='"Geen <b>HTML</b> plakken"'))
    doc = load_one(tmp_path, "tips/html.md")
    assert doc.text == body
    assert "<script>alert('x')</script>" in doc.text
    assert "<img src=x onerror=alert(1)>" in doc.text
    assert doc.title == "Geen <b>HTML</b> plakken"


# ------------------------------------------------------------------------------------------------
# Meeting notes, generic markdown
# ------------------------------------------------------------------------------------------------


def test_meeting_note_loads_with_date_and_present(tmp_path: Path) -> None:
    write(tmp_path, "overleg/2026-02-04.md", MEETING)
    doc = load_one(tmp_path, "overleg/2026-02-04.md")
    assert doc.doc_type == "overleg"
    assert doc.title == "Digicoach-overleg 4 februari 2026"
    assert doc.meta == {"date": "2026-02-04", "present": ["Katrien Vandenberghe", "An Declercq"],
                        "status": "active"}
    assert doc.doc_id == ""


def test_meeting_note_needs_a_date(tmp_path: Path) -> None:
    write(tmp_path, "overleg/zonder-datum.md", MEETING.replace("date: 2026-02-04\n", ""))
    with pytest.raises(LoadError, match="'date'"):
        load_one(tmp_path, "overleg/zonder-datum.md")


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("---\ntitle: Uit de kop\n---\n# Andere kop\n\nTekst.\n", "Uit de kop"),
        ("Inleiding zonder kop.\n\n## Eerste kop ##\n\nTekst.\n", "Eerste kop"),
        ('# <a name="printen"></a>Printen op het stadhuis\n\nTekst.\n', "Printen op het stadhuis"),
        ('### <a name="x_y"></a> Titel\n\nTekst.\n', "Titel"),
        ("Alleen tekst, geen kop.\n", "handig-document"),
    ],
    ids=["front-matter", "first-heading", "office-nl-anchor", "anchor-level-3", "file-stem"],
)
def test_generic_markdown_title(tmp_path: Path, content: str, title: str) -> None:
    write(tmp_path, "handig-document.md", content)
    doc = load_one(tmp_path, "handig-document.md")
    assert doc.doc_type == "document"
    assert doc.title == title


def test_generic_markdown_keeps_only_known_metadata(tmp_path: Path) -> None:
    content = "---\ntitle: Iets\nauthor: An\ndate: 2026-01-05\ntags: [a, b]\ngeheim: 'niet in de index'\n---\nTekst.\n"
    write(tmp_path, "overig/iets.md", content)
    doc = load_one(tmp_path, "overig/iets.md")
    assert doc.doc_type == "document"
    assert doc.meta == {"author": "An", "date": "2026-01-05", "tags": ["a", "b"]}


# ------------------------------------------------------------------------------------------------
# PDF manuals
# ------------------------------------------------------------------------------------------------


def test_pdf_uses_sidecar_title_app_owner_and_numbers_pages(tmp_path: Path) -> None:
    pdf_factory.text_pdf(
        tmp_path / "handleidingen/printen.pdf",
        ["Pagina een: je badge koppelen aan de printer.", "Kort", "Pagina drie: scannen naar je mailbox."],
        title="Titel uit de PDF-info",
    )
    write(tmp_path, "handleidingen/printen.yml",
          'title: "Handleiding printen"\napp: Printen\nowner: "Pieter Vermeulen"\nversion: "1.4"\n')
    doc = load_one(tmp_path, "handleidingen/printen.pdf")
    assert doc.doc_type == "handleiding"
    assert doc.title == "Handleiding printen"
    assert doc.meta == {"app": "Printen", "owner": "Pieter Vermeulen", "author": "Pieter Vermeulen",
                        "version": "1.4", "status": "active", "page_count": 3}
    # Page 2 has too little text to count; the numbers of the others stay the real page numbers.
    assert [number for number, _ in doc.pages] == [1, 3]
    assert "badge koppelen" in doc.pages[0][1]
    assert "scannen" in doc.pages[1][1]


def test_pdf_without_sidecar_uses_info_title_then_file_name(tmp_path: Path) -> None:
    pdf_factory.text_pdf(tmp_path / "handleidingen/a.pdf", ["Genoeg tekst op deze pagina."], title="Info-titel")
    pdf_factory.text_pdf(tmp_path / "handleidingen/vpn_thuis-werken.pdf", ["Genoeg tekst op deze pagina."])
    assert load_one(tmp_path, "handleidingen/a.pdf").title == "Info-titel"
    doc = load_one(tmp_path, "handleidingen/vpn_thuis-werken.pdf")
    assert doc.title == "vpn thuis werken"
    assert doc.meta == {"status": "active", "page_count": 1}


def test_pdf_sidecar_may_be_named_yaml(tmp_path: Path) -> None:
    pdf_factory.text_pdf(tmp_path / "handleidingen/b.pdf", ["Genoeg tekst op deze pagina."])
    write(tmp_path, "handleidingen/b.yaml", "title: Uit yaml\napp: VPN\n")
    doc = load_one(tmp_path, "handleidingen/b.pdf")
    assert (doc.title, doc.meta["app"]) == ("Uit yaml", "VPN")


def test_pdf_with_only_an_owner_password_opens(tmp_path: Path) -> None:
    pdf_factory.encrypted_pdf(tmp_path / "handleidingen/beperkt.pdf", user_password="")
    doc = load_one(tmp_path, "handleidingen/beperkt.pdf")
    assert "vertrouwelijk" in doc.pages[0][1]


def test_pdf_with_exactly_max_pages_is_accepted(tmp_path: Path) -> None:
    pdf_factory.text_pdf(tmp_path / "h/drie.pdf", [f"Dit is pagina {n} met genoeg tekst." for n in (1, 2, 3)])
    assert len(load_one(tmp_path, "h/drie.pdf", max_pages=3).pages) == 3


def test_file_of_exactly_max_bytes_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "tips/teams-status.md", tip_text())
    assert load_one(tmp_path, "tips/teams-status.md", max_bytes=path.stat().st_size).doc_id == "teams-status"


# ------------------------------------------------------------------------------------------------
# Bad input: one table, checked file by file and all together in one corpus
# ------------------------------------------------------------------------------------------------

SMALL_LIMIT = 4000  # max_bytes for the corpus-wide run; the "too big" file is over it, all others under


def _bad_files(corpus: Path) -> dict[str, tuple[str, ...]]:
    """Write every kind of bad file into `corpus`; return source -> words the reason must contain."""
    expected: dict[str, tuple[str, ...]] = {}

    def bad(rel: str, content: str | bytes, *words: str) -> None:
        write(corpus, rel, content)
        expected[rel] = words

    def bad_pdf(rel: str, maker, *words: str) -> None:  # type: ignore[no-untyped-def]
        maker(corpus / rel)
        expected[rel] = words

    bad("tips/leeg.md", b"", "leeg")
    bad("tips/witruimte.md", " \n\t\r\n   \n", "geen tekst")
    bad("tips/velden-ontbreken.md", tip_text(author=None, department=None, app='""'),
        "Verplichte velden", "app", "author", "department")
    bad("tips/yaml-fout.md", tip_text(title='"niet afgesloten'), "geen geldige YAML", "regel")
    bad("tips/yaml-lijst.md", "---\n- title\n- app\n---\nTekst.\n", "velden")
    bad("tips/kop-open.md", "---\ntitle: Kop zonder einde\napp: Teams\n\nTekst.\n", "niet afgesloten")
    bad("tips/alleen-kop.md", tip_text(body="\n  \n"), "geen inhoud")
    bad("tips/status.md", tip_text(status="concept"), "Ongeldige status", "concept", "active", "retired")
    bad("tips/datum.md", tip_text(created="14/03/2026"), "Ongeldige datum", "created", "14/03/2026", "JJJJ-MM-DD")
    bad("tips/datum-nagekeken.md", tip_text(reviewed="gisteren"), "Ongeldige datum", "reviewed")
    bad("tips/tags.md", tip_text(tags="{teams: ja}"), "tags", "lijst")
    bad("tips/ansi.md", tip_text(title="Café-regels", body="Één tip voor de koffieautomaat.\n").encode("cp1252"),
        "UTF-8", "Windows-1252")
    bad("tips/binair.md", b"---\ntitle: x\x00y\n---\nTekst\x00\n", "binaire")
    bad("tips/te-groot.md", tip_text(body="Tekst. " * 1000), "te groot")
    bad("overleg/geen-datum.md", MEETING.replace("date: 2026-02-04\n", ""), "date")
    bad("overleg/aanwezig.md", MEETING.replace('present: ["Katrien Vandenberghe", "An Declercq"]',
                                               "present: Katrien"), "present", "lijst")
    bad_pdf("handleidingen/kapot.pdf", pdf_factory.corrupt_pdf, "beschadigd")
    bad_pdf("handleidingen/geheim.pdf", pdf_factory.encrypted_pdf, "wachtwoord")
    bad_pdf("handleidingen/scan.pdf", pdf_factory.image_only_pdf, "geen tekst", "OCR")
    bad_pdf("handleidingen/archief.pdf", pdf_factory.zip_as_pdf, "geen PDF")
    bad_pdf("handleidingen/lang.pdf",
            lambda p: pdf_factory.text_pdf(p, [f"Pagina {n} met genoeg tekst om te tellen." for n in range(1, 5)]),
            "4 pagina's", "maximum is 3")
    bad_pdf("handleidingen/zijbestand-kapot.pdf",
            lambda p: (pdf_factory.text_pdf(p, ["Genoeg tekst op deze pagina."]),
                       write(corpus, "handleidingen/zijbestand-kapot.yml", 'title: "open\napp: [\n')),
            "zijbestand-kapot.yml", "geen geldige YAML")
    bad_pdf("handleidingen/zijbestand-lijst.pdf",
            lambda p: (pdf_factory.text_pdf(p, ["Genoeg tekst op deze pagina."]),
                       write(corpus, "handleidingen/zijbestand-lijst.yml", "- title\n- app\n")),
            "zijbestand-lijst.yml", "velden")
    bad_pdf("handleidingen/zijbestand-ansi.pdf",
            lambda p: (pdf_factory.text_pdf(p, ["Genoeg tekst op deze pagina."]),
                       write(corpus, "handleidingen/zijbestand-ansi.yml", "title: Café\n".encode("cp1252"))),
            "zijbestand-ansi.yml")
    return expected



def _good_files(corpus: Path) -> set[str]:
    write(corpus, "tips/a-goed.md", tip_text(id="a-goed"))
    write(corpus, "tips/z-goed.md", tip_text(id="z-goed", status="retired"))
    write(corpus, "overleg/2026-02-04.md", MEETING)
    write(corpus, "handig.md", "# Handig\n\nTekst.\n")
    pdf_factory.text_pdf(corpus / "handleidingen/goed.pdf", ["Een goede pagina met genoeg tekst.",
                                                             "Nog een goede pagina met tekst."])
    return {"tips/a-goed.md", "tips/z-goed.md", "overleg/2026-02-04.md", "handig.md", "handleidingen/goed.pdf"}


def test_each_bad_file_gives_a_load_error_with_a_clear_dutch_reason(tmp_path: Path) -> None:
    expected = _bad_files(tmp_path)
    assert len(expected) >= 24
    for rel, words in expected.items():
        with pytest.raises(LoadError) as info:
            load_one(tmp_path, rel, max_bytes=SMALL_LIMIT, max_pages=3)
        message = str(info.value)
        for word in words:
            assert word in message, f"{rel}: {word!r} not in {message!r}"


def test_one_bad_file_never_stops_the_others(tmp_path: Path) -> None:
    expected = _bad_files(tmp_path)
    good = _good_files(tmp_path)
    found = results(tmp_path, max_bytes=SMALL_LIMIT, max_pages=3)
    assert set(found) == set(expected) | good
    for rel in good:
        doc, reason = found[rel]
        assert doc is not None and reason == "", f"{rel}: {reason}"
    for rel, words in expected.items():
        doc, reason = found[rel]
        assert doc is None, rel
        assert not reason.startswith("Onverwachte fout"), f"{rel}: {reason}"
        for word in words:
            assert word in reason, f"{rel}: {word!r} not in {reason!r}"


def test_unexpected_exception_in_one_file_is_reported_and_the_rest_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _good_files(tmp_path)
    real = loaders.load

    def exploding(path: Path, corpus: Path, max_bytes: int, max_pages: int) -> Document:
        if path.name == "a-goed.md":
            raise RuntimeError("boem")
        return real(path, corpus, max_bytes, max_pages)

    monkeypatch.setattr(loaders, "load", exploding)
    found = results(tmp_path)
    assert found["tips/a-goed.md"][0] is None
    assert "Onverwachte fout" in found["tips/a-goed.md"][1] and "boem" in found["tips/a-goed.md"][1]
    assert all(found[rel][0] is not None for rel in good - {"tips/a-goed.md"})


def test_duplicate_tip_id_fails_the_second_file_and_names_the_first(tmp_path: Path) -> None:
    write(tmp_path, "tips/a-eerste.md", tip_text(id="dubbel"))
    write(tmp_path, "tips/b-tweede.md", tip_text(id="dubbel", title="Andere titel"))
    write(tmp_path, "tips/sub/c-derde.md", tip_text(id="uniek"))
    found = results(tmp_path)
    assert found["tips/a-eerste.md"][0] is not None
    doc, reason = found["tips/b-tweede.md"]
    assert doc is None
    assert "dubbel" in reason and "tips/a-eerste.md" in reason
    assert found["tips/sub/c-derde.md"][0] is not None


def test_duplicate_id_by_file_stem_in_two_folders(tmp_path: Path) -> None:
    write(tmp_path, "tips/a/zelfde.md", tip_text(id=None))
    write(tmp_path, "tips/b/zelfde.md", tip_text(id=None))
    found = results(tmp_path)
    assert found["tips/a/zelfde.md"][0] is not None
    assert found["tips/b/zelfde.md"][0] is None and "tips/a/zelfde.md" in found["tips/b/zelfde.md"][1]


def test_discovery_skips_sidecars_coaches_readme_hidden_and_other_files(tmp_path: Path) -> None:
    write(tmp_path, "tips/echt.md", tip_text())
    write(tmp_path, "coaches.yaml", "coordinator: {}\n")
    write(tmp_path, "README.md", "# Lees mij\n\nUitleg over het corpus.\n")
    write(tmp_path, "tips/.concept.md", "")  # hidden file (would fail: empty)
    write(tmp_path, ".git/info.md", "")  # hidden folder
    write(tmp_path, "tips/notities.txt", "geen markdown")
    write(tmp_path, "handleidingen/x.yml", "title: x\n")
    assert set(results(tmp_path)) == {"tips/echt.md"}


# ------------------------------------------------------------------------------------------------
# Regressions of bugs found while writing these tests
# ------------------------------------------------------------------------------------------------

YAML_CONSTRUCTOR_BUG = (
    "split_front_matter/read_sidecar only catch yaml.YAMLError; PyYAML raises ValueError/AttributeError "
    "from its constructors (impossible dates, bad !!int/!!timestamp) and RecursionError on deep nesting"
)


@pytest.mark.parametrize("created", ["2026-02-30", "2026-13-01"])
def test_impossible_calendar_date_gives_a_load_error(tmp_path: Path, created: str) -> None:
    write(tmp_path, "tips/t.md", tip_text(created=created))
    with pytest.raises(LoadError, match="datum"):
        load_one(tmp_path, "tips/t.md")


def test_impossible_meeting_date_is_reported_as_a_date_problem_not_an_unexpected_error(tmp_path: Path) -> None:
    write(tmp_path, "overleg/o.md", MEETING.replace("2026-02-04", "2026-02-31"))
    ((doc, reason),) = results(tmp_path).values()
    assert doc is None
    assert "datum" in reason and not reason.startswith("Onverwachte fout")


@pytest.mark.parametrize(
    "front",
    ["title: !!int twaalf", "title: !!float x", "title: !!timestamp gisteren", "title: " + "[" * 5000],
    ids=["int-tag", "float-tag", "timestamp-tag", "deep-nesting"],
)
def test_yaml_constructor_errors_become_load_errors(front: str) -> None:
    with pytest.raises(LoadError):
        split_front_matter(f"---\n{front}\n---\nTekst.\n")


def test_sidecar_with_impossible_date_in_an_unused_field_does_not_crash(tmp_path: Path) -> None:
    pdf_factory.text_pdf(tmp_path / "handleidingen/p.pdf", ["Genoeg tekst op deze pagina."])
    write(tmp_path, "handleidingen/p.yml", "title: P\nupdated: 2026-02-30\n")
    assert load_one(tmp_path, "handleidingen/p.pdf").title == "P"


def test_sidecar_with_broken_yaml_names_the_file(tmp_path: Path) -> None:
    pdf_factory.text_pdf(tmp_path / "handleidingen/p.pdf", ["Genoeg tekst op deze pagina."])
    write(tmp_path, "handleidingen/p.yml", "title: [P\n")
    with pytest.raises(LoadError, match=r"p\.yml"):
        load_one(tmp_path, "handleidingen/p.pdf")


@pytest.mark.parametrize("maker", [pdf_factory.broken_trailer_pdf, pdf_factory.self_referencing_pdf],
                         ids=["broken-trailer", "self-reference"])
def test_damaged_pdf_structures_give_a_load_error(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    maker(tmp_path / "handleidingen/kapot.pdf")
    with pytest.raises(LoadError, match="beschadigd"):
        load_one(tmp_path, "handleidingen/kapot.pdf")


@pytest.mark.parametrize("field", ["title", "app", "author", "department"])
def test_whitespace_only_required_field_counts_as_missing(tmp_path: Path, field: str) -> None:
    write(tmp_path, "tips/t.md", tip_text(**{field: '"   "'}))
    with pytest.raises(LoadError, match=field):
        load_one(tmp_path, "tips/t.md")


def test_empty_front_matter_field_of_generic_document_is_left_out(tmp_path: Path) -> None:
    write(tmp_path, "iets.md", "---\ntitle: Iets\nauthor:\ndate:\n---\nTekst.\n")
    meta = load_one(tmp_path, "iets.md").meta
    assert "None" not in meta.values()
    assert "author" not in meta and "date" not in meta


def test_empty_front_matter_block_is_accepted(tmp_path: Path) -> None:
    write(tmp_path, "leeg-blok.md", "---\n---\n# Kop\n\nTekst.\n")
    doc = load_one(tmp_path, "leeg-blok.md")
    assert (doc.title, doc.text) == ("Kop", "# Kop\n\nTekst.\n")


def test_size_message_shows_the_real_limit(tmp_path: Path) -> None:
    write(tmp_path, "tips/groot.md", tip_text(body="x" * 1_600_000))
    with pytest.raises(LoadError) as info:
        load_one(tmp_path, "tips/groot.md", max_bytes=1_500_000)
    assert "1.6 MB" in str(info.value)
    assert "1.5 MB" in str(info.value)


# ------------------------------------------------------------------------------------------------
# Property: arbitrary text never raises anything but LoadError
# ------------------------------------------------------------------------------------------------

NASTY = st.sampled_from(["-", "---", "\n", "\r\n", "\t", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff",
                         ":", "#", "# ", "## ", "[", "{", "&a", "*a", "'", '"', "title: ", "date: "])
TEXT = st.lists(st.one_of(st.text(max_size=8), NASTY), max_size=12).map("".join)
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _loads_or_load_error(text: str) -> None:
    try:
        front, body = split_front_matter(text)
    except LoadError as exc:
        assert str(exc)
    else:
        assert isinstance(front, dict) and isinstance(body, str)
    for kind in ("tip", "overleg", "document"):
        try:
            doc = load_markdown(text, f"{kind}/x.md", kind, fallback_title="x")
        except LoadError as exc:
            assert str(exc)
        else:
            assert isinstance(doc, Document) and isinstance(doc.title, str) and doc.text.strip()


@PROPERTY
@given(st.text())
def test_arbitrary_text_gives_document_or_load_error(text: str) -> None:
    _loads_or_load_error(text)


@PROPERTY
@given(TEXT, TEXT)
def test_arbitrary_front_matter_gives_document_or_load_error(head: str, body: str) -> None:
    _loads_or_load_error(f"---\n{head}\n---\n{body}")


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(["title", "app", "created", "date", "status", "tags", "id"]),
                          st.sampled_from(["Teams", "2026-03-14", "2026-02-30", "0000-00-00", "!!int abc",
                                           "!!float 1,5", "!!timestamp gisteren", "[a, b]", "''", "active"])),
                max_size=6), TEXT)
def test_yaml_shaped_front_matter_gives_document_or_load_error(fields: list[tuple[str, str]], body: str) -> None:
    head = "\n".join(f"{key}: {value}" for key, value in fields)
    _loads_or_load_error(f"---\n{head}\n---\n{body}")


# ------------------------------------------------------------------------------------------------
# The fixture corpus used by the integration tests
# ------------------------------------------------------------------------------------------------


def test_fixture_corpus_loads_without_failures() -> None:
    found = results(FIXTURE_CORPUS)
    failed = {source: reason for source, (doc, reason) in found.items() if doc is None}
    assert failed == {}
    docs = [doc for doc, _ in found.values()]
    tips = [d for d in docs if d.doc_type == "tip"]
    assert sum(d.active for d in tips) == 6
    assert [d.doc_id for d in tips if not d.active] == ["printen-pincode-oud"]
    assert [d.doc_type for d in docs].count("overleg") == 1
    (manual,) = [d for d in docs if d.doc_type == "handleiding"]
    assert manual.title == "Mini-handleiding Printen met je badge"
    assert [n for n, _ in manual.pages] == [1, 2, 3]
    html_tip = next(d for d in tips if d.doc_id == "outlook-handtekening-code")
    assert "<script>alert('x')</script>" in html_tip.text and "<img src=x onerror=alert(1)>" in html_tip.text
    for tip in tips:
        assert 60 <= len(tip.text.split()) <= 150, tip.source


def test_fixture_pdf_is_small_and_matches_its_generator(tmp_path: Path) -> None:
    committed = FIXTURE_CORPUS / "handleidingen" / "mini-handleiding-printen.pdf"
    assert committed.stat().st_size < 10_000
    spec = importlib.util.spec_from_file_location("make_fixture_pdf", FIXTURE_CORPUS.parent / "make_fixture_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build(tmp_path / "rebuilt.pdf")
    assert rebuilt.read_bytes() == committed.read_bytes()


def test_fixture_coaches_file_has_four_departments_one_absent() -> None:
    from assistant.escalation import CoachDirectory

    directory = CoachDirectory.load(FIXTURE_CORPUS / "coaches.yaml")
    departments = directory.departments()
    assert len(departments) == 4
    assert [d.id for d in departments if d.coach_absent] == ["cultuur"]
    tip_departments = {doc.meta["department"] for doc, _ in results(FIXTURE_CORPUS).values()
                       if doc is not None and doc.doc_type == "tip"}
    assert tip_departments <= {d.id for d in departments}
