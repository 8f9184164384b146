"""The bulk runner as users run it (a real ``python -m imgroup.bulk`` process) against a misbehaving emulator.

- 5,000 Tencent groups under 10% 5xx, HTML error pages, dropped connections, added latency and a rate-limit
  storm: every group is disbanded exactly once per the emulator's audit log, and the report says so.
- The same job SIGKILLed at three random points and resumed each time ends the same, and never re-sends an
  item the journal had as done.
- A tight client-side limit keeps the emulator's rate-limit counter at zero; without it, the counter moves.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from imgroup.emulator import EmulatorServer
from imgroup.jobs import Journal

PROJECT = Path(__file__).resolve().parent.parent
GROUPS = 5000
# Killed three times: each kill point at least 300 calls from either end (the 5,000 groups above take a run's worth
# of faults; three kills and four starts need fewer).
KILLED_GROUPS = 2000
SDKAPPID, SECRET_KEY = 1400000001, "bulk-test-secret-key"
FEISHU_APP, FEISHU_SECRET = "cli_bulk", "bulk-test-app-secret"
# High enough that the emulator, not the limit, sets the pace; both sides agree on it.
FAST_LIMIT = 1000
FAULTS = {
    "seed": 7,
    "error_rate": 0.10,
    "html_rate": 0.02,
    "drop_rate": 0.02,
    "latency_ms": 10,
    "rate_limits": {"destroy_group": FAST_LIMIT},
}
STORM_AFTER_S, STORM_S = 2.0, 1.0
# Setting the storm's plan mid-run restarts every group's fault sequence, which no real vendor does: a group
# unlucky before the storm (three faults in a row) meets its three faults again after it. Eight retries cover
# that with one to spare; the CLI's default (5) covers the faults of one unbroken plan.
MAX_RETRIES = "8"
RUN_TIMEOUT_S = 240


def group_ids(count: int = GROUPS) -> list[str]:
    return [f"@TGS#bulk{n:05d}" for n in range(count)]


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    seed = {
        "tencent": {
            "apps": [{"sdkappid": SDKAPPID, "secret_key": SECRET_KEY, "admin": "administrator"}],
            "groups": [{"group_id": group, "type": "Public", "owner": "user1"} for group in group_ids()],
        },
        "feishu": {
            "apps": [{"app_id": FEISHU_APP, "app_secret": FEISHU_SECRET}],
            "chats": [{"chat_id": f"oc_bulk_{n}", "owner": FEISHU_APP, "members": ["ou_a"]} for n in range(100)],
        },
    }
    with EmulatorServer(seed=seed) as server:
        yield server


def bulk_command(tmp_path: Path, emulator: EmulatorServer, vendor: str, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "imgroup.bulk", "disband", "--vendor", vendor,
        "--input", str(tmp_path / f"{vendor}.txt"), "--report", str(tmp_path / "report.csv"),
        "--base-url", emulator.base_url, *options,
    ]  # fmt: skip


def environment(tmp_path: Path) -> dict[str, str]:
    keep = {
        name: value for name, value in os.environ.items() if not name.startswith(("TENCENT_", "FEISHU_", "IMGROUP_"))
    }
    return {
        **keep,
        "HOME": str(tmp_path),
        "TENCENT_IM_SDKAPPID": str(SDKAPPID),
        "TENCENT_IM_SECRET_KEY": SECRET_KEY,
        "FEISHU_APP_ID": FEISHU_APP,
        "FEISHU_APP_SECRET": FEISHU_SECRET,
    }


def start(command: Sequence[str], tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, cwd=PROJECT, env=environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
    return process.returncode, output


def report_rows(tmp_path: Path) -> dict[str, dict[str, str]]:
    with (tmp_path / "report.csv").open(encoding="utf-8", newline="") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def audit_by_group(calls: list[dict[str, Any]], operation: str) -> dict[str, list[dict[str, Any]]]:
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in calls:
        if call["operation"] == operation:
            by_group[call["target"]].append(call)
    return by_group


def assert_each_group_disbanded_once(emulator: EmulatorServer, groups: list[str]) -> list[dict[str, Any]]:
    calls = emulator.calls()
    effects = Counter(call["target"] for call in calls if call["effect"] == "disbanded")
    assert effects == Counter(groups)
    state = emulator.state()["tencent"]["groups"]
    assert all(state[group]["destroyed"] for group in groups)
    return calls


def test_5000_groups_under_faults_are_each_disbanded_once_and_reported_as_audited(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    groups = group_ids()
    (tmp_path / "tencent.txt").write_text("\n".join(groups) + "\n")
    emulator.faults(FAULTS)
    command = bulk_command(
        tmp_path,
        emulator,
        "tencent",
        "--rate-limit",
        str(FAST_LIMIT),
        "--concurrency",
        "16",
        "--max-retries",
        MAX_RETRIES,
    )
    process = start(command, tmp_path)
    # The storm opens when a plan is set, so it is set again mid-run: every call fails as rate limited for a while.
    # Mid-run is timed from the job's first call, not its launch: on a busy machine the process takes seconds to
    # start, and a storm over before the first call would hit nothing.
    stop = threading.Event()

    def storm_after_the_first_call() -> None:
        while not emulator.calls() and not stop.wait(0.05):
            pass
        if not stop.wait(STORM_AFTER_S):
            emulator.faults({**FAULTS, "storm_s": STORM_S})

    storm = threading.Thread(target=storm_after_the_first_call)
    storm.start()
    try:
        status, output = finish(process)
    finally:
        stop.set()
        storm.join()
    assert status == 0, output
    assert f"{GROUPS} items: {GROUPS} done" in output

    calls = assert_each_group_disbanded_once(emulator, groups)
    injected = Counter(call["fault"] for call in calls if call["fault"])
    assert {"error", "html", "drop", "storm"} <= set(injected), injected
    # The report matches the audit log: one attempt per audited call, already gone exactly when the answer to
    # the call that disbanded the group was lost, and the code of the last answer when the client saw one.
    rows = report_rows(tmp_path)
    assert set(rows) == set(groups)
    audited = audit_by_group(calls, "destroy_group")
    for group, row in rows.items():
        history = audited[group]
        effect = next(call for call in history if call["effect"] == "disbanded")
        assert row["status"] == "done"
        assert row["already_gone"] == str(effect["fault"] == "drop"), (group, history)
        assert int(row["attempts"]) == len(history), (group, history)
        if row["already_gone"] == "True":
            assert history[-1]["code"] == 10010


def test_sigkilled_three_times_and_resumed_ends_the_same_without_repeating_done_work(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    groups = group_ids(KILLED_GROUPS)
    (tmp_path / "tencent.txt").write_text("\n".join(groups) + "\n")
    journal_path = tmp_path / "tencent.txt.journal.sqlite"
    emulator.faults(FAULTS)
    command = bulk_command(tmp_path, emulator, "tencent", "--rate-limit", str(FAST_LIMIT), "--concurrency", "16")
    chooser = random.Random(20261122)
    kill_points = sorted(chooser.sample(range(300, KILLED_GROUPS - 300), 3))
    seen = 0
    done_at_kill: list[tuple[int, set[str]]] = []
    for kill_at in kill_points:
        process = start(command, tmp_path)
        while process.poll() is None and seen < kill_at:
            time.sleep(0.01)
            seen += len(emulator.calls(since=seen))
        process.send_signal(signal.SIGKILL)
        status, output = finish(process)
        assert status == -signal.SIGKILL, f"the run ended before its kill point {kill_at}: {output}"
        with Journal.read(journal_path) as journal:
            done = {entry.key for entry in journal.entries() if entry.status == "done"}
        done_at_kill.append((len(emulator.calls()), done))
    assert 0 < len(done_at_kill[0][1]) < len(done_at_kill[-1][1]) < KILLED_GROUPS

    status, output = finish(start(command, tmp_path))
    assert status == 0, output

    calls = assert_each_group_disbanded_once(emulator, groups)
    rows = report_rows(tmp_path)
    assert {group: row["status"] for group, row in rows.items()} == dict.fromkeys(groups, "done")
    for calls_at_kill, done in done_at_kill:
        resent = {call["target"] for call in calls[calls_at_kill:]} & done
        assert not resent, f"re-sent items the journal had as done: {sorted(resent)[:5]}"


def test_a_tight_client_side_limit_keeps_the_emulators_rate_limit_counter_at_zero(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    chats = [f"oc_bulk_{n}" for n in range(60)]
    (tmp_path / "feishu.txt").write_text("\n".join(chats) + "\n")
    emulator.faults({"rate_limits": {"disband_chat": 20}})
    status, output = finish(start(bulk_command(tmp_path, emulator, "feishu", "--rate-limit", "20"), tmp_path))
    assert status == 0, output
    assert emulator.state()["rate_limited"]["feishu"]["disband_chat"] == 0
    assert Counter(c["target"] for c in emulator.calls() if c["effect"] == "disbanded") == Counter(chats)


def test_without_the_client_side_limit_the_emulator_refuses_calls(emulator: EmulatorServer, tmp_path: Path) -> None:
    """The control for the test above: the same burst, unpaced, is refused and retried until done."""
    chats = [f"oc_bulk_{n}" for n in range(60, 100)]
    (tmp_path / "feishu.txt").write_text("\n".join(chats) + "\n")
    emulator.faults({"rate_limits": {"disband_chat": 20}})
    status, output = finish(start(bulk_command(tmp_path, emulator, "feishu", "--rate-limit", "0"), tmp_path))
    assert status == 0, output
    assert emulator.state()["rate_limited"]["feishu"]["disband_chat"] > 0
    assert Counter(c["target"] for c in emulator.calls() if c["effect"] == "disbanded") == Counter(chats)


@pytest.mark.parametrize(("stop", "said"), [(signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM")])
def test_ctrl_c_or_sigterm_stops_with_status_130_a_report_and_the_same_command_resumes(
    emulator: EmulatorServer, tmp_path: Path, stop: signal.Signals, said: str
) -> None:
    groups = group_ids(400)
    (tmp_path / "tencent.txt").write_text("\n".join(groups) + "\n")
    # At least 5 s of work (400 calls of 50 ms, 4 at a time): the signal lands mid-run however fast the machine.
    emulator.faults({"latency_ms": 50})
    command = bulk_command(tmp_path, emulator, "tencent", "--concurrency", "4")
    process = start(command, tmp_path)
    seen = 0
    while process.poll() is None and seen < 50:
        time.sleep(0.01)
        seen += len(emulator.calls(since=seen))
    process.send_signal(stop)
    status, output = finish(process)
    assert status == 130, output
    assert f"interrupted ({said})" in output and "re-run the same command to resume" in output
    with Journal.read(tmp_path / "tencent.txt.journal.sqlite") as journal:
        counts = journal.counts()
    assert 0 < counts["done"] < len(groups)
    # The report and the summary say what was done and what was not reached, as the journal has it.
    rows = report_rows(tmp_path)
    assert list(rows) == groups
    statuses = Counter(row["status"] for row in rows.values())
    assert statuses["done"] == counts["done"] and statuses["pending"] == counts["pending"] > 0
    assert f"{len(groups)} items: {counts['done']} done" in output and " not run" in output
    disbanded = {call["target"] for call in emulator.calls() if call["effect"]}
    assert {group for group, row in rows.items() if row["status"] == "done"} <= disbanded
    assert not disbanded & {group for group, row in rows.items() if row["status"] == "pending"}

    emulator.faults({})  # the latency only had to hold the run until the signal: the rest resumes unslowed
    status, output = finish(start(command, tmp_path))
    assert status == 0, output
    assert_each_group_disbanded_once(emulator, groups)
