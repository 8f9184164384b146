"""List commands, built on a stand-in facade: paging options, the table, --jsonl, aliases and readable answers.

The end-to-end runs of the real list commands on the emulator are in test_cli_list_e2e.py.
"""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import attrs
import click
import pytest
from boundary_runs import under_the_root
from click.shell_completion import ShellComplete
from click.testing import CliRunner, Result
from tencent_im.error_codes import lookup
from tencent_im.errors import PermissionDeniedError, ValidationError
from tencent_im.types import UNSET, Unset

from imgroup import settings
from imgroup.cli._aliases import AliasedGroup
from imgroup.cli._listing import alias_of, list_command, noun_of, scalar_fields
from imgroup.cli._report import Reporter, readable_lines
from imgroup.cli._table import lay_out
from imgroup.runtime import OperationInfo, PreparedRequest
from imgroup.runtime.registry import ArgumentFacts, Listing, ListingFacts, Operation, OperationFacts

SECRET = "k"  # a one-character secret key: scrubbed where it stands alone, and only there


class Colour(enum.Enum):
    RED = "red"


Shape = Literal["round", "square"]  # how the generator writes a string enum


@attrs.define
class Widget:
    """An item model as the generator writes them: attrs fields, wire names in to_dict()."""

    widget_id: str
    name: str | Unset = UNSET
    size: int | Unset = UNSET
    colour: Colour | Unset = UNSET
    shape: Shape | Unset = UNSET
    note: str | Unset = UNSET  # no widget has one: no column
    tags: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        wire = {
            "WidgetId": self.widget_id,
            "Name": self.name,
            "Size": self.size,
            "Shape": self.shape,
            "Tags": self.tags,
        }
        if not isinstance(self.colour, Unset):
            wire["Colour"] = self.colour.value
        return {key: value for key, value in wire.items() if not isinstance(value, Unset)}


WIDGETS = [
    Widget("w1", name="first", size=3, colour=Colour.RED, shape="round", tags=["a"]),
    Widget("w2", name="second k", size=5),
    Widget("w3"),
]


class FakeClient:
    """The facade's two methods for one paginated operation; records what the iterator was asked."""

    asked: ClassVar[dict[str, Any]] = {}
    failure: ClassVar[Exception | None] = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def get_widget_list(
        self,
        owner: str,
        *,
        kind: Literal["round", "square"] | None = None,
        limit: int | None = None,
        next_cursor: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        """List an owner's widgets.

        One page of them.

        Args:
            owner: Whose widgets.
            kind: Which kind of widget.
            limit: Widgets a page.
            next_cursor: Where the page starts.
        """

    def iter_widgets(
        self,
        owner: str,
        *,
        kind: Literal["round", "square"] | None = None,
        tag: Sequence[str] | None = None,
        descending: bool | None = None,
        next_cursor: str | None = None,  # an iterator may keep a cursor it does not follow: no option
        page_size: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Iterator[Widget]:
        """Every widget of an owner, page by page."""
        FakeClient.asked = {"owner": owner, "kind": kind, "tag": tag, "descending": descending}
        FakeClient.asked |= {"page_size": page_size, "limit": limit}
        for number, widget in enumerate(WIDGETS[:limit]):
            if FakeClient.failure is not None and number == 2:
                raise FakeClient.failure
            yield widget

    async def get_widget_list_async(self, owner: str, **arguments: Any) -> None:
        """The async twin a registry handle names beside the sync method (never called here)."""

    async def iter_widgets_async(self, owner: str, **arguments: Any) -> AsyncIterator[Widget]:
        """The async twin a registry handle names beside the sync method (never called here)."""
        for widget in WIDGETS:
            yield widget


def _argument(name: str, kind: str = "string", **facts: Any) -> ArgumentFacts:
    defaults: dict[str, Any] = {"location": "body", "annotation": "", "item_kind": None, "choices": ()}
    defaults |= {"required": False, "positional": False, "description": ""}
    return ArgumentFacts(name=name, wire_name=name.title().replace("_", ""), kind=kind, **(defaults | facts))


def _never(**_: object) -> PreparedRequest:
    raise AssertionError("a list command does not prepare requests itself")


def widget_facts() -> OperationFacts:
    """The registry's facts of the stand-in operation, as the generator writes them from a spec."""
    listing = Listing("iter_widgets", FakeClient.iter_widgets, FakeClient.iter_widgets_async)
    info = OperationInfo(
        "get_widget_list", "POST", "/widgets", None, None, (), False, (), (), "iter_widgets", True, "https://example"
    )
    return OperationFacts(
        name="get_widget_list",
        summary="List an owner's widgets",
        description="One page of them.",
        arguments=(
            _argument("owner", location="path", required=True, positional=True, description="Whose widgets."),
            _argument("kind", choices=("round", "square"), description="Which kind of widget."),
            _argument("tag", kind="array", item_kind="string"),
            _argument("descending", kind="boolean"),
            _argument("limit", kind="integer", description="Widgets a page."),
            _argument("next_cursor", description="Where the page starts."),
        ),
        example=None,
        info=info,
        returns="None",
        prepare=_never,
        operation=Operation("get_widget_list", FakeClient.get_widget_list, FakeClient.get_widget_list_async),
        # The iterator fills the page size and the cursor itself: the command offers no option for either.
        listing=ListingFacts("iter_widgets", 100, ("limit", "next_cursor"), listing),
    )


@pytest.fixture
def widgets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """``widgets(*args)``: run the list command over the stand-in facade, with Tencent credentials set."""
    monkeypatch.setenv("TENCENT_IM_SDKAPPID", "1400000000")
    monkeypatch.setenv("TENCENT_IM_SECRET_KEY", SECRET)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("IMGROUP_CONFIG", raising=False)
    monkeypatch.delenv("IMGROUP_PROFILE", raising=False)
    monkeypatch.setattr(settings, "make_client", lambda loaded, **options: FakeClient())
    FakeClient.asked, FakeClient.failure = {}, None
    facts = widget_facts()
    assert facts.listing is not None
    command = list_command("tencent", facts, facts.listing)
    root = under_the_root("tencent", command)

    def run(*args: str) -> Result:
        return CliRunner().invoke(root, ["tencent", str(command.name), *args], catch_exceptions=False)

    return run


def test_paging_options_replace_the_one_page_methods_cursor(widgets: Any) -> None:
    help_text = widgets("--help").stdout
    assert "--page-size" in help_text and "--limit" in help_text and "--jsonl" in help_text
    assert "--next-cursor" not in help_text
    assert "List an owner's widgets." in help_text and "Pages through every page" in help_text


def test_the_iterator_gets_the_operations_arguments_and_the_paging_options(widgets: Any) -> None:
    options = [
        "--kind",
        "round",
        "--tag",
        "a",
        "--tag",
        "b",
        "--descending",
        "true",
        "--page-size",
        "2",
        "--limit",
        "10",
    ]
    result = widgets("alice", *options)
    assert result.exit_code == 0, result.stderr
    assert FakeClient.asked == {
        "owner": "alice",
        "kind": "round",
        "tag": ["a", "b"],
        "descending": True,
        "page_size": 2,
        "limit": 10,
    }


def test_options_left_out_keep_the_methods_defaults(widgets: Any) -> None:
    # A repeatable option given no values means "no filter", not "filter by nothing".
    assert widgets("alice").exit_code == 0
    assert set(FakeClient.asked.values()) == {"alice", None}


def test_a_table_of_the_items_plain_fields_and_a_count(widgets: Any) -> None:
    result = widgets("alice")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["widget_id", "name", "size", "colour", "shape"]  # tags (a list) is no column
    assert lines[1].split() == ["w1", "first", "3", "red", "round"]
    assert lines[2].split() == ["w2", "second", "[redacted]", "5"]  # the secret "k" stood alone
    assert lines[3].split() == ["w3"]
    assert lines[-1] == "3 widgets"


def test_the_count_says_when_limit_stopped_the_listing(widgets: Any) -> None:
    assert (
        widgets("alice", "--limit", "1").stdout.splitlines()[-1] == "1 widget (stopped at --limit 1; there may be more)"
    )


def test_jsonl_prints_one_object_a_line_and_nothing_else(widgets: Any) -> None:
    result = widgets("alice", "--jsonl")
    assert result.exit_code == 0
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert documents[0] == {
        "WidgetId": "w1",
        "Name": "first",
        "Size": 3,
        "Shape": "round",
        "Tags": ["a"],
        "Colour": "red",
    }
    assert documents[1] == {"WidgetId": "w2", "Name": "second [redacted]", "Size": 5}
    assert [document["WidgetId"] for document in documents] == ["w1", "w2", "w3"]
    assert result.stderr == ""


def test_json_prints_one_document_with_every_item(widgets: Any) -> None:
    document = json.loads(widgets("alice", "--json").stdout)
    assert document["ok"] is True and document["result"]["count"] == 3
    assert document["result"]["items"][2] == {"WidgetId": "w3"}


def test_an_error_midway_keeps_the_lines_printed_and_exits_1(widgets: Any) -> None:
    FakeClient.failure = PermissionDeniedError(
        code=10007, message="not allowed", http_status=200, operation="get_widget_list", info=lookup(10007)
    )
    result = widgets("alice", "--jsonl")
    assert result.exit_code == 1
    assert [json.loads(line)["WidgetId"] for line in result.stdout.splitlines()] == ["w1", "w2"]
    assert "[10007] not allowed" in result.stderr


def test_an_argument_the_client_refuses_is_a_usage_error(widgets: Any) -> None:
    FakeClient.failure = ValidationError("get_widget_list", "page_size", "must be at most 100 (got 500)")
    result = widgets("alice", "--page-size", "500")
    assert result.exit_code == 2
    assert "page_size must be at most 100" in result.stderr


def test_scalar_fields_are_the_models_plain_fields_in_order() -> None:
    assert scalar_fields(Widget) == ["widget_id", "name", "size", "colour", "shape", "note"]
    assert scalar_fields(str) == ["value"]


@pytest.mark.parametrize(
    ("iterator", "alias"),
    [
        ("iter_groups", "list-groups"),
        ("iter_chats", "list-chats"),
        ("iter_chat_members", "list-chat-members"),
        ("iter_search_chats", "search-chats"),
        ("iter_group_members", "list-group-members"),
        ("iter_joined_groups", "list-joined-groups"),
        ("iter_team_members", "list-team-members"),
        ("iter_joined_teams", "list-joined-teams"),
    ],
)
def test_an_iterator_suggests_its_commands_alias(iterator: str, alias: str) -> None:
    assert alias_of(iterator) == alias


@pytest.mark.parametrize(
    ("iterator", "noun"),
    [("iter_groups", "groups"), ("iter_chat_members", "chat members"), ("iter_search_chats", "chats")],
)
def test_the_count_names_what_the_iterator_yields(iterator: str, noun: str) -> None:
    assert noun_of(iterator) == noun


def aliased_group() -> AliasedGroup:
    group = AliasedGroup("vendor", help="A vendor.")
    group.add_command(click.Command("get-appid-group-list", help="List groups.", callback=lambda: click.echo("ran")))
    group.add_command(click.Command("destroy-group", help="Destroy a group.", callback=lambda: None))
    group.add_alias("list-groups", "get-appid-group-list")
    return group


def test_an_alias_runs_its_command_and_is_listed_beside_it() -> None:
    group = aliased_group()
    assert CliRunner().invoke(group, ["list-groups"]).stdout == "ran\n"
    listing = CliRunner().invoke(group, ["--help"]).stdout
    assert "get-appid-group-list, list-groups" in listing
    assert listing.count("list-groups") == 1
    completions = ShellComplete(group, {}, "vendor", "_X").get_completions([], "li")
    assert [item.value for item in completions] == ["list-groups"]


def test_an_alias_never_hides_a_command() -> None:
    with pytest.raises(ValueError, match="already names a command"):
        aliased_group().add_alias("destroy-group", "get-appid-group-list")


def test_an_answer_model_prints_as_indented_key_value_lines(capsys: pytest.CaptureFixture[str]) -> None:
    answer = {"GroupInfo": [{"GroupId": "@TGS#1", "MemberList": [{"Member_Account": "u1"}]}], "owner_id": "ou_1"}
    assert readable_lines(answer) == [
        "GroupInfo:",
        "  - GroupId: @TGS#1",
        "    MemberList:",
        "      - Member_Account: u1",
        "owner id: ou_1",
    ]
    answer_with_status = {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", **answer}
    Reporter(as_json=False).success("tencent", "get_group_info", "@TGS#1", answer_with_status)
    assert capsys.readouterr().out.splitlines()[:3] == [
        "tencent get-group-info @TGS#1: done",
        "  GroupInfo:",
        "    - GroupId: @TGS#1",
    ]


def test_a_narrow_terminal_shows_the_columns_that_fit_and_says_what_it_left_out(
    widgets: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import imgroup.cli._listing

    monkeypatch.setattr(
        imgroup.cli._listing, "_table_width", lambda: 24
    )  # name (17 cells) does not fit beside widget_id
    lines = widgets("alice").stdout.splitlines()
    assert lines == ["widget_id", "w1", "w2", "w3", "3 widgets; --jsonl shows 4 more fields"]


def test_a_table_sizes_columns_by_terminal_cells_and_cuts_only_the_others() -> None:
    layout = lay_out(["id", "name"], [["oc_1", "群聊"], ["oc_22", "x" * 50], ["oc_3", "two\nlines"]], None)
    assert [click.unstyle(line) for line in layout.lines] == [
        "id     name",
        "oc_1   群聊",  # two characters, four cells: the column is as wide as the widest cell
        "oc_22  " + "x" * 39 + "…",
        "oc_3   two lines",
    ]
    assert layout.hidden == 0
    narrow = lay_out(["id", "name"], [["oc_" + "9" * 30, "a"]], 10)
    assert [click.unstyle(line) for line in narrow.lines] == ["id", "oc_" + "9" * 30] and narrow.hidden == 1


def test_a_reader_that_goes_away_ends_the_listing_quietly(widgets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # `imgroup ... --jsonl | head -1`: the next write finds the pipe closed.
    def closed_pipe(self: Reporter, text: str) -> None:
        raise BrokenPipeError

    monkeypatch.setattr(Reporter, "out", closed_pipe)
    result = widgets("alice", "--jsonl")
    assert result.exit_code == 1
    assert result.stderr == ""
