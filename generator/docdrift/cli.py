"""Entry points for ``python -m generator check-docs`` and ``python -m generator docs``.

Exit codes of ``check-docs``: 0 every page agrees with the specs, 1 some page drifted, 2 some page could not
be read or matched (or there was nothing to check); the worst over all pages wins. ``--write`` leaves the
exit code as it was (the page did drift); a second run confirms the spec now agrees.

A page documenting an older route the spec keeps (``x-older-route-of``) is reported but, alone, exits 0: the
spec already records the move, so a maintainer's ``make check-docs`` would otherwise fail on it for as long as
the vendor keeps that page up. ``--strict`` counts it as drift.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

import yaml

from .compare import Difference, compare, is_known, is_writable
from .field_writer import add_body_fields
from .matcher import Unmatched, match
from .model import Page, PageUnreadable
from .readers import read_page_file
from .render_docs import GENERATED_MARK, render_all
from .report import format_page_report
from .spec_model import SpecOperation, load_operations, spec_files
from .writer import WriteRefused, apply_differences

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
NOT_PAGES = frozenset({"README.md", "vendor-facts.md"})

AGREES, DRIFTED, UNREADABLE = 0, 1, 2


def seed_pages(seeds_dir: Path) -> list[Path]:
    """The vendor pages in the seeds folder, in name order (its README and facts file are not pages)."""
    return sorted(path for path in seeds_dir.iterdir() if path.is_file() and path.name not in NOT_PAGES)


def check_docs_main(argv: list[str]) -> int:
    """``check-docs PAGE... [--specs DIR] [--write] [--seeds]``: report how each page differs from the specs."""
    parser = argparse.ArgumentParser(
        prog="python -m generator check-docs",
        description="Compare vendor documentation pages with the specs and report every difference.",
    )
    parser.add_argument("pages", nargs="*", type=Path, help="documentation pages to check")
    parser.add_argument("--specs", type=Path, default=PROJECT_ROOT / "specs", help="folder of spec YAML files")
    parser.add_argument(
        "--write",
        action="store_true",
        help="carry added and changed error codes, and added body fields, into the specs",
    )
    parser.add_argument("--seeds", action="store_true", help=f"also check every page in {SEEDS_DIR}")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="count a page documenting an older route the spec keeps (x-older-route-of) as drift (exit 1)",
    )
    args = parser.parse_args(argv)

    pages = list(args.pages)
    if args.seeds:
        if not SEEDS_DIR.is_dir():
            return _fail(f"--seeds: {SEEDS_DIR} does not exist (it sits beside the project in a full checkout)")
        pages += seed_pages(SEEDS_DIR)
    if not pages:
        return _fail("no pages to check: name some pages or pass --seeds")
    if not spec_files(args.specs):
        return _fail(f"no spec files (*.yaml) in {args.specs}")
    worst = AGREES
    operations: list[SpecOperation] | None = None  # parsed once, and again after --write changed a spec
    for page_file in pages:
        if operations is None:
            try:
                operations = load_operations(args.specs)
            except yaml.YAMLError as error:
                return _fail(f"{args.specs}: a spec is not valid YAML: {error}")
        status, wrote = _check_one(page_file, operations, args.write, args.strict)
        worst = max(worst, status)
        if wrote:
            operations = None
    return worst


def _check_one(page_file: Path, operations: list[SpecOperation], write: bool, strict: bool) -> tuple[int, bool]:
    """The page's exit status, and whether it wrote to a spec."""
    try:
        page = read_page_file(page_file)
        found = match(page, operations)
    except PageUnreadable as error:
        return _fail(f"cannot read {error}"), False
    except Unmatched as error:
        return _fail(f"{page_file}: matches no spec operation: {error}"), False
    differences = compare(page, found.operation, operations)
    print(format_page_report(page, found, differences))
    if write and any(is_writable(difference) for difference in differences):
        return _write(page, found.operation, differences), True
    counted = differences if strict else [difference for difference in differences if not is_known(difference)]
    return (DRIFTED if counted else AGREES), False


def _write(page: Page, operation: SpecOperation, differences: list[Difference]) -> int:
    spec_file = operation.spec_file
    before = spec_file.read_text(encoding="utf-8")
    try:
        after = apply_differences(before, operation.path, operation.method, page.errors or [], differences)
        after = add_body_fields(after, operation.path, operation.method, differences)
    except WriteRefused as error:
        return _fail(f"{spec_file}: not written: {error}")
    spec_file.write_text(after, encoding="utf-8")
    diff = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), str(spec_file), str(spec_file)
    )
    sys.stdout.writelines(diff)
    left = sum(1 for difference in differences if not is_writable(difference))
    print(
        f"  wrote {spec_file}; rows marked review: true and fields marked x-review: true await a person."
        + (f" {left} left for a person." if left else "")
    )
    return DRIFTED


def _fail(message: str) -> int:
    print(f"check-docs: {message}", file=sys.stderr)
    return UNREADABLE


def docs_main(argv: list[str]) -> int:
    """``docs [--specs DIR] [--out DIR] [--check]``: render the Markdown reference; --check only compares."""
    parser = argparse.ArgumentParser(prog="python -m generator docs", description="Render docs/ from the specs.")
    parser.add_argument("--specs", type=Path, default=PROJECT_ROOT / "specs", help="folder of spec YAML files")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs", help="folder to write the Markdown to")
    parser.add_argument("--check", action="store_true", help="exit 1 if the folder differs from a fresh render")
    args = parser.parse_args(argv)
    if not spec_files(args.specs):
        print(f"docs: no spec files (*.yaml) in {args.specs}", file=sys.stderr)
        return 2
    rendered = render_all(args.specs)
    stale = _stale_files(args.out, rendered)
    if args.check:
        for name in stale:
            print(f"docs: {args.out / name} is out of date; run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        target = args.out / name
        if name in rendered:
            target.write_text(rendered[name], encoding="utf-8")
        else:
            target.unlink()
        print(f"docs: {'wrote' if name in rendered else 'removed'} {target}")
    return 0


def _stale_files(out: Path, rendered: dict[str, str]) -> list[str]:
    """Names to write (missing or different) or to remove (rendered by us before, no longer produced)."""
    stale = [name for name, text in sorted(rendered.items()) if _read(out / name) != text]
    if out.is_dir():
        ours = (path.name for path in out.glob("*.md") if (_read(path) or "").startswith(GENERATED_MARK))
        stale += sorted(name for name in ours if name not in rendered)
    return stale


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
