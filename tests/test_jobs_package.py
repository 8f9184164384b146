"""imgroup.jobs, the kernel bulk jobs and plans share: one public interface; it depends on neither of them."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
KERNEL = PROJECT / "imgroup" / "jobs"


def test_the_package_exports_every_public_name_sorted() -> None:
    import imgroup.jobs as package

    # "@py_builtins" and friends: pytest rewrites the asserts of every module of an installed plugin's project.
    public = {name for name in vars(package) if not name.startswith(("_", "@"))}
    assert public == set(package.__all__)
    assert package.__all__ == sorted(package.__all__, key=lambda name: (not name.isupper(), name))


def imported_modules(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, relative ones resolved; ``from imgroup.jobs import _x`` is ``imgroup.jobs._x``."""
    module = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
    package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(part for part in (base, node.module) if part)
            yield name
            yield from (f"{name}.{alias.name}" for alias in node.names if alias.name.startswith("_"))


def sources(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PROJECT / folder).rglob("*.py"))


def test_only_the_kernel_imports_its_private_modules() -> None:
    outside = [path for path in sources("imgroup", "tests", "bench") if KERNEL not in path.parents]
    offending = {
        f"{path.relative_to(PROJECT)}: {name}"
        for path in outside
        for name in imported_modules(path)
        if name.startswith("imgroup.jobs._")
    }
    assert not offending


def test_plans_take_nothing_from_bulk_jobs() -> None:
    offending = {
        f"{path.relative_to(PROJECT)}: {name}"
        for path in sources("imgroup/plans")
        for name in imported_modules(path)
        if name == "imgroup.bulk" or name.startswith("imgroup.bulk.")
    }
    assert not offending


def test_the_kernel_imports_nothing_of_imgroup_but_the_shared_error_tree_and_counting_words() -> None:
    offending = {
        f"{path.relative_to(PROJECT)}: {name}"
        for path in sources("imgroup/jobs")
        for name in imported_modules(path)
        if name.startswith("imgroup.") and not name.startswith(("imgroup.jobs", "imgroup.errors", "imgroup._plural"))
    }
    assert not offending


def test_importing_the_kernel_loads_no_client_command_line_or_rich() -> None:
    heavy = ("httpx", "rich", "click", "feishu_im", "tencent_im", "yunxin_im", "imgroup.bulk", "imgroup.plans")
    code = f"import sys, imgroup.jobs\nprint(sorted(m for m in {heavy!r} if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert output.stdout.strip() == "[]"
