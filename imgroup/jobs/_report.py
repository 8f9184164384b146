"""The report of a job (every item's latest outcome, as CSV or JSON Lines) and its one-line summary.

A plan's report has its own columns (a step says more than its key), written by the same ``write_rows``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from imgroup._plural import counted

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
    return write_rows(path, COLUMNS, (row_of(entry) for entry in entries))


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write ``rows`` to ``path`` as CSV (a header of ``columns``) or JSON Lines, by its extension; returns how
    many. Rows are written as they come, so a report of any size takes no more memory than one row."""
    chosen = report_format(path)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        if chosen == "csv":
            writer = csv.DictWriter(file, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
                count += 1
        else:
            for row in rows:
                file.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    return count


def summary(counts: Mapping[str, int]) -> str:
    """One line: how many items are done (and already gone), failed and left."""
    total = sum(counts.get(status, 0) for status in ("pending", "in_flight", "done", "failed"))
    left = counts.get("pending", 0) + counts.get("in_flight", 0)
    text = f"{counted(total, 'item')}: {counts.get('done', 0)} done ({counts.get('already_gone', 0)} already gone)"
    text += f", {counts.get('failed', 0)} failed"
    return text + (f", {left} not run" if left else "")
