"""``imgroup apply`` from start to end: read the plan, open the journal, make the clients, run, report."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING

from imgroup._plural import counted
from imgroup.jobs import Journal, JournalError, Outcome, ProgressView, job_transport, progress_view, report_format

from ._apply import VendorRun, job_name, journal_items, run_plan, steps_to_run
from ._plan import Plan, PlanError, Step, read_plan
from ._report import outcome_summary, write_report

if TYPE_CHECKING:
    from imgroup.runtime.registry import VendorEntry

EXIT_DONE, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def apply_plan(
    *,
    plan_path: Path,
    journal_path: Path,
    report_path: Path | None,
    dry_run: bool,
    retry_failed: bool,
    concurrency: int,
    max_retries: int,
    rate_limit: int | None,
    base_url: str | None,
    profile: str | None,
    echo: Callable[[str], None],
    progress_stream: IO[str],
) -> int:
    """Apply (or, with ``dry_run``, describe) the plan at ``plan_path``; returns the exit status."""

    def fail(message: str) -> int:
        print(f"imgroup apply: {message}", file=sys.stderr)
        return EXIT_USAGE

    if report_path is not None:
        try:
            report_format(report_path)
        except ValueError as error:
            return fail(f"--report: {error}")
    try:
        plan = read_plan(plan_path)
    except PlanError as error:
        return fail(str(error))
    if dry_run:
        return _describe(plan, journal_path, echo, fail)
    from imgroup.settings import SettingsError

    try:
        runs = _vendor_runs(
            plan,
            profile=profile,
            base_url=base_url,
            max_retries=max_retries,
            rate_limit=rate_limit,
            concurrency=concurrency,
        )
    except (SettingsError, ValueError) as error:  # a client's ValidationError is a ValueError
        return fail(str(error))
    try:
        journal = Journal.open(journal_path, job_name(plan), journal_items(plan))
    except JournalError as error:
        return fail(str(error))
    with journal:
        todo = steps_to_run(plan, journal, retry_failed=retry_failed)
        echo(f"plan {plan_path}: {counted(len(plan.steps), 'step')}, {len(todo)} to run; journal {journal_path}")
        if todo:
            view = progress_view(len(todo), f"apply {plan_path.name}", progress_stream)
            try:
                stopped = asyncio.run(_run(plan, runs, journal, retry_failed, concurrency, view))
            except KeyboardInterrupt:
                echo("interrupted: every finished step is in the journal; run the same command again to resume")
                return EXIT_INTERRUPTED
            for vendor, outcome in stopped.items():
                echo(f"stopped {vendor}: credentials refused ([{outcome.code}] {outcome.message}); fix them, then "
                     "re-run with --retry-failed")  # fmt: skip
        counts = journal.counts()
        if report_path is not None:
            write_report(report_path, plan, journal.entries())
    echo(outcome_summary(counts) + (f"; report {report_path}" if report_path is not None else ""))
    for vendor, note in sorted((plan.header.get("cannot_see") or {}).items()):
        echo(f"not seen when planning, on {vendor}: {note}")
    for vendor, groups in sorted((plan.header.get("unreadable") or {}).items()):
        echo(
            f"could not be read when planning, on {vendor}: {counted(len(groups), 'group')} (listed in the plan's header)"
        )
    if counts["failed"] and not retry_failed:
        echo("re-run with --retry-failed to try the failed steps again")
    finished = counts["done"] + counts["skipped"]
    return EXIT_DONE if finished == len(plan.steps) else EXIT_SOME_FAILED


def _vendor_runs(
    plan: Plan,
    *,
    profile: str | None,
    base_url: str | None,
    max_retries: int,
    rate_limit: int | None,
    concurrency: int,
) -> dict[str, VendorRun]:
    """One async client per vendor of the plan, on the app the plan was made on (another app is refused).

    Each client's connection pool holds as many connections as the vendor's groups run at once, as a bulk job's.
    """
    from imgroup.groups import adapter_for
    from imgroup.settings import SettingsError, load_settings, make_client

    planned_apps: Mapping[str, object] = plan.header.get("apps") or {}
    runs = {}
    for vendor in plan.vendors():
        settings = load_settings(vendor, profile=profile, base_url=base_url)
        adapter = adapter_for(vendor)
        app = adapter.app_of(settings.credentials)
        planned = planned_apps.get(vendor)
        if planned is not None and app is not None and str(app) != str(planned):
            raise SettingsError(
                f"the plan was made on {vendor} app {planned}, but the settings name app {app}: "
                "apply it with that app's credentials"
            )
        limits = client_rate_limit(adapter.entry, rate_limit)
        runs[vendor] = VendorRun(
            adapter,
            make_client(
                settings,
                asynchronous=True,
                max_retries=max_retries,
                rate_limit=limits,
                transport=job_transport(concurrency),
            ),
        )
    return runs


def client_rate_limit(entry: VendorEntry, calls_per_second: int | None) -> bool | dict[str, float]:
    """The client's ``rate_limit``: the documented limits (None), none (0), or ``calls_per_second`` for every
    operation of the vendor ``entry`` (a documented per-minute limit still applies on top)."""
    if calls_per_second is None:
        return True
    if calls_per_second == 0:
        return False
    return dict.fromkeys(entry.operations, float(calls_per_second))


async def _run(
    plan: Plan,
    runs: Mapping[str, VendorRun],
    journal: Journal,
    retry_failed: bool,
    concurrency: int,
    progress: ProgressView,
) -> dict[str, Outcome]:
    async with AsyncExitStack() as stack:
        for run in runs.values():
            await stack.enter_async_context(run.client)
        with progress:

            def advance(step: Step, outcome: Outcome) -> None:
                progress.advance(outcome)

            stopped = await run_plan(
                plan, runs, journal, retry_failed=retry_failed, concurrency=concurrency, on_outcome=advance
            )
    return stopped


def _describe(plan: Plan, journal_path: Path, echo: Callable[[str], None], fail: Callable[[str], int]) -> int:
    from ._report import describe

    for line in describe(plan):
        echo(line)
    if not journal_path.exists():
        echo(f"dry run: no journal yet at {journal_path}: all {len(plan.steps)} steps would run")
        return EXIT_DONE
    try:
        with Journal.read(journal_path) as journal:
            journal.verify(job_name(plan), journal_items(plan))
            counts = journal.counts()
            left = len(steps_to_run(plan, journal, retry_failed=False))
    except JournalError as error:
        return fail(str(error))
    echo(f"dry run: journal {journal_path}: {outcome_summary(counts)}")
    echo(f"  would run {counted(left, 'step')} ({counts['failed']} failed ones more with --retry-failed)")
    return EXIT_DONE
