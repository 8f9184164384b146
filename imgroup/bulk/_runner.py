"""Running a job's items: a fixed number of asyncio workers share one async client, paced by its rate limiter.

Each worker takes the next item, records it in flight, calls the client (which validates, signs, rate limits
and retries), then records the outcome before it takes another. A kill between the two records leaves the
item in flight, and the next run sends it again. The client's connection pool is sized to the workers
(``imgroup.jobs.job_transport``).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from imgroup.jobs import STOPPING_CATEGORIES, Item, Journal, Outcome, failure_of

from ._jobs import Job

DEFAULT_CONCURRENCY = 16


def outcome_of_error(job: Job, errors: ModuleType, error: Exception, *, resumed: bool = False) -> Outcome:
    """The outcome of a call that raised one of the client's errors about the call (not ValidationError).

    ``resumed``: the item was in flight when an earlier run stopped, so that run's call may have done the work.

    The categories are the spec's (``already_gone``, ``rate_limited``, ...) for vendor answers, and
    ``timeout``, ``no_answer`` or ``bad_response`` when the vendor never gave one.
    """
    if isinstance(error, errors.ApiError):
        if job.is_done_by(error.code, resumed=resumed):
            # Found done at the first attempt of this run: an earlier, interrupted run (or someone else) did it.
            status, already_gone = "done", True
        else:
            status, already_gone = "failed", False
        return Outcome(
            status,
            already_gone,
            code=error.code,
            category=error.category,
            message=error.message,
            request_id=error.request_id,
        )
    return failure_of(errors, error)


def outcome_of_result(result: Any) -> Outcome:
    """The outcome of a call that returned: whether a retry found the group gone, and ids not in the chat."""
    not_removed = getattr(result, "invalid_id_list", None)
    return Outcome(
        "done",
        already_gone=bool(getattr(result, "already_gone", False)),
        message="not in the chat: " + ", ".join(not_removed) if isinstance(not_removed, list) and not_removed else None,
        request_id=getattr(result, "request_id", None),
        attempts=getattr(result, "attempts", None),
    )


async def perform(job: Job, client: Any, errors: ModuleType, item: Item, *, resumed: bool = False) -> Outcome:
    """Call the client's method for one item and describe what happened (``resumed``: see outcome_of_error)."""
    method = getattr(client, job.operation)
    try:
        result = await method(**item.arguments)
    except (errors.ApiError, errors.ApiConnectionError, errors.ResponseFormatError) as error:
        return outcome_of_error(job, errors, error, resumed=resumed)
    return outcome_of_result(result)


async def run_items(
    job: Job,
    client: Any,
    journal: Journal,
    items: Iterable[Item],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: Callable[[Item, Outcome], None] = lambda item, outcome: None,
) -> Outcome | None:
    """Run ``items`` with ``concurrency`` workers, journaling each start and outcome as it happens.

    Returns None when every item ran, or the outcome that stopped the job early (credentials refused); the items
    not taken stay pending for the next run.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1 (got {concurrency})")
    errors = importlib.import_module(f"{job.package}.errors")
    resumed = journal.interrupted()  # read before this run marks any item in flight
    queue = iter(items)  # shared by the workers: taking the next item never awaits, so no two take the same one
    stopped_by: list[Outcome] = []

    async def worker() -> None:
        while not stopped_by and (item := next(queue, None)) is not None:
            journal.start(item.key)
            outcome = await perform(job, client, errors, item, resumed=item.key in resumed)
            journal.finish(item.key, outcome)
            on_outcome(item, outcome)
            if outcome.category in STOPPING_CATEGORIES:
                stopped_by.append(outcome)

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return stopped_by[0] if stopped_by else None
