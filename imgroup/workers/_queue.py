"""The queue on procrastinate: one job per partition, the workers that run them, and the retry of stalled ones.

Why procrastinate holds the guarantees: a job's ``lock`` keeps two jobs of one partition from running at
once, and its workers' heartbeats say when a worker died with a job
``doing``. It does not retry such a job by itself, so every worker runs ``retry_stalled``: a job whose worker
has sent no heartbeat for ``stalled_after_s`` goes back to ``todo``, but only once its partition's advisory
lock is free. The running job holds that lock on a connection of its own, which PostgreSQL releases the
moment the process dies, so a worker that is alive but late with its heartbeat keeps its partition: no two
processes ever carry out a partition's steps at once.

The bound: a SIGKILLed worker's partition starts again on another worker at most ``stalled_after_s`` and a
heartbeat, a look and a fetch (each a fifth of it) after the kill: 16 s by default, given a worker free.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ._partition import Partition

if TYPE_CHECKING:
    import procrastinate
    import psycopg

TASK_NAME = "imgroup.apply_partition"
QUEUE = "imgroup"
STALLED_AFTER_S = 10.0  # ``imgroup worker --stalled-after``'s default


@frozen
class WorkerOptions:
    """What a worker process was started with: the queue, and where it finds credentials."""

    url: str
    profile: str | None = None
    base_url: str | None = None
    stalled_after_s: float = STALLED_AFTER_S  # a job's worker silent this long is dead, once its lock is free

    @property
    def poll_s(self) -> float:
        """How often the worker sends its heartbeat, looks for stalled jobs and polls for new ones."""
        return self.stalled_after_s / 5


def job_lock(plan_id: str, partition: Partition) -> str:
    """The procrastinate lock (and queueing lock) of a partition's job, and the key of its advisory lock."""
    return f"{plan_id}/{partition.lock}"


def make_app(options: WorkerOptions, *, concurrency: int = 1) -> procrastinate.App:
    """A procrastinate app on the queue with the partition task registered, running ``concurrency`` at once.

    Each partition runs on a thread of its own, in an event loop of its own: its journal's writes wait for
    PostgreSQL synchronously (as the local apply's wait for SQLite), and so hold up only that partition, not
    every partition of the process and the worker's heartbeat."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=options.url))
    threads = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="imgroup-partition")

    async def apply_partition(plan_id: str, vendor: str, app_id: str, tenant: str, retry_failed: bool) -> None:
        from ._partition_run import run_partition

        partition = Partition(vendor, app_id, tenant)
        run = functools.partial(run_partition, options, plan_id, partition, retry_failed=retry_failed)
        await asyncio.get_running_loop().run_in_executor(threads, lambda: asyncio.run(run()))

    app.task(name=TASK_NAME, queue=QUEUE)(apply_partition)
    return app


async def enqueue(options: WorkerOptions, plan_id: str, partitions: list[Partition], *, retry_failed: bool) -> int:
    """A job for each partition that has none waiting; how many were added.

    No ``queueing_lock``: a dead worker's job, put back to ``todo`` by ``retry_stalled``, must not collide with
    one queued since; a second job waiting for a partition finds nothing left to do."""
    added = 0
    async with make_app(options).open_async() as app:
        for partition in partitions:
            lock = job_lock(plan_id, partition)
            if list(await app.job_manager.list_jobs_async(lock=lock, status="todo")):
                continue  # one waits already: it will run the steps left
            await app.configure_task(TASK_NAME, lock=lock, queue=QUEUE).defer_async(
                plan_id=plan_id,
                vendor=partition.vendor,
                app_id=partition.app,
                tenant=partition.tenant,
                retry_failed=retry_failed,
            )
            added += 1
    return added


async def run_worker(options: WorkerOptions, *, concurrency: int) -> None:
    """Run partitions, ``concurrency`` at once, until SIGINT or SIGTERM (running partitions finish first)."""
    async with make_app(options, concurrency=concurrency).open_async() as app:
        retrying = asyncio.create_task(retry_stalled(app, options))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                name=f"imgroup@{socket.gethostname()}:{os.getpid()}",
                update_heartbeat_interval=options.poll_s,
                stalled_worker_timeout=options.stalled_after_s,
                fetch_job_polling_interval=options.poll_s,
            )
        finally:
            retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retrying


async def retry_stalled(app: procrastinate.App, options: WorkerOptions) -> None:
    """Every few seconds, put back the partition jobs of dead workers (see the module's docstring)."""
    import psycopg
    from procrastinate.exceptions import ProcrastinateException

    async with await psycopg.AsyncConnection.connect(options.url, autocommit=True) as db:
        while True:
            await asyncio.sleep(options.poll_s)
            stalled = await app.job_manager.get_stalled_jobs(
                task_name=TASK_NAME, seconds_since_heartbeat=options.stalled_after_s
            )
            for job in stalled:
                if job.lock is None or not await _lock_is_free(db, job.lock):
                    continue  # its worker still holds the partition: alive, only late with its heartbeat
                with contextlib.suppress(ProcrastinateException):  # another worker put it back first
                    await app.job_manager.retry_job(job)


async def _lock_is_free(db: psycopg.AsyncConnection[Any], lock: str) -> bool:
    row = await (await db.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (lock,))).fetchone()
    if row is None or not row[0]:
        return False
    await db.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (lock,))
    return True
