"""``python -m bench [--quick] [--only NAME ...] [--results DIR]``: every measurement, one table, one JSON file.

Each measurement runs in a fresh interpreter (``python -m bench.<name> --json``), so that what one imports or
allocates cannot skew the next.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import _machine
from ._cli import parse_rows
from ._interpreter import child_environment
from ._rows import Row
from ._table import render

MEASUREMENTS = (
    "import_cost",
    "call_overhead",
    "signing",
    "throughput",
    "bulk",
    "generation",
    "iteration",
    "plans",
    "bulk_memory",
    "review_page",
    "events",
    "workers",
    "inventory",
)
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Measurement 9 runs 303,000 bulk items: under a load average of 6-10 on two cores, its 100,000-item jobs took 18 to
# 29 minutes each.
MEASUREMENT_TIMEOUT_S = 3 * 3600


def run_measurement(name: str, quick: bool) -> list[Row]:
    command = [sys.executable, "-m", f"bench.{name}", "--json", *(["--quick"] if quick else [])]
    result = subprocess.run(
        command,
        check=False,
        cwd=_machine.PROJECT_ROOT,
        env=child_environment(),
        capture_output=True,
        text=True,
        timeout=MEASUREMENT_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.{name} failed (exit {result.returncode}):\n{result.stderr[-4000:]}")
    return parse_rows(result.stdout)


def save(
    rows: Sequence[Row],
    machine: dict[str, object],
    commit: str | None,
    quick: bool,
    results_dir: Path,
    *,
    partial: bool = False,
) -> Path:
    """Save the run as JSON; a ``partial`` one (some measurements only) is named so, and never becomes the figures of
    record (``bench.readme`` takes the newest full run)."""
    now = datetime.now(UTC)
    document = {
        "date": now.isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {**machine, "load_average_at_end": _machine.load_average()},
        "versions": _machine.versions(),
        "commit": commit,
        # Others commit to the same tree: a run whose tree changed under it mixes two versions.
        "commit_at_end": _machine.commit(),
        "rows": [row.to_json() for row in rows],
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{now:%Y%m%dT%H%M%SZ}{'-partial' if partial else ''}{'-quick' if quick else ''}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts: proves the scripts work, measures nothing")
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, help="run only these measurements")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="where to save the run's JSON")
    args = parser.parse_args(argv)
    machine = _machine.describe()
    commit = _machine.commit()
    rows: list[Row] = []
    for name in args.only or MEASUREMENTS:
        start = time.perf_counter()
        print(f"bench.{name} ...", file=sys.stderr, flush=True)
        rows += run_measurement(name, args.quick)
        print(f"bench.{name} done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    partial = args.only is not None and set(args.only) != set(MEASUREMENTS)
    path = save(rows, machine, commit, args.quick, args.results, partial=partial)
    print(render(rows))
    print(f"\nSaved to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
