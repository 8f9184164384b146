"""The client-side limiter against the emulator over loopback HTTP, with arrivals delayed on the way.

The vendor counts calls in fixed windows by arrival, so a call sent just before a window's edge and held up on the
way is counted in the next window, with the calls sent a window after it. The limits are scaled down. First a
"50/s then 1,000/min": a pace window the client fills evenly (10 calls per 0.1 s) and a burst window it fills at
that pace and then resumes (30 calls per 0.5 s), so a 20-second test crosses some 40 burst-window edges, most of
them inside a burst; the emulator counts the burst window, with arrivals up to 300 ms late, and the edge guard is
what keeps it. With the old limiter (a 30 ms guard at every edge) that test met a refusal on nearly every run.
Then an evenly filled window alone, counted with arrivals up to 30% of it late: the limiter measures the spread
from its answers and leaves that much of each window free.
"""

from __future__ import annotations

import asyncio

import feishu_im
import pytest

from imgroup.emulator import EmulatorServer
from imgroup.runtime import RateLimiter
from imgroup.runtime._rate_limit import JITTER_ALLOWANCE

PACE_WINDOW = (0.1, 10)
BURST_WINDOW = (0.5, 30)
CALLS = 600
ARRIVAL_DELAY_MS = 300


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def delay_and_count(emulator: EmulatorServer, seed: int, delay_ms: int, counted: tuple[float, int]) -> None:
    """Make the emulator hold each get_chat up to ``delay_ms`` before counting it, in the one window ``counted``."""
    seconds, limit = counted
    emulator.faults(
        {
            "seed": seed,
            "arrival_delay_ms": delay_ms,
            "operations": ["get_chat"],
            "rate_limits": {"get_chat": [[limit, seconds]]},
        }
    )


def paced_client(emulator: EmulatorServer, limiter: RateLimiter) -> feishu_im.AsyncFeishuClient:
    """A Feishu client of the emulator's demo app whose calls ``limiter`` paces."""
    credentials = {**emulator.credentials["feishu"], "base_url": emulator.base_url}
    client = feishu_im.AsyncFeishuClient(**credentials)
    client._pipeline.settings = client._pipeline.settings._replace(limiter=limiter)
    return client


@pytest.mark.anyio
async def test_a_client_paced_by_its_limits_meets_no_refusal_when_arrivals_are_up_to_300_ms_late(
    imgroup_emulator: EmulatorServer,
) -> None:
    delay_and_count(imgroup_emulator, 19, ARRIVAL_DELAY_MS, BURST_WINDOW)
    limiter = RateLimiter({"get_chat": (PACE_WINDOW, BURST_WINDOW)})
    async with paced_client(imgroup_emulator, limiter) as client:
        answers = await asyncio.gather(*(client.get_chat("oc_demo_named") for _ in range(CALLS)))
    assert len(answers) == CALLS
    assert imgroup_emulator.state()["rate_limited"]["feishu"]["get_chat"] == 0
    calls = [call for call in imgroup_emulator.calls() if call["operation"] == "get_chat"]
    # Each call answered once; a call is sent again only with a fresh token, when an earlier test on this emulator
    # left the process a token the emulator has since forgotten (99991663, "invalid access token").
    assert sum(call["code"] == 0 for call in calls) == CALLS
    assert {call["code"] for call in calls} <= {0, 99991663}


SHORT_WINDOW = (0.2, 10)
SHORT_ARRIVAL_DELAY_MS = 60  # 30% of the window, as 300 ms would be of a second
CONCURRENCY = 8  # calls booked at most this far ahead, as a job's workers book them


@pytest.mark.anyio
async def test_a_client_measures_how_late_its_calls_land_and_leaves_that_much_of_an_evenly_filled_window_free(
    imgroup_emulator: EmulatorServer,
) -> None:
    delay_and_count(imgroup_emulator, 23, SHORT_ARRIVAL_DELAY_MS, SHORT_WINDOW)
    calls = 200
    limiter = RateLimiter({"get_chat": (SHORT_WINDOW,)})
    async with paced_client(imgroup_emulator, limiter) as client:
        await client.get_chat("oc_demo_named")  # a token first: its fetch is no call of get_chat's
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one() -> None:
            async with gate:
                await client.get_chat("oc_demo_named")

        await asyncio.gather(*(one() for _ in range(calls)))
        guard = limiter.guards("get_chat")[0]
    assert imgroup_emulator.state()["rate_limited"]["feishu"]["get_chat"] == 0
    assert guard > JITTER_ALLOWANCE  # the spread it measured, not the allowance it starts with
