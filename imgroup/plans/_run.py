"""``imgroup apply`` from start to end: check everything, open the journal, make the clients, run, report.

Every check the apply makes before its first call is in ``preflight``, which the dry run goes through too: a
dry run says yes only to a plan the apply would start, and lists the steps it would run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypedDict, Unpack

from attrs import frozen

from imgroup._plural import counted
from imgroup.jobs import (
    Interrupted,
    Journal,
    JournalError,
    Outcome,
    ProgressView,
    failure_lines,
    job_transport,
    progress_view,
    report_format,
    run_interruptible,
    why_stopped,
)

from ._apply import VendorRun, job_name, journal_items, run_plan, steps_to_run
from ._plan import Plan, PlanError, Step, chains, file_digest, read_plan
from ._report import outcome_summary, write_report

if TYPE_CHECKING:
    from imgroup.runtime.registry import VendorEntry
    from imgroup.settings import VendorSettings

EXIT_DONE, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Refused(Exception):
    """The apply would be refused before its first call; the message says why (exit 2)."""


class ApplyOptions(TypedDict):
    """``imgroup apply``'s options, as the command hands them over."""

    plan_path: Path
    journal_path: Path | None
    """None: the plan goes to a queue (``imgroup.workers``), whose journal is in PostgreSQL."""
    report_path: Path | None
    retry_failed: bool
    concurrency: int
    max_retries: int
    rate_limit: int | None
    base_url: str | None
    profile: str | None


@frozen
class JournalState:
    """What an existing journal holds, and the steps a run would take from it."""

    counts: dict[str, int]
    to_run: Sequence[Step]


@frozen
class Ready:
    """A plan that passed every check the apply makes before its first call."""

    plan: Plan
    runs: dict[str, VendorRun]
    scrub: Callable[[str], str]
    state: JournalState | None
    """None: no journal yet, so every step would run."""


def preflight(**options: Unpack[ApplyOptions]) -> Ready:
    """Every check the apply makes before it sends anything: the report's name, the plan (every line), each
    vendor's credentials and client options, that they are of the app the plan was made on, and that the
    journal, if any, is this plan's and free. Raises Refused naming what is wrong."""
    from imgroup.cli._scrub import Scrubber, secrets_of
    from imgroup.settings import SettingsError, load_settings

    report_path, journal_path = options["report_path"], options["journal_path"]
    if report_path is not None:
        try:
            report_format(report_path)
        except ValueError as error:
            raise Refused(f"--report: {error}") from None
    try:
        plan = read_plan(options["plan_path"])
    except PlanError as error:
        raise Refused(str(error)) from None
    secrets: list[str] = []
    try:
        runs = {}
        for vendor in plan.vendors():
            settings = load_settings(vendor, profile=options["profile"], base_url=options["base_url"])
            secrets.extend(secrets_of(settings))
            runs[vendor] = vendor_run(
                plan, settings, options["max_retries"], options["rate_limit"], options["concurrency"]
            )
    except (SettingsError, ValueError) as error:  # a client's ValidationError is a ValueError
        raise Refused(str(error)) from None
    state = None
    if journal_path is not None and journal_path.exists():
        try:
            with Journal.read(journal_path) as journal:
                journal.verify(job_name(plan), journal_items(plan))
                to_run = steps_to_run(plan, journal, retry_failed=options["retry_failed"])
                state = JournalState(journal.counts(), to_run)
        except JournalError as error:
            raise Refused(str(error)) from None
    return Ready(plan, runs, Scrubber(secrets), state)


def apply_plan(
    *, dry_run: bool, echo: Callable[[str], None], progress_stream: IO[str], **options: Unpack[ApplyOptions]
) -> int:
    """Apply (or, with ``dry_run``, describe) the plan at ``plan_path``; returns the exit status."""

    def fail(message: str) -> int:
        print(f"imgroup apply: {message}", file=sys.stderr)
        return EXIT_USAGE

    if options["journal_path"] is None:
        return fail("give --journal (where the apply keeps its progress), or --queue to apply on workers")
    try:
        ready = preflight(**options)
    except Refused as error:
        return fail(str(error))
    plan_path, journal_path, report_path = options["plan_path"], options["journal_path"], options["report_path"]
    retry_failed, concurrency = options["retry_failed"], options["concurrency"]
    if dry_run:
        return _describe(ready, journal_path, echo, retry_failed=retry_failed)
    plan, runs, scrub = ready.plan, ready.runs, ready.scrub
    try:
        journal = Journal.open(journal_path, job_name(plan), journal_items(plan))
    except JournalError as error:
        return fail(str(error))
    interrupted: Interrupted | None = None
    with journal:
        todo = steps_to_run(plan, journal, retry_failed=retry_failed)
        echo(
            f"plan {plan_path}: {counted(len(plan.steps), 'step')}, {len(todo)} to run; journal {journal_path}; "
            f"sha256 {file_digest(plan_path)}"
        )
        if todo:
            view = progress_view(len(todo), f"apply {plan_path.name}", progress_stream)
            try:
                stopped = run_interruptible(_run(plan, runs, journal, retry_failed, concurrency, view, scrub))
            except Interrupted as error:
                interrupted, stopped = error, {}
            for vendor, outcome in stopped.items():
                echo(scrub(why_stopped(outcome, vendor)))
        counts = journal.counts()
        if report_path is not None:
            write_report(report_path, plan, journal.entries())
        failures = failure_lines(journal.entries(), noun="step", scrub=scrub)
    return conclude(plan, counts, failures, echo, report_path=report_path, retry_failed=retry_failed,
                    interrupted=interrupted)  # fmt: skip


def conclude(
    plan: Plan,
    counts: Mapping[str, int],
    failures: Sequence[str],
    echo: Callable[[str], None],
    *,
    report_path: Path | None,
    retry_failed: bool,
    interrupted: Interrupted | None = None,
) -> int:
    """The apply's last lines (the summary, failures by cause, what planning could not see) and its exit status;
    the local apply's and the queue's alike."""
    echo(outcome_summary(counts) + (f"; report {report_path}" if report_path is not None else ""))
    for line in failures:
        echo(line)
    for vendor, note in sorted((plan.header.get("cannot_see") or {}).items()):
        echo(f"not seen when planning, on {vendor}: {note}")
    for vendor, groups in sorted((plan.header.get("unreadable") or {}).items()):
        echo(
            f"could not be read when planning, on {vendor}: {counted(len(groups), 'group')} (listed in the plan's header)"
        )
    if interrupted is not None:
        echo(
            f"interrupted ({interrupted.signal_name}): every finished step is in the journal; "
            "run the same command again to resume"
        )
        return EXIT_INTERRUPTED
    if counts["failed"] and not retry_failed:
        echo("re-run with --retry-failed to try the failed steps again")
    finished = counts["done"] + counts["skipped"]
    return EXIT_DONE if finished == len(plan.steps) else EXIT_SOME_FAILED


def vendor_run(
    plan: Plan, settings: VendorSettings, max_retries: int, rate_limit: int | None, concurrency: int
) -> VendorRun:
    """The vendor's part of the apply: its adapter and an async client on the app the plan was made on (another
    app is refused). The client's connection pool holds as many connections as the vendor's groups run at once,
    as a bulk job's. A plan's steps in one tenant of a store app are applied in that tenant; several tenants are
    refused (one client, limiter and stopper per vendor here; workers run each tenant as a partition)."""
    from imgroup.groups import adapter_for
    from imgroup.runtime import tls_context
    from imgroup.settings import SettingsError, make_client

    from ._tenants import settings_in_tenant, tenants_of

    vendor = settings.vendor
    adapter = adapter_for(vendor)
    app = adapter.app_of(settings.credentials)
    planned = (plan.header.get("apps") or {}).get(vendor)
    named = {step.app for step in plan.steps if step.vendor == vendor and step.app is not None}
    if len(named | ({str(planned)} if planned is not None else set())) > 1:
        raise SettingsError(
            f"the plan covers several {vendor} apps ({', '.join(sorted(named))}): apply it with --queue, "
            "where workers take each app's credentials"
        )
    planned = next(iter(named), planned)
    if planned is not None and app is not None and str(app) != str(planned):
        raise SettingsError(
            f"the plan was made on {vendor} app {planned}, but the settings name app {app}: "
            "apply it with that app's credentials"
        )
    tenants = tenants_of(plan.steps, vendor)
    if len(tenants) > 1:
        raise SettingsError(
            f"the plan covers {len(tenants)} tenants of {vendor} app {planned}: apply it with --queue, where "
            "each tenant is a partition of its own, with its own limits"
        )
    settings = settings_in_tenant(settings, next(iter(tenants), None))
    client = make_client(
        settings,
        asynchronous=True,
        max_retries=max_retries,
        rate_limit=client_rate_limit(adapter.entry, rate_limit),
        transport=job_transport(concurrency, verify=tls_context()),
    )
    return VendorRun(adapter, client)


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
    scrub: Callable[[str], str],
) -> dict[str, Outcome]:
    async with AsyncExitStack() as stack:
        for run in runs.values():
            await stack.enter_async_context(run.client)
        with progress:

            def advance(step: Step, outcome: Outcome) -> None:
                progress.advance(outcome)

            stopped = await run_plan(
                plan, runs, journal, retry_failed=retry_failed, concurrency=concurrency, on_outcome=advance, scrub=scrub
            )
    return stopped


def _describe(ready: Ready, journal_path: Path, echo: Callable[[str], None], *, retry_failed: bool) -> int:
    """The dry run: the plan's summary, then every step the apply would run, in the order it would."""
    from ._report import describe

    plan, state = ready.plan, ready.state
    for line in describe(plan):
        echo(line)
    vendors = ", ".join(plan.vendors()) or "none"
    echo(f"dry run: the plan, the credentials ({vendors}) and the journal pass the apply's checks; nothing sent")
    if state is None:
        echo(f"  no journal yet at {journal_path}: all {counted(len(plan.steps), 'step')} would run")
        to_run: Sequence[Step] = [step for chain in chains(plan.steps) for step in chain]
    else:
        echo(f"  journal {journal_path}: {outcome_summary(state.counts)}")
        more = "" if retry_failed else f" ({state.counts['failed']} failed ones more with --retry-failed)"
        echo(f"  would run {counted(len(state.to_run), 'step')}{more}")
        to_run = state.to_run
    for step in to_run:
        echo(f"  {step_line(step)}")
    return EXIT_DONE


def step_line(step: Step) -> str:
    """``line 3: tencent transfer tencent:@TGS#1 "Sales" tencent:alice -> tencent:bob``."""
    parts = [f"line {step.line}: {step.vendor} {step.action} {step.group}"]
    if step.name:
        parts.append(f'"{step.name}"')
    if step.user is not None:
        parts.append(str(step.user))
    if step.successor is not None:
        parts.append(f"-> {step.successor}")
    return " ".join(parts)
