"""Coach accounts (scrypt-hashed passwords in a JSON file) and the CLI to manage them.

python -m assistant.auth add-coach "An Declercq" [--department burgerzaken] [--password-stdin]
python -m assistant.auth reset-password "An Declercq" [--password-stdin]
python -m assistant.auth list

Passwords are stored as scrypt hashes with a per-user salt; there is no default password.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import json
import logging
import secrets
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.atomic import write_atomic
from assistant.cli import Parser, run
from assistant.config import Settings
from assistant.errors import DigihulpError

log = logging.getLogger(__name__)

MIN_PASSWORD = 10
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_DUMMY_SALT = bytes(16)


class AccountError(DigihulpError):
    """A Dutch message for the operator (unknown account, weak password, ...)."""


@dataclass(frozen=True)
class Account:
    name: str
    department: str
    salt: str
    hash: str
    n: int
    r: int
    p: int
    created: str


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_password(password: str, salt: bytes | None = None) -> dict[str, Any]:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"])
    return {"salt": salt.hex(), "hash": digest.hex(), **SCRYPT}


def verify_password(password: str, account: Account) -> bool:
    digest = _scrypt(password, bytes.fromhex(account.salt), account.n, account.r, account.p)
    return hmac.compare_digest(digest.hex(), account.hash)


def check_strength(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens lang zijn.")
    if password.strip().casefold() == name.strip().casefold():
        raise AccountError("Het wachtwoord mag niet gelijk zijn aan de naam.")


def _account(name: str, fields: Any) -> Account | None:
    try:
        return Account(
            name=name, department=str(fields.get("department", "")), salt=str(fields["salt"]),
            hash=str(fields["hash"]), n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]),
            created=str(fields.get("created", "")),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        log.error("Coach account %r is incomplete in the accounts file; ignored", name)
        return None


class AccountStore:
    """Accounts in one JSON file, read on every call so a new account works without a restart."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.error("Cannot read coach accounts %s: %s", self.path, exc)
            return {}
        accounts = data.get("accounts") if isinstance(data, dict) else None
        return accounts if isinstance(accounts, dict) else {}

    def _write(self, accounts: dict[str, dict[str, Any]]) -> None:
        text = json.dumps({"version": 1, "accounts": accounts}, ensure_ascii=False, indent=2)
        write_atomic(self.path, text, mode=0o600)

    def accounts(self) -> list[Account]:
        return [acc for name, fields in sorted(self._read().items()) if (acc := _account(name, fields))]

    def has_accounts(self) -> bool:
        return bool(self.accounts())

    def get(self, name: str) -> Account | None:
        key = " ".join(name.split()).casefold()
        return next((a for a in self.accounts() if a.name.casefold() == key), None)

    def add(self, name: str, password: str, department: str = "") -> Account:
        name = " ".join(name.split())
        if not name:
            raise AccountError("Geef een naam voor de coach.")
        check_strength(name, password)
        with self._lock:
            accounts = self._read()
            if any(n.casefold() == name.casefold() for n in accounts):
                raise AccountError(f"Er bestaat al een account voor '{name}'. Gebruik reset-password.")
            created = datetime.now(UTC).isoformat(timespec="seconds")
            accounts[name] = {"department": department.strip(), **hash_password(password), "created": created}
            self._write(accounts)
        log.info("Coach account added: %s", name)
        return _account(name, accounts[name])  # type: ignore[return-value]

    def reset(self, name: str, password: str) -> Account:
        with self._lock:
            accounts = self._read()
            key = next((n for n in accounts if n.casefold() == " ".join(name.split()).casefold()), None)
            if key is None:
                raise AccountError(f"Er is geen account voor '{name}'.")
            check_strength(key, password)
            accounts[key] = {**accounts[key], **hash_password(password)}
            self._write(accounts)
        log.info("Password reset for coach account %s", key)
        return _account(key, accounts[key])  # type: ignore[return-value]

    def verify(self, name: str, password: str) -> Account | None:
        account = self.get(name)
        if account is None:
            # Same work for unknown names, so timing does not reveal which accounts exist.
            _scrypt(password, _DUMMY_SALT, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"])
            return None
        return account if verify_password(password, account) else None


# --- CLI -----------------------------------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Nieuw wachtwoord: ")
    if getpass.getpass("Herhaal het wachtwoord: ") != first:
        raise AccountError("De twee wachtwoorden zijn niet gelijk.")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m assistant.auth", description="Coach-accounts beheren")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-coach", help="maak een account voor een digicoach")
    add.add_argument("name", help='naam van de coach, bv. "An Declercq"')
    add.add_argument("--department", default="", help="dienst-id uit coaches.yaml (standaardfilter)")
    add.add_argument("--password-stdin", action="store_true", help="lees het wachtwoord van stdin")
    reset = sub.add_parser("reset-password", help="stel een nieuw wachtwoord in")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="lees het wachtwoord van stdin")
    sub.add_parser("list", help="toon de accounts")
    return parser


def _warn_unknown_department(settings: Settings, department: str) -> None:
    if not department:
        return
    try:
        from assistant.escalation import CoachDirectory

        if CoachDirectory.load(settings.coaches_file).get(department) is None:
            print(f"Let op: dienst '{department}' staat niet in {settings.coaches_file}.", file=sys.stderr)
    except Exception as exc:  # the account is still useful without a directory check
        print(f"Let op: kon {settings.coaches_file} niet lezen ({exc}).", file=sys.stderr)


def accounts_command(settings: Settings, args: argparse.Namespace) -> int:
    store = AccountStore(settings.accounts_file)
    if args.command == "list":
        for acc in store.accounts():
            print(f"{acc.name}\t{acc.department or '-'}\t{acc.created}")
        return 0
    password = _read_password(args.password_stdin)
    if args.command == "add-coach":
        _warn_unknown_department(settings, args.department)
        account = store.add(args.name, password, args.department)
        print(f"Account voor {account.name} aangemaakt in {store.path}.")
    else:
        account = store.reset(args.name, password)
        print(f"Nieuw wachtwoord ingesteld voor {account.name}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, _parser(), accounts_command)


if __name__ == "__main__":
    raise SystemExit(main())
