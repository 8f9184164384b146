"""``imgroup apply PLAN --queue URL [--wait]``: the plan and the report's name checked, then the plan into the queue.

Credentials are not checked here: the workers hold them (a partition whose worker has none stops, saying so).
The outcomes they journal are scrubbed of their secrets already.

With ``--wait`` the command follows the run in PostgreSQL until no job of it is left, showing progress, then
writes the same report and last lines as the local apply (``imgroup.plans._run.conclude``).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Unpack

from imgroup._plural import counted
from imgroup.jobs import Outcome, failure_lines, progress_view, report_format, why_stopped
from imgroup.plans._plan import PlanError, read_plan
from imgroup.plans._report import write_report
from imgroup.plans._run import EXIT_DONE, EXIT_INTERRUPTED, EXIT_USAGE, ApplyOptions, conclude

from ._queue import TASK_NAME, WorkerOptions, enqueue
from ._store import (
    FINISHED,
    RunError,
    connect,
    counts,
    ensure_schema,
    entries,
    outcome_from_json,
    partition_states,
    partitions_to_run,
    set_state,
    submit,
)
from ._url import queue_failure, shown_url

if TYPE_CHECKING:
    import psycopg

WAIT_EVERY_S = 1.0


def apply_via_queue(
    *,
    queue_url: str,
    wait: bool,
    echo: Callable[[str], None],
    progress_stream: IO[str],
    **options: Unpack[ApplyOptions],
) -> int:
    """Submit the plan at ``plan_path`` to the queue (and with ``wait`` follow it); returns the exit status."""
    import psycopg

    def fail(message: str) -> int:
        print(f"imgroup apply: {message}", file=sys.stderr)
        return EXIT_USAGE

    report_path = options["report_path"]
    try:
        if report_path is not None:
            report_format(report_path)
        plan = read_plan(options["plan_path"])
    except ValueError as error:
        return fail(f"--report: {error}")
    except PlanError as error:
        return fail(str(error))
    retry_failed = options["retry_failed"]
    settings = {key: options[key] for key in ("max_retries", "rate_limit", "concurrency")}
    try:
        with connect(queue_url) as db:
            ensure_schema(db)
            submit(db, plan, settings)
            partitions = partitions_to_run(db, plan.id, retry_failed=retry_failed)
            for partition in partitions:
                set_state(db, plan.id, partition, "queued")
            left = counts(db, plan.id)
        asyncio.run(enqueue(WorkerOptions(queue_url), plan.id, partitions, retry_failed=retry_failed))
    except RunError as error:
        return fail(str(error))
    except psycopg.Error as error:
        return fail(queue_failure(queue_url, error))
    to_run = left["pending"] + left["in_flight"] + (left["failed"] if retry_failed else 0)
    echo(
        f"plan {options['plan_path']}: {counted(len(plan.steps), 'step')}, {to_run} to run in "
        f"{counted(len(partitions), 'partition')}; queue {shown_url(queue_url)}"
    )
    if not wait:
        echo("the workers carry it out (imgroup worker --queue URL); follow it with: imgroup plan status --queue URL")
        return EXIT_DONE
    try:
        with connect(queue_url) as db:
            try:
                _follow(db, plan.id, to_run, progress_stream, options["plan_path"].name)
            except KeyboardInterrupt:
                echo("stopped waiting (Ctrl-C): the workers go on; follow them with imgroup plan status")
                return EXIT_INTERRUPTED
            for state in partition_states(db, plan.id):
                if state.state == "stopped" and state.stopped_by is not None:
                    echo(_why_stopped(outcome_from_json(state.stopped_by), str(state.partition)))
            if report_path is not None:
                write_report(report_path, plan, entries(db, plan.id))
            failures = failure_lines(entries(db, plan.id), noun="step")
            final = counts(db, plan.id)
    except psycopg.Error as error:
        return fail(queue_failure(queue_url, error))
    return conclude(plan, final, failures, echo, report_path=report_path, retry_failed=retry_failed)


def _follow(db: psycopg.Connection[tuple[Any, ...]], plan_id: str, to_run: int, stream: IO[str], name: str) -> None:
    """Show the run's progress until none of its jobs is waiting or running."""
    before = counts(db, plan_id)
    with progress_view(to_run, f"apply {name}", stream) as view:
        while True:
            time.sleep(WAIT_EVERY_S)
            now = counts(db, plan_id)
            for status in FINISHED:
                for _ in range(max(0, now[status] - before[status])):
                    view.advance(Outcome(status))
            before = now  # a failed step taken again leaves "failed", and counts once it ends again
            if not _jobs_left(db, plan_id):
                return


def _jobs_left(db: psycopg.Connection[tuple[Any, ...]], plan_id: str) -> bool:
    """Whether a partition job of the run is waiting or running (procrastinate's jobs table)."""
    row = db.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s AND status IN ('todo', 'doing')"
        " AND args->>'plan_id' = %s",
        (TASK_NAME, plan_id),
    ).fetchone()
    return bool(row and row[0])


def _why_stopped(outcome: Outcome, partition: str) -> str:
    """What stopped a partition: the vendor (``imgroup.jobs.why_stopped``), or a worker without its credentials."""
    if outcome.category == "settings":
        return f"stopped: {partition}: {outcome.message}"
    return why_stopped(outcome, partition)
