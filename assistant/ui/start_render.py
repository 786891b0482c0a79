"""HTML of the start check (/start) and the tip path (/start/pad). Every value from a file, a form or a token passes
through esc(); the pages themselves are assistant/ui/plain_page.py shells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from assistant.digistart import Session
from assistant.escalation import SITES, Department, Route
from assistant.startcheck import Area, StartCheck
from assistant.startpath import END, START, level_label, recheck_due
from assistant.ui.render import esc, nl_date
from assistant.ui.source_view import source_href
from assistant.ui.start_token import PathState

INTRO = ("<h1>Startcheck voor nieuwe collega's</h1><p class=\"lead\">Nieuw bij de stad? In vijf minuten zie je waar "
         "je staat met aanmelden, Outlook, Teams, je bestanden, printen en veilig werken. Daarna krijg je je eigen "
         "tippad: de tips die jij nodig hebt, in een goede volgorde, en wie je digicoach is.</p>")
CONSENT = ("Deel mijn resultaat met de digicoach van mijn dienst")
CONSENT_HELP = ("Dan ziet je digicoach alleen je niveau per onderwerp en de datum: geen antwoorden, geen naam. "
                "Zonder vinkje bewaren we niets: je tippad blijft in deze browser.")
SECTION_NAMES = {START: "Om te beginnen", END: "Tot slot"}


def _num(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def department_select(departments: Sequence[Department], chosen: str) -> str:
    groups = []
    for site in SITES:
        opts = "".join(f'<option value="{esc(d.id)}"{" selected" if d.id == chosen else ""}>{esc(d.name)}</option>'
                       for d in sorted(departments, key=lambda d: d.name.casefold()) if d.site == site)
        groups.append(f'<optgroup label="{esc(site.capitalize())}">{opts}</optgroup>' if opts else "")
    return (f'<label class="veld" for="dienst">Jouw dienst</label><select id="dienst" name="dienst" required>'
            f'<option value="">Kies je dienst</option>{"".join(groups)}</select>')


def _choices(name: str, labels: Sequence[str], chosen: int | None, four: bool) -> str:
    boxes = "".join(
        f'<label class="keuze"><input type="radio" name="{esc(name)}" value="{i}" required'
        f'{" checked" if chosen == i else ""}><span>{esc(label)}</span></label>' for i, label in enumerate(labels))
    return f'<div class="keuzes{" vier" if four else ""}">{boxes}</div>'


def _area_html(check: StartCheck, area: Area, number: int, form: Mapping[str, str], errors: set[str]) -> str:
    labels = [a.label for a in check.answers]
    parts = [f'<section class="gebied" aria-labelledby="g-{esc(area.id)}"><h2 id="g-{esc(area.id)}">{number}. '
             f"{esc(area.name)}</h2>"]
    for item in area.items:
        bad = " fout" if item.id in errors else ""
        parts.append(f'<fieldset class="vraag{bad}" id="v-{esc(item.id)}"><legend>{esc(item.text)}</legend>'
                     f'{_choices(f"i-{item.id}", labels, _int(form.get(f"i-{item.id}")), len(labels) == 4)}</fieldset>')
    if area.question is not None:
        bad = " fout" if area.id in errors else ""
        parts.append(f'<fieldset class="vraag kennisvraag{bad}" id="v-{esc(area.id)}"><legend>'
                     f'<span class="label-kennis">Kennisvraag</span>{esc(area.question.text)}</legend>'
                     f'{_choices(f"k-{area.id}", area.question.options, _int(form.get(f"k-{area.id}")), False)}'
                     "</fieldset>")
    return "".join(parts) + "</section>"


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() and len(value) < 3 else None


def form_html(check: StartCheck, departments: Sequence[Department], form: Mapping[str, str],
              errors: Sequence[str], dept_error: bool) -> str:
    summary = ""
    if errors or dept_error:
        items = (['<li><a href="#dienst">Kies je dienst.</a></li>'] if dept_error else []) + [
            f'<li><a href="#v-{esc(e)}">{esc(_question_text(check, e))}</a></li>' for e in errors]
        summary = (f'<div class="melding fout" role="alert" tabindex="-1" id="fouten"><p><strong>Nog niet alles is '
                   f"ingevuld.</strong> Je antwoorden zijn bewaard op deze pagina; vul nog aan:</p>"
                   f'<ul>{"".join(items)}</ul></div>')
    previous = ('<div class="melding info" id="vorig-pad" hidden><p>Je deed de startcheck al op '
                '<strong id="vorig-datum"></strong>. <a id="vorig-link" href="/start/pad">Verder met je tippad</a>'
                '</p><p id="vorig-herhaling" hidden><strong>Tijd voor je herhalingscheck!</strong> Vul de vragen '
                "opnieuw in: je ziet wat je intussen bijgeleerd hebt.</p></div>")
    areas = "".join(_area_html(check, a, i, form, set(errors)) for i, a in enumerate(check.areas, start=1))
    count = sum(len(a.items) + (1 if a.question else 0) for a in check.areas)
    consent = (f'<div class="toestemming"><label><input type="checkbox" name="toestemming" value="ja" '
               f'id="toestemming"{" checked" if form.get("toestemming") == "ja" else ""}><span>{CONSENT}</span>'
               f'</label><p class="uitleg">{CONSENT_HELP}</p></div>')
    return (f"{INTRO}{previous}{summary}"
            f'<form id="startcheck" method="post" action="/start">'
            f'<input type="hidden" name="vorige" id="vorige" value="{esc(form.get("vorige", ""))}">'
            f'{department_select(departments, form.get("dienst", ""))}'
            f'<p class="uitleg">Kies bij elke vraag wat het best bij jou past. Er zijn geen foute antwoorden, '
            f"behalve bij de {sum(1 for a in check.areas if a.question)} korte kennisvragen.</p>{areas}{consent}"
            f'<div class="verzend"><button type="submit" class="knop">Toon mijn tippad</button>'
            f'<span class="teller" id="teller">{count} vragen</span></div></form>'
            '<p><a href="/">Terug naar digihulp</a></p>')


def _question_text(check: StartCheck, key: str) -> str:
    for area in check.areas:
        if area.id == key and area.question:
            return f"Kennisvraag: {area.question.text}"
        for item in area.items:
            if item.id == key:
                return item.text
    return key


def notice_html(problems: Sequence[str], missing: bool) -> str:
    if missing:
        text = "De startcheck is nog niet ingesteld. Vraag je digicoach hoe je als nieuwe collega van start gaat."
        details = ""
    else:
        text = ("De startcheck is even niet beschikbaar: de digicoaches passen hem aan. Probeer het later opnieuw, "
                "of vraag je digicoach hoe je van start gaat.")
        details = ("<details><summary>Voor de digicoaches: wat er niet klopt in startcheck.yaml</summary><ul>"
                   + "".join(f"<li>{esc(p)}</li>" for p in problems) + "</ul></details>")
    return (f'<h1>Startcheck voor nieuwe collega\'s</h1><div class="melding let-op" role="status"><p>{esc(text)}</p>'
            f'{details}</div><p>Je kunt intussen gewoon <a href="/">je vraag stellen aan digihulp</a>.</p>')


def _levels_html(check: StartCheck | None, state: PathState) -> str:
    top = max(len(check.answers) - 1, 1) if check else 3
    rows = []
    for area_id, score in state.levels.items():
        area = check.area(area_id) if check else None
        name, label = (area.name if area else area_id), (level_label(check, score) if check else _num(score))
        since = ""
        if state.first_on is not None and area_id in state.first_levels and check is not None:
            before = level_label(check, state.first_levels[area_id])
            since = f'<span class="meta">Bij je eerste check ({nl_date(state.first_on.isoformat())}): {esc(before)}' \
                    "</span>"
        rows.append(f'<li><span>{esc(name)}</span><strong>{esc(label)}</strong>{since}'
                    f'<meter min="0" max="{top}" value="{score:.2f}" aria-hidden="true"></meter></li>')
    return f'<ul class="niveaus">{"".join(rows)}</ul>'


def _knowledge_html(check: StartCheck | None, state: PathState, back: str) -> str:
    """The missed knowledge questions in full (answer, why, the tip); the right ones in one line."""
    rows, right = [], []
    for area_id, ok in state.knowledge.items():
        area = check.area(area_id) if check else None
        if area is None or area.question is None:
            continue
        if ok:
            right.append(area.name)
            continue
        question, tip = area.question, check.tips.get(area.question.tip) if check else None
        verdict = (f'<span class="oordeel niet-juist">Niet juist.</span> Het juiste antwoord: '
                   f"{esc(question.options[question.correct])}")
        cite = f' Lees: <a href="{esc(source_href(tip.source, back))}">{esc(tip.title)}</a>' if tip else ""
        rows.append(f"<li><p><strong>{esc(question.text)}</strong></p><p>{verdict}</p>"
                    f"<p>{esc(question.explanation)}{cite}</p></li>")
    if right:
        rows.append(f'<li><span class="oordeel juist">Juist</span> bij {esc(", ".join(right))}.</li>')
    return f'<h3>Je kennisvragen</h3><ul class="kennis">{"".join(rows)}</ul>' if rows else ""


def _tips_html(check: StartCheck | None, state: PathState, token: str, back: str) -> str:
    parts, number = [], 0
    for area_id, tips in state.sections:
        area = check.area(area_id) if check else None
        parts.append(f'<h3 class="pad-kop">{esc(SECTION_NAMES.get(area_id) or (area.name if area else area_id))}</h3>'
                     f'<ol class="tips" start="{number + 1}">')
        for tip_id in tips:
            number += 1
            info = check.tips.get(tip_id) if check else None
            done = tip_id in state.done
            if info is None or not info.active:
                link = f"<span>{esc(info.title if info else tip_id)}</span> <span class=\"meta\">(deze tip is " \
                       "ingetrokken of verplaatst; vraag je digicoach naar de nieuwe)</span>"
            else:
                href = esc(source_href(info.source, back))
                link = (f'<a class="tiplink" data-bron="{esc(info.source)}" href="{href}">{esc(info.title)}</a>'
                        f'<br><span class="meta">{esc(info.app)}</span>')
            parts.append(
                f'<li class="tip{" gedaan" if done else ""}" id="tip-{number}"><span class="nummer">{number}.</span>'
                f'<span class="wat">{link}</span><form class="gedaan-form" method="post" action="/start/gedaan">'
                f'<input type="hidden" name="r" value="{esc(token)}"><input type="hidden" name="tip" '
                f'value="{esc(tip_id)}"><input type="hidden" name="gedaan" value="{"0" if done else "1"}">'
                f'<button type="submit" class="knop licht klein" aria-pressed="{"true" if done else "false"}">'
                f'{"✓ Gedaan" if done else "Markeer als gedaan"}</button></form></li>')
        parts.append("</ol>")
    return "".join(parts)


def coach_card(route: Route, dept: Department | None, session: Session | None, back: str) -> str:
    coach = route.coach
    lines = [f"<p><strong>{esc(coach.name)}</strong>"
             + (f" (back-up van {esc(dept.coach.name)}, die nu afwezig is)" if route.reason == "backup" and dept
                else "") + "</p>"]
    if dept is not None and dept.location and route.reason == "coach":
        lines.append(f"<p>Waar: {esc(dept.location)}</p>")
    lines.append(f'<p>Mail: <a href="mailto:{esc(coach.email)}">{esc(coach.email)}</a>'
                 + (f' · Telefoon: <a href="tel:{esc(coach.phone.replace(" ", ""))}">{esc(coach.phone)}</a>'
                    if coach.phone else "") + "</p>")
    if dept is not None and dept.backup and route.reason == "coach":
        lines.append(f'<p class="meta">Is {esc(coach.first_name)} er niet, dan helpt {esc(dept.backup.name)}.</p>')
    if session is not None:
        when = f"{esc(nl_weekday(session.day))} {esc(nl_date(session.day.isoformat()))}"
        extra = ", ".join(esc(x) for x in (session.time, session.place) if x)
        lines.append(f'<p><strong>Volgende Digistart:</strong> {when}{", " + extra if extra else ""} '
                     f'<span class="meta">(volgens <a href="{esc(source_href(session.source, back))}">'
                     f"{esc(session.source_title)}</a>)</span></p>")
    return ('<section class="kaart" aria-labelledby="coach-kop"><h2 id="coach-kop">Jouw digicoach</h2>'
            + "".join(lines) + "</section>")


def nl_weekday(day: dt.date) -> str:
    return ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")[day.weekday()]


def path_html(check: StartCheck | None, state: PathState, token: str, base_url: str, card: str,
              notice: str = "") -> str:
    back = f"/start/pad?r={token}"
    total, done = len(state.tips), len(state.done)
    link = f"{base_url}start/pad?r={token}"
    mail = f"mailto:?subject={quote('Mijn tippad van digihulp')}&body={quote(link)}"
    cut = (f'<p class="meta">Nog {state.cut} tips voor later: die komen bij je herhalingscheck.</p>'
           if state.cut else "")
    shared = ('<form method="post" action="/start/intrekken"><p>Je resultaat (niveau per onderwerp en datum) is '
              f'gedeeld met je digicoach. <input type="hidden" name="r" value="{esc(token)}">'
              '<button type="submit" class="knop licht klein">Niet meer delen</button></p></form>'
              if state.series else "<p>Je resultaat is met niemand gedeeld en staat alleen in deze browser.</p>")
    return (
        f"<h1>Jouw tippad</h1>{notice}<p class=\"meta\">Startcheck van {esc(nl_date(state.checked_on.isoformat()))}"
        f"</p><h2>Waar je staat</h2>{_levels_html(check, state)}{_knowledge_html(check, state, back)}"
        f'<h2>Je tips, in deze volgorde</h2><p class="voortgang"><progress id="voortgang" max="{total}" '
        f'value="{done}"></progress><span id="voortgang-tekst" aria-live="polite">{done} van {total} tips gedaan'
        f"</span></p>{_tips_html(check, state, token, back)}{cut}{card}"
        '<h2>Verder op een ander toestel</h2><p>Open deze link op je gsm of een andere computer; wat je al gedaan '
        'hebt, gaat mee.</p><label class="veld" for="deel-link">Link naar je tippad</label><div class="deel">'
        f'<input type="text" id="deel-link" readonly value="{esc(link)}" data-basis="{esc(base_url)}">'
        '<button type="button" class="knop licht klein" id="kopieer" hidden>'
        f'Kopieer de link</button></div><p><a id="deel-mail" href="{esc(mail)}">Mail de link naar mezelf</a></p>'
        f"<h2>Herhalingscheck</h2><p>Doe de startcheck opnieuw vanaf "
        f"<strong>{esc(nl_date(recheck_due(state.checked_on).isoformat()))}</strong>: dan zie je wat je "
        f'bijgeleerd hebt. <a href="/start">Naar de startcheck</a></p>{shared}'
        '<p><a href="/">Terug naar digihulp</a></p>')
