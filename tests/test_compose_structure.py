"""Fast tier: the structural answer rules found in the sample misses (no model: similarities by hand).

Meeting notes answer under "Beslissingen:" what their "Vragen:" list restates; PDF text wraps lines,
so a numbered step can stop mid-sentence with its tail and the next steps outside the list. In a short
help article the sentence before the steps states what they rest on; its first procedure is the main way.
"""

from __future__ import annotations

from test_compose import answer, chunk, scored

from assistant import passages
from assistant.answering import quoted_part

MEETING = chunk("""## 2. AI: wanneer vermelden dat je het gebruikte?

**Vragen:**
- Wouter: moet een collegenota waarvan de eerste versie met Copilot gemaakt is, dat vermelden?

**Beslissingen:**
- Bij teksten voor het college vermeld je in de begeleidende mail of nota dat een AI-tool gebruikt is.

## 3. Planning overstap naar Windows 11

**Vragen:**
- Bart: wat met bestanden op C:? Zet ze vooraf in OneDrive.

**Beslissingen:**
- Het stadhuis gaat over in mei.
""", "overleg/2026-03-18.md", "Digicoach-overleg 18 maart 2026", doc_type="overleg")


def test_a_questions_list_in_meeting_notes_takes_the_decisions_of_its_item() -> None:
    docs = {MEETING.source: scored(MEETING, sims={"Wouter: moet": 0.8})}
    question = "moet ik vermelden dat ik copilot gebruikte voor een collegenota"
    assert "begeleidende mail of nota" not in quoted_part(answer(question, docs, MEETING, decisions_chars=0).text)
    body = quoted_part(answer(question, docs, MEETING, decisions_after_questions=True,
                             decisions_chars=0).text).splitlines()
    assert body[:2] == ["Vragen:", "- Wouter: moet een collegenota waarvan de eerste versie met Copilot gemaakt "
                        "is, dat vermelden?"]
    assert body[2:] == ["Beslissingen:", "- Bij teksten voor het college vermeld je in de begeleidende mail of nota "
                        "dat een AI-tool gebruikt is."]  # not the decisions of another agenda item
    decided = {MEETING.source: scored(MEETING, sims={"Het stadhuis gaat": 0.8})}
    assert "Vragen:" not in quoted_part(answer("wanneer gaat het stadhuis over", decided, MEETING,
                                               decisions_after_questions=True).text)


def test_a_short_questions_part_takes_the_decisions_while_it_stays_within_the_bound() -> None:
    docs = {MEETING.source: scored(MEETING, sims={"Wouter: moet": 0.8})}
    question = "moet ik vermelden dat ik copilot gebruikte voor een collegenota"
    body = quoted_part(answer(question, docs, MEETING).text).splitlines()  # the default bound: 400 characters
    assert body[0] == "Vragen:" and body[2:] == [
        "Beslissingen:", "- Bij teksten voor het college vermeld je in de begeleidende mail of nota dat een AI-tool "
        "gebruikt is."]
    assert "Beslissingen:" not in quoted_part(answer(question, docs, MEETING, decisions_chars=0).text)
    assert "Beslissingen:" not in quoted_part(answer(question, docs, MEETING, decisions_chars=120).text)


# As pypdf gives a manual's page: wrapped lines, so a step's tail and the next steps fall out of the list.
WRAPPED = chunk("""Je gsm is kwijt
1. Bel de ICT-helpdesk op 056 00 00 50. Bij diefstal of verlies verwijdert ICT de oude gsm uit je
account en meldt alle sessies op die gsm af.
2. Na een controle van je identiteit krijg je een tijdelijke toegangscode.
Die is 8 uur geldig.
3. Meld je met die code aan op mysignins.microsoft.com en koppel de app op je nieuwe of
herstelde gsm.
Buiten de kantooruren kan ICT geen tijdelijke toegangscode geven.
""", "handleidingen/mfa.pdf", "Handleiding MFA", doc_type="handleiding", section="Pagina 4", page=4)


def test_a_step_cut_by_a_wrapped_line_is_finished_with_the_rest_of_the_list() -> None:
    docs = {WRAPPED.source: scored(WRAPPED, sims={"Bel de ICT-helpdesk": 0.8})}
    question = "gsm gestolen, ik kan niet meer inloggen"
    step = "1. Bel de ICT-helpdesk op 056 00 00 50. Bij diefstal of verlies verwijdert ICT de oude gsm uit je"
    assert quoted_part(answer(question, docs, WRAPPED, finish_list=False).text).splitlines() == [step]
    sentence = quoted_part(answer(question, docs, WRAPPED, finish_list=False, finish_sentence=True).text)
    assert sentence.splitlines() == [f"{step} account en meldt alle sessies op die gsm af."]
    steps = quoted_part(answer(question, docs, WRAPPED).text).splitlines()
    assert steps == [f"{step} account en meldt alle sessies op die gsm af.",
                     "2. Na een controle van je identiteit krijg je een tijdelijke toegangscode.",
                     "Die is 8 uur geldig.",
                     "3. Meld je met die code aan op mysignins.microsoft.com en koppel de app op je nieuwe of "
                     "herstelde gsm."]  # and not the remark after the list


def test_a_wrapped_list_is_finished_within_the_procedure_bound() -> None:
    steps = "\n".join(f"{i}. Klik in het venster op de knop met de lange naam nummer {i} en dan\nop Volgende."
                      for i in range(1, 20))
    parts = passages.units(steps)
    shown = passages.expand(parts, passages.windows(parts)[0], finish_sentence=True, finish_list=True)
    assert shown.lines[0].endswith("nummer 1 en dan op Volgende.") and len(shown.lines) > 1
    assert len(shown.lines) <= passages.MAX_STEPS and sum(map(len, shown.lines)) <= passages.MAX_STEP_CHARS


# A help article with one heading: the condition first, then the procedure with its own lead-in.
RESTORE = chunk("""## Een verwijderd kanaal herstellen

Verwijderde kanalen kunnen worden hersteld tot 21 dagen nadat het kanaal is verwijderd.

Als u een verwijderd kanaal wilt herstellen, doet de teameigenaar het volgende:

1. Open de teaminstellingen via de drie puntjes naast de teamnaam.
2. Kies Kanalen beheren > Verwijderd en dan Herstellen.
""", "restore-channel.md", "Een verwijderd kanaal herstellen", doc_type="document")


def test_a_short_part_takes_the_sentence_before_it_under_the_same_heading() -> None:
    docs = {RESTORE.source: scored(RESTORE, sims={"Open de teaminstellingen": 0.60, "21 dagen": 0.45})}
    question = "ik heb een kanaal weggedaan, krijg ik dat nog terug"
    body = quoted_part(answer(question, docs, RESTORE).text).splitlines()
    assert body[0] == "Verwijderde kanalen kunnen worden hersteld tot 21 dagen nadat het kanaal is verwijderd."
    assert body[-1] == "2. Kies Kanalen beheren > Verwijderd en dan Herstellen."
    # Off, or when the part would grow past the bound: the procedure alone.
    for off in ({"before_chars": 0}, {"before_chars": 200}):
        assert "21 dagen" not in quoted_part(answer(question, docs, RESTORE, **off).text)


# Two procedures under one heading: the main one, and a fallback after it.
PRINTER = chunk("""## Bluetooth-printer reageert niet

Probeer eerst dit:

1. Schakel Bluetooth in via Start > Instellingen > Apparaten.
2. Voer de Bluetooth-probleemoplosser uit.

Als dat niet werkt, verwijder de printer en installeer hem opnieuw:

1. Kies Start > Instellingen > Printers en scanners.
2. Selecteer de printer en kies Apparaat verwijderen.
""", "bluetooth-printer.md", "Bluetooth-printer", doc_type="document")


def test_a_best_fallback_procedure_gives_way_to_the_first_procedure_when_nearly_as_close() -> None:
    question = "mijn bluetooth printer doet niets meer"
    near = {PRINTER.source: scored(PRINTER, sims={"Schakel Bluetooth": 0.61, "Apparaat verwijderen": 0.62})}
    body = quoted_part(answer(question, near, PRINTER).text)
    assert "1. Schakel Bluetooth in via Start > Instellingen > Apparaten." in body
    assert "Apparaat verwijderen" not in body
    assert "Apparaat verwijderen" in quoted_part(answer(question, near, PRINTER, first_within=-1.0).text)
    far = {PRINTER.source: scored(PRINTER, sims={"Schakel Bluetooth": 0.58, "Apparaat verwijderen": 0.62})}
    assert "Schakel Bluetooth" not in quoted_part(answer(question, far, PRINTER).text)
