"""Group and user references: parsed and checked before anything is sent, printed back as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imgroup.groups import GroupRef, RefError, UserRef


@pytest.mark.parametrize(
    ("text", "vendor", "group_id", "options"),
    [
        ("feishu:oc_a0553eda9014c201e6969b478895c230", "feishu", "oc_a0553eda9014c201e6969b478895c230", ()),
        ("tencent:@TGS#2J4SZEAEL", "tencent", "@TGS#2J4SZEAEL", ()),
        ("tencent:my-custom-group", "tencent", "my-custom-group", ()),
        ("yunxin:1001", "yunxin", "1001", ()),
        ("yunxin:1001?type=2", "yunxin", "1001", (("type", "2"),)),
    ],
)
def test_a_group_reference_names_its_vendor_id_and_options(
    text: str, vendor: str, group_id: str, options: tuple[tuple[str, str], ...]
) -> None:
    ref = GroupRef.parse(text)
    assert (ref.vendor, ref.id, ref.options) == (vendor, group_id, options)
    assert str(ref) == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("oc_abc", "must start with its vendor"),
        ("wechat:oc_abc", "must start with its vendor"),
        ("feishu:ou_abc", "a chat id starting with oc_"),
        ("yunxin:team-1", "a team id (digits)"),
        ("yunxin:1001?type=3", "type must be one of 1, 2"),
        ("yunxin:1001?kind=1", "unknown option 'kind' for yunxin"),
        ("tencent:@TGS#1?type=1", "unknown option 'type' for tencent"),
        ("tencent:", "a group id of at most 48 characters"),
    ],
)
def test_a_bad_group_reference_is_refused_saying_what_a_good_one_looks_like(text: str, says: str) -> None:
    with pytest.raises(RefError, match=says.replace("(", r"\(").replace(")", r"\)")):
        GroupRef.parse(text)


def test_a_user_reference_is_checked_per_vendor() -> None:
    assert UserRef.parse("feishu:ou_7d8a6e6df7621556ce0d21922b676706") == UserRef(
        "feishu", "ou_7d8a6e6df7621556ce0d21922b676706"
    )
    assert str(UserRef.parse("yunxin:acc_1")) == "yunxin:acc_1"
    with pytest.raises(RefError, match="an open_id starting with ou_"):
        UserRef.parse("feishu:alice")
    with pytest.raises(RefError, match="without spaces"):
        UserRef.parse("tencent:al ice")


def test_a_looked_up_team_type_joins_the_reference() -> None:
    ref = GroupRef.parse("yunxin:1001").with_option("type", "1")
    assert str(ref) == "yunxin:1001?type=1"
    assert GroupRef.parse(str(ref)) == ref


@given(st.from_regex(r"[0-9]{1,20}", fullmatch=True), st.sampled_from(["", "?type=1", "?type=2"]))
def test_a_yunxin_reference_survives_printing_and_parsing(team_id: str, query: str) -> None:
    ref = GroupRef.parse(f"yunxin:{team_id}{query}")
    assert GroupRef.parse(str(ref)) == ref


def test_the_package_exports_every_public_name() -> None:
    import imgroup.groups as package

    # "@py_builtins" and friends: pytest rewrites the asserts of every module of an installed plugin's project.
    public = {name for name in vars(package) if not name.startswith(("_", "@"))}
    assert public == set(package.__all__)
