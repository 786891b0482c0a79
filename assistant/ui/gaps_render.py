"""HTML for the knowledge-gap board and the freshness view; all stored text goes through `esc()`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from assistant.freshness import FreshnessRow
from assistant.gaps import GapCard
from assistant.signals import KIND_NL
from assistant.ui.render import esc, nl_date

CSS = """
.dh-cards {display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px;}
.dh-card {border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 14px;
  background: var(--background-fill-secondary); font-size: .93rem; line-height: 1.45;}
.dh-card h4 {margin: 0 0 .3em 0; font-size: 1rem;}
.dh-card ul {margin: .2em 0 .4em 1.1em; padding: 0;}
.dh-status {display: inline-block; font-size: .78em; padding: 0 .5em; border-radius: 8px; background: #e8f4fd;}
.dh-status-reopened {background: #fff1d6;} .dh-status-new {background: #eef0f2;}
.dh-missing {color: #9a4b00; font-weight: 600;} .dh-weak {color: #0b3c61; font-weight: 600;}
"""


def sparkline(counts: Sequence[int], width: int = 90, height: int = 20) -> str:
    """A small inline SVG of weekly counts (oldest left)."""
    if not counts:
        return ""
    top = max(max(counts), 1)
    step = width / max(len(counts) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (c / top) * (height - 4):.1f}" for i, c in enumerate(counts))
    label = "vragen per week: " + ", ".join(str(c) for c in counts)
    return (f'<svg class="dh-spark" width="{width}" height="{height}" role="img" aria-label="{esc(label)}">'
            f'<title>{esc(label)}</title><polyline fill="none" stroke="currentColor" stroke-width="1.6" '
            f'points="{points}"/></svg>')


def trend_text(card: GapCard) -> str:
    if card.previous == 0:
        return "nieuw in deze periode" if card.count else ""
    change = (card.count - card.previous) / card.previous
    return f"{'+' if change >= 0 else ''}{change:.0%} t.o.v. vorige periode ({card.previous})"


def card_html(card: GapCard, dept_names: Mapping[str, str]) -> str:
    depts = ", ".join(f"{esc(dept_names.get(d, d))} ({n})" for d, n in card.departments[:5])
    kinds = ", ".join(f"{esc(KIND_NL.get(k, k))} {n}" for k, n in sorted(card.kinds.items(), key=lambda kv: -kv[1]))
    examples = "".join(f"<li>{esc(q)}</li>" for q in card.examples)
    tips = "; ".join(f"{esc(t.title)} <span class=\"dh-meta\">({t.similarity:.2f})</span>" for t in card.tips) or "geen"
    verdict = ('<span class="dh-missing">Ontbrekende tip</span>' if card.missing
               else '<span class="dh-weak">Zwakke tip</span>')
    linked = f' · tip: {esc(card.record.tip)}' if card.record is not None and card.record.tip else ""
    return (f'<div class="dh-card" data-key="{esc(card.key)}"><h4>{esc(card.label)}</h4>'
            f'<span class="dh-status dh-status-{esc(card.status)}">{esc(card.status_nl)}</span>{linked}'
            f"<p><strong>{card.count}</strong> vragen · {esc(trend_text(card))} {sparkline(card.weekly)}</p>"
            f'<p class="dh-meta">Diensten: {depts}<br>Signalen: {kinds}</p><ul>{examples}</ul>'
            f"<p>{verdict} · dichtste tips: {tips}</p></div>")


def board_html(cards: Sequence[GapCard], dept_names: Mapping[str, str], since: dt.date, until: dt.date,
               without_vector: int = 0) -> str:
    period = f"{nl_date(since.isoformat())} tot en met {nl_date((until - dt.timedelta(days=1)).isoformat())}"
    if not cards:
        return (f'<p class="dh-meta">Geen kennishiaten van {esc(period)}: geen groepen van vragen zonder goed '
                "antwoord.</p>")
    note = f" ({without_vector} oudere vragen zonder vector niet meegeteld)" if without_vector else ""
    head = (f'<p class="dh-meta">{len(cards)} kennishiaten, {sum(c.count for c in cards)} vragen, {esc(period)}'
            f"{esc(note)}. Grootste eerst.</p>")
    return head + '<div class="dh-cards">' + "".join(card_html(c, dept_names) for c in cards) + "</div>"


def freshness_html(rows: Sequence[FreshnessRow], today: dt.date, days: int) -> str:
    if not rows:
        return '<p class="dh-meta">Alle tips zijn op tijd nagekeken en hebben een eigenaar die digicoach is.</p>'
    body = []
    for r in rows:
        t = r.tip
        owner = esc(t.owner) + ("" if r.owner_known else ' <span class="dh-warn">⚠ geen digicoach meer</span>')
        due = nl_date(t.due.isoformat()) if t.due else "onbekend"
        late = f' <span class="dh-warn">⚠ {(today - t.due).days} dagen te laat</span>' if r.overdue and t.due else ""
        checked = nl_date(t.last_checked.isoformat()) if t.last_checked else "nooit"
        body.append(f"<tr><td>{esc(t.title)}<br><span class=\"dh-meta\">{esc(t.source)}</span></td>"
                    f"<td>{esc(t.app)}</td><td>{owner}</td><td>{esc(checked)}</td><td>{esc(due)}{late}</td><td>{r.citations}</td></tr>")
    return (f'<p class="dh-meta">{len(rows)} tips: te laat nagekeken of zonder eigenaar. Meest geciteerd eerst '
            f"(citaties in antwoorden, laatste {days} dagen).</p><table class=\"dh-table\" id=\"dh-fresh-table\">"
            "<thead><tr><th>Tip</th><th>App</th><th>Eigenaar</th><th>Nagekeken</th><th>Nakijken tegen</th>"
            "<th>Citaties</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")
