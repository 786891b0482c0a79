"""Fast tier: how an answer is composed from scored windows (no model: similarities are given by hand).

The rules of issue 11: never end on a lead-in, a procedure whole from its first step within a bound,
never a bare link label or "Zie …" line, two close documents each with their passage, "Zie ook" entries
that say what is there, and every quoted word verbatim (groundedness 1.0).
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant import passages
from assistant.answering import TEMPLATE_PHRASES, compose_extractive, groundedness, quoted_part
from assistant.selection import SelectionOptions
from assistant.types import Chunk, Hit
from assistant.windows import ScoredWindow, chunk_windows

MODEL = "test-model"


def chunk(text: str, source: str, title: str, position: int = 0, doc_type: Any = "tip", **kw: Any) -> Chunk:
    return Chunk(f"{source}#{position}", text, source, doc_type, title, position=position, **kw)


def scored(*chunks: Chunk, sims: dict[str, float] | None = None, default: float = 0.30) -> list[ScoredWindow]:
    """Every window of the chunks in reading order; a window whose text contains a key of `sims` gets
    that similarity, the others `default`."""
    out = []
    for c in chunks:
        layout = chunk_windows(c, MODEL)
        for i, text in enumerate(layout.texts):
            sim = next((v for k, v in (sims or {}).items() if k in text), default)
            out.append(ScoredWindow(c, i, sim, layout))
    return out


def hits(*chunks: Chunk) -> list[Hit]:
    return [Hit(chunk=c, score=0.6 - i / 100, dense_score=0.6 - i / 100) for i, c in enumerate(chunks)]


def answer(question: str, docs: dict[str, list[ScoredWindow]], *chunks: Chunk, **options: Any) -> Any:
    draft = compose_extractive(question, hits(*chunks), windows=docs, options=SelectionOptions(**options))
    assert groundedness(draft) == 1.0, draft.text
    return draft


# As stored in the index: link targets are stripped at ingest, so a link is left as its bare label.
OUT_OF_OFFICE = """Ben je met verlof? Zet dan een afwezigheidsbericht aan.

## Zo doe je het

Het bericht stel je in Outlook zelf in. Volg deze stappen:

1. Klik op Bestand.
2. Kies Automatische antwoorden.
3. Vink Automatische antwoorden verzenden aan.

## Wil je dat niet meer?

Wil je het bericht vroeger stoppen? Kies dan Geen automatische antwoorden verzenden.

Meer informatie over automatische antwoorden

Zie ook de tip over je agenda.
"""
OOO = chunk(OUT_OF_OFFICE, "tips/afwezig.md", "Afwezigheidsbericht instellen")


def test_lead_in_takes_the_steps_it_introduces() -> None:
    docs = {OOO.source: scored(OOO, sims={"Volg deze stappen": 0.8})}
    draft = answer("hoe zet ik een afwezigheidsbericht", docs, OOO)
    body = quoted_part(draft.text).splitlines()
    assert "1. Klik op Bestand." in body and body[-1] == "3. Vink Automatische antwoorden verzenden aan."
    assert not any(line.rstrip().endswith((":", "?")) for line in body[-1:])
    assert draft.text.splitlines()[0] == "Volgens de tip “Afwezigheidsbericht instellen”, onder “Zo doe je het” [1]:"


def test_a_question_lead_in_takes_its_answer_along() -> None:
    docs = {OOO.source: scored(OOO, sims={"vroeger stoppen": 0.8})}
    body = quoted_part(answer("kan ik het bericht stoppen", docs, OOO).text)
    assert "Wil je het bericht vroeger stoppen? Kies dan Geen automatische antwoorden verzenden." in body


def test_bare_link_labels_and_pointers_are_never_quoted() -> None:
    parts = passages.units(OUT_OF_OFFICE)
    assert [u.kind for u in parts if "Meer informatie" in u.text or "Zie ook" in u.text] == ["pointer", "pointer"]
    layout = chunk_windows(OOO, MODEL)
    assert not any("Meer informatie" in t or "Zie ook" in t for t in layout.texts)  # never embedded
    docs = {OOO.source: scored(OOO, sims={"vroeger stoppen": 0.8})}
    text = answer("meer informatie over automatische antwoorden", docs, OOO).text
    assert "Meer informatie" not in text and "Zie ook de tip" not in text


def test_empty_heading_is_never_shown() -> None:
    c = chunk("## Leeg\n\n## Printen\n\nHoud je badge tegen de lezer.\n", "tips/p.md", "Printen")
    draft = answer("hoe print ik", {c.source: scored(c, default=0.7)}, c)
    assert "Leeg" not in draft.text and "Houd je badge tegen de lezer." in draft.text


def test_long_procedure_is_cut_at_the_bound_with_a_pointer() -> None:
    steps = "\n".join(f"{i}. Doe stap nummer {i} in het menu Instellingen." for i in range(1, 16))
    c = chunk(f"Zo installeer je de app:\n\n{steps}\n", "tips/app.md", "App installeren")
    draft = answer("hoe installeer ik de app", {c.source: scored(c, default=0.7)}, c)
    lines = draft.text.splitlines()
    shown = [line for line in lines if line[:1].isdigit()]
    assert shown[0].startswith("1. ") and len(shown) == passages.MAX_STEPS
    assert lines[-1] == "… (verder in de bron [1])"
    assert "… (verder in de bron [{n}])" in TEMPLATE_PHRASES
    long = "\n".join(f"{i}. {'Klik op de knop met de lange naam ' * 4}{i}." for i in range(1, 9))
    c2 = chunk(f"{long}\n", "tips/lang.md", "Lang")
    body = quoted_part(answer("hoe", {c2.source: scored(c2, default=0.7)}, c2).text)
    assert sum(len(line) for line in body.splitlines()) <= passages.MAX_STEP_CHARS


def test_procedure_split_over_two_chunks_is_shown_from_its_first_step() -> None:
    first = chunk("Zo doe je het:\n\n1. Open Teams.\n2. Klik op Agenda.\n", "tips/t.md", "Teams", position=0)
    second = chunk("3. Kies Nieuwe vergadering.\n4. Klik op Opslaan.\n", "tips/t.md", "Teams", position=1)
    docs = {first.source: scored(first, second, sims={"Nieuwe vergadering": 0.8})}
    body = quoted_part(answer("hoe plan ik een vergadering", docs, second).text).splitlines()
    assert body[:2] == ["Zo doe je het:", "1. Open Teams."] and body[-1] == "4. Klik op Opslaan."


def test_problem_statement_takes_the_window_after_it() -> None:
    c = chunk("Mijn mails zijn weg! Ik zie niets meer in mijn postvak sinds vanmorgen.\n\n## Oplossing\n\n"
              "Klik bovenaan op Filter en kies Alle. Dan staan je mails er weer.\n", "tips/m.md", "Mails kwijt")
    docs = {c.source: scored(c, sims={"Mijn mails zijn weg": 0.8, "Filter": 0.6})}
    body = quoted_part(answer("mijn mails zijn weg", docs, c).text)
    assert "Klik bovenaan op Filter en kies Alle." in body
    without = compose_extractive("mijn mails zijn weg", hits(c), windows=docs,
                                 options=SelectionOptions(next_window=False, steps_within=-1, context_words=0))
    assert "Filter" not in quoted_part(without.text)


TRACK = chunk("""## Zo doe je het

1. Klik op het tabblad Controleren.
2. Klik op Wijzigingen bijhouden.

Vanaf nu wordt alles wat je schrapt rood doorgehaald.

## Handig om te weten

- Sneltoets om aan en uit te zetten: Ctrl+Shift+E.
- Het werkt ook in Word voor het web.
""", "tips/wijzigingen.md", "Wijzigingen bijhouden in Word")


def test_how_question_is_answered_from_the_procedure_not_a_bullet_list_beside_it() -> None:
    docs = {TRACK.source: scored(TRACK, sims={"Sneltoets": 0.80, "Klik op het tabblad": 0.77})}
    body = quoted_part(answer("hoe zet ik wijzigingen bijhouden aan", docs, TRACK).text).splitlines()
    assert body[:2] == ["1. Klik op het tabblad Controleren.", "2. Klik op Wijzigingen bijhouden."]
    assert not any("Sneltoets" in line for line in body)
    # Not a how-question, or the procedure not nearly as close: the bullet list that matched is shown.
    other = quoted_part(answer("welke sneltoets heeft wijzigingen bijhouden", docs, TRACK).text)
    assert "Sneltoets om aan en uit te zetten: Ctrl+Shift+E." in other and "Klik op het tabblad" not in other
    far = {TRACK.source: scored(TRACK, sims={"Sneltoets": 0.80, "Klik op het tabblad": 0.70})}
    assert "Klik op het tabblad" not in quoted_part(answer("hoe zet ik het aan", far, TRACK).text)


def test_what_the_steps_achieve_is_shown_with_the_steps() -> None:
    docs = {TRACK.source: scored(TRACK, sims={"Vanaf nu": 0.80})}
    body = quoted_part(answer("zie ik wat mijn collega geschrapt heeft", docs, TRACK).text).splitlines()
    assert body[:3] == ["1. Klik op het tabblad Controleren.", "2. Klik op Wijzigingen bijhouden.",
                        "Vanaf nu wordt alles wat je schrapt rood doorgehaald."]
    off = compose_extractive("zie ik wat mijn collega geschrapt heeft", hits(TRACK), windows=docs,
                             options=SelectionOptions(steps_before=False))
    assert "Klik op het tabblad" not in quoted_part(off.text)


NEW_PHONE = chunk("""De app verhuist niet vanzelf naar je nieuwe gsm.

## Zo doe je het

1. Installeer de app op je nieuwe gsm.
2. Ga naar mysignins en kies Aanmeldingsmethode toevoegen.

## Oude gsm al kwijt?

Bel dan de helpdesk voor een tijdelijke code.

## Let op

- Een back-up zet je werkaccount niet mee over.
- Sms-codes werken niet meer.
""", "tips/nieuwe-gsm.md", "Authenticator naar een nieuwe gsm")


def test_how_question_is_answered_from_the_main_procedure_not_a_side_case_beside_it() -> None:
    docs = {NEW_PHONE.source: scored(NEW_PHONE, sims={"Bel dan": 0.80, "Installeer de app": 0.78})}
    question = "hoe krijg ik de app op mijn nieuwe gsm"
    body = quoted_part(answer(question, docs, NEW_PHONE).text).splitlines()
    assert body == ["1. Installeer de app op je nieuwe gsm.",
                    "2. Ga naar mysignins en kies Aanmeldingsmethode toevoegen."]
    # The side case is shown when the rule is off, the question asks no "how", or the steps are not nearly as close.
    off = quoted_part(answer(question, docs, NEW_PHONE, main_within=-1.0).text)
    assert "Bel dan de helpdesk voor een tijdelijke code." in off and "Installeer" not in off
    assert "Installeer" not in quoted_part(answer("mijn oude gsm is kwijt, wat nu", docs, NEW_PHONE).text)
    far = {NEW_PHONE.source: scored(NEW_PHONE, sims={"Bel dan": 0.80, "Installeer de app": 0.76})}
    assert "Installeer" not in quoted_part(answer(question, far, NEW_PHONE).text)


COURSE = chunk("""Nieuw bij ons? Kom naar de startsessie.

## Wanneer en waar?

- Elke tweede woensdag van de maand, van 14u tot 16u.
- In het leslokaal op de eerste verdieping.

## Hoe schrijf je je in?

1. Open het personeelsportaal.
2. Klik bij Startsessie op Inschrijven.

## Meebrengen

Je laptop en je badge.
""", "tips/startsessie.md", "De startsessie voor nieuwe collega's")


def test_a_question_that_asks_two_things_shows_the_section_that_answers_the_second() -> None:
    docs = {COURSE.source: scored(COURSE, sims={"Klik bij Startsessie": 0.80, "tweede woensdag": 0.72})}
    question = "wanneer is de volgende startsessie en hoe geraak ik ingeschreven"
    body = quoted_part(answer(question, docs, COURSE).text).splitlines()
    # Reading order; of the other section its first line only (the rest is in the source).
    assert body == ["- Elke tweede woensdag van de maand, van 14u tot 16u.", "Hoe schrijf je je in?",
                    "1. Open het personeelsportaal.", "2. Klik bij Startsessie op Inschrijven."]
    assert "… (verder in de bron [1])" in answer(question, docs, COURSE).text
    # A question that asks one thing, a section further than the gap, or the rule off: the steps alone.
    steps = ["1. Open het personeelsportaal.", "2. Klik bij Startsessie op Inschrijven."]
    assert quoted_part(answer("hoe geraak ik ingeschreven voor de startsessie", docs, COURSE).text).splitlines() \
        == steps
    assert quoted_part(answer(question, docs, COURSE, second_section_within=0.05).text).splitlines() == steps
    assert quoted_part(answer(question, docs, COURSE, second_section_within=-1.0).text).splitlines() == steps
    # An answer that fits a phone screen without the second section keeps fitting (the chars bound).
    assert quoted_part(answer(question, docs, COURSE, second_section_chars=100).text).splitlines() == steps


TEAMS = chunk("Je status zet je via je profielfoto. Kies Niet storen.\n", "tips/status.md", "Status in Teams")
AGENDA = chunk("Een vergadering plan je in de Agenda van Teams. Klik op Nieuwe vergadering.\n",
               "tips/agenda.md", "Vergaderen in Teams")
PRINT = chunk("## Badge koppelen\n\nHoud je badge tegen de lezer en typ je personeelsnummer.\n", "tips/print.md",
              "Printen met je badge")


def test_two_close_documents_each_show_their_passage() -> None:
    docs = {TEAMS.source: scored(TEAMS, default=0.70), AGENDA.source: scored(AGENDA, default=0.69),
            PRINT.source: scored(PRINT, default=0.40)}
    draft = answer("status en vergadering", docs, TEAMS, AGENDA, PRINT)
    lines = draft.text.splitlines()
    assert lines[0] == "Volgens de tip “Status in Teams” [1]:"
    assert "Volgens de tip “Vergaderen in Teams” [2]:" in lines
    assert "Klik op Nieuwe vergadering." in quoted_part(draft.text)
    assert [c.n for c in draft.citations] == [1, 2, 3]
    far = {**docs, AGENDA.source: scored(AGENDA, default=0.55)}
    single = answer("status in teams", far, TEAMS, AGENDA, PRINT)
    assert "Klik op Nieuwe vergadering." not in quoted_part(single.text)
    assert "- Vergaderen in Teams [2]: Een vergadering plan je in de Agenda van Teams." in single.text


def test_a_lower_ranked_document_that_answers_clearly_better_is_quoted_first() -> None:
    docs = {TEAMS.source: scored(TEAMS, default=0.55), PRINT.source: scored(PRINT, default=0.50),
            AGENDA.source: scored(AGENDA, default=0.70)}
    draft = answer("hoe doe ik dat", docs, TEAMS, PRINT, AGENDA)  # no content words: the windows decide
    lines = draft.text.splitlines()
    assert lines[0] == "Volgens de tip “Vergaderen in Teams” [1]:"
    assert [(c.n, c.source) for c in draft.citations] == [(1, AGENDA.source), (2, TEAMS.source), (3, PRINT.source)]
    assert lines[-3:-1] == ["Zie ook:", "- Status in Teams [2]: Je status zet je via je profielfoto."]
    assert lines[-1].startswith("- Printen met je badge [3]")
    top_first = answer("hoe doe ik dat", docs, TEAMS, PRINT, AGENDA, lead_docs=1)
    assert top_first.text.splitlines()[0] == "Volgens de tip “Status in Teams” [1]:"
    close = {**docs, AGENDA.source: scored(AGENDA, default=0.57)}  # within the margin: retrieval order stands
    assert answer("hoe doe ik dat", close, TEAMS, PRINT, AGENDA).citations[0].source == TEAMS.source


def test_the_question_words_a_part_holds_decide_between_two_close_documents() -> None:
    docs = {TEAMS.source: scored(TEAMS, default=0.60), AGENDA.source: scored(AGENDA, default=0.60)}
    draft = answer("hoe plan ik een nieuwe vergadering in de agenda", docs, TEAMS, AGENDA)
    assert draft.text.splitlines()[0] == "Volgens de tip “Vergaderen in Teams” [1]:"
    assert "Volgens de tip “Status in Teams” [2]:" in draft.text  # still about as close: shown second
    windows_only = answer("hoe plan ik een nieuwe vergadering in de agenda", docs, TEAMS, AGENDA, lead_terms=0.0)
    assert windows_only.text.splitlines()[0] == "Volgens de tip “Status in Teams” [1]:"


BADGE_TIP = chunk("## Zo haal je je afdruk op\n\n1. Kies de printer Follow-me.\n2. Houd je personeelsbadge tegen de "
                  "lezer.\n3. Tik op Afdrukken vrijgeven.\n", "tips/badge.md", "Printen met je badge")
# pypdf hands a manual's numbered section title over like a one-step list.
BADGE_MANUAL = chunk("2. Een afdruk ophalen\n\nWandel naar een printer en houd je badge tegen de lezer. Kies je "
                     "document.\n\n3. Scannen naar je mailbox\n\nLeg je document op de glasplaat.\n",
                     "handleidingen/printen.pdf", "Handleiding printen", doc_type="manual", page=2)


def test_a_how_question_answered_by_steps_keeps_them_first_over_prose_with_more_question_words() -> None:
    docs = {BADGE_TIP.source: scored(BADGE_TIP, sims={"Follow-me": 0.76}, default=0.70),
            BADGE_MANUAL.source: scored(BADGE_MANUAL, sims={"Wandel": 0.75}, default=0.55)}
    draft = answer("hoe print ik met mijn badge", docs, BADGE_TIP, BADGE_MANUAL)
    assert draft.citations[0].source == BADGE_TIP.source, draft.text
    assert "1. Kies de printer Follow-me." in quoted_part(draft.text)
    # The lead rule still applies when the top document shows no steps either.
    what = answer("wat doet mijn badge bij de printer", docs, BADGE_TIP, BADGE_MANUAL)
    assert what.citations[0].source == BADGE_MANUAL.source, what.text


def test_a_numbered_section_title_is_not_a_procedure_nor_shown_alone() -> None:
    docs = {BADGE_MANUAL.source: scored(BADGE_MANUAL, sims={"Wandel": 0.75}, default=0.55)}
    body = quoted_part(answer("waar haal ik mijn afdruk op", docs, BADGE_MANUAL).text)
    assert "Wandel naar een printer" in body and "Scannen naar je mailbox" not in body, body


LARGE_LISTS = chunk("SharePoint-lijsten kunnen maximaal dertig miljoen items bevatten, maar als ze meer dan "
                    "vijfduizend items bevatten, ziet u mogelijk een drempelfout voor de lijstweergave wanneer u "
                    "ermee werkt. Deze "
                    "drempelwaarde is ingesteld om de prestaties van de service te handhaven. Deze waarde kan niet "
                    "worden gewijzigd. Om te voorkomen dat u deze drempel bereikt:\n\n**Indexen toevoegen**\n\n"
                    "Voeg handmatig een index toe vanuit lijst Instellingen.\n", "large-lists.md", "Grote lijsten",
                    doc_type="document")


def test_a_lead_in_before_a_bold_sub_heading_takes_what_it_introduces() -> None:
    docs = {LARGE_LISTS.source: scored(LARGE_LISTS, sims={"drempelfout": 0.7}, default=0.45)}
    body = quoted_part(answer("fout over de drempel van de lijstweergave", docs, LARGE_LISTS).text)
    assert not body.rstrip().endswith(":"), body
    assert "Voeg handmatig een index toe" in body, body


def test_see_also_entries_say_what_is_there_and_do_not_count_as_the_answer() -> None:
    docs = {TEAMS.source: scored(TEAMS, default=0.70), PRINT.source: scored(PRINT, default=0.40)}
    draft = answer("status", docs, TEAMS, PRINT)
    assert draft.text.splitlines()[-2:] == ["Zie ook:", "- Printen met je badge [2]: Badge koppelen"]
    assert "Badge koppelen" not in quoted_part(draft.text) and "Printen met je badge" not in quoted_part(draft.text)
    assert "Status in Teams" not in quoted_part(draft.text)  # the intro with the title does not count either


def test_invented_section_or_about_line_is_not_grounded() -> None:
    docs = {TEAMS.source: scored(TEAMS, default=0.70), PRINT.source: scored(PRINT, default=0.40)}
    draft = answer("status", docs, TEAMS, PRINT)
    from assistant.answering import Draft

    invented = draft.text.replace("Badge koppelen", "Badge kopen")
    assert groundedness(Draft(invented, draft.citations, 1.0, "extractive")) < 1.0


def test_without_windows_the_passage_is_chosen_by_shared_words() -> None:
    draft = compose_extractive("hoe zet ik mijn status op niet storen", hits(TEAMS, PRINT))
    assert "Kies Niet storen." in draft.text and groundedness(draft) == 1.0
    assert "- Printen met je badge [2]" in draft.text


@pytest.mark.parametrize("text", ["Ga naar Instellingen:", "Wil je dat niet meer?"])
def test_a_lead_in_is_never_shown_alone(text: str) -> None:
    c = chunk(f"{text}\n", "tips/x.md", "X")
    parts = passages.units(c.text)
    shown = passages.expand(parts, passages.windows(parts)[0])
    assert shown.lines == (text,)  # nothing follows it in the source: the sentence itself, not more
    c2 = chunk(f"{text}\n\n1. Klik op Opslaan.\n", "tips/y.md", "Y")
    parts2 = passages.units(c2.text)
    assert passages.expand(parts2, passages.windows(parts2)[0]).lines == (text, "1. Klik op Opslaan.")

