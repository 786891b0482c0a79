"""Coach routing, PII masking, the SQLite escalation store and escalation mail."""

from __future__ import annotations

import email
import sqlite3
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path
from typing import Any

import pytest
from chroma_server import free_port

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.escalation import Coach, CoachDirectory, Route, mask_pii
from assistant.mail import Mailer
from assistant.records import SCHEMA_VERSION, Escalation, EscalationStore
from assistant.types import Citation

COACHES_YAML = """\
coordinator: {name: "Katrien Vandenberghe", email: "digicoordinator@waregem.example", phone: "056 00 00 01"}
departments:
  - id: burgerzaken
    name: "Burgerzaken"
    site: stadhuis
    location: "Stadhuis, gelijkvloers"
    coach: {name: "An Declercq", email: "an.declercq@waregem.example", phone: "056 00 00 10"}
    backup: {name: "Pieter Vermeulen", email: "pieter.vermeulen@waregem.example", phone: "056 00 00 11"}
    coach_absent: false
  - id: welzijn
    name: "Sociaal Huis"
    site: welzijnshuis
    location: "Welzijnshuis, eerste verdieping"
    coach: {name: "Sofie Maes", email: "sofie.maes@waregem.example", phone: "056 00 00 20"}
    backup: {name: "Jan De Smet", email: "jan.desmet@waregem.example", phone: "056 00 00 21"}
    coach_absent: true
  - id: ict
    name: "ICT"
    site: stadhuis
    location: "Stadhuis, tweede verdieping"
    coach: {name: "Tom Claeys", email: "tom.claeys@waregem.example"}
    coach_absent: true
"""


@pytest.fixture
def directory(tmp_path: Path) -> CoachDirectory:
    path = tmp_path / "coaches.yaml"
    path.write_text(COACHES_YAML, encoding="utf-8")
    return CoachDirectory.load(path)


@pytest.fixture
def store(tmp_path: Path) -> EscalationStore:
    return EscalationStore(tmp_path / "sub" / "dir" / "digihulp.sqlite3")


def _escalate(
    store: EscalationStore, directory: CoachDirectory, dept: str | None = "burgerzaken", **kw: Any
) -> int:
    route = directory.route(dept)
    sources = [{"n": 1, "source": "tips/mfa.md", "title": "Tweestapsverificatie instellen"}]
    return store.create(
        kw.pop("question", "Hoe stel ik MFA in?"), dept, route, sources, "Ontwerp", 0.31, **kw
    )


# --- directory and routing ------------------------------------------------------------------------------


def test_load_reads_all_departments(directory: CoachDirectory) -> None:
    assert [d.id for d in directory.departments()] == ["burgerzaken", "welzijn", "ict"]
    burg = directory.get("burgerzaken")
    assert burg is not None and burg.site == "stadhuis" and burg.location == "Stadhuis, gelijkvloers"
    assert burg.coach == Coach("An Declercq", "an.declercq@waregem.example", "056 00 00 10")
    assert directory.coordinator.name == "Katrien Vandenberghe"
    assert directory.get("ict").backup is None  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["burgerzaken", "BURGERZAKEN", " Burgerzaken ", "burgerZAKEN"])
def test_get_is_case_insensitive_on_id_and_name(directory: CoachDirectory, key: str) -> None:
    assert directory.get(key).id == "burgerzaken"  # type: ignore[union-attr]


def test_get_by_name_and_unknown(directory: CoachDirectory) -> None:
    assert directory.get("sociaal huis").id == "welzijn"  # type: ignore[union-attr]
    assert directory.get("Financiën") is None
    assert directory.get("") is None
    assert directory.get(None) is None


def test_route_to_coach(directory: CoachDirectory) -> None:
    route = directory.route("Burgerzaken")
    assert (route.coach.name, route.reason, route.department.id) == ("An Declercq", "coach", "burgerzaken")  # type: ignore[union-attr]
    assert route.message() == (
        "Je vraag ligt bij An Declercq, de digicoach van Burgerzaken. "
        "Je krijgt een antwoord zodra An je vraag bekeken heeft."
    )


def test_route_to_backup_when_coach_absent(directory: CoachDirectory) -> None:
    route = directory.route("welzijn")
    assert (route.coach.name, route.reason) == ("Jan De Smet", "backup")
    assert route.message() == (
        "Je vraag ligt bij Jan De Smet, de back-up-digicoach van Sociaal Huis (Sofie is afwezig). "
        "Je krijgt een antwoord zodra Jan je vraag bekeken heeft."
    )


@pytest.mark.parametrize("dept", [None, "", "Financiën", "onbestaand"])
def test_route_to_coordinator_when_department_unknown(directory: CoachDirectory, dept: str | None) -> None:
    route = directory.route(dept)
    assert (route.coach.email, route.reason, route.department) == (
        "digicoordinator@waregem.example",
        "coordinator",
        None,
    )
    assert route.message() == (
        "Je vraag ligt bij Katrien Vandenberghe, de coördinator van de digicoaches, omdat we je dienst niet "
        "kennen. Je krijgt een antwoord zodra Katrien je vraag bekeken heeft."
    )


def test_route_to_coordinator_when_coach_absent_without_backup(directory: CoachDirectory) -> None:
    route = directory.route("ict")
    assert (route.coach.name, route.reason, route.department.id) == (  # type: ignore[union-attr]
        "Katrien Vandenberghe",
        "coordinator",
        "ict",
    )
    assert "omdat de digicoach van ICT afwezig is" in route.message()
    assert "dienst niet kennen" not in route.message()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("coordinator: [unclosed\n", "ongeldige YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("departments: []\n", "'coordinator'"),
        ('coordinator: {name: "K", email: "k@x.be"}\n', "'departments'"),
        ('coordinator: {name: "K"}\ndepartments: []\n', "coordinator mist veld 'email'"),
        (
            'coordinator: {name: "K", email: "k@x.be"}\ndepartments:\n  - {id: a, name: A, site: stadhuis}\n',
            "departments[0] mist veld 'coach'",
        ),
        (
            'coordinator: {name: "K", email: "k@x.be"}\ndepartments:\n'
            "  - {id: a, name: A, site: bib, coach: {name: C, email: c@x.be}}\n",
            "invalid site",
        ),
        (
            'coordinator: {name: "K", email: "k@x.be"}\ndepartments:\n'
            "  - {id: a, name: A, site: stadhuis, coach: {name: C, email: c@x.be}}\n"
            "  - {id: A, name: B, site: stadhuis, coach: {name: D, email: d@x.be}}\n",
            "duplicate id",
        ),
        (
            'coordinator: {name: "K", email: "k@x.be"}\ndepartments:\n'
            '  - {id: a, name: A, site: stadhuis, coach_absent: "false", coach: {name: C, email: c@x.be}}\n',
            "not a boolean",
        ),
    ],
)
def test_load_rejects_bad_files_naming_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "coaches.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        CoachDirectory.load(path)
    assert str(path) in str(info.value) and problem in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_load_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read file"):
        CoachDirectory.load(tmp_path / "weg.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("coordinator: {name: Fran\xe7ois}\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read file"):
        CoachDirectory.load(latin1)


# --- PII masking ------------------------------------------------------------------------------------------


def _rrn(birth: str, serial: str) -> str:
    """A valid 11-digit national register number for a 20th-century birth date YYMMDD."""
    base = birth + serial
    return base + f"{97 - int(base) % 97:02d}"


RRN = _rrn("850101", "123")  # 85010112302-ish, with a correct check number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail an.declercq@waregem.be aub", "mail [e-mail] aub"),
        ("Van: Jan.De-Smet+test@sub.waregem.example.", "Van: [e-mail]."),
        ("bel 056 12 34 56 even", "bel [telefoon] even"),
        ("gsm 0471/12.34.56.", "gsm [telefoon]."),
        ("+32 470 12 34 56", "[telefoon]"),
        ("tel: 0471123456", "tel: [telefoon]"),
        ("0471 12 34 56 of 0471-12-34-56", "[telefoon] of [telefoon]"),
        ("056/12.34.56", "[telefoon]"),
        ("09 123 45 67 (Gent)", "[telefoon] (Gent)"),
        ("02/123.45.67", "[telefoon]"),
        ("+32 (0)56 12 34 56", "[telefoon]"),
        ("0032 470 12 34 56", "[telefoon]"),
        ("+3256123456", "[telefoon]"),
        ("(0471 12 34 56)", "([telefoon])"),
        (
            f"rijksregisternummer {RRN[:2]}.{RRN[2:4]}.{RRN[4:6]}-{RRN[6:9]}.{RRN[9:]}",
            "rijksregisternummer [rijksregisternummer]",
        ),
        (f"RRN: {RRN[:6]}-{RRN[6:9]}-{RRN[9:]}.", "RRN: [rijksregisternummer]."),
        (f"nummer {RRN} graag", "nummer [rijksregisternummer] graag"),
        (f"{RRN[:2]}.{RRN[2:4]}.{RRN[4:6]} {RRN[6:9]} {RRN[9:]}", "[rijksregisternummer]"),
        ("an@x.be, 056 12 34 56, 85.01.01-123.02", "[e-mail], [telefoon], [rijksregisternummer]"),
    ],
)
def test_mask_pii_masks(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Windows 11 start niet op",
        "versie 2.1 van Teams",
        "sinds 2026-03-01 werkt het niet",
        "op 01.02.2026 10:30 en 04.02.2026 9:30 en 04/02/2026 9:30",
        "zie pagina 12, stap 3",
        "foutcode 0x80070005 bij het opslaan",
        "Outlook geeft CAA50021",
        "fout 0x800CCC0E en 80090016",
        "agenda om 09:30-10:45",
        "IP 192.168.0.100 en 10.0.0.1",
        "ticket INC0012345",
        "bestand rapport_2025_03.pdf van 1,5 MB",
        "scherm 1920x1080 op 100%",
        "kamer 0.12 in het stadhuis",
        "bedrag 1.234.567,89 euro",
        "Office 365 en Windows 10 22H2",
        "KB5034441 installeren",
        "geen mail@ hier en @teams",
        "op 04.02.2026 9 uur en 05-03-2026 8 uur",
        "serienummer SN0471123456 en toestel X056123456",
    ],
)
def test_mask_pii_leaves_ordinary_text_alone(text: str) -> None:
    assert mask_pii(text) == text


# --- store ------------------------------------------------------------------------------------------------


def test_store_round_trip(store: EscalationStore, directory: CoachDirectory) -> None:
    cit = Citation(
        2, "handleidingen/teams.pdf", "Teams", "handleiding", "Vergaderen", 4, "2025-01-01", "IT", "…"
    )
    route = directory.route("Burgerzaken")
    esc_id = store.create(
        "Mijn nummer is 0471 12 34 56, hoe?",
        "Burgerzaken",
        route,
        [cit],
        "Probeer X",
        0.42,
        asker_name="Els",
        asker_contact="els@waregem.example",
    )
    esc = store.get(esc_id)
    assert isinstance(esc, Escalation)
    assert esc.question == "Mijn nummer is 0471 12 34 56, hoe?"  # stored as asked: the coach must read it
    assert (esc.department, esc.coach_name, esc.coach_email, esc.route_reason) == (
        "burgerzaken",
        "An Declercq",
        "an.declercq@waregem.example",
        "coach",
    )
    assert (esc.asker_name, esc.asker_contact, esc.draft_answer) == (
        "Els",
        "els@waregem.example",
        "Probeer X",
    )
    assert esc.confidence == pytest.approx(0.42)
    assert esc.sources == (cit.to_dict(),)
    assert (esc.status, esc.answer, esc.answered_by, esc.handed_over_from) == ("open", "", "", "")
    assert esc.created_at.endswith("+00:00") and esc.created_at == esc.updated_at
    assert store.get(esc_id + 1000) is None


def test_unknown_department_is_kept_as_given(store: EscalationStore, directory: CoachDirectory) -> None:
    esc_id = _escalate(store, directory, "Dienst Financiën")
    esc = store.get(esc_id)
    assert esc is not None and esc.department == "Dienst Financiën" and esc.route_reason == "coordinator"


def test_committed_row_is_readable_from_fresh_connection(
    store: EscalationStore, directory: CoachDirectory
) -> None:
    esc_id = _escalate(store, directory)
    with sqlite3.connect(store.db_path) as conn:
        row = conn.execute("SELECT question, status FROM escalations WHERE id = ?", (esc_id,)).fetchone()
        assert row == ("Hoe stel ik MFA in?", "open")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert EscalationStore(store.db_path).get(esc_id) is not None  # reopening does not re-migrate or wipe


def test_write_survives_kill(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"
    script = (
        "import os, signal, sys\n"
        "from assistant.escalation import Coach, Route\n"
        "from assistant.records import EscalationStore\n"
        f"s = EscalationStore({str(db)!r})\n"
        "r = Route(Coach('K', 'k@x.be'), None, 'coordinator')\n"
        "i = s.create('overleeft dit?', None, r, [], '', 0.1)\n"
        "print(i, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == -9, proc.stderr
    esc = EscalationStore(db).get(int(proc.stdout))
    assert esc is not None and esc.question == "overleeft dit?"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    EscalationStore(db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        EscalationStore(db)


def test_list_filters_and_orders_oldest_first(store: EscalationStore, directory: CoachDirectory) -> None:
    a = _escalate(store, directory, "burgerzaken", question="a")
    b = _escalate(store, directory, "welzijn", question="b")
    c = _escalate(store, directory, "Burgerzaken", question="c")
    store.answer(c, "Zo.", "An Declercq")
    assert [e.id for e in store.escalations()] == [a, b, c]
    assert [e.id for e in store.escalations(department="BURGERZAKEN")] == [a, c]
    assert [e.id for e in store.escalations(status="open")] == [a, b]
    assert [e.id for e in store.escalations(department="burgerzaken", status="answered")] == [c]
    assert store.escalations(department="ict") == []


def test_status_transitions(store: EscalationStore, directory: CoachDirectory) -> None:
    esc_id = _escalate(store, directory)
    store.answer(esc_id, "  Via instellingen.  ", "An Declercq")
    esc = store.get(esc_id)
    assert esc is not None and (esc.status, esc.answer, esc.answered_by) == (
        "answered",
        "Via instellingen.",
        "An Declercq",
    )
    store.answer(esc_id, "Beter: via de app.", "Pieter Vermeulen")  # a correction is allowed
    assert store.get(esc_id).answer == "Beter: via de app."  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="invalid status"):
        store.hand_over(esc_id, Coach("X", "x@x.be"))
    store.close(esc_id)
    assert store.get(esc_id).status == "closed"  # type: ignore[union-attr]
    for action in (lambda: store.close(esc_id), lambda: store.answer(esc_id, "nog", "An")):
        with pytest.raises(ValueError, match="invalid status"):
            action()
    with pytest.raises(ValueError, match="unknown"):
        store.answer(9999, "x", "An")
    with pytest.raises(ValueError, match="empty"):
        store.answer(_escalate(store, directory), "   ", "An")
    assert store.get(esc_id).answer == "Beter: via de app."  # type: ignore[union-attr]  # failed calls changed nothing


def test_hand_over_keeps_previous_coach(store: EscalationStore, directory: CoachDirectory) -> None:
    esc_id = _escalate(store, directory)
    before = store.get(esc_id)
    store.hand_over(esc_id, Coach("Pieter Vermeulen", "pieter.vermeulen@waregem.example"))
    esc = store.get(esc_id)
    assert esc is not None and before is not None
    assert (esc.coach_name, esc.coach_email, esc.handed_over_from, esc.status) == (
        "Pieter Vermeulen",
        "pieter.vermeulen@waregem.example",
        "An Declercq",
        "open",
    )
    assert esc.updated_at >= before.updated_at and esc.created_at == before.created_at


def test_answered_for_returns_only_answered(store: EscalationStore, directory: CoachDirectory) -> None:
    a, b, c, d = (_escalate(store, directory, question=q) for q in "abcd")
    store.answer(b, "B!", "An")
    store.answer(d, "D!", "An")
    store.close(d)  # closed after answering: the colleague still gets to see it
    store.close(c)  # closed without answer: nothing to show
    assert [(e.id, e.answer) for e in store.answered_for([d, a, b, c, 999])] == [(b, "B!"), (d, "D!")]
    assert store.answered_for([]) == []


def test_concurrent_creates_get_unique_ids(store: EscalationStore, directory: CoachDirectory) -> None:
    route = directory.route("burgerzaken")
    ids: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            for i in range(20):
                new = store.create(f"vraag {n}-{i}", "burgerzaken", route, [], "", 0.1)
                store.log_question(f"vraag {n}-{i}", "burgerzaken", 0.1, True)
                with lock:
                    ids.append(new)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ids) == 160 and len(set(ids)) == 160
    assert len(store.escalations()) == 160 and len(store.recent_questions(1000)) == 160


def test_concurrent_status_changes_do_not_lock_out(store: EscalationStore, directory: CoachDirectory) -> None:
    # Read-then-write transitions are where a deferred BEGIN fails with "database is locked".
    ids = [_escalate(store, directory, question=f"v{i}") for i in range(10)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for esc_id in ids * 2:
                store.answer(esc_id, f"antwoord {n}", f"coach {n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(e.status == "answered" and e.answer.startswith("antwoord ") for e in store.escalations())


def test_question_log_is_masked_and_newest_first(store: EscalationStore) -> None:
    store.log_question("Eerste vraag", None, 0.9, False)
    store.log_question("Bel me op 0471 12 34 56 of mail jan@waregem.be", "burgerzaken", 0.2, True)
    newest, oldest = store.recent_questions(10)
    assert newest.question == "Bel me op [telefoon] of mail [e-mail]"
    assert (newest.department, newest.escalated, newest.confidence) == (
        "burgerzaken",
        True,
        pytest.approx(0.2),
    )
    assert (oldest.question, oldest.department, oldest.escalated) == ("Eerste vraag", "", False)
    assert len(store.recent_questions(1)) == 1
    with sqlite3.connect(store.db_path) as conn:
        assert "0471" not in str(conn.execute("SELECT * FROM questions").fetchall())


def test_feedback(store: EscalationStore) -> None:
    first = store.add_feedback("v1", "a1", -1, "fout, bel 056 12 34 56", "ict")
    store.add_feedback("v2", "a2", 1, "top")
    last = store.add_feedback("v3", "a3", -1)
    assert first < last
    got = store.negative_feedback()
    assert [f.id for f in got] == [last, first]
    assert (got[1].comment, got[1].department, got[1].rating) == ("fout, bel [telefoon]", "ict", -1)
    assert len(store.negative_feedback(limit=1)) == 1
    for bad in (0, 2, -2):
        with pytest.raises(ValueError):
            store.add_feedback("v", "a", bad)


# --- mail -------------------------------------------------------------------------------------------------


def test_mail_arrives_at_real_smtp_server(
    smtp_server: Any, store: EscalationStore, directory: CoachDirectory
) -> None:
    controller, handler = smtp_server
    esc_id = _escalate(store, directory, "welzijn", question="Hoe deel ik een agenda in Outlook?")
    esc = store.get(esc_id)
    assert esc is not None
    mailer = Mailer.from_settings(
        Settings(smtp_host="127.0.0.1", smtp_port=controller.port, smtp_from="dh@w.example")
    )
    assert mailer is not None
    assert mailer.send_escalation(esc) is True
    assert len(handler.envelopes) == 1
    env = handler.envelopes[0]
    assert env.rcpt_tos == ["jan.desmet@waregem.example"] and env.mail_from == "dh@w.example"
    msg = email.message_from_bytes(env.original_content, policy=policy.default)
    assert msg["Subject"] == f"Nieuwe vraag voor de digicoach (#{esc_id})"
    body = msg.get_content()
    for expected in (
        "Hoe deel ik een agenda in Outlook?",
        "welzijn",
        "31%",
        "Tweestapsverificatie instellen",
        "tips/mfa.md",
        "Ontwerp",
        "Dag Jan,",
    ):
        assert expected in body


def test_mail_to_down_server_returns_false_quickly(store: EscalationStore, directory: CoachDirectory) -> None:
    esc = store.get(_escalate(store, directory))
    assert esc is not None
    started = time.monotonic()
    assert Mailer("127.0.0.1", free_port(), "dh@w.example", timeout=2).send_escalation(esc) is False
    assert time.monotonic() - started < 3


def test_mail_without_recipient_is_not_sent(smtp_server: Any) -> None:
    controller, handler = smtp_server
    esc = Escalation(1, "", "", "v", "", "", "", "K", "", "coordinator", (), "", 0.0, "open", "", "", "")
    assert Mailer("127.0.0.1", controller.port, "dh@w.example").send_escalation(esc) is False
    assert handler.envelopes == []


def test_mailer_from_settings_off_without_host() -> None:
    assert Mailer.from_settings(Settings(smtp_host="")) is None
    mailer = Mailer.from_settings(
        Settings(
            smtp_host="mail.w.example", smtp_port=587, smtp_starttls=True, smtp_user="u", smtp_password="p"
        )
    )
    assert mailer is not None
    assert (mailer.host, mailer.port, mailer.starttls, mailer.user, mailer.password) == (
        "mail.w.example",
        587,
        True,
        "u",
        "p",
    )


def test_route_message_needs_no_directory() -> None:
    route = Route(Coach("Marie-Louise Peeters", "m@x.be"), None, "coordinator")
    assert route.message().endswith("zodra Marie-Louise je vraag bekeken heeft.")
