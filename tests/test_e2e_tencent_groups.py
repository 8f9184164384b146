"""End to end: Tencent's group operations and their iterators, sync and async, over loopback HTTP.

Every facade method succeeds against the demo seed, raises each error row the emulator's state can produce,
and changes state that the other methods then see: a created group is listed, members added are listed,
ownership moved shows in the profile and changes who may be removed. The iterators return each item exactly
once over many pages, also while groups are being destroyed under them.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
import tencent_im

from imgroup.emulator import EmulatorServer

MODES = ["sync", "async"]
TEAM = "@TGS#demo_team"  # owner user1, admin user3, members user2 and user4
LIVE = "@TGS#demo_live"  # an AVChatRoom
COMMUNITY = "@TGS#_demo_community"
UNLIMITED_LISTING = {"get_appid_group_list": 1000}  # the documented 1 call/s, lifted where a test pages fast


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client_kwargs(emu: EmulatorServer, **changes: Any) -> dict[str, Any]:
    return {**emu.credentials["tencent"], "base_url": emu.base_url, **changes}


async def call(mode: str, emu: EmulatorServer, method: str, **kwargs: Any) -> Any:
    """One facade call with a fresh client, sync or async."""
    if mode == "sync":
        with tencent_im.TencentIMClient(**client_kwargs(emu)) as client:
            return getattr(client, method)(**kwargs)
    async with tencent_im.AsyncTencentIMClient(**client_kwargs(emu)) as client:
        return await getattr(client, method)(**kwargs)


async def collect(mode: str, emu: EmulatorServer, iterator: str, **kwargs: Any) -> list[Any]:
    """Everything an iterator yields, with a fresh client whose listing limit is lifted."""
    options = client_kwargs(emu, rate_limit=UNLIMITED_LISTING)
    if mode == "sync":
        with tencent_im.TencentIMClient(**options) as client:
            return list(getattr(client, iterator)(**kwargs))
    async with tencent_im.AsyncTencentIMClient(**options) as client:
        return [item async for item in getattr(client, iterator)(**kwargs)]


async def raises(mode: str, emu: EmulatorServer, code: int, method: str, **kwargs: Any) -> None:
    """The call raises the catalogue's error class for ``code``, carrying it."""
    with pytest.raises(tencent_im.ApiError) as caught:
        await call(mode, emu, method, **kwargs)
    info = tencent_im.lookup(code)
    assert info is not None
    assert type(caught.value) is tencent_im.errors.ERRORS_BY_CATEGORY[info.category]
    assert (caught.value.code, caught.value.message) == (code, info.message)


def calls_of(emu: EmulatorServer, operation: str) -> list[dict[str, Any]]:
    return [c for c in emu.calls() if c["operation"] == operation]


def roles(members: list[Any]) -> dict[str, str]:
    return {m.member_account: m.role for m in members}


def tencent_groups(count: int, *, prefix: str = "@TGS#bulk", **fields: Any) -> list[dict[str, Any]]:
    return [{"group_id": f"{prefix}{i:05d}", "type": "Public", "owner": "user1", **fields} for i in range(count)]


# --- create_group -----------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_create_group_makes_a_group_that_get_and_list_then_see(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    created = await call(
        mode, emu, "create_group", kind="Public", name="Launch", owner_account="user1",
        member_list=[{"Member_Account": "user3", "Role": "Admin"}, {"Member_Account": "user5"}],
    )  # fmt: skip
    assert created.group_id.startswith("@TGS#")
    info = (await call(mode, emu, "get_group_info", group_id_list=[created.group_id])).group_info[0]
    assert (info.error_code, info.name, info.owner_account, info.member_num) == (0, "Launch", "user1", 3)
    assert roles(info.member_list) == {"user1": "Owner", "user3": "Admin", "user5": "Member"}
    listed = await collect(mode, emu, "iter_groups")
    assert [g.group_id for g in listed][-1] == created.group_id


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_create_group_keeps_a_custom_id_and_refuses_it_twice(mode: str, imgroup_emulator: EmulatorServer) -> None:
    created = await call(mode, imgroup_emulator, "create_group", kind="Private", name="Ops", group_id="ops-room")
    assert created.group_id == "ops-room"
    await raises(mode, imgroup_emulator, 10021, "create_group", kind="Public", name="Ops 2", group_id="ops-room")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "AVChatRoom", "member_list": [{"Member_Account": "user2"}]}, 10007),
        ({"kind": "Public", "group_id": "has space"}, 10015),
        ({"kind": "Public", "group_id": "@TGS#demo1"}, 10021),
        # The page: at most 500 initial members, 10005 past that.
        ({"kind": "Public", "member_list": [{"Member_Account": f"user{i}"} for i in range(501)]}, 10005),
    ],
)
async def test_create_group_raises_each_state_error_row(
    mode: str, changes: dict[str, Any], code: int, imgroup_emulator: EmulatorServer
) -> None:
    await raises(mode, imgroup_emulator, code, "create_group", name="G", **changes)


# --- get_group_info ---------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_group_info_answers_each_group_or_its_own_error(mode: str, imgroup_emulator: EmulatorServer) -> None:
    answer = await call(
        mode, imgroup_emulator, "get_group_info", group_id_list=[TEAM, "@TGS#demo_gone", "@TGS#nothing", "bad id"]
    )
    team, gone, missing, malformed = answer.group_info
    assert (team.group_id, team.name, team.type_, team.owner_account, team.create_time) == (
        TEAM, "Demo team", "Public", "user1", 1700000000,
    )  # fmt: skip
    assert roles(team.member_list) == {"user1": "Owner", "user3": "Admin", "user2": "Member", "user4": "Member"}
    assert [(g.group_id, g.error_code) for g in (gone, missing, malformed)] == [
        ("@TGS#demo_gone", 10010), ("@TGS#nothing", 10010), ("bad id", 10015),
    ]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_group_info_answers_only_what_the_filter_names(mode: str, imgroup_emulator: EmulatorServer) -> None:
    answer = await call(
        mode, imgroup_emulator, "get_group_info", group_id_list=[TEAM],
        response_filter={"GroupBaseInfoFilter": ["Name"], "MemberInfoFilter": ["Role"]},
    )  # fmt: skip
    team = answer.group_info[0]
    assert team.name == "Demo team" and isinstance(team.owner_account, tencent_im.types.Unset)
    assert roles(team.member_list)["user3"] == "Admin"


# --- get_appid_group_list / iter_groups -------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_one_page_of_group_ids_carries_the_cursor_of_the_next(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    first = await call(mode, emu, "get_appid_group_list", limit=4)
    assert (first.total_count, len(first.group_id_list)) == (8, 4)
    assert first.next_ != 0
    emu.faults({"rate_limits": UNLIMITED_LISTING})
    last = await call(mode, emu, "get_appid_group_list", limit=5, next_cursor=first.next_)
    assert (len(last.group_id_list), last.next_) == (4, 0)
    ids = [g.group_id for g in first.group_id_list + last.group_id_list]
    assert len(set(ids)) == 8 and "@TGS#demo_gone" not in ids


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_group_type_filters_the_ids_and_the_total(mode: str, imgroup_emulator: EmulatorServer) -> None:
    answer = await call(mode, imgroup_emulator, "get_appid_group_list", group_type="Private")
    assert (answer.total_count, [g.group_id for g in answer.group_id_list]) == (1, ["@TGS#demo2"])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_the_documented_one_call_a_second_is_enforced(mode: str, imgroup_emulator: EmulatorServer) -> None:
    # Three calls in a row span at most two one-second windows, so at least one is refused.
    refused = 0
    for _ in range(3):
        try:
            await call(mode, imgroup_emulator, "get_appid_group_list", max_retries=0)
        except tencent_im.RateLimitedError as error:
            assert error.code == 60007
            refused += 1
    assert refused >= 1


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_groups_returns_25000_ids_exactly_once_in_three_pages(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    emu.reset()
    emu.seed(
        {
            "tencent": {
                "apps": [{"sdkappid": 1400000000, "secret_key": "demo-tencent-secret-key"}],
                "groups": tencent_groups(25_000),
            }
        }
    )
    emu.faults({"rate_limits": UNLIMITED_LISTING})
    ids = [g.group_id for g in await collect(mode, emu, "iter_groups")]
    assert len(ids) == len(set(ids)) == 25_000
    assert len(calls_of(emu, "get_appid_group_list")) == 3


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_groups_neither_repeats_nor_hides_a_group_while_others_are_destroyed(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    emu.reset()
    emu.seed(
        {
            "tencent": {
                "apps": [{"sdkappid": 1400000000, "secret_key": "demo-tencent-secret-key"}],
                "groups": tencent_groups(25_000),
            }
        }
    )
    emu.faults({"rate_limits": {**UNLIMITED_LISTING, "destroy_group": 10_000}})
    every = [g["group_id"] for g in tencent_groups(25_000)]
    already_seen, not_reached = every[100:140], every[12_000:12_040] + every[24_000:24_040]
    options = client_kwargs(emu, rate_limit=UNLIMITED_LISTING)
    seen: list[str] = []

    def destroy_some() -> None:
        with tencent_im.TencentIMClient(**client_kwargs(emu)) as admin:
            for group_id in already_seen + not_reached:
                admin.destroy_group(group_id=group_id)

    if mode == "sync":
        with tencent_im.TencentIMClient(**options) as client:
            for group in client.iter_groups(page_size=5000):
                seen.append(group.group_id)
                if len(seen) == 1000:  # inside the first page: destroy behind and ahead of the cursor
                    destroy_some()
    else:
        async with tencent_im.AsyncTencentIMClient(**options) as client:
            async for group in client.iter_groups(page_size=5000):
                seen.append(group.group_id)
                if len(seen) == 1000:
                    await anyio.to_thread.run_sync(destroy_some)
    assert len(seen) == len(set(seen))
    assert set(seen) == set(every) - set(not_reached)
    assert len(calls_of(emu, "get_appid_group_list")) == 5


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_groups_takes_page_size_limit_and_group_type(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    emu.seed({"tencent": {"groups": tencent_groups(30) + tencent_groups(5, prefix="@TGS#work", type="Work")}})
    emu.faults({"rate_limits": UNLIMITED_LISTING})
    first_twelve = await collect(mode, emu, "iter_groups", page_size=5, limit=12)
    assert len(first_twelve) == 12 and len(calls_of(emu, "get_appid_group_list")) == 3
    work = await collect(mode, emu, "iter_groups", group_type="Private", page_size=2)
    assert [g.group_id for g in work] == ["@TGS#demo2"] + [f"@TGS#work{i:05d}" for i in range(5)]


# --- get_group_member_info / iter_group_members -----------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_members_come_with_their_roles_owner_first(mode: str, imgroup_emulator: EmulatorServer) -> None:
    answer = await call(mode, imgroup_emulator, "get_group_member_info", group_id=TEAM)
    assert answer.member_num == 4
    assert [(m.member_account, m.role) for m in answer.member_list] == [
        ("user1", "Owner"), ("user3", "Admin"), ("user2", "Member"), ("user4", "Member"),
    ]  # fmt: skip
    admins = await call(mode, imgroup_emulator, "get_group_member_info", group_id=TEAM, member_role_filter=["Admin"])
    assert roles(admins.member_list) == {"user3": "Admin"}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("group_id", "code"), [("@TGS#demo_gone", 10010), ("@TGS#nothing", 10010), ("bad id", 10015), (LIVE, 10007)]
)
async def test_get_group_member_info_raises_each_state_error_row(
    mode: str, group_id: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    await raises(mode, imgroup_emulator, code, "get_group_member_info", group_id=group_id)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_group_members_pages_a_large_group_exactly_once(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    crowd = [f"u{i:04d}" for i in range(449)]
    emu.seed({"tencent": {"groups": [{"group_id": "@TGS#crowd", "type": "Public", "owner": "boss", "members": crowd}]}})
    members = await collect(mode, emu, "iter_group_members", group_id="@TGS#crowd")
    assert [m.member_account for m in members] == ["boss", *crowd]
    assert len(calls_of(emu, "get_group_member_info")) == 3  # 200 + 200 + 50: the offset reaches MemberNum
    some = await collect(mode, emu, "iter_group_members", group_id="@TGS#crowd", page_size=100, limit=250)
    assert [m.member_account for m in some] == ["boss", *crowd[:249]]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_community_members_page_by_next_with_the_one_page_method(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    seen: list[str] = []
    cursor = ""
    while True:
        page = await call(
            mode, imgroup_emulator, "get_group_member_info", group_id=COMMUNITY, limit=3, next_cursor=cursor
        )
        seen += [m.member_account for m in page.member_list]
        cursor = page.next_
        if cursor == "":
            break
    assert seen == ["user1", "user2", "user3", "user4"]


# --- add_group_member / delete_group_member ---------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_members_added_show_in_the_member_list_and_in_their_joined_groups(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    answer = await call(
        mode,
        emu,
        "add_group_member",
        group_id=TEAM,
        member_list=[{"Member_Account": "user5"}, {"Member_Account": "user2"}],
    )
    assert [(r.member_account, r.result) for r in answer.member_list] == [("user5", 1), ("user2", 2)]
    members = await call(mode, emu, "get_group_member_info", group_id=TEAM)
    assert roles(members.member_list)["user5"] == "Member" and members.member_num == 5
    joined = await call(mode, emu, "get_joined_group_list", member_account="user5")
    assert [g.group_id for g in joined.group_id_list] == [TEAM]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("group_id", "account", "code"),
    [
        ("@TGS#demo_gone", "user5", 10010),
        ("bad id", "user5", 10015),
        (LIVE, "user5", 10007),
        (TEAM, "nobody", 10019),
    ],
)
async def test_add_group_member_raises_each_state_error_row(
    mode: str, group_id: str, account: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    await raises(
        mode, imgroup_emulator, code, "add_group_member", group_id=group_id, member_list=[{"Member_Account": account}]
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_full_group_refuses_new_members(mode: str, imgroup_emulator: EmulatorServer) -> None:
    await call(mode, imgroup_emulator, "modify_group_base_info", group_id=TEAM, max_member_num=4)
    await raises(
        mode, imgroup_emulator, 10014, "add_group_member", group_id=TEAM, member_list=[{"Member_Account": "user5"}]
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_delete_group_member_removes_members_and_skips_strangers(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    await call(mode, emu, "delete_group_member", group_id=TEAM, member_to_del_account=["user3", "user2", "stranger"])
    members = await call(mode, emu, "get_group_member_info", group_id=TEAM)
    assert roles(members.member_list) == {"user1": "Owner", "user4": "Member"}
    assert [c["effect"] for c in calls_of(emu, "delete_group_member")] == ["removed:2"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("group_id", "accounts", "code"),
    [
        (TEAM, ["user1"], 10007),
        ("@TGS#demo_gone", ["user2"], 10010),
        ("bad id", ["user2"], 10015),
        (LIVE, ["user2"], 10004),
    ],
)
async def test_delete_group_member_raises_each_state_error_row(
    mode: str, group_id: str, accounts: list[str], code: int, imgroup_emulator: EmulatorServer
) -> None:
    await raises(mode, imgroup_emulator, code, "delete_group_member", group_id=group_id, member_to_del_account=accounts)


# --- change_group_owner -----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_ownership_moved_changes_the_owner_and_who_may_be_removed(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    await raises(mode, emu, 10007, "delete_group_member", group_id=TEAM, member_to_del_account=["user1"])
    await call(mode, emu, "change_group_owner", group_id=TEAM, new_owner_account="user3")
    team = (await call(mode, emu, "get_group_info", group_id_list=[TEAM])).group_info[0]
    assert team.owner_account == "user3"
    assert roles(team.member_list) == {"user3": "Owner", "user1": "Member", "user2": "Member", "user4": "Member"}
    await call(mode, emu, "delete_group_member", group_id=TEAM, member_to_del_account=["user1"])
    await raises(mode, emu, 10007, "delete_group_member", group_id=TEAM, member_to_del_account=["user3"])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("group_id", "new_owner", "code"),
    [(TEAM, "user5", 10004), (LIVE, "user1", 10007), ("@TGS#demo_gone", "user1", 10010), ("bad id", "user1", 10015)],
)
async def test_change_group_owner_raises_each_state_error_row(
    mode: str, group_id: str, new_owner: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    await raises(mode, imgroup_emulator, code, "change_group_owner", group_id=group_id, new_owner_account=new_owner)


# --- modify_group_base_info -------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_modified_profile_fields_show_in_the_profile(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    await call(
        mode, emu, "modify_group_base_info", group_id=TEAM, name="Renamed", notification="Moving soon",
        mute_all_member="On", app_defined_data=[{"Key": "Topic", "Value": "ops"}],
    )  # fmt: skip
    team = (await call(mode, emu, "get_group_info", group_id_list=[TEAM])).group_info[0]
    assert (team.name, team.notification, team.shut_up_all_member) == ("Renamed", "Moving soon", "On")
    assert [(d.key, d.value) for d in team.app_defined_data] == [("Topic", "ops")]
    await call(mode, emu, "modify_group_base_info", group_id=TEAM, app_defined_data=[{"Key": "Topic", "Value": ""}])
    team = (await call(mode, emu, "get_group_info", group_id_list=[TEAM])).group_info[0]
    assert (team.name, team.app_defined_data) == ("Renamed", [])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("group_id", "code"), [("@TGS#demo_gone", 10010), ("bad id", 10015)])
async def test_modify_group_base_info_raises_each_state_error_row(
    mode: str, group_id: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    await raises(mode, imgroup_emulator, code, "modify_group_base_info", group_id=group_id, name="X")


# --- get_joined_group_list / iter_joined_groups -----------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_joined_groups_tell_the_users_role_in_each(mode: str, imgroup_emulator: EmulatorServer) -> None:
    by_user = {}
    for user in ("user1", "user2", "user3"):
        answer = await call(
            mode, imgroup_emulator, "get_joined_group_list", member_account=user,
            response_filter={"GroupBaseInfoFilter": ["Name"], "SelfInfoFilter": ["Role"]},
        )  # fmt: skip
        by_user[user] = {g.group_id: g.self_info.role for g in answer.group_id_list}
    assert by_user["user1"] == {
        "@TGS#demo1": "Owner", "@TGS#demo2": "Owner", "@TGS#demo3": "Owner", TEAM: "Owner", COMMUNITY: "Owner",
    }  # fmt: skip
    assert by_user["user2"] == {"@TGS#demo1": "Member", TEAM: "Member", COMMUNITY: "Member"}
    assert by_user["user3"] == {TEAM: "Admin", COMMUNITY: "Member"}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_joined_groups_leave_out_avchatrooms_unless_asked(mode: str, imgroup_emulator: EmulatorServer) -> None:
    plain = await call(mode, imgroup_emulator, "get_joined_group_list", member_account="user1")
    huge = await call(mode, imgroup_emulator, "get_joined_group_list", member_account="user1", with_huge_groups=1)
    assert LIVE not in [g.group_id for g in plain.group_id_list] and plain.total_count == 5
    assert LIVE in [g.group_id for g in huge.group_id_list] and huge.total_count == 6
    public = await call(mode, imgroup_emulator, "get_joined_group_list", member_account="user1", group_type="Public")
    assert [g.group_id for g in public.group_id_list] == ["@TGS#demo1", TEAM]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_joined_groups_pages_exactly_once(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    emu.seed({"tencent": {"groups": tencent_groups(120, owner="boss", members=["joiner"])}})
    groups = await collect(mode, emu, "iter_joined_groups", member_account="joiner", page_size=50)
    assert [g.group_id for g in groups] == [f"@TGS#bulk{i:05d}" for i in range(120)]
    assert len(calls_of(emu, "get_joined_group_list")) == 3
    some = await collect(mode, emu, "iter_joined_groups", member_account="joiner", page_size=50, limit=70)
    assert len(some) == 70


# --- the seed -----------------------------------------------------------------------------------------------


def test_an_old_seed_still_loads_with_default_names_times_and_roles(imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.seed(
        {"tencent": {"groups": [{"group_id": "@TGS#old", "type": "Public", "owner": "a", "members": ["b"]}]}}
    )
    group = imgroup_emulator.state()["tencent"]["groups"]["@TGS#old"]
    assert (group["name"], group["created_at"], group["admins"], group["members"]) == (
        "@TGS#old",
        1700000000,
        [],
        ["b"],
    )
