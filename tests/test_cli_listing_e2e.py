"""List commands end to end on the emulator: each pages through every page with the facade's iterator, prints
the same items the iterator yields, and its --jsonl feeds ``imgroup bulk ... --input -``."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click
import imgroup_registry
import pytest
from click.testing import CliRunner, Result

from imgroup import settings
from imgroup.cli import cli
from imgroup.cli._listing import alias_of

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

# (vendor, the command line after the vendor, the facade iterator, its arguments) over the demo seed.
LISTINGS = [
    pytest.param("tencent", ["list-groups"], "iter_groups", {}, id="tencent-list-groups"),
    pytest.param(
        "tencent",
        ["list-group-members", "@TGS#demo_team"],
        "iter_group_members",
        {"group_id": "@TGS#demo_team"},
        id="tencent-list-group-members",
    ),
    pytest.param(
        "tencent",
        ["list-group-members", "@TGS#_demo_community"],
        "iter_group_members",
        {"group_id": "@TGS#_demo_community"},
        id="tencent-list-community-members",
    ),
    pytest.param(
        "tencent",
        ["list-joined-groups", "user1"],
        "iter_joined_groups",
        {"member_account": "user1"},
        id="tencent-list-joined-groups",
    ),
    pytest.param("feishu", ["list-chats"], "iter_chats", {}, id="feishu-list-chats"),
    pytest.param("feishu", ["search-chats", "demo"], "iter_search_chats", {"query": "demo"}, id="feishu-search-chats"),
    pytest.param(
        "feishu",
        ["list-chat-members", "oc_demo_2"],
        "iter_chat_members",
        {"chat_id": "oc_demo_2"},
        id="feishu-list-chat-members",
    ),
    pytest.param(
        "yunxin",
        ["list-team-members", "1003", "--team-type", "1"],
        "iter_team_members",
        {"team_id": "1003", "team_type": 1},
        id="yunxin-list-team-members",
    ),
    pytest.param(
        "yunxin",
        ["list-joined-teams", "acc_owner", "--team-type", "1"],
        "iter_joined_teams",
        {"account_id": "acc_owner", "team_type": 1},
        id="yunxin-list-joined-teams",
    ),
]


@pytest.fixture
def imgroup(emulator_environment: dict[str, str]) -> Iterator[Any]:
    def run(*args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=emulator_environment, input=stdin, catch_exceptions=False)

    yield run


def iterated(emulator: EmulatorServer, vendor: str, iterator: str, arguments: dict[str, Any]) -> list[Any]:
    """What the facade's iterator yields, as JSON documents: the oracle for the command line."""
    loaded = settings.load_settings(vendor, base_url=emulator.base_url, options=emulator.credentials[vendor])
    with settings.make_client(loaded) as client:
        return [item.to_dict() for item in getattr(client, iterator)(**arguments)]


@pytest.mark.parametrize(("vendor", "args", "iterator", "arguments"), LISTINGS)
def test_jsonl_prints_every_item_the_iterator_yields_and_nothing_else(
    imgroup: Any, imgroup_emulator: EmulatorServer, vendor: str, args: list[str], iterator: str, arguments: Any
) -> None:
    expected = iterated(imgroup_emulator, vendor, iterator, arguments)
    assert expected, "the demo seed should give this listing something to list"
    result = imgroup(vendor, *args, "--jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected
    assert result.stderr == ""


@pytest.mark.parametrize(("vendor", "args", "iterator", "arguments"), LISTINGS)
def test_the_table_has_a_row_per_item_and_a_count(
    imgroup: Any, imgroup_emulator: EmulatorServer, vendor: str, args: list[str], iterator: str, arguments: Any
) -> None:
    count = len(iterated(imgroup_emulator, vendor, iterator, arguments))
    result = imgroup(vendor, *args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith(f"{count} ")
    first_column = lines[0].split()[0]
    assert first_column in {"group_id", "member_account", "chat_id", "member_id_type", "account_id", "team_id"}


@pytest.mark.parametrize(("vendor", "args", "iterator", "arguments"), LISTINGS)
def test_page_size_and_limit_reach_the_vendor(
    imgroup: Any, imgroup_emulator: EmulatorServer, vendor: str, args: list[str], iterator: str, arguments: Any
) -> None:
    operation = _operation_of(vendor, iterator)
    # Three clients list in turn here, each pacing itself alone, so the vendor's limit for the app (Tencent's
    # 1 call/s) would refuse one now and then: this test is about the paging options, not the rate limit.
    imgroup_emulator.faults({"rate_limits": {operation: 100_000}})
    everything = iterated(imgroup_emulator, vendor, iterator, arguments)
    before = len(imgroup_emulator.calls())
    result = imgroup(vendor, *args, "--jsonl", "--page-size", "1")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(everything)
    # The pages answered (a call the emulator refused because the iteration above had just used the same app's
    # second is no page: the command's own client knows nothing of the other client's calls).
    pages = [
        call
        for call in imgroup_emulator.calls()[before:]
        if call["operation"] == operation and call["code"] in (0, 200)
    ]
    # One item a page: a call per item, and perhaps one more that finds the end.
    assert len(everything) <= len(pages) <= len(everything) + 1

    limited = imgroup(vendor, *args, "--jsonl", "--limit", "1")
    assert [json.loads(line) for line in limited.stdout.splitlines()] == everything[:1]


PIPES = [
    pytest.param("tencent", ["list-groups"], [], "GroupId", id="tencent"),
    pytest.param("feishu", ["list-chats"], [], "chat_id", id="feishu"),
    pytest.param(
        "yunxin",
        ["list-joined-teams", "acc_owner", "--team-type", "1"],
        ["--fill", "team_type=1", "--fill", "operator_id=acc_owner"],
        "team_id",
        id="yunxin",
    ),
]


@pytest.mark.parametrize(("vendor", "args", "fill", "id_field"), PIPES)
def test_a_listing_feeds_bulk_disband_through_a_pipe(
    imgroup: Any, vendor: str, args: list[str], fill: list[str], id_field: str
) -> None:
    listing = imgroup(vendor, *args, "--jsonl")
    groups = [json.loads(line)[id_field] for line in listing.stdout.splitlines()]
    bulk = ["bulk", "disband", "--vendor", vendor, "--input", "-", "--report", "outcome.jsonl", *fill]
    disbanded = imgroup(*bulk, stdin=listing.stdout)
    assert f"{len(groups)} items, {len(groups)} to run" in disbanded.stdout
    with open("outcome.jsonl", encoding="utf-8") as report:
        outcomes = {row["id"]: row["status"] for row in map(json.loads, report)}
    assert sorted(outcomes) == sorted(groups)
    # What was disbanded is gone from the next listing; what is left is what failed (a group the app may
    # not disband, or one another account owns), and the exit status says so.
    left = [json.loads(line)[id_field] for line in imgroup(vendor, *args, "--jsonl").stdout.splitlines()]
    assert sorted(left) == sorted(group for group, status in outcomes.items() if status != "done")
    assert len(left) < len(groups)
    assert disbanded.exit_code == (1 if left else 0)


def test_a_community_group_of_25000_is_listed_by_next_each_member_once(
    imgroup: Any, imgroup_emulator: EmulatorServer
) -> None:
    fans = [f"fan{i:05d}" for i in range(25_000)]
    community = {"group_id": "@TGS#_big_community", "type": "Community", "owner": "host", "members": fans}
    imgroup_emulator.seed({"tencent": {"groups": [community]}})
    imgroup_emulator.faults({"rate_limits": {"get_group_member_info": 100_000}})
    before = len(imgroup_emulator.calls())
    result = imgroup("tencent", "list-group-members", "@TGS#_big_community", "--jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["Member_Account"] for line in result.stdout.splitlines()] == ["host", *fans]
    # 25,001 members at 200 a page (the most Tencent serves): 126 pages, each asked for by the previous Next.
    pages = [c for c in imgroup_emulator.calls()[before:] if c["operation"] == "get_group_member_info"]
    assert [c["code"] for c in pages] == [0] * 126


def test_a_paginated_operation_answers_to_its_iterators_name(imgroup: Any) -> None:
    by_alias = imgroup("tencent", "list-groups", "--jsonl")
    by_name = imgroup("tencent", "get-appid-group-list", "--jsonl")
    assert by_alias.exit_code == 0 and by_alias.stdout == by_name.stdout


@pytest.mark.parametrize("vendor", settings.VENDORS)
def test_every_paginated_operation_pages_with_limit_and_page_size_and_offers_no_cursor(vendor: str) -> None:
    operations = importlib.import_module(f"{imgroup_registry.PACKAGES[vendor]}.operations").OPERATIONS
    group = cli.get_command(click.Context(cli), vendor)
    assert isinstance(group, click.Group)
    context = click.Context(group)
    for info in operations.values():
        if info.iterator is None or not info.signed:
            continue
        command = group.get_command(context, info.operation_id.replace("_", "-"))
        assert command is not None
        assert group.get_command(context, alias_of(info.iterator)) is not None
        options = {name for param in command.params for name in param.opts}
        assert {"--page-size", "--limit", "--jsonl"} <= options, info.operation_id
        assert not options & {"--page-token", "--offset", "--next-cursor", "--cursor"}, info.operation_id


def test_a_model_answer_prints_as_key_value_lines(imgroup: Any) -> None:
    result = imgroup("tencent", "get-group-info", "@TGS#demo_team")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["tencent get-group-info @TGS#demo_team: done", "  GroupInfo:", "    - GroupId: @TGS#demo_team"]
    assert "      Owner_Account: user1" in lines
    assert "        - Member_Account: user1" in lines
    as_json = json.loads(imgroup("tencent", "get-group-info", "@TGS#demo_team", "--json").stdout)
    assert as_json["ok"] is True and as_json["result"]["GroupInfo"][0]["Owner_Account"] == "user1"


def _operation_of(vendor: str, iterator: str) -> str:
    operations = importlib.import_module(f"{imgroup_registry.PACKAGES[vendor]}.operations").OPERATIONS
    return next(info.operation_id for info in operations.values() if info.iterator == iterator)
