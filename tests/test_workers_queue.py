"""A plan applied on workers through PostgreSQL (``imgroup apply --queue``, ``imgroup worker``), end to end.

A real PostgreSQL (tests/postgres_server.py) and the emulator; the workers and the waiting apply are processes
of their own, as users run them. The plan's steps are on two Tencent apps, so two partitions, each paced by its
own limits. One worker is SIGKILLed mid-run and another started: its partition is taken up again, every
group is disbanded once (the emulator's audit log), and the waiting apply's report has every step done.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from imgroup.cli import cli
from imgroup.emulator import EmulatorServer
from imgroup.groups import GroupRef
from imgroup.plans._plan import Step, write_plan
from imgroup.workers._partition import Partition, partitions_of
from imgroup.workers._store import connect, counts

PROJECT = Path(__file__).resolve().parent.parent
APPS = {1400000101: "queue-secret-one", 1400000102: "queue-secret-two"}
GROUPS_PER_APP = 40
PER_SECOND = 8  # the emulator's limit per app and operation, and the apply's --rate-limit: a few seconds a partition
RUN_TIMEOUT_S = 240
IMGROUP = [sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())"]
# A killed worker's partition is taken up 3.2 s after the kill rather than 16 (the default's 10 s): the takeover is
# the same, the test waits less for it.
STALLED_AFTER = "2"


def group_ids(sdkappid: int) -> list[str]:
    return [f"@TGS#q{sdkappid % 1000}n{index:03d}" for index in range(GROUPS_PER_APP)]


def seed() -> dict[str, Any]:
    return {
        "tencent": {
            "apps": [{"sdkappid": app, "secret_key": secret, "admin": "administrator"} for app, secret in APPS.items()],
            "groups": [
                {"group_id": group, "type": "Public", "owner": "user1", "members": ["user2"]}
                for app in APPS
                for group in group_ids(app)
            ],
        }
    }


def make_plan(path: Path) -> None:
    steps = [
        Step("disband", GroupRef.parse(f"tencent:{group}"), planned_on={"member_count": 2}, app=str(app))
        for app in APPS
        for group in group_ids(app)
    ]
    header = {"imgroup_plan": 1, "id": "queue-test", "kind": "sweep", "asked": {}, "apps": {}}
    write_plan(path, header, steps)


@pytest.fixture
def world(imgroup_emulator: EmulatorServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The emulator seeded with two Tencent apps, and a worker's environment: one config profile per app."""
    imgroup_emulator.reset(seed())
    imgroup_emulator.faults({"rate_limits": {"destroy_group": PER_SECOND, "get_group_info": PER_SECOND}})
    config = tmp_path / "config.toml"
    config.write_text(
        "".join(
            f'[app{index}.tencent]\nsdkappid = {app}\nsecret_key = "{secret}"\n'
            for index, (app, secret) in enumerate(APPS.items())
        ),
        encoding="utf-8",
    )
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("TENCENT_IM_", "IMGROUP_"))
    }
    environment.update(IMGROUP_CONFIG=str(config), TENCENT_IM_BASE_URL=imgroup_emulator.base_url)
    yield environment


def start_worker(url: str, environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [*IMGROUP, "worker", "--queue", url, "--concurrency", "2", "--stalled-after", STALLED_AFTER],
            env=environment, cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_partitions_are_the_vendor_apps_of_the_steps(tmp_path: Path) -> None:
    from imgroup.plans._plan import read_plan

    make_plan(tmp_path / "plan.jsonl")
    plan = read_plan(tmp_path / "plan.jsonl")
    by_partition = partitions_of(plan)
    assert list(by_partition) == [Partition("tencent", str(app)) for app in APPS]
    assert all(len(steps) == GROUPS_PER_APP for steps in by_partition.values())


def test_a_killed_worker_s_partition_is_taken_up_and_every_step_happens_once(
    world: dict[str, str], imgroup_emulator: EmulatorServer, postgres_url: str, tmp_path: Path
) -> None:
    plan, report = tmp_path / "plan.jsonl", tmp_path / "report.csv"
    make_plan(plan)
    apply = subprocess.Popen(
        [*IMGROUP, "apply", str(plan), "--queue", postgres_url, "--wait", "--report", str(report),
         "--rate-limit", str(PER_SECOND)],
        env=world, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    logs = tmp_path / "workers.log"
    with connect(postgres_url) as db:
        wait_for(lambda: _has_run(db), "the plan in the queue")
        first, second = start_worker(postgres_url, world, logs), start_worker(postgres_url, world, logs)
        try:
            wait_for(lambda: counts(db, "queue-test")["done"] >= 10, "some steps done")
            first.send_signal(signal.SIGKILL)
            first.wait()
            assert counts(db, "queue-test")["done"] < 2 * GROUPS_PER_APP, "the run ended before the kill"
            third = start_worker(postgres_url, world, logs)
            try:
                printed, _ = apply.communicate(timeout=RUN_TIMEOUT_S)
            finally:
                third.send_signal(signal.SIGTERM)
                third.wait(60)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(60)
        retried = db.execute("SELECT max(attempts) FROM procrastinate_jobs").fetchone()
    assert retried is not None and retried[0] >= 1, "no stalled job was put back"
    total = 2 * GROUPS_PER_APP
    assert apply.returncode == 0, printed + logs.read_text(errors="replace")
    assert f"{total} steps: {total} done" in printed, printed
    for secret in APPS.values():
        assert secret not in printed and secret not in logs.read_text(errors="replace")
    with report.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == total and {row["status"] for row in rows} == {"done"}
    disbanded = Counter(
        call["target"]
        for call in imgroup_emulator.calls()
        if call["operation"] == "destroy_group" and call["effect"] is not None
    )
    expected = {group for app in APPS for group in group_ids(app)}
    assert set(disbanded) == expected and set(disbanded.values()) == {1}, disbanded
    by_app = Counter(call["app"] for call in imgroup_emulator.calls() if call["operation"] == "destroy_group")
    assert set(by_app) == {str(app) for app in APPS}


def test_status_shows_each_partition(world: dict[str, str], postgres_url: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    make_plan(plan)
    submitted = CliRunner().invoke(cli, ["apply", str(plan), "--queue", postgres_url], env=world)
    assert submitted.exit_code == 0, submitted.output
    assert f"{2 * GROUPS_PER_APP} to run in 2 partitions" in submitted.output
    shown = CliRunner().invoke(cli, ["plan", "status", "--queue", postgres_url], env=world)
    assert shown.exit_code == 0, shown.output
    for app in APPS:
        assert f"tencent app {app}: queued; {GROUPS_PER_APP} steps: 0 done" in shown.output
    again = CliRunner().invoke(cli, ["apply", str(plan), "--queue", postgres_url], env=world)
    assert again.exit_code == 0, again.output  # the same plan again: resumed, not doubled
    with connect(postgres_url) as db:
        jobs = db.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()
    assert jobs is not None and jobs[0] == 2


def test_a_plan_changed_after_submission_is_refused(world: dict[str, str], postgres_url: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    make_plan(plan)
    assert CliRunner().invoke(cli, ["apply", str(plan), "--queue", postgres_url], env=world).exit_code == 0
    lines = plan.read_text(encoding="utf-8").splitlines()
    plan.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["apply", str(plan), "--queue", postgres_url], env=world)
    assert refused.exit_code == 2
    assert "1 removed since it was submitted" in refused.stderr


def _has_run(db: Any) -> bool:
    row = db.execute("SELECT to_regclass('imgroup_runs')").fetchone()
    if row is None or row[0] is None:
        return False
    found = db.execute("SELECT count(*) FROM imgroup_runs WHERE plan_id = 'queue-test'").fetchone()
    return bool(found and found[0])


def test_a_step_caught_in_flight_is_rechecked_and_counted_done(
    world: dict[str, str],
    imgroup_emulator: EmulatorServer,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker died after its disband reached the vendor: the step is in flight, the group gone. The next run
    # reads the group again, finds it gone, and counts the step done (already done) without a second disband.
    import asyncio

    import tencent_im

    from imgroup.plans._plan import read_plan
    from imgroup.workers._partition_run import run_partition
    from imgroup.workers._queue import WorkerOptions
    from imgroup.workers._store import PartitionJournal, ensure_schema, submit

    plan_path = tmp_path / "plan.jsonl"
    make_plan(plan_path)
    plan = read_plan(plan_path)
    app, secret = next(iter(APPS.items()))
    partition, caught = Partition("tencent", str(app)), plan.steps[0]
    with connect(postgres_url) as db:
        ensure_schema(db)
        submit(db, plan, {"max_retries": 2, "rate_limit": PER_SECOND, "concurrency": 4})
        PartitionJournal(db, plan.id, partition).start(caught.key)
    with tencent_im.TencentIMClient(sdkappid=app, secret_key=secret, base_url=imgroup_emulator.base_url) as client:
        client.destroy_group(group_id=caught.group.id)
    before = len(imgroup_emulator.calls())
    monkeypatch.setenv("IMGROUP_CONFIG", world["IMGROUP_CONFIG"])
    options = WorkerOptions(postgres_url, base_url=imgroup_emulator.base_url)
    asyncio.run(run_partition(options, plan.id, partition, retry_failed=False))
    with connect(postgres_url) as db:
        entries = {entry.key: entry for entry in PartitionJournal(db, plan.id, partition).entries()}
        progress = db.execute("SELECT state, finished FROM imgroup_partitions WHERE app = %s", (str(app),)).fetchone()
    assert entries[caught.key].status == "done" and entries[caught.key].outcome.already_gone
    assert {entry.status for entry in entries.values()} == {"done"}
    assert progress == ("finished", GROUPS_PER_APP)
    again = [
        call for call in imgroup_emulator.calls()[before:]
        if call["operation"] == "destroy_group" and call["target"] == caught.group.id
    ]  # fmt: skip
    assert again == []


@pytest.mark.parametrize(
    "args",
    [
        ["apply", "{plan}", "--queue", "{queue}"],
        ["apply", "{plan}", "--queue", "{queue}", "--wait"],
        ["plan", "status", "--queue", "{queue}"],
        ["worker", "--queue", "{queue}"],
    ],
)
def test_a_queue_that_cannot_be_reached_is_one_line_without_its_password(args: list[str], tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    make_plan(plan)
    queue = "postgresql://imgroup:s3cret-pw@127.0.0.1:1/imgroup"
    given = [word.format(plan=plan, queue=queue) for word in args]
    result = CliRunner().invoke(cli, given)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"imgroup {given[0]}"), result.stderr
    assert "--queue postgresql://imgroup:***@127.0.0.1:1/imgroup" in lines[0]
    assert "s3cret-pw" not in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "give --journal (where the apply keeps its progress), or --queue"),
        (["--wait"], "--wait follows workers: give it with --queue"),
        (["--queue", "postgresql://db/x", "--journal", "j"], "with --queue the journal is in PostgreSQL"),
        (["--queue", "postgresql://db/x", "--dry-run"], "--dry-run checks an apply here"),
    ],
)
def test_apply_s_options_for_here_and_for_workers_do_not_mix(args: list[str], says: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    make_plan(plan)
    result = CliRunner().invoke(cli, ["apply", str(plan), *args], env={"HOME": str(tmp_path)})
    assert result.exit_code == 2
    assert result.stderr.startswith("imgroup apply: ") and says in result.stderr, result.stderr


def test_a_worker_without_a_partition_s_credentials_stops_it_and_says_so(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from imgroup.plans._plan import read_plan
    from imgroup.workers._partition_run import run_partition
    from imgroup.workers._queue import WorkerOptions
    from imgroup.workers._store import ensure_schema, submit

    plan_path = tmp_path / "plan.jsonl"
    make_plan(plan_path)
    plan = read_plan(plan_path)
    with connect(postgres_url) as db:
        ensure_schema(db)
        submit(db, plan, {"max_retries": 2, "rate_limit": PER_SECOND, "concurrency": 4})
    for name in ("TENCENT_IM_SDKAPPID", "TENCENT_IM_SECRET_KEY", "IMGROUP_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMGROUP_CONFIG", str(tmp_path / "no-config.toml"))
    app = next(iter(APPS))
    asyncio.run(run_partition(WorkerOptions(postgres_url), plan.id, Partition("tencent", str(app)), retry_failed=False))
    shown = CliRunner().invoke(cli, ["plan", "status", str(plan_path), "--queue", postgres_url])
    assert shown.exit_code == 0, shown.output
    assert f"tencent app {app}: stopped: no credentials for tencent app {app} on this worker" in shown.output
    with connect(postgres_url) as db:
        assert counts(db, plan.id)["pending"] == 2 * GROUPS_PER_APP  # nothing was sent: every step still to run
