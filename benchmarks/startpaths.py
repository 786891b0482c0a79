"""Check every tip path the start check can give, and report path lengths and coverage.

    python benchmarks/startpaths.py [--corpus DIR] [--sample N] [--json]

Paths checked: for every combination of lowest areas (each subset of the areas rated "nog nooit gedaan" or "met
hulp", the other areas "zelfstandig" or "kan het anderen uitleggen", knowledge questions all right or missed in the
low areas), plus N random answer sheets (seeded). Every path must have at least 3 tips, all existing and active in
tips/ (read from the files, not from the start check's own validation), none twice, at most 15, with the areas in
order of level (lowest first). Coverage: the share of active onboarding-relevant tips (tips whose `app` belongs to an
area of the check, plus Onboarding) that some path reaches. Exit code 1 when any path fails a check.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import cpu_name  # noqa: E402
from assistant.startcheck import MAX_PATH_TIPS, StartCheck  # noqa: E402
from assistant.startpath import Answers, TipPath, build_path  # noqa: E402

MIN_TIPS = 3
ONBOARDING_APP = "Onboarding"


@dataclass
class Report:
    paths: int = 0
    lengths: list[int] = field(default_factory=list)
    uncut_lengths: list[int] = field(default_factory=list)
    groups: dict[str, list[int]] = field(default_factory=dict)  # "2 low areas" / "random" -> path lengths
    failures: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    relevant: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def coverage(self) -> float:
        return len(self.reached & set(self.relevant)) / len(self.relevant) if self.relevant else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"paths": self.paths, "failures": self.failures[:50], "failure_count": len(self.failures),
                "length": _spread(self.lengths), "uncut_length": _spread(self.uncut_lengths),
                "cut_paths": sum(1 for n in self.uncut_lengths if n > MAX_PATH_TIPS),
                "coverage": round(self.coverage, 3), "relevant": len(self.relevant),
                "reached": sorted(self.reached & set(self.relevant)),
                "not_reached": sorted(set(self.relevant) - self.reached),
                "histogram": dict(sorted(Counter(self.lengths).items())),
                "by_group": {name: {"paths": len(v), **_spread(v)} for name, v in self.groups.items()}}


def _spread(values: list[int]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)} if values else {}


def tip_files(corpus: Path) -> dict[str, tuple[bool, str]]:
    """tip id -> (active, app), read straight from the tip files."""
    from ingest.loaders import LoadError, read_text, split_front_matter

    found = {}
    for path in sorted((corpus / "tips").rglob("*.md")):
        try:
            front, _ = split_front_matter(read_text(path))
        except LoadError:
            continue
        status = str(front.get("status") or "").strip().lower()
        found[str(front.get("id") or path.stem)] = (status == "active", str(front.get("app") or ""))
    return found


def answer_sheets(check: StartCheck, sample: int, seed: int = 14) -> list[tuple[str, Answers]]:
    """(group, answers): every combination of lowest areas (with both low and both high answers, knowledge
    questions right or missed), then `sample` random sheets."""
    sheets = []
    low_options, high_options = (0, 1), tuple(range(2, len(check.answers))) or (len(check.answers) - 1,)
    for size in range(len(check.areas) + 1):
        for low in itertools.combinations([a.id for a in check.areas], size):
            for low_rating, high_rating, missed in itertools.product(low_options, high_options, (False, True)):
                ratings = {i.id: (low_rating if a.id in low else high_rating) for a in check.areas for i in a.items}
                knowledge = {a.id: (a.question.correct + (1 if missed and a.id in low else 0)) % len(a.question.options)
                             for a in check.areas if a.question}
                sheets.append((f"{size} lowest area{'' if size == 1 else 's'}", Answers(ratings, knowledge)))
    rng = random.Random(seed)
    for _ in range(sample):
        ratings = {i.id: rng.randrange(len(check.answers)) for i in check.items}
        knowledge = {a.id: rng.randrange(len(a.question.options)) for a in check.areas if a.question}
        sheets.append(("random sheets", Answers(ratings, knowledge)))
    return sheets


def problems(check: StartCheck, path: TipPath, files: dict[str, tuple[bool, str]]) -> list[str]:
    tips = path.tips
    found = []
    if len(tips) < MIN_TIPS:
        found.append(f"only {len(tips)} tips")
    if len(tips) > MAX_PATH_TIPS:
        found.append(f"{len(tips)} tips (more than {MAX_PATH_TIPS})")
    found += [f"tip {t} does not exist" for t in tips if t not in files]
    found += [f"tip {t} is retired" for t in tips if t in files and not files[t][0]]
    if len(set(tips)) != len(tips):
        found.append("a tip twice")
    level = {lv.area: lv.score for lv in path.levels}
    order = [level[s.area] for s in path.sections if s.area in level]
    if order != sorted(order):
        found.append(f"areas not lowest first: {[s.area for s in path.sections]}")
    return found


def check_paths(corpus: Path, sample: int = 20_000) -> Report:
    from ingest.startcheck_files import load_startcheck

    check = load_startcheck(corpus)
    if check is None:
        raise SystemExit(f"{corpus} has no startcheck.yaml")
    files = tip_files(corpus)
    apps = {app for area in check.areas for app in area.apps} | {ONBOARDING_APP}
    report = Report(relevant=sorted(t for t, (active, app) in files.items() if active and app in apps))
    uncut = replace(check, max_tips=10_000)  # the same check without the cap
    started = time.perf_counter()
    for group, answers in answer_sheets(check, sample):
        path = build_path(check, answers)
        report.paths += 1
        report.lengths.append(len(path.tips))
        report.groups.setdefault(group, []).append(len(path.tips))
        report.uncut_lengths.append(len(build_path(uncut, answers).tips))
        report.reached.update(path.tips)
        report.failures += [f"{dict(answers.ratings)}: {p}" for p in problems(check, path, files)]
    report.seconds = time.perf_counter() - started
    return report



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--sample", type=int, default=20_000, help="random answer sheets on top of the combinations")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = check_paths(args.corpus, args.sample)
    data = report.to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 1 if report.failures else 0
    length, uncut = data["length"], data["uncut_length"]
    print(f"CPU: {cpu_name()}; {report.paths} paths built twice (capped and uncapped) in {report.seconds:.2f} s "
          f"({1e6 * report.seconds / max(2 * report.paths, 1):.0f} µs per path)")
    print(f"path length: min {length['min']}, median {length['median']}, max {length['max']} tips "
          f"(limit {MAX_PATH_TIPS}); without the limit max {uncut['max']}, {data['cut_paths']} paths cut")
    print(f"{'answer sheets':<18} {'paths':>6} {'min':>4} {'median':>6} {'max':>4}")
    for name, row in data["by_group"].items():
        print(f"{name:<18} {row['paths']:>6} {row['min']:>4} {row['median']:>6} {row['max']:>4}")
    print(f"coverage: {len(data['reached'])} of {data['relevant']} active onboarding-relevant tips reached "
          f"({100 * report.coverage:.0f}%); not reached: {', '.join(data['not_reached']) or 'none'}")
    if report.failures:
        print(f"FAILED: {len(report.failures)} path problems, e.g.:")
        for failure in report.failures[:10]:
            print(f"  {failure}")
        return 1
    print(f"OK: every path has {MIN_TIPS}-{MAX_PATH_TIPS} tips, all existing and active, lowest areas first")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
