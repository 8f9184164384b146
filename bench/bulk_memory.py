"""Measurement 9: the peak RSS of ``imgroup bulk disband`` against the size of its input, unpaced.

The job is measurement 5's (Tencent ``destroy_group`` on the emulator, the command line in a fresh process whose
peak RSS and CPU time a launcher reads with ``wait4``), with the emulator's limits lifted and the job's limiter off
(``--rate-limit 0``), so that a 100,000-item job takes minutes rather than Tencent's 200 calls a second. (A limiter
set far above any rate reached keeps up to that many bookings per window, its limit's worth, which would be
measured instead of the job: 3 MiB of a 100,000-item job's peak at a limit of a million a second.) "Flat" is the long job's peak within 5% of the short job's: a job that held each of its items would take
about 0.4 KB more for each. The sizes alternate within each round, so that a busier spell of the shared machine
weighs on both; each row notes the 1-minute load average seen at the start of its runs. A small job first, not
counted, fills the bytecode cache the jobs' interpreters read, so that the first counted job does not compile.
"""

from __future__ import annotations

import os

from ._cli import main
from ._emulator import UNLIMITED_PER_SECOND, emulator_process
from ._rows import Row, Summary, ratio
from .bulk import run_job

MEASUREMENT = "9. bulk memory"
SIZES = (1_000, 100_000)
RUNS = 3
TARGET_MEMORY_RATIO = 1.05
WARM_UP_ITEMS = 20
NO_CLIENT_LIMIT = 0  # --rate-limit 0


def run(quick: bool) -> list[Row]:
    sizes, runs = ((20, 200), 1) if quick else (SIZES, RUNS)
    short, long = sizes
    jobs: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
    loads: dict[int, list[float]] = {size: [] for size in sizes}
    with emulator_process() as admin:
        run_job(admin, WARM_UP_ITEMS, UNLIMITED_PER_SECOND, job_limit=NO_CLIENT_LIMIT)
        for _ in range(runs):
            for size in sizes:
                loads[size].append(os.getloadavg()[0])
                jobs[size].append(run_job(admin, size, UNLIMITED_PER_SECOND, job_limit=NO_CLIENT_LIMIT))
    memory = {size: Summary.of([job["rss_kb"] / 1024 for job in jobs[size]]) for size in sizes}
    cpu = {size: Summary.of([job["cpu_per_item_us"] for job in jobs[size]]) for size in sizes}
    rows = []
    for size in sizes:
        subject = f"{size:,} × destroy_group, unpaced"
        note = f"1-min load average {min(loads[size]):.1f} – {max(loads[size]):.1f}"
        judged = size == long
        versus = ratio(memory[size], memory[short]) if judged else None
        rows.append(
            Row(
                MEASUREMENT,
                subject,
                "peak RSS of the job's process",
                "MiB",
                memory[size],
                f"{short:,} items" if judged else None,
                versus,
                f"flat (≤ {TARGET_MEMORY_RATIO}×)" if judged else None,
                versus <= TARGET_MEMORY_RATIO if versus is not None else None,
                note=note,
            )
        )
        rows.append(
            Row(MEASUREMENT, subject, "CPU time of the job process per item, start-up included", "µs", cpu[size])
        )
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
