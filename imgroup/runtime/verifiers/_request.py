"""What a verifier reads (the request as it arrived) and what it answers."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Protocol

from attrs import field, frozen


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@frozen
class InboundRequest:
    """A pushed request as it arrived: the raw body bytes, the headers (any case), the query."""

    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False, converter=_lowered)
    query: Mapping[str, str] = field(repr=False, factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@frozen
class Verified:
    """A request that passed: the event it carries, named for the log and the processing."""

    key: str  # the event's type as its envelope names it
    payload: Mapping[str, Any] = field(repr=False)  # the event's JSON (decrypted)
    plaintext: bytes = field(repr=False)  # the same JSON's bytes, as sent (or as decrypted): what the log keeps
    dedup_id: str  # the vendor's event id, or a digest of the body where the vendor sends none
    app: str
    tenant: str = ""
    challenge: str | None = None  # Feishu's URL check: echo it, record nothing


class Refused(Exception):
    """The request is not one we accept: answer ``status`` and record nothing. The reason names no secret."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Verifier(Protocol):
    """Checks one vendor's pushed requests."""

    def verify(self, request: InboundRequest, now: float) -> Verified:
        """The verified event, or Refused; ``now`` is the current time in seconds since the epoch."""
        ...


def json_object(data: bytes, what: str) -> dict[str, Any]:
    """``data`` read as a JSON object, or Refused(400)."""
    try:
        # Decoding first spares json its encoding sniffing; the vendors send UTF-8.
        value = json.loads(data.decode())
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is not a JSON object")
    return value


def body_digest(body: bytes) -> str:
    """How an event without an id is told from another: the SHA-256 of its raw body."""
    return hashlib.sha256(body).hexdigest()


def fresh(sent_at: float, now: float, window: float, what: str) -> None:
    """Refuse a request whose timestamp is further than ``window`` seconds from ``now``, either way."""
    if abs(now - sent_at) > window:
        raise Refused(401, f"{what} is more than {window:g} s from now: stale or replayed")


def same(expected: str, given: str) -> bool:
    """Constant-time equality of two texts (any characters: compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(expected.encode(), given.encode())
