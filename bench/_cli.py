"""Running one measurement on its own: ``python -m bench.<name> [--quick] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from ._rows import Row
from ._table import render

# The line that precedes the rows on stdout with --json, so that nothing a library prints gets parsed as rows.
JSON_MARKER = "--- bench rows ---"


def main(run: Callable[[bool], list[Row]], description: str, argv: Sequence[str] | None = None) -> int:
    """Run ``run(quick)`` and print its rows as a table, or as JSON for ``python -m bench``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny counts: proves the script works, measures nothing")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (used by python -m bench)")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    if args.json:
        print(JSON_MARKER)
        print(json.dumps([row.to_json() for row in rows]))
    else:
        print(render(rows))
    sys.stdout.flush()
    return 0


def parse_rows(stdout: str) -> list[Row]:
    """The rows a ``--json`` run printed after its marker."""
    _, marker, payload = stdout.rpartition(JSON_MARKER)
    if not marker:
        raise ValueError("the benchmark printed no rows")
    return [Row.from_json(document) for document in json.loads(payload)]
