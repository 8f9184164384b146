"""Run-time configuration of the emulator's misbehaviour: faults, rate-limit overrides, token lifetime.

Every fault decision is a pure function of ``(seed, vendor, operation, target, n)`` where ``n`` counts the
calls for that target since the plan was set. A run therefore repeats exactly with the same seed, even when
a bulk job sends its calls concurrently and in a different order.
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
_SHARES = {"error_rate": "error", "html_rate": "html", "drop_rate": "drop", "storm_rate": "storm"}
_KNOWN_KEYS = {*_SHARES, "seed", "latency_ms", "storm_s", "rate_limits", "token_ttl_s", "operations"}


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
    operations: frozenset[str] | None = None  # None: faults hit every vendor operation
    rate_limits: dict[str, int] = field(default_factory=dict)  # operationId -> calls per second
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    set_at: float = field(default_factory=time.monotonic)
    counts: Counter[str] = field(default_factory=Counter)
    _attempts: Counter[tuple[str, str, str]] = field(default_factory=Counter)

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
        plan.storm_s = _number(document, "storm_s", 0.0)
        plan.token_ttl_s = _integer(document, "token_ttl_s", DEFAULT_TOKEN_TTL_S)
        if plan.latency_ms < 0 or plan.storm_s < 0 or plan.token_ttl_s < 1:
            raise FaultPlanError("latency_ms and storm_s must not be negative; token_ttl_s must be at least 1")
        operations = document.get("operations")
        if operations is not None:
            if not isinstance(operations, list) or not all(isinstance(op, str) for op in operations):
                raise FaultPlanError("operations is a list of operationIds")
            plan.operations = frozenset(operations)
        limits = document.get("rate_limits", {})
        if not isinstance(limits, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in limits.values()
        ):
            raise FaultPlanError("rate_limits maps operationIds to positive calls per second")
        plan.rate_limits = dict(limits)
        return plan

    def to_json(self) -> dict[str, Any]:
        """The plan as the admin API reports it, with how many faults it has injected so far."""
        return {
            "seed": self.seed,
            **{key: getattr(self, key) for key in _SHARES},
            "storm_s": self.storm_s,
            "latency_ms": self.latency_ms,
            "operations": sorted(self.operations) if self.operations is not None else None,
            "rate_limits": self.rate_limits,
            "token_ttl_s": self.token_ttl_s,
            "injected": {kind: self.counts[kind] for kind in FAULT_KINDS},
        }

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations

    def draw(self, vendor: str, operation: str, target: str, now: float | None = None) -> Fault | None:
        """Decide, reproducibly, which fault (if any) hits this call; ``now`` is on time.monotonic()."""
        if not self.applies_to(operation):
            return None
        fault = self._draw_share(vendor, operation, target)
        if fault is None and self.storm_s:
            storm_left = self.set_at + self.storm_s - (time.monotonic() if now is None else now)
            if storm_left > 0:
                fault = Fault("storm", reset_s=max(storm_left, 1.0))
        if fault is not None:
            self.counts[fault.kind] += 1
        return fault

    def _draw_share(self, vendor: str, operation: str, target: str) -> Fault | None:
        if not (self.error_rate or self.html_rate or self.drop_rate or self.storm_rate):
            return None
        key = (vendor, operation, target)
        attempt = self._attempts[key]
        self._attempts[key] = attempt + 1
        digest = hashlib.blake2b(f"{self.seed}|{vendor}|{operation}|{target}|{attempt}".encode(), digest_size=8)
        draw = int.from_bytes(digest.digest(), "big") / 2**64
        for key_name, kind in _SHARES.items():
            share: float = getattr(self, key_name)
            if draw < share:
                # The rest of the draw picks the status, so it too repeats with the seed.
                status = SERVER_ERROR_STATUSES[int(draw / share * 1e6) % len(SERVER_ERROR_STATUSES)]
                return Fault(kind, status)
            draw -= share
        return None


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
