"""Retries, backoff and Retry-After, with fake sleeps: nothing sleeps for real (the limiter: test_rate_limiter.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import feishu_im
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from vendor_fakes import PACKAGES, Recorder, error_body, make_client, ok_body

from imgroup.runtime import RetryPolicy
from imgroup.runtime._rate_limit import CUT, JITTER_ALLOWANCE


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


def test_a_rate_limit_answer_without_a_reset_hint_waits_out_the_operations_window() -> None:
    """Another process may have spent the window (two commands in one second against a 1/s operation): a retry
    within the window would only be refused again, so the first waits at least the shortest documented window."""
    limited = httpx.Response(200, json=error_body("tencent", 60007, "The REST API call frequency exceeds the limit."))
    client = make_client("tencent", scripted(limited, limited, httpx.Response(200, json=ok_body("tencent"))))
    slept = fake_sleeps(client)
    assert client.destroy_group(group_id="@TGS#1").attempts == 3
    retries = [delay for delay in slept if delay >= 0.25]  # the limiter's own spacing aside
    assert retries == [1.0, 1.0]  # backoff 0.375 s, then 0.75 s: each raised to the one-second window


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
    """The limiter's clock, moved on by the pipeline's (fake) sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited_client(vendor: str, recorder: Recorder, rate_limit: dict[str, float]) -> tuple[Any, FakeClock, list[float]]:
    client = make_client(vendor, recorder, rate_limit=rate_limit)
    clock = FakeClock()
    client._pipeline.settings.limiter._clock = clock
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    client._pipeline._sleep = sleep
    client._pipeline._random = lambda: 0.5
    return client, clock, slept


def feishu_rate_limited(reset: str) -> httpx.Response:
    return httpx.Response(
        429,
        json=error_body("feishu", 99991400, "request trigger frequency limit"),
        headers={"x-ogw-ratelimit-limit": "50", "x-ogw-ratelimit-reset": reset},
    )


def test_clients_wait_for_the_limiter() -> None:
    recorder = Recorder(lambda _r: httpx.Response(200, json=ok_body("feishu")))
    client, _clock, slept = limited_client("feishu", recorder, {"disband_chat": 2})
    for index in range(5):
        client.disband_chat(f"oc_{index}")
    spacing = (1.0 + JITTER_ALLOWANCE) / 2
    assert slept == pytest.approx([spacing] * 4)


def test_a_reset_hint_holds_the_operations_next_call_not_only_the_retry() -> None:
    recorder = scripted(feishu_rate_limited("3"), *[httpx.Response(200, json=ok_body("feishu"))] * 2)
    client, clock, slept = limited_client("feishu", recorder, {"disband_chat": 2})
    refused_at = clock.now
    with pytest.raises(feishu_im.RateLimitedError):
        client.disband_chat("oc_1", max_retries=0)
    client.disband_chat("oc_2")
    assert slept == [3.0] and clock.now == refused_at + 3.0
    client.disband_chat("oc_3")  # then calls go on at the cut rate
    assert slept[1] == pytest.approx((1.0 + JITTER_ALLOWANCE) / 2 / CUT)


def test_a_rate_limit_answer_slows_the_operation_down() -> None:
    recorder = scripted(
        httpx.Response(200, json=error_body("tencent", 60007, "frequency limit")),
        *[httpx.Response(200, json=ok_body("tencent"))] * 2,
    )
    client, _clock, slept = limited_client("tencent", recorder, {"destroy_group": 100})
    limiter = client._pipeline.settings.limiter
    start = limiter.rate("destroy_group")
    assert client.destroy_group(group_id="@TGS#1").attempts == 2
    assert limiter.rate("destroy_group") == pytest.approx(start * CUT)
    assert limiter.rate("disband_group") is None
    # Tencent gives no hint: the retry waits out the operation's one-second window (its backoff was 0.375 s), and by
    # then the cut rate's spacing is past.
    assert slept == [1.0]


def test_other_failures_leave_the_rate_alone() -> None:
    recorder = scripted(html_502(), httpx.Response(200, json=ok_body("feishu")))
    client, _clock, _slept = limited_client("feishu", recorder, {"disband_chat": 2})
    limiter = client._pipeline.settings.limiter
    start = limiter.rate("disband_chat")
    client.disband_chat("oc_1")
    assert limiter.rate("disband_chat") == start


@pytest.mark.anyio
async def test_async_clients_learn_from_rate_limit_answers_too() -> None:
    recorder = scripted(feishu_rate_limited("2"), httpx.Response(200, json=ok_body("feishu")))
    client = make_client("feishu", recorder, asynchronous=True, rate_limit={"disband_chat": 10})
    clock = FakeClock()
    limiter = client._pipeline.settings.limiter
    limiter._clock = clock
    start = limiter.rate("disband_chat")
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    client._pipeline._sleep = sleep
    assert (await client.disband_chat("oc_1")).attempts == 2
    assert slept == [2.0] and limiter.rate("disband_chat") == pytest.approx(start * CUT)


@pytest.mark.anyio
@pytest.mark.parametrize("asynchronous", [False, True])
async def test_a_refused_connection_fails_at_once(asynchronous: bool, closed_base_url: str) -> None:
    # Nothing listens on the port: a retry would only add the backoff to an error that cannot mend itself.
    package = PACKAGES["tencent"]
    cls = package.AsyncTencentIMClient if asynchronous else package.TencentIMClient
    client = cls(sdkappid=1400000000, secret_key="key", base_url=closed_base_url, max_retries=5, rate_limit=False)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client._pipeline._sleep = sleep if asynchronous else slept.append
    with pytest.raises(package.ApiConnectionError) as caught:
        if asynchronous:
            await client.destroy_group(group_id="@TGS#1")
        else:
            client.destroy_group(group_id="@TGS#1")
    assert caught.value.refused and not caught.value.retryable
    assert slept == []


def test_a_reset_connection_is_still_retried() -> None:
    recorder = scripted(httpx.ConnectError("reset"), httpx.Response(200, json=ok_body("tencent")))
    client = make_client("tencent", recorder)
    slept = fake_sleeps(client)
    assert client.destroy_group(group_id="@TGS#1").attempts == 2
    assert len(slept) == 1
