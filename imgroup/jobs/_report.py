"""The report of a job (every item's latest outcome, as CSV or JSON Lines) and its one-line summary.

A plan writes its own rows (a step says more than its key), in the format ``report_format`` chooses.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._journal import Entry

COLUMNS = ("id", "status", "already_gone", "code", "category", "message", "request_id", "attempts")
FORMATS = {".csv": "csv", ".jsonl": "jsonl"}


def report_format(path: Path) -> str:
    """``csv`` or ``jsonl``, chosen by the file's extension; ValueError for any other."""
    chosen = FORMATS.get(path.suffix.lower())
    if chosen is None:
        raise ValueError(f"the report's name must end in .csv or .jsonl (got {path.name!r})")
    return chosen


def row_of(entry: Entry) -> dict[str, Any]:
    """The report's columns for one item."""
    outcome = entry.outcome
    return {
        "id": entry.key,
        "status": entry.status,
        "already_gone": outcome.already_gone,
        "code": outcome.code,
        "category": outcome.category,
        "message": outcome.message,
        "request_id": outcome.request_id,
        "attempts": outcome.attempts,
    }


def write_report(path: Path, entries: Iterable[Entry]) -> int:
    """Write every entry to ``path`` and return how many; CSV leaves empty cells where JSON has null."""
    chosen = report_format(path)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        if chosen == "csv":
            writer = csv.DictWriter(file, fieldnames=COLUMNS)
            writer.writeheader()
            for entry in entries:
                writer.writerow(row_of(entry))
                count += 1
        else:
            for entry in entries:
                file.write(json.dumps(row_of(entry), ensure_ascii=False) + "\n")
                count += 1
    return count


def summary(counts: Mapping[str, int]) -> str:
    """One line: how many items are done (and already gone), failed and left."""
    total = sum(counts.get(status, 0) for status in ("pending", "in_flight", "done", "failed"))
    left = counts.get("pending", 0) + counts.get("in_flight", 0)
    text = f"{total} items: {counts.get('done', 0)} done ({counts.get('already_gone', 0)} already gone)"
    text += f", {counts.get('failed', 0)} failed"
    return text + (f", {left} not run" if left else "")
