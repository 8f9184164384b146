"""Retries, backoff, Retry-After and the client-side rate limiter, with a fake clock: nothing sleeps for real."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import feishu_im
import httpx
import pytest
from feishu_im._rate_limit import WINDOW_MARGIN, RateLimiter
from feishu_im._retry import RetryPolicy
from hypothesis import given
from hypothesis import strategies as st
from vendor_fakes import Recorder, error_body, make_client, ok_body


def scripted(*answers: httpx.Response | Exception) -> Recorder:
    """A recorder answering the given responses (or raising the given transport errors) in order."""
    queue: Iterator[httpx.Response | Exception] = iter(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        item = next(queue)
        if isinstance(item, Exception):
            raise type(item)(str(item), request=request)  # type: ignore[call-arg]
        return item

    return Recorder(answer)


def fake_sleeps(client: object) -> list[float]:
    slept: list[float] = []
    pipeline = client._pipeline  # type: ignore[attr-defined]
    pipeline._sleep = slept.append
    pipeline._random = lambda: 0.5
    return slept


def html_502() -> httpx.Response:
    return httpx.Response(502, content=b"<html>Bad Gateway</html>", headers={"content-type": "text/html"})


def test_transient_failures_are_retried_with_growing_backoff() -> None:
    recorder = scripted(html_502(), httpx.ConnectError("reset"), httpx.Response(200, json=ok_body("feishu")))
    client = make_client("feishu", recorder)
    slept = fake_sleeps(client)
    assert client.disband_chat("oc_1").attempts == 3
    assert slept == [0.5 * 0.75, 1.0 * 0.75]  # initial 0.5 s doubled, "equal jitter" at random() = 0.5


def test_rate_limit_answers_wait_for_the_vendors_reset() -> None:
    limited = httpx.Response(
        429,
        json=error_body("feishu", 99991400, "request trigger frequency limit"),
        headers={"x-ogw-ratelimit-limit": "50", "x-ogw-ratelimit-reset": "3"},
    )
    recorder = scripted(limited, httpx.Response(200, json=ok_body("feishu")))
    client = make_client("feishu", recorder)
    slept = fake_sleeps(client)
    client.disband_chat("oc_1")
    assert slept == [3.0]


def test_retry_after_header_is_honoured() -> None:
    limited = httpx.Response(503, content=b"busy", headers={"Retry-After": "7"})
    client = make_client("feishu", scripted(limited, httpx.Response(200, json=ok_body("feishu"))))
    slept = fake_sleeps(client)
    client.disband_chat("oc_1")
    assert slept == [7.0]


def test_business_errors_are_not_retried() -> None:
    recorder = scripted(httpx.Response(400, json=error_body("feishu", 232017, "No Permission")))
    client = make_client("feishu", recorder)
    slept = fake_sleeps(client)
    with pytest.raises(feishu_im.PermissionDeniedError):
        client.disband_chat("oc_1")
    assert slept == [] and len(recorder.requests) == 1


def test_max_retries_per_client_and_per_call() -> None:
    recorder = scripted(*[html_502()] * 10)
    client = make_client("feishu", recorder, max_retries=4)
    fake_sleeps(client)
    with pytest.raises(feishu_im.ResponseFormatError):
        client.disband_chat("oc_1", max_retries=1)
    assert len(recorder.requests) == 2
    with pytest.raises(feishu_im.ResponseFormatError):
        client.disband_chat("oc_1")
    assert len(recorder.requests) == 2 + 5
    quiet = client.with_options(max_retries=0)
    fake_sleeps(quiet)
    with pytest.raises(feishu_im.ResponseFormatError):
        quiet.disband_chat("oc_1")
    assert len(recorder.requests) == 2 + 5 + 1


def test_a_retry_that_finds_the_group_gone_counts_as_done() -> None:
    recorder = scripted(httpx.ReadTimeout("slow"), httpx.Response(400, json=error_body("feishu", 232009, "dissolved")))
    client = make_client("feishu", recorder)
    fake_sleeps(client)
    result = client.disband_chat("oc_1")
    assert result.already_gone is True and result.attempts == 2


def test_a_first_attempt_that_finds_the_group_gone_raises() -> None:
    client = make_client("feishu", scripted(httpx.Response(400, json=error_body("feishu", 232009, "dissolved"))))
    with pytest.raises(feishu_im.AlreadyGoneError):
        client.disband_chat("oc_1")


def test_every_attempt_is_signed_afresh() -> None:
    recorder = scripted(html_502(), httpx.Response(200, json=ok_body("yunxin")))
    recorder.answer_tokens = False
    client = make_client("yunxin", recorder)
    fake_sleeps(client)
    client.dismiss_team("1", team_type=1, operator_id="a")
    first, second = recorder.requests
    assert first.headers["Nonce"] != second.headers["Nonce"]
    assert first.headers["CheckSum"] != second.headers["CheckSum"]


@pytest.mark.anyio
async def test_async_client_retries_too() -> None:
    recorder = scripted(html_502(), httpx.Response(200, json=ok_body("tencent")))
    client = make_client("tencent", recorder, asynchronous=True)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client._pipeline._sleep = sleep
    result = await client.destroy_group(group_id="@TGS#1")
    assert result.attempts == 2 and len(slept) == 1
    first, second = (dict(r.url.params) for r in recorder.requests)
    assert first["random"] != second["random"]


@given(attempt=st.integers(0, 20), jitter=st.floats(0, 0.999))
def test_backoff_is_capped_and_never_zero(attempt: int, jitter: float) -> None:
    policy = RetryPolicy(max_retries=100)
    error = feishu_im.ApiConnectionError("op", "reset")
    delay = policy.delay(attempt, error, lambda: jitter)
    assert delay is not None and 0 < delay <= policy.max_delay
    assert RetryPolicy(max_retries=attempt).delay(attempt, error, lambda: jitter) is None


def test_a_retry_after_beyond_the_cap_gives_up() -> None:
    error = feishu_im.errors.RateLimitedError(
        code=99991400, message="limited", http_status=429, operation="op", retry_after=3600
    )
    assert RetryPolicy().delay(0, error, lambda: 0.5) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run_limiter(limiter: RateLimiter, clock: FakeClock, calls: int, operation: str) -> list[float]:
    """Send ``calls`` at once, each waiting what the limiter says; answer the send times."""
    return [clock.now + limiter.reserve(operation) for _ in range(calls)]


def count_in_any_window(times: list[float], seconds: float) -> int:
    ordered = sorted(times)
    start = 0
    most = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


@given(per_second=st.integers(1, 60), calls=st.integers(1, 300))
def test_limiter_never_puts_more_than_the_limit_in_any_second(per_second: int, calls: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter({"op": ((1.0, per_second),)}, clock)
    times = run_limiter(limiter, clock, calls, "op")
    assert count_in_any_window(times, 1.0) <= per_second
    assert times == sorted(times)
    # ...spaced evenly, and held back no more than that spacing requires.
    spacing = (1.0 + WINDOW_MARGIN) / per_second
    assert all(later - earlier >= spacing - 1e-9 for earlier, later in pairwise(times))
    assert times[-1] - times[0] <= (calls - 1) * spacing + 1e-9


def test_limiter_honours_the_minute_window_too() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"op": ((1.0, 50), (60.0, 1000))}, clock)
    times = run_limiter(limiter, clock, 1200, "op")
    assert count_in_any_window(times, 60.0) <= 1000 and count_in_any_window(times, 1.0) <= 50


def test_documented_limits_come_from_the_spec() -> None:
    limiter = RateLimiter.documented(clock=FakeClock())
    assert limiter._windows["disband_chat"][0][:2] == (1.0, 50)
    assert limiter._windows["disband_chat"][1][:2] == (60.0, 1000)
    assert RateLimiter.documented({"disband_chat": 5}, clock=FakeClock())._windows["disband_chat"][0][:2] == (1.0, 5)


def test_clients_wait_for_the_limiter() -> None:
    recorder = Recorder(lambda _r: httpx.Response(200, json=ok_body("feishu")))
    client = make_client("feishu", recorder, rate_limit={"disband_chat": 2})
    clock = FakeClock()
    limiter = client._pipeline.settings.limiter
    limiter._clock = clock
    slept = fake_sleeps(client)
    for index in range(5):
        client.disband_chat(f"oc_{index}")
    # The fake clock stands still, so each call after the first waits one more spacing than the last.
    spacing = (1.0 + WINDOW_MARGIN) / 2
    assert slept == pytest.approx([spacing * n for n in range(1, 5)])
