"""Coach accounts (scrypt, per-user salt), the account CLI, login rate limiting, sessions and signed links."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
from conftest import FakeClock

from assistant.auth import AccountError, AccountStore, hash_password, main, verify_password
from assistant.ui.session import LoginBackoff, SessionStore, load_secret, sign_id, unsign_id

PASSWORD = "correct-paard-batterij"


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "data" / "coach_accounts.json")


def test_hash_uses_a_salt_and_verifies(store: AccountStore) -> None:
    one, two = hash_password(PASSWORD), hash_password(PASSWORD)
    assert one["salt"] != two["salt"] and one["hash"] != two["hash"]
    assert len(bytes.fromhex(one["salt"])) == 16 and one["n"] >= 2**14
    account = store.add("An Declercq", PASSWORD, "burgerzaken")
    assert verify_password(PASSWORD, account)
    assert not verify_password(PASSWORD + "x", account)


def test_accounts_file_holds_no_password_and_is_private(store: AccountStore) -> None:
    store.add("An Declercq", PASSWORD, "burgerzaken")
    store.add("Jonas Verstraete", PASSWORD, "ict")
    text = store.path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    data = json.loads(text)["accounts"]
    assert data["An Declercq"]["salt"] != data["Jonas Verstraete"]["salt"]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_verify_add_and_reset(store: AccountStore) -> None:
    assert not store.has_accounts()
    store.add("An  Declercq", PASSWORD, "burgerzaken")
    assert store.has_accounts()
    assert store.verify("an declercq", PASSWORD) is not None  # name is case- and space-insensitive
    assert store.verify("An Declercq", "fout-wachtwoord") is None
    assert store.verify("Niemand", PASSWORD) is None
    with pytest.raises(AccountError):
        store.add("AN DECLERCQ", PASSWORD)
    store.reset("An Declercq", "een-nieuw-wachtwoord")
    assert store.verify("An Declercq", PASSWORD) is None
    assert store.verify("An Declercq", "een-nieuw-wachtwoord").department == "burgerzaken"  # type: ignore[union-attr]
    with pytest.raises(AccountError):
        store.reset("Niemand", "een-nieuw-wachtwoord")


@pytest.mark.parametrize("password", ["", "kort", "An Declercq"])
def test_weak_passwords_are_refused(store: AccountStore, password: str) -> None:
    with pytest.raises(AccountError):
        store.add("An Declercq", password)
    assert not store.has_accounts()


def test_broken_accounts_file_means_no_accounts(store: AccountStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{kapot", encoding="utf-8")
    assert not store.has_accounts()
    assert store.verify("An Declercq", PASSWORD) is None


def test_cli_add_and_reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DIGIHULP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIGIHULP_CORPUS_DIR", str(Path(__file__).parent / "fixtures" / "corpus"))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["add-coach", "Jonas Verstraete", "--department", "ict", "--password-stdin"]) == 0
    store = AccountStore(tmp_path / "data" / "coach_accounts.json")
    assert store.verify("Jonas Verstraete", PASSWORD).department == "ict"  # type: ignore[union-attr]
    monkeypatch.setattr("sys.stdin", io.StringIO("nog-een-ander-wachtwoord\n"))
    assert main(["reset-password", "jonas verstraete", "--password-stdin"]) == 0
    assert store.verify("Jonas Verstraete", "nog-een-ander-wachtwoord") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert main(["add-coach", "Lotte Verbeke", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["reset-password", "Niemand", "--password-stdin"]) == 2
    assert "Fout:" in capsys.readouterr().err


def test_backoff_lets_five_failures_pass_then_doubles_the_wait() -> None:
    clock = FakeClock()
    backoff = LoginBackoff(free=5, max_wait=300, window=900, clock=clock)
    for _ in range(4):
        backoff.fail("10.0.0.1")
    assert backoff.wait_for("10.0.0.1") == 0
    waits = []
    for _ in range(12):
        backoff.fail("10.0.0.1")
        waits.append(backoff.wait_for("10.0.0.1"))
        clock.now += waits[-1]  # the client waits it out, then fails again
    assert waits[:5] == [2, 4, 8, 16, 32] and max(waits) == 300
    assert backoff.wait_for("10.0.0.2") == 0  # another client is not slowed down


def test_backoff_forgets_old_failures_and_a_success_resets_it() -> None:
    clock = FakeClock()
    backoff = LoginBackoff(free=3, max_wait=60, window=100, clock=clock)
    for _ in range(3):
        backoff.fail("a")
    assert backoff.wait_for("a") == pytest.approx(2)
    clock.now += 200  # the failures fall out of the window
    assert backoff.wait_for("a") == 0
    for _ in range(3):
        backoff.fail("a")
    backoff.success("a")
    assert backoff.wait_for("a") == 0


def test_sessions_expire_and_can_be_revoked(tmp_path: Path) -> None:
    clock = FakeClock()
    sessions = SessionStore(tmp_path / "db.sqlite3", hours=8, clock=clock)
    token = sessions.create("An Declercq")
    assert len(token) >= 40 and sessions.user(token) == "An Declercq"
    assert sessions.user("verzonnen") is None and sessions.user(None) is None
    clock.now += 8 * 3600 - 1
    assert sessions.user(token) == "An Declercq"
    clock.now += 2
    assert sessions.user(token) is None
    other = sessions.create("Jonas Verstraete")
    sessions.revoke(other)
    assert sessions.user(other) is None


def test_sessions_survive_a_restart_and_only_hashes_are_stored(tmp_path: Path) -> None:
    clock = FakeClock()
    token = SessionStore(tmp_path / "db.sqlite3", hours=8, clock=clock).create("An Declercq")
    assert SessionStore(tmp_path / "db.sqlite3", hours=8, clock=clock).user(token) == "An Declercq"
    assert token.encode() not in (tmp_path / "db.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("db.sqlite3-*"))


def test_signed_links_cannot_be_guessed(tmp_path: Path) -> None:
    secret = load_secret(tmp_path)
    assert load_secret(tmp_path) == secret  # survives a restart
    assert stat.S_IMODE((tmp_path / "ui_secret").stat().st_mode) == 0o600
    token = sign_id(secret, 42)
    assert unsign_id(secret, token) == 42
    flipped = token[:-1] + ("1" if token.endswith("0") else "0")
    for forged in ("42", "43." + token.split(".")[1], flipped, "", None, "x.y", sign_id("ander", 42)):
        assert unsign_id(secret, forged) is None
