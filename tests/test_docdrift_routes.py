"""A page that documents an operation's older route (an operation marked ``x-older-route-of``) has drifted,
however well it agrees with that route: the report names the current route and its page. The spec records that
move, so it fails ``check-docs`` only with ``--strict``; any other difference fails it as ever."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.docdrift.cli import check_docs_main
from generator.docdrift.compare import Kind, compare
from generator.docdrift.matcher import match
from generator.docdrift.readers import read_page
from generator.docdrift.spec_model import load_operations

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "pages"
ROUTES = PAGES / "routes" / "specs"
OLDER_PAGE = PAGES / "yunxin_dismiss_team.txt"  # the apifox page of DELETE /im/v2/teams/{team_id}
CURRENT_PAGE = PAGES / "yunxin_v2_1" / "dismiss_team.txt"
CURRENT_DOC = "https://doc.yunxin.163.com/messaging2/server-apis/zk0NDkwOTc?platform=server"


OLDER_ROUTE_LINE = (
    f"~ {OLDER_PAGE} documents the older route of dismiss_team (DELETE /im/v2/teams/{{team_id}});"
    f" current route DELETE /im/v2.1/teams/{{team_id}} per {CURRENT_DOC}"
)


def test_a_page_of_the_older_route_is_reported_with_the_current_route(capsys: pytest.CaptureFixture[str]) -> None:
    """The spec already records the move, so the report alone does not fail the check."""
    assert check_docs_main([str(OLDER_PAGE), "--specs", str(ROUTES)]) == 0
    out = capsys.readouterr().out
    assert "yunxin dismiss_team_v2 (DELETE /im/v2/teams/{team_id})" in out
    assert OLDER_ROUTE_LINE in out
    assert "agrees with the spec" not in out
    assert "otherwise agrees; the spec keeps this older route, so it fails only with --strict" in out


def test_strict_counts_a_page_of_the_older_route_as_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_docs_main([str(OLDER_PAGE), "--specs", str(ROUTES), "--strict"]) == 1
    assert OLDER_ROUTE_LINE in capsys.readouterr().out


def test_other_drift_on_a_page_of_the_older_route_still_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "older.txt"
    text = OLDER_PAGE.read_text(encoding="utf-8")
    assert text.count("extension\nstring \n可选") == 1
    page.write_text(text.replace("extension\nstring \n可选", "extension\nstring \n必需"), encoding="utf-8")
    assert check_docs_main([str(page), "--specs", str(ROUTES)]) == 1
    out = capsys.readouterr().out
    assert "~ parameter required-ness changed body extension: spec False -> page True" in out
    assert "otherwise agrees" not in out


def test_only_the_route_differs_when_the_page_agrees_with_the_older_operation() -> None:
    page = read_page(OLDER_PAGE.read_text(encoding="utf-8"), "older")
    operations = load_operations(ROUTES)
    found = match(page, operations)
    differences = compare(page, found.operation, operations)
    assert [(d.kind, d.subject, d.ours, d.page) for d in differences] == [
        (
            Kind.OLDER_ROUTE,
            "dismiss_team",
            f"DELETE /im/v2.1/teams/{{team_id}} per {CURRENT_DOC}",
            "DELETE /im/v2/teams/{team_id}",
        )
    ]


def test_the_current_page_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_docs_main([str(CURRENT_PAGE), "--specs", str(ROUTES)]) == 0
    assert "agrees with the spec" in capsys.readouterr().out


def test_an_older_route_of_an_operation_the_spec_lacks_says_so(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    text = (ROUTES / "yunxin.yaml").read_text(encoding="utf-8")
    (specs / "yunxin.yaml").write_text(text.replace("x-older-route-of: dismiss_team", "x-older-route-of: gone"))
    page = read_page(OLDER_PAGE.read_text(encoding="utf-8"), "older")
    operations = load_operations(specs)
    differences = compare(page, match(page, operations).operation, operations)
    assert [(d.kind, d.subject, d.ours) for d in differences] == [
        (Kind.OLDER_ROUTE, "gone", "unknown (no such operation in the spec)")
    ]
