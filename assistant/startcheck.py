"""The start check for new colleagues as coaches write it (corpus/startcheck.yaml): its model and validation.

`parse_startcheck(data, tips)` turns the parsed YAML into a `StartCheck`, or raises `StartcheckError` listing every
problem in Dutch (unknown or retired tips, an area without items, a duplicate id, ...), so a coach can fix the file
in one go. Pure: reading the file and the tips is ingest/startcheck_files.py, the tip path is assistant/startpath.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.errors import ConfigError

FILE_NAME = "startcheck.yaml"
PathRule = Literal["all", "first", "none"]
PATH_RULES: tuple[PathRule, ...] = ("all", "first", "none")
MAX_PATH_TIPS = 15  # a longer path is not something a new colleague finishes
MAX_QUESTIONS = 20  # items plus knowledge questions: the check must take at most five minutes
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
TOP_KEYS = {"answers", "start_tips", "end_tips", "max_tips", "areas"}
AREA_KEYS = {"id", "name", "apps", "items", "question"}
ITEM_KEYS = {"id", "text", "tips"}
QUESTION_KEYS = {"text", "options", "explanation", "tip"}


@dataclass(frozen=True)
class TipInfo:
    id: str
    source: str  # corpus path, e.g. tips/outlook-agenda-delen.md
    title: str
    app: str = ""
    active: bool = True


@dataclass(frozen=True)
class AnswerOption:
    label: str
    path: PathRule  # which of an item's tips this answer puts on the path


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    tips: tuple[str, ...]  # basics first


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    correct: int
    explanation: str
    tip: str


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    apps: tuple[str, ...]
    items: tuple[Item, ...]
    question: Question | None = None


@dataclass(frozen=True)
class StartCheck:
    answers: tuple[AnswerOption, ...]
    areas: tuple[Area, ...]
    start_tips: tuple[str, ...]
    end_tips: tuple[str, ...]
    max_tips: int
    tips: Mapping[str, TipInfo] = field(default_factory=dict)  # every tip of the corpus, by id

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    @property
    def items(self) -> list[Item]:
        return [item for area in self.areas for item in area.items]

    def uses(self) -> dict[str, list[str]]:
        """tip id -> where the file names it (Dutch), in file order."""
        found: dict[str, list[str]] = {}
        for tip in self.start_tips:
            found.setdefault(tip, []).append("start_tips")
        for area in self.areas:
            for item in area.items:
                for tip in item.tips:
                    found.setdefault(tip, []).append(f"vraag '{item.id}'")
            if area.question is not None:
                found.setdefault(area.question.tip, []).append(f"de kennisvraag van gebied '{area.id}'")
        for tip in self.end_tips:
            found.setdefault(tip, []).append("end_tips")
        return found


class StartcheckError(ConfigError):
    """startcheck.yaml cannot be used; `problems` are Dutch sentences a coach can act on, one per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = "1 fout" if len(self.problems) == 1 else f"{len(self.problems)} fouten"
        super().__init__(f"{FILE_NAME} bevat {count}: " + " ".join(self.problems))


class _Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self, tips: Mapping[str, TipInfo]) -> None:
        self.tips = tips
        self.problems: list[str] = []
        self.ids: dict[str, str] = {}

    def add(self, message: str) -> None:
        self.problems.append(message)

    def text(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str | int | float) or not str(value).strip():
            self.add(f"{where} mist '{key}' (een tekst).")
            return ""
        return str(value).strip()

    def unknown_keys(self, raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(map(str, raw)) - allowed):
            self.add(f"{where} heeft een onbekend veld '{key}' (toegelaten: {', '.join(sorted(allowed))}).")

    def new_id(self, raw: Mapping[str, Any], where: str) -> str:
        value = str(raw.get("id") or "").strip()
        if not ID.match(value):
            self.add(f"{where} heeft geen geldige 'id' ('{value}'): gebruik kleine letters, cijfers en '-'.")
            return value
        if value in self.ids:
            self.add(f"De id '{value}' komt twee keer voor ({self.ids[value]} en {where}). Elke id moet uniek zijn.")
        self.ids.setdefault(value, where)
        return value

    def tip_list(self, value: Any, where: str, *, required: bool = True) -> tuple[str, ...]:
        if value in (None, []) and not required:
            return ()
        if not isinstance(value, list) or not value:
            self.add(f"{where}: 'tips' moet een lijst van tip-id's zijn, bv. tips: [outlook-agenda-delen].")
            return ()
        return tuple(self.tip(str(v), where) for v in value if v not in (None, ""))

    def tip(self, tip_id: str, where: str) -> str:
        tip_id = tip_id.strip().removeprefix("tips/").removesuffix(".md")
        found = self.tips.get(tip_id)
        if found is None:
            self.add(f"{where} verwijst naar tip '{tip_id}', maar die bestaat niet in tips/. Controleer de "
                     "schrijfwijze (de id of de bestandsnaam zonder .md).")
        elif not found.active:
            self.add(f"{where} verwijst naar tip '{tip_id}' ({found.source}), maar die is ingetrokken "
                     "(status: retired). Kies een actieve tip.")
        return tip_id


def parse_startcheck(data: Any, tips: Mapping[str, TipInfo]) -> StartCheck:
    """Validate the whole file; StartcheckError lists every problem."""
    check = _Checker(tips)
    if not isinstance(data, Mapping):
        raise StartcheckError(["Het bestand moet velden bevatten: answers, start_tips, end_tips, max_tips en areas."])
    check.unknown_keys(data, TOP_KEYS, "Het bestand")
    answers = _answers(check, data.get("answers"))
    start = check.tip_list(data.get("start_tips"), "start_tips", required=False)
    end = check.tip_list(data.get("end_tips"), "end_tips", required=False)
    raw_areas = data.get("areas")
    if not isinstance(raw_areas, list) or not raw_areas:
        check.add("'areas' moet een lijst van gebieden zijn, elk met id, name en items.")
        raw_areas = []
    areas = tuple(_area(check, raw, i + 1) for i, raw in enumerate(raw_areas))
    max_tips = _max_tips(check, data.get("max_tips", MAX_PATH_TIPS), len(start) + len(end))
    asked = sum(len(a.items) + (1 if a.question else 0) for a in areas)
    if asked > MAX_QUESTIONS:
        check.add(f"De startcheck heeft {asked} vragen; houd het bij hoogstens {MAX_QUESTIONS}, zodat een nieuwe "
                  "collega hem in vijf minuten invult.")
    if check.problems:
        raise StartcheckError(check.problems)
    return StartCheck(answers, areas, start, end, max_tips, dict(tips))


def _answers(check: _Checker, raw: Any) -> tuple[AnswerOption, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        check.add("'answers' moet een lijst van 2 tot 6 antwoorden zijn, van laag naar hoog, elk met label en "
                  "path (all, first of none).")
        return ()
    options = []
    for number, option in enumerate(raw, start=1):
        where = f"Antwoord {number}"
        if not isinstance(option, Mapping):
            check.add(f"{where} moet label en path hebben, bv. {{label: \"met hulp\", path: first}}.")
            continue
        label, rule = check.text(option, "label", where), str(option.get("path") or "").strip()
        if rule not in PATH_RULES:
            check.add(f"{where} ('{label}') heeft path '{rule}': kies all, first of none.")
        options.append(AnswerOption(label, rule if rule in PATH_RULES else "none"))
    return tuple(options)


def _area(check: _Checker, raw: Any, number: int) -> Area:
    if not isinstance(raw, Mapping):
        check.add(f"Gebied {number} moet id, name en items hebben.")
        return Area("", "", (), ())
    where = f"gebied {number}"
    area_id = check.new_id(raw, where)
    where = f"gebied '{area_id or number}'"
    check.unknown_keys(raw, AREA_KEYS, f"Het {where}")
    name = check.text(raw, "name", f"Het {where}")
    apps = raw.get("apps") or []
    if not isinstance(apps, list):
        check.add(f"Het {where}: 'apps' moet een lijst zijn, bv. apps: [Outlook].")
        apps = []
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        check.add(f"Het {where} heeft geen vragen (items). Voeg er minstens één toe of verwijder het gebied.")
        raw_items = []
    items = tuple(_item(check, item, where) for item in raw_items)
    question = _question(check, raw["question"], where) if raw.get("question") is not None else None
    return Area(area_id, name, tuple(str(a) for a in apps), items, question)


def _item(check: _Checker, raw: Any, area: str) -> Item:
    if not isinstance(raw, Mapping):
        check.add(f"Een vraag in het {area} moet id, text en tips hebben.")
        return Item("", "", ())
    item_id = check.new_id(raw, f"een vraag in het {area}")
    where = f"Vraag '{item_id}'"
    check.unknown_keys(raw, ITEM_KEYS, where)
    return Item(item_id, check.text(raw, "text", where), check.tip_list(raw.get("tips"), where))


def _question(check: _Checker, raw: Any, area: str) -> Question | None:
    where = f"De kennisvraag van het {area}"
    if not isinstance(raw, Mapping):
        check.add(f"{where} moet text, options, explanation en tip hebben.")
        return None
    check.unknown_keys(raw, QUESTION_KEYS, where)
    text = check.text(raw, "text", where)
    options = raw.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 5 or not all(isinstance(o, Mapping) for o in options):
        check.add(f"{where}: 'options' moet 2 tot 5 keuzes hebben, elk als {{text: \"...\"}}; zet bij de juiste "
                  "keuze correct: true.")
        return None
    correct = [i for i, o in enumerate(options) if o.get("correct") is True]
    if len(correct) != 1:
        check.add(f"{where} moet precies één juiste keuze hebben (correct: true), niet {len(correct)}.")
    labels = tuple(check.text(o, "text", f"{where}, keuze {i + 1},") for i, o in enumerate(options))
    tip = check.tip(str(raw.get("tip") or ""), where) if raw.get("tip") else ""
    if not tip:
        check.add(f"{where} mist 'tip': de tip die de uitleg geeft (de feedback verwijst ernaar).")
    explanation = str(raw.get("explanation") or "").strip()
    return Question(text, labels, correct[0] if correct else 0, explanation, tip)


def _max_tips(check: _Checker, raw: Any, fixed: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not fixed + 1 <= raw <= MAX_PATH_TIPS:
        check.add(f"'max_tips' moet een getal van {fixed + 1} tot {MAX_PATH_TIPS} zijn (nu: {raw!r}): een langer "
                  "tippad haalt een nieuwe collega niet.")
        return MAX_PATH_TIPS
    return raw
