"""The agenda's charts (matplotlib, Agg backend: no display, no network): PNG bytes, Dutch labels.

Only counts, app names, band names and department names reach a chart: never question text.
"""

from __future__ import annotations

import io

from assistant.agenda.build import AgendaData

COLORS = ["#1f5fa8", "#e07b00", "#2e8b57", "#a83246", "#6a4c93", "#8c8c8c"]
BAND_COLORS = {"beantwoord": "#2e8b57", "niet zeker": "#e0a800", "doorgestuurd": "#1f5fa8", "doorverwezen": "#8c8c8c"}


def _figure(title: str):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # Fixed margins, not a layout engine: the engine doubled the time of a chart and these charts do not vary.
    fig = Figure(figsize=(7.5, 3.2), dpi=90)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.2)
    ax = fig.subplots()
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _week_labels(data: AgendaData) -> list[str]:
    return [f"{w.day}/{w.month}" for w in data.weeks]


def questions_per_app(data: AgendaData) -> bytes:
    fig, ax = _figure("Vragen per week, per app")
    x = range(len(data.weeks))
    for i, (app, counts) in enumerate(data.by_app.items()):
        ax.plot(x, counts, marker="o", markersize=3, linewidth=1.8, color=COLORS[i % len(COLORS)], label=app)
    ax.set_xticks(list(x), _week_labels(data), fontsize=8)
    ax.set_ylabel("vragen")
    ax.set_xlabel("week van")
    if data.by_app:
        ax.legend(fontsize=8, frameon=False, ncols=3)
    return _png(fig)


def outcomes_per_week(data: AgendaData) -> bytes:
    fig, ax = _figure("Beantwoord, doorgestuurd en doorverwezen per week")
    x = list(range(len(data.weeks)))
    bottom = [0] * len(x)
    for band, counts in data.by_band.items():
        ax.bar(x, counts, bottom=bottom, color=BAND_COLORS.get(band, "#999999"), label=band, width=0.75)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_xticks(x, _week_labels(data), fontsize=8)
    ax.set_ylabel("vragen")
    ax.set_xlabel("week van")
    ax.legend(fontsize=8, frameon=False, ncols=4)
    return _png(fig)


def all_charts(data: AgendaData) -> dict[str, bytes]:
    """File stem -> PNG; the Markdown links them, the HTML embeds them."""
    # The figures per department are a table on the agenda: a third chart cost a third more time, for less.
    return {"vragen-per-app": questions_per_app(data), "uitkomst-per-week": outcomes_per_week(data)}
