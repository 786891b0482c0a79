"""python -m assistant ask "vraag" [--department NAME] [--json]
python -m assistant ask --batch questions.jsonl [--json]

Exit codes: 0 answered, 1 some batch lines failed, 2 configuration or index problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from assistant.cli import Parser, run
from assistant.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="ask a question (or a batch of questions)")
    ask.add_argument("question", nargs="?", help="the question, in Dutch")
    ask.add_argument("--department", help="department id or name of the asker")
    ask.add_argument("--batch", type=Path, help='JSONL file with {"id", "question", "department"} per line')
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("--no-escalate", action="store_true", help="never create escalations (dry run)")
    return parser


def ask(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.errors import IndexProblem
    from assistant.service import build_assistant
    from assistant.store import NO_INDEX, ChromaStore

    if not args.batch and not args.question:
        print("Geef een vraag of --batch BESTAND.", file=sys.stderr)
        return 2
    if args.no_escalate:
        settings = settings.model_copy(update={"confidence_threshold": -1.0})
    store = ChromaStore(settings)
    if store.live_info() is None:  # before the model loads: say it in a second, not in 20
        raise IndexProblem(NO_INDEX)
    assistant = build_assistant(settings, store=store)  # the model loads once, also for a batch
    if args.batch:
        return _batch(assistant, args.batch, sys.stdout)
    answer = assistant.ask(args.question, args.department)
    if args.json:
        print(json.dumps(_line(None, answer), ensure_ascii=False))
    else:
        print(_human(answer))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, build_parser(), ask, log_level=lambda args: "WARNING" if args.json else None)


def _line(qid: Any, answer: Any) -> dict[str, Any]:
    data = answer.to_dict()
    return {
        "id": qid, "answer": data["answer"], "notice": data["notice"], "citations": data["citations"],
        "confidence": data["confidence"], "band": data["band"], "escalated": data["escalated"],
        "escalation_id": data["escalation_id"],
        "coach": data["coach"], "referral": data["referral"], "retrieved": data["retrieved"],
    }


def _batch(assistant: Any, path: Path, out: TextIO) -> int:
    failures = 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Kan {path} niet lezen: {exc}", file=sys.stderr)
        return 2
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            answer = assistant.ask(str(item["question"]), item.get("department"))
            out.write(json.dumps(_line(item.get("id"), answer), ensure_ascii=False) + "\n")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            failures += 1
            print(f"Regel {number}: ongeldige invoer ({exc})", file=sys.stderr)
        out.flush()
    return 1 if failures else 0


def _human(answer: Any) -> str:
    from assistant.service import UNSURE

    parts = [answer.notice] if answer.notice else []
    if answer.band == "unsure":
        parts.append(UNSURE)
    parts.append(answer.text)
    if answer.citations:
        parts.append("\nBronnen:")
        for c in answer.citations:
            page = f", p. {c.page}" if c.page else ""
            parts.append(f"[{c.n}] {c.title} ({c.doc_type}, {c.source}{page})")
    parts.append(f"\nZekerheid: {answer.confidence:.2f}" + (f" — doorgestuurd naar {answer.coach}"
                                                             if answer.escalated else ""))
    return "\n".join(p for p in parts if p is not None)


if __name__ == "__main__":
    raise SystemExit(main())
