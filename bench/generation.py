"""Measurement 6: wall time of regenerating the three packages, as ``make generate`` does, into a scratch folder.

``python -m generator generate --out <tmp>`` runs in a fresh interpreter each time (reading bytecode, see
``_interpreter``; an untimed run first fills its cache), so the time includes starting Python and importing
the generator's tools (openapi-python-client, ruff, Jinja2, the validator).
``generated/`` is never touched. A quick run (the bench smoke test) proves the script on the small golden spec.
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
GOLDEN_SPEC = PROJECT_ROOT / "tests" / "golden" / "spec.yaml"


def generate_seconds(spec: Path | None = None) -> float:
    """Seconds to generate every spec (or only ``spec``) into a scratch folder, in a fresh interpreter."""
    only = ["--spec", str(spec)] if spec else []
    with tempfile.TemporaryDirectory(prefix="imgroup-bench-") as scratch:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "generator", "generate", *only, "--out", scratch],
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
    if quick:  # proves the script works: no warm cache, and the golden spec rather than the three
        summary = Summary.of([generate_seconds(GOLDEN_SPEC)])
        return [Row(MEASUREMENT, "python -m generator generate (the golden spec)", "wall time", "s", summary)]
    generate_seconds()  # fills the bytecode cache
    summary = Summary.of([generate_seconds() for _ in range(5)])
    return [Row(MEASUREMENT, "python -m generator generate (3 specs)", "wall time", "s", summary)]


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
