"""Measurement 6: wall time of regenerating the three packages, as ``make generate`` does, into a scratch folder.

``python -m generator generate --out <tmp>`` runs in a fresh interpreter each time (reading bytecode, see
``_interpreter``; an untimed run first fills its cache), so the time includes starting Python and importing
the generator's tools (openapi-python-client, ruff, Jinja2, the validator).
``generated/`` is never touched.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._cli import main
from ._interpreter import child_environment
from ._rows import Row, Summary

MEASUREMENT = "6. generation"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
GENERATE_TIMEOUT_S = 600


def generate_seconds() -> float:
    with tempfile.TemporaryDirectory(prefix="imgroup-bench-") as scratch:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "generator", "generate", "--out", scratch],
            cwd=PROJECT_ROOT,
            env=child_environment(),
            check=True,
            capture_output=True,
            timeout=GENERATE_TIMEOUT_S,
        )
        seconds = time.perf_counter() - start
        if not any(Path(scratch).glob("*/facade.py")):
            raise RuntimeError(f"the generator wrote no package into {scratch}")
    return seconds


def run(quick: bool) -> list[Row]:
    runs = 1 if quick else 5
    if not quick:  # a quick run proves the script works, and needs no warm cache for that
        generate_seconds()  # fills the bytecode cache
    summary = Summary.of([generate_seconds() for _ in range(runs)])
    return [Row(MEASUREMENT, "python -m generator generate (3 specs)", "wall time", "s", summary)]


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
