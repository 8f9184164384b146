"""One partition's job on a worker: fence it, find its credentials, and run its steps as the local apply does.

Only the journal and the dispatch differ from ``imgroup apply`` without a queue: the steps are carried out by
``imgroup.plans._apply.run_plan`` (re-read, re-check, act; a step caught in flight re-checked and counted done
when the vendor shows it done), journaled in the partition's rows (``PartitionJournal``).
"""

from __future__ import annotations

from imgroup.jobs import Outcome
from imgroup.plans._apply import run_plan
from imgroup.plans._run import vendor_run
from imgroup.settings import SettingsError

from ._credentials import settings_for
from ._partition import Partition
from ._queue import WorkerOptions, job_lock
from ._store import PartitionJournal, connect, partition_plan, run_options, set_state


async def run_partition(options: WorkerOptions, plan_id: str, partition: Partition, *, retry_failed: bool) -> None:
    """Carry out the partition's steps still to run; record whether it finished or what stopped it."""
    import psycopg

    from imgroup.cli._scrub import Scrubber, secrets_of

    lock = job_lock(plan_id, partition)
    async with await psycopg.AsyncConnection.connect(options.url, autocommit=True) as fence:
        # Waits while a worker still runs the partition (retried while alive); held until this job ends, and
        # released by PostgreSQL the moment this process dies.
        await fence.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (lock,))
        with connect(options.url) as db:
            _, apply_options = run_options(db, plan_id)
            plan = partition_plan(db, plan_id, partition)
            try:
                settings = settings_for(partition, profile=options.profile, base_url=options.base_url)
                run = vendor_run(
                    plan,
                    settings,
                    apply_options["max_retries"],
                    apply_options["rate_limit"],
                    apply_options["concurrency"],
                )
            except (SettingsError, ValueError) as error:
                set_state(db, plan_id, partition, "stopped", Outcome("failed", category="settings", message=str(error)))
                return
            set_state(db, plan_id, partition, "running")
            async with run.client:
                stopped = await run_plan(
                    plan,
                    {partition.vendor: run},
                    PartitionJournal(db, plan_id, partition),
                    retry_failed=retry_failed,
                    concurrency=apply_options["concurrency"],
                    scrub=Scrubber(secrets_of(settings)),
                )
            outcome = stopped.get(partition.vendor)
            set_state(db, plan_id, partition, "finished" if outcome is None else "stopped", outcome)
