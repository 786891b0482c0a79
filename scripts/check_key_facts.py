"""Check the eval datasets' annotations against the corpus they are scored on.

For every answerable case, each `must_contain` phrase must occur verbatim in the text of at least one expected
source, in the form an answer quotes it: markdown emphasis and heading marks stripped, `[label](url)` reduced to
`label`, whitespace collapsed, lowercased (PDF manuals: per page, text via pypdf). Phrases must be 2-6 words and
must not come from a source's title.

Unanswerable cases must carry `kind` ("off-topic" or "near-miss"), no sources and a department the coach
directory knows; near misses must not be (near) copies of a question in the verifier's training pairs, so the
eval stays independent of it.

Usage:
    python scripts/check_key_facts.py                       # both datasets with their default corpora
    python scripts/check_key_facts.py --dataset D --corpus C
    python scripts/check_key_facts.py --show tips/x.md       # print a source as the checker sees it
Exit code 0 when clean, 1 on any failure (warnings alone do not fail).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = (
    (ROOT / "evals/datasets/sample.jsonl", ROOT / "corpus"),
    (ROOT / "evals/datasets/office-nl.jsonl", ROOT.parent / "shared/corpora/office-nl/docs"),
)
PAIRS = ROOT.parent / "shared/data/answerability-pairs-sample.jsonl"
COACHES = ROOT / "corpus/coaches.yaml"
KEY_ORDER = ["id", "question", "expected_sources", "answerable", "department", "notes"]
KINDS = {"off-topic", "near-miss"}
MIN_WORDS, MAX_WORDS = 2, 6
TOO_SIMILAR = 0.72  # difflib ratio against a training-pair question above which a near miss counts as a copy

# Mirrors ingest/chunking.py and assistant/answering.py: the only edits an answer makes to quoted text.
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
ANCHOR = re.compile(r"<a\s+name=[^>]*>\s*</a>")
MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]{16,}")
HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
EMPHASIS = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])")
TITLE_LINE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.MULTILINE)
FIRST_HEADING = re.compile(r"^#[ \t]+(.+)$", re.MULTILINE)  # the document title, not a section heading
WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    text = DATA_URI.sub("data:…", MD_LINK.sub(lambda m: m.group(2), ANCHOR.sub("", text)))
    lines = (EMPHASIS.sub(r"\1", HEADING.sub("", line.replace("**", ""), count=1)) for line in text.splitlines())
    return " ".join(" ".join(lines).split()).lower()


class Source:
    """One corpus file as the answer can quote it: one text per page (markdown: a single page)."""

    def __init__(self, path: Path) -> None:
        if path.suffix.lower() == ".pdf":
            reader = PdfReader(path)
            self.pages = [normalize(page.extract_text() or "") for page in reader.pages]
            self.units = self.pages  # pypdf breaks lines where the layout wraps, so a page is the unit
            meta = reader.metadata
            sidecar = path.with_suffix(".yml")
            found = TITLE_LINE.search(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None
            self.title = normalize(found.group(1) if found else str(meta.title if meta and meta.title else ""))
        else:
            raw = path.read_text(encoding="utf-8")
            front = FRONT_MATTER.match(raw)
            body = raw[front.end():] if front else raw
            self.pages = [normalize(body)]
            # An answer may quote one list item or paragraph without its neighbours, so a phrase must not
            # straddle two markdown lines.
            self.units = [normalize(line) for line in body.splitlines()]
            found = TITLE_LINE.search(front.group(1) or "") if front else None
            heading = FIRST_HEADING.search(body)
            titles = [found.group(1) if found else "", ANCHOR.sub("", heading.group(1)) if heading else ""]
            self.title = " | ".join(normalize(t) for t in titles if t)

    def pages_with(self, phrase: str) -> list[int]:
        return [n for n, text in enumerate(self.pages, start=1) if phrase in text]

    def holds_in_one_unit(self, phrase: str) -> bool:
        return any(phrase in text for text in self.units)


def phrase_key(phrase: str) -> str:
    return " ".join(phrase.split()).lower()


def stem(word: str) -> str:
    return word[:5]


def load_departments() -> set[str]:
    return set(re.findall(r"^\s*-\s*id:\s*([\w-]+)", COACHES.read_text(encoding="utf-8"), re.MULTILINE))


def load_pair_questions() -> list[str]:
    if not PAIRS.is_file():
        return []
    return [json.loads(line)["question"].lower() for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]


class Checker:
    def __init__(self, corpus: Path, departments: set[str], pair_questions: list[str]) -> None:
        self.corpus = corpus
        self.departments = departments
        self.pair_questions = pair_questions
        self.sources: dict[str, Source | None] = {}
        self.failures: list[str] = []
        self.warnings: list[str] = []

    def source(self, rel: str) -> Source | None:
        if rel not in self.sources:
            path = self.corpus / rel
            self.sources[rel] = Source(path) if path.is_file() else None
        return self.sources[rel]

    def fail(self, case_id: str, message: str) -> None:
        self.failures.append(f"{case_id}: {message}")

    def warn(self, case_id: str, message: str) -> None:
        self.warnings.append(f"{case_id}: {message}")

    def check_line(self, number: int, line: str) -> dict | None:
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            self.fail(f"line {number}", f"not JSON ({exc})")
            return None
        keys = list(case)
        expected = KEY_ORDER + [k for k in ("kind", "must_contain") if k in case]
        if keys != expected:
            self.fail(case.get("id", f"line {number}"), f"keys {keys}, expected {expected}")
        return case

    def check_answerable(self, case: dict) -> None:
        cid = case["id"]
        if "kind" in case:
            self.fail(cid, "answerable cases carry no 'kind'")
        sources = [(rel, self.source(rel)) for rel in case["expected_sources"]]
        for rel, src in sources:
            if src is None:
                self.fail(cid, f"expected source {rel} not found under {self.corpus}")
        groups = case.get("must_contain")
        if not groups:
            self.fail(cid, "answerable case without must_contain")
            return
        if not isinstance(groups, list) or not all(isinstance(g, list) and g for g in groups):
            self.fail(cid, "must_contain must be a list of non-empty lists of phrases")
            return
        question_stems = {stem(w) for w in WORD.findall(case["question"].lower())}
        for group in groups:
            for phrase in group:
                self.check_phrase(cid, phrase, sources, question_stems)

    def check_phrase(self, cid: str, phrase: object, sources: list, question_stems: set[str]) -> None:
        if not isinstance(phrase, str) or not phrase.strip():
            self.fail(cid, f"phrase {phrase!r} is not a non-empty string")
            return
        key = phrase_key(phrase)
        words = key.split()
        if not MIN_WORDS <= len(words) <= MAX_WORDS:
            self.fail(cid, f"phrase '{phrase}' has {len(words)} words (want {MIN_WORDS}-{MAX_WORDS})")
        found = [(rel, src.pages_with(key)) for rel, src in sources if src is not None]
        found = [(rel, pages) for rel, pages in found if pages]
        if not found:
            self.fail(cid, f"phrase '{phrase}' occurs in none of {[rel for rel, _ in sources]}")
        elif not any(src.holds_in_one_unit(key) for rel, src in sources if src is not None):
            self.fail(cid, f"phrase '{phrase}' only occurs across a line break (an answer may quote one line)")
        for rel, src in sources:
            if src is not None and key in src.title:
                self.fail(cid, f"phrase '{phrase}' is part of the title of {rel}")
        content = [w for w in WORD.findall(key) if len(w) > 3]
        if content and all(stem(w) in question_stems for w in content):
            self.warn(cid, f"phrase '{phrase}' repeats the question's words")

    def check_unanswerable(self, case: dict, dataset_departments: set[str]) -> None:
        cid = case["id"]
        if case.get("kind") not in KINDS:
            self.fail(cid, f"unanswerable case needs kind in {sorted(KINDS)}, got {case.get('kind')!r}")
        if case["expected_sources"]:
            self.fail(cid, "unanswerable case with expected sources")
        if "must_contain" in case:
            self.fail(cid, "unanswerable case with must_contain")
        if case["department"] not in self.departments | dataset_departments:
            self.fail(cid, f"department {case['department']!r} is neither in coaches.yaml nor used by other cases")
        if case.get("kind") == "near-miss":
            if len(case["notes"]) < 40:
                self.fail(cid, "near miss needs notes: which source it brushes and what was grepped")
            question = case["question"].lower()
            best = max(self.pair_questions, default="",
                       key=lambda q: difflib.SequenceMatcher(None, question, q).ratio())
            ratio = difflib.SequenceMatcher(None, question, best).ratio() if best else 0.0
            if ratio > TOO_SIMILAR:
                self.fail(cid, f"near miss too close to a training pair ({ratio:.2f}): '{best}'")

    def check_dataset(self, path: Path) -> dict[str, int]:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        cases = [c for n, line in enumerate(lines, start=1) if (c := self.check_line(n, line)) is not None]
        old_departments = {c["department"] for c in cases if c.get("kind") != "near-miss"}
        counts = {"answerable": 0, "annotated": 0, "near-miss": 0, "off-topic": 0}
        ids: set[str] = set()
        for case in cases:
            if case["id"] in ids:
                self.fail(case["id"], "duplicate id")
            ids.add(case["id"])
            if case["answerable"]:
                counts["answerable"] += 1
                counts["annotated"] += bool(case.get("must_contain"))
                self.check_answerable(case)
            else:
                counts[case.get("kind", "off-topic")] = counts.get(case.get("kind", "off-topic"), 0) + 1
                self.check_unanswerable(case, old_departments)
        self.check_near_miss_duplicates(cases)
        return counts

    def check_near_miss_duplicates(self, cases: list[dict]) -> None:
        questions = [(c["id"], c["question"].lower()) for c in cases]
        for i, (cid, q) in enumerate(questions):
            for other_id, other in questions[i + 1:]:
                if difflib.SequenceMatcher(None, q, other).ratio() > 0.8:
                    self.fail(cid, f"question nearly identical to {other_id}")


def show(rel: str, corpus: Path) -> int:
    src = Source(corpus / rel)
    print(f"title: {src.title}")
    for number, text in enumerate(src.pages, start=1):
        print(f"--- page {number} ---\n{text}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, help="one dataset (needs --corpus)")
    parser.add_argument("--corpus", type=Path, help="corpus root of --dataset or --show")
    parser.add_argument("--show", metavar="SOURCE", help="print a source's normalised text and exit")
    parser.add_argument("--quiet", action="store_true", help="do not print warnings")
    args = parser.parse_args(argv)
    if args.show:
        return show(args.show, args.corpus or DEFAULT_SETS[0][1])
    if args.dataset and not args.corpus:
        parser.error("--dataset needs --corpus")
    sets = [(args.dataset, args.corpus)] if args.dataset else list(DEFAULT_SETS)
    departments, pairs = load_departments(), load_pair_questions()
    failed = False
    for dataset, corpus in sets:
        checker = Checker(corpus, departments, pairs)
        counts = checker.check_dataset(dataset)
        print(f"{dataset.name}: {counts['answerable']} answerable ({counts['annotated']} with must_contain), "
              f"{counts['near-miss']} near-miss, {counts['off-topic']} off-topic; "
              f"{len(checker.failures)} failure(s), {len(checker.warnings)} warning(s)")
        for message in checker.failures:
            print(f"  FAIL {message}")
        if not args.quiet:
            for message in checker.warnings:
                print(f"  warn {message}")
        failed = failed or bool(checker.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
