"""Reading bulk input: one id a line, CSV or JSON Lines, from a file or standard input, checked by the clients' own validation, errors with line numbers."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imgroup.bulk._jobs import DISBAND, REMOVE_MEMBERS, UNBIND_MEETING_CHAT, Job
from imgroup.jobs import STDIN, InputError, Item, Source, parse_items, read_source


def write(tmp_path: Path, text: str, name: str = "input.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_id_a_line_skips_blank_lines_and_comments_and_keeps_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "# chats to close\noc_1\n\n  oc_2  \n#oc_3\noc_4\n")
    items = parse_items(read_source(path), DISBAND["feishu"])
    assert [(item.key, item.line) for item in items] == [("oc_1", 2), ("oc_2", 4), ("oc_4", 6)]
    assert items[1].arguments == {"chat_id": "oc_2"}


def test_a_header_names_the_columns_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "operator_id,team_id,team_type\nacc_owner,1001,1\nacc_owner,2001,2\n")
    items = parse_items(read_source(path), DISBAND["yunxin"])
    assert [item.arguments for item in items] == [
        {"team_id": "1001", "team_type": 1, "operator_id": "acc_owner", "extension": None},
        {"team_id": "2001", "team_type": 2, "operator_id": "acc_owner", "extension": None},
    ]
    assert [item.line for item in items] == [2, 3]


def test_without_a_header_columns_are_read_in_the_documented_order(tmp_path: Path) -> None:
    path = write(tmp_path, "1001,1,acc_owner,bye\n")
    (item,) = parse_items(read_source(path), DISBAND["yunxin"])
    assert item.arguments == {"team_id": "1001", "team_type": 1, "operator_id": "acc_owner", "extension": "bye"}


def test_remove_members_splits_member_ids_on_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, "chat_id,member_ids,member_id_type\noc_1, ou_a ; ou_b ;,open_id\noc_2,cli_bot,app_id\n")
    items = parse_items(read_source(path), REMOVE_MEMBERS)
    assert items[0].arguments == {"chat_id": "oc_1", "id_list": ["ou_a", "ou_b"], "member_id_type": "open_id"}
    assert items[1].key == "oc_2"


def test_unbind_meeting_chat_is_keyed_by_calendar_and_event(tmp_path: Path) -> None:
    path = write(tmp_path, "calendar_id,event_id,meeting_chat_id\nc@group.calendar.feishu.cn,evt_1,oc_9\n")
    (item,) = parse_items(read_source(path), UNBIND_MEETING_CHAT)
    assert item.key == "c@group.calendar.feishu.cn/evt_1"


def test_an_identical_repeated_row_is_run_once(tmp_path: Path) -> None:
    path = write(tmp_path, "oc_1\noc_2\noc_1\n")
    assert [item.key for item in parse_items(read_source(path), DISBAND["feishu"])] == ["oc_1", "oc_2"]


def test_the_same_key_with_other_values_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "team_id,team_type,operator_id\n1001,1,acc_a\n1002,1,acc_a\n1001,1,acc_b\n")
    with pytest.raises(InputError) as caught:
        parse_items(read_source(path), DISBAND["yunxin"])
    assert caught.value.line == 4
    assert "line 2" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("team_id,team_type,operator_id\n1001,1,acc\n1002,3,acc\n", 3, "team_type must be at most 2"),
        ("team_id,team_type,operator_id\n1001,one,acc\n", 2, "team_type must be a whole number"),
        ("team_id,team_type,operator_id\n1001,1,\n", 2, "operator_id is required"),
        ("team_id,team_type,operator_id,colour\n", 1, "unknown column 'colour'"),
        ("team_type,operator_id\n1,acc\n", 1, "lacks the column 'team_id'"),
        ("1001,1,acc,ext,extra\n", 1, "expected at most 4"),
        ("team_id,team_type,operator_id,extension\n1001,1,acc," + "x" * 513 + "\n", 2, "at most 512 characters"),
    ],
)
def test_the_first_bad_row_is_named_by_its_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_items(read_source(write(tmp_path, text)), DISBAND["yunxin"])
    assert caught.value.line == line
    assert words in str(caught.value)


def test_a_bad_member_id_type_is_refused_by_the_clients_enum(tmp_path: Path) -> None:
    path = write(tmp_path, "oc_1,ou_a\noc_2,ou_b,email\n")
    with pytest.raises(InputError, match=r"line 2: member_id_type must be one of 'open_id'"):
        parse_items(read_source(path), REMOVE_MEMBERS)


def test_a_row_after_a_quoted_multiline_cell_keeps_its_own_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, 'team_id,team_type,operator_id,extension\n1001,1,acc,"two\nlines"\n1002,9,acc\n')
    with pytest.raises(InputError) as caught:
        parse_items(read_source(path), DISBAND["yunxin"])
    assert caught.value.line == 4


def test_text_that_is_not_utf8_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes(b"oc_1\noc_2\n\xff\xfe\n")
    with pytest.raises(InputError) as caught:
        parse_items(read_source(path), DISBAND["feishu"])
    assert (caught.value.line, caught.value.problem) == (3, "is not UTF-8 text")


def test_a_missing_file_and_an_empty_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read it"):
        parse_items(read_source(tmp_path / "absent.txt"), DISBAND["tencent"])
    with pytest.raises(InputError, match="holds no items"):
        parse_items(read_source(write(tmp_path, "# nothing\n\n")), DISBAND["tencent"])


# A first line naming a column ("group_id", any case) is the CSV header, as documented, not an id: left out here.
HEADERS = {column.header for column in DISBAND["tencent"].columns}
ids = st.text(
    alphabet=st.characters(codec="ascii", categories=["L", "N"]) | st.sampled_from("_@#-."), min_size=1
).filter(lambda text: text.lower() not in HEADERS)


@given(st.lists(ids, min_size=1, max_size=30))
def test_every_id_comes_back_once_in_input_order(tmp_path_factory: pytest.TempPathFactory, chosen: list[str]) -> None:
    wanted = [group for group in dict.fromkeys(chosen) if not group.startswith("#")]
    path = tmp_path_factory.mktemp("ids") / "ids.txt"
    path.write_text("".join(group + "\n" for group in chosen), encoding="utf-8")
    if not wanted:
        with pytest.raises(InputError):
            parse_items(read_source(path), DISBAND["tencent"])
        return
    items = parse_items(read_source(path), DISBAND["tencent"])
    assert [item.key for item in items] == wanted
    assert all(chosen[item.line - 1] == item.key for item in items)


# standard input and JSON Lines


def test_standard_input_is_read_when_the_input_is_a_dash() -> None:
    items = parse_items(read_source(STDIN, stdin=io.BytesIO(b"@TGS#1\n\n@TGS#2\n")), DISBAND["tencent"])
    assert [(item.key, item.line) for item in items] == [("@TGS#1", 1), ("@TGS#2", 3)]


def test_an_error_in_standard_input_is_named_as_such() -> None:
    with pytest.raises(InputError, match=r"^standard input: holds no items$"):
        parse_items(read_source(STDIN, stdin=io.BytesIO(b"\n")), DISBAND["tencent"])
    with pytest.raises(InputError, match=r"^standard input, line 2: is not UTF-8 text$"):
        parse_items(read_source(STDIN, stdin=io.BytesIO(b"@TGS#1\n\xff\n")), DISBAND["tencent"])


def test_the_source_digest_is_the_sha256_of_the_text_read() -> None:
    source = read_source(STDIN, stdin=io.BytesIO("\ufeff@TGS#1\n".encode()))
    assert source.text == "@TGS#1\n"
    assert source.digest == hashlib.sha256(b"@TGS#1\n").hexdigest()


def test_jsonl_takes_each_vendors_id_field_and_ignores_the_rest() -> None:
    tencent = '{"GroupId": "@TGS#1"}\n\n{"GroupId": "@TGS#2", "Name": "ops", "MemberNum": 3}\n'
    assert [(item.key, item.line) for item in parse(tencent, DISBAND["tencent"])] == [("@TGS#1", 1), ("@TGS#2", 3)]
    feishu = '{"chat_id": "oc_1", "name": "ops", "owner_id": "ou_1"}\n{"chat_id": "oc_2"}\n'
    assert [item.arguments for item in parse(feishu, DISBAND["feishu"])] == [{"chat_id": "oc_1"}, {"chat_id": "oc_2"}]
    yunxin = '{"tid": 1001, "team_type": 1, "operator_id": "acc_owner", "name": "ops"}\n'
    (team,) = parse(yunxin, DISBAND["yunxin"])
    assert team.arguments == {"team_id": "1001", "team_type": 1, "operator_id": "acc_owner", "extension": None}
    assert parse('{"team_id": "1002", "TeamType": 2, "operator_id": "a"}', DISBAND["yunxin"])[0].key == "1002"


def test_jsonl_lists_fill_a_column_of_ids() -> None:
    (item,) = parse('{"chat_id": "oc_1", "member_ids": ["ou_a", "ou_b"]}\n', REMOVE_MEMBERS)
    assert item.arguments == {"chat_id": "oc_1", "id_list": ["ou_a", "ou_b"], "member_id_type": None}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{"GroupId": "@TGS#1"}\n@TGS#2\n', 2, "is not JSON"),
        ('{"GroupId": "@TGS#1"}\n["@TGS#2"]\n', 2, "is not a JSON object"),
        ('{"GroupId": "@TGS#1"}\n{"Name": "no id"}\n', 2, "group_id"),
        ('{"GroupId": {"id": "@TGS#1"}}\n', 1, "group_id must be text or a number"),
        ('{"GroupId": "@TGS#1"}\n{"GroupId": true}\n', 2, "group_id must be text or a number"),
    ],
)
def test_a_bad_jsonl_line_is_named_by_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, DISBAND["tencent"])
    assert caught.value.line == line
    assert words in caught.value.problem


def test_a_bad_value_in_jsonl_is_refused_by_the_clients_validation() -> None:
    with pytest.raises(InputError, match=r"line 1: team_type must be at most 2"):
        parse('{"tid": 1001, "team_type": 3, "operator_id": "acc"}\n', DISBAND["yunxin"])


@given(st.lists(ids, min_size=1, max_size=30))
def test_every_jsonl_id_comes_back_once_in_input_order(chosen: list[str]) -> None:
    text = "".join(json.dumps({"GroupId": group, "Type": "Public"}) + "\n" for group in chosen)
    items = parse(text, DISBAND["tencent"])
    assert [item.key for item in items] == list(dict.fromkeys(chosen))
    assert all(chosen[item.line - 1] == item.key for item in items)


def parse(text: str, job: Job) -> list[Item]:
    return parse_items(Source("test input", text), job)


def test_fill_gives_a_column_its_value_where_the_input_leaves_it_empty() -> None:
    fill = {"team_type": "1", "operator_id": "acc_owner"}
    listing = '{"team_id": "1001", "name": "ops"}\n{"team_id": "1002", "team_type": 2, "operator_id": "acc_b"}\n'
    items = parse_items(Source("test input", listing), DISBAND["yunxin"], fill=fill)
    assert [item.arguments for item in items] == [
        {"team_id": "1001", "team_type": 1, "operator_id": "acc_owner", "extension": None},
        {"team_id": "1002", "team_type": 2, "operator_id": "acc_b", "extension": None},
    ]
    (row,) = parse_items(Source("test input", "1003,,\n"), DISBAND["yunxin"], fill=fill)
    assert row.arguments["operator_id"] == "acc_owner"


@pytest.mark.parametrize(
    ("fill", "words"), [({"colour": "red"}, "has no column 'colour'"), ({"team_id": "1"}, "names each item")]
)
def test_fill_refuses_an_unknown_column_and_the_key(fill: dict[str, str], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_items(Source("test input", "1001,1,acc\n"), DISBAND["yunxin"], fill=fill)
