"""Nested fields: read to any depth in every text layout (tree marks, indentation, dotted names, a table under
a heading naming the object), compared by path, and written into the spec by ``--write``."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from generator.docdrift.cli import check_docs_main
from generator.docdrift.compare import Kind, compare
from generator.docdrift.matcher import match
from generator.docdrift.model import Location
from generator.docdrift.readers import read_page
from generator.docdrift.readers.nesting import FieldPaths
from generator.docdrift.spec_model import load_operations

ROOT = Path(__file__).resolve().parents[1]
HTML_SPECS = ROOT / "tests" / "fixtures" / "pages" / "html" / "specs"

HEAD = "PATCH https://open.yunxinapi.com/im/v2.1/teams/:{team_id}\n\n路径参数\n\n参数名称 类型 是否必选 描述\n"
HEAD += "team_id String 必选 The team.\n\n请求体参数\n\n"
TAIL = "\n响应\n"


def body(text: str) -> list[str]:
    return [param.name for param in read_page(text, "page").params[Location.BODY]]


def differences(text: str) -> list[tuple[Kind, str]]:
    page = read_page(text, "page")
    operations = load_operations(HTML_SPECS)
    return sorted((d.kind, d.subject) for d in compare(page, match(page, operations).operation, operations))


SPACED = (
    "参数名称 类型 是否必选 描述\noperator_id String 必选 Who.\nteam_type Integer 必选 Kind.\nname String 可选 Name.\n"
    "configuration JSONObject 可选 Permissions.\n  └ join_mode Integer 可选 Join.\n  └ agree_mode Integer 可选 Agree.\n"
    "  └ invite_mode Integer 可选 Invite.\n"
)
PIPES = (
    "| 参数名称 | 类型 | 是否必选 | 描述 |\n| --- | --- | --- | --- |\n| operator_id | String | 是 | Who. |\n"
    "| team_type | Integer | 是 | Kind. |\n| name | String | 否 | Name. |\n| configuration | JSONObject | 否 | Perms. |\n"
    "| configuration.join_mode | Integer | 否 | Join. |\n| configuration.agree_mode | Integer | 否 | Agree. |\n"
    "| configuration.invite_mode | Integer | 否 | Invite. |\n"
)
HEADED = (
    "| 参数名称 | 类型 | 是否必选 | 描述 |\n| --- | --- | --- | --- |\n| operator_id | String | 是 | Who. |\n"
    "| team_type | Integer | 是 | Kind. |\n| name | String | 否 | Name. |\n| configuration | JSONObject | 否 | Perms. |\n\n"
    "#### configuration\n\n| 参数名称 | 类型 | 是否必选 | 描述 |\n| --- | --- | --- | --- |\n"
    "| join_mode | Integer | 否 | Join. |\n| agree_mode | Integer | 否 | Agree. |\n| invite_mode | Integer | 否 | Invite. |\n"
)


def test_every_text_layout_of_nested_fields_reads_the_same_paths() -> None:
    expected = [
        "operator_id",
        "team_type",
        "name",
        "configuration",
        *(f"configuration.{n}" for n in ("join_mode", "agree_mode", "invite_mode")),
    ]
    for table in (SPACED, PIPES, HEADED, HEADED.replace("#### configuration", "configuration 参数说明")):
        assert body(HEAD + table + TAIL) == expected
        assert differences(HEAD + table + TAIL) == []


def test_a_removed_nested_field_is_drift_and_a_page_without_the_objects_fields_says_nothing_of_them() -> None:
    removed = (HEAD + SPACED + TAIL).replace("  └ agree_mode Integer 可选 Agree.\n", "")
    assert differences(removed) == [(Kind.PARAM_REMOVED, "body configuration.agree_mode")]
    parent_only = (HEAD + SPACED + TAIL).split("  └ join_mode")[0] + TAIL
    assert differences(parent_only) == []


def test_an_added_nested_field_and_a_changed_one_are_named_by_path() -> None:
    text = (HEAD + PIPES + TAIL).replace(
        "| configuration.invite_mode | Integer | 否 | Invite. |\n",
        "| configuration.invite_mode | String | 否 | Invite. |\n| configuration.mute_mode | Integer | 是 | Mute. |\n",
    )
    assert differences(text) == [
        (Kind.PARAM_ADDED, "body configuration.mute_mode"),
        (Kind.PARAM_TYPE_CHANGED, "body configuration.invite_mode"),
    ]


def test_fields_listed_flat_are_placed_under_the_one_object_that_has_them() -> None:
    text = (
        "https://xxxxxx/v4/group_open_http_svc/get_group_info?sdkappid=1\n\n200 calls per second\n\nRequest fields\n\n"
        "Field | Type | Required | Description |\nGroupIdList | Array | Yes | Groups. |\n"
        "GroupBaseInfoFilter | Array | No | Base. |\nMemberInfoFilter | Array | No | Members. |\n"
        "AppDefinedDataFilter_Group | Array | No | Custom. |\n\nResponse fields\n"
    )
    assert differences(text) == [(Kind.PARAM_REMOVED, "body ResponseFilter.AppDefinedDataFilter_GroupMember")]


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> list[tuple[str, list]]:
    names = draw(st.lists(st.from_regex(r"[a-z][a-z_]{0,6}", fullmatch=True), min_size=1, max_size=3, unique=True))
    return [(name, draw(trees(depth + 1)) if depth < 3 and draw(st.booleans()) else []) for name in names]


def flatten(tree: list[tuple[str, list]], prefix: str = "", depth: int = 0) -> list[tuple[str, str, int]]:
    rows = []
    for name, children in tree:
        rows.append((f"{prefix}{name}", name, depth))
        rows += flatten(children, f"{prefix}{name}.", depth + 1)
    return rows


@settings(max_examples=100, deadline=None)
@given(tree=trees(), style=st.sampled_from(["marks", "indent", "dotted"]), pad=st.integers(0, 3))
def test_field_paths_follow_any_depth_in_any_style(tree: list[tuple[str, list]], style: str, pad: int) -> None:
    paths = FieldPaths()
    for path, name, depth in flatten(tree):
        if style == "dotted":
            found = paths.path(path, (pad, 0))
        elif style == "marks":
            found = paths.path(name, (pad, depth))
        else:
            found = paths.path(name, (pad + 2 * depth, 0))
        assert found == path


def test_write_adds_a_nested_field_to_a_copy_of_the_spec_which_stays_valid(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", specs)
    page = tmp_path / "create_team.txt"
    document = yaml.safe_load((specs / "yunxin.yaml").read_text(encoding="utf-8"))
    path = next(p for p, item in document["paths"].items() if item.get("post", {}).get("operationId") == "create_team")
    page.write_text(
        f"POST https://open.yunxinapi.com{path}\n\n请求体参数\n\n参数名称 类型 是否必选 描述\n"
        "antispam_configuration JSONObject 可选 Moderation.\n  └ enabled Boolean 可选 On.\n"
        "  └ business_id_map Array 可选 Ids.\n    └ type Integer 必选 Kind.\n    └ business_id String 必选 Id.\n"
        "    └ level Integer 必选 New.\n\n响应\n",
        encoding="utf-8",
    )
    assert check_docs_main([str(page), "--specs", str(specs), "--write"]) == 1
    written = yaml.safe_load((specs / "yunxin.yaml").read_text(encoding="utf-8"))
    validate(written)
    item = written["components"]["schemas"]["AntispamBusinessId"]
    assert item["properties"]["level"]["x-review"] is True and "level" in item["required"]
    again = read_page(page.read_text(encoding="utf-8"), "page")
    operations = load_operations(specs)
    found = match(again, operations)
    assert not [d for d in compare(again, found.operation, operations) if d.kind is Kind.PARAM_ADDED]
