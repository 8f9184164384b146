"""Measurement 8: ``imgroup apply`` of a plan of N disband steps per vendor, on the emulator at the documented limits.

Each step re-reads its group, then disbands it: two calls, of two operations with limits of their own. The
emulator enforces every documented limit, in a process of its own; the apply is the command line in a fresh
process, with its defaults (the clients' documented limits, 16 groups at a time per vendor), the three vendors
at once. The floor is the least time the documented limits allow for the calls the plan makes: per vendor, the
slowest of its operations, each call as early as the per-second and per-minute windows let it be. The share is
that floor over the measured wall time of the whole command (start-up included). CPU per step is the apply
process's CPU over the steps, beside the CPU of the plain async clients making the same calls (a read and a
disband per group, 16 at a time per vendor, no limiter), both net of start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import imgroup_registry

from ._cli import main
from ._emulator import EmulatorAdmin, emulator_process
from ._interpreter import child_environment
from ._rows import Row, Summary

MEASUREMENT = "8. plans"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_SHARE = 0.90
TARGET_CPU_RATIO = 2.0
FEISHU = {"app_id": "cli_bench", "app_secret": "bench-feishu-secret"}
TENCENT = {"sdkappid": 1400000000, "secret_key": "bench-tencent-secret", "identifier": "administrator"}
YUNXIN = {"app_key": "bench_app_key", "app_secret": "bench-yunxin-secret"}
VENDORS = imgroup_registry.VENDORS


class ApplyFailed(RuntimeError):
    """The apply did not finish every step: its figures would mean nothing."""


def references(vendor: str, count: int) -> list[str]:
    if vendor == "feishu":
        return [f"feishu:oc_bench{index:05d}" for index in range(count)]
    if vendor == "tencent":
        return [f"tencent:@TGS#bench{index:05d}" for index in range(count)]
    return [f"yunxin:{10_000 + index}?type=1" for index in range(count)]


def seed_for(count: int) -> dict[str, Any]:
    return {
        "feishu": {
            "apps": [FEISHU],
            "chats": [
                {"chat_id": ref.split(":")[1], "owner": FEISHU["app_id"], "members": ["ou_a"]}
                for ref in references("feishu", count)
            ],
        },
        "tencent": {
            "apps": [{"sdkappid": TENCENT["sdkappid"], "secret_key": TENCENT["secret_key"], "admin": "administrator"}],
            "groups": [
                {"group_id": ref.split(":")[1], "type": "Public", "owner": "user1"}
                for ref in references("tencent", count)
            ],
        },
        "yunxin": {
            "apps": [YUNXIN],
            "teams": [
                {"team_id": ref.split(":")[1].split("?")[0], "team_type": 1, "owner": "acc_owner"}
                for ref in references("yunxin", count)
            ],
        },
    }


def write_plan(path: Path, count: int) -> int:
    from imgroup.groups import GroupRef
    from imgroup.plans._plan import Step
    from imgroup.plans._plan import write_plan as write

    steps = [
        Step("disband", GroupRef.parse(ref), planned_on={"member_count": 2})
        for vendor in VENDORS
        for ref in references(vendor, count)
    ]
    header = {"imgroup_plan": 1, "id": f"bench-{count}", "kind": "sweep", "asked": {}, "apps": {}}
    write(path, header, steps)
    return len(steps)


def earliest_end(calls: int, per_second: float | None, per_minute: float | None) -> float:
    """When the last of ``calls`` can start at the earliest, if each goes as soon as both windows allow."""
    windows = [(int(limit), span) for limit, span in ((per_second, 1.0), (per_minute, 60.0)) if limit]
    starts: list[float] = []
    for index in range(calls):
        start = starts[-1] if starts else 0.0
        for limit, span in windows:
            if index >= limit:
                start = max(start, starts[index - limit] + span)
        starts.append(start)
    return starts[-1] if starts else 0.0


def floor_seconds(vendor: str, calls_by_operation: Counter[str], *, even: bool = False) -> float:
    """The least time the documented limits allow for ``vendor``'s calls: its slowest operation's.

    With ``even``, each operation's calls are spaced evenly at its tightest rate (a per-minute limit as its
    sixtieth per second), as a limiter that never bursts paces them.
    """
    operations = imgroup_registry.vendor(vendor).operations
    seconds = []
    for op, count in calls_by_operation.items():
        if op not in operations:
            continue
        per_second, per_minute = operations[op].info.rate_limit_per_second, operations[op].info.rate_limit_per_minute
        if even:
            rates = [rate for rate in (per_second, per_minute / 60 if per_minute else None) if rate]
            seconds.append((count - 1) / min(rates) if rates else 0.0)
        else:
            seconds.append(earliest_end(count, per_second, per_minute))
    return max(seconds, default=0.0)


def _environment(scratch: Path, admin: EmulatorAdmin) -> dict[str, str]:
    config = scratch / "config.toml"
    config.write_text("", encoding="utf-8")
    inherited = {
        name: value
        for name, value in child_environment().items()
        if not name.startswith(("TENCENT_IM_", "FEISHU_", "YUNXIN_", "IMGROUP_"))
    }
    return {
        **inherited,
        "IMGROUP_CONFIG": str(config),
        "FEISHU_APP_ID": FEISHU["app_id"], "FEISHU_APP_SECRET": FEISHU["app_secret"],
        "TENCENT_IM_SDKAPPID": str(TENCENT["sdkappid"]), "TENCENT_IM_SECRET_KEY": str(TENCENT["secret_key"]),
        "YUNXIN_APP_KEY": YUNXIN["app_key"], "YUNXIN_APP_SECRET": YUNXIN["app_secret"],
        **{f"{prefix}_BASE_URL": admin.base_url for prefix in ("FEISHU", "TENCENT_IM", "YUNXIN")},
    }  # fmt: skip


def _measured(command: Sequence[str], environment: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command``; its wall seconds, its own CPU seconds (wait4) and what it printed."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment, cwd=PROJECT_ROOT, text=True
    )
    assert child.stdout is not None
    printed = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise ApplyFailed(f"{' '.join(command[-6:])} exited {os.waitstatus_to_exitcode(status)}:\n{printed[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, printed


START_UP = (
    "import imgroup.cli, imgroup.plans._run, imgroup.groups._feishu, imgroup.groups._tencent, imgroup.groups._yunxin"
)
# The calls a step makes, with the plain async clients and nothing around them: per group a read and a disband.
PLAIN = """
import asyncio, sys, feishu_im, tencent_im, yunxin_im
URL, COUNT = sys.argv[1], int(sys.argv[2])
async def calls(client, read, disband, ids):
    async def worker():
        for group_id in ids:
            await read(client, group_id)
            await disband(client, group_id)
    ids = iter(ids)
    async with client:
        await asyncio.gather(*(worker() for _ in range(16)))
async def main():
    await asyncio.gather(
        calls(feishu_im.AsyncFeishuClient(app_id={feishu_app!r}, app_secret={feishu_secret!r}, base_url=URL,
                                          rate_limit=False),
              lambda c, i: c.get_chat(i), lambda c, i: c.disband_chat(i),
              [f"oc_bench{{n:05d}}" for n in range(COUNT)]),
        calls(tencent_im.AsyncTencentIMClient(sdkappid={sdkappid}, secret_key={tencent_key!r}, base_url=URL,
                                              rate_limit=False),
              lambda c, i: c.get_group_info(group_id_list=[i]), lambda c, i: c.destroy_group(group_id=i),
              [f"@TGS#bench{{n:05d}}" for n in range(COUNT)]),
        calls(yunxin_im.AsyncYunxinClient(app_key={app_key!r}, app_secret={yunxin_secret!r}, base_url=URL,
                                          rate_limit=False),
              lambda c, i: c.get_team(i, team_type=1),
              lambda c, i: c.dismiss_team(i, team_type=1, operator_id="acc_owner"),
              [str(10_000 + n) for n in range(COUNT)]),
    )
asyncio.run(main())
""".format(
    feishu_app=FEISHU["app_id"], feishu_secret=FEISHU["app_secret"], sdkappid=TENCENT["sdkappid"],
    tencent_key=TENCENT["secret_key"], app_key=YUNXIN["app_key"], yunxin_secret=YUNXIN["app_secret"],
)  # fmt: skip


def unlimited() -> dict[str, int]:
    """Per-second limits well above what one client reaches, for the operations of the unpaced baseline."""
    from feishu_im import registry as feishu
    from tencent_im import registry as tencent
    from yunxin_im import registry as yunxin

    reads = (feishu.get_chat, tencent.get_group_info, yunxin.get_team)
    disbands = (feishu.disband_chat, tencent.destroy_group, yunxin.dismiss_team)
    return {operation.name: 1_000_000 for operation in (*reads, *disbands)}


def plain_cpu_per_step_us(admin: EmulatorAdmin, count: int, scratch: Path) -> float:
    """CPU per group of the plain async clients making a step's calls (a read, a disband), start-up excluded."""
    environment = _environment(scratch, admin)
    admin.restart_with(seed_for(count), rate_limits=unlimited())
    _, busy, _ = _measured([sys.executable, "-c", PLAIN, admin.base_url, str(count)], environment)
    admin.restart_with(seed_for(1), rate_limits=unlimited())
    _, idle, _ = _measured([sys.executable, "-c", PLAIN, admin.base_url, "1"], environment)
    return (busy - idle) / (3 * (count - 1)) * 1e6


def run_apply(admin: EmulatorAdmin, count: int, scratch: Path) -> dict[str, Any]:
    """One apply of ``count`` disband steps per vendor at the documented limits; wall, floor, CPU, refusals."""
    admin.restart_with(seed_for(count))
    plan, journal = scratch / f"plan-{count}.jsonl", scratch / f"journal-{count}-{time.time_ns()}.sqlite"
    steps = write_plan(plan, count)
    environment = _environment(scratch, admin)
    _, start_up, _ = _measured([sys.executable, "-c", START_UP], environment)
    command = [sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())", "apply", str(plan),
               "--journal", str(journal)]  # fmt: skip
    seconds, cpu, printed = _measured(command, environment)
    if f"{steps} done" not in printed:
        raise ApplyFailed(f"not every step was done:\n{printed[-2000:]}")
    calls = admin.calls()
    # The calls the plan needed: those the vendor accepted (a refused call's retry is not one more).
    needed = {
        vendor: Counter(call["operation"] for call in calls if call["vendor"] == vendor and call["code"] in (0, 200))
        for vendor in VENDORS
    }
    floors = {vendor: floor_seconds(vendor, counts) for vendor, counts in needed.items()}
    even = {vendor: floor_seconds(vendor, counts, even=True) for vendor, counts in needed.items()}
    limited = admin.state()["rate_limited"]
    return {
        "seconds": seconds,
        "floor": max(floors.values()),
        "floors": floors,
        "even_floor": max(even.values()),
        "cpu_per_step_us": (cpu - start_up) / steps * 1e6,
        "calls_per_step": len(calls) / steps,
        "rate_limited": sum(sum(counts.values()) for counts in limited.values()),
        "rate_limited_by": {
            f"{vendor}.{operation}": count
            for vendor, counts in limited.items()
            for operation, count in counts.items()
            if count
        },
    }


def run(quick: bool) -> list[Row]:
    count, runs = (30, 1) if quick else (3_000, 1)
    with emulator_process() as admin, tempfile.TemporaryDirectory(prefix="imgroup-bench-plans-") as name:
        scratch = Path(name)
        applies = [run_apply(admin, count, scratch) for _ in range(runs)]
        plain = Summary.of([plain_cpu_per_step_us(admin, count, scratch) for _ in range(runs)])
    subject = f"{count:,} disband steps × 3 vendors, documented limits"
    floors = applies[0]["floors"]
    note = "floor per vendor: " + ", ".join(f"{vendor} {seconds:.0f} s" for vendor, seconds in floors.items())
    share = Summary.of([job["floor"] / job["seconds"] * 100 for job in applies])
    even_share = Summary.of([job["even_floor"] / job["seconds"] * 100 for job in applies])
    wall = Summary.of([job["seconds"] for job in applies])
    cpu = Summary.of([job["cpu_per_step_us"] for job in applies])
    limited = Summary.of([job["rate_limited"] for job in applies])
    versus = cpu.median / plain.median
    return [
        Row(MEASUREMENT, subject, "wall time of imgroup apply", "s", wall, note=note),
        Row(
            MEASUREMENT, subject, "floor the documented limits allow, share of the wall time", "%", share,
            target=f"≥ {TARGET_SHARE:.0%}", met=share.median >= TARGET_SHARE * 100,
            note="each call as early as the per-second and per-minute windows allow",
        ),
        Row(
            MEASUREMENT, subject, "floor at an even pace (the tightest rate, no bursts), share of the wall time", "%",
            even_share, note="what a limiter that spaces calls evenly can reach",
        ),
        Row(MEASUREMENT, f"{count:,} groups × 3 vendors, unpaced", "CPU of plain async calls per step (a read, a disband)",
            "µs", plain),
        Row(
            MEASUREMENT, subject, "CPU of the apply per step, start-up excluded", "µs", cpu, "plain calls", versus,
            f"≤ {TARGET_CPU_RATIO:g}×", versus <= TARGET_CPU_RATIO,
        ),
        Row(
            MEASUREMENT, subject, "rate-limit answers", "count", limited, target="0", met=limited.high == 0,
            note="; ".join(", ".join(f"{name} {n}" for name, n in job["rate_limited_by"].items()) for job in applies
                           if job["rate_limited_by"]),
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
