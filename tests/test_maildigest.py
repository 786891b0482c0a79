"""Mail throttling: one mail per coach per window, then one digest, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FakeClock

from assistant.escalation import Coach, Route
from assistant.mail import Mailer
from assistant.maildigest import MailThrottle
from assistant.records import EscalationStore
from assistant.runtime import free_port

JAN = Coach("Jan Desmet", "jan.desmet@waregem.example")
ELS = Coach("Els Claes", "els.claes@waregem.example")


def setup(tmp_path: Path, port: int, minutes: float = 15) -> tuple[EscalationStore, MailThrottle, FakeClock]:
    store, clock = EscalationStore(tmp_path / "db.sqlite3"), FakeClock()
    mailer = Mailer("127.0.0.1", port, "digihulp@w.example", timeout=2)
    return store, MailThrottle(mailer, store.get, store.db_path, minutes, clock=clock), clock


def escalate(store: EscalationStore, throttle: MailThrottle, question: str, coach: Coach = JAN) -> tuple[int, str]:
    new_id = store.create(question, "burgerzaken", Route(coach, None, "coach"), [], "", 0.1)
    escalation = store.get(new_id)
    assert escalation is not None
    return new_id, throttle.notify(escalation)


def test_one_mail_then_one_digest_of_what_came_in(tmp_path: Path, smtp_server: Any) -> None:
    controller, handler = smtp_server
    store, throttle, clock = setup(tmp_path, controller.port)
    first, how = escalate(store, throttle, "Vraag een")
    assert how == "sent" and len(handler.messages) == 1
    assert handler.messages[0]["Subject"] == f"Nieuwe vraag voor de digicoach (#{first})"
    queued = []
    for n in ("twee", "drie", "vier"):
        clock.now += 60
        new_id, how = escalate(store, throttle, f"Vraag {n}")
        queued.append(new_id)
        assert how == "queued"
    assert escalate(store, throttle, "Vraag voor Els", ELS)[1] == "sent"  # another coach has their own window
    assert len(handler.messages) == 2
    assert throttle.flush_due() == 0  # Jan's 15 minutes are not up yet
    clock.now += 15 * 60
    assert throttle.flush_due() == 1 and throttle.flush_due() == 0
    digest = handler.messages[-1]
    assert digest["To"] == JAN.email and digest["Subject"].startswith("3 nieuwe vragen voor de digicoach")
    body = digest.get_content()
    assert all(f"#{i}" in body for i in queued) and "Vraag twee" in body and "Vraag vier" in body
    assert "Vraag een" not in body and body.startswith("Dag Jan,")
    assert len(handler.messages) == 3


def test_closed_while_waiting_is_left_out_and_a_restart_keeps_the_queue(tmp_path: Path, smtp_server: Any) -> None:
    controller, handler = smtp_server
    store, throttle, clock = setup(tmp_path, controller.port)
    escalate(store, throttle, "Vraag een")
    closed, _ = escalate(store, throttle, "Vraag spam")
    kept, _ = escalate(store, throttle, "Vraag echt")
    store.close(closed)
    restarted = MailThrottle(throttle.mailer, store.get, store.db_path, 15, clock=clock)
    clock.now += 15 * 60
    assert restarted.flush_due() == 1
    message = handler.messages[-1]
    assert message["Subject"] == f"Nieuwe vraag voor de digicoach (#{kept})"  # one left: an ordinary mail
    assert len(handler.messages) == 2


def test_mail_that_cannot_be_sent_waits_for_the_next_window(tmp_path: Path, smtp_server: Any) -> None:
    controller, handler = smtp_server
    store, throttle, clock = setup(tmp_path, free_port())  # nobody listens there
    new_id, how = escalate(store, throttle, "Vraag een")
    assert how == "failed"
    throttle.mailer.port = controller.port  # the mail server is back
    clock.now += 15 * 60
    assert throttle.flush_due() == 1
    assert handler.messages[0]["Subject"] == f"Nieuwe vraag voor de digicoach (#{new_id})"


def test_zero_minutes_mails_every_escalation(tmp_path: Path, smtp_server: Any) -> None:
    controller, handler = smtp_server
    store, throttle, _ = setup(tmp_path, controller.port, minutes=0)
    assert [escalate(store, throttle, f"Vraag {i}")[1] for i in range(3)] == ["sent"] * 3
    assert len(handler.messages) == 3
