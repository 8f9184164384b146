"""Measurement 4: Feishu disbands per second for one client on the emulator, sync and async, against lark-oapi.

The emulator runs in its own process (``bench._emulator``), the clients in this one; on a two-core machine
that gives each side a core. The emulator's rate limits are lifted and our client's limiter is off: this
measures the clients and the emulator, not the limits. Every round disbands fresh chats (a disband is not
repeatable), after a few warm-up calls that fetch the token and open the connections.

Our clients keep their connections alive. lark-oapi's sync client opens a connection per call (a new
``requests`` session each time) and its async client a new ``httpx.AsyncClient`` per call. The async clients
run ``CONCURRENCY`` calls at a time. Raw httpx (one keep-alive ``httpx.Client`` or ``AsyncClient``, the token
fetched once) shows what the emulator and httpx allow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from ._cli import main
from ._emulator import UNLIMITED_PER_SECOND, EmulatorAdmin, emulator_process
from ._rows import Row, Summary, ratio

MEASUREMENT = "4. throughput"
APP_ID = "cli_bench_emulator"  # not call_overhead's: lark-oapi caches tokens by app_id for the whole process
APP_SECRET = "bench-feishu-secret"
CONCURRENCY = 8
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
WARM_UP_CALLS = 10
NOTES = {
    "lark-oapi, sync": "emulator in its own process; a new connection per call",
    "imgroup FeishuClient": "keep-alive",
    "lark-oapi, async": f"{CONCURRENCY} calls in flight; a new AsyncClient per call",
    "imgroup AsyncFeishuClient": f"{CONCURRENCY} calls in flight, keep-alive",
}

SYNC_SUBJECTS = ("lark-oapi, sync", "imgroup FeishuClient", "raw httpx, keep-alive")
ASYNC_SUBJECTS = ("lark-oapi, async", "imgroup AsyncFeishuClient", "raw httpx async, keep-alive")
# lark-oapi's async client builds an httpx.AsyncClient (and its TLS context: ~30 ms of CPU) for every call;
# a fifth of the calls gives its rate as well in a fifth of the time.
CALL_SHARES = {"lark-oapi, async": 0.2}
REFERENCES = {
    "imgroup FeishuClient": "lark-oapi, sync",
    "raw httpx, keep-alive": "lark-oapi, sync",
    "imgroup AsyncFeishuClient": "lark-oapi, async",
    "raw httpx async, keep-alive": "lark-oapi, async",
}


class FailedCall(AssertionError):
    """A benchmarked disband did not succeed: its figures would mean nothing."""


def chat_ids(subject: str, round_: int, count: int) -> list[str]:
    slug = "".join(character if character.isalnum() else "_" for character in subject)
    return [f"oc_{slug}_{round_}_{index}" for index in range(count)]


def seed_for(ids: Sequence[str]) -> dict[str, Any]:
    chats = [{"chat_id": chat_id, "owner": APP_ID, "members": ["ou_bench"]} for chat_id in ids]
    return {"feishu": {"apps": [{"app_id": APP_ID, "app_secret": APP_SECRET}], "chats": chats}}


def _lark(base_url: str) -> Any:
    import lark_oapi as lark

    return (
        lark.Client.builder()
        .app_id(APP_ID)
        .app_secret(APP_SECRET)
        .domain(base_url)
        .log_level(lark.LogLevel.ERROR)
        .build()
    )


def _lark_request(chat_id: str) -> Any:
    from lark_oapi.api.im.v1 import DeleteChatRequest

    return DeleteChatRequest.builder().chat_id(chat_id).build()


@contextmanager
def sync_callers(base_url: str) -> Iterator[dict[str, Callable[[str], None]]]:
    """Each sync contender as a function disbanding one chat."""
    from feishu_im import FeishuClient

    lark = _lark(base_url)
    with (
        FeishuClient(app_id=APP_ID, app_secret=APP_SECRET, base_url=base_url, rate_limit=False) as ours,
        httpx.Client(base_url=base_url) as raw,
    ):
        token = raw.post(TOKEN_PATH, json={"app_id": APP_ID, "app_secret": APP_SECRET}).json()["tenant_access_token"]

        def lark_disband(chat_id: str) -> None:
            response = lark.im.v1.chat.delete(_lark_request(chat_id))
            if not response.success():
                raise FailedCall(f"lark-oapi: code {response.code}")

        def raw_disband(chat_id: str) -> None:
            response = raw.delete(f"/open-apis/im/v1/chats/{chat_id}", headers={"Authorization": f"Bearer {token}"})
            if response.json()["code"] != 0:
                raise FailedCall(f"raw httpx: {response.status_code}")

        def ours_disband(chat_id: str) -> None:
            ours.disband_chat(chat_id)

        yield {
            "lark-oapi, sync": lark_disband,
            "imgroup FeishuClient": ours_disband,
            "raw httpx, keep-alive": raw_disband,
        }


async def async_rates(base_url: str, ids: dict[str, list[str]], warm_up: dict[str, list[str]]) -> dict[str, float]:
    """Calls per second of each async contender over its chats."""
    from feishu_im import AsyncFeishuClient

    lark = _lark(base_url)

    async def lark_disband(chat_id: str) -> None:
        response = await lark.im.v1.chat.adelete(_lark_request(chat_id))
        if not response.success():
            raise FailedCall(f"lark-oapi async: code {response.code}")

    async with (
        AsyncFeishuClient(app_id=APP_ID, app_secret=APP_SECRET, base_url=base_url, rate_limit=False) as ours,
        httpx.AsyncClient(base_url=base_url) as raw,
    ):
        answer = await raw.post(TOKEN_PATH, json={"app_id": APP_ID, "app_secret": APP_SECRET})
        authorization = {"Authorization": f"Bearer {answer.json()['tenant_access_token']}"}

        async def ours_disband(chat_id: str) -> None:
            await ours.disband_chat(chat_id)

        async def raw_disband(chat_id: str) -> None:
            response = await raw.delete(f"/open-apis/im/v1/chats/{chat_id}", headers=authorization)
            if response.json()["code"] != 0:
                raise FailedCall(f"raw httpx async: {response.status_code}")

        callers: dict[str, Callable[[str], Awaitable[None]]] = {
            "lark-oapi, async": lark_disband,
            "imgroup AsyncFeishuClient": ours_disband,
            "raw httpx async, keep-alive": raw_disband,
        }
        rates = {}
        for name, call in callers.items():
            await _in_flight(call, warm_up[name])
            start = time.perf_counter()
            await _in_flight(call, ids[name])
            rates[name] = len(ids[name]) / (time.perf_counter() - start)
        return rates


async def _in_flight(call: Callable[[str], Awaitable[None]], ids: Sequence[str]) -> None:
    """Disband ``ids`` with CONCURRENCY workers sharing one queue."""
    pending = iter(ids)

    async def worker() -> None:
        for chat_id in pending:
            await call(chat_id)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def sync_rates(
    callers: dict[str, Callable[[str], None]], ids: dict[str, list[str]], warm_up: dict[str, list[str]]
) -> dict[str, float]:
    rates = {}
    for name, call in callers.items():
        for chat_id in warm_up[name]:
            call(chat_id)
        start = time.perf_counter()
        for chat_id in ids[name]:
            call(chat_id)
        rates[name] = len(ids[name]) / (time.perf_counter() - start)
    return rates


def _plan(rounds: int, calls: int) -> tuple[list[dict[str, list[str]]], list[dict[str, list[str]]]]:
    subjects = SYNC_SUBJECTS + ASYNC_SUBJECTS
    counts = {name: max(1, int(calls * CALL_SHARES.get(name, 1.0))) for name in subjects}
    timed = [{name: chat_ids(name, round_, counts[name]) for name in subjects} for round_ in range(rounds)]
    warm = [{name: chat_ids(f"warm {name}", round_, WARM_UP_CALLS) for name in subjects} for round_ in range(rounds)]
    return timed, warm


def measure(admin: EmulatorAdmin, rounds: int, calls: int) -> dict[str, list[float]]:
    timed, warm = _plan(rounds, calls)
    every_id = [chat_id for plan in timed + warm for ids in plan.values() for chat_id in ids]
    # One seed for every round: a reset would void the tokens the clients cache, and lark-oapi never refetches.
    admin.restart_with(seed_for(every_id), rate_limits={"disband_chat": UNLIMITED_PER_SECOND})
    samples: dict[str, list[float]] = {name: [] for name in SYNC_SUBJECTS + ASYNC_SUBJECTS}
    with sync_callers(admin.base_url) as callers:
        for round_ in range(rounds):  # rounds interleave the contenders, so drift hits them alike
            for name, rate in sync_rates(callers, timed[round_], warm[round_]).items():
                samples[name].append(rate)
            for name, rate in asyncio.run(async_rates(admin.base_url, timed[round_], warm[round_])).items():
                samples[name].append(rate)
    _check_all_disbanded(admin, every_id)
    return samples


def _check_all_disbanded(admin: EmulatorAdmin, ids: Sequence[str]) -> None:
    chats = admin.state()["feishu"]["chats"]
    standing = [chat_id for chat_id in ids if not chats[chat_id]["dissolved"]]
    if standing:
        raise FailedCall(f"{len(standing)} chats were not disbanded, e.g. {standing[0]}")


def run(quick: bool) -> list[Row]:
    rounds, calls = (1, 10) if quick else (5, 1000)
    with emulator_process() as admin:
        samples = measure(admin, rounds, calls)
    summaries = {name: Summary.of(values) for name, values in samples.items()}
    rows = []
    for name, summary in summaries.items():
        reference = REFERENCES.get(name)
        versus = ratio(summary, summaries[reference]) if reference else None
        rows.append(
            Row(
                MEASUREMENT,
                f"disband_chat: {name}",
                "calls per second",
                "1/s",
                summary,
                reference,
                versus,
                note=NOTES.get(name, ""),
            )
        )
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
