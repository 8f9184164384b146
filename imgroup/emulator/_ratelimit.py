"""Fixed-window rate limiting per (vendor, app, operation), as the vendors' gateways count: by arrival time."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """A refused call: the limit it broke and the seconds until that window resets."""

    limit: int
    window_s: float
    reset_s: float


class RateLimiter:
    """Counts calls in one-second and one-minute windows; refused calls do not count."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[tuple[object, ...], tuple[int, int]] = {}

    def hit(self, key: tuple[object, ...], per_second: int | None, per_minute: int | None) -> Refusal | None:
        """Count one call under ``key``; return a Refusal instead when a window is full."""
        return self.count(
            key, [(limit, window_s) for limit, window_s in ((per_second, 1.0), (per_minute, 60.0)) if limit]
        )

    def count(self, key: tuple[object, ...], windows: Sequence[tuple[int, float]]) -> Refusal | None:
        """Count one call under ``key`` in each (calls, seconds) window; a Refusal instead when one is full."""
        now = self._clock()
        for limit, window_s in windows:
            window = math.floor(now / window_s)
            start, count = self._windows.get((*key, window_s), (window, 0))
            if start == window and count >= limit:
                return Refusal(limit=limit, window_s=window_s, reset_s=(window + 1) * window_s - now)
        for limit, window_s in windows:
            window = math.floor(now / window_s)
            start, count = self._windows.get((*key, window_s), (window, 0))
            self._windows[(*key, window_s)] = (window, count + 1 if start == window else 1)
        return None
