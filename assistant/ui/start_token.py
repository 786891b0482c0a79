"""A colleague's tip path and progress as a signed token the browser keeps (localStorage and a link for another device).

The server stores nothing of it: the token carries the path, the levels per area, the knowledge results and which
tips are done, signed with the app secret (like the chat page's department and answer links) so nobody can hand the
page a forged path. Its purpose prefix keeps it from ever passing as another signed value.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.startpath import recheck_due

PURPOSE = "digihulp-startpad-v1:"
MAX_TOKEN_CHARS = 6000  # a full path is about 1.5 kB; anything longer is not ours


@dataclass(frozen=True)
class PathState:
    department: str
    checked_on: dt.date
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (area id or START/END, tip ids)
    levels: dict[str, float]  # area id -> level, lowest first
    knowledge: dict[str, bool] = field(default_factory=dict)  # area id -> knowledge question right
    done: frozenset[str] = frozenset()
    series: str = ""  # set only when the result is shared with the digicoach
    first_on: dt.date | None = None  # the first check in this browser, for "progress since"
    first_levels: dict[str, float] = field(default_factory=dict)
    cut: int = 0  # tips left for the re-check (max_tips)

    @property
    def tips(self) -> list[str]:
        return [tip for _, tips in self.sections for tip in tips]

    def toggled(self, tip: str, done: bool) -> PathState:
        if tip not in self.tips:
            return self
        return replace(self, done=self.done | {tip} if done else self.done - {tip})

    def to_dict(self) -> dict[str, Any]:
        tips = self.tips
        data: dict[str, Any] = {
            "d": self.department, "on": self.checked_on.isoformat(), "s": [[a, list(t)] for a, t in self.sections],
            "l": self.levels, "k": {a: int(ok) for a, ok in self.knowledge.items()},
            "x": sum(1 << i for i, tip in enumerate(tips) if tip in self.done), "c": self.cut,
            "due": recheck_due(self.checked_on).isoformat(),  # read by the page's script for the re-check reminder
        }
        if self.series:
            data["id"] = self.series
        if self.first_on is not None:
            data["f"] = {"on": self.first_on.isoformat(), "l": self.first_levels}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PathState:
        sections = tuple((str(a), tuple(str(t) for t in tips)) for a, tips in data["s"])
        tips = [tip for _, t in sections for tip in t]
        mask = int(data.get("x", 0))
        first = data.get("f") or {}
        return cls(
            department=str(data["d"]), checked_on=dt.date.fromisoformat(data["on"]), sections=sections,
            levels={str(k): float(v) for k, v in dict(data["l"]).items()},
            knowledge={str(k): bool(v) for k, v in dict(data.get("k", {})).items()},
            done=frozenset(tip for i, tip in enumerate(tips) if mask >> i & 1),
            series=str(data.get("id") or ""),
            first_on=dt.date.fromisoformat(first["on"]) if first.get("on") else None,
            first_levels={str(k): float(v) for k, v in dict(first.get("l", {})).items()},
            cut=int(data.get("c", 0)),
        )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), (PURPOSE + payload).encode(), hashlib.sha256).digest()[:18])


def sign_state(secret: str, state: PathState) -> str:
    raw = json.dumps(state.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    payload = _b64(raw)
    return f"{payload}.{_mac(secret, payload)}"


def unsign_state(secret: str, token: str | None) -> PathState | None:
    """The state in a token this server signed; None for anything else (tampered, truncated, foreign, old)."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        return None
    payload, mac = token.split(".")
    if not hmac.compare_digest(_mac(secret, payload), mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return PathState.from_dict(data)
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        return None
