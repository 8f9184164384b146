"""The generated models import the models they refer to once, after their class, and models in a cycle still load."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from generator.models import ModelTemplateChanged, with_references_imported_once
from generator.tree import ROOT, generate_tree

GOLDEN_SPEC = ROOT / "tests" / "golden" / "spec.yaml"


@pytest.fixture(scope="module")
def cyclic_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The golden spec with two models that refer to each other, generated."""
    spec = yaml.safe_load(GOLDEN_SPEC.read_text())
    spec["components"]["schemas"]["Folder"] = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "parent": {"$ref": "#/components/schemas/Shelf"}},
        "required": ["name"],
    }
    spec["components"]["schemas"]["Shelf"] = {
        "type": "object",
        "properties": {"label": {"type": "string"}, "top": {"$ref": "#/components/schemas/Folder"}},
        "required": ["label"],
    }
    root = tmp_path_factory.mktemp("cyclic")
    spec_path = root / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    out = root / "out"
    generate_tree([spec_path], out)
    yield out


def _fresh_import(out: Path, module: str) -> ModuleType:
    for name in [n for n in sys.modules if n == "example_im" or n.startswith("example_im.")]:
        del sys.modules[name]
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(out))


@pytest.mark.parametrize("first", ["folder", "shelf"])
def test_models_in_a_cycle_load_whichever_is_imported_first(cyclic_package: Path, first: str) -> None:
    module = _fresh_import(cyclic_package, f"example_im.models.{first}")
    models = importlib.import_module("example_im.models")
    folder = models.Folder.from_dict({"name": "a", "parent": {"label": "b", "top": {"name": "c"}}})
    assert folder.parent.top.name == "c"
    assert folder.to_dict() == {"name": "a", "parent": {"label": "b", "top": {"name": "c"}}}
    assert hasattr(module, "Folder") and hasattr(module, "Shelf")


def test_no_method_imports_a_model(cyclic_package: Path) -> None:
    text = (cyclic_package / "example_im" / "models" / "folder.py").read_text()
    body, _, references = text.rpartition("# Imported after the class")
    assert "import" not in body.split("class Folder", 1)[1]
    assert "from ..models.shelf import Shelf" in references


def test_a_changed_tool_template_fails_loudly() -> None:
    rendered = "class A:\n    def to_dict(self):\n        from ..models.b import B  # noqa: PLC0415\n"
    with pytest.raises(ModelTemplateChanged, match="A: imports in its methods"):
        with_references_imported_once(rendered, "A")
