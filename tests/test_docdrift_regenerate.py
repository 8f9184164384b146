"""A new code on a vendor page reaches the generated lookup table: check-docs --write, then generate."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

from generator.docdrift.cli import check_docs_main
from generator.tree import ROOT, generate_tree

FIXTURE_PAGE = ROOT / "tests" / "fixtures" / "pages" / "tencent_destroy_group.txt"
NEW_ROW = "10099\nThe group is frozen by the operator. Try again later.\n"


def load_error_codes(package_dir: Path) -> ModuleType:
    # Loaded from its file under another name: the installed tencent_im must not be shadowed or reused.
    spec = importlib.util.spec_from_file_location("regenerated_error_codes", package_dir / "error_codes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_write_then_generate_yields_a_lookup_table_that_knows_the_new_code(tmp_path: Path, capsys) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(ROOT / "specs" / "tencent_im.yaml", specs)
    page = tmp_path / "destroy_group.txt"
    text = FIXTURE_PAGE.read_text(encoding="utf-8")
    anchor = "Invalid group ID. Use the correct group ID.\n"
    assert anchor in text
    page.write_text(text.replace(anchor, anchor + NEW_ROW), encoding="utf-8")

    # The fixture page leaves out two of the spec's rows: those stay reported, and are not ours to delete.
    assert check_docs_main([str(page), "--specs", str(specs)]) == 1
    assert "10099" in capsys.readouterr().out
    assert check_docs_main([str(page), "--specs", str(specs), "--write"]) == 1
    capsys.readouterr()
    check_docs_main([str(page), "--specs", str(specs)])
    after = capsys.readouterr().out
    assert "10099" not in after and "error code removed 10003" in after

    out = tmp_path / "generated"
    generate_tree([specs / "tencent_im.yaml"], out)
    info = load_error_codes(out / "tencent_im").lookup(10099)
    assert info is not None
    assert info.message == "The group is frozen by the operator. Try again later."
    assert info.review is True and info.operations == ("destroy_group",)
    assert load_error_codes(out / "tencent_im").lookup(10010).category == "already_gone"
