"""When the digicoaches meet: the dates of the meeting notes in overleg/, and the next meeting.

The next meeting is a note already saved for a coming date (the agenda skeleton), else Settings.next_meeting,
else the last meeting plus Settings.meeting_every_days (three weeks), moved on by whole periods if that is past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.config import Settings


@dataclass(frozen=True)
class Meetings:
    last: dt.date | None
    next: dt.date


def meetings(settings: Settings, dates: Sequence[dt.date], today: dt.date) -> Meetings:
    """`dates`: the meeting notes' dates (ingest.tip_facts.meeting_dates)."""
    past = [d for d in dates if d <= today]
    coming = [d for d in dates if d > today]
    last = past[-1] if past else None
    if coming:
        return Meetings(last, coming[0])
    if settings.next_meeting.strip():
        try:
            return Meetings(last, dt.date.fromisoformat(settings.next_meeting.strip()))
        except ValueError:
            pass  # the CLI and the settings check report a bad date; an agenda still gets a date
    step = dt.timedelta(days=max(1, settings.meeting_every_days))
    nxt = (last or today) + step
    while nxt <= today:
        nxt += step
    return Meetings(last, nxt)
