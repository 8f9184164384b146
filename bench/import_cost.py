"""Measurement 1: what importing the clients costs a fresh interpreter, against httpx + attrs and lark-oapi.

Each run is a new ``python`` process (reading bytecode, see ``_interpreter``) that times one import statement with ``perf_counter`` and reports its
peak RSS (``ru_maxrss``); separate runs trace the same import with ``tracemalloc`` (which slows it down, so
those runs are not timed). ``python -X importtime`` then shows which modules the clients add over the floor.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ._cli import main
from ._interpreter import child_environment
from ._rows import Row, Summary, ratio

MEASUREMENT = "1. import"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3
# How many packages and modules to name when the target is missed.
PROFILE_TOP = 6

_CHILD = """
import json, resource, sys, time, tracemalloc
traced = sys.argv[1] == "traced"
if traced:
    tracemalloc.start()
start = time.perf_counter()
exec(sys.argv[2])
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] if traced else None
print(json.dumps({"seconds": seconds, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "traced": peak}))
"""


@dataclass(frozen=True)
class Subject:
    name: str
    statement: str
    heavy: bool = False
    """Takes seconds per run: fewer runs."""


FLOOR = Subject("httpx + attrs (floor)", "import httpx, attrs")
CLIENTS = Subject(
    "imgroup: the 6 client classes",
    "from feishu_im import FeishuClient, AsyncFeishuClient\n"
    "from tencent_im import TencentIMClient, AsyncTencentIMClient\n"
    "from yunxin_im import YunxinClient, AsyncYunxinClient",
)
PACKAGES = Subject("imgroup: `import feishu_im, tencent_im, yunxin_im`", "import feishu_im, tencent_im, yunxin_im")
LARK = Subject("lark-oapi (`import lark_oapi`)", "import lark_oapi", heavy=True)
SUBJECTS = (FLOOR, CLIENTS, PACKAGES, LARK)


def _child(subject: Subject, traced: bool) -> dict[str, float]:
    mode = "traced" if traced else "timed"
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, subject.statement],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=child_environment(),
        timeout=300,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _import_profile(statement: str) -> dict[str, int]:
    """Self time in microseconds of every module ``statement`` imports, from ``-X importtime``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=child_environment(),
        timeout=300,
    )
    profile: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, module = line.removeprefix("import time:").split("|")
        profile[module.strip()] = int(self_us)
    return profile


def profile_over_floor(subject: Subject) -> str:
    """Which modules ``subject`` imports that the floor does not: the cost by package, and the largest."""
    floor = _import_profile(FLOOR.statement)
    ours = _import_profile(subject.statement)
    extra = {module: us for module, us in ours.items() if module not in floor}
    packages: Counter[str] = Counter()
    for module, us in extra.items():
        packages[module.split(".")[0]] += us
    by_package = ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in packages.most_common(PROFILE_TOP))
    top = sorted(extra.items(), key=lambda item: item[1], reverse=True)[:PROFILE_TOP]
    largest = ", ".join(f"{module} {us / 1000:.1f} ms" for module, us in top)
    return (
        f"-X importtime (which slows imports): {len(extra)} modules over the floor, "
        f"{sum(extra.values()) / 1000:.0f} ms of self time; by package: {by_package}; the largest: {largest}"
    )


def run(quick: bool) -> list[Row]:
    timed_runs, traced_runs = (1, 1) if quick else (15, 5)
    heavy_runs = (1, 1) if quick else (5, 3)
    # A quick run only proves the script: no cache warming, and none of the heavy subjects (lark-oapi traced by
    # tracemalloc takes a minute on a busy machine).
    subjects = tuple(subject for subject in SUBJECTS if not (quick and subject.heavy))
    seconds: dict[Subject, list[float]] = {subject: [] for subject in subjects}
    rss: dict[Subject, list[float]] = {subject: [] for subject in subjects}
    traced: dict[Subject, list[float]] = {subject: [] for subject in subjects}
    for subject in subjects if not quick else ():  # fills the bytecode cache
        _child(subject, traced=False)
    # Rounds interleave the subjects, so that a slow spell of the machine hits them all alike.
    for round_ in range(timed_runs):
        for subject in subjects:
            if subject.heavy and round_ >= heavy_runs[0]:
                continue
            figures = _child(subject, traced=False)
            seconds[subject].append(figures["seconds"] * 1000)
            rss[subject].append(figures["rss_kb"] / 1024)
    for round_ in range(traced_runs):
        for subject in subjects:
            if subject.heavy and round_ >= heavy_runs[1]:
                continue
            traced[subject].append(_child(subject, traced=True)["traced"] / 2**20)

    rows: list[Row] = []
    for metric, unit, values in (
        ("import wall time", "ms", seconds),
        ("peak RSS of the process", "MiB", rss),
        ("allocated by the import (tracemalloc peak)", "MiB", traced),
    ):
        floor = Summary.of(values[FLOOR])
        rows.append(Row(MEASUREMENT, FLOOR.name, metric, unit, floor))
        for subject in subjects[1:]:
            summary = Summary.of(values[subject])
            versus = ratio(summary, floor)
            target = f"≤ {TARGET_RATIO}× floor" if subject is CLIENTS else None
            met = versus <= TARGET_RATIO if subject is CLIENTS else None
            detail = profile_over_floor(subject) if met is False and metric == "import wall time" else ""
            rows.append(Row(MEASUREMENT, subject.name, metric, unit, summary, "floor", versus, target, met, "", detail))
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
