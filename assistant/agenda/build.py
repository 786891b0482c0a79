"""The facts on the agenda of the next digicoach meeting, gathered from the question log, escalations, the
gap board, the tips' front matter and the batch gate's measurements. Masked text only: the question log is
masked at the source, and escalation questions are masked here before they reach the agenda."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from assistant.agenda.meetings import meetings
from assistant.config import Settings
from assistant.escalation import Coach, CoachDirectory, mask_pii
from assistant.freshness import FreshnessRow, TipFreshness, count_citations, freshness_rows
from assistant.gap_board import GapBoard
from assistant.gaps import GapCard
from assistant.records import LoggedQuestion

TOP_GAPS = 5
TOP_OVERDUE = 10
OTHER = "overig"


@dataclass(frozen=True)
class TipChange:
    source: str
    title: str
    app: str
    author: str
    kind: str  # "nieuw" | "nagekeken"
    day: str
    gate: str  # what the batch gate measured, in Dutch ('' = not published through the gate)


@dataclass(frozen=True)
class LateEscalation:
    id: int
    days: int
    question: str  # masked
    coach: str


@dataclass(frozen=True)
class Spotlight:
    app: str
    count: int
    previous: int
    tips: list[tuple[str, str, int]]  # (title, source, citations in the period)
    questions: list[str]  # masked


@dataclass(frozen=True)
class DepartmentFigures:
    name: str
    questions: int
    answered: int
    escalations: int
    in_time: int


@dataclass(frozen=True)
class CorpusFacts:
    """What the agenda reads from the corpus files (ingest.tip_facts.corpus_facts gathers it)."""

    tips: list[TipFreshness]  # the active tips
    meeting_dates: list[dt.date]  # dates of the notes in overleg/
    manual_apps: dict[str, str]  # manual source -> app


@dataclass
class AgendaData:
    meeting: dt.date
    last_meeting: dt.date | None
    since: dt.date
    until: dt.date  # exclusive
    tips: list[TipChange] = field(default_factory=list)
    gaps: list[GapCard] = field(default_factory=list)
    late: dict[str, list[LateEscalation]] = field(default_factory=dict)
    overdue: list[FreshnessRow] = field(default_factory=list)
    spotlight: Spotlight | None = None
    departments: list[DepartmentFigures] = field(default_factory=list)
    weeks: list[dt.date] = field(default_factory=list)  # Monday of each charted week
    by_app: dict[str, list[int]] = field(default_factory=dict)  # questions per week per app
    by_band: dict[str, list[int]] = field(default_factory=dict)  # beantwoord / niet zeker / doorgestuurd / ...
    total_questions: int = 0


def build_agenda(settings: Settings, board: GapBoard, directory: CoachDirectory, corpus: CorpusFacts,
                 today: dt.date, since: dt.date | None = None) -> AgendaData:
    dates = meetings(settings, corpus.meeting_dates, today)
    start = since or dates.last or today - dt.timedelta(days=settings.meeting_every_days)
    until = today + dt.timedelta(days=1)
    data = AgendaData(meeting=dates.next, last_meeting=dates.last, since=start, until=until)
    records = board.records
    length = until - start
    cited_from = today - dt.timedelta(days=settings.citation_window_days)
    weeks_from = until - dt.timedelta(weeks=12)
    # One read of the log for every section: the period, the one before, the citations and the charts' weeks.
    log = records.questions_between(min(start - length, cited_from, weeks_from).isoformat(), until.isoformat())
    begin, before = start.isoformat(), (start - length).isoformat()
    current = [q for q in log if q.created_at >= begin]
    previous = [q for q in log if before <= q.created_at < begin]
    tips = corpus.tips
    apps = {t.source: t.app for t in tips if t.app} | corpus.manual_apps
    data.total_questions = len(current)
    data.tips = tip_changes(settings, start, until, tips)
    data.gaps = board.cards(start, until)[:TOP_GAPS]
    data.late = late_escalations(board, directory, today)
    coaches = {c.name for c in directory_coaches(directory)}
    cited_since, weeks_since = cited_from.isoformat(), weeks_from.isoformat()
    cited = count_citations(q for q in log if q.created_at >= cited_since)
    data.overdue = [r for r in freshness_rows(tips, cited, coaches, today) if r.overdue][:TOP_OVERDUE]
    data.spotlight = spotlight(current, previous, apps, {t.source: t.title for t in tips})
    data.departments = department_figures(board, directory, current, start, until, settings.answer_within_days)
    chart_weeks(data, [q for q in log if q.created_at >= weeks_since], apps, until)
    return data


def directory_coaches(directory: CoachDirectory) -> list[Coach]:
    found = [directory.coordinator]
    for dept in directory.departments():
        found += [dept.coach] + ([dept.backup] if dept.backup else [])
    return found


def question_app(q: LoggedQuestion, apps: dict[str, str]) -> str:
    for source in (*q.cited, q.top_source):
        if apps.get(source):
            return apps[source]
    return ""


def tip_changes(settings: Settings, since: dt.date, until: dt.date, tips: list[TipFreshness]) -> list[TipChange]:
    gate = gate_measurements(settings.data_dir, since)
    out = []
    for tip in tips:
        created, reviewed = tip.created[:10], tip.reviewed[:10]
        if since.isoformat() <= created < until.isoformat():
            kind, day = "nieuw", created
        elif since.isoformat() <= reviewed < until.isoformat():
            kind, day = "nagekeken", reviewed
        else:
            continue
        out.append(TipChange(tip.source, tip.title, tip.app, tip.author, kind, day, gate.get(tip.source, "")))
    return sorted(out, key=lambda t: (t.day, t.title))


def gate_measurements(data_dir: Path, since: dt.date) -> dict[str, str]:
    """Per corpus file of a batch published since `since`: the gate's hit@5 and MRR, live → staged."""
    found: dict[str, str] = {}
    for path in sorted((Path(data_dir) / "batches").glob("*/gate.json")):
        if dt.datetime.fromtimestamp(path.stat().st_mtime).date() < since:
            continue
        try:
            gate = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        live, staged = gate.get("live") or {}, gate.get("staged") or {}
        parts = [f"{name} {live[key]:.2f} → {staged[key]:.2f}" for key, name in (("hit@5", "hit@5"), ("mrr", "MRR"))
                 if isinstance(live.get(key), float | int) and isinstance(staged.get(key), float | int)]
        text = f"batch {path.parent.name}: " + (", ".join(parts) or "geen meting")
        for rel in [*gate.get("added", []), *gate.get("updated", [])]:
            found[str(rel)] = text
    return found


def late_escalations(board: GapBoard, directory: CoachDirectory, today: dt.date) -> dict[str, list[LateEscalation]]:
    limit = board.settings.answer_within_days
    late: dict[str, list[LateEscalation]] = defaultdict(list)
    for esc in board.records.escalations(status="open"):
        days = (today - dt.date.fromisoformat(esc.created_at[:10])).days
        if days > limit:
            dept = directory.get(esc.department)
            late[dept.name if dept else (esc.department or "onbekend")].append(
                LateEscalation(esc.id, days, mask_pii(esc.question), esc.coach_name))
    return {name: sorted(items, key=lambda e: -e.days) for name, items in sorted(late.items())}


def spotlight(current: list[LoggedQuestion], previous: list[LoggedQuestion], apps: dict[str, str],
              titles: dict[str, str]) -> Spotlight | None:
    """The app with the largest rise in questions against the previous period of the same length."""
    now = Counter(a for q in current if (a := question_app(q, apps)))
    before = Counter(a for q in previous if (a := question_app(q, apps)))
    if not now:
        return None
    app = max(now, key=lambda a: (now[a] - before.get(a, 0), now[a], a))
    mine = [q for q in current if question_app(q, apps) == app]
    cited = Counter(s for q in mine for s in q.cited if apps.get(s) == app)
    tips = [(titles.get(s, s), s, n) for s, n in cited.most_common(3)]
    questions = list(dict.fromkeys(mask_pii(q.question) for q in reversed(mine)))[:5]
    return Spotlight(app, now[app], before.get(app, 0), tips, questions)


def department_figures(board: GapBoard, directory: CoachDirectory, current: list[LoggedQuestion], since: dt.date,
                       until: dt.date, within_days: int) -> list[DepartmentFigures]:
    names = {d.id: d.name for d in directory.departments()}
    asked: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    for q in current:
        asked[q.department] += 1
        answered[q.department] += int(not q.escalated and q.band in ("", "answer", "unsure"))
    escalated: Counter[str] = Counter()
    in_time: Counter[str] = Counter()
    for esc in board.records.escalations_between(since.isoformat(), until.isoformat()):
        escalated[esc.department] += 1
        took = dt.datetime.fromisoformat(esc.updated_at) - dt.datetime.fromisoformat(esc.created_at)
        in_time[esc.department] += int(esc.status == "answered" and took <= dt.timedelta(days=within_days))
    depts = sorted(set(asked) | set(escalated), key=lambda d: names.get(d, d or "onbekend").casefold())
    return [DepartmentFigures(names.get(d, d or "onbekend"), asked[d], answered[d], escalated[d], in_time[d])
            for d in depts]


def chart_weeks(data: AgendaData, questions: list[LoggedQuestion], apps: dict[str, str], until: dt.date) -> None:
    """Weekly counts for the charts: the last twelve whole weeks (Monday to Sunday; a week still going on would
    look like a drop), per app (top five + overig) and per band."""
    end = until - dt.timedelta(days=until.weekday())  # the Monday of the week still going on (or of `until`)
    data.weeks = [end - dt.timedelta(weeks=12 - i) for i in range(12)]
    index = {w: i for i, w in enumerate(data.weeks)}
    per_app: dict[str, list[int]] = defaultdict(lambda: [0] * len(data.weeks))
    per_band: dict[str, list[int]] = {k: [0] * len(data.weeks) for k in BAND_NL.values()}
    for q in questions:
        day = dt.date.fromisoformat(q.created_at[:10])
        week = index.get(day - dt.timedelta(days=day.weekday()))
        if week is None:
            continue
        per_app[question_app(q, apps) or OTHER][week] += 1
        band = "escalated" if q.escalated else (q.band or "answer")
        per_band[BAND_NL.get(band, BAND_NL["answer"])][week] += 1
    top = [a for a, _ in Counter({a: sum(v) for a, v in per_app.items() if a != OTHER}).most_common(5)]
    rest = [sum(v[i] for a, v in per_app.items() if a not in top) for i in range(len(data.weeks))]
    data.by_app = {a: per_app[a] for a in top} | ({OTHER: rest} if any(rest) else {})
    data.by_band = {k: v for k, v in per_band.items() if any(v) or k in ("beantwoord", "doorgestuurd")}


BAND_NL = {"answer": "beantwoord", "unsure": "niet zeker", "escalated": "doorgestuurd", "referred": "doorverwezen"}
