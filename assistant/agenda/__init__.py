"""The agenda of the next digicoach meeting: gather (build.py), chart (charts.py), write (render.py).

The corpus facts come in (ingest.tip_facts.corpus_facts) and the notes skeleton goes out as text
(render.note_skeleton) for the corpus writer: this package reads and writes no corpus file itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.agenda import charts, render
from assistant.agenda.build import AgendaData, CorpusFacts, build_agenda
from assistant.config import Settings
from assistant.escalation import CoachDirectory
from assistant.gap_board import GapBoard

__all__ = ["AgendaData", "AgendaFiles", "CorpusFacts", "build_agenda", "write_agenda"]


@dataclass(frozen=True)
class AgendaFiles:
    markdown: Path
    html: Path
    charts: tuple[Path, ...]
    data: AgendaData


def write_agenda(settings: Settings, board: GapBoard, directory: CoachDirectory, corpus: CorpusFacts, out: Path, *,
                 today: dt.date | None = None, since: dt.date | None = None) -> AgendaFiles:
    """Write OUT (Markdown), OUT with .html (printable, charts inside) and the charts as PNG beside them."""
    data = build_agenda(settings, board, directory, corpus, today or dt.date.today(), since)
    pngs = charts.all_charts(data)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = {stem: f"{out.stem}-{stem}.png" for stem in pngs}
    chart_files = []
    for stem, png in pngs.items():
        chart_files.append(out.with_name(names[stem]))
        chart_files[-1].write_bytes(png)
    out.write_text(render.markdown(data, names), encoding="utf-8")
    page = out.with_suffix(".html")
    page.write_text(render.html(data, pngs), encoding="utf-8")
    return AgendaFiles(out, page, tuple(chart_files), data)
