"""A client-side limiter that keeps each operation under its documented rate limit, and slows down when refused.

One limiter serves every thread and task of a client. For each operation it books a send time per call:

- A sliding log per documented window (one second, one minute) keeps every window of booked send times within
  the documented limit, whatever the vendor answers.
- Calls are spaced evenly at a pacing rate that starts a little under the documented rate: between booking a
  call and the vendor counting it lie a sleep, signing, the network and the vendor's own queue, and calls booked
  evenly reach the vendor bunched by up to ``JITTER_ALLOWANCE``.
- A rate-limit answer says the bunching went further: the pacing rate is cut by ``CUT``, at most once per window
  (the calls already on their way when the first refusal came are refused too, and must not cut it again), and
  the vendor's reset hint (``x-ogw-ratelimit-reset``, ``Retry-After``) holds every booking of the operation until
  then, not only the refused call's retry.
- After a window without refusals (counted from the end of any pause: a pause proves nothing) the rate climbs
  back: within ``RECOVERY_WINDOWS`` windows to just under the rate that was refused (``CEILING_SHARE`` of it),
  then over ``PROBE_WINDOWS`` windows to where it started. A rate that was refused is tried again only slowly,
  yet one bad moment long ago does not hold a long job back for good.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from imgroup.errors import RateLimitedError

from ._retry import DEFAULT_MAX_RETRY_AFTER
from ._vendor import OperationInfo

# How much closer together than booked two calls may reach the vendor: the first pacing rate leaves this much of
# each window free, and no window's oldest call is followed by the call that fills it again sooner than this.
# Measured on the emulator at 200 calls/s on a shared two-core machine (load average 4.5): a bulk job's calls
# leave up to 12 ms (99th percentile; 53 ms at most) after their booked time, while the emulator, starved of CPU
# itself, counted some over 300 ms late. The first is what a fixed allowance can cover; refusals teach the rest.
JITTER_ALLOWANCE = 0.03
CUT = 0.8
RECOVERY_WINDOWS = 10
CEILING_SHARE = 0.95
PROBE_WINDOWS = 60
# However often the vendor refuses, calls keep flowing at this share of the starting rate; the vendor's reset
# hint, not the pacing, is what stops them during an outage.
MIN_RATE_SHARE = 0.1
# A longer hint is an outage, not a rate limit: the retry gives up on it, and bookings are held no longer.
MAX_PAUSE = DEFAULT_MAX_RETRY_AFTER


def is_rate_limit_answer(error: BaseException) -> bool:
    """Whether ``error`` is the vendor refusing a call for its rate: the ``rate_limited`` category, or HTTP 429."""
    return isinstance(error, RateLimitedError) or getattr(error, "http_status", None) == 429


class _Pacing:
    """One operation's bookings, and the rate it is paced at."""

    __slots__ = ("ceiling", "climb_from", "cut_at", "cut_rate", "paused_until", "start_rate", "window", "windows")

    def __init__(self, windows: tuple[tuple[float, int], ...]) -> None:
        self.windows = tuple((seconds, limit, deque[float](maxlen=limit)) for seconds, limit in sorted(windows))
        self.window, limit = min(windows)
        self.start_rate = limit / (self.window + JITTER_ALLOWANCE)
        self.cut_rate = self.start_rate
        self.ceiling = self.start_rate
        self.cut_at = -math.inf
        self.paused_until = -math.inf
        self.climb_from = -math.inf

    def rate(self, now: float) -> float:
        """Calls per second at ``now``: the rate after the last cut, plus what a quiet time has won back."""
        quiet_windows = (now - self.climb_from) / self.window - 1
        if quiet_windows <= 0:
            return self.cut_rate
        fast = self.cut_rate + self.start_rate * quiet_windows / RECOVERY_WINDOWS
        careful = self.ceiling + (self.start_rate - self.ceiling) * quiet_windows / PROBE_WINDOWS
        return min(self.start_rate, fast, careful)


class RateLimiter:
    """Reserves a send time for each call so that no window's limit is exceeded, and learns from refusals."""

    def __init__(
        self,
        limits: Mapping[str, tuple[tuple[float, int], ...]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._pacing = {operation: _Pacing(windows) for operation, windows in limits.items() if windows}

    @classmethod
    def documented(
        cls,
        operations: Mapping[str, OperationInfo],
        overrides: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> RateLimiter:
        """A limiter with each operation's documented limits; ``overrides`` sets calls per second by operation."""
        limits: dict[str, tuple[tuple[float, int], ...]] = {}
        for operation, info in operations.items():
            windows: list[tuple[float, int]] = []
            if overrides and operation in overrides:
                windows.append((1.0, max(1, int(overrides[operation]))))
            elif info.rate_limit_per_second:
                windows.append((1.0, info.rate_limit_per_second))
            if info.rate_limit_per_minute:
                windows.append((60.0, info.rate_limit_per_minute))
            limits[operation] = tuple(windows)
        unknown = set(overrides or ()) - set(operations)
        if unknown:
            raise ValueError(f"rate_limit names unknown operations: {', '.join(sorted(unknown))}")
        return cls(limits, clock)

    def limits(self, operation: str) -> tuple[tuple[float, int], ...]:
        """The (seconds, calls) windows ``operation`` is held to, shortest first; empty when it has none."""
        pacing = self._pacing.get(operation)
        return tuple((seconds, limit) for seconds, limit, _sent in pacing.windows) if pacing else ()

    def rate(self, operation: str) -> float | None:
        """Calls per second ``operation`` is paced at now, or None when it is not limited."""
        pacing = self._pacing.get(operation)
        if pacing is None:
            return None
        with self._lock:
            return pacing.rate(self._clock())

    def reserve(self, operation: str) -> float:
        """Book the next free send time for ``operation``; returns how many seconds to wait for it."""
        pacing = self._pacing.get(operation)
        if pacing is None:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, pacing.paused_until)
            for seconds, limit, sent in pacing.windows:
                if sent:  # first come, first served: never book a slot before one already booked
                    start = max(start, sent[-1])
                if len(sent) == limit:
                    start = max(start, sent[0] + seconds + JITTER_ALLOWANCE)
            sent = pacing.windows[0][2]
            if sent:
                start = max(start, sent[-1] + 1.0 / pacing.rate(now))
            for _seconds, _limit, sent in pacing.windows:
                sent.append(start)
            return start - now

    def learn(self, operation: str, error: BaseException) -> None:
        """Slow ``operation`` down if ``error`` is a rate-limit answer; other errors say nothing about the rate.

        A vendor that is unavailable (HTTP 503) and says for how long (``Retry-After``) holds the operation's
        bookings as a rate-limit answer does, without slowing it down afterwards.
        """
        retry_after: float | None = getattr(error, "retry_after", None)
        if is_rate_limit_answer(error):
            self.refused(operation, retry_after)
        elif getattr(error, "http_status", None) == 503 and retry_after is not None:
            self.pause(operation, retry_after)

    def pause(self, operation: str, seconds: float) -> None:
        """Hold every booking of ``operation`` for ``seconds`` (at most ``MAX_PAUSE``)."""
        pacing = self._pacing.get(operation)
        if pacing is None or seconds <= 0:
            return
        with self._lock:
            now = self._clock()
            pacing.paused_until = max(pacing.paused_until, now + min(seconds, MAX_PAUSE))
            pacing.climb_from = max(pacing.climb_from, pacing.paused_until)

    def refused(self, operation: str, retry_after: float | None = None) -> None:
        """The vendor refused a call of ``operation`` for its rate, and said to wait ``retry_after`` seconds."""
        pacing = self._pacing.get(operation)
        if pacing is None:
            return
        with self._lock:
            now = self._clock()
            if retry_after is not None and retry_after > 0:
                pacing.paused_until = max(pacing.paused_until, now + min(retry_after, MAX_PAUSE))
            if now - pacing.cut_at >= pacing.window:
                refused_rate = pacing.rate(now)
                pacing.cut_rate = max(pacing.start_rate * MIN_RATE_SHARE, refused_rate * CUT)
                pacing.ceiling = max(pacing.cut_rate, refused_rate * CEILING_SHARE)
                pacing.cut_at = now
            pacing.climb_from = max(pacing.cut_at, pacing.paused_until)
