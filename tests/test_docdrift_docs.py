"""``make docs``: the Markdown reference lists every operation with its parameters and error catalogue."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.docdrift.cli import docs_main
from generator.docdrift.render_docs import GENERATED_MARK, render_all

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "pages" / "specs"


def all_codes(spec: Path) -> set[int]:
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    codes = {row["code"] for row in document.get("x-error-codes") or []}
    for item in document["paths"].values():
        for operation in item.values():
            codes |= {row["code"] for row in operation.get("x-error-codes") or []}
    return codes


def test_every_operation_code_and_parameter_is_rendered() -> None:
    pages = render_all(FIXTURE_SPECS)
    assert sorted(pages) == ["feishu.md", "reference.md", "tencent.md", "yunxin.md"]
    feishu = pages["feishu.md"]
    assert feishu.startswith(GENERATED_MARK + " from specs/feishu.yaml.")
    assert "## unbind_meeting_chat" in feishu and "## remove_chat_members" in feishu
    assert "| query | `meeting_chat_id` | string | yes |" in feishu
    assert "| body | `id_list` | array of string | yes |" in feishu
    assert "| 190004 | 429 | `method rate limited` | rate_limited | yes |" in feishu
    assert "## Vendor-wide error codes" in feishu and "| 99991400 | 429 |" in feishu
    assert "50/s, 1000/min" in feishu
    for spec in FIXTURE_SPECS.glob("*.yaml"):
        vendor = yaml.safe_load(spec.read_text(encoding="utf-8"))["x-imgroup"]["vendor"]
        assert all(f"| {code} " in pages[f"{vendor}.md"] for code in all_codes(spec))
    assert "| body | `team_type` | integer (≥ 1; ≤ 2) | yes |" in pages["yunxin.md"]
    assert "None documented." in pages["yunxin.md"]
    assert "[`destroy_group`](tencent.md#destroy_group)" in pages["reference.md"]


def test_rendering_is_deterministic() -> None:
    assert render_all(FIXTURE_SPECS) == render_all(FIXTURE_SPECS)


def test_docs_writes_then_checks_clean_and_removes_only_its_own_stale_pages(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "old.md").write_text(GENERATED_MARK + " from specs/old.yaml. -->\n", encoding="utf-8")
    (out / "guide.md").write_text("# A hand-written guide\n", encoding="utf-8")
    (out / "README.md").write_text("# The hand-written index of the guides\n", encoding="utf-8")
    assert docs_main(["--specs", str(FIXTURE_SPECS), "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "README.md",
        "feishu.md",
        "guide.md",
        "reference.md",
        "tencent.md",
        "yunxin.md",
    ]
    assert (out / "README.md").read_text(encoding="utf-8") == "# The hand-written index of the guides\n"
    assert docs_main(["--specs", str(FIXTURE_SPECS), "--out", str(out), "--check"]) == 0
    (out / "tencent.md").write_text("edited by hand\n", encoding="utf-8")
    assert docs_main(["--specs", str(FIXTURE_SPECS), "--out", str(out), "--check"]) == 1


def test_a_pipe_in_a_spec_text_cannot_break_a_table(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    text = (FIXTURE_SPECS / "tencent_im.yaml").read_text(encoding="utf-8")
    (specs / "tencent_im.yaml").write_text(
        text.replace('"Gone already."', '"Gone | already\\n  done."'), encoding="utf-8"
    )
    page = render_all(specs)["tencent.md"]
    assert "| Gone \\| already done. |" in page


def test_committed_docs_match_the_specs() -> None:
    """docs/ is rendered from specs/ and committed; after a spec change, run `make docs`."""
    assert docs_main(["--check"]) == 0
