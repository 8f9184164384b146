"""Applying a plan: every step at most once, journaled as bulk jobs are (``imgroup.jobs``), concurrently across vendors.

A group's steps run in order (ownership moves before its old owner is removed) and stop at the first that
fails, leaving the rest pending; different groups run concurrently, on a fixed number of workers per vendor,
each vendor paced by its own client's rate limiter. Each step is journaled in flight before its first call
and with its outcome after, so a killed run resumes where it was: a step caught in flight runs again and finds
its work done (``_steps`` makes every step idempotent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from attrs import frozen

from imgroup import errors
from imgroup.groups import ActionResult, Adapter, Happened
from imgroup.groups._flow import run_async
from imgroup.jobs import Entry, Item, Outcome, Stopper, failure_of

from ._plan import Plan, Step, chains
from ._steps import carry_out

if TYPE_CHECKING:
    from imgroup.runtime import AsyncClient

DEFAULT_CONCURRENCY = 16
CHANGED_SINCE_PLAN = "changed_since_plan"


class StepJournal(Protocol):
    """Where an apply records its steps: the local SQLite journal (``imgroup.jobs.Journal``), or a partition's
    rows in PostgreSQL when workers apply the plan (``imgroup.workers``)."""

    def entries(self) -> Iterable[Entry]: ...

    def to_run(self, *, retry_failed: bool) -> list[str]: ...

    def start(self, key: str) -> None: ...

    def finish(self, key: str, outcome: Outcome) -> None: ...


@frozen
class VendorRun:
    """One vendor's part of an apply: its adapter and its async client (whose limiter paces the calls)."""

    adapter: Adapter
    client: AsyncClient


def job_name(plan: Plan) -> str:
    """Ties a journal to one plan: another plan's journal is refused rather than resumed."""
    return f"plan {plan.id}"


def journal_items(plan: Plan) -> list[Item]:
    """The plan's steps as the journal's items (a step edited after the apply began no longer matches)."""
    return [Item(step.key, step.line, step.to_json()) for step in plan.steps]


def outcome_of(result: ActionResult) -> Outcome:
    """A step's journal outcome: done (already done counts as done), or skipped as changed since plan."""
    if result.happened is Happened.CHANGED:
        return Outcome("skipped", category=CHANGED_SINCE_PLAN, message=result.detail)
    already = result.happened is Happened.ALREADY_DONE
    return Outcome("done", already_gone=already, message=result.detail, request_id=result.request_id)


async def perform(run: VendorRun, step: Step) -> Outcome:
    """Carry out one step and describe what happened; an error about the call is a failed outcome."""
    try:
        result = await run_async(run.client, run.adapter.entry, carry_out(run.adapter, step))
    except errors.ValidationError as error:
        return Outcome("failed", category="invalid_argument", message=str(error))
    except (errors.ApiError, errors.ApiConnectionError, errors.ResponseFormatError) as error:
        return failure_of(error)
    return outcome_of(result)


def runnable_chains(plan: Plan, journal: StepJournal, *, retry_failed: bool) -> dict[str, list[list[Step]]]:
    """Per vendor, each group's steps still to run, in order, cut before a step whose earlier one failed."""
    statuses = {entry.key: entry.status for entry in journal.entries()}
    to_run = set(journal.to_run(retry_failed=retry_failed))
    by_vendor: dict[str, list[list[Step]]] = {}
    for chain in chains(plan.steps):
        runnable: list[Step] = []
        for step in chain:
            if step.key in to_run:
                runnable.append(step)
            elif statuses[step.key] == "failed":
                break  # not retried this time: the group's later steps wait for it
        if runnable:
            by_vendor.setdefault(chain[0].vendor, []).append(runnable)
    return by_vendor


async def run_plan(
    plan: Plan,
    runs: Mapping[str, VendorRun],
    journal: StepJournal,
    *,
    retry_failed: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: Callable[[Step, Outcome], None] = lambda step, outcome: None,
    scrub: Callable[[str], str] = lambda text: text,
) -> dict[str, Outcome]:
    """Run the plan's steps still to run; returns, per vendor, the outcome that stopped it early (credentials
    refused, the host unreachable step after step: ``imgroup.jobs.Stopper``), if any. Steps not reached stay
    pending for the next run. ``scrub`` cleans each outcome's message before it is journaled."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1 (got {concurrency})")
    stoppers = {vendor: Stopper() for vendor in runs}

    async def worker(vendor: str, queue: Iterator[list[Step]]) -> None:
        run, stopper = runs[vendor], stoppers[vendor]
        # Taking the next chain never awaits, so no two workers take the same one.
        while stopper.stopped_by is None and (chain := next(queue, None)) is not None:
            for step in chain:
                journal.start(step.key)
                outcome = (await perform(run, step)).scrubbed(scrub)
                journal.finish(step.key, outcome)
                on_outcome(step, outcome)
                stopper.note(outcome)
                if outcome.status == "failed":
                    break

    async with asyncio.TaskGroup() as group:
        for vendor, vendor_chains in runnable_chains(plan, journal, retry_failed=retry_failed).items():
            queue = iter(vendor_chains)
            for _ in range(min(concurrency, len(vendor_chains))):
                group.create_task(worker(vendor, queue))
    return {vendor: stopper.stopped_by for vendor, stopper in stoppers.items() if stopper.stopped_by is not None}


def steps_to_run(plan: Plan, journal: StepJournal, *, retry_failed: bool) -> Sequence[Step]:
    """Every step this run would take, group by group."""
    by_vendor = runnable_chains(plan, journal, retry_failed=retry_failed)
    return [step for vendor_chains in by_vendor.values() for chain in vendor_chains for step in chain]
