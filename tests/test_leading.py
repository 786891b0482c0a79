"""Which document is quoted first when the question says so outright: its platform ("outlook op de pc",
"niet de browser") and a problem report ("wil ni uploaden"). Fakes only: windows scored by hand."""

from __future__ import annotations

import pytest
from test_compose import answer, chunk, scored

from assistant.answering import quoted_part
from assistant.platforms import other_platform, platforms

WEB = chunk("1. Meld u aan bij de webversie van Outlook.\n2. Kies Instellingen > Automatische antwoorden.\n",
            "web-ooo.md", "Webversie van Outlook: afwezigheidsberichten verzenden")
DESKTOP = chunk("1. Klik op Bestand > Automatische antwoorden.\n2. Kies Automatische antwoorden verzenden.\n",
                "desktop-ooo.md", "Bureaubladversie van Outlook: afwezigheidsberichten verzenden")
SIGNATURE = chunk("1. Open een nieuw bericht.\n2. Kies Handtekeningen op het tabblad Bericht.\n",
                  "signature-windows.md", "Een e-mailhandtekening maken in Outlook voor Windows")
WEB_SIGNATURE = chunk("1. Meld u aan bij de webversie.\n2. Kies Instellingen > E-mailhandtekening.\n",
                      "signature-web.md", "E-mailhandtekening maken in webversie van Outlook")
SIGN_OUT = chunk("1. Selecteer uw naam en kies Afmelden.\n", "web-sign-out.md", "Afmelden bij de webversie van Outlook")
RULES = chunk("Met regels verplaats je berichten automatisch.\n", "rules.md", "Regels in Outlook")

OOO_QUESTION = "hoe zet ik in outlook op mijn computer (het programma, niet de browser) een afwezigheidsbericht"


@pytest.mark.parametrize(("text", "named", "ruled_out"), [
    ("outlook op de pc", {"windows"}, set()),
    ("op mijn computer (het programma, niet de browser)", {"windows", "mac"}, {"web"}),
    ("kan ik dat ook op mijn gsm", {"mobile"}, set()),
    ("mijn mannen hebben geen smartphone", set(), {"mobile"}),
    ("Machtigingen voor een bibliotheek wijzigen", set(), set()),  # "mac" only as a whole word
])
def test_the_platform_a_text_names_or_rules_out(text: str, named: set[str], ruled_out: set[str]) -> None:
    assert platforms(text) == (frozenset(named), frozenset(ruled_out))


def test_a_title_for_another_platform_contradicts_the_question() -> None:
    assert other_platform(WEB.title, OOO_QUESTION)
    assert not other_platform(DESKTOP.title, OOO_QUESTION)
    assert other_platform(SIGNATURE.title, "werkt dat ook op mijn iphone")
    assert not other_platform("Een vergadering plannen", OOO_QUESTION)  # names no platform
    # "Aanmelden zonder smartphone" is the article for who has none.
    assert not other_platform("Aanmelden zonder smartphone: een beveiligingssleutel", "ik heb geen smartphone")


def test_a_document_for_another_platform_is_neither_quoted_first_nor_shown_second() -> None:
    docs = {WEB.source: scored(WEB, default=0.78), DESKTOP.source: scored(DESKTOP, default=0.775),
            SIGN_OUT.source: scored(SIGN_OUT, default=0.58), RULES.source: scored(RULES, default=0.50)}
    retrieved = (WEB, DESKTOP, SIGN_OUT, RULES)
    draft = answer(OOO_QUESTION, docs, *retrieved)
    assert draft.citations[0].source == DESKTOP.source, draft.text
    assert "Klik op Bestand > Automatische antwoorden." in quoted_part(draft.text)
    assert "webversie" not in quoted_part(draft.text)  # not the second passage either
    assert [c.source for c in draft.citations] == [DESKTOP.source, RULES.source, WEB.source]  # "Zie ook" last
    before = answer(OOO_QUESTION, docs, *retrieved, lead_platform=False)
    assert before.citations[0].source == WEB.source, before.text
    assert "Klik op Bestand > Automatische antwoorden." in quoted_part(before.text)  # [2], about as close
    # A question that names no platform keeps the retrieval order.
    assert answer("hoe zet ik een afwezigheidsbericht", docs, *retrieved).citations[0].source == WEB.source


def test_the_top_document_put_behind_yields_to_the_same_article_for_the_question_platform() -> None:
    docs = {WEB_SIGNATURE.source: scored(WEB_SIGNATURE, default=0.58), DESKTOP.source: scored(DESKTOP, default=0.56),
            SIGNATURE.source: scored(SIGNATURE, default=0.52)}
    question = "hoe krijg ik mijn naam en logo onderaan al mijn mails? outlook op de pc"
    draft = answer(question, docs, WEB_SIGNATURE, DESKTOP, SIGNATURE)
    assert draft.citations[0].source == SIGNATURE.source, draft.text
    # Without the counterpart, the closer article on another topic (out of office) came first.
    other_topic = answer(question, docs, WEB_SIGNATURE, DESKTOP, SIGNATURE, lead_counterpart=False)
    assert other_topic.citations[0].source == DESKTOP.source, other_topic.text


UPLOAD = chunk("1. Ga naar de locatie in OneDrive.\n2. Sleep de bestanden naar het venster.\n",
               "upload.md", "Bestanden uploaden naar OneDrive")
FIX_UPLOAD = chunk("Probeer het volgende als een bestand niet wordt geüpload:\n\n- Wijzig de naam van het bestand. "
                   "Sommige tekens zijn niet toegestaan.\n", "fix-upload.md",
                   "Problemen met het uploaden van bestanden naar OneDrive oplossen")
SYNC = chunk("OneDrive synchroniseert je bestanden met de cloud.\n", "sync.md", "Bestanden synchroniseren")


def test_a_problem_report_quotes_the_article_that_troubleshoots_it_first() -> None:
    docs = {UPLOAD.source: scored(UPLOAD, default=0.67), SYNC.source: scored(SYNC, default=0.64),
            FIX_UPLOAD.source: scored(FIX_UPLOAD, default=0.62)}
    question = "een bestand wil ni uploaden naar onedrive, de naam is 'verslag: wie?.docx'"
    draft = answer(question, docs, UPLOAD, SYNC, FIX_UPLOAD)
    assert draft.citations[0].source == FIX_UPLOAD.source, draft.text
    assert "Wijzig de naam van het bestand." in quoted_part(draft.text)
    assert answer(question, docs, UPLOAD, SYNC, FIX_UPLOAD, lead_trouble=-1.0).citations[0].source == UPLOAD.source
    # Asking how to do it is no problem report; nor is a troubleshooting article far behind.
    assert answer("hoe upload ik een bestand naar onedrive", docs, UPLOAD, SYNC, FIX_UPLOAD).citations[0].source \
        == UPLOAD.source
    far = {**docs, FIX_UPLOAD.source: scored(FIX_UPLOAD, default=0.45)}
    assert answer(question, far, UPLOAD, SYNC, FIX_UPLOAD).citations[0].source == UPLOAD.source
