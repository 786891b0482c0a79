"""Eval datasets: JSONL, one question per line, validated up front so a typo never skews a run."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import DigihulpError

log = logging.getLogger(__name__)

FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "question": (str,),
    "expected_sources": (list,),
    "answerable": (bool,),
    "department": (str, type(None)),
    "notes": (str,),
}
# Optional fields: `must_contain` (answerable only) lists groups of alternative verbatim phrases, one of each
# group must be in the shown answer; `kind` says what sort of question it is, so escalation is reported per kind.
KINDS = ("answerable", "near-miss", "off-topic")


class DatasetError(DigihulpError):
    """A dataset that cannot be used; `problems` holds one message per bad line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"Dataset {path} has {len(problems)} problem(s):\n{listed}")


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    expected_sources: tuple[str, ...]  # paths relative to the corpus root, posix style
    answerable: bool
    department: str | None = None
    notes: str = ""
    must_contain: tuple[tuple[str, ...], ...] = ()  # key-fact groups; empty = not annotated
    kind: str = "answerable"  # answerable | near-miss | off-topic


def _type_name(types: tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", bool: "true/false", type(None): "null"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _field_problems(record: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, types in FIELDS.items():
        if name not in record:
            problems.append(f"missing field '{name}'")
        elif not isinstance(record[name], types):
            problems.append(f"field '{name}' must be {_type_name(types)}, got {type(record[name]).__name__}")
    if problems:
        return problems
    if not record["id"].strip():
        problems.append("field 'id' is empty")
    if not record["question"].strip():
        problems.append("field 'question' is empty")
    sources = record["expected_sources"]
    if any(not isinstance(s, str) or not s.strip() for s in sources):
        problems.append("field 'expected_sources' must hold non-empty strings")
    elif any(s.startswith("/") or "\\" in s for s in sources):
        problems.append("expected sources must be posix paths relative to the corpus root")
    if record["answerable"] and not sources:
        problems.append("answerable question without expected sources")
    if not record["answerable"] and sources:
        problems.append("unanswerable question with expected sources")
    return problems + _optional_problems(record)


def _optional_problems(record: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = record.get("kind", _default_kind(record))
    if kind not in KINDS:
        problems.append(f"field 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    elif (kind == "answerable") != record["answerable"]:
        problems.append(f"field 'kind' is {kind!r} but 'answerable' is {str(record['answerable']).lower()}")
    groups = record.get("must_contain", [])
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and g and all(isinstance(p, str) and p.strip() for p in g) for g in groups
    ):
        problems.append("field 'must_contain' must be a list of non-empty lists of non-empty phrases")
    elif groups and not record["answerable"]:
        problems.append("unanswerable question with 'must_contain'")
    return problems


def _default_kind(record: dict[str, Any]) -> str:
    return "answerable" if record.get("answerable") else "off-topic"


def parse_lines(lines: Iterable[str]) -> tuple[list[Case], list[str]]:
    """Cases and problems ("line N: ...") of JSONL text; blank lines are skipped."""
    cases: list[Case] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            problems.append(f"line {number}: expected a JSON object, got {type(record).__name__}")
            continue
        line_problems = _field_problems(record)
        if not line_problems and record["id"] in seen:
            line_problems.append(f"duplicate id '{record['id']}' (first on line {seen[record['id']]})")
        if line_problems:
            problems.extend(f"line {number}: {p}" for p in line_problems)
            continue
        seen[record["id"]] = number
        cases.append(Case(
            id=record["id"], question=record["question"], expected_sources=tuple(record["expected_sources"]),
            answerable=record["answerable"], department=record["department"] or None, notes=record["notes"],
            must_contain=tuple(tuple(group) for group in record.get("must_contain", [])),
            kind=record.get("kind", _default_kind(record)),
        ))
    return cases, problems


def load_dataset(path: Path) -> list[Case]:
    """All cases of a JSONL dataset, or DatasetError listing every bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(Path(path), [f"cannot read the file: {exc}"]) from exc
    cases, problems = parse_lines(text.splitlines())
    if not cases and not problems:
        problems.append("the dataset holds no questions")
    if problems:
        raise DatasetError(Path(path), problems)
    log.debug("Loaded %d cases from %s", len(cases), path)
    return cases


def check_sources(cases: Iterable[Case], corpus_dir: Path) -> list[str]:
    """Problems for expected sources that are not files under the corpus root."""
    problems: list[str] = []
    for case in cases:
        for source in case.expected_sources:
            if not (Path(corpus_dir) / source).is_file():
                problems.append(f"case {case.id}: expected source '{source}' not found in {corpus_dir}")
    return problems
