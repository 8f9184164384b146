"""Generates a whole output folder from several specs, and compares one with a fresh generation."""

from __future__ import annotations

import difflib
import shutil
import tempfile
from pathlib import Path

from .build import REGISTRY_PACKAGE, build_package, build_registry
from .spec import load_spec

ROOT = Path(__file__).resolve().parent.parent


def spec_label(spec_path: Path) -> str:
    """How a generated file's header names its spec: relative to the project root where possible."""
    try:
        return spec_path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return spec_path.name


def generate_tree(spec_paths: list[Path], out_root: Path, *, with_registry: bool = False) -> None:
    """Replace each spec's package under ``out_root`` with a fresh generation (and ``imgroup_registry``, listing
    them, if ``with_registry``)."""
    out_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="imgroup-tree-") as scratch:
        _build(spec_paths, Path(scratch), with_registry=with_registry)
        for fresh in sorted(Path(scratch).iterdir()):
            target = out_root / fresh.name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(fresh, target)
            print(f"generated {target}")


def _build(spec_paths: list[Path], out_root: Path, *, with_registry: bool) -> None:
    for spec_path in spec_paths:
        package = load_spec(spec_path, validate=False).package
        build_package(spec_path, out_root / package, spec_label(spec_path))
    if with_registry:
        specs = [load_spec(spec_path, validate=False) for spec_path in spec_paths]
        build_registry(specs, out_root / REGISTRY_PACKAGE, [spec_label(path) for path in spec_paths])


def compare_trees(spec_paths: list[Path], committed_root: Path, *, with_registry: bool = False) -> list[str]:
    """Lines describing every difference between ``committed_root`` and a fresh generation."""
    with tempfile.TemporaryDirectory(prefix="imgroup-check-") as scratch:
        fresh_root = Path(scratch)
        _build(spec_paths, fresh_root, with_registry=with_registry)
        expected = _files(fresh_root)
        packages = {p.name for p in fresh_root.iterdir()}
        actual = {rel: path for rel, path in _files(committed_root).items() if rel.split("/", 1)[0] in packages}
        lines = []
        for rel in sorted(expected.keys() | actual.keys()):
            if rel not in actual:
                lines.append(f"missing: {rel}")
            elif rel not in expected:
                lines.append(f"not generated (stale or hand-written): {rel}")
            elif expected[rel].read_bytes() != actual[rel].read_bytes():
                lines.append(f"differs: {rel}")
                lines.extend(
                    difflib.unified_diff(
                        actual[rel].read_text(encoding="utf-8").splitlines(),
                        expected[rel].read_text(encoding="utf-8").splitlines(),
                        f"committed/{rel}",
                        f"fresh/{rel}",
                        lineterm="",
                        n=1,
                    )
                )
        return lines


def _files(root: Path) -> dict[str, Path]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
