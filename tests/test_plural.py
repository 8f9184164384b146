"""Counts are printed with the noun in the number it takes: "1 item", "2 items"."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from imgroup._plural import counted
from imgroup.cli import cli


@given(count=st.integers(min_value=0, max_value=10**6))
def test_one_is_singular_and_every_other_count_plural(count: int) -> None:
    assert counted(count, "item") == (f"{count} item" if count == 1 else f"{count} items")
    assert counted(count, "entry", "entries").endswith("entry" if count == 1 else "entries")


def test_a_one_item_bulk_job_says_one_item(tmp_path: Path, emulator_environment: dict[str, str]) -> None:
    (tmp_path / "groups.txt").write_text("@TGS#1\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["bulk", "disband", "--vendor", "tencent", "--input", "groups.txt", "--dry-run"], env=emulator_environment
    )
    assert result.exit_code == 0, result.output
    assert "pass; 1 item for tencent destroy_group" in result.stdout
    assert "1 items" not in result.output
