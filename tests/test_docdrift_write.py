"""``check-docs --write`` carries added and changed codes into a copy of a spec, in place, and the page
checks clean afterwards; everything else in the file stays as it was."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml
from seed_dirs import SEED_DIRS, folder_id, seed_pages

from generator.docdrift import cli
from generator.docdrift.cli import check_docs_main
from generator.docdrift.spec_model import SpecOperation, load_operations
from generator.docdrift.triage import guess_category

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"


@pytest.fixture
def fixture_specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(FIXTURES / "specs", target)
    return target


def write_page(tmp_path: Path, source: Path, replacements: list[tuple[str, str]]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    page = tmp_path / source.name
    page.write_text(text, encoding="utf-8")
    return page


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def rows(spec: Path, path: str, method: str) -> dict[int, dict]:
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return {row["code"]: row for row in document["paths"][path][method]["x-error-codes"]}


UNBIND = "/open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}/meeting_chat"


def test_write_adds_and_changes_codes_then_the_page_is_clean(
    tmp_path: Path, fixture_specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write_page(
        tmp_path,
        FIXTURES / "feishu_unbind_meeting_chat.md",
        [
            ("404 | 191000 |", "429 | 191099 | calendar rate limited | Slow down.\n404 | 191000 |"),
            ("| method rate limited |", "| method is rate limited |"),
            ("403 | 195107 |", "400 | 195107 |"),
        ],
    )
    spec = fixture_specs / "feishu.yaml"
    before = spec.read_text(encoding="utf-8")

    assert check_docs_main([str(page), "--specs", str(fixture_specs), "--write"]) == 1
    printed = capsys.readouterr().out
    assert "+ error code added 191099" in printed and "+          review: true" in printed

    after = spec.read_text(encoding="utf-8")
    assert after.startswith("# A small Feishu spec") and 'description: "A parameter is wrong."  # our words' in after
    assert len(changed_lines(before, after)) == 4 + 2 + 8  # two lines replaced (- and +), two review marks, a new row
    catalogue = rows(spec, UNBIND, "delete")
    assert list(catalogue) == [190002, 190003, 190004, 191099, 191000, 195107, 195108]  # page order
    assert catalogue[191099] == {
        "code": 191099,
        "http_status": 429,
        "message": "calendar rate limited",
        "description": "calendar rate limited",
        "action": "Vendor's advice: Slow down.",
        "retryable": True,
        "category": "rate_limited",
        "review": True,
    }
    assert catalogue[190004]["message"] == "method is rate limited"
    assert catalogue[190004]["description"] == "Too many calls of this method."  # ours, kept
    assert (catalogue[195107]["http_status"], catalogue[195107]["category"]) == (400, "permission_denied")
    assert catalogue[195107]["review"] is True and "review" not in catalogue[191000]

    assert check_docs_main([str(page), "--specs", str(fixture_specs)]) == 0
    assert check_docs_main([str(page), "--specs", str(fixture_specs), "--write"]) == 0
    assert spec.read_text(encoding="utf-8") == after


def test_write_leaves_removed_codes_and_other_changes_to_a_person(tmp_path: Path, fixture_specs: Path) -> None:
    page = write_page(
        tmp_path,
        FIXTURES / "feishu_unbind_meeting_chat.md",
        [
            ("500 | 190003 | internal service error | Ask support.\n", ""),
            ("HTTP Method | DELETE", "HTTP Method | PATCH"),
        ],
    )
    before = (fixture_specs / "feishu.yaml").read_text(encoding="utf-8")
    assert check_docs_main([str(page), "--specs", str(fixture_specs), "--write"]) == 1
    assert (fixture_specs / "feishu.yaml").read_text(encoding="utf-8") == before


def test_write_fills_an_empty_flow_style_catalogue(tmp_path: Path, fixture_specs: Path) -> None:
    table = "HTTP状态码 | 错误码 | 描述 | 排查建议 |\n---|---|---|---|\n200 | 108404 | team not exist | gone |\n"
    page = write_page(tmp_path, FIXTURES / "yunxin_dismiss_team.txt", [("请求参数\n", table + "请求参数\n")])
    assert check_docs_main([str(page), "--specs", str(fixture_specs), "--write"]) == 1
    catalogue = rows(fixture_specs / "yunxin.yaml", "/im/v2/teams/{team_id}", "delete")
    assert catalogue[108404]["category"] == "not_found" and catalogue[108404]["review"] is True
    assert check_docs_main([str(page), "--specs", str(fixture_specs)]) == 0


def test_write_gives_a_statusless_page_row_the_operation_status(tmp_path: Path, fixture_specs: Path) -> None:
    page = write_page(
        tmp_path,
        FIXTURES / "tencent_destroy_group.txt",
        [("Use the correct group ID.\n", "Use the correct group ID.\n10099\nA brand new failure.\n")],
    )
    assert check_docs_main([str(page), "--specs", str(fixture_specs), "--write"]) == 1
    catalogue = rows(fixture_specs / "tencent_im.yaml", "/v4/group_open_http_svc/destroy_group", "post")
    assert list(catalogue)[-1] == 10099
    assert (catalogue[10099]["http_status"], catalogue[10099]["category"]) == (200, "failed_precondition")
    assert check_docs_main([str(page), "--specs", str(fixture_specs)]) == 0


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_write_on_a_copy_of_the_real_spec_keeps_it_valid(tmp_path: Path, folder: Path) -> None:
    from openapi_spec_validator import validate

    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", specs)
    page = write_page(
        tmp_path,
        seed_pages(folder)["000"],
        [
            ("400 | 232010 |", "400 | 232099 | A brand new failure. | 新的错误。\n400 | 232010 |"),
            ("| Bot ability is not activated. |", "| Bot ability is switched off. |"),
        ],
    )
    assert check_docs_main([str(page), "--specs", str(specs), "--write"]) == 1
    assert check_docs_main([str(page), "--specs", str(specs)]) == 0
    validate(yaml.safe_load((specs / "feishu.yaml").read_text(encoding="utf-8")))
    catalogue = rows(specs / "feishu.yaml", "/open-apis/im/v1/chats/{chat_id}", "delete")
    assert catalogue[232099]["review"] is True and catalogue[232025]["category"] == "failed_precondition"
    untouched = ["tencent_im.yaml", "yunxin.yaml"]
    assert all((specs / name).read_text() == (ROOT / "specs" / name).read_text() for name in untouched)


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (429, "app rate limited", ("rate_limited", True)),
        (400, "The request has been rate limited.", ("rate_limited", True)),
        (503, "service busy", ("unavailable", True)),
        (500, "internal service error", ("internal", False)),
        (403, "calendar is deleted", ("permission_denied", False)),
        (404, "event not found", ("not_found", False)),
        (None, "The group does not exist or has been deleted.", ("not_found", False)),
        (400, "invalid event_id", ("invalid_argument", False)),
        (400, "A brand new failure.", ("failed_precondition", False)),
    ],
)
def test_new_codes_are_guessed_conservatively(status: int | None, message: str, expected: tuple[str, bool]) -> None:
    assert guess_category(status, message) == expected


def test_write_replaces_a_block_scalar_message_without_joining_lines(tmp_path: Path, fixture_specs: Path) -> None:
    spec = fixture_specs / "feishu.yaml"
    block = 'message: |\n            method rate limited\n          description: "Too many calls'
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            'message: "method rate limited"\n          description: "Too many calls', block
        ),
        encoding="utf-8",
    )
    page = write_page(
        tmp_path,
        FIXTURES / "feishu_unbind_meeting_chat.md",
        [("| method rate limited |", "| method is rate limited |")],
    )
    assert check_docs_main([str(page), "--specs", str(fixture_specs), "--write"]) == 1
    row = rows(spec, UNBIND, "delete")[190004]
    assert (row["message"], row["description"]) == ("method is rate limited", "Too many calls of this method.")


def test_one_run_parses_the_specs_once_and_again_only_after_writing_one(
    tmp_path: Path, fixture_specs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write_page(
        tmp_path,
        FIXTURES / "feishu_unbind_meeting_chat.md",
        [("404 | 191000 |", "429 | 191099 | calendar rate limited | Slow down.\n404 | 191000 |")],
    )
    loads: list[Path] = []

    def counted(specs_dir: Path) -> list[SpecOperation]:
        loads.append(specs_dir)
        return load_operations(specs_dir)

    monkeypatch.setattr(cli, "load_operations", counted)
    agreeing = [str(path) for path in sorted(FIXTURES.glob("*_*.*"))]
    assert check_docs_main([*agreeing, "--specs", str(fixture_specs)]) == 0
    assert len(loads) == 1
    capsys.readouterr()

    loads.clear()
    # The second copy of the page is read against the spec the first one wrote: nothing is left to write.
    assert check_docs_main([str(page), str(page), "--specs", str(fixture_specs), "--write"]) == 1
    assert len(loads) == 2
    printed = capsys.readouterr().out
    assert printed.count("+ error code added 191099") == 1 and printed.count("agrees with the spec") == 1
    assert list(rows(fixture_specs / "feishu.yaml", UNBIND, "delete")).count(191099) == 1
