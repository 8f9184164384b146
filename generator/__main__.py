"""``python -m generator``: generate, check, check-docs, docs.

python -m generator generate          # specs/*.yaml -> generated/
python -m generator check             # fail if generated/ differs from a fresh generation
python -m generator generate --spec tests/golden/spec.yaml --out /tmp/golden
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .tree import ROOT, compare_trees, generate_tree


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check-docs":
        from .docdrift.cli import check_docs_main

        return check_docs_main(argv[1:])
    if argv and argv[0] == "docs":
        from .docdrift.cli import docs_main

        return docs_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="regenerate the client packages from the specs")
    generate.add_argument("--spec", type=Path, action="append", help="a spec (default: every specs/*.yaml)")
    generate.add_argument("--out", type=Path, default=ROOT / "generated", help="output folder (default: generated/)")
    commands.add_parser("check", help="fail when generated/ differs from a fresh generation")
    commands.add_parser("check-docs", help="compare vendor documentation pages with the specs")
    commands.add_parser("docs", help="render the Markdown reference under docs/")
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate_tree(args.spec or _default_specs(), args.out, with_registry=args.spec is None)
        return 0
    differences = compare_trees(_default_specs(), ROOT / "generated", with_registry=True)
    for line in differences:
        print(line)
    if differences:
        print("generated/ is stale or was edited by hand: run `make generate` and commit the result.")
        return 1
    print("generated/ matches a fresh generation.")
    return 0


def _default_specs() -> list[Path]:
    return sorted((ROOT / "specs").glob("*.yaml"))


if __name__ == "__main__":
    sys.exit(main())
