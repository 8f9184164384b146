"""Matching a page to its operation among many that share a path or its prefix (the fixture Feishu spec has
GET/PUT/DELETE /chats/{chat_id}, GET/POST/DELETE /chats/{chat_id}/members, /chats/{chat_id}/members/is_in_chat,
/chats/search and POST /chats)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.docdrift.compare import Kind, compare
from generator.docdrift.matcher import Unmatched, match
from generator.docdrift.readers import read_page
from generator.docdrift.spec_model import SpecOperation, load_operations

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "pages" / "specs"
CHATS = "/open-apis/im/v1/chats"


@pytest.fixture(scope="module")
def operations() -> list[SpecOperation]:
    return load_operations(FIXTURE_SPECS)


def rendered_page(method: str, path: str, body: str = "") -> str:
    """An apifox-style capture: a title, the method and the path on lines of their own, then parameters."""
    return f"Some operation\n{method}\n{path}\n{body}"


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("POST", CHATS, "create_chat"),
        ("GET", f"{CHATS}/search", "search_chats"),
        ("GET", f"{CHATS}/{{chat_id}}", "get_chat"),
        ("PUT", f"{CHATS}/{{chat_id}}", "update_chat"),
        ("DELETE", f"{CHATS}/{{chat_id}}", "disband_chat"),
        ("GET", f"{CHATS}/{{chat_id}}/members", "list_chat_members"),
        ("POST", f"{CHATS}/{{chat_id}}/members", "add_chat_members"),
        ("DELETE", f"{CHATS}/{{chat_id}}/members", "remove_chat_members"),
        ("GET", f"{CHATS}/{{chat_id}}/members/is_in_chat", "is_in_chat"),
        ("GET", f"{CHATS}/:chat_id/members/is_in_chat", "is_in_chat"),
    ],
)
def test_each_endpoint_matches_its_own_operation(
    operations: list[SpecOperation], method: str, path: str, operation_id: str
) -> None:
    found = match(read_page(rendered_page(method, path), "page.txt"), operations)
    assert (found.operation.operation_id, found.how) == (operation_id, "method and path")


def test_a_changed_method_on_a_shared_path_is_told_apart_by_the_parameters(operations: list[SpecOperation]) -> None:
    body = (
        "请求参数\nBody 参数application/json\nname\nstring\n可选\ndescription\nstring\n可选\nowner_id\nstring\n可选\n"
    )
    page = read_page(rendered_page("PATCH", f"{CHATS}/{{chat_id}}", body), "page.txt")
    found = match(page, operations)
    assert found.operation.operation_id == "update_chat"
    assert [(d.kind, d.subject) for d in compare(page, found.operation)] == [(Kind.METHOD_CHANGED, "update_chat")]


def test_a_changed_method_on_a_shared_path_without_evidence_is_unmatched(operations: list[SpecOperation]) -> None:
    page = read_page(rendered_page("PATCH", f"{CHATS}/{{chat_id}}"), "page.txt")
    with pytest.raises(
        Unmatched,
        match=r"no operation has the endpoint PATCH .* \(its path has feishu get_chat .*\), and the page lists no",
    ):
        match(page, operations)


def test_a_page_for_an_operation_the_specs_lack_is_not_taken_for_a_neighbour(operations: list[SpecOperation]) -> None:
    page = read_page(rendered_page("POST", "/open-apis/im/v1/messages"), "page.txt")
    with pytest.raises(Unmatched, match="no operation has the endpoint POST /open-apis/im/v1/messages"):
        match(page, operations)


def test_a_moved_endpoint_is_found_by_its_codes_among_neighbours(operations: list[SpecOperation]) -> None:
    errors = (
        "错误码\nHTTP状态码 | 错误码 | 描述 | 排查建议 |\n---|---|---|---|\n"
        "400 | 232006 | Your request specifies a chat_id which is invalid. | Check. |\n"
        "400 | 232009 | Your request specifies a chat which has already been dissolved. | Done. |\n"
    )
    page = read_page(rendered_page("DELETE", "/open-apis/im/v2/chats/{chat_id}", errors), "page.txt")
    found = match(page, operations)
    assert found.operation.operation_id == "disband_chat" and found.how.startswith("closest path")


def test_a_moved_path_that_another_method_already_has_still_finds_its_operation(
    operations: list[SpecOperation],
) -> None:
    """The older Yunxin page moved to /im/v2.1/teams/{team_id}, where only GET (get_team) lives: the page's
    DELETE and body fields make it dismiss_team's moved path, not get_team's changed method."""
    get_team = [op for op in load_operations(FIXTURE_SPECS / ".." / "yunxin_v2_1" / "specs") if op.method == "GET"]
    text = (FIXTURE_SPECS.parent / "yunxin_dismiss_team.txt").read_text(encoding="utf-8")
    page = read_page(text.replace("\n/im/v2/teams/{team_id}\n", "\n/im/v2.1/teams/{team_id}\n"), "moved.txt")
    found = match(page, operations + get_team)
    assert found.operation.operation_id == "dismiss_team" and found.operation.path == "/im/v2/teams/{team_id}"
    assert [(d.kind, d.subject) for d in compare(page, found.operation)] == [(Kind.PATH_CHANGED, "dismiss_team")]
