"""A realistic question log for the gap board, the freshness view and the agenda: several thousand questions
over six months, with seasonal topics (the H-schijf → OneDrive migration before 1 December, out-of-office
replies before the summer, phishing after the exercises, Copilot rising in the autumn) and knowledge gaps (topics
without a tip), escalations with coach answers, 👎 with comments, questions asked again, and personal data in a
few questions (masked in the log, as in production).

    python benchmarks/question_log.py --data-dir DIR [--questions 5000] [--end 2026-11-30] [--seed 13]

Writes through the app's own records store (the clock set per event) and embeds every distinct question once
with the real model (query prompt, as the chat page does); vectors are cached in DIR/question-vectors.npz.
Also ingests the corpus into DIR when it has no index, so the gap board can compare clusters with tips.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()

if TYPE_CHECKING:
    from assistant.escalation import CoachDirectory
    from assistant.records import EscalationStore

POOLS = ROOT / "evals" / "datasets" / "clusters" / "gaps-clusters.jsonl"
BRUSSELS = dt.timezone(dt.timedelta(hours=1))
# topic -> (tip that answers it or None for a gap, tip the search finds first, weight before the season)
TOPICS: dict[str, tuple[str | None, str]] = {
    "h-schijf-verhuizen": ("tips/onedrive-h-schijf-verhuizen.md", "tips/onedrive-h-schijf-verhuizen.md"),
    "onedrive-sync-kruisje": ("tips/onedrive-icoontjes-synchronisatie.md", "tips/onedrive-icoontjes-synchronisatie.md"),
    "gedeelde-map-kwijt": (None, "tips/onedrive-delen-met-externen.md"),
    "afwezigheidsbericht": ("tips/outlook-afwezigheidsbericht.md", "tips/outlook-afwezigheidsbericht.md"),
    "gedeelde-mailbox": ("tips/outlook-gedeelde-mailbox.md", "tips/outlook-gedeelde-mailbox.md"),
    "mailbox-vol": (None, "tips/outlook-regels-mails-sorteren.md"),
    "teams-status": ("tips/teams-status-op-afwezig.md", "tips/teams-status-op-afwezig.md"),
    "teams-webinar": (None, "tips/teams-scherm-delen-venster.md"),
    "mfa-nieuwe-gsm": ("tips/mfa-authenticator-nieuwe-gsm.md", "tips/mfa-authenticator-nieuwe-gsm.md"),
    "printer-welzijnshuis": (None, "tips/printen-follow-me-badge.md"),
    "badge-printen": ("tips/printen-badge-koppelen.md", "tips/printen-badge-koppelen.md"),
    "copilot-licentie": (None, "tips/ai-copilot-chat-werkaccount.md"),
    "vpn-verbinding": ("tips/vpn-globalprotect-verbinden.md", "tips/vpn-globalprotect-verbinden.md"),
    "wachtwoord-vergeten": ("tips/wachtwoord-vergeten-zelf-resetten.md", "tips/wachtwoord-vergeten-zelf-resetten.md"),
    "phishing-melden": ("tips/outlook-phishing-melden.md", "tips/outlook-phishing-melden.md"),
    "excel-xzoeken": ("tips/excel-x-zoeken.md", "tips/excel-x-zoeken.md"),
    "intune-werkapps": (None, "tips/mfa-authenticator-nieuwe-gsm.md"),
    "scannen-naar-mail": ("tips/printen-scannen-naar-mail.md", "tips/printen-scannen-naar-mail.md"),
}
COACH_ANSWERS = {
    "gedeelde-map-kwijt": "Gedeelde mappen staan in OneDrive onder 'Gedeeld' (links in de browser). Klik op de map "
    "en kies 'Snelkoppeling toevoegen aan Mijn bestanden', dan zie je ze ook in de Verkenner.",
    "mailbox-vol": "Je postvak heeft 50 GB. Leeg 'Verwijderde items', sorteer je mappen op grootte en sla grote "
    "bijlagen op in OneDrive. Oude mails kun je naar het online archief slepen.",
    "teams-webinar": "Kies in de Teams-agenda 'Nieuwe vergadering' > 'Webinar'. Zet 'Registratie vereist' aan en deel "
    "de inschrijflink. Tot 300 deelnemers; daarboven een 'Town hall'.",
    "printer-welzijnshuis": "De printer op W1 heeft een nieuwe wachtrij. Verwijder de oude printer en voeg "
    "'Follow-Me Welzijnshuis' opnieuw toe via Softwarecentrum.",
    "copilot-licentie": "Copilot Chat (gratis, met je werkaccount) mag iedereen gebruiken. Een Copilot-licentie in "
    "Word en Outlook vraag je via je diensthoofd aan bij ICT; er is een proefgroep tot maart.",
    "intune-werkapps": "Installeer de Bedrijfsportal-app, meld je aan met je werkaccount en volg de stappen. Daarna "
    "installeer je Outlook en Teams; je werkgegevens blijven gescheiden van je privégegevens.",
}
PREFIXES = ["", "", "", "Dag, ", "Hallo, ", "Vraagje: ", "Dringend: "]
SUFFIXES = ["", "", "", " Alvast bedankt!", " Groetjes.", " Kan iemand helpen?"]
PII = [" Mail me op {n}@waregem.example.", " Bel me op 0470 {a} {b} {c}.", " Mijn nummer is 056 {a} {b} {c}."]
COMMENTS = ["Dit helpt me niet", "Klopt niet voor het welzijnshuis", "Te ingewikkeld", "Niet wat ik vroeg",
            "Verouderd?", "Ik vind die knop niet"]


def season(topic: str, day: dt.date, end: dt.date) -> float:
    """How often a topic comes up on a day, relative to its usual level."""
    md = (day.month, day.day)
    if topic in ("h-schijf-verhuizen", "gedeelde-map-kwijt"):
        start = dt.date(end.year, 9, 16)
        if day < start:
            return 0.15
        return 0.5 + 6.0 * (day - start).days / max(1, (end - start).days) * (1.0 if topic[0] == "h" else 0.6)
    if topic == "afwezigheidsbericht":
        return 4.0 if (6, 10) <= md <= (7, 31) else 2.5 if md >= (12, 10) else 0.7
    if topic == "copilot-licentie":
        return 0.2 if day.month < 10 else 2.5
    if topic == "phishing-melden":
        bursts = [dt.date(end.year, 10, 6), dt.date(end.year, 11, 16)]
        return 4.0 if any(0 <= (day - b).days < 7 for b in bursts) else 0.6
    if topic == "printer-welzijnshuis":
        return 3.0 if day >= end - dt.timedelta(days=20) else 0.05
    if topic == "mfa-nieuwe-gsm":
        return 2.0 if day.month in (9, 10) else 0.8
    if topic == "vpn-verbinding":
        return 1.6 if day.month in (11, 12, 1) else 0.8
    return 1.0


def variant(rng: random.Random, base: str) -> str:
    text = rng.choice(PREFIXES) + (base[0].lower() + base[1:] if rng.random() < 0.2 else base) + rng.choice(SUFFIXES)
    if rng.random() < 0.03:
        text += rng.choice(PII).format(n=rng.choice(["jan.peeters", "els.d", "k.vandamme"]), a=rng.randint(10, 99),
                                       b=rng.randint(10, 99), c=rng.randint(10, 99))
    return text.strip()


def vectors_for(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    """Embed every distinct text once (real model), keeping earlier runs' vectors."""
    known: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as npz:
            known = dict(zip(npz["texts"].tolist(), npz["vectors"], strict=True))
    todo = sorted(set(texts) - set(known))
    if todo:
        from assistant.config import Settings
        from assistant.escalation import mask_pii
        from assistant.model import load_embedder

        embedder = load_embedder(Settings(), all_cores=True)
        started = time.perf_counter()
        # The masked text, as the app stores it (it embeds the masked text when masking changed the question).
        vecs = embedder.embed_queries([mask_pii(t) for t in todo], batch_size=32)
        print(f"embedded {len(todo)} distinct questions in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        known.update(zip(todo, np.asarray(vecs, dtype=np.float32), strict=True))
    keys = sorted(known)
    np.savez(cache, texts=np.array(keys), vectors=np.stack([known[k] for k in keys]))
    return known


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> str:
        return self.at.astimezone(dt.UTC).isoformat(timespec="seconds")


Event = tuple[dt.datetime, str, str, str]


def plan(rng: random.Random, total: int, end: dt.date, days: int) -> tuple[list[Event], dict[str, list[str]]]:
    """(moment, topic, department, text) for every question, in time order; and the topics' question pools."""
    from assistant.config import Settings
    from assistant.escalation import CoachDirectory

    pools: dict[str, list[str]] = {}
    for line in POOLS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pools.setdefault(row["group"], []).append(row["question"])
    depts = [d.id for d in CoachDirectory.load(Settings(corpus_dir=ROOT / "corpus").coaches_file).departments()]
    dept_weights = [rng.uniform(0.3, 2.0) for _ in depts]
    start = end - dt.timedelta(days=days - 1)
    calendar = [start + dt.timedelta(days=i) for i in range(days)]
    day_weight = {d: (1.0 if d.weekday() < 5 else 0.05) for d in calendar}
    topic_day = {(t, d): season(t, d, end) for t in TOPICS for d in calendar}
    mass = sum(day_weight[d] * topic_day[t, d] for t in TOPICS for d in calendar)
    events = []
    for d in calendar:
        for topic in TOPICS:
            expected = total * day_weight[d] * topic_day[topic, d] / mass
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                moment = dt.datetime.combine(d, dt.time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59)),
                                             BRUSSELS)
                dept = rng.choices(depts, dept_weights)[0]
                events.append((moment, topic, dept, variant(rng, rng.choice(pools[topic]))))
    return sorted(events), pools


def replay(data_dir: Path, events: list[Event], pools: dict[str, list[str]], vectors: dict[str, np.ndarray],
           rng: random.Random, end: dt.date) -> dict[str, int]:
    from assistant.config import Settings
    from assistant.escalation import CoachDirectory
    from assistant.records import EscalationStore

    clock = Clock()
    store = EscalationStore(Settings(data_dir=data_dir).db_path, clock=clock)
    connect = store._db._connect

    def without_fsync() -> sqlite3.Connection:
        """One fsync per replayed row would take minutes; a generated log needs no crash safety."""
        conn = connect()
        conn.execute("PRAGMA synchronous=OFF")
        return conn

    store._db._connect = without_fsync  # type: ignore[method-assign]
    directory = CoachDirectory.load(ROOT / "corpus" / "coaches.yaml")
    stats = {"questions": 0, "escalations": 0, "answered": 0, "thumbs_down": 0, "asked_again": 0}
    closing = dt.datetime.combine(end, dt.time(17, 0), BRUSSELS)
    for moment, topic, dept, text in events:
        tip, near = TOPICS[topic]
        gap = tip is None or (topic == "h-schijf-verhuizen" and rng.random() < 0.35)
        band = rng.choices(["answer", "unsure", "escalated"], [0.2, 0.35, 0.45] if gap else [0.86, 0.08, 0.06])[0]
        cited = [] if band == "escalated" else [tip or near]
        _ask(store, clock, moment, text, dept, band, cited, near, vectors)
        stats["questions"] += 1
        asks_coach = band == "escalated" or (band == "unsure" and rng.random() < 0.3)
        if asks_coach:
            stats["escalations"] += 1
            stats["answered"] += _escalate(store, clock, directory, moment, topic, dept, text, near, rng, closing)
        elif gap and rng.random() < 0.3:
            clock.at = moment + dt.timedelta(seconds=40)
            store.add_feedback(text, "(antwoord)", -1, rng.choice(COMMENTS), dept)
            stats["thumbs_down"] += 1
        if gap and band == "answer" and rng.random() < 0.25:
            again = moment + dt.timedelta(minutes=rng.randint(2, 10))
            _ask(store, clock, again, rng.choice(pools[topic]), dept, "unsure", [near], near, vectors)
            stats["asked_again"] += 1
    return stats


def _ask(store: EscalationStore, clock: Clock, moment: dt.datetime, text: str, dept: str, band: str, cited: list[str],
         near: str, vectors: dict[str, np.ndarray]) -> None:
    clock.at = moment
    store.log_question(text, dept, 0.2 if band == "escalated" else 0.5 if band == "unsure" else 0.8,
                       band == "escalated", band=band, cited=cited, top_source=near, vector=vectors[text])


def _escalate(store: EscalationStore, clock: Clock, directory: CoachDirectory, moment: dt.datetime, topic: str,
              dept: str, text: str, near: str, rng: random.Random, closing: dt.datetime) -> int:
    clock.at = moment + dt.timedelta(seconds=20)
    esc_id = store.create(text, dept, directory.route(dept), [{"source": near, "title": near}], "(ontwerp)", 0.3)
    answered = moment + dt.timedelta(hours=rng.choice([2, 5, 20, 26, 50, 75, 100, 150]))
    if answered > closing or rng.random() < 0.01:
        return 0
    clock.at = answered
    answer = COACH_ANSWERS.get(topic, f"Kijk eens naar de tip {near}; daar staat het stap voor stap.")
    store.answer(esc_id, answer, directory.route(dept).coach.name)
    return 1


def ensure_index(data_dir: Path) -> None:
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=ROOT / "corpus", data_dir=data_dir)
    store = ChromaStore(settings)
    if store.live_info() is None:
        run_ingest(settings, load_embedder(settings, all_cores=True), store)


def generate(data_dir: Path, total: int, end: dt.date, seed: int, days: int = 183) -> dict[str, int]:
    db = data_dir / "digihulp.sqlite3"
    if db.exists():
        raise SystemExit(f"{db} bestaat al: kies een lege map (de generator voegt nooit toe aan een echt log).")
    rng = random.Random(seed)
    events, pools = plan(rng, total, end, days)
    data_dir.mkdir(parents=True, exist_ok=True)
    texts = [t for _, _, _, t in events] + [q for pool in pools.values() for q in pool]
    vectors = vectors_for(texts, data_dir / "question-vectors.npz")
    return replay(data_dir, events, pools, vectors, rng, end)


def main(argv: list[str] | None = None, *, report: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    ensure_index(args.data_dir)
    started = time.perf_counter()
    stats = generate(args.data_dir, args.questions, args.end, args.seed)
    report(f"{stats} in {time.perf_counter() - started:.0f} s -> {args.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
