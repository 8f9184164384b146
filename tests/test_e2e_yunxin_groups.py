"""End to end: the Yunxin team chapter (issue 10) of yunxin_im, sync and async, against the emulator.

Teams made are seen by get, get in batch and the joined-teams list, and can be dismissed; ownership moved
changes who may dismiss; managers added and removed change roles; members added are listed; paging returns
every team and member exactly once, also while other teams are dismissed between pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yunxin_im

from imgroup.emulator import EmulatorServer

MODES = ["sync", "async"]
ADVANCED, SUPER = 1, 2
MEMBER, OWNER, MANAGER = 0, 1, 2  # member_role on the wire


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def call(mode: str, emu: EmulatorServer, method: str, *args: Any, **kwargs: Any) -> Any:
    """One facade call with a fresh Yunxin client, sync or async."""
    options = {**emu.credentials["yunxin"], "base_url": emu.base_url}
    if mode == "sync":
        with yunxin_im.YunxinClient(**options) as client:
            return getattr(client, method)(*args, **kwargs)
    async with yunxin_im.AsyncYunxinClient(**options) as client:
        return await getattr(client, method)(*args, **kwargs)


async def error_of(mode: str, emu: EmulatorServer, method: str, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(yunxin_im.YunxinError) as caught:
        await call(mode, emu, method, *args, **kwargs)
    return caught.value


def assert_code(error: Any, code: int) -> None:
    """The error is the catalogue's class for ``code`` and carries its entry."""
    info = yunxin_im.lookup(code, error.operation)  # the operation's own entry, where its page has one
    assert info is not None
    assert type(error) is yunxin_im.errors.ERRORS_BY_CATEGORY[info.category], (type(error), code)
    assert (error.code, error.category, error.info) == (code, info.category, info)


def team(emu: EmulatorServer, team_id: str) -> dict[str, Any]:
    return dict(emu.state()["yunxin"]["teams"][team_id])


def roles(page: Any) -> dict[str, int]:
    return {member.account_id: member.member_role for member in page.items}


# --- create, get, get in batch, update --------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_created_team_is_seen_everywhere_and_can_be_dismissed(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    created = await call(
        mode, imgroup_emulator, "create_team",
        owner_account_id="acc_owner", team_type=ADVANCED, name="Launch", invite_account_ids=["acc_member", "nobody"],
    )  # fmt: skip
    team_id = created.team_info.team_id
    assert (created.team_info.owner_account_id, created.team_info.name, created.team_info.member_count) == (
        "acc_owner",
        "Launch",
        2,
    )
    assert [(f.account_id, f.error_code) for f in created.failed_list] == [("nobody", 102404)]

    fetched = await call(mode, imgroup_emulator, "get_team", team_id, team_type=ADVANCED)
    assert fetched.team_info.to_dict() == created.team_info.to_dict()
    batch = await call(mode, imgroup_emulator, "get_teams", team_type=ADVANCED, team_ids=f"[{team_id},1001,5]")
    assert [t.team_id for t in batch.team_info_list] == [team_id, "1001"]
    assert batch.invalid_tids == [5]
    joined = await call(mode, imgroup_emulator, "list_joined_teams", "acc_member", team_type=ADVANCED)
    assert team_id in [t.team_id for t in joined.team_info_list]

    dismissed = await call(mode, imgroup_emulator, "dismiss_team", team_id, team_type=ADVANCED, operator_id="acc_owner")
    assert dismissed.already_gone is False
    assert_code(await error_of(mode, imgroup_emulator, "get_team", team_id, team_type=ADVANCED), 108404)
    batch = await call(mode, imgroup_emulator, "get_teams", team_type=ADVANCED, team_ids=f"[{team_id}]")
    assert (batch.team_info_list, batch.invalid_tids) == ([], [int(team_id)])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_create_team_refuses_an_owner_that_does_not_exist(mode: str, imgroup_emulator: EmulatorServer) -> None:
    error = await error_of(
        mode, imgroup_emulator, "create_team", owner_account_id="nobody", team_type=ADVANCED, name="Launch"
    )
    assert_code(error, 102404)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_name_over_64_characters_fails_before_anything_is_sent(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    calls = len(imgroup_emulator.calls())
    with pytest.raises(yunxin_im.ValidationError, match="name"):
        await call(
            mode, imgroup_emulator, "create_team", owner_account_id="acc_owner", team_type=ADVANCED, name="x" * 65
        )
    assert len(imgroup_emulator.calls()) == calls


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("team_id", "team_type", "code"),
    [("1999", ADVANCED, 108404), ("424242", ADVANCED, 108404), ("2001", ADVANCED, 108302), ("1001", SUPER, 108404)],
)
async def test_get_team_errors(
    mode: str, team_id: str, team_type: int, code: int, imgroup_emulator: EmulatorServer
) -> None:
    assert_code(await error_of(mode, imgroup_emulator, "get_team", team_id, team_type=team_type), code)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_teams_refuses_more_than_20_super_teams(mode: str, imgroup_emulator: EmulatorServer) -> None:
    ids = "[" + ",".join(str(2000 + n) for n in range(21)) + "]"
    assert_code(await error_of(mode, imgroup_emulator, "get_teams", team_type=SUPER, team_ids=ids), 414)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_update_team_changes_only_what_is_sent(mode: str, imgroup_emulator: EmulatorServer) -> None:
    updated = await call(
        mode, imgroup_emulator, "update_team", "1001", operator_id="acc_manager", team_type=ADVANCED, name="Renamed"
    )
    assert (updated.team_info.name, updated.team_info.owner_account_id) == ("Renamed", "acc_owner")
    assert team(imgroup_emulator, "1001")["name"] == "Renamed"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("operator", "code"), [("acc_member", 109432), ("acc_outsider", 109404), ("nobody", 102404)])
async def test_update_team_is_for_the_owner_and_managers(
    mode: str, operator: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    error = await error_of(mode, imgroup_emulator, "update_team", "1001", operator_id=operator, team_type=1, name="X")
    assert_code(error, code)
    assert team(imgroup_emulator, "1001")["name"] == "Demo advanced team"


# --- ownership and managers -------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_transfer_moves_who_may_dismiss(mode: str, imgroup_emulator: EmulatorServer) -> None:
    moved = await call(
        mode, imgroup_emulator, "transfer_team_owner", "1003", team_type=ADVANCED, new_owner_account_id="acc_manager", leave=2
    )  # fmt: skip
    assert moved is None
    members = await call(mode, imgroup_emulator, "list_team_members", "1003", team_type=ADVANCED)
    assert roles(members) == {"acc_manager": OWNER, "acc_owner": MEMBER, "acc_member": MEMBER}

    refused = await error_of(
        mode, imgroup_emulator, "dismiss_team", "1003", team_type=ADVANCED, operator_id="acc_owner"
    )
    assert_code(refused, 109432)
    await call(mode, imgroup_emulator, "dismiss_team", "1003", team_type=ADVANCED, operator_id="acc_manager")
    assert team(imgroup_emulator, "1003")["dismissed"] is True


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_an_old_owner_that_leaves_is_no_longer_in_the_team(mode: str, imgroup_emulator: EmulatorServer) -> None:
    await call(
        mode, imgroup_emulator, "transfer_team_owner", "1003", team_type=ADVANCED, new_owner_account_id="acc_member", leave=1
    )  # fmt: skip
    state = team(imgroup_emulator, "1003")
    assert (state["owner"], state["members"]) == ("acc_member", ["acc_manager"])
    refused = await error_of(
        mode, imgroup_emulator, "dismiss_team", "1003", team_type=ADVANCED, operator_id="acc_owner"
    )
    assert_code(refused, 109404)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("new_owner", "code"), [("acc_outsider", 109404), ("nobody", 102404)])
async def test_ownership_moves_only_to_a_member(
    mode: str, new_owner: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    error = await error_of(
        mode, imgroup_emulator, "transfer_team_owner", "1003", team_type=ADVANCED, new_owner_account_id=new_owner, leave=2
    )  # fmt: skip
    assert_code(error, code)
    assert team(imgroup_emulator, "1003")["owner"] == "acc_owner"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_managers_added_and_removed_change_roles(mode: str, imgroup_emulator: EmulatorServer) -> None:
    await call(
        mode,
        imgroup_emulator,
        "add_team_managers",
        "1003",
        team_type=1,
        operator_id="acc_owner",
        managers=["acc_member"],
    )
    members = await call(mode, imgroup_emulator, "list_team_members", "1003", team_type=ADVANCED)
    assert roles(members)["acc_member"] == MANAGER
    joined = await call(
        mode, imgroup_emulator, "list_joined_teams", "acc_member", team_type=1, need_return_member_info=1
    )
    assert {t.team_id: t.member_info.member_role for t in joined.team_info_list}["1003"] == MANAGER

    await call(
        mode, imgroup_emulator, "remove_team_managers", "1003", team_type=1, operator_id="acc_owner", managers=["acc_member"]
    )  # fmt: skip
    members = await call(mode, imgroup_emulator, "list_team_members", "1003", team_type=ADVANCED)
    assert roles(members)["acc_member"] == MEMBER
    assert team(imgroup_emulator, "1003")["managers"] == []


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["add_team_managers", "remove_team_managers"])
@pytest.mark.parametrize(
    ("operator", "managers", "code"),
    [
        ("acc_manager", ["acc_member"], 109427),
        ("acc_owner", ["acc_outsider"], 109404),
        ("acc_owner", ["nobody"], 102404),
    ],
)
async def test_only_the_owner_changes_managers_and_only_of_members(
    mode: str, method: str, operator: str, managers: list[str], code: int, imgroup_emulator: EmulatorServer
) -> None:
    error = await error_of(mode, imgroup_emulator, method, "1001", team_type=1, operator_id=operator, managers=managers)
    assert_code(error, code)
    assert team(imgroup_emulator, "1001")["managers"] == ["acc_manager"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_more_than_ten_managers_fail_before_anything_is_sent(mode: str, imgroup_emulator: EmulatorServer) -> None:
    with pytest.raises(yunxin_im.ValidationError, match="managers"):
        await call(
            mode, imgroup_emulator, "add_team_managers", "1001",
            team_type=1, operator_id="acc_owner", managers=[f"acc_{n}" for n in range(11)],
        )  # fmt: skip


# --- members ----------------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_members_added_are_listed_and_removed_ones_are_not(mode: str, imgroup_emulator: EmulatorServer) -> None:
    added = await call(
        mode, imgroup_emulator, "add_team_members",
        operator_id="acc_owner", team_id=1003, team_type=1, invite_account_ids=["acc_outsider", "nobody"],
    )  # fmt: skip
    assert added.success_list == ["acc_outsider"]
    assert [(f.account_id, f.error_code) for f in added.failed_list] == [("nobody", 102404)]
    members = await call(mode, imgroup_emulator, "list_team_members", "1003", team_type=ADVANCED)
    assert roles(members)["acc_outsider"] == MEMBER

    removed = await call(
        mode, imgroup_emulator, "remove_team_members",
        operator_id="acc_owner", team_id=1003, team_type=1, kick_account_ids="acc_outsider,acc_owner,nobody",
    )  # fmt: skip
    assert removed.success_list == ["acc_outsider"]
    assert [(f.account_id, f.error_code) for f in removed.failed_list] == [("acc_owner", 414), ("nobody", 102404)]
    members = await call(mode, imgroup_emulator, "list_team_members", "1003", team_type=ADVANCED)
    assert "acc_outsider" not in roles(members)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_removing_someone_already_out_is_answered_as_not_a_member(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    removed = await call(
        mode, imgroup_emulator, "remove_team_members",
        operator_id="acc_owner", team_id=1001, team_type=1, kick_account_ids="acc_outsider",
    )  # fmt: skip
    assert (removed.success_list, [(f.account_id, f.error_code) for f in removed.failed_list]) == (
        [],
        [("acc_outsider", 109404)],
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_manager_removes_ordinary_members_but_not_other_managers(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.seed({"yunxin": {"teams": [
        {"team_id": "1005", "team_type": 1, "owner": "acc_owner", "managers": ["acc_manager", "acc_b"], "members": ["acc_member"]},
    ]}})  # fmt: skip
    removed = await call(
        mode, imgroup_emulator, "remove_team_members",
        operator_id="acc_manager", team_id=1005, team_type=1, kick_account_ids="acc_member,acc_b",
    )  # fmt: skip
    assert removed.success_list == ["acc_member"]
    assert [(f.account_id, f.error_code) for f in removed.failed_list] == [("acc_b", 109427)]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["add_team_members", "remove_team_members"])
@pytest.mark.parametrize(("operator", "code"), [("acc_member", 109432), ("acc_outsider", 109404)])
async def test_ordinary_members_and_outsiders_may_not_change_members(
    mode: str, method: str, operator: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    accounts = {
        "add_team_members": {"invite_account_ids": ["acc_outsider"]},
        "remove_team_members": {"kick_account_ids": "acc_member"},
    }
    error = await error_of(
        mode, imgroup_emulator, method, operator_id=operator, team_id=1001, team_type=1, **accounts[method]
    )
    assert_code(error, code)
    assert team(imgroup_emulator, "1001")["members"] == ["acc_member"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_list_team_members_filters_by_role(mode: str, imgroup_emulator: EmulatorServer) -> None:
    leaders = await call(mode, imgroup_emulator, "list_team_members", "1001", team_type=ADVANCED, member_type=1)
    assert roles(leaders) == {"acc_manager": MANAGER, "acc_owner": OWNER}
    ordinary = await call(mode, imgroup_emulator, "list_team_members", "1001", team_type=ADVANCED, member_type=2)
    assert roles(ordinary) == {"acc_member": MEMBER}


# --- the teams an account is in ---------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_joined_teams_show_what_the_account_owns_manages_and_belongs_to(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    joined = await call(
        mode, imgroup_emulator, "list_joined_teams", "acc_manager", team_type=1, need_return_member_info=1
    )
    assert {t.team_id: (t.owner_account_id, t.member_info.member_role) for t in joined.team_info_list} == {
        "1001": ("acc_owner", MANAGER),
        "1002": ("acc_owner", MANAGER),
        "1003": ("acc_owner", MEMBER),
        "1004": ("acc_manager", OWNER),
    }
    assert joined.has_more is False
    supers = await call(mode, imgroup_emulator, "list_joined_teams", "acc_manager", team_type=SUPER)
    assert [t.team_id for t in supers.team_info_list] == ["2001"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_joined_teams_of_an_unknown_account_is_an_error(mode: str, imgroup_emulator: EmulatorServer) -> None:
    assert_code(await error_of(mode, imgroup_emulator, "list_joined_teams", "nobody", team_type=1), 102404)


# --- paging -----------------------------------------------------------------------------------------------------


def many_teams(count: int, account: str) -> dict[str, Any]:
    """``count`` advanced teams ``account`` is in (a third owned, a third managed, a third as a member)."""
    teams = []
    for n in range(count):
        team_id = str(500_000 + n)
        role = n % 3
        owner = account if role == 0 else "acc_owner"
        teams.append(
            {
                "team_id": team_id,
                "team_type": 1,
                "name": f"Paged {n}",
                "owner": owner,
                "managers": [account] if role == 1 else [],
                "members": [account] if role == 2 else [],
            }
        )
    return {"yunxin": {"teams": teams}}


async def all_pages(
    mode: str, emu: EmulatorServer, method: str, first: str, items: str, between: Callable[[Any], None], **kwargs: Any
) -> list[Any]:
    """Every item of a page-token listing, calling ``between(page)`` after each page."""
    collected: list[Any] = []
    token: str | None = None
    while True:
        page = await call(mode, emu, method, first, **kwargs, **({"page_token": token} if token else {}))
        collected += getattr(page, items)
        between(page)
        if not page.has_more:
            return collected
        token = page.next_token


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_joined_teams_page_exactly_once_while_other_teams_are_dismissed(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.seed(many_teams(90, "acc_paged"))
    ahead = iter(str(500_000 + n) for n in range(89, 0, -7))
    dismissed: list[str] = []

    def dismiss_behind_and_ahead(page: Any) -> None:
        # One team already listed (an offset would then skip one) and one not listed yet (it must not appear).
        for team_id in (page.team_info_list[0].team_id, next(ahead, None)):
            if team_id is not None and team_id not in dismissed:
                dismissed.append(team_id)
                dismissal = {"team_id": team_id, "team_type": 1, "owner": "acc_owner", "dismissed": True}
                imgroup_emulator.seed({"yunxin": {"teams": [dismissal]}})

    listed = await all_pages(
        mode, imgroup_emulator, "list_joined_teams", "acc_paged", "team_info_list", dismiss_behind_and_ahead,
        team_type=1, limit=8,
    )  # fmt: skip
    ids = [t.team_id for t in listed]
    assert len(ids) == len(set(ids)) and ids == sorted(ids, key=int)
    expected = {str(500_000 + n) for n in range(90)}
    assert expected - set(dismissed) <= set(ids) <= expected  # every team that stayed, once
    assert set(dismissed) - set(ids)  # and teams dismissed ahead of the cursor did not appear


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_team_members_page_exactly_once_while_members_leave(mode: str, imgroup_emulator: EmulatorServer) -> None:
    accounts = [f"acc_{n:03d}" for n in range(60)]
    seeded = {"team_id": "7001", "team_type": 1, "owner": "acc_owner", "members": accounts}
    imgroup_emulator.seed({"yunxin": {"teams": [seeded]}})
    ahead = iter(accounts[::-9])
    left: list[str] = []

    def one_behind_and_one_ahead_leave(page: Any) -> None:
        for account in (page.items[0].account_id, next(ahead, None)):
            if account is not None and account != "acc_owner" and account not in left:
                left.append(account)
                with yunxin_im.YunxinClient(
                    **imgroup_emulator.credentials["yunxin"], base_url=imgroup_emulator.base_url
                ) as client:
                    client.remove_team_members(
                        operator_id="acc_owner", team_id=7001, team_type=1, kick_account_ids=account
                    )

    listed = await all_pages(
        mode,
        imgroup_emulator,
        "list_team_members",
        "7001",
        "items",
        one_behind_and_one_ahead_leave,
        team_type=1,
        limit=7,
    )
    names = [m.account_id for m in listed]
    everyone = {*accounts, "acc_owner"}
    assert len(names) == len(set(names))
    assert everyone - set(left) <= set(names) <= everyone
    assert set(left) - set(names)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_team_members_page_in_both_directions(mode: str, imgroup_emulator: EmulatorServer) -> None:
    def nothing(page: Any) -> None:
        return None

    ascending = await all_pages(
        mode, imgroup_emulator, "list_team_members", "1001", "items", nothing, team_type=1, limit=1
    )
    descending = await all_pages(
        mode, imgroup_emulator, "list_team_members", "1001", "items", nothing, team_type=1, limit=2, descending=True
    )
    names = [m.account_id for m in ascending]
    assert names == ["acc_manager", "acc_member", "acc_owner"]
    assert [m.account_id for m in descending] == names[::-1]


# --- the iterators ----------------------------------------------------------------------------------------------


async def iterate(
    mode: str, emu: EmulatorServer, method: str, *args: Any, each: Callable[[Any], None], **kwargs: Any
) -> list[Any]:
    """Every item ``method`` (an iter_* method) yields, calling ``each(item)`` as it comes."""
    options = {**emu.credentials["yunxin"], "base_url": emu.base_url}
    items: list[Any] = []
    if mode == "sync":
        with yunxin_im.YunxinClient(**options) as client:
            for item in getattr(client, method)(*args, **kwargs):
                items.append(item)
                each(item)
        return items
    async with yunxin_im.AsyncYunxinClient(**options) as client:
        async for item in getattr(client, method)(*args, **kwargs):
            items.append(item)
            each(item)
    return items


def page_tokens(emu: EmulatorServer, operation: str) -> int:
    return sum(1 for c in emu.calls() if c["operation"] == operation)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_joined_teams_yields_each_team_once_while_others_are_dismissed(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.seed(many_teams(250, "acc_paged"))
    ahead = iter(str(500_000 + n) for n in range(249, 0, -11))
    dismissed: list[str] = []

    def dismiss_every_tenth(team: Any) -> None:
        if int(team.team_id) % 10 == 0:  # one already yielded and one still ahead
            for team_id in (team.team_id, next(ahead, None)):
                if team_id is not None and team_id not in dismissed:
                    dismissed.append(team_id)
                    imgroup_emulator.seed(
                        {"yunxin": {"teams": [{"team_id": team_id, "team_type": 1, "owner": "x", "dismissed": True}]}}
                    )

    teams = await iterate(
        mode, imgroup_emulator, "iter_joined_teams", "acc_paged",
        each=dismiss_every_tenth, team_type=1, need_return_member_info=1, page_size=16,
    )  # fmt: skip
    ids = [t.team_id for t in teams]
    expected = {str(500_000 + n) for n in range(250)}
    assert len(ids) == len(set(ids))
    assert expected - set(dismissed) <= set(ids) <= expected
    assert set(dismissed) - set(ids)
    assert {t.member_info.member_role for t in teams} == {OWNER, MANAGER, MEMBER}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_joined_teams_stops_at_limit_and_asks_pages_of_page_size(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.seed(many_teams(40, "acc_paged"))
    before = page_tokens(imgroup_emulator, "list_joined_teams")
    teams = await iterate(
        mode,
        imgroup_emulator,
        "iter_joined_teams",
        "acc_paged",
        each=lambda t: None,
        team_type=1,
        page_size=7,
        limit=20,
    )
    assert [t.team_id for t in teams] == [str(500_000 + n) for n in range(20)]
    assert page_tokens(imgroup_emulator, "list_joined_teams") - before == 3  # 7 + 7 + 6 of the third page


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_team_members_yields_everyone_once_with_roles(mode: str, imgroup_emulator: EmulatorServer) -> None:
    accounts = [f"acc_{n:03d}" for n in range(120)]
    team = {"team_id": "7002", "team_type": 1, "owner": "acc_owner", "managers": accounts[:5], "members": accounts[5:]}
    imgroup_emulator.seed({"yunxin": {"teams": [team]}})
    members = await iterate(
        mode, imgroup_emulator, "iter_team_members", "7002", each=lambda m: None, team_type=1, page_size=9
    )
    assert sorted(m.account_id for m in members) == sorted([*accounts, "acc_owner"])
    assert len(members) == 121
    by_role = {m.account_id: m.member_role for m in members}
    assert (by_role["acc_owner"], by_role["acc_000"], by_role["acc_100"]) == (OWNER, MANAGER, MEMBER)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_team_members_of_a_dismissed_team_raises_before_yielding(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(yunxin_im.YunxinError) as caught:
        await iterate(mode, imgroup_emulator, "iter_team_members", "1999", each=lambda m: None, team_type=1)
    assert_code(caught.value, 108404)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_update_team_takes_the_configuration_as_a_plain_dict(mode: str, imgroup_emulator: EmulatorServer) -> None:
    updated = await call(
        mode, imgroup_emulator, "update_team", "1001",
        operator_id="acc_owner", team_type=1, configuration={"invite_mode": 1},
    )  # fmt: skip
    assert updated.team_info.configuration.invite_mode == 1
    added = await call(
        mode, imgroup_emulator, "add_team_members",
        operator_id="acc_member", team_id=1001, team_type=1, invite_account_ids=["acc_outsider"],
    )  # fmt: skip
    assert added.success_list == ["acc_outsider"]  # invite_mode 1: any member invites
