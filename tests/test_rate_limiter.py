"""The client-side rate limiter, on a fake clock: it never books past a documented limit, slows down when the
vendor refuses, holds bookings for the vendor's reset hint and comes back to its starting rate after a quiet time.
"""

from __future__ import annotations

import math
from itertools import pairwise
from random import Random

import feishu_im
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from imgroup.runtime._rate_limit import (
    CEILING_SHARE,
    CUT,
    EDGE_GROWTH,
    EDGE_GUARD,
    JITTER_ALLOWANCE,
    MAX_EDGE_GUARD,
    MAX_PAUSE,
    MIN_RATE_SHARE,
    PROBE_WINDOWS,
    RECOVERY_WINDOWS,
    SPREAD_DECAY,
    RateLimiter,
    is_rate_limit_answer,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter_for(windows: tuple[tuple[float, int], ...]) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter({"op": windows}, clock), clock


def book(limiter: RateLimiter, clock: FakeClock, calls: int) -> list[float]:
    """Book ``calls`` at the clock's current time; answer the send times."""
    return [clock.now + limiter.reserve("op") for _ in range(calls)]


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The most of ``times`` in any half-open span of ``seconds``."""
    ordered = sorted(times)
    start = 0
    most = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def rate_of(limiter: RateLimiter) -> float:
    rate = limiter.rate("op")
    assert rate is not None
    return rate


def start_spacing(seconds: float, limit: int) -> float:
    return (seconds + JITTER_ALLOWANCE) / limit


# One step of a client's life: some time passes, then it books a few calls, or the vendor refuses one
# (with or without a reset hint).
steps = st.tuples(
    st.floats(0, 3),
    st.one_of(
        st.tuples(st.just("book"), st.integers(1, 40)),
        st.tuples(st.just("refused"), st.one_of(st.none(), st.floats(0, 90))),
    ),
)


@given(
    per_second=st.integers(1, 60),
    per_minute=st.one_of(st.none(), st.integers(1, 400)),
    history=st.lists(steps, max_size=40),
)
def test_no_window_of_counted_bookings_ever_exceeds_a_documented_limit(
    per_second: int, per_minute: int | None, history: list[tuple[float, tuple[str, object]]]
) -> None:
    """Counted: booked and not refused. A refusal gives back the latest slot sent by then (the vendor did not
    count the refused call), and what is left never holds more than a limit in any window."""
    windows = ((1.0, per_second),) + (((60.0, per_minute),) if per_minute else ())
    limiter, clock = limiter_for(windows)
    booked: list[float] = []
    counted: list[float] = []
    for elapsed, (action, argument) in history:
        clock.now += elapsed
        if action == "book":
            assert isinstance(argument, int)
            times = book(limiter, clock, argument)
            assert all(moment >= clock.now for moment in times)
            booked += times
            counted += times
        else:
            assert argument is None or isinstance(argument, float)
            limiter.refused("op", argument)
            sent = [moment for moment in counted if moment <= clock.now]
            if sent:
                counted.remove(sent[-1])
    assert booked == sorted(booked)  # first come, first served
    for seconds, limit in windows:
        assert most_in_any_window(counted, seconds) <= limit


def most_in_any_fixed_window(arrivals: list[float], seconds: float, offset: float) -> int:
    """The most of ``arrivals`` in one of the fixed windows ``[offset + k * seconds, offset + (k + 1) * seconds)``."""
    counts: dict[int, int] = {}
    for moment in arrivals:
        window = math.floor((moment - offset) / seconds)
        counts[window] = counts.get(window, 0) + 1
    return max(counts.values(), default=0)


@settings(deadline=None)  # up to a few hundred bookings: slow only on a busy machine
@given(
    per_second=st.integers(2, 60),
    burst_window=st.sampled_from([2.0, 5.0, 60.0]),
    limit=st.integers(1, 150),
    fills=st.floats(1, 3.5),
    random=st.randoms(use_true_random=False),
    offset=st.floats(0, 60),
)
def test_arrivals_late_by_up_to_the_edge_guard_never_overfill_a_fixed_burst_window(
    per_second: int, burst_window: float, limit: int, fills: float, random: Random, offset: float
) -> None:
    """A window the pace fills in bursts: however each call's arrival is delayed (up to the guard, at either end
    or between) and wherever the vendor's fixed windows start, none of them counts more than the limit."""
    limit = min(limit, int(per_second * burst_window) - 1)  # filled faster than its own rate
    assume(limit >= 1)
    limiter, clock = limiter_for(((1.0, per_second), (burst_window, limit)))
    times = book(limiter, clock, int(limit * fills))
    arrivals = [moment + random.choice([0.0, EDGE_GUARD, random.uniform(0, EDGE_GUARD)]) for moment in times]
    assert most_in_any_fixed_window(arrivals, burst_window, offset) <= limit


@settings(deadline=None)
@given(
    per_second=st.integers(2, 100),
    delays=st.lists(st.floats(0, 2.0), min_size=2, max_size=20),
    calls=st.integers(2, 300),
    random=st.randoms(use_true_random=False),
    offset=st.floats(0, 1),
)
def test_calls_late_by_up_to_the_measured_spread_never_overfill_the_shortest_window(
    per_second: int, delays: list[float], calls: int, random: Random, offset: float
) -> None:
    """Once answers came back over a spread of delays, calls booked from then on may each reach the vendor late by
    anything up to that spread (capped at a window), and no fixed window of the vendor's counts over the limit."""
    limiter, clock = limiter_for(((1.0, per_second),))
    for delay in delays:
        limiter.observe("op", delay)
    spread = min(1.0, max(JITTER_ALLOWANCE, max(delays) - min(delays)))
    assert limiter.guards("op") == (pytest.approx(spread),)
    times = book(limiter, clock, calls)
    arrivals = [moment + random.choice([0.0, spread, random.uniform(0, spread)]) for moment in times]
    # Booked times are sums of floats: a call due exactly at a window's edge may be booked a hair before it, and an
    # exact fit must not count as an overfill. Rounding to the nanosecond removes the hair and nothing else.
    assert most_in_any_fixed_window([round(moment, 9) for moment in arrivals], 1.0, offset) <= per_second


def test_a_measured_spread_slows_the_pace_while_it_lasts_and_fades_back_to_the_allowance() -> None:
    limiter, clock = limiter_for(((1.0, 50),))
    start = rate_of(limiter)
    limiter.observe("op", 0.010)
    limiter.observe("op", 0.310)  # a stall: one answer 300 ms later than another
    assert limiter.guards("op") == (pytest.approx(0.3),)
    assert rate_of(limiter) == pytest.approx(50 / 1.3)
    clock.now += 1.0
    limiter.observe("op", 0.010)
    assert limiter.guards("op") == (pytest.approx(0.3 - SPREAD_DECAY),)
    clock.now += 0.3 / SPREAD_DECAY
    limiter.observe("op", 0.010)
    assert limiter.guards("op") == (JITTER_ALLOWANCE,) and rate_of(limiter) == pytest.approx(start)


def test_a_spread_longer_than_a_window_halves_the_pace_and_no_more() -> None:
    limiter, _clock = limiter_for(((1.0, 50), (60.0, 1000)))
    limiter.observe("op", 0.0)
    limiter.observe("op", 8.0)
    assert limiter.guards("op") == (1.0, 8.0)  # the minute's edge widens with the spread too
    assert rate_of(limiter) == pytest.approx(25.0)


@settings(deadline=None)
@given(
    per_second=st.integers(2, 60),
    burst_window=st.sampled_from([2.0, 5.0, 60.0]),
    limit=st.integers(1, 150),
    spread=st.floats(0, 3.0),
    random=st.randoms(use_true_random=False),
    offset=st.floats(0, 60),
)
def test_arrivals_late_by_up_to_the_measured_spread_never_overfill_a_fixed_burst_window(
    per_second: int, burst_window: float, limit: int, spread: float, random: Random, offset: float
) -> None:
    """On a starved machine calls may reach the vendor later than the edge guard: once answers showed that spread,
    a burst window's edge is kept that wide, and no fixed window counts over the limit."""
    limit = min(limit, int(per_second * burst_window) - 1)
    assume(limit >= 1)
    limiter, clock = limiter_for(((1.0, per_second), (burst_window, limit)))
    limiter.observe("op", 0.0)
    limiter.observe("op", spread)
    late = min(burst_window, max(EDGE_GUARD, spread))
    assert limiter.guards("op")[1] == pytest.approx(late)
    times = book(limiter, clock, int(limit * 2.5))
    arrivals = [moment + random.choice([0.0, late, random.uniform(0, late)]) for moment in times]
    assert most_in_any_fixed_window(arrivals, burst_window, offset) <= limit


@given(per_second=st.integers(1, 60), calls=st.integers(2, 300))
def test_calls_start_evenly_spaced_a_little_under_the_limit(per_second: int, calls: int) -> None:
    limiter, clock = limiter_for(((1.0, per_second),))
    times = book(limiter, clock, calls)
    assert times[0] == clock.now  # the first call does not wait
    assert [later - earlier for earlier, later in pairwise(times)] == pytest.approx(
        [start_spacing(1.0, per_second)] * (calls - 1)
    )


def test_the_minute_window_holds_a_burst_back_until_its_oldest_call_is_a_minute_and_the_edge_guard_old() -> None:
    limiter, clock = limiter_for(((1.0, 50), (60.0, 1000)))
    times = book(limiter, clock, 1200)
    assert most_in_any_window(times, 60.0) <= 1000 and most_in_any_window(times, 1.0) <= 50
    assert times[1000] == pytest.approx(times[0] + 60.0 + EDGE_GUARD)
    assert times[1001] - times[1000] == pytest.approx(start_spacing(1.0, 50))  # the burst resumes at the pace
    assert limiter.guards("op") == (JITTER_ALLOWANCE, EDGE_GUARD)


def test_a_refusal_where_a_burst_window_holds_calls_back_grows_its_guard_and_keeps_the_pace() -> None:
    limiter, clock = limiter_for(((1.0, 50), (60.0, 1000)))
    start = rate_of(limiter)
    times = book(limiter, clock, 1010)
    clock.now = times[-1]  # a call of the resumed burst is refused
    limiter.refused("op", 1.0)
    limiter.refused("op", 1.0)  # one already on its way: nothing new
    assert limiter.guards("op") == (JITTER_ALLOWANCE, EDGE_GUARD * EDGE_GROWTH)
    assert rate_of(limiter) == start
    clock.now += 1.0
    later = book(limiter, clock, 2)
    assert later[1] - later[0] == pytest.approx(start_spacing(1.0, 50))


def test_refusals_at_an_edge_grow_its_guard_to_the_cap_and_then_cut_the_pace() -> None:
    limiter, clock = limiter_for(((1.0, 50), (60.0, 1000)))
    start = rate_of(limiter)
    book(limiter, clock, 1000)
    guards = []
    for _ in range(4):
        clock.now = book(limiter, clock, 1)[0]
        limiter.refused("op")
        guards.append(limiter.guards("op")[1])
        clock.now += 1.0
    assert guards[-1] == MAX_EDGE_GUARD and guards == sorted(guards)
    assert rate_of(limiter) < start


def test_a_refusal_while_no_window_is_full_cuts_the_pace_and_leaves_the_guards() -> None:
    limiter, clock = limiter_for(((1.0, 50), (60.0, 1000)))
    start = rate_of(limiter)
    clock.now = book(limiter, clock, 500)[-1]  # the first burst: the minute window is not full yet
    limiter.refused("op")
    assert rate_of(limiter) == pytest.approx(start * CUT)
    assert limiter.guards("op") == (JITTER_ALLOWANCE, EDGE_GUARD)


def test_a_refused_call_does_not_cost_a_burst_window_a_slot() -> None:
    """3,000 calls at 50/s and 1,000/min fit three bursts; with one refused and sent again they still do."""
    limiter, clock = limiter_for(((1.0, 50), (60.0, 1000)))
    first = clock.now
    sent, refused = 0, False
    while sent < 3000:
        clock.now += limiter.reserve("op")
        if sent == 1200 and not refused:
            limiter.refused("op", 1.0)  # and it is sent again
            refused = True
        else:
            sent += 1
    assert clock.now < first + 2 * (60.0 + MAX_EDGE_GUARD) + 1000 / rate_of(limiter) + 2.0


@given(per_second=st.integers(1, 200), refusals=st.integers(1, 12))
def test_each_refusal_a_window_apart_cuts_the_rate(per_second: int, refusals: int) -> None:
    limiter, clock = limiter_for(((1.0, per_second),))
    start = rate_of(limiter)
    assert start == pytest.approx(1 / start_spacing(1.0, per_second))
    for count in range(1, refusals + 1):
        limiter.refused("op")
        assert rate_of(limiter) == pytest.approx(max(start * CUT**count, start * MIN_RATE_SHARE))
        clock.now += 1.0  # a window later: the next refusal is news, and the rate has not started to climb yet
    slow = rate_of(limiter)
    assert slow < start
    first, second = book(limiter, clock, 2)
    assert second - first == pytest.approx(1 / slow)


@given(burst=st.integers(2, 50), spread=st.floats(0, 0.999))
def test_a_burst_of_refusals_within_a_window_cuts_the_rate_once(burst: int, spread: float) -> None:
    limiter, clock = limiter_for(((1.0, 100),))
    start = rate_of(limiter)
    for _ in range(burst):
        limiter.refused("op")
        clock.now += spread / burst
    assert rate_of(limiter) == pytest.approx(start * CUT)


@given(refusals=st.lists(st.floats(0, 2), min_size=1, max_size=30), per_second=st.integers(1, 200))
def test_after_a_quiet_time_the_rate_is_back_where_it_started(refusals: list[float], per_second: int) -> None:
    limiter, clock = limiter_for(((1.0, per_second),))
    start = rate_of(limiter)
    for elapsed in refusals:
        clock.now += elapsed
        limiter.refused("op")
    rates = []
    for _ in range(PROBE_WINDOWS + 1):
        clock.now += 1.0
        rates.append(rate_of(limiter))
    assert rates == sorted(rates)  # climbing, never dropping, while nothing is refused
    assert rates[-1] == pytest.approx(start)
    clock.now += 100.0
    assert rate_of(limiter) == pytest.approx(start)
    first, second = book(limiter, clock, 2)
    assert second - first == pytest.approx(start_spacing(1.0, per_second))


def test_the_rate_climbs_back_fast_to_just_under_the_refused_rate_then_slowly_to_the_start() -> None:
    limiter, clock = limiter_for(((1.0, 100),))
    start = rate_of(limiter)
    limiter.refused("op")
    clock.now += 1.0
    assert rate_of(limiter) == pytest.approx(start * CUT)
    clock.now += 1.0
    assert rate_of(limiter) == pytest.approx(start * CUT + start / RECOVERY_WINDOWS)
    clock.now += RECOVERY_WINDOWS
    quiet_windows = RECOVERY_WINDOWS + 1
    ceiling = start * CEILING_SHARE
    assert rate_of(limiter) == pytest.approx(ceiling + (start - ceiling) * quiet_windows / PROBE_WINDOWS)
    clock.now += PROBE_WINDOWS - quiet_windows
    assert rate_of(limiter) == pytest.approx(start)


@given(hint=st.floats(1, 200), elapsed=st.floats(0, 5))
def test_a_reset_hint_holds_every_booking_until_then(hint: float, elapsed: float) -> None:
    limiter, clock = limiter_for(((1.0, 10),))
    book(limiter, clock, 3)
    clock.now += elapsed
    refused_at = clock.now
    limiter.refused("op", retry_after=hint)
    times = book(limiter, clock, 3)
    assert times[0] == pytest.approx(refused_at + min(hint, MAX_PAUSE))  # a longer hint is an outage
    # The pause proves nothing about the rate: calls resume at the cut rate, and the climb starts after it.
    clock.now = times[0]
    assert rate_of(limiter) == pytest.approx(1 / start_spacing(1.0, 10) * CUT)
    assert [later - earlier for earlier, later in pairwise(times)] == pytest.approx([start_spacing(1.0, 10) / CUT] * 2)


def test_a_later_shorter_hint_does_not_shorten_a_pause() -> None:
    limiter, _clock = limiter_for(((1.0, 10),))
    limiter.refused("op", retry_after=5.0)
    limiter.refused("op", retry_after=1.0)
    assert limiter.reserve("op") == pytest.approx(5.0)


def test_operations_learn_apart() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"op": ((1.0, 10),), "other": ((1.0, 10),)}, clock)
    limiter.refused("op", retry_after=2.0)
    assert limiter.reserve("other") == 0.0
    assert limiter.rate("other") == pytest.approx(1 / start_spacing(1.0, 10))


def test_an_operation_without_limits_is_never_held() -> None:
    limiter, _clock = limiter_for(())
    limiter.refused("op", retry_after=3.0)
    assert limiter.reserve("op") == 0.0 and limiter.rate("op") is None


def test_rate_limit_answers_are_told_apart_from_other_errors() -> None:
    def api_error(cls: type[feishu_im.ApiError], http_status: int) -> feishu_im.ApiError:
        return cls(code=1, message="m", http_status=http_status, operation="op")

    assert is_rate_limit_answer(api_error(feishu_im.RateLimitedError, 200))  # Tencent and Yunxin answer 200
    assert is_rate_limit_answer(api_error(feishu_im.ApiError, 429))  # an undocumented code at 429
    assert is_rate_limit_answer(feishu_im.ResponseFormatError("op", "an HTML page", http_status=429))
    assert not is_rate_limit_answer(api_error(feishu_im.UnavailableError, 503))
    assert not is_rate_limit_answer(feishu_im.ResponseFormatError("op", "an HTML page", http_status=502))
    assert not is_rate_limit_answer(feishu_im.ApiConnectionError("op", "reset"))


def test_learn_cuts_and_pauses_only_for_rate_limit_answers() -> None:
    limiter, _clock = limiter_for(((1.0, 10),))
    start = rate_of(limiter)
    limiter.learn("op", feishu_im.ResponseFormatError("op", "Bad Gateway", http_status=502, retry_after=4.0))
    assert rate_of(limiter) == start and limiter.reserve("op") == 0.0
    limiter.learn("op", feishu_im.ResponseFormatError("op", "Too Many Requests", http_status=429, retry_after=4.0))
    assert rate_of(limiter) == pytest.approx(start * CUT)
    assert limiter.reserve("op") == pytest.approx(4.0)


def test_documented_limits_come_from_the_spec() -> None:
    operations = feishu_im.operations.OPERATIONS
    limiter = RateLimiter.documented(operations, clock=FakeClock())
    assert limiter.limits("disband_chat") == ((1.0, 50), (60.0, 1000))
    assert RateLimiter.documented(operations, {"disband_chat": 5}, clock=FakeClock()).limits("disband_chat") == (
        (1.0, 5),
        (60.0, 1000),
    )
    with pytest.raises(ValueError, match="unknown operations: nope"):
        RateLimiter.documented(operations, {"nope": 5})


@pytest.mark.parametrize(
    "unavailable",
    [
        feishu_im.ResponseFormatError("op", "Service Unavailable", http_status=503, retry_after=3.0),
        feishu_im.UnavailableError(code=1, message="busy", http_status=503, operation="op", retry_after=3.0),
    ],
    ids=["gateway page", "business code"],
)
def test_a_503_with_retry_after_holds_the_operation_without_slowing_it(unavailable: Exception) -> None:
    limiter, clock = limiter_for(((1.0, 10),))
    start = rate_of(limiter)
    limiter.learn("op", unavailable)
    assert limiter.reserve("op") == pytest.approx(3.0)  # every booking waits for the vendor, not only the retry
    assert rate_of(limiter) == start  # the vendor was down, not refusing our pace
    clock.now += 3.0
    assert limiter.reserve("op") == pytest.approx(1.0 / start)


def test_a_503_without_retry_after_says_nothing_about_when_to_call() -> None:
    limiter, _clock = limiter_for(((1.0, 10),))
    limiter.learn("op", feishu_im.ResponseFormatError("op", "Service Unavailable", http_status=503))
    assert limiter.reserve("op") == 0.0
