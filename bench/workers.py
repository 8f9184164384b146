"""Measurement 12: a plan applied on workers through PostgreSQL (``imgroup apply --queue``, ``imgroup worker``).

A sweep of 20 partitions × 500 disbands: 20 tenants of a Feishu store app on the emulator (whose limits are per
API, app and tenant, as Feishu's), each limited to ``PER_SECOND`` calls a second per operation, so the limits
sum to 20 × ``PER_SECOND`` steps a second, past what one process does. The app's tickets reach the workers'
ticket store from the emulator's process, as an event receiver would put them. The plan
is submitted, then 1 worker process (20 partitions at once) or 2 (10 each) run it; steps per second from the
first step's end to the last's (the workers' start-up left out), against that sum. The emulator and PostgreSQL run in processes of their
own (a throwaway server, tests/postgres_server.py: fsync off, so its commits are cheaper than a durable
server's). The database's commits per second are read from ``pg_stat_database`` over each run, and its
ceiling from one connection committing single-row updates as fast as it can.

CPU per step, worker against local apply: one tenant's 2,000 disbands with no limit, applied by one worker (the
PostgreSQL journal, the queue) and by ``imgroup apply --journal`` (SQLite), each process's CPU net of its
start-up, over the steps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._cli import main
from ._emulator import EmulatorAdmin, emulator_process
from ._interpreter import child_environment
from ._rows import Row, Summary

MEASUREMENT = "12. workers"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PER_SECOND = 50
APP_ID = "cli_bench_store"
APP_SECRET = "bench-store-secret"
TARGET_SPEED_UP = 1.6
TARGET_CPU_RATIO = 1.5
UNLIMITED = 1_000_000
IMGROUP = [sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())"]
LOCAL_START_UP = "import imgroup.cli, imgroup.plans._run, imgroup.groups._feishu"
WORKER_START_UP = f"{LOCAL_START_UP}, imgroup.workers._partition_run, procrastinate, psycopg"
RUN_TIMEOUT_S = 1800


class RunFailed(RuntimeError):
    """A run did not finish every step: its figures would mean nothing."""


def tenants(partitions: int) -> list[str]:
    return [f"tk_bench_{index:02d}" for index in range(partitions)]


def chat_id(tenant: str, index: int) -> str:
    return f"oc_{tenant}_{index:04d}"


def seed_for(partitions: int, per_partition: int) -> dict[str, Any]:
    return {
        "feishu": {
            "apps": [{"app_id": APP_ID, "app_secret": APP_SECRET, "app_type": "store", "tenants": tenants(partitions)}],
            "chats": [
                {"chat_id": chat_id(tenant, index), "owner": APP_ID, "tenant": tenant}
                for tenant in tenants(partitions)
                for index in range(per_partition)
            ],
        }
    }


def write_plan(path: Path, partitions: int, per_partition: int, *, tag: str) -> int:
    from imgroup.groups import GroupRef
    from imgroup.plans._plan import Step
    from imgroup.plans._plan import write_plan as write

    steps = [
        Step("disband", GroupRef("feishu", chat_id(tenant, index)), planned_on={"member_count": 1}, app=APP_ID,
             tenant=tenant)
        for tenant in tenants(partitions)
        for index in range(per_partition)
    ]  # fmt: skip
    header = {"imgroup_plan": 1, "id": f"bench-{tag}-{time.time_ns()}", "kind": "sweep", "asked": {},
              "apps": {"feishu": APP_ID}, "tenants": {"feishu": tenants(partitions)}}  # fmt: skip
    write(path, header, steps)
    return len(steps)


def environment(scratch: Path) -> dict[str, str]:
    """The store app's settings, its ticket store the one the emulator's process puts the tickets in."""
    config = scratch / "config.toml"
    config.write_text("", encoding="utf-8")
    inherited = {
        name: value for name, value in child_environment().items() if not name.startswith(("FEISHU_", "IMGROUP_"))
    }
    return {
        **inherited, "IMGROUP_CONFIG": str(config), "FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET,
        "FEISHU_APP_TYPE": "store", "FEISHU_TICKETS": str(tickets_path(scratch)),
    }  # fmt: skip


def tickets_path(scratch: Path) -> Path:
    return scratch / "feishu-tickets.sqlite3"


def _run(command: Sequence[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RunFailed(
            f"{' '.join(command[3:6])} exited {done.returncode}:\n{done.stdout[-1500:]}{done.stderr[-1500:]}"
        )
    return done.stdout


def _cpu_of(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command`` to its end: its wall seconds and CPU seconds."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RunFailed(f"{' '.join(command[3:6])} exited {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def start_up_cpu(code: str, env: dict[str, str]) -> float:
    """The CPU of a process that imports what ``code`` does and ends."""
    _cpu_of([sys.executable, "-c", code], env)  # fills the bytecode cache
    return _cpu_of([sys.executable, "-c", code], env)[1]


def commits(db: Any) -> int:
    row = db.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetchone()
    return int(row[0])


def run_on_workers(
    admin: EmulatorAdmin, url: str, scratch: Path, partitions: int, per_partition: int, workers: int, per_second: int
) -> dict[str, float]:
    """Submit the plan, run ``workers`` worker processes until every step is done: wall, CPU, commits."""
    import psycopg

    from imgroup.workers._store import connect, counts

    admin.restart_with(
        seed_for(partitions, per_partition), rate_limits={"get_chat": per_second, "disband_chat": per_second}
    )
    env = environment(scratch)
    plan = scratch / f"plan-{time.time_ns()}.jsonl"
    steps = write_plan(plan, partitions, per_partition, tag=f"{workers}w")
    client_limit = "0" if per_second >= UNLIMITED else str(per_second)  # 0: no client-side limiter, as run_locally
    _run([*IMGROUP, "apply", str(plan), "--queue", url, "--rate-limit", client_limit], env)
    from imgroup.plans._plan import read_plan

    plan_id = read_plan(plan).id
    concurrency = max(1, partitions // workers)
    # The progress is read in one transaction that never commits (read committed: each statement sees the
    # latest commits), so that the polling adds nothing to the commits counted.
    with connect(url) as counter, psycopg.connect(url) as watcher:
        before = commits(counter)
        start = time.perf_counter()
        children = [
            subprocess.Popen(
                [*IMGROUP, "worker", "--queue", url, "--concurrency", str(concurrency), "--base-url", admin.base_url],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            while (done := counts(watcher, plan_id))["done"] + done["failed"] + done["skipped"] < steps:
                if time.perf_counter() - start > RUN_TIMEOUT_S:
                    raise RunFailed(f"not finished after {RUN_TIMEOUT_S} s: {done}")
                stopped = watcher.execute(
                    "SELECT tenant, stopped_by FROM imgroup_partitions WHERE plan_id = %s AND state = 'stopped'",
                    (plan_id,),
                ).fetchall()
                if stopped:  # its steps will not be done: say why now, rather than at the timeout
                    raise RunFailed(f"{len(stopped)} partitions stopped, {stopped[0][0]!r} on {stopped[0][1]}")
                time.sleep(0.2)
            after = commits(counter)
        finally:
            cpu = 0.0
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                _, _, usage = os.wait4(child.pid, 0)
                cpu += usage.ru_utime + usage.ru_stime
        span = watcher.execute(
            "SELECT extract(epoch FROM max(updated_at) - min(updated_at)) FROM imgroup_steps WHERE plan_id = %s",
            (plan_id,),
        ).fetchone()
        watcher.rollback()
    if done["done"] != steps:
        raise RunFailed(f"not every step was done: {done}")
    # From the first step's end to the last's: the workers' start-up (a few seconds under load) left out.
    seconds = float(span[0]) * steps / (steps - 1) if span and span[0] else time.perf_counter() - start
    return {"steps": steps, "seconds": seconds, "cpu": cpu, "commits": after - before}


def run_locally(admin: EmulatorAdmin, scratch: Path, count: int) -> float:
    """The local apply's CPU over ``count`` unlimited disbands of one app, net of start-up."""
    admin.restart_with(seed_for(1, count), rate_limits={"get_chat": UNLIMITED, "disband_chat": UNLIMITED})
    env = {**environment(scratch), "FEISHU_BASE_URL": admin.base_url}
    plan = scratch / f"local-{time.time_ns()}.jsonl"
    write_plan(plan, 1, count, tag="local")
    _, cpu = _cpu_of(
        [*IMGROUP, "apply", str(plan), "--journal", str(plan.with_suffix(".sqlite")), "--rate-limit", "0"], env
    )
    return cpu


def commit_ceiling(url: str, seconds: float) -> float:
    """Commits a second of one connection updating one row, each update its own transaction."""
    from imgroup.workers._store import connect

    with connect(url) as db:
        db.execute("CREATE TABLE IF NOT EXISTS bench_commits (id INTEGER PRIMARY KEY, n INTEGER)")
        db.execute("INSERT INTO bench_commits VALUES (1, 0) ON CONFLICT DO NOTHING")
        made, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            db.execute("UPDATE bench_commits SET n = n + 1 WHERE id = 1")
            made += 1
        return made / (time.perf_counter() - start)


def run(quick: bool) -> list[Row]:
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.postgres_server import PostgresServer, find_bindir

    partitions, per_partition, runs, local_count = (4, 10, 1, 40) if quick else (20, 500, 3, 2_000)
    server = PostgresServer(find_bindir())
    server.start()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="imgroup-bench-workers-") as name,
            emulator_process(tickets_path(Path(name))) as admin,
        ):
            scratch = Path(name)
            local_start_up = start_up_cpu(LOCAL_START_UP, environment(scratch))
            worker_start_up = start_up_cpu(WORKER_START_UP, environment(scratch))
            by_workers: dict[int, list[dict[str, float]]] = {1: [], 2: []}
            for _ in range(runs):
                for workers in (1, 2):
                    by_workers[workers].append(
                        run_on_workers(
                            admin, server.database(), scratch, partitions, per_partition, workers, PER_SECOND
                        )
                    )
            worker_cpu, local_cpu = [], []
            for _ in range(runs):
                one = run_on_workers(admin, server.database(), scratch, 1, local_count, 1, UNLIMITED)
                worker_cpu.append((one["cpu"] - worker_start_up) / one["steps"] * 1e6)
                local_cpu.append((run_locally(admin, scratch, local_count) - local_start_up) / local_count * 1e6)
            ceiling = Summary.of([commit_ceiling(server.database(), 1.0 if quick else 5.0) for _ in range(runs)])
    finally:
        server.stop()
    limit_sum = partitions * PER_SECOND
    subject = f"{partitions} tenants × {per_partition} disbands, {PER_SECOND}/s per tenant and operation"
    rates = {
        workers: Summary.of([job["steps"] / job["seconds"] for job in jobs]) for workers, jobs in by_workers.items()
    }
    shares = {
        workers: Summary.of([job["steps"] / job["seconds"] / limit_sum * 100 for job in jobs])
        for workers, jobs in by_workers.items()
    }
    commit_rate = Summary.of([job["commits"] / job["seconds"] for job in by_workers[2]])
    per_step = Summary.of([job["commits"] / job["steps"] for job in by_workers[2]])
    speed_up = rates[2].median / rates[1].median
    worker, local = Summary.of(worker_cpu), Summary.of(local_cpu)
    cpu_ratio = worker.median / local.median
    return [
        Row(MEASUREMENT, f"{subject}: 1 worker process", "steps per second", "steps/s", rates[1],
            note=f"the limits sum to {limit_sum:,} steps/s"),
        Row(MEASUREMENT, f"{subject}: 1 worker process", "share of the limits' sum", "%", shares[1]),
        Row(MEASUREMENT, f"{subject}: 2 worker processes", "steps per second", "steps/s", rates[2],
            f"{subject}: 1 worker process", speed_up, f"≥ {TARGET_SPEED_UP:g}×", speed_up >= TARGET_SPEED_UP,
            note="2 cores shared with the emulator, PostgreSQL and the machine's other load"),
        Row(MEASUREMENT, f"{subject}: 2 worker processes", "share of the limits' sum", "%", shares[2]),
        Row(MEASUREMENT, f"{subject}: 2 worker processes", "PostgreSQL commits per second", "commits/s", commit_rate),
        Row(MEASUREMENT, f"{subject}: 2 worker processes", "PostgreSQL commits per step", "commits", per_step),
        Row(MEASUREMENT, "one connection, single-row updates", "PostgreSQL commits per second (ceiling)", "commits/s",
            ceiling, note="the bench's server runs with fsync off"),
        Row(MEASUREMENT, f"{local_count:,} disbands of one tenant, unlimited", "CPU of imgroup apply (SQLite journal) per step",
            "µs", local),
        Row(MEASUREMENT, f"{local_count:,} disbands of one tenant, unlimited", "CPU of a worker (PostgreSQL journal) per step",
            "µs", worker, "local apply", cpu_ratio, f"≤ {TARGET_CPU_RATIO:g}×", cpu_ratio <= TARGET_CPU_RATIO),
    ]  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
