"""A client-side limiter that keeps each operation under its documented rate limit, and slows down when refused.

One limiter serves every thread and task of a client. For each operation it books a send time per call:

- A sliding log per documented window (one second, one minute) keeps every window of booked send times within
  the documented limit, whatever the vendor answers; and once a window holds its limit, the next call waits
  until the oldest of them is a window and a guard old.
- Calls are spaced evenly at a pacing rate a little under the documented rate of the shortest window: between
  booking a call and the vendor counting it lie a sleep, signing, the network and the vendor's own queue, so calls
  booked evenly reach the vendor bunched. How much is measured, not assumed: the vendor counts a call somewhere
  between its booked time and its answer, so the spread of booking-to-answer delays over the last calls bounds
  how far two calls can move closer together. That spread (at least ``JITTER_ALLOWANCE``, at most a window) is the
  shortest window's guard, and the pace leaves it free in every window. A spread is remembered as it decays by
  ``SPREAD_DECAY`` a second: a stall (a busy vendor, a starved machine) slows the pace while it lasts, and
  seconds after it ends the pace is back.
- The vendor counts by arrival in fixed windows, so a call that arrives late can land in the next window and meet
  calls booked a full window after it. A guard against that costs a window's rate in proportion to the window:
  the shortest window is filled evenly, every call sits at one of its edges, and a guard of ``g`` costs
  ``g / (window + g)`` of its rate (300 ms on a second: 23%): it keeps ``JITTER_ALLOWANCE``. A longer window (the
  minute under "50/s then 1,000/min") is filled in a burst at the pace and then resumed once its oldest call is a
  minute old: only there do a late-counted early call and a promptly counted call a window later meet, and the
  guard is paid once per window. It keeps ``EDGE_GUARD``, 0.5 s: more than the 300 ms late a CPU-starved
  emulator was measured to count calls, for 0.8% of a minute's rate; and more while the measured spread is
  larger (a machine loaded five times over its cores was seen to hold calls back longer).
- A rate-limit answer gives the refused call's slot back (the vendor did not count it: with 3,000 calls at
  1,000/min, one slot lost to a refusal would push the last call into a fourth minute). A refusal while a burst
  window was holding calls back met that window's edge: its guard grows ×``EDGE_GROWTH``, up to
  ``MAX_EDGE_GUARD``, and the pace stays. Any other refusal (or one at a guard already at its largest) says the
  bunching went further than the pace allows: the pacing rate is cut by ``CUT``. Either is learned at most once
  per pacing window (the calls already on their way when the first refusal came are refused too, and teach
  nothing new), and the vendor's reset hint (``x-ogw-ratelimit-reset``, ``Retry-After``) holds every booking of
  the operation until then, not only the refused call's retry.
- After a window without refusals (counted from the end of any pause: a pause proves nothing) the rate climbs
  back: within ``RECOVERY_WINDOWS`` windows to just under the rate that was refused (``CEILING_SHARE`` of it),
  then over ``PROBE_WINDOWS`` windows to where it started. A rate that was refused is tried again only slowly,
  yet one bad moment long ago does not hold a long job back for good. A learned edge guard stays: it costs at
  most ``MAX_EDGE_GUARD`` per window filled.
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

# How much closer together than booked two calls may reach the vendor before any call was answered, and at the
# least after: the pacing rate leaves this much of the shortest window free, and the call that fills it again comes
# a window and this much after its oldest call. Measured on the emulator at 200 calls/s on a shared two-core
# machine (load average 4.5): a bulk job's calls leave up to 12 ms (99th percentile; 53 ms at most) after their
# booked time. What the vendor's side adds is measured as the job runs: the emulator, starved of CPU, was seen to
# count calls from 10 ms to over 2 s after they were sent (load average 2.7), and a spread like that is the guard.
JITTER_ALLOWANCE = 0.03
# How fast a measured spread is forgotten, in seconds of spread a second: a 300 ms stall is forgotten in 10 s. A
# faster fade forgets between two calls most of what evenly spread delays show: at 50 calls a second, 0.6 ms.
SPREAD_DECAY = 0.03
# The guard at the edge of a window filled in bursts (see the module docstring), and how far refusals there grow it.
EDGE_GUARD = 0.5
EDGE_GROWTH = 2.0
MAX_EDGE_GUARD = 2.0
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


class _Window:
    """One documented window of an operation: its send log, and the guard kept at its edge."""

    __slots__ = ("edge_at", "guard", "late", "limit", "seconds", "sent")

    def __init__(self, seconds: float, limit: int, guard: float) -> None:
        self.seconds = seconds
        self.limit = limit
        self.guard = guard
        self.late = 0.0  # how late calls are reaching the vendor now (the measured spread), at most a window
        # Every booking a call may still be counted against, oldest first; at least the last ``limit`` of them.
        self.sent = deque[float]()
        self.edge_at = -math.inf  # when the last booking held back by this window, full, was booked for

    def earliest(self) -> float:
        """The earliest send time the next call may have: a window's length and guard after its limit-th last."""
        if len(self.sent) < self.limit:
            return -math.inf
        return self.sent[-self.limit] + self.seconds + max(self.guard, self.late)

    def forget_before(self, moment: float) -> None:
        """Drop bookings no call booked from ``moment`` on can be counted with, keeping the last ``limit``."""
        horizon = moment - self.seconds - MAX_EDGE_GUARD
        while len(self.sent) > self.limit and self.sent[0] < horizon:
            self.sent.popleft()


class _Spread:
    """How unevenly calls reach the vendor: the range of recent booking-to-answer delays, decaying with time."""

    __slots__ = ("at", "high", "low")

    def __init__(self) -> None:
        self.at = -math.inf
        self.high = -math.inf
        self.low = math.inf

    def add(self, now: float, delay: float) -> float:
        """Take one call's delay; returns the spread now."""
        faded = (now - self.at) * SPREAD_DECAY
        self.high = max(delay, self.high - faded)
        self.low = min(delay, self.low + faded)
        self.at = now
        return self.high - self.low


class _Pacing:
    """One operation's windows, and the rate it is paced at."""

    __slots__ = (
        "ceiling", "climb_from", "cut_at", "cut_rate", "learned_at", "limit", "paused_until", "spread", "spread_rate",
        "start_rate", "window", "windows",
    )  # fmt: skip

    def __init__(self, windows: tuple[tuple[float, int], ...]) -> None:
        ordered = sorted(windows)
        # The shortest window sets the pace and is filled evenly; every longer one is filled in bursts.
        self.windows = tuple(
            _Window(seconds, limit, JITTER_ALLOWANCE if index == 0 else EDGE_GUARD)
            for index, (seconds, limit) in enumerate(ordered)
        )
        self.window, self.limit = ordered[0]
        self.start_rate = self.limit / (self.window + JITTER_ALLOWANCE)
        self.spread = _Spread()
        self.spread_rate = self.start_rate  # the pace that leaves the measured spread free in every window
        self.cut_rate = self.start_rate
        self.ceiling = self.start_rate
        self.cut_at = -math.inf
        self.learned_at = -math.inf
        self.paused_until = -math.inf
        self.climb_from = -math.inf

    def rate(self, now: float) -> float:
        """Calls per second at ``now``: the rate after the last cut, plus what a quiet time has won back, and no more
        than the measured spread leaves."""
        quiet_windows = (now - self.climb_from) / self.window - 1
        if quiet_windows <= 0:
            return min(self.cut_rate, self.spread_rate)
        fast = self.cut_rate + self.start_rate * quiet_windows / RECOVERY_WINDOWS
        careful = self.ceiling + (self.start_rate - self.ceiling) * quiet_windows / PROBE_WINDOWS
        return min(self.start_rate, self.spread_rate, fast, careful)

    def observe(self, now: float, delay: float) -> None:
        """Guard the shortest window by the spread of delays, ``delay`` (booked send to answer) the latest, and keep
        every burst window's edge at least that wide too: a starved machine can hold calls back longer than
        ``EDGE_GUARD``."""
        spread = self.spread.add(now, delay)
        guard = min(self.window, max(JITTER_ALLOWANCE, spread))
        self.windows[0].guard = guard
        self.spread_rate = self.limit / (self.window + guard)
        for window in self.windows[1:]:
            window.late = min(window.seconds, spread)

    def edge(self, now: float) -> _Window | None:
        """The burst window whose edge a refusal at ``now`` most likely met, if a call was just held back by one."""
        held = [window for window in self.windows[1:] if now - window.edge_at <= self.window]
        return max(held, key=lambda window: window.edge_at, default=None)

    def give_back(self, now: float) -> None:
        """Forget the latest booking sent by ``now``: the vendor did not count the call it refused."""
        for window in self.windows:
            for index in range(len(window.sent) - 1, -1, -1):
                if window.sent[index] <= now:
                    del window.sent[index]
                    break


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

    def fresh(self) -> RateLimiter:
        """A limiter with the same limits and nothing booked: for calls counted apart (another Feishu tenant's)."""
        return type(self)({operation: self.limits(operation) for operation in self._pacing}, self._clock)

    def limits(self, operation: str) -> tuple[tuple[float, int], ...]:
        """The (seconds, calls) windows ``operation`` is held to, shortest first; empty when it has none."""
        pacing = self._pacing.get(operation)
        return tuple((window.seconds, window.limit) for window in pacing.windows) if pacing else ()

    def guards(self, operation: str) -> tuple[float, ...]:
        """The seconds each of ``operation``'s windows keeps at its edge, shortest window first."""
        pacing = self._pacing.get(operation)
        if pacing is None:
            return ()
        with self._lock:
            return tuple(max(window.guard, window.late) for window in pacing.windows)

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
            for window in pacing.windows:
                window.forget_before(now)
                if window.sent:  # first come, first served: never book a slot before one already booked
                    start = max(start, window.sent[-1])
                start = max(start, window.earliest())
            pacing_log = pacing.windows[0].sent
            if pacing_log:
                start = max(start, pacing_log[-1] + 1.0 / pacing.rate(now))
            for index, window in enumerate(pacing.windows):
                if index and window.earliest() > now:  # held back by a burst window that is full
                    window.edge_at = start
                window.sent.append(start)
            return start - now

    def observe(self, operation: str, delay: float) -> None:
        """One call of ``operation`` was answered ``delay`` seconds after the send time it was booked for."""
        pacing = self._pacing.get(operation)
        if pacing is None:
            return
        with self._lock:
            pacing.observe(self._clock(), delay)

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
            pacing.give_back(now)
            if now - pacing.learned_at >= pacing.window:
                edge = pacing.edge(now)
                if edge is not None and edge.guard < MAX_EDGE_GUARD:
                    edge.guard = min(MAX_EDGE_GUARD, edge.guard * EDGE_GROWTH)
                else:
                    refused_rate = pacing.rate(now)
                    pacing.cut_rate = max(pacing.start_rate * MIN_RATE_SHARE, refused_rate * CUT)
                    pacing.ceiling = max(pacing.cut_rate, refused_rate * CEILING_SHARE)
                    pacing.cut_at = now
                pacing.learned_at = now
            pacing.climb_from = max(pacing.cut_at, pacing.paused_until)
