"""The results as a Markdown table, for the terminal and for docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Iterable

from ._rows import Row

HEADER = ("#", "subject", "metric", "median", "min – max", "runs", "vs reference", "target")


def number(value: float) -> str:
    """Three significant figures, without scientific notation."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _versus(row: Row) -> str:
    if row.ratio is None or row.reference is None:
        return ""
    return f"{row.ratio:.2f}× {row.reference}"


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    verdict = {True: "met", False: "**missed**", None: "n/a"}[row.met]
    return f"{row.target}: {verdict}"


def cells(row: Row) -> tuple[str, ...]:
    summary = row.summary
    subject = f"{row.subject} ({row.note})" if row.note else row.subject
    return (
        row.measurement,
        subject,
        f"{row.metric} ({row.unit})",
        number(summary.median),
        f"{number(summary.low)} – {number(summary.high)}",
        str(summary.runs),
        _versus(row),
        _target(row),
    )


def render(rows: Iterable[Row]) -> str:
    """A Markdown pipe table, one line per row, then what the profiles show for each row with a detail."""
    rows = list(rows)
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(" --- " for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in cells(row)) + " |" for row in rows]
    details = [f"- {row.measurement} {row.subject}, {row.metric}: {row.detail}" for row in rows if row.detail]
    if details:
        lines += ["", *details]
    return "\n".join(lines)
