"""The job kernel that bulk jobs and plans share: input, journal, outcomes, progress and reports.

    from imgroup.jobs import Journal, Outcome, iter_items, read_source
    items = iter_items(read_source(Path("groups.txt")), job)
    with Journal.open(Path("groups.txt.journal.sqlite"), job.name, items) as journal:
        for item in journal.items_to_run(retry_failed=False):
            journal.start(item.key)
            journal.finish(item.key, Outcome("done"))

What a job does to each item is its own: ``imgroup.bulk`` calls one client method per item, ``imgroup.plans``
carries out a plan's steps through the vendors' adapters. Both read and key their items, journal each one in
flight and then with its outcome, stop when every item would fail alike (credentials refused, no host to
reach), show progress, sum up failures by cause and write reports through here; a job's loop runs so that
Ctrl-C and SIGTERM leave it able to report. A bulk job's items live in its journal alone, read into it and taken
from it a batch at a time (``iter_items``, ``Journal.items_to_run``), so that its memory does not grow with its
input.
"""

from ._failures import Cause, failure_causes, failure_lines
from ._input import STDIN, Column, InputError, Item, ItemKind, Source, iter_items, parse_items, read_source
from ._interrupt import Interrupted, run_interruptible
from ._journal import Entry, Journal, JournalError
from ._locations import JOURNAL_DIR_VARIABLE, journal_dir, stdin_journal_path
from ._outcome import STOPPING_CATEGORIES, UNREACHABLE, Outcome, failure_of
from ._progress import PlainProgress, ProgressView, RichProgress, progress_view
from ._report import report_format, summary, write_report, write_rows
from ._stopping import UNREACHABLE_IN_A_ROW, Stopper, why_stopped
from ._transport import IDLE_CONNECTION_EXPIRY_S, job_transport

__all__ = [
    "IDLE_CONNECTION_EXPIRY_S",
    "JOURNAL_DIR_VARIABLE",
    "STDIN",
    "STOPPING_CATEGORIES",
    "UNREACHABLE",
    "UNREACHABLE_IN_A_ROW",
    "Cause",
    "Column",
    "Entry",
    "InputError",
    "Interrupted",
    "Item",
    "ItemKind",
    "Journal",
    "JournalError",
    "Outcome",
    "PlainProgress",
    "ProgressView",
    "RichProgress",
    "Source",
    "Stopper",
    "failure_causes",
    "failure_lines",
    "failure_of",
    "iter_items",
    "job_transport",
    "journal_dir",
    "parse_items",
    "progress_view",
    "read_source",
    "report_format",
    "run_interruptible",
    "stdin_journal_path",
    "summary",
    "why_stopped",
    "write_report",
    "write_rows",
]
