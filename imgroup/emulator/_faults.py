"""Run-time configuration of the emulator's misbehaviour: faults, arrival delays, rate-limit overrides, token lifetime.

Every fault decision (and every arrival delay) is a pure function of ``(seed, vendor, operation, target, n)``
where ``n`` counts the calls for that target since the plan was set. A run therefore repeats exactly with the
same seed, even when a bulk job sends its calls concurrently and in a different order.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("error", "html", "drop", "storm")
SERVER_ERROR_STATUSES = (500, 502, 503, 504)
DEFAULT_TOKEN_TTL_S = 7200
# Feishu pushes a store app's app_ticket every hour; a test compresses that with ticket_interval_s.
DEFAULT_TICKET_INTERVAL_S = 3600.0
_SHARES = {"error_rate": "error", "html_rate": "html", "drop_rate": "drop", "storm_rate": "storm"}
_KNOWN_KEYS = {
    *_SHARES, "seed", "latency_ms", "arrival_delay_ms", "storm_s", "rate_limits", "token_ttl_s", "operations",
    "ticket_interval_s", "tenants",
}  # fmt: skip
Windows = tuple[tuple[int, float], ...]  # (calls, seconds) per fixed window


class FaultPlanError(ValueError):
    """A faults document that does not have the documented shape."""


@dataclass(frozen=True)
class Fault:
    """What to do to one call: ``kind`` is one of FAULT_KINDS.

    ``status`` is the HTTP status of an ``error`` or ``html`` answer; ``reset_s`` how long a storm says to wait.
    """

    kind: str
    status: int = 500
    reset_s: float = 1.0


@dataclass
class FaultPlan:
    """The faults in force; ``FaultPlan()`` is a well-behaved emulator."""

    seed: int = 0
    error_rate: float = 0.0
    html_rate: float = 0.0
    drop_rate: float = 0.0
    storm_rate: float = 0.0
    storm_s: float = 0.0
    latency_ms: float = 0.0
    arrival_delay_ms: float = 0.0  # each call waits a drawn time up to this before the rate limiter counts it
    operations: frozenset[str] | None = None  # None: faults hit every vendor operation
    tenants: frozenset[str] | None = None  # None: faults hit every caller; else only Feishu store app tenants'
    rate_limits: dict[str, Windows] = field(default_factory=dict)  # operationId -> its windows
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    ticket_interval_s: float = DEFAULT_TICKET_INTERVAL_S
    set_at: float = field(default_factory=time.monotonic)
    counts: Counter[str] = field(default_factory=Counter)
    _attempts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _arrivals: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    @classmethod
    def from_json(cls, document: Any) -> FaultPlan:
        """Parse the body of ``POST /_emulator/faults``; ``{}`` gives the well-behaved plan."""
        if not isinstance(document, dict):
            raise FaultPlanError("faults are a JSON object")
        unknown = set(document) - _KNOWN_KEYS
        if unknown:
            raise FaultPlanError(f"unknown fault options: {sorted(unknown)}")
        plan = cls(seed=_integer(document, "seed", 0))
        for key in _SHARES:
            share = _number(document, key, 0.0)
            if not 0.0 <= share <= 1.0:
                raise FaultPlanError(f"{key} is a share of requests, between 0 and 1")
            setattr(plan, key, share)
        if plan.error_rate + plan.html_rate + plan.drop_rate + plan.storm_rate > 1.0:
            raise FaultPlanError("the fault shares add up to more than 1")
        plan.latency_ms = _number(document, "latency_ms", 0.0)
        plan.arrival_delay_ms = _number(document, "arrival_delay_ms", 0.0)
        plan.storm_s = _number(document, "storm_s", 0.0)
        plan.token_ttl_s = _integer(document, "token_ttl_s", DEFAULT_TOKEN_TTL_S)
        plan.ticket_interval_s = _number(document, "ticket_interval_s", DEFAULT_TICKET_INTERVAL_S)
        if plan.ticket_interval_s <= 0:
            raise FaultPlanError("ticket_interval_s must be positive")
        if min(plan.latency_ms, plan.arrival_delay_ms, plan.storm_s) < 0 or plan.token_ttl_s < 1:
            raise FaultPlanError(
                "latency_ms, arrival_delay_ms and storm_s must not be negative; token_ttl_s must be at least 1"
            )
        operations = document.get("operations")
        if operations is not None:
            if not isinstance(operations, list) or not all(isinstance(op, str) for op in operations):
                raise FaultPlanError("operations is a list of operationIds")
            plan.operations = frozenset(operations)
        tenants = document.get("tenants")
        if tenants is not None:
            if not isinstance(tenants, list) or not all(isinstance(key, str) and key for key in tenants):
                raise FaultPlanError("tenants is a list of tenant keys (of Feishu store apps)")
            plan.tenants = frozenset(tenants)
        limits = document.get("rate_limits", {})
        if not isinstance(limits, dict):
            raise FaultPlanError("rate_limits maps operationIds to calls per second or [[calls, seconds], ...]")
        plan.rate_limits = {operation: _windows(value) for operation, value in limits.items()}
        return plan

    def to_json(self) -> dict[str, Any]:
        """The plan as the admin API reports it, with how many faults it has injected so far."""
        return {
            "seed": self.seed,
            **{key: getattr(self, key) for key in _SHARES},
            "storm_s": self.storm_s,
            "latency_ms": self.latency_ms,
            "arrival_delay_ms": self.arrival_delay_ms,
            "operations": sorted(self.operations) if self.operations is not None else None,
            "tenants": sorted(self.tenants) if self.tenants is not None else None,
            "rate_limits": {
                operation: windows[0][0] if windows == ((windows[0][0], 1.0),) else [list(w) for w in windows]
                for operation, windows in self.rate_limits.items()
            },
            "token_ttl_s": self.token_ttl_s,
            "ticket_interval_s": self.ticket_interval_s,
            "injected": {kind: self.counts[kind] for kind in FAULT_KINDS},
        }

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations

    def draw(
        self, vendor: str, operation: str, target: str, now: float | None = None, *, tenant: str | None = None
    ) -> Fault | None:
        """Decide, reproducibly, which fault (if any) hits this call; ``now`` is on time.monotonic(). ``tenant``:
        the Feishu store app tenant whose token the call carries (None: no tenant's), which ``tenants`` filters."""
        if not self.applies_to(operation) or (self.tenants is not None and tenant not in self.tenants):
            return None
        fault = self._draw_share(vendor, operation, target)
        if fault is None and self.storm_s:
            storm_left = self.set_at + self.storm_s - (time.monotonic() if now is None else now)
            if storm_left > 0:
                fault = Fault("storm", reset_s=max(storm_left, 1.0))
        if fault is not None:
            self.counts[fault.kind] += 1
        return fault

    def arrival_delay(self, vendor: str, operation: str, target: str) -> float:
        """Seconds this call waits before it is counted: drawn, reproducibly, from 0 to ``arrival_delay_ms``."""
        if not self.arrival_delay_ms or not self.applies_to(operation):
            return 0.0
        key = (vendor, operation, target)
        arrival = self._arrivals[key]
        self._arrivals[key] = arrival + 1
        return _uniform(f"{self.seed}|arrival|{vendor}|{operation}|{target}|{arrival}") * self.arrival_delay_ms / 1000

    def _draw_share(self, vendor: str, operation: str, target: str) -> Fault | None:
        if not (self.error_rate or self.html_rate or self.drop_rate or self.storm_rate):
            return None
        key = (vendor, operation, target)
        attempt = self._attempts[key]
        self._attempts[key] = attempt + 1
        draw = _uniform(f"{self.seed}|{vendor}|{operation}|{target}|{attempt}")
        for key_name, kind in _SHARES.items():
            share: float = getattr(self, key_name)
            if draw < share:
                # The rest of the draw picks the status, so it too repeats with the seed.
                status = SERVER_ERROR_STATUSES[int(draw / share * 1e6) % len(SERVER_ERROR_STATUSES)]
                return Fault(kind, status)
            draw -= share
        return None


def _uniform(label: str) -> float:
    """A number in [0, 1) drawn from ``label`` alone."""
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "big") / 2**64


def _windows(value: Any) -> Windows:
    """An override of an operation's limits: calls per second, or a list of [calls, seconds] fixed windows."""
    if _positive_integer(value):
        return ((value, 1.0),)
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and _positive_integer(pair[0])
            and isinstance(pair[1], int | float)
            and not isinstance(pair[1], bool)
            and pair[1] > 0
            for pair in value
        )
    ):
        return tuple((calls, float(seconds)) for calls, seconds in value)
    raise FaultPlanError("rate_limits maps operationIds to positive calls per second or [[calls, seconds], ...]")


def _positive_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(document: dict[str, Any], key: str, default: float) -> float:
    value = document.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultPlanError(f"{key} must be a number")
    return float(value)


def _integer(document: dict[str, Any], key: str, default: int) -> int:
    value = document.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultPlanError(f"{key} must be an integer")
    return value
