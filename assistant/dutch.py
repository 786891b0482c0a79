"""Dates the way a colleague in Flanders reads them: '5 maart 2026'. Used by the web pages and the agenda."""

from __future__ import annotations

import datetime as dt

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


def nl_date(value: str) -> str:
    """'2026-03-05' or an ISO timestamp -> '5 maart 2026'; anything else is shown as it is."""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
