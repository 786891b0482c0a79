"""Escalation limits per browser and per address (assistant.ratelimit) on real SQLite with a hand-moved clock."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from conftest import FakeClock

from assistant.ratelimit import DAY, Client, EscalationLimiter, Limit, keys_for

ALICE = Client(browser="a" * 20, address="10.0.0.5")
BOB = Client(browser="b" * 20, address="10.0.0.5")  # same proxy address, other browser


def limiter(tmp_path: Path, clock: FakeClock, address: tuple[Limit, ...] = (Limit(30, 600), Limit(150, DAY))
            ) -> EscalationLimiter:
    return EscalationLimiter(tmp_path / "db.sqlite3", (Limit(5, 600), Limit(20, DAY)), address, clock=clock)


def test_five_per_ten_minutes_then_a_clear_retry_time(tmp_path: Path) -> None:
    clock = FakeClock()
    lim = limiter(tmp_path, clock)
    for _ in range(5):
        assert lim.take(ALICE).allowed
        clock.now += 10
    refused = lim.take(ALICE)
    assert not refused.allowed and refused.limit == Limit(5, 600)
    assert refused.retry_after == 600 - 50  # the oldest of the five leaves the window then
    assert lim.take(BOB).allowed  # another browser behind the same address is not affected
    clock.now += refused.retry_after + 0.1
    assert lim.take(ALICE).allowed


def test_twenty_per_day(tmp_path: Path) -> None:
    clock = FakeClock()
    lim = limiter(tmp_path, clock)
    for _ in range(20):
        assert lim.take(ALICE).allowed
        clock.now += 601
    refused = lim.take(ALICE)
    assert not refused.allowed and refused.limit == Limit(20, DAY)
    assert refused.limit.describe() == "vandaag" and Limit(5, 600).describe() == "de voorbije 10 minuten"
    clock.now += DAY
    assert lim.take(ALICE).allowed


def test_a_client_without_token_counts_per_address(tmp_path: Path) -> None:
    clock = FakeClock()
    lim = limiter(tmp_path, clock)
    script = Client(browser="", address="10.0.0.9")
    assert keys_for(script) == ("anon:10.0.0.9", "address:10.0.0.9")
    assert all(lim.take(script).allowed for _ in range(5))
    assert not lim.take(script).allowed
    assert lim.take(Client(browser="", address="10.0.0.10")).allowed


def test_rotating_tokens_meet_the_address_limit(tmp_path: Path) -> None:
    clock = FakeClock()
    lim = limiter(tmp_path, clock, address=(Limit(8, 600),))
    verdicts = [lim.take(Client(browser=f"{i:020d}", address="10.0.0.7")).allowed for i in range(10)]
    assert verdicts == [True] * 8 + [False] * 2


def test_limits_survive_a_restart_and_a_released_slot_is_free_again(tmp_path: Path) -> None:
    clock = FakeClock()
    first = limiter(tmp_path, clock)
    verdicts = [first.take(ALICE) for _ in range(5)]
    again = limiter(tmp_path, clock)  # a new process on the same database
    assert not again.take(ALICE).allowed
    again.release(verdicts[-1])  # that escalation was not stored after all
    assert again.take(ALICE).allowed and not again.take(ALICE).allowed


def test_concurrent_flood_takes_exactly_the_limit(tmp_path: Path) -> None:
    lim = limiter(tmp_path, FakeClock())
    results: list[bool] = []
    barrier = threading.Barrier(30)

    def one() -> None:
        barrier.wait()
        results.append(lim.take(ALICE).allowed)

    threads = [threading.Thread(target=one) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 25 + [True] * 5


def test_zero_switches_a_limit_off(tmp_path: Path) -> None:
    lim = EscalationLimiter(tmp_path / "db.sqlite3", (Limit(0, 600),), (), clock=FakeClock())
    assert all(lim.take(ALICE).allowed for _ in range(50))


def test_over_the_limit_answers_stay_and_the_message_names_the_coach(assistant: Any) -> None:
    from assistant.intake import Intake

    clock = FakeClock()
    settings = assistant.settings.model_copy(update={"escalations_per_window": 2})
    assistant.intake = Intake.from_settings(settings, assistant.directory, assistant.records, None, clock=clock)
    me = Client(browser="m" * 22, address="10.2.2.2")
    for question in ("Wanneer is de kerstmarkt?", "Wat eten we vrijdag in de kantine?"):
        assert assistant.ask(question, "burgerzaken", client=me).escalated
    refused = assistant.ask("Wie wint de koers van zondag?", "burgerzaken", client=me)
    assert not refused.escalated and refused.escalation_id is None
    for part in ("de voorbije 10 minuten al 2 vragen", "over 10 minuten", "An Declercq",
                 "an.declercq@waregem.example", "056 00 00 10"):
        assert part in refused.notice
    answered = assistant.ask("hoe print ik met mijn badge", "burgerzaken", client=me)
    assert answered.citations and not answered.escalated and "doorgeven" not in answered.notice
    pressed = assistant.escalate(answered, "burgerzaken", client=me)  # "Vraag het aan mijn digicoach"
    assert not pressed.escalated and pressed.text == answered.text and "An Declercq" in pressed.notice
    assert len(assistant.records.escalations()) == 2
    clock.now += 601
    assert assistant.ask("Wie wint de koers van zondag?", "burgerzaken", client=me).escalated
