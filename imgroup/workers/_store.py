"""The plan's steps and their journal in PostgreSQL: what the apply submits, the workers record and the status reads.

Three tables beside procrastinate's own: ``imgroup_runs`` (a plan submitted: its header and the apply's
options), ``imgroup_partitions`` (each partition's state and progress) and ``imgroup_steps`` (each step, with
its latest outcome, as the local journal's items). A step's change and its partition's progress are one
statement, so one transaction: a worker killed between two writes leaves both as they were before it.

A run is keyed by the plan's id: submitting the plan again resumes it (its steps must be the same, as a local
journal's), another plan is another run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from attrs import frozen

from imgroup._plural import EXAMPLES_SHOWN, some_of
from imgroup.jobs import Entry, Outcome
from imgroup.plans._plan import Plan, parse_step

from ._partition import Partition, partitions_of

if TYPE_CHECKING:
    import psycopg

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS imgroup_runs (
    plan_id TEXT PRIMARY KEY,
    header JSONB NOT NULL,
    options JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)""",
    """CREATE TABLE IF NOT EXISTS imgroup_partitions (
    plan_id TEXT NOT NULL REFERENCES imgroup_runs ON DELETE CASCADE,
    vendor TEXT NOT NULL,
    app TEXT NOT NULL,
    tenant TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    steps INTEGER NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    stopped_by JSONB,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, vendor, app, tenant)
)""",
    """CREATE TABLE IF NOT EXISTS imgroup_steps (
    plan_id TEXT NOT NULL REFERENCES imgroup_runs ON DELETE CASCADE,
    key TEXT NOT NULL,
    line INTEGER NOT NULL,
    vendor TEXT NOT NULL,
    app TEXT NOT NULL,
    tenant TEXT NOT NULL,
    arguments JSONB NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    already_gone BOOLEAN NOT NULL DEFAULT false,
    code BIGINT,
    category TEXT,
    message TEXT,
    request_id TEXT,
    attempts INTEGER,
    updated_at TIMESTAMPTZ,
    PRIMARY KEY (plan_id, key)
)""",
    "CREATE INDEX IF NOT EXISTS imgroup_steps_partition ON imgroup_steps (plan_id, vendor, app, tenant, line)",
)
# Taken while the schema is made, so that two processes starting at once do not both make it.
SCHEMA_LOCK = 0x1A6_0E15
STATUSES = ("pending", "in_flight", "done", "failed", "skipped")
FINISHED = ("done", "failed", "skipped")
PARTITION = "plan_id = %(plan)s AND vendor = %(vendor)s AND app = %(app)s AND tenant = %(tenant)s"


class RunError(Exception):
    """The queue holds another version of this plan, or no run of it; the message says which."""


@frozen
class PartitionState:
    """One partition of a run as ``plan status`` shows it."""

    plan_id: str
    partition: Partition
    state: str
    steps: int
    counts: Mapping[str, int]
    stopped_by: Mapping[str, Any] | None


def connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    """A connection in autocommit: each statement its own transaction unless a block says otherwise."""
    import psycopg

    return psycopg.connect(url, autocommit=True)


def ensure_schema(db: psycopg.Connection[tuple[Any, ...]]) -> None:
    """Make procrastinate's tables and ours where they are missing, one process at a time."""
    from procrastinate.schema import SchemaManager

    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        row = db.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is None or row[0] is None:
            db.execute(SchemaManager.get_schema())
        for statement in SCHEMA:
            db.execute(statement)


def submit(db: psycopg.Connection[tuple[Any, ...]], plan: Plan, options: Mapping[str, Any]) -> None:
    """Put the plan's steps in the queue's tables (once; a resubmission must hold the same steps) with the
    apply's ``options``, which replace those of an earlier submission."""
    with db.transaction():
        known = db.execute("SELECT 1 FROM imgroup_runs WHERE plan_id = %s FOR UPDATE", (plan.id,)).fetchone()
        if known is not None:
            _check_same_steps(db, plan)
            db.execute("UPDATE imgroup_runs SET options = %s WHERE plan_id = %s", (json.dumps(options), plan.id))
            return
        db.execute(
            "INSERT INTO imgroup_runs (plan_id, header, options) VALUES (%s, %s, %s)",
            (plan.id, json.dumps(dict(plan.header), ensure_ascii=False), json.dumps(options)),
        )
        by_partition = partitions_of(plan)
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO imgroup_partitions (plan_id, vendor, app, tenant, steps) VALUES (%s, %s, %s, %s, %s)",
                [(plan.id, p.vendor, p.app, p.tenant, len(steps)) for p, steps in by_partition.items()],
            )
            with cursor.copy(
                "COPY imgroup_steps (plan_id, key, line, vendor, app, tenant, arguments) FROM STDIN"
            ) as copy:
                for partition, steps in by_partition.items():
                    for step in steps:
                        arguments = json.dumps(step.to_json(), ensure_ascii=False)
                        copy.write_row(
                            (plan.id, step.key, step.line, partition.vendor, partition.app, partition.tenant, arguments)
                        )


def _check_same_steps(db: psycopg.Connection[tuple[Any, ...]], plan: Plan) -> None:
    recorded = {
        key: arguments
        for key, arguments in db.execute("SELECT key, arguments FROM imgroup_steps WHERE plan_id = %s", (plan.id,))
    }
    given = {step.key: step.to_json() for step in plan.steps}
    changed = sorted(key for key in given.keys() & recorded.keys() if given[key] != recorded[key])
    added, gone = sorted(given.keys() - recorded.keys()), sorted(recorded.keys() - given.keys())
    for what, keys in (("changed", changed), ("added", added), ("removed", gone)):
        if keys:
            raise RunError(
                f"the queue holds plan {plan.id} with other steps ({len(keys)} {what} since it was submitted: "
                f"{some_of(keys[:EXAMPLES_SHOWN], total=len(keys))}); a plan edited after its apply began is a new "
                "plan: give it a new id"
            )


def partitions_to_run(db: psycopg.Connection[tuple[Any, ...]], plan_id: str, *, retry_failed: bool) -> list[Partition]:
    """The run's partitions that have steps left (failed ones too with ``retry_failed``)."""
    statuses = ["pending", "in_flight", *(["failed"] if retry_failed else [])]
    rows = db.execute(
        "SELECT DISTINCT vendor, app, tenant FROM imgroup_steps WHERE plan_id = %s AND status = ANY(%s)"
        " ORDER BY vendor, app, tenant",
        (plan_id, statuses),
    )
    return [Partition(*row) for row in rows]


def set_state(
    db: psycopg.Connection[tuple[Any, ...]],
    plan_id: str,
    partition: Partition,
    state: str,
    stopped_by: Outcome | None = None,
) -> None:
    """Record a partition's state: queued, running, finished or stopped (``stopped_by`` the outcome that did)."""
    stopped = None if stopped_by is None else json.dumps(_outcome_json(stopped_by))
    db.execute(
        f"UPDATE imgroup_partitions SET state = %(state)s, stopped_by = %(stopped)s, updated_at = now() WHERE {PARTITION}",
        {**_where(plan_id, partition), "state": state, "stopped": stopped},
    )


def run_options(db: psycopg.Connection[tuple[Any, ...]], plan_id: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The run's plan header and the apply's options; RunError when the queue holds no such run."""
    row = db.execute("SELECT header, options FROM imgroup_runs WHERE plan_id = %s", (plan_id,)).fetchone()
    if row is None:
        raise RunError(f"the queue holds no plan {plan_id}")
    return row[0], row[1]


def partition_plan(db: psycopg.Connection[tuple[Any, ...]], plan_id: str, partition: Partition) -> Plan:
    """The partition's part of the plan: the run's header and the partition's steps, in plan order."""
    header, _ = run_options(db, plan_id)
    if partition.app:  # the app the partition's steps are on, whichever the plan was made on
        header = {**header, "apps": {**(header.get("apps") or {}), partition.vendor: partition.app}}
    rows = db.execute(
        f"SELECT line, arguments FROM imgroup_steps WHERE {PARTITION} ORDER BY line", _where(plan_id, partition)
    )
    return Plan(header, tuple(parse_step(f"plan {plan_id} in the queue", line, arguments) for line, arguments in rows))


def counts(db: psycopg.Connection[tuple[Any, ...]], plan_id: str) -> dict[str, int]:
    """As ``Journal.counts``: steps in each status, and how many done ones were already done."""
    found = dict(
        db.execute(
            "SELECT status, count(*) FROM imgroup_steps WHERE plan_id = %s GROUP BY status", (plan_id,)
        ).fetchall()
    )
    result = {status: int(found.get(status, 0)) for status in STATUSES}
    row = db.execute(
        "SELECT count(*) FROM imgroup_steps WHERE plan_id = %s AND status = 'done' AND already_gone", (plan_id,)
    ).fetchone()
    result["already_gone"] = int(row[0]) if row else 0
    return result


def entries(db: psycopg.Connection[tuple[Any, ...]], plan_id: str) -> Iterator[Entry]:
    """Every step of the run with its latest outcome, in plan order."""
    yield from _entries(db, "plan_id = %(plan)s", {"plan": plan_id})


def partition_states(db: psycopg.Connection[tuple[Any, ...]], plan_id: str | None = None) -> list[PartitionState]:
    """Every partition of every run (or of ``plan_id``), with its steps' counts by status."""
    rows = db.execute(
        "SELECT p.plan_id, p.vendor, p.app, p.tenant, p.state, p.steps, p.stopped_by,"
        " (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM imgroup_steps s"
        "   WHERE s.plan_id = p.plan_id AND s.vendor = p.vendor AND s.app = p.app AND s.tenant = p.tenant"
        "   GROUP BY status) AS by_status)"
        " FROM imgroup_partitions p WHERE %(plan)s::text IS NULL OR p.plan_id = %(plan)s"
        " ORDER BY p.plan_id, p.vendor, p.app, p.tenant",
        {"plan": plan_id},
    )
    return [
        PartitionState(plan, Partition(vendor, app, tenant), state, steps, by_status or {}, stopped_by)
        for plan, vendor, app, tenant, state, steps, stopped_by, by_status in rows
    ]


class PartitionJournal:
    """One partition's steps as the apply's journal (``imgroup.plans._apply.StepJournal``), in PostgreSQL."""

    def __init__(self, db: psycopg.Connection[tuple[Any, ...]], plan_id: str, partition: Partition) -> None:
        self._db = db
        self._where = _where(plan_id, partition)

    def entries(self) -> Iterator[Entry]:
        return _entries(self._db, PARTITION, self._where)

    def to_run(self, *, retry_failed: bool) -> list[str]:
        statuses = ["pending", "in_flight", *(["failed"] if retry_failed else [])]
        rows = self._db.execute(
            f"SELECT key FROM imgroup_steps WHERE {PARTITION} AND status = ANY(%(statuses)s) ORDER BY line",
            {**self._where, "statuses": statuses},
        )
        return [key for (key,) in rows]

    def start(self, key: str) -> None:
        """The step is in flight; a failed one taken again no longer counts in the partition's progress."""
        self._db.execute(
            "WITH old AS (SELECT status FROM imgroup_steps WHERE plan_id = %(plan)s AND key = %(key)s),"
            " step AS (UPDATE imgroup_steps SET status = 'in_flight', updated_at = now()"
            "  WHERE plan_id = %(plan)s AND key = %(key)s)"
            " UPDATE imgroup_partitions SET state = 'running', updated_at = now(),"
            f"  finished = finished - (SELECT count(*) FROM old WHERE status = ANY(%(finished)s)) WHERE {PARTITION}",
            {**self._where, "key": key, "finished": list(FINISHED)},
        )

    def finish(self, key: str, outcome: Outcome) -> None:
        """The step's outcome and the partition's progress, in one statement."""
        self._db.execute(
            "WITH old AS (SELECT status FROM imgroup_steps WHERE plan_id = %(plan)s AND key = %(key)s),"
            " step AS (UPDATE imgroup_steps SET status = %(status)s, already_gone = %(already_gone)s, code = %(code)s,"
            "  category = %(category)s, message = %(message)s, request_id = %(request_id)s, attempts = %(attempts)s,"
            "  updated_at = now() WHERE plan_id = %(plan)s AND key = %(key)s)"
            " UPDATE imgroup_partitions SET updated_at = now(),"
            f"  finished = finished + (SELECT count(*) FROM old WHERE NOT status = ANY(%(finished)s)) WHERE {PARTITION}",
            {**self._where, "key": key, "finished": list(FINISHED), **_outcome_json(outcome)},
        )


def _where(plan_id: str, partition: Partition) -> dict[str, str]:
    return {"plan": plan_id, "vendor": partition.vendor, "app": partition.app, "tenant": partition.tenant}


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "already_gone": outcome.already_gone,
        "code": outcome.code,
        "category": outcome.category,
        "message": outcome.message,
        "request_id": outcome.request_id,
        "attempts": outcome.attempts,
    }


def outcome_from_json(document: Mapping[str, Any]) -> Outcome:
    """The outcome ``set_state`` recorded as what stopped a partition."""
    return Outcome(
        str(document.get("status", "failed")), bool(document.get("already_gone")), document.get("code"),
        document.get("category"), document.get("message"), document.get("request_id"), document.get("attempts"),
    )  # fmt: skip


def _entries(db: psycopg.Connection[tuple[Any, ...]], where: str, values: Mapping[str, Any]) -> Iterator[Entry]:
    rows = db.execute(
        "SELECT key, line, status, already_gone, code, category, message, request_id, attempts"
        f" FROM imgroup_steps WHERE {where} ORDER BY line",
        values,
    )
    for key, line, status, gone, code, category, message, request_id, attempts in rows:
        yield Entry(key, line, status, Outcome(status, bool(gone), code, category, message, request_id, attempts))
