"""Measurement 5: a bulk disband on the emulator under a rate limit of L calls per second.

The job is Tencent ``destroy_group`` (documented limit 200 calls/s, no per-minute cap, so 10,000 items take a
minute rather than Feishu's ten), with the emulator enforcing L and the client's own limiter set to L.

imgroup's bulk runner (``imgroup bulk``) was not in the tree when this was written, so the job is a minimal
asyncio loop over ``AsyncTencentIMClient`` and its rate limiter: WORKERS tasks draw group ids from one lazy
iterator, so nothing grows with the number of items. Each job runs in a fresh interpreter, which reports its
peak RSS; the emulator runs in a process of its own and counts the rate-limit answers it sent.

The achieved rate is items over the time from the first send to the last answer. The limiter lets the first
window's L calls go at once, so short jobs come out above L; the target is judged on the long job.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ._cli import main
from ._emulator import EmulatorAdmin, emulator_process
from ._rows import Row, Summary, ratio

MEASUREMENT = "5. bulk"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
LIMIT_PER_SECOND = 200
WORKERS = 16
TARGET_SHARE = 0.95
TARGET_MEMORY_RATIO = 1.1  # "flat": the long job's peak within 10% of the short job's
APP = {"sdkappid": 1400000000, "secret_key": "bench-tencent-secret", "identifier": "administrator"}
JOB_TIMEOUT_S = 600


def group_id(index: int) -> str:
    return f"@TGS#bulk{index}"


def seed_for(count: int) -> dict[str, Any]:
    app = {"sdkappid": APP["sdkappid"], "secret_key": APP["secret_key"], "admin": APP["identifier"]}
    groups = [{"group_id": group_id(index), "type": "Public", "owner": "user1"} for index in range(count)]
    return {"tencent": {"apps": [app], "groups": groups}}


async def disband_all(base_url: str, count: int, limit: int) -> dict[str, float]:
    """Disband ``count`` groups with WORKERS tasks under ``limit`` calls per second; what it took."""
    from tencent_im import AsyncTencentIMClient, TencentIMError

    outcome = {"done": 0, "failed": 0}
    pending = (group_id(index) for index in range(count))
    async with AsyncTencentIMClient(**APP, base_url=base_url, rate_limit={"destroy_group": limit}) as client:

        async def worker() -> None:
            for group in pending:
                try:
                    await client.destroy_group(group_id=group)
                except TencentIMError:
                    outcome["failed"] += 1
                else:
                    outcome["done"] += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        seconds = time.perf_counter() - start
    return {**outcome, "seconds": seconds}


def job_in_child(base_url: str, count: int, limit: int) -> None:
    """The body of one job's interpreter: run it, then print its figures and peak RSS as JSON."""
    figures = asyncio.run(disband_all(base_url, count, limit))
    figures["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(figures))


def run_job(admin: EmulatorAdmin, count: int, limit: int) -> dict[str, float]:
    admin.restart_with(seed_for(count), rate_limits={"destroy_group": limit})
    code = f"from bench.bulk import job_in_child; job_in_child({admin.base_url!r}, {count}, {limit})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        timeout=JOB_TIMEOUT_S,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rate_limited"] = admin.state()["rate_limited"]["tencent"]["destroy_group"]
    return figures


def run(quick: bool) -> list[Row]:
    sizes, runs = ((20, 100), 1) if quick else ((1_000, 10_000), 3)
    short, long = sizes
    jobs: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
    with emulator_process() as admin:
        for _ in range(runs):
            for size in sizes:
                jobs[size].append(run_job(admin, size, LIMIT_PER_SECOND))
    rows: list[Row] = []
    for size in sizes:
        subject = f"{size:,} destroy_group, L = {LIMIT_PER_SECOND}/s"
        figures = jobs[size]
        failed = sum(job["failed"] for job in figures)
        share = Summary.of([job["done"] / job["seconds"] / LIMIT_PER_SECOND * 100 for job in figures])
        judged = size == long
        rows.append(
            Row(
                MEASUREMENT,
                subject,
                "achieved rate, share of L",
                "%",
                share,
                target=f"≥ {TARGET_SHARE:.0%}" if judged else None,
                met=share.median >= TARGET_SHARE * 100 if judged else None,
                note=f"{WORKERS} tasks, asyncio loop; {failed} failed" if size == short else f"{failed} failed",
            )
        )
        limited = Summary.of([job["rate_limited"] for job in figures])
        rows.append(
            Row(MEASUREMENT, subject, "rate-limit answers", "count", limited, target="0", met=limited.high == 0)
        )
    memory = {size: Summary.of([job["rss_kb"] / 1024 for job in jobs[size]]) for size in sizes}
    rows.append(Row(MEASUREMENT, f"{short:,} items", "peak RSS of the job's process", "MiB", memory[short]))
    versus = ratio(memory[long], memory[short])
    rows.append(
        Row(
            MEASUREMENT,
            f"{long:,} items",
            "peak RSS of the job's process",
            "MiB",
            memory[long],
            f"{short:,} items",
            versus,
            f"flat (≤ {TARGET_MEMORY_RATIO}×)",
            versus <= TARGET_MEMORY_RATIO,
        )
    )
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
