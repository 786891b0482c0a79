"""The agenda as Dutch Markdown, as printable HTML (charts embedded), and as the skeleton of the meeting notes."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Mapping

import yaml

from assistant.agenda.build import AgendaData
from assistant.dutch import nl_date
from assistant.gaps import GapCard
from assistant.signals import KIND_NL

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")
SPARK = "▁▂▃▄▅▆▇█"
PRINT_CSS = """body{font-family:system-ui,'Segoe UI',Arial,sans-serif;max-width:52rem;margin:2rem auto;color:#222;
line-height:1.45;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border-bottom:1px solid #ddd;padding:3px 6px;
text-align:left;vertical-align:top}img{max-width:100%}@media print{body{margin:0;max-width:none}
h2{break-after:avoid}img,table{break-inside:avoid}}"""


def md(text: object) -> str:
    """Stored text as literal Markdown: no markup, links or HTML from a question ever renders."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def sparkline(counts: tuple[int, ...] | list[int]) -> str:
    top = max(counts, default=0)
    return "".join(SPARK[min(len(SPARK) - 1, round(c / top * (len(SPARK) - 1)))] if top else SPARK[0] for c in counts)


def trend(now: int, before: int) -> str:
    if before == 0:
        return "nieuw" if now else "–"
    change = (now - before) / before
    return f"{'+' if change >= 0 else ''}{change:.0%} t.o.v. vorige periode ({before})"


def _gap_line(i: int, card: GapCard) -> list[str]:
    kind = "ontbrekende tip" if card.missing else "zwakke tip"
    tips = "; ".join(f"{md(t.title)} ({t.similarity:.2f})" for t in card.tips[:2]) or "geen"
    kinds = ", ".join(f"{KIND_NL.get(k, k)} {n}" for k, n in sorted(card.kinds.items(), key=lambda kv: -kv[1]))
    depts = ", ".join(f"{md(d)} ({n})" for d, n in card.departments[:4])
    lines = [f"{i}. **{md(card.label)}** — {card.count} vragen, {trend(card.count, card.previous)} "
             f"`{sparkline(card.weekly)}` · {kind} · {card.status_nl}",
             f"   - Diensten: {depts}", f"   - Signalen: {kinds}", f"   - Dichtste tips: {tips}"]
    lines += [f"   - „{md(q)}”" for q in card.examples[:3]]
    return lines


def markdown(data: AgendaData, charts: Mapping[str, str] | None = None) -> str:
    """The agenda; `charts` maps chart stem -> file name to link (omit for a note without images)."""
    since = nl_date(data.since.isoformat())
    out = [f"# Agenda digicoach-overleg {nl_date(data.meeting.isoformat())}", "",
           f"Opgesteld door digihulp op {nl_date((data.until - dt.timedelta(days=1)).isoformat())} · periode sinds "
           f"{since} · {data.total_questions} vragen gesteld.", ""]
    out += _section("1. Nieuwe en gewijzigde tips", [
        f"- {md(t.title)} ({md(t.app)}) — {t.kind} op {nl_date(t.day)} door {md(t.author)} · "
        + (f"batchpoort: {md(t.gate)}" if t.gate else "niet via de batchpoort gepubliceerd") for t in data.tips],
        f"Geen nieuwe of nagekeken tips sinds {since}.")
    gaps = [line for i, card in enumerate(data.gaps, 1) for line in _gap_line(i, card)]
    out += _section("2. Kennishiaten", gaps, "Geen groepen van vragen zonder goed antwoord in deze periode.")
    late = [f"- **{md(dept)}** ({len(items)}): " + "; ".join(
        f"#{e.id} ({e.days} dagen, bij {md(e.coach)}): „{md(e.question)}”" for e in items[:2])
        + (f"; en {len(items) - 2} meer" if len(items) > 2 else "") for dept, items in data.late.items()]
    out += _section("3. Openstaande escalaties (langer dan verwacht)", late, "Geen escalaties die te lang openstaan.")
    overdue = [f"- {md(r.tip.title)} ({md(r.tip.app)}) — {r.citations}× geciteerd, eigenaar {md(r.tip.owner)}, "
               f"nakijken gepland op {nl_date(r.tip.due.isoformat()) if r.tip.due else 'onbekend'}"
               for r in data.overdue]
    out += _section("4. Tips om na te kijken", overdue, "Alle tips zijn op tijd nagekeken.")
    out += _section("5. App in de kijker", _spotlight(data), "Te weinig vragen om een app uit te lichten.")
    out += _section("6. Cijfers per dienst", _departments(data), "Nog geen vragen in deze periode.")
    if charts:
        out += ["## Grafieken", ""]
        for stem, name in charts.items():
            out += [f"![{md(stem.replace('-', ' '))}]({name})", ""]
    return "\n".join(out).rstrip() + "\n"


def _section(title: str, lines: list[str], empty: str) -> list[str]:
    return [f"## {title}", "", *(lines or [f"_{empty}_"]), ""]


def _spotlight(data: AgendaData) -> list[str]:
    s = data.spotlight
    if s is None:
        return []
    lines = [f"**{md(s.app)}**: {s.count} vragen, {trend(s.count, s.previous)}. Breng dit naar het teamoverleg "
             "van je dienst.", "", "Beste tips:"]
    lines += [f"- {md(title)} ({n}× geciteerd)" for title, _, n in s.tips] or ["- _nog geen tip geciteerd_"]
    lines += ["", "Wat collega's vroegen:"] + [f"- „{md(q)}”" for q in s.questions]
    return lines


def _departments(data: AgendaData) -> list[str]:
    if not data.departments:
        return []
    rows = ["| Dienst | Vragen | Beantwoord | Escalaties | Op tijd beantwoord |", "| --- | ---: | ---: | ---: | ---: |"]
    for d in data.departments:
        share = f"{d.answered / d.questions:.0%}" if d.questions else "–"
        in_time = f"{d.in_time}/{d.escalations}" if d.escalations else "–"
        rows.append(f"| {md(d.name)} | {d.questions} | {share} | {d.escalations} | {in_time} |")
    return rows


def html(data: AgendaData, pngs: Mapping[str, bytes]) -> str:
    """A printable page (one file: charts embedded as data URIs, no external resources)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown(data))
    images = "".join(f'<p><img alt="{stem}" src="data:image/png;base64,{base64.b64encode(png).decode()}"></p>'
                     for stem, png in pngs.items())
    title = f"Agenda digicoach-overleg {nl_date(data.meeting.isoformat())}"
    return (f'<!doctype html><html lang="nl-BE"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{PRINT_CSS}</style></head><body>{body}<h2>Grafieken</h2>{images}</body></html>")


def note_skeleton(data: AgendaData, coaches: list[str]) -> str:
    """The meeting notes to fill in: one `## ` item per agenda point, ingested like every meeting note."""
    front = {"title": f"Digicoach-overleg {nl_date(data.meeting.isoformat())}", "date": data.meeting,
             "present": list(coaches)}
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    agenda = markdown(data)
    items = re.split(r"(?m)^## ", agenda)[1:]
    blocks = ["Agenda opgesteld door digihulp; vul per punt aan wat besproken en beslist werd.\n"]
    for item in items:
        title, _, body = item.partition("\n")
        blocks.append(f"## {title}\n{body.strip()}\n\n**Gedeelde tips:**\n- (aanvullen)\n\n**Vragen:**\n- (aanvullen)"
                      "\n\n**Beslissingen:**\n- (aanvullen)\n")
    return f"---\n{head}---\n" + "\n".join(blocks)
