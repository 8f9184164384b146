"""The bulk journal: resume after a kill, retry failed items on request, refuse another input, one run at a time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from imgroup.jobs import Item, Journal, JournalError, Outcome

JOB = "tencent.destroy_group"


def items(*keys: str) -> list[Item]:
    return [Item(key, line, {"group_id": key}) for line, key in enumerate(keys, start=1)]


def test_a_new_journal_runs_everything_in_input_order(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", JOB, items("g3", "g1", "g2")) as journal:
        assert journal.to_run(retry_failed=False) == ["g3", "g1", "g2"]
        assert journal.counts() == {
            "pending": 3,
            "in_flight": 0,
            "done": 0,
            "failed": 0,
            "skipped": 0,
            "already_gone": 0,
        }


def test_a_reopened_journal_skips_done_reruns_interrupted_and_retries_failed_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    work = items("g1", "g2", "g3", "g4")
    with Journal.open(path, JOB, work) as journal:
        journal.start("g1")
        journal.finish("g1", Outcome("done", request_id="r1", attempts=1))
        journal.start("g2")
        journal.finish("g2", Outcome("failed", code=10007, category="permission_denied", message="no"))
        journal.start("g3")  # killed here: its call may or may not have reached the vendor
    with Journal.open(path, JOB, work) as journal:
        assert journal.to_run(retry_failed=False) == ["g3", "g4"]
        assert journal.to_run(retry_failed=True) == ["g2", "g3", "g4"]
        entries = {entry.key: entry for entry in journal.entries()}
    assert entries["g1"].outcome == Outcome("done", request_id="r1", attempts=1)
    assert entries["g2"].outcome.code == 10007
    assert entries["g3"].status == "in_flight"


def test_a_skipped_item_is_final_even_when_retrying_failed_ones(tmp_path: Path) -> None:
    """A plan's step skipped as changed since plan needs a new plan, not another try."""
    path = tmp_path / "j.sqlite"
    with Journal.open(path, JOB, items("g1", "g2")) as journal:
        journal.finish("g1", Outcome("skipped", category="changed_since_plan", message="the owner is now dan"))
        journal.finish("g2", Outcome("failed", code=10002))
        assert journal.to_run(retry_failed=True) == ["g2"]
        assert journal.counts()["skipped"] == 1
        (entry, _) = journal.entries()
        assert (entry.status, entry.outcome.message) == ("skipped", "the owner is now dan")


def test_an_outcome_is_on_disk_as_soon_as_it_is_recorded(tmp_path: Path) -> None:
    """SIGKILL right after ``finish`` returns loses nothing: the commit is in the WAL, which the OS keeps."""
    path = tmp_path / "j.sqlite"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from imgroup.jobs import Item, Journal, Outcome
        journal = Journal.open(Path({str(path)!r}), {JOB!r}, [Item(k, n, {{"group_id": k}}) for n, k in
                               enumerate(["g1", "g2", "g3"], start=1)])
        journal.start("g1")
        journal.finish("g1", Outcome("done", already_gone=True, attempts=2))
        journal.start("g2")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    process = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent, check=False)
    assert process.returncode == -signal.SIGKILL
    with Journal.open(path, JOB, items("g1", "g2", "g3")) as journal:
        assert journal.counts() == {
            "pending": 1,
            "in_flight": 1,
            "done": 1,
            "failed": 0,
            "skipped": 0,
            "already_gone": 1,
        }
        assert journal.to_run(retry_failed=False) == ["g2", "g3"]


def test_a_journal_written_before_the_kernel_moved_still_resumes(tmp_path: Path) -> None:
    """The tables as imgroup.bulk wrote them (spelled out here, not taken from the code): done stays done."""
    path = tmp_path / "old.journal.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE job (name TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE items (key TEXT PRIMARY KEY, line INTEGER NOT NULL, arguments TEXT NOT NULL,"
            " status TEXT NOT NULL DEFAULT 'pending', already_gone INTEGER NOT NULL DEFAULT 0, code INTEGER,"
            " category TEXT, message TEXT, request_id TEXT, attempts INTEGER, updated_at REAL)"
        )
        db.execute("INSERT INTO job (name) VALUES (?)", (JOB,))
        db.executemany(
            "INSERT INTO items (key, line, arguments, status, already_gone, request_id) VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("g1", 1, '{"group_id": "g1"}', "done", 1, "r1"),
                ("g2", 2, '{"group_id": "g2"}', "in_flight", 0, None),
                ("g3", 3, '{"group_id": "g3"}', "pending", 0, None),
            ],
        )
    db.close()
    with Journal.open(path, JOB, items("g1", "g2", "g3")) as journal:
        assert journal.to_run(retry_failed=False) == ["g2", "g3"]
        (first, *_) = journal.entries()
        assert first.outcome == Outcome("done", already_gone=True, request_id="r1")


def test_the_journal_uses_wal_with_normal_sync(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", JOB, items("g1")) as journal:
        assert journal._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert journal._db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL


@pytest.mark.parametrize(
    ("job", "keys", "words"),
    [
        ("feishu.disband_chat", ("g1", "g2"), "journal of a tencent.destroy_group job"),
        (JOB, ("g1", "g2", "g3"), "the input has g3 (line 3)"),
        (JOB, ("g1",), "holds 1 item the input no longer has"),
    ],
)
def test_another_job_or_input_is_refused(tmp_path: Path, job: str, keys: tuple[str, ...], words: str) -> None:
    path = tmp_path / "j.sqlite"
    Journal.open(path, JOB, items("g1", "g2")).close()
    with pytest.raises(JournalError, match="use another --journal") as caught:
        Journal.open(path, job, items(*keys))
    assert words in str(caught.value)


def test_changed_values_for_a_key_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal.open(path, "yunxin.dismiss_team", [Item("1001", 1, {"team_id": "1001", "operator_id": "a"})]).close()
    with pytest.raises(JournalError, match=r"1001 \(line 1\) has other values"):
        Journal.open(path, "yunxin.dismiss_team", [Item("1001", 1, {"team_id": "1001", "operator_id": "b"})])


def test_a_refused_journal_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal.open(path, JOB, items("g1")) as journal:
        journal.start("g1")
        journal.finish("g1", Outcome("done"))
    with pytest.raises(JournalError):
        Journal.open(path, JOB, items("g2"))
    with Journal.open(path, JOB, items("g1")) as journal:
        assert journal.counts()["done"] == 1


def test_a_second_run_on_the_same_journal_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal.open(path, JOB, items("g1")), pytest.raises(JournalError, match="in use by another run"):
        Journal.open(path, JOB, items("g1"))
    Journal.open(path, JOB, items("g1")).close()


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just words " * 100)
    with pytest.raises(JournalError, match="notes.txt"):
        Journal.open(path, JOB, items("g1"))


def test_a_read_only_view_verifies_without_changing_anything(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal.open(path, JOB, items("g1", "g2")).close()
    before = os.stat(path).st_mtime_ns
    with Journal.read(path) as journal:
        journal.verify(JOB, items("g1", "g2"))
        with pytest.raises(JournalError):
            journal.verify(JOB, items("g1"))
        assert journal.counts()["pending"] == 2
    assert os.stat(path).st_mtime_ns == before
