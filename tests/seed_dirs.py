"""Where the tests find seed pages: the project's own pages in the seeds' layouts (``tests/fixtures/seeds``),
always, and the vendors' captured pages in ``../shared/seeds`` too where a developer's checkout has them. A
test over seed pages runs on both, so none is skipped on a user's clone."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN_SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
NOT_PAGES = frozenset({"README.md", "vendor-facts.md"})
SEED_DIRS = [OWN_SEEDS, *([SHARED_SEEDS] if SHARED_SEEDS.is_dir() else [])]


def seed_pages(folder: Path) -> dict[str, Path]:
    """The pages of a seeds folder by layout: the seed number their names start with (``000``)."""
    return {path.name[:3]: path for path in sorted(folder.iterdir()) if path.is_file() and path.name not in NOT_PAGES}


def folder_id(folder: Path) -> str:
    return "own" if folder == OWN_SEEDS else "shared"
