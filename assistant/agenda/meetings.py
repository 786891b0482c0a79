"""When the digicoaches meet: the dates of the meeting notes in overleg/, and the next meeting.

The next meeting is a note already saved for a coming date (the agenda skeleton), else Settings.next_meeting,
else the last meeting plus Settings.meeting_every_days (three weeks), moved on by whole periods if that is past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.config import Settings
from ingest.loaders import LoadError, discover, doc_type_for, read_text, split_front_matter


@dataclass(frozen=True)
class Meetings:
    last: dt.date | None
    next: dt.date


def meeting_dates(settings: Settings) -> list[dt.date]:
    """Dates of every meeting note in the corpus (front matter `date`), oldest first."""
    dates = set()
    for path in discover(settings.corpus_dir):
        if doc_type_for(path.relative_to(settings.corpus_dir)) != "overleg":
            continue
        try:
            front, _ = split_front_matter(read_text(path))
            dates.add(dt.date.fromisoformat(str(front.get("date"))[:10]))
        except (LoadError, OSError, ValueError):
            continue
    return sorted(dates)


def meetings(settings: Settings, today: dt.date) -> Meetings:
    dates = meeting_dates(settings)
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
