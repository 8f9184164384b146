"""The bulk runner on a Yunxin client over httpx.MockTransport: outcomes, concurrency, journaling as it goes."""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import yunxin_im

from imgroup.bulk._jobs import DISBAND
from imgroup.bulk._runner import run_items
from imgroup.jobs import (
    IDLE_CONNECTION_EXPIRY_S,
    Item,
    Journal,
    Outcome,
    PlainProgress,
    RichProgress,
    job_transport,
    progress_view,
)
from imgroup.runtime import tls_context

JOB = DISBAND["yunxin"]
Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def team(team_id: str, line: int = 1) -> Item:
    return Item(team_id, line, {"team_id": team_id, "team_type": 1, "operator_id": "acc_owner", "extension": None})


def answer(code: int) -> httpx.Response:
    message = "team does not exist" if code == 108404 else ""
    return httpx.Response(200, json={"code": code, "msg": message}, headers={"X-custom-traceid": f"trace-{code}"})


def client(handler: Handler, max_retries: int = 0) -> yunxin_im.AsyncYunxinClient:
    made = yunxin_im.AsyncYunxinClient(
        app_key="ak",
        app_secret="as",
        base_url="http://yunxin.test",
        max_retries=max_retries,
        transport=httpx.MockTransport(handler),
    )
    # Retries wait in the client's pipeline; a test has no reason to wait for real.
    made._pipeline._sleep = _no_wait
    return made


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def team_of(request: httpx.Request) -> str:
    return request.url.path.rsplit("/", 1)[-1]


async def run(tmp_path: Path, handler: Handler, work: list[Item], **options: object) -> dict[str, Outcome]:
    max_retries = options.pop("max_retries", 0)
    assert isinstance(max_retries, int)
    with Journal.open(tmp_path / "j.sqlite", JOB.name, work) as journal:
        async with client(handler, max_retries) as yunxin:
            await run_items(JOB, yunxin, journal, work, **options)  # type: ignore[arg-type]
        return {entry.key: entry.outcome for entry in journal.entries()}


@pytest.mark.anyio
async def test_each_answer_becomes_an_outcome(tmp_path: Path) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        match team_of(request):
            case "ok":
                return answer(200)
            case "gone":
                return answer(108404)
            case "not_owner":
                return answer(109427)
            case "html":
                return httpx.Response(502, text="<html>bad gateway</html>")
            case "timeout":
                raise httpx.ReadTimeout("slow", request=request)
            case "dropped":
                raise httpx.RemoteProtocolError("peer closed connection", request=request)
            case _:
                raise httpx.ConnectError("refused", request=request)

    names = ["ok", "gone", "not_owner", "html", "timeout", "dropped", "down"]
    work = [team(name, line) for line, name in enumerate(names, 1)]
    outcomes = await run(tmp_path, handler, work)

    assert outcomes["ok"] == Outcome("done", request_id="trace-200", attempts=1)
    # Gone at the first try: an earlier, interrupted run most likely disbanded it.
    assert outcomes["gone"] == Outcome(
        "done",
        already_gone=True,
        code=108404,
        category="already_gone",
        message="team does not exist",
        request_id="trace-108404",
    )
    assert (outcomes["not_owner"].status, outcomes["not_owner"].code) == ("failed", 109427)
    assert outcomes["not_owner"].category == "permission_denied"
    assert (outcomes["html"].status, outcomes["html"].category) == ("failed", "bad_response")
    assert "html" in (outcomes["html"].message or "").lower()
    assert (outcomes["timeout"].status, outcomes["timeout"].category) == ("failed", "timeout")
    # An answer lost on the way may come another time; a host that refuses the connection is not there at all.
    assert (outcomes["dropped"].status, outcomes["dropped"].category) == ("failed", "no_answer")
    assert (outcomes["down"].status, outcomes["down"].category) == ("failed", "unreachable")


@pytest.mark.anyio
async def test_a_retry_that_finds_the_team_gone_is_done_and_flagged(tmp_path: Path) -> None:
    disbanded: set[str] = set()

    async def handler(request: httpx.Request) -> httpx.Response:
        name = team_of(request)
        if name in disbanded:
            return answer(108404)
        disbanded.add(name)
        raise httpx.RemoteProtocolError("peer closed connection", request=request)  # done, but the answer is lost

    outcomes = await run(tmp_path, handler, [team("t1")], max_retries=2)
    assert outcomes["t1"] == Outcome("done", already_gone=True, request_id="trace-108404", attempts=2)


@pytest.mark.anyio
async def test_workers_never_exceed_the_concurrency_and_each_item_is_sent_once(tmp_path: Path) -> None:
    in_flight = 0
    most = 0
    sent: Counter[str] = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        sent[team_of(request)] += 1
        in_flight += 1
        most = max(most, in_flight)
        for _ in range(3):
            await asyncio.sleep(0)
        in_flight -= 1
        return answer(200)

    work = [team(f"t{n}", n) for n in range(1, 41)]
    outcomes = await run(tmp_path, handler, work, concurrency=4)
    assert most == 4
    assert sent == Counter({item.key: 1 for item in work})
    assert all(outcome.status == "done" for outcome in outcomes.values())


@pytest.mark.anyio
async def test_an_item_is_journaled_in_flight_before_its_call_and_done_after(tmp_path: Path) -> None:
    work = [team("t1", 1), team("t2", 2)]
    seen: dict[str, str] = {}
    with Journal.open(tmp_path / "j.sqlite", JOB.name, work) as journal:

        async def handler(request: httpx.Request) -> httpx.Response:
            statuses = {entry.key: entry.status for entry in journal.entries()}
            seen[team_of(request)] = statuses[team_of(request)]
            if team_of(request) == "t2":
                assert statuses["t1"] == "done"  # recorded before the worker took the next item
            return answer(200)

        async with client(handler) as yunxin:
            await run_items(JOB, yunxin, journal, work, concurrency=1)
    assert seen == {"t1": "in_flight", "t2": "in_flight"}


@pytest.mark.anyio
async def test_an_unexpected_error_stops_the_run_and_leaves_the_item_to_rerun(tmp_path: Path) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug, not a vendor's answer")

    work = [team("t1")]
    with Journal.open(tmp_path / "j.sqlite", JOB.name, work) as journal:
        async with client(handler) as yunxin:
            with pytest.raises(ExceptionGroup) as caught:
                await run_items(JOB, yunxin, journal, work, concurrency=2)
        assert caught.group_contains(RuntimeError)
        assert journal.to_run(retry_failed=False) == ["t1"]


@pytest.mark.anyio
async def test_outcomes_reach_the_callback_as_they_happen(tmp_path: Path) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return answer(200 if team_of(request) != "bad" else 414)

    got: list[tuple[str, str]] = []
    work = [team("a", 1), team("bad", 2), team("c", 3)]
    with Journal.open(tmp_path / "j.sqlite", JOB.name, work) as journal:
        async with client(handler) as yunxin:
            await run_items(
                JOB, yunxin, journal, work, concurrency=1, on_outcome=lambda i, o: got.append((i.key, o.status))
            )
    assert got == [("a", "done"), ("bad", "failed"), ("c", "done")]


def test_the_jobs_connection_pool_is_sized_to_its_workers_and_drops_idle_connections_soon() -> None:
    pool = job_transport(3, verify=tls_context())._pool  # httpcore's pool: the limits are not exposed any other way
    assert (pool._max_connections, pool._max_keepalive_connections) == (3, 3)
    assert pool._keepalive_expiry == IDLE_CONNECTION_EXPIRY_S < httpx.Limits().keepalive_expiry  # type: ignore[operator]


def test_zero_workers_is_refused(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", JOB.name, [team("t1")]) as journal, pytest.raises(ValueError):
        asyncio.run(run_items(JOB, object(), journal, [team("t1")], concurrency=0))


def test_plain_progress_prints_at_most_every_interval_and_once_at_the_end() -> None:
    now = [0.0]
    stream = io.StringIO()
    with PlainProgress(4, stream, every=5.0, clock=lambda: now[0]) as progress:
        for step, status in zip([1.0, 4.0, 6.0, 7.0], ["done", "failed", "done", "done"], strict=True):
            now[0] = step
            progress.advance(Outcome(status))
    lines = stream.getvalue().splitlines()
    assert lines == ["3/4: 2 done, 1 failed, 0.5/s", "4/4: 3 done, 1 failed, 0.6/s"]


def test_a_terminal_gets_a_rich_bar_with_done_failed_and_rate_and_a_pipe_gets_plain_lines() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_view(3, "disband", Terminal()), RichProgress)
    assert isinstance(progress_view(3, "disband", io.StringIO()), PlainProgress)
    stream = io.StringIO()
    with RichProgress(3, "disband (tencent)", stream) as bar:
        for status in ("done", "failed", "done"):
            bar.advance(Outcome(status))
    shown = stream.getvalue()
    assert "disband (tencent)" in shown
    assert "3/3" in shown
    assert "2 done" in shown and "1 failed" in shown and "/s" in shown


def test_the_request_carries_the_items_arguments(tmp_path: Path) -> None:
    sent: list[tuple[str, dict[str, object]]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path, dict(request.url.params)))
        return answer(200)

    item = Item("1001", 1, {"team_id": "1001", "team_type": 2, "operator_id": "acc_o", "extension": "bye"})
    asyncio.run(run(tmp_path, handler, [item]))
    assert sent == [("/im/v2.1/teams/1001", {"team_type": "2", "operator_id": "acc_o", "extension": "bye"})]


@pytest.mark.anyio
async def test_all_workers_are_paced_by_the_one_clients_limiter(tmp_path: Path) -> None:
    """Eight workers, a limit of 5 calls/s: no second of the (fake) clock holds more than 5 sends."""
    from imgroup.runtime import CallSettings, RateLimiter

    now = [0.0]
    sent_at: list[float] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(now[0])
        return answer(200)

    sleeping: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        # Fake time: the clock jumps to the earliest sleeper's deadline, as the event loop would wake it first.
        deadline = now[0] + seconds
        sleeping.append(deadline)
        while now[0] < deadline:
            if deadline <= min(sleeping):
                now[0] = deadline
            else:
                await asyncio.sleep(0)
        sleeping.remove(deadline)

    work = [team(f"t{n}", n) for n in range(1, 21)]
    with Journal.open(tmp_path / "j.sqlite", JOB.name, work) as journal:
        async with client(handler) as yunxin:
            pipeline = yunxin._pipeline
            limiter = RateLimiter({"dismiss_team": ((1.0, 5),)}, clock=lambda: now[0])
            pipeline.settings = CallSettings(pipeline.settings.timeout, pipeline.settings.retry, limiter)
            pipeline._sleep = fake_sleep
            await run_items(JOB, yunxin, journal, work, concurrency=8)
        assert journal.counts()["done"] == 20
    assert len(sent_at) == 20
    for start in sent_at:
        assert sum(start <= moment < start + 1.0 for moment in sent_at) <= 5
    assert max(sent_at) >= 3.0  # 20 calls at 5/s need at least three more seconds after the first five
