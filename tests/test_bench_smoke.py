"""The benchmark scripts run and report well-formed figures. Tiny counts, and no assertion on any timing."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench import (
    bulk,
    bulk_memory,
    call_overhead,
    events,
    generation,
    import_cost,
    inventory,
    iteration,
    readme,
    review_page,
    signing,
    throughput,
    workers,
)
from bench._cli import JSON_MARKER, parse_rows
from bench._emulator import emulator_process
from bench._profile import hot_spots, package_of
from bench._rows import Row, Summary
from bench._table import number, render

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def check_rows(rows: list[Row]) -> None:
    """Every figure is a real number, min <= median <= max, and each ratio is the medians' quotient."""
    assert rows
    for row in rows:
        summary = row.summary
        assert summary.runs >= 1
        assert all(math.isfinite(value) and value >= 0 for value in (summary.low, summary.median, summary.high))
        assert summary.low <= summary.median <= summary.high
        if row.ratio is not None:
            assert row.reference is not None
            assert row.ratio > 0
        if row.target is None:
            assert row.met is None


def ratio_matches(rows: list[Row], subject: str, reference_subject: str) -> None:
    """The ratio printed for ``subject`` is its median over the same run's median of ``reference_subject``."""
    for row in (row for row in rows if row.subject == subject):
        reference = next(other for other in rows if other.subject == reference_subject and other.metric == row.metric)
        assert row.ratio == pytest.approx(row.summary.median / reference.summary.median)


def test_summary_is_median_min_max() -> None:
    summary = Summary.of([3.0, 1.0, 2.0, 10.0])
    assert (summary.median, summary.low, summary.high, summary.runs) == (2.5, 1.0, 10.0, 4)
    with pytest.raises(ValueError):
        Summary.of([])


def test_rows_survive_the_json_round_trip_between_processes() -> None:
    row = Row(
        "2. per call", "x: imgroup", "CPU time per call", "µs", Summary(2.0, 1.0, 3.0, 3), "raw", 1.2, "≤ 1.5×", True
    )
    printed = "library chatter\n" + JSON_MARKER + "\n" + json.dumps([row.to_json()])
    assert parse_rows(printed) == [row]
    with pytest.raises(ValueError):
        parse_rows("no rows here")


def test_table_marks_missed_targets_and_lists_profiles() -> None:
    missed = Row(
        "1. import", "ours", "import wall time", "ms", Summary(400, 390, 420, 5), "floor", 1.9, "≤ 1.3×", False
    )
    missed = dataclasses.replace(missed, detail="urllib.request 3 ms")
    met = Row("1. import", "floor", "import wall time", "ms", Summary(210, 200, 230, 5))
    table = render([met, missed])
    lines = table.splitlines()
    assert lines[0].startswith("| # |") and len(lines) == 2 + 2 + 2
    assert "**missed**" in lines[3] and "1.90× floor" in lines[3]
    assert "missed" not in lines[2]
    assert lines[-1].endswith("urllib.request 3 ms")


def test_numbers_keep_three_significant_figures() -> None:
    assert [number(v) for v in (12345.6, 123.4, 12.34, 1.234, 0.01234)] == ["12,346", "123", "12.3", "1.23", "0.0123"]


def test_profile_names_packages_and_functions() -> None:
    assert package_of("~") == "built-ins"
    assert package_of("/x/.venv/lib/python3.11/site-packages/httpx/_client.py") == "httpx"
    assert package_of("/work/main/generated/feishu_im/facade.py") == "feishu_im"
    assert package_of("/work/main/imgroup/runtime/_pipeline.py") == "imgroup.runtime"
    assert package_of("/usr/lib/python3.11/json/decoder.py") == "stdlib"
    report = hot_spots(lambda index: json.dumps({"index": index}), 50)
    assert report.startswith("cProfile own time by package:") and "json" in report


def test_import_cost_runs() -> None:
    rows = import_cost.run(quick=True)
    check_rows(rows)
    assert {row.metric for row in rows} == {
        "import wall time",
        "peak RSS of the process",
        "allocated by the import (tracemalloc peak)",
    }
    assert sum(row.target is not None for row in rows) == 3  # one target per metric, on the client classes
    for row in rows:
        if row.met is False and row.metric == "import wall time":
            assert row.detail.startswith("-X importtime")


def test_import_profile_names_what_the_clients_add_over_the_floor() -> None:
    report = import_cost.profile_over_floor(import_cost.CLIENTS)
    assert "modules over the floor" in report
    assert all(package in report for package in ("feishu_im", "tencent_im", "yunxin_im"))
    assert "httpx " not in report  # the floor imports httpx: it is not counted against the clients


def test_call_overhead_runs_every_operation_against_raw_httpx() -> None:
    rows = call_overhead.run(quick=True)
    check_rows(rows)
    operations = {row.subject.split(":")[0] for row in rows}
    assert operations == {"disband_chat", "remove_chat_members", "destroy_group", "dismiss_team"}
    assert {row.subject for row in rows if "lark-oapi" in row.subject} == {
        "disband_chat: lark-oapi",
        "remove_chat_members: lark-oapi",
    }
    for operation in operations:
        ratio_matches(rows, f"{operation}: imgroup", f"{operation}: raw httpx")


def test_signing_runs() -> None:
    rows = signing.run(quick=True)
    check_rows(rows)
    ratio_matches(rows, "usersig: imgroup gen_usersig", "usersig: tls-sig-api-v2")


def test_events_runs_in_process_and_through_http() -> None:
    rows = events.run(quick=True)
    check_rows(rows)
    ratio_matches(rows, "feishu: imgroup verifier + typed parser", "feishu: lark-oapi EventDispatcherHandler.do")
    ratio_matches(
        rows, "feishu: imgroup receiver, durable log", "feishu: lark-oapi dispatcher behind uvicorn, no storage"
    )
    assert {row.subject.split(":")[0] for row in rows} == {"feishu", "tencent", "yunxin"}


def test_throughput_runs_on_the_emulator() -> None:
    rows = throughput.run(quick=True)
    check_rows(rows)
    subjects = throughput.SYNC_SUBJECTS + throughput.ASYNC_SUBJECTS
    assert [row.subject for row in rows] == [f"disband_chat: {name}" for name in subjects]
    for name, reference in throughput.REFERENCES.items():
        ratio_matches(rows, f"disband_chat: {name}", f"disband_chat: {reference}")


def test_bulk_runs_the_bulk_command_on_the_emulator() -> None:
    rows = bulk.run(quick=True)
    check_rows(rows)
    assert [row.metric for row in rows] == [
        "CPU time per plain call (async client, limiter off)",
        "achieved rate, share of L",
        "CPU time of the job process per item, start-up included",
        "rate-limit answers",
        "achieved rate, share of L",
        "CPU time of the job process per item, start-up included",
        "rate-limit answers",
        "peak RSS of the job's process",
        "peak RSS of the job's process",
    ]
    plain = rows[0].summary.median
    for row in rows:
        if row.metric.startswith("CPU time of the job"):
            assert row.reference == "one plain call" and row.ratio == pytest.approx(row.summary.median / plain)


def test_bulk_profiles_a_job_on_request() -> None:
    with emulator_process() as admin:
        report = bulk.profile_job(admin, 20, bulk.LIMIT_PER_SECOND)
    assert report.startswith("20 items: cProfile own time by package:") and "httpx" in report


def test_bulk_memory_sets_the_long_jobs_peak_against_the_short_ones() -> None:
    rows = bulk_memory.run(quick=True)
    check_rows(rows)
    assert [row.metric for row in rows] == [
        "peak RSS of the job's process",
        "CPU time of the job process per item, start-up included",
    ] * 2
    short, long = rows[0], rows[2]
    assert short.target is None and long.target is not None and long.met is not None
    assert long.ratio == pytest.approx(long.summary.median / short.summary.median)


def test_inventory_plans_from_it_live_and_syncs() -> None:
    rows = inventory.run(quick=True)
    check_rows(rows)
    targets = {row.metric: row.met for row in rows if row.target is not None}
    assert set(targets) == {
        "planning from the inventory, in process",
        "floor the documented limits allow, share of the wall time",
        "rate-limit answers",
    }
    computed = next(row for row in rows if row.metric == "live plan at the documented limits, computed")
    assert computed.summary.median == pytest.approx(inventory.live_floor(300))


def test_the_live_floor_grows_with_the_chats_at_a_thousand_a_minute() -> None:
    # 25,000 list_chat_members calls: 50 each second up to 1,000 in the first minute, then 1,000 a minute.
    assert inventory.live_floor(25_000) == pytest.approx(24 * 60 + 19)
    assert inventory.expected_steps(25_000) == 500 + 100


def test_busiest_second_counts_calls_within_any_one_second_span() -> None:
    assert bulk.busiest_second([]) == 0
    assert bulk.busiest_second([0.0, 0.5, 0.99, 1.0, 1.5]) == 3
    assert bulk.busiest_second([0.0, 1.0, 2.0]) == 1


def test_generation_runs_into_a_scratch_folder() -> None:
    generated = PROJECT_ROOT / "generated"
    before = {path: path.stat().st_mtime_ns for path in generated.rglob("*.py")}
    rows = generation.run(quick=True)
    check_rows(rows)
    assert {path: path.stat().st_mtime_ns for path in generated.rglob("*.py")} == before


def test_iteration_pages_through_the_emulator_at_the_documented_limit() -> None:
    (row,) = iteration.run(quick=True)
    check_rows([row])
    assert row.metric == "ids per second" and row.ratio == pytest.approx(row.summary.median / 10)


def test_review_page_times_a_first_render_and_each_filter_in_chromium() -> None:
    # In a process of its own, as python -m bench runs it: Playwright's sync API drives one browser a process.
    # Without Chromium it fails saying what to install (bench._browser.BrowserMissing).
    command = [sys.executable, "-m", "bench.review_page", "--quick", "--json"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    first, filtered = parse_rows(result.stdout)
    check_rows([first, filtered])
    assert (first.summary.runs, filtered.summary.runs) == (1, len(review_page.FILTERS))
    assert first.subject.startswith(f"{review_page.QUICK_STEPS:,}-step plan")


def test_workers_applies_a_plan_on_one_and_two_worker_processes() -> None:
    rows = workers.run(quick=True)
    check_rows(rows)
    assert [row.metric for row in rows] == [
        "steps per second",
        "share of the limits' sum",
        "steps per second",
        "share of the limits' sum",
        "PostgreSQL commits per second",
        "PostgreSQL commits per step",
        "PostgreSQL commits per second (ceiling)",
        "CPU of imgroup apply (SQLite journal) per step",
        "CPU of a worker (PostgreSQL journal) per step",
    ]
    assert rows[2].ratio == pytest.approx(rows[2].summary.median / rows[0].summary.median)
    assert rows[-1].ratio == pytest.approx(rows[-1].summary.median / rows[-2].summary.median)
    assert rows[5].summary.median >= 2  # a step's start and its end are a commit each, at least


def test_python_m_bench_prints_the_table_and_saves_the_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "signing", "iteration", "--results", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "| 3. signing |" in result.stdout and "| 7. iteration |" in result.stdout
    (saved,) = tmp_path.glob("*-partial-quick.json")
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["quick"] is True
    assert document["versions"]["httpx"] and document["versions"]["lark-oapi"]
    assert document["machine"]["cores"] >= 1
    assert document["commit"] and document["commit_at_end"]
    assert {row["measurement"] for row in document["rows"]} == {"3. signing", "7. iteration"}


def test_readme_section_shows_the_saved_run_and_names_missed_targets(tmp_path: Path) -> None:
    missed = Row(
        "1. import", "ours", "import wall time", "ms", Summary(150, 140, 230, 15), "floor", 1.43, "≤ 1.3×", False
    )
    document = {
        "date": "2026-11-22T02:00:00+00:00",
        "quick": False,
        "commit": "0123456789abcdef",
        "machine": {"cpu": "AMD EPYC", "cores": 2, "platform": "Linux", "load_average_at_start": [1.5, 1, 1]},
        "versions": {"python": "3.11.7", "httpx": "0.28.1", "lark-oapi": "1.7.5"},
        "rows": [dataclasses.replace(missed, detail="asyncio 9 ms").to_json()],
    }
    saved = tmp_path / "20261122T020000Z.json"
    saved.write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "20261122T030000Z-quick.json").write_text("{}", encoding="utf-8")
    (tmp_path / "20261122T040000Z-partial.json").write_text("{}", encoding="utf-8")
    assert readme.newest_full_run(tmp_path) == saved
    out = tmp_path / "benchmarks.md"
    assert readme.main([str(saved), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(readme.HEADING + "\n") and "make bench" in text
    assert "commit 0123456789ab:" in text and "2 cores" in text and "load average 1.5 at start." in text
    moved = readme.machine_line({**document, "commit_at_end": "fedcba9876543210"})
    assert "commit 0123456789ab (the tree moved to fedcba987654 during the run)" in moved
    assert "| 1. import | ours | import wall time (ms) | 150 | 140 – 230 | 15 | 1.43× floor |" in text
    assert "Targets missed: 1. import ours, import wall time." in text and text.count("asyncio 9 ms") == 1


def test_readme_section_replaces_only_the_figures_section() -> None:
    heading = readme.HEADING
    document = f"# Benchmarks\n\nintro\n\n{heading}\n\nold table\n\n## After\n\nkept\n"
    replaced = readme.replace_section(document, f"{heading}\n\nnew table\n")
    assert replaced == f"# Benchmarks\n\nintro\n\n{heading}\n\nnew table\n\n## After\n\nkept\n"
    assert readme.replace_section("# Benchmarks\n", f"{heading}\n\nt\n") == f"# Benchmarks\n\n{heading}\n\nt\n"


def test_the_section_is_written_to_the_benchmarks_guide() -> None:
    assert readme.PAGE == PROJECT_ROOT / "docs" / "benchmarks.md"
    assert readme.HEADING + "\n" in readme.PAGE.read_text(encoding="utf-8")
