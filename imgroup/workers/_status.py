"""``imgroup plan status --queue URL [FILE]``: the runs in the queue, partition by partition."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from imgroup.plans._plan import PlanError, read_plan
from imgroup.plans._report import outcome_summary

from ._store import connect, ensure_schema, partition_states
from ._url import queue_failure

EXIT_DONE, EXIT_USAGE = 0, 2


def show_status(queue_url: str, plan_path: Path | None, *, echo: Callable[[str], None]) -> int:
    """Print each run's partitions (of the plan in ``plan_path`` only, if given); returns the exit status."""
    import psycopg

    def fail(message: str) -> int:
        print(f"imgroup plan status: {message}", file=sys.stderr)
        return EXIT_USAGE

    try:
        plan_id = read_plan(plan_path).id if plan_path is not None else None
    except PlanError as error:
        return fail(str(error))
    try:
        with connect(queue_url) as db:
            ensure_schema(db)
            states = partition_states(db, plan_id)
    except psycopg.Error as error:
        return fail(queue_failure(queue_url, error))
    if not states:
        echo(f"no plan {plan_id} in the queue" if plan_id is not None else "no plan in the queue")
        return EXIT_DONE
    shown = None
    for state in states:
        if state.plan_id != shown:
            shown = state.plan_id
            echo(f"plan {shown}")
        counts = {**state.counts, "already_gone": 0}
        why = ""
        if state.stopped_by is not None:
            why = f": {state.stopped_by.get('message') or state.stopped_by.get('category')}"
        echo(f"  {state.partition}: {state.state}{why}; {outcome_summary(counts)}")
    return EXIT_DONE
