"""``imgroup bulk``: run one operation over many groups, resumably, from ids, CSV or JSON Lines (file or stdin).

Exit status: 0 when every item is done (already gone counts as done), 1 when some failed or were not run,
2 on a usage error or unreadable input, 130 when interrupted (re-run the same command to resume).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict, Unpack

import attrs
import click

from imgroup._plural import counted
from imgroup.jobs import (
    STDIN,
    Entry,
    InputError,
    Interrupted,
    Item,
    Journal,
    JournalError,
    Outcome,
    ProgressView,
    Source,
    failure_lines,
    iter_items,
    job_transport,
    progress_view,
    read_source,
    report_format,
    run_interruptible,
    stdin_journal_path,
    summary,
    why_stopped,
    write_report,
)
from imgroup.runtime import AsyncClient, tls_context

from ._jobs import DISBAND, REMOVE_MEMBERS, UNBIND_MEETING_CHAT, Job
from ._runner import DEFAULT_CONCURRENCY, run_items

# A bulk job retries harder than a single call (2): at a transient failure rate of a few percent, two retries
# still leave a handful of items per ten thousand for --retry-failed.
DEFAULT_BULK_MAX_RETRIES = 5
EXIT_DONE, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXAMPLES = """\b
Examples:
  imgroup bulk disband --vendor tencent --input groups.txt --report outcome.csv
  imgroup bulk disband --vendor yunxin --input teams.csv --dry-run
  imgroup bulk disband --vendor tencent --input groups.txt --retry-failed
  imgroup bulk remove-members --input members.csv --concurrency 8 --rate-limit 20
  imgroup tencent list-groups --jsonl | imgroup bulk disband --vendor tencent --input -
"""


def default_journal_path(input_path: Path, source: Source | None = None) -> Path:
    """The journal beside the input: ``groups.csv`` -> ``groups.csv.journal.sqlite``.

    For standard input, ``stdin-<SHA-256 of what was read, first 16 hex digits>.journal.sqlite`` in the user's
    state directory (``imgroup.jobs.journal_dir``; one an earlier version left in the working directory is
    still used): the same input resumes its journal, and another input (say a fresh listing, after an
    interrupted run disbanded some groups) starts its own rather than being refused as a changed input.
    """
    if input_path == STDIN:
        if source is None:
            raise ValueError("the journal of standard input is named after what was read: pass the source")
        return stdin_journal_path(source)
    return input_path.with_name(input_path.name + ".journal.sqlite")


def _job_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--input",
            "input_path",
            required=True,
            type=click.Path(path_type=Path, allow_dash=True),
            help="One id a line, CSV, or JSON Lines (as list commands print with --jsonl); - reads standard input.",
        ),
        click.option(
            "--journal",
            "journal_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Progress journal (SQLite). Default: <input>.journal.sqlite; for -, stdin-<hash>.journal.sqlite in "
            "$IMGROUP_JOURNAL_DIR or ~/.local/state/imgroup/journals.",
        ),
        click.option(
            "--fill",
            metavar="COLUMN=VALUE",
            multiple=True,
            callback=_parse_fill,
            help="Give COLUMN this value wherever the input leaves it empty (repeatable).",
        ),
        click.option("--retry-failed", is_flag=True, help="Also run the items that failed in an earlier run."),
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write every item's outcome here (.csv or .jsonl).",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Make the run's checks (input, credentials, journal), list what it would send; send nothing.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            default=DEFAULT_CONCURRENCY,
            show_default=True,
            help="Calls in flight at once.",
        ),
        click.option(
            "--rate-limit",
            type=click.IntRange(min=0),
            help="Calls per second (default: the documented limit; 0: no client-side limit).",
        ),
        click.option(
            "--max-retries",
            type=click.IntRange(min=0),
            default=DEFAULT_BULK_MAX_RETRIES,
            show_default=True,
            help="Retries per item for transient failures.",
        ),
        click.option("--base-url", help="Send to this URL instead of the vendor's (an emulator, a proxy)."),
        click.option("--profile", help="Profile of the config file to take credentials from."),
    ]
    return functools.reduce(lambda decorated, option: option(decorated), reversed(options), command)


def _parse_fill(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    fill: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{value!r} is not COLUMN=VALUE")
        fill[name.strip().lower()] = text.strip()
    return fill


@click.group(name="bulk", epilog=EXAMPLES)
def bulk() -> None:
    """Run one operation over many groups: concurrent, rate limited, journaled, resumable.

    Each item's outcome goes to a journal (SQLite) as it happens; running the same command again resumes,
    skipping what is done. Exit status: 0 every item done (already gone counts as done), 1 some failed or
    were not run, 2 a usage error or unreadable input, 130 interrupted.
    """


@bulk.command(
    epilog="\b\nExamples:\n  imgroup bulk disband --vendor feishu --input chats.txt --report outcome.jsonl\n"
    "  imgroup bulk disband --vendor yunxin --input teams.csv --dry-run\n"
    "  imgroup tencent list-groups --jsonl | imgroup bulk disband --vendor tencent --input -\n"
    "  imgroup yunxin list-joined-teams acc_owner --team-type 1 --jsonl |\n"
    "    imgroup bulk disband --vendor yunxin --input - --fill team_type=1 --fill operator_id=acc_owner"
)
@click.option("--vendor", required=True, type=click.Choice(sorted(DISBAND)), help="Whose groups.")
@_job_options
def disband(vendor: str, **options: Any) -> None:
    """Disband every group of the input.

    Feishu: one chat_id a line. Tencent: one group_id a line. Yunxin: CSV team_id,team_type,operator_id
    [,extension]. Or JSON Lines with those fields, as list commands print them with --jsonl (--input -
    reads standard input). A group found already gone counts as done.
    """
    click.get_current_context().exit(run_job(DISBAND[vendor], **options))


@bulk.command(
    "remove-members",
    epilog="\b\nExample (members.csv: oc_abc,ou_1;ou_2):\n  imgroup bulk remove-members --input members.csv --report out.csv",
)
@_job_options
def remove_members(**options: Any) -> None:
    """Remove members from Feishu chats.

    CSV chat_id,member_ids[,member_id_type], one chat a row, its member ids split by ';'.
    """
    click.get_current_context().exit(run_job(REMOVE_MEMBERS, **options))


@bulk.command(
    "unbind-meeting-chat",
    epilog="\b\nExample (meetings.csv: calendar_id,event_id,meeting_chat_id):\n"
    "  imgroup bulk unbind-meeting-chat --input meetings.csv --retry-failed",
)
@_job_options
def unbind_meeting_chat(**options: Any) -> None:
    """Unbind Feishu meeting chats from their calendar events.

    CSV calendar_id,event_id,meeting_chat_id; an item is named calendar_id/event_id.
    """
    click.get_current_context().exit(run_job(UNBIND_MEETING_CHAT, **options))


def _fail(message: str) -> int:
    click.echo(f"{click.get_current_context().command_path}: {message}", err=True)
    return EXIT_USAGE


class Refused(Exception):
    """The run would be refused before its first call; the message says why (exit 2)."""


class RunOptions(TypedDict):
    """A job's command-line options, as its command hands them over."""

    input_path: Path
    fill: dict[str, str]
    journal_path: Path | None
    retry_failed: bool
    report_path: Path | None
    concurrency: int
    rate_limit: int | None
    max_retries: int
    base_url: str | None
    profile: str | None


@attrs.frozen
class Ready:
    """A job that passed every check a run makes before its first call: what the run and its dry run share."""

    source: Source
    fill: Mapping[str, str]
    journal_path: Path
    client: AsyncClient
    scrub: Callable[[str], str]
    state: JournalState | None
    """What the journal holds already (None: no journal yet, every item would be sent)."""

    def items(self, job: Job) -> Iterator[Item]:
        """The input's items, read as they are taken (a journal reads them in a batch at a time)."""
        return iter_items(self.source, job, fill=self.fill)


@attrs.frozen
class JournalState:
    counts: dict[str, int]
    left: int


def preflight(job: Job, **options: Unpack[RunOptions]) -> Ready:
    """Every check a run makes before it sends anything: the report's name, the input, the credentials and client
    options, and that the journal, if any, is this input's and free. The input's rows are checked (each by the
    client's own validation) as the run reads them into its journal, before its first call; the dry run reads
    them into a scratch journal.

    Both a run and its dry run go through here, so a dry run says yes only to what the run would start.
    Raises Refused naming what is wrong.
    """
    from imgroup.cli._scrub import Scrubber, secrets_of
    from imgroup.settings import SettingsError, load_settings, make_client

    input_path, report_path, retry_failed = options["input_path"], options["report_path"], options["retry_failed"]
    if report_path is not None:
        try:
            report_format(report_path)
        except ValueError as error:
            raise Refused(f"--report: {error}") from None
    if input_path == STDIN and sys.stdin.isatty():
        click.echo("reading the input from the terminal; end it with Ctrl-D", err=True)
    fill = dict(options["fill"] or {})
    try:
        source = read_source(input_path, stdin=sys.stdin.buffer)
        iter_items(source, job, fill=fill)  # a bad --fill is refused at once; no row is read yet
    except InputError as error:
        raise Refused(str(error)) from None
    except ValueError as error:
        raise Refused(f"--fill: {error}") from None
    journal_path = options["journal_path"] or default_journal_path(input_path, source)
    try:
        settings = load_settings(job.vendor, profile=options["profile"], base_url=options["base_url"])
        client = make_client(
            settings,
            asynchronous=True,
            max_retries=options["max_retries"],
            rate_limit=client_rate_limit(job, options["rate_limit"]),
            transport=job_transport(options["concurrency"], verify=tls_context()),
        )
    except (SettingsError, ValueError) as error:
        raise Refused(str(error)) from None
    state = None
    if journal_path.exists():
        try:
            with Journal.read(journal_path) as journal:
                journal.verify(job.name, iter_items(source, job, fill=fill), input_name=source.name)
                state = JournalState(journal.counts(), journal.count_to_run(retry_failed=retry_failed))
        except (InputError, JournalError) as error:
            raise Refused(str(error)) from None
    return Ready(source, fill, journal_path, client, Scrubber(secrets_of(settings)), state)


def run_job(job: Job, *, dry_run: bool, **options: Unpack[RunOptions]) -> int:
    """Run (or, with ``dry_run``, describe) ``job`` over the input; returns the exit status."""
    try:
        ready = preflight(job, **options)
    except Refused as error:
        return _fail(str(error))
    retry_failed, report_path = options["retry_failed"], options["report_path"]
    if dry_run:
        return _describe(job, ready, retry_failed=retry_failed)
    journal_path, scrub = ready.journal_path, ready.scrub
    if options["input_path"] == STDIN and journal_path.parent != Path():
        journal_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        journal = Journal.open(journal_path, job.name, ready.items(job), input_name=ready.source.name)
    except (InputError, JournalError) as error:
        return _fail(str(error))
    interrupted: Interrupted | None = None
    with journal:
        total = len(journal)
        left = journal.count_to_run(retry_failed=retry_failed)
        click.echo(f"{job.command} ({job.vendor}): {counted(total, 'item')}, {left} to run; journal {journal_path}")
        if left:
            todo = journal.items_to_run(retry_failed=retry_failed)
            view = progress_view(left, f"{job.command} ({job.vendor})", sys.stderr)
            try:
                stopped_by = run_interruptible(
                    _run(job, ready.client, journal, todo, options["concurrency"], view, scrub)
                )
            except Interrupted as error:
                interrupted, stopped_by = error, None
            if stopped_by is not None:
                click.echo(scrub(why_stopped(stopped_by, job.vendor)))
        counts = journal.counts()
        if report_path is not None:
            write_report(report_path, (_scrubbed(entry, scrub) for entry in journal.entries()))
        failures = failure_lines(journal.entries(), scrub=scrub)
    where = f"; report {report_path}" if report_path is not None else ""
    click.echo(f"{summary(counts)}{where}; journal {journal_path}")
    for line in failures:
        click.echo(line)
    if interrupted is not None:
        click.echo(
            f"interrupted ({interrupted.signal_name}): every finished item is in the journal; "
            "re-run the same command to resume"
        )
        return EXIT_INTERRUPTED
    if counts["failed"] and not retry_failed:
        click.echo("re-run with --retry-failed to try the failed items again")
    return EXIT_DONE if counts["done"] == total else EXIT_SOME_FAILED


def _scrubbed(entry: Entry, scrub: Callable[[str], str]) -> Entry:
    """``entry`` without a secret the vendor may have echoed in its message (a journal written before messages
    were scrubbed as they were journaled may still hold one)."""
    return attrs.evolve(entry, outcome=entry.outcome.scrubbed(scrub))


def client_rate_limit(job: Job, calls_per_second: int | None) -> bool | dict[str, float]:
    """The client's ``rate_limit``: the documented limits (None), none at all (0), or ``calls_per_second``.

    A documented per-minute limit (Feishu: 1000/min) still applies on top of a per-second override.
    """
    if calls_per_second is None:
        return True
    if calls_per_second == 0:
        return False
    return {job.operation: float(calls_per_second)}


async def _run(
    job: Job,
    client: AsyncClient,
    journal: Journal,
    todo: Iterable[Item],
    concurrency: int,
    progress: ProgressView,
    scrub: Callable[[str], str],
) -> Outcome | None:
    async with client:
        with progress:
            return await run_items(
                job,
                client,
                journal,
                todo,
                concurrency=concurrency,
                on_outcome=lambda _, outcome: progress.advance(outcome),
                scrub=scrub,
            )


def _describe(job: Job, ready: Ready, *, retry_failed: bool) -> int:
    """The dry run: what the run would send, item by item, after the same checks; nothing is sent. Without a
    journal, the input is read as a run would read it into its own: into a scratch one, gone afterwards."""
    heading = "dry run: the input, credentials and journal pass; {} for " + f"{job.vendor} {job.operation}"
    try:
        with contextlib.ExitStack() as stack:
            if ready.state is None:
                scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="imgroup-dry-run-")))
                journal = stack.enter_context(
                    Journal.open(scratch / "input.sqlite", job.name, ready.items(job), input_name=ready.source.name)
                )
                click.echo(heading.format(counted(len(journal), "item")))
                click.echo(f"  no journal yet at {ready.journal_path}: every item would be sent")
                to_send = journal.items_to_run(retry_failed=False)
            else:
                journal = stack.enter_context(Journal.read(ready.journal_path))
                click.echo(heading.format(counted(len(journal), "item")))
                click.echo(f"  journal {ready.journal_path}: {summary(ready.state.counts)}")
                more = "" if retry_failed else f" ({ready.state.counts['failed']} more with --retry-failed)"
                click.echo(f"  would send {counted(ready.state.left, 'item')}{more}")
                to_send = journal.items_to_run(retry_failed=retry_failed)
            for item in to_send:
                click.echo(f"  line {item.line}: {_shown(job, item)}")
    except (InputError, JournalError) as error:
        return _fail(str(error))
    return EXIT_DONE


def _shown(job: Job, item: Item) -> str:
    """An item as the dry run lists it: its key, then the other arguments it would be sent with, in the job's
    column order (the journal keeps them by name)."""
    others = [
        f"{column.parameter}={item.arguments[column.parameter]}"
        for column in job.columns[job.key_size :]
        if item.arguments.get(column.parameter) is not None
    ]
    return item.key + (f" ({', '.join(others)})" if others else "")
