"""Exit codes and messages of ``check-docs``: 0 agrees (or only documents an older route the spec keeps, unless
--strict), 1 drifted, 2 unreadable or unmatched (saying why)."""

from __future__ import annotations

from pathlib import Path

import pytest
from seed_dirs import SEED_DIRS, folder_id

from generator.docdrift import cli
from generator.docdrift.cli import check_docs_main
from generator.docdrift.spec_model import load_operations

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
SPECS = ["--specs", str(FIXTURES / "specs")]
PAGES = sorted(str(path) for path in FIXTURES.glob("*_*.*"))


def drifted_page(tmp_path: Path) -> Path:
    text = (FIXTURES / "tencent_destroy_group.txt").read_text(encoding="utf-8")
    page = tmp_path / "drifted.txt"
    page.write_text(text.replace("200 calls per second", "100 calls per second"), encoding="utf-8")
    return page


def test_pages_that_agree_exit_0_and_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(PAGES) == 6
    assert check_docs_main([*PAGES, *SPECS]) == 0
    assert capsys.readouterr().out.count("agrees with the spec") == 6


def test_a_drifted_page_exits_1_naming_the_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_docs_main([str(drifted_page(tmp_path)), *SPECS]) == 1
    out = capsys.readouterr().out
    assert "tencent destroy_group" in out
    assert "~ rate limit changed destroy_group: spec 200/s -> page 100/s" in out


def test_an_unreadable_page_exits_2_saying_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "notes.txt"
    page.write_text("Meeting notes, nothing to see.\n", encoding="utf-8")
    assert check_docs_main([str(page), *SPECS]) == 2
    assert "not a page format we read" in capsys.readouterr().err


def test_a_missing_page_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_docs_main([str(tmp_path / "absent.md"), *SPECS]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_a_page_for_an_operation_we_lack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "other.txt"
    page.write_text("Send a message\nPOST\n/open-apis/im/v1/messages\n", encoding="utf-8")
    assert check_docs_main([str(page), *SPECS]) == 2
    assert "matches no spec operation" in capsys.readouterr().err


def test_the_worst_page_sets_the_exit_code(tmp_path: Path) -> None:
    unreadable = tmp_path / "notes.txt"
    unreadable.write_text("nothing\n", encoding="utf-8")
    assert check_docs_main([PAGES[0], str(drifted_page(tmp_path)), *SPECS]) == 1
    assert check_docs_main([str(unreadable), str(drifted_page(tmp_path)), *SPECS]) == 2


def test_no_pages_or_no_specs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_docs_main([*SPECS]) == 2
    assert check_docs_main([PAGES[0], "--specs", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no pages to check" in err and "no spec files" in err


def test_seeds_flag_without_the_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "SEEDS_DIR", tmp_path / "shared" / "seeds")
    assert check_docs_main(["--seeds"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_seeds_flag_skips_the_readme_and_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("README.md", "vendor-facts.md"):
        (seeds / name).write_text("# not a page\n", encoding="utf-8")
    (seeds / "page.txt").write_text(
        (FIXTURES / "yunxin_dismiss_team.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setattr(cli, "SEEDS_DIR", seeds)
    assert cli.seed_pages(seeds) == [seeds / "page.txt"]
    assert check_docs_main(["--seeds", *SPECS]) == 0


def older_route_line(page: Path) -> str:
    """The line naming seed 004's move: it documents dismiss_team_v2's route; dismiss_team's is current."""
    current = next(op for op in load_operations(ROOT / "specs") if op.operation_id == "dismiss_team")
    assert current.doc_page
    return (
        f"~ {page} documents the older route of dismiss_team (DELETE /im/v2/teams/{{team_id}});"
        f" current route DELETE /im/v2.1/teams/{{team_id}} per {current.doc_page}"
    )


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_make_check_docs_passes_on_the_seed_pages_reporting_the_known_older_route(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "SEEDS_DIR", folder)
    assert check_docs_main(["--seeds"]) == 0
    blocks: list[list[str]] = []  # one per page: its heading line, then its indented lines
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("  "):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    assert [block[1:] for block in blocks[:4]] == [["  agrees with the spec"]] * 4
    assert "yunxin dismiss_team_v2 (DELETE /im/v2/teams/{team_id})" in blocks[4][0]
    assert blocks[4][1:] == [
        "  " + older_route_line(cli.seed_pages(folder)[4]),
        "  otherwise agrees; the spec keeps this older route, so it fails only with --strict",
    ]
    assert len(blocks) == 5


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_strict_check_docs_fails_on_the_seed_page_of_an_older_route(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "SEEDS_DIR", folder)
    assert check_docs_main(["--seeds", "--strict"]) == 1
    assert older_route_line(cli.seed_pages(folder)[4]) in capsys.readouterr().out
    assert check_docs_main([str(path) for path in cli.seed_pages(folder)[:4]] + ["--strict"]) == 0
