"""Running a job's items: a fixed number of asyncio workers share one async client, paced by its rate limiter.

Each worker takes the next item, records it in flight, calls the client (which validates, signs, rate limits
and retries), then records the outcome before it takes another. A kill between the two records leaves the
item in flight, and the next run sends it again. The client's connection pool is sized to the workers
(``imgroup.jobs.job_transport``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from imgroup.errors import ApiConnectionError, ApiError, ImgroupError, ResponseFormatError
from imgroup.jobs import Item, Journal, Outcome, Stopper, failure_of
from imgroup.runtime import AsyncClient, Disbanded

from ._jobs import Job

DEFAULT_CONCURRENCY = 16


def outcome_of_error(job: Job, error: ImgroupError, *, resumed: bool = False) -> Outcome:
    """The outcome of a call that raised one of the client's errors about the call (not ValidationError).

    ``resumed``: the item was in flight when an earlier run stopped, so that run's call may have done the work.

    The categories are the spec's (``already_gone``, ``rate_limited``, ...) for vendor answers, and
    ``timeout``, ``no_answer`` or ``bad_response`` when the vendor never gave one.
    """
    if isinstance(error, ApiError):
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
    return failure_of(error)


def outcome_of_result(result: object) -> Outcome:
    """The outcome of a call that returned: whether a retry found the group gone, and ids not in the chat."""
    if isinstance(result, Disbanded):
        return Outcome("done", already_gone=result.already_gone, request_id=result.request_id, attempts=result.attempts)
    # Feishu's remove_chat_members answers the ids it did not find in the chat.
    not_removed = getattr(result, "invalid_id_list", None)
    message = "not in the chat: " + ", ".join(not_removed) if isinstance(not_removed, list) and not_removed else None
    return Outcome("done", message=message)


async def perform(job: Job, client: AsyncClient, item: Item, *, resumed: bool = False) -> Outcome:
    """Call the client's method for one item and describe what happened (``resumed``: see outcome_of_error)."""
    try:
        result = await job.perform(client, item.arguments)
    except (ApiError, ApiConnectionError, ResponseFormatError) as error:
        return outcome_of_error(job, error, resumed=resumed)
    return outcome_of_result(result)


async def run_items(
    job: Job,
    client: AsyncClient,
    journal: Journal,
    items: Iterable[Item],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: Callable[[Item, Outcome], None] = lambda item, outcome: None,
    scrub: Callable[[str], str] = lambda text: text,
) -> Outcome | None:
    """Run ``items`` with ``concurrency`` workers, journaling each start and outcome as it happens.

    Returns None when every item ran, or the outcome that stopped the job early (credentials refused, the host
    unreachable item after item: ``imgroup.jobs.Stopper``); the items not taken stay pending for the next run.
    ``scrub`` cleans each outcome's message before it is journaled.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1 (got {concurrency})")
    resumed = journal.interrupted()  # read before this run marks any item in flight
    queue = iter(items)  # shared by the workers: taking the next item never awaits, so no two take the same one
    stopper = Stopper()

    async def worker() -> None:
        while stopper.stopped_by is None and (item := next(queue, None)) is not None:
            journal.start(item.key)
            outcome = (await perform(job, client, item, resumed=item.key in resumed)).scrubbed(scrub)
            journal.finish(item.key, outcome)
            on_outcome(item, outcome)
            stopper.note(outcome)

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return stopper.stopped_by
