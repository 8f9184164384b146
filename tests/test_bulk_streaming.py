"""A bulk job's items live in its journal: read into it and taken from it a batch at a time, so that the job's memory
does not grow with its input, while it resumes, refuses and reports as before."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from tencent_im import AsyncTencentIMClient

from imgroup.bulk._jobs import DISBAND
from imgroup.bulk._runner import run_items
from imgroup.bulk.cli import bulk
from imgroup.emulator import EmulatorServer
from imgroup.jobs import InputError, Item, Journal, Outcome, Source, iter_items, read_source, write_report

JOB = DISBAND["tencent"]
FIXTURES = Path(__file__).parent / "fixtures" / "journals"
# tracemalloc's peak for a job ten times as long may exceed the short one's by this much, where holding each item
# (its key, arguments and outcome, ~0.4 KB) would add 3.5 MB.
FLAT_BOUND_BYTES = 512 * 1024


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def groups(count: int, start: int = 0) -> str:
    return "".join(f"@TGS#g{index}\n" for index in range(start, start + count))


def items(*keys: str) -> list[Item]:
    return [Item(key, line, {"group_id": key}) for line, key in enumerate(keys, start=1)]


# Taking the items to run, a batch at a time


def test_the_items_to_run_come_once_each_in_input_order_while_the_run_journals_them(tmp_path: Path) -> None:
    keys = [f"g{index}" for index in range(1_203)]  # batches of 500, the last one short
    with Journal.open(tmp_path / "j.sqlite", JOB.name, items(*keys)) as journal:
        for key in keys[::7]:
            journal.finish(key, Outcome("done"))
        for key in keys[1::7]:
            journal.finish(key, Outcome("failed", code=10007))
        expected = journal.to_run(retry_failed=False)
        taken = []
        for item in journal.items_to_run(retry_failed=False):
            # As a worker does: in flight, then failed. Neither brings an item back, nor hides a later one.
            journal.start(item.key)
            journal.finish(item.key, Outcome("failed", code=10010))
            taken.append(item)
        assert [item.key for item in taken] == expected
        assert journal.count_to_run(retry_failed=False) == 0
        assert journal.count_to_run(retry_failed=True) == len(keys) - len(keys[::7])
    assert all(item.arguments == {"group_id": item.key} for item in taken)
    assert [item.line for item in taken] == sorted(item.line for item in taken)


def test_the_items_to_run_carry_their_arguments_as_the_input_gave_them(tmp_path: Path) -> None:
    team = Item("1001", 3, {"team_id": "1001", "team_type": 1, "operator_id": "acc", "extension": None})
    members = Item("oc_1", 4, {"chat_id": "oc_1", "id_list": ["ou_1", "ou_2"], "member_id_type": None})
    with Journal.open(tmp_path / "j.sqlite", "any", [team, members]) as journal:
        assert list(journal.items_to_run(retry_failed=False)) == [team, members]
        assert len(journal) == 2


# Reading the input into the journal


def test_a_repeated_row_is_one_item_and_a_repeat_with_other_values_is_refused_across_batches(tmp_path: Path) -> None:
    text = groups(600) + "@TGS#g3\n"  # line 601 repeats line 4, a batch later
    with Journal.open(tmp_path / "j.sqlite", JOB.name, iter_items(Source("in", text), JOB)) as journal:
        assert len(journal) == 600
    yunxin = DISBAND["yunxin"]
    rows = "".join(f"{team},1,acc\n" for team in range(1000, 1600)) + "1003,1,other\n"
    path = tmp_path / "teams.sqlite"
    with pytest.raises(InputError, match=r"^teams.csv, line 601: 1003 is also on line 4, with other values$"):
        Journal.open(path, yunxin.name, iter_items(Source("teams.csv", rows), yunxin), input_name="teams.csv")
    assert not path.exists()


def test_the_first_bad_line_is_named_even_when_a_later_row_of_its_batch_is_bad_too(tmp_path: Path) -> None:
    yunxin = DISBAND["yunxin"]
    rows = "1001,1,acc\n1001,1,other\n1002,7,acc\n"  # line 2: a repeat with other values; line 3: a bad team_type
    with pytest.raises(InputError, match="line 2: 1001 is also on line 1"):
        Journal.open(tmp_path / "j.sqlite", yunxin.name, iter_items(Source("in", rows), yunxin), input_name="in")


def test_a_bad_input_leaves_no_new_journal_and_an_old_one_as_it_was(tmp_path: Path) -> None:
    yunxin = DISBAND["yunxin"]
    path = tmp_path / "j.sqlite"
    good = "".join(f"{team},1,acc\n" for team in range(1000, 1700))
    bad = good + "1700,7,acc\n"  # a team_type Yunxin has not, on line 701

    def open_journal(text: str) -> Journal:
        return Journal.open(path, yunxin.name, iter_items(Source("in", text), yunxin))

    with pytest.raises(InputError, match="line 701: team_type"):
        open_journal(bad)
    assert list(tmp_path.iterdir()) == []
    with open_journal(good) as journal:
        journal.finish("1000", Outcome("done"))
    with pytest.raises(InputError, match="line 701: team_type"):
        open_journal(bad)
    with open_journal(good) as journal:
        assert journal.counts()["done"] == 1


def test_a_resumed_input_is_compared_with_the_journal_each_item_once(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal.open(path, JOB.name, iter_items(Source("in", groups(1_000)), JOB)).close()
    # Repeated rows, and rows that moved to other lines, are the same input.
    again = "# again\n" + groups(1_000) + groups(10)
    with Journal.open(path, JOB.name, iter_items(Source("in", again), JOB)) as journal:
        assert journal.count_to_run(retry_failed=False) == 1_000


def test_standard_input_is_read_once_and_its_text_read_again_from_the_copy() -> None:
    source = read_source(Path("-"), stdin=io.BytesIO(b"@TGS#1\r\n@TGS#2\n"))
    assert [item.key for item in iter_items(source, JOB)] == ["@TGS#1", "@TGS#2"]
    assert [item.key for item in iter_items(source, JOB)] == ["@TGS#1", "@TGS#2"]


# A journal written before the journal held the items for the run


def invoke(emu: EmulatorServer, *args: str) -> Result:
    return CliRunner().invoke(bulk, [*args, "--base-url", emu.base_url], catch_exceptions=False)


@pytest.fixture
def tencent(imgroup_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> EmulatorServer:
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("IMGROUP_CONFIG", str(tmp_path / "config.toml"))
    credentials = imgroup_emulator.credentials["tencent"]
    monkeypatch.setenv("TENCENT_IM_SDKAPPID", str(credentials["sdkappid"]))
    monkeypatch.setenv("TENCENT_IM_SECRET_KEY", str(credentials["secret_key"]))
    monkeypatch.setenv("TENCENT_IM_IDENTIFIER", str(credentials["identifier"]))
    return imgroup_emulator


def test_a_journal_written_by_the_earlier_code_resumes_where_it_stopped(
    tencent: EmulatorServer, tmp_path: Path
) -> None:
    """``fixtures/journals``: a run killed with @TGS#demo1 done, @TGS#demo2 failed and @TGS#demo3 in flight."""
    source = tmp_path / "tencent-groups.txt"
    journal = tmp_path / "tencent-groups.txt.journal.sqlite"
    for name in (source.name, journal.name):
        shutil.copy(FIXTURES / name, tmp_path / name)
    report = tmp_path / "report.csv"

    resumed = invoke(tencent, "disband", "--vendor", "tencent", "--input", str(source), "--report", str(report))
    assert resumed.exit_code == 1, resumed.output
    assert "4 items, 2 to run" in resumed.output
    assert "4 items: 3 done (1 already gone), 1 failed" in resumed.output
    sent = [call["target"] for call in tencent.calls() if call["operation"] == "destroy_group"]
    assert sorted(sent) == ["@TGS#demo3", "@TGS#demo_gone"]
    with report.open(encoding="utf-8", newline="") as file:
        rows = {row["id"]: row for row in csv.DictReader(file)}
    assert (rows["@TGS#demo1"]["status"], rows["@TGS#demo1"]["request_id"]) == ("done", "req-demo1")
    assert (rows["@TGS#demo2"]["status"], rows["@TGS#demo2"]["code"]) == ("failed", "10007")
    assert rows["@TGS#demo_gone"]["already_gone"] == "True"

    retried = invoke(tencent, "disband", "--vendor", "tencent", "--input", str(source), "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert "1 to run" in retried.output
    sent = [call["target"] for call in tencent.calls() if call["operation"] == "destroy_group"]
    assert sent[2:] == ["@TGS#demo2"]


# Memory


def test_a_jobs_items_peak_at_the_same_height_for_an_input_ten_times_as_long(tmp_path: Path) -> None:
    """What the kernel does with a job's items (read the input into the journal, take them to run, journal each
    outcome, count, report), for 1,000 and 10,000 groups: Python's allocations peak at about the same height
    (SQLite's page caches are its own, and capped)."""

    def peak(count: int) -> int:
        folder = tmp_path / str(count)
        folder.mkdir()
        (folder / "groups.txt").write_text(groups(count), encoding="utf-8")
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        source = read_source(folder / "groups.txt")
        with Journal.open(folder / "j.sqlite", JOB.name, iter_items(source, JOB), input_name=source.name) as journal:
            for item in journal.items_to_run(retry_failed=False):
                journal.finish(item.key, Outcome("done", request_id=f"req-{item.line}", attempts=1))
            assert journal.counts()["done"] == count
            assert write_report(folder / "report.jsonl", journal.entries()) == count
        _, highest = tracemalloc.get_traced_memory()
        return highest - before

    peak(50)  # whatever a first run caches, outside the measurement
    tracemalloc.start()
    try:
        short, long = peak(1_000), peak(10_000)
    finally:
        tracemalloc.stop()
    assert long - short < FLAT_BOUND_BYTES, f"1,000 items peaked at {short:,} B, 10,000 at {long:,} B"


async def answered_done(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(0)  # as a network would, lets the other workers run while this call waits
    return httpx.Response(200, json={"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})


@pytest.mark.anyio
async def test_the_runner_takes_an_item_only_when_a_worker_is_free(tmp_path: Path) -> None:
    """The runner holds no queue of its own: at most one item per worker is taken and not yet finished."""
    work = items(*(f"@TGS#g{index}" for index in range(300)))
    finished = 0
    most_held = 0

    def taken() -> Iterator[Item]:
        nonlocal most_held
        for item in work:
            most_held = max(most_held, work.index(item) + 1 - finished)
            yield item

    def count(_: Item, outcome: Outcome) -> None:
        nonlocal finished
        finished += 1

    client = AsyncTencentIMClient(
        sdkappid=1400000000,
        secret_key="runner-test-key",
        identifier="administrator",
        base_url="http://tencent.test",
        transport=httpx.MockTransport(answered_done),
        rate_limit=False,
    )
    with Journal.open(tmp_path / "j.sqlite", JOB.name, work) as journal:
        async with client:
            assert await run_items(JOB, client, journal, taken(), concurrency=8, on_outcome=count) is None
        assert journal.counts()["done"] == len(work)
    assert 1 < most_held <= 8
