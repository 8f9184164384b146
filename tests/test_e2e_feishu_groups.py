"""End to end: Feishu's chat chapter (issue 10), every new facade method sync and async, against the emulator.

Success, the error rows the emulator's state can produce, ownership moving with update_chat, and paging:
page_size, page tokens, and every chat or member exactly once over many pages while others are disbanded or
removed meanwhile. Big states are seeded through the admin API, not made by thousands of calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import feishu_im
import pytest

from imgroup.emulator import EmulatorServer

UNSET = feishu_im.types.UNSET

MODES = ["sync", "async"]
CALENDAR = "feishu.cn_demo@group.calendar.feishu.cn"
NO_BOT = {"app_id": "cli_demo_no_bot", "app_secret": "demo-feishu-no-bot-secret"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client_kwargs(emu: EmulatorServer, **changes: Any) -> dict[str, Any]:
    return {**emu.credentials["feishu"], "base_url": emu.base_url, **changes}


async def call(mode: str, emu: EmulatorServer, method: str, *args: Any, client: dict[str, Any] | None = None,
               **kwargs: Any) -> Any:  # fmt: skip
    """One facade call with a fresh Feishu client, sync or async."""
    settings = client_kwargs(emu, **(client or {}))
    if mode == "sync":
        with feishu_im.FeishuClient(**settings) as feishu:
            return getattr(feishu, method)(*args, **kwargs)
    async with feishu_im.AsyncFeishuClient(**settings) as feishu:
        return await getattr(feishu, method)(*args, **kwargs)


async def fails_with(code: int, mode: str, emu: EmulatorServer, method: str, *args: Any, **kwargs: Any) -> None:
    """The call raises the catalogue's class for ``code``, carrying the code, its entry and its HTTP status."""
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(mode, emu, method, *args, **kwargs)
    error = caught.value
    info, answered = feishu_im.lookup(code, error.operation), feishu_im.lookup(code)  # the operation's own entry
    assert info is not None and answered is not None
    assert type(error) is feishu_im.errors.ERRORS_BY_CATEGORY[info.category], (type(error), code)
    assert (error.code, error.info, error.http_status, error.message) == (
        code,
        info,
        info.http_status,
        answered.message,
    )


def chat_state(emu: EmulatorServer, chat_id: str) -> dict[str, Any]:
    chat: dict[str, Any] = emu.state()["feishu"]["chats"][chat_id]
    return chat


# --- get_chat ----------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_chat_describes_the_chat(mode: str, imgroup_emulator: EmulatorServer) -> None:
    info = await call(mode, imgroup_emulator, "get_chat", "oc_demo_transfer")
    assert (info.name, info.chat_mode, info.chat_type, info.chat_status) == (
        "Handover demo",
        "group",
        "private",
        "normal",
    )
    assert info.owner_id is UNSET and info.owner_id_type is UNSET  # the bot owns it: Feishu leaves both out
    # Counts are numeric strings, as Feishu sends them; a member seeded with the manager role is a manager.
    assert (info.user_count, info.bot_count, info.user_manager_id_list) == ("3", "1", ["ou_bob"])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("chat_id", "code"),
    [
        ("oc_no_such_chat", 232006),
        ("oc_demo_dissolved", 232006),  # get_chat's page does not list 232009: a dissolved id is an invalid one
        ("oc_demo_other_tenant", 232010),
        ("oc_demo_external", 232033),
    ],
)
async def test_get_chat_refusals(mode: str, chat_id: str, code: int, imgroup_emulator: EmulatorServer) -> None:
    await fails_with(code, mode, imgroup_emulator, "get_chat", chat_id)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_bot_outside_the_chat_gets_only_its_outline(mode: str, imgroup_emulator: EmulatorServer) -> None:
    info = await call(mode, imgroup_emulator, "get_chat", "oc_demo_public")
    assert (info.name, info.user_count, info.chat_status) == ("Project public demo", "2", "normal")
    assert info.owner_id is UNSET and info.chat_mode is UNSET and info.user_manager_id_list is UNSET


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_bot_not_enabled_is_refused(mode: str, imgroup_emulator: EmulatorServer) -> None:
    await fails_with(232025, mode, imgroup_emulator, "get_chat", "oc_demo_1", client=NO_BOT)
    await fails_with(232025, mode, imgroup_emulator, "list_chats", client=NO_BOT)


# --- list_chats and search_chats ---------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_list_chats_pages_through_the_bots_live_chats(mode: str, imgroup_emulator: EmulatorServer) -> None:
    first = await call(mode, imgroup_emulator, "list_chats", page_size=4)
    assert len(first.items) == 4 and first.has_more and first.page_token
    seen = [chat.chat_id for chat in first.items]
    token = first.page_token
    while token:
        page = await call(mode, imgroup_emulator, "list_chats", page_size=4, page_token=token)
        seen += [chat.chat_id for chat in page.items]
        token = page.page_token
        assert bool(token) is page.has_more
    chats = imgroup_emulator.state()["feishu"]["chats"]
    expected = {cid for cid, chat in chats.items() if "cli_demo" in chat["bots"] and not chat["dissolved"]}
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert "oc_demo_dissolved" not in seen and "oc_demo_outside" not in seen
    # Creation order: the seeded chats without a creation time first (by id), then the later ones.
    assert seen[-2:] == ["oc_demo_transfer", "oc_demo_named"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_list_chats_by_last_activity(mode: str, imgroup_emulator: EmulatorServer) -> None:
    await call(mode, imgroup_emulator, "update_chat", "oc_demo_2", description="touched")
    page = await call(mode, imgroup_emulator, "list_chats", sort_type="ByActiveTimeDesc", page_size=1)
    assert [chat.chat_id for chat in page.items] == ["oc_demo_2"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_page_token_we_never_gave_is_a_parameter_error(mode: str, imgroup_emulator: EmulatorServer) -> None:
    await fails_with(232001, mode, imgroup_emulator, "list_chats", page_token="not-a-token!")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_search_chats_finds_joined_and_public_chats_by_name(mode: str, imgroup_emulator: EmulatorServer) -> None:
    page = await call(mode, imgroup_emulator, "search_chats", query="PROJECT")
    assert [chat.chat_id for chat in page.items] == ["oc_demo_named", "oc_demo_public"]
    assert page.has_more is False and page.page_token == ""
    narrowed = await call(mode, imgroup_emulator, "search_chats", query="public", page_size=1)
    assert [chat.chat_id for chat in narrowed.items] == ["oc_demo_public"]


# --- create_chat -------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_created_chat_is_seen_and_can_be_disbanded(mode: str, imgroup_emulator: EmulatorServer) -> None:
    created = await call(
        mode, imgroup_emulator, "create_chat", name="Launch", description="d", user_id_list=["ou_zoe", "ou_yan"]
    )
    assert created.chat_id.startswith("oc_") and created.name == "Launch"
    info = await call(mode, imgroup_emulator, "get_chat", created.chat_id)
    assert (info.user_count, info.bot_count, info.owner_id) == ("2", "1", UNSET)
    listed = await call(mode, imgroup_emulator, "list_chats", page_size=100)
    assert listed.items[-1].chat_id == created.chat_id  # the newest chat comes last in creation order
    members = await call(mode, imgroup_emulator, "list_chat_members", created.chat_id)
    assert [m.member_id for m in members.items] == ["ou_yan", "ou_zoe"]
    await call(mode, imgroup_emulator, "disband_chat", created.chat_id)
    assert chat_state(imgroup_emulator, created.chat_id)["dissolved"] is True


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_create_chat_with_an_owner_and_the_same_uuid_twice(mode: str, imgroup_emulator: EmulatorServer) -> None:
    first = await call(mode, imgroup_emulator, "create_chat", name="Owned", owner_id="ou_alice", uuid="u-1")
    again = await call(mode, imgroup_emulator, "create_chat", name="Owned", owner_id="ou_alice", uuid="u-1")
    assert first.chat_id == again.chat_id and first.owner_id == "ou_alice"
    assert sum(1 for chat in imgroup_emulator.state()["feishu"]["chats"].values() if chat["name"] == "Owned") == 1


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"chat_type": "public"}, 232042),
        ({"chat_type": "public", "name": "x"}, 232020),
        ({"name": "Bots", "bot_id_list": ["cli_nobody"]}, 232021),
    ],
)
async def test_create_chat_refusals(
    mode: str, body: dict[str, Any], code: int, imgroup_emulator: EmulatorServer
) -> None:
    await fails_with(code, mode, imgroup_emulator, "create_chat", **body)


# --- update_chat and ownership -----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_owner_id_moves_ownership(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    answer = await call(mode, emu, "update_chat", "oc_demo_transfer", owner_id="ou_alice", name="Handed over")
    assert answer is None  # the page's data is empty: nothing to answer, and no group went away
    info = await call(mode, emu, "get_chat", "oc_demo_transfer")
    assert (info.owner_id, info.name) == ("ou_alice", "Handed over")
    # The bot that owned it is now an ordinary member: no disbanding, no removing, and the owner stays.
    await fails_with(232017, mode, emu, "disband_chat", "oc_demo_transfer")
    await fails_with(232014, mode, emu, "remove_chat_members", "oc_demo_transfer", id_list=["ou_carol"])
    assert chat_state(emu, "oc_demo_transfer")["owner"] == "ou_alice"
    assert chat_state(emu, "oc_demo_transfer")["dissolved"] is False


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_the_new_owner_cannot_be_removed(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    created = await call(mode, emu, "create_chat", name="Team", user_id_list=["ou_alice", "ou_bob"])
    await call(mode, emu, "update_chat", created.chat_id, owner_id="ou_alice")
    # The bot created the chat and holds im:chat:operate_as_owner, so it still manages members, but the
    # owner it handed the chat to cannot be removed.
    await fails_with(232076, mode, emu, "remove_chat_members", created.chat_id, id_list=["ou_alice", "ou_bob"])
    await call(mode, emu, "remove_chat_members", created.chat_id, id_list=["ou_bob"])
    assert chat_state(emu, created.chat_id)["members"] == ["ou_alice"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("chat_id", "change", "code"),
    [
        ("oc_demo_transfer", {"owner_id": "ou_stranger"}, 232012),
        ("oc_demo_dissolved", {"name": "late"}, 232009),
        ("oc_demo_topic", {"name": "topic"}, 232008),
        ("oc_demo_outside", {"name": "outside"}, 232011),
        ("oc_demo_other_tenant", {"name": "other"}, 232010),
        ("oc_demo_external", {"name": "external"}, 232033),
        ("oc_demo_member", {"owner_id": "ou_bob"}, 232016),  # an ordinary member may only rename and describe
    ],
)
async def test_update_chat_refusals(
    mode: str, chat_id: str, change: dict[str, Any], code: int, imgroup_emulator: EmulatorServer
) -> None:
    await fails_with(code, mode, imgroup_emulator, "update_chat", chat_id, **change)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_members_edit_only_what_the_chat_allows(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    await call(mode, emu, "update_chat", "oc_demo_member", name="Renamed by a member")
    assert chat_state(emu, "oc_demo_member")["name"] == "Renamed by a member"
    await call(mode, emu, "update_chat", "oc_demo_transfer", edit_permission="only_owner")
    await call(mode, emu, "update_chat", "oc_demo_transfer", owner_id="ou_alice")
    await fails_with(232002, mode, emu, "update_chat", "oc_demo_transfer", name="not allowed")


# --- members -----------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_list_chat_members_lists_users_with_the_total(mode: str, imgroup_emulator: EmulatorServer) -> None:
    page = await call(mode, imgroup_emulator, "list_chat_members", "oc_demo_transfer", page_size=2)
    assert [m.member_id for m in page.items] == ["ou_alice", "ou_bob"] and page.has_more
    assert page.member_total == 3 and page.items[0].member_id_type == "open_id"
    rest = await call(mode, imgroup_emulator, "list_chat_members", "oc_demo_transfer", page_token=page.page_token)
    assert [m.member_id for m in rest.items] == ["ou_carol"] and rest.has_more is False


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("chat_id", "code"),
    [
        ("oc_no_such_chat", 232006),
        ("oc_demo_dissolved", 232009),  # this page lists 232009, unlike get_chat's
        ("oc_demo_other_tenant", 232010),
        ("oc_demo_external", 232033),
        ("oc_demo_outside", 232011),
    ],
)
async def test_list_chat_members_refusals(mode: str, chat_id: str, code: int, imgroup_emulator: EmulatorServer) -> None:
    await fails_with(code, mode, imgroup_emulator, "list_chat_members", chat_id)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_added_members_show_up(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    added = await call(mode, emu, "add_chat_members", "oc_demo_named", id_list=["ou_new", "ou_alice", "nobody"],
                       succeed_type=1)  # fmt: skip
    assert (added.not_existed_id_list, added.invalid_id_list) == (["nobody"], [])
    page = await call(mode, emu, "list_chat_members", "oc_demo_named")
    assert [m.member_id for m in page.items] == ["ou_alice", "ou_bob", "ou_new"]
    bots = await call(mode, emu, "add_chat_members", "oc_demo_named", id_list=["cli_demo_other_tenant"],
                      member_id_type="app_id")  # fmt: skip
    assert bots.not_existed_id_list == [] and "cli_demo_other_tenant" in chat_state(emu, "oc_demo_named")["bots"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_add_chat_members_refusals(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    await fails_with(232011, mode, emu, "add_chat_members", "oc_demo_outside", id_list=["ou_new"])
    await call(mode, emu, "update_chat", "oc_demo_transfer", add_member_permission="only_owner",
               share_card_permission="not_allowed")  # fmt: skip
    await call(mode, emu, "update_chat", "oc_demo_transfer", owner_id="ou_alice")
    await fails_with(232017, mode, emu, "add_chat_members", "oc_demo_transfer", id_list=["ou_new"])
    # Ids that name nobody: refused by kind (succeed_type 0, the default) or all or nothing (succeed_type 2).
    await fails_with(99992351, mode, emu, "add_chat_members", "oc_demo_named", id_list=["ou_new", "nobody"])
    await fails_with(232043, mode, emu, "add_chat_members", "oc_demo_named", id_list=["nobody"], succeed_type=2)
    emu.seed(
        {"feishu": {"chats": [{"chat_id": "oc_p2p", "owner": "cli_demo", "chat_mode": "p2p", "members": ["ou_a"]}]}}
    )
    await fails_with(232090, mode, emu, "add_chat_members", "oc_p2p", id_list=["ou_new"])  # only group and topic
    assert "ou_new" not in chat_state(emu, "oc_demo_named")["members"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_is_in_chat(mode: str, imgroup_emulator: EmulatorServer) -> None:
    assert (await call(mode, imgroup_emulator, "is_in_chat", "oc_demo_member")).is_in_chat is True
    assert (await call(mode, imgroup_emulator, "is_in_chat", "oc_demo_outside")).is_in_chat is False
    await fails_with(232006, mode, imgroup_emulator, "is_in_chat", "oc_no_such_chat")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("chat_id", "code"),
    [
        ("oc_demo_dissolved", 232006),  # is_in_chat's page lists no 232009: a dissolved id is an invalid one
        ("oc_demo_other_tenant", 232010),
        ("oc_demo_external", 232033),
    ],
)
async def test_is_in_chat_refusals(mode: str, chat_id: str, code: int, imgroup_emulator: EmulatorServer) -> None:
    await fails_with(code, mode, imgroup_emulator, "is_in_chat", chat_id)


# --- managers ----------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_managers_added_and_removed_are_remembered(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    added = await call(mode, emu, "add_chat_managers", "oc_demo_transfer", manager_ids=["ou_alice", "ou_carol"])
    assert (added.chat_managers, added.chat_bot_managers) == (["ou_alice", "ou_bob", "ou_carol"], [])
    removed = await call(mode, emu, "remove_chat_managers", "oc_demo_transfer", manager_ids=["ou_bob"])
    assert removed.chat_managers == ["ou_alice", "ou_carol"]
    info = await call(mode, emu, "get_chat", "oc_demo_transfer")
    assert info.user_manager_id_list == ["ou_alice", "ou_carol"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["add_chat_managers", "remove_chat_managers"])
async def test_manager_refusals(mode: str, method: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    await fails_with(232038, mode, emu, method, "oc_demo_member", manager_ids=["ou_bob"])  # not the owner
    await fails_with(232011, mode, emu, method, "oc_demo_outside", manager_ids=["ou_dave"])
    await fails_with(232027, mode, emu, method, "oc_demo_transfer", manager_ids=["ou_stranger"])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("method", "chat_id", "code"),
    [
        # Neither managers' page lists 232006: an unknown chat is a parameter error.
        ("add_chat_managers", "oc_no_such_chat", 232001),
        ("remove_chat_managers", "oc_no_such_chat", 232001),
        ("add_chat_managers", "oc_demo_dissolved", 232009),
        ("remove_chat_managers", "oc_demo_dissolved", 232009),
        # Only remove_chat_managers' page lists 232033.
        ("remove_chat_managers", "oc_demo_external", 232033),
    ],
)
async def test_manager_refusals_by_chat_state(
    mode: str, method: str, chat_id: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    await fails_with(code, mode, imgroup_emulator, method, chat_id, manager_ids=["ou_alice"])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_the_manager_cap(mode: str, imgroup_emulator: EmulatorServer) -> None:
    users = [f"ou_u{i:02d}" for i in range(11)]
    imgroup_emulator.seed({"feishu": {"chats": [{"chat_id": "oc_crowd", "owner": "cli_demo", "members": users}]}})
    await call(mode, imgroup_emulator, "add_chat_managers", "oc_crowd", manager_ids=users[:10])
    await fails_with(232040, mode, imgroup_emulator, "add_chat_managers", "oc_crowd", manager_ids=users[10:])


# --- meeting chats -----------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_created_meeting_chat_holds_the_attendees_and_unbinds(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    created = await call(mode, emu, "create_meeting_chat", CALENDAR, "evt_demo_2")
    assert created.applink.endswith(created.meeting_chat_id)
    again = await call(mode, emu, "create_meeting_chat", CALENDAR, "evt_demo_2")
    assert again.meeting_chat_id == created.meeting_chat_id  # still bound: the same chat
    members = await call(mode, emu, "list_chat_members", created.meeting_chat_id)
    assert [m.member_id for m in members.items] == ["ou_alice", "ou_bob"]
    await call(mode, emu, "unbind_meeting_chat", CALENDAR, "evt_demo_2", meeting_chat_id=created.meeting_chat_id)
    bound = {(m["event_id"], m["bound"]) for m in emu.state()["feishu"]["meeting_chats"]}
    assert ("evt_demo_2", False) in bound


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_create_meeting_chat_refusals(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    await fails_with(193001, mode, emu, "create_meeting_chat", CALENDAR, "evt_nowhere")
    await fails_with(191000, mode, emu, "create_meeting_chat", "nobody@group.calendar.feishu.cn", "evt_demo_2")
    await fails_with(190007, mode, emu, "create_meeting_chat", CALENDAR, "evt_demo_2", client=NO_BOT)
    emu.seed(
        {"feishu": {"calendar_events": [{"calendar_id": CALENDAR, "event_id": "evt_alone", "attendees": ["ou_a"]}]}}
    )
    await fails_with(195109, mode, emu, "create_meeting_chat", CALENDAR, "evt_alone")  # fewer than two attendees


# --- many pages, exactly once --------------------------------------------------------------------------------

BIG_CHATS = 25_000
BIG_MEMBERS = 5_000


def lift_limits(emu: EmulatorServer, *operations: str) -> None:
    """These tests measure paging, not pacing: the emulator lets the operations through at any rate."""
    emu.faults({"rate_limits": dict.fromkeys(operations, 1_000_000)})


def many_chats(count: int) -> dict[str, Any]:
    # Ids sort in creation order; every chat is owned by the demo bot, so any may be disbanded mid-iteration.
    return {
        "feishu": {
            "chats": [
                {"chat_id": f"oc_big_{i:05d}", "owner": "cli_demo", "name": f"big {i}", "created_at": 1_800_000_000}
                for i in range(count)
            ]
        }
    }


def drain(fetch: Callable[[str | None], Any], disrupt: Callable[[int, list[str]], None]) -> list[str]:
    """Every id of every page, following page tokens; ``disrupt(page_number, seen)`` runs between pages."""
    seen: list[str] = []
    token: str | None = None
    page_number = 0
    while True:
        page = fetch(token)
        seen += [getattr(item, "chat_id", None) or item.member_id for item in page.items]
        if not page.has_more:
            return seen
        token = page.page_token
        page_number += 1
        disrupt(page_number, seen)


async def adrain(fetch: Callable[[str | None], Awaitable[Any]], disrupt: Callable[[int], Awaitable[Any]]) -> list[str]:
    """drain for the async client."""
    seen: list[str] = []
    token: str | None = None
    page_number = 0
    while True:
        page = await fetch(token)
        seen += [item.member_id for item in page.items]
        if not page.has_more:
            return seen
        token = page.page_token
        page_number += 1
        await disrupt(page_number)


def test_25000_chats_each_exactly_once_while_others_are_disbanded(imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    emu.seed(many_chats(BIG_CHATS))
    lift_limits(emu, "list_chats", "disband_chat")
    disbanded: set[str] = set()
    disbanded_unseen: set[str] = set()
    with feishu_im.FeishuClient(**client_kwargs(emu, rate_limit=False)) as feishu:

        def disband_around(page_number: int, seen: list[str]) -> None:
            # One chat already handed out and one ahead of the pages (while the end is not near), every page.
            for index in (page_number * 100 - 50, page_number * 100 + 160):
                if index < BIG_CHATS:
                    chat_id = f"oc_big_{index:05d}"
                    feishu.disband_chat(chat_id)
                    disbanded.add(chat_id)
                    if chat_id not in seen:
                        disbanded_unseen.add(chat_id)

        seen = drain(lambda token: feishu.list_chats(page_size=100, page_token=token), disband_around)
    big = [chat_id for chat_id in seen if chat_id.startswith("oc_big_")]
    assert len(big) == len(set(big)), "a chat came twice"
    everything = {f"oc_big_{i:05d}" for i in range(BIG_CHATS)}
    assert everything - disbanded <= set(big), "a chat that was never disbanded is missing"
    assert set(big) <= everything and len(disbanded) > 400
    # A chat disbanded before its page came is not handed out.
    assert len(disbanded_unseen) > 100 and not set(big) & disbanded_unseen


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_5000_member_chat_lists_each_member_once_while_members_leave(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    members = [f"ou_m{i:04d}" for i in range(BIG_MEMBERS)]
    emu.seed({"feishu": {"chats": [{"chat_id": "oc_big_members", "owner": "cli_demo", "members": members}]}})
    lift_limits(emu, "list_chat_members", "remove_chat_members")
    removed: set[str] = set()
    settings = client_kwargs(emu, rate_limit=False)

    def leaving(page_number: int) -> list[str]:
        # One member already handed out and one still ahead, on every page.
        gone = [members[page_number * 100 - 10], members[min(page_number * 100 + 130, BIG_MEMBERS - 1)]]
        removed.update(gone)
        return gone

    if mode == "sync":
        with feishu_im.FeishuClient(**settings) as feishu:
            seen = drain(
                lambda token: feishu.list_chat_members("oc_big_members", page_size=100, page_token=token),
                lambda number, _: feishu.remove_chat_members("oc_big_members", id_list=leaving(number)),
            )
    else:
        async with feishu_im.AsyncFeishuClient(**settings) as afeishu:
            seen = await adrain(
                lambda token: afeishu.list_chat_members("oc_big_members", page_size=100, page_token=token),
                lambda number: afeishu.remove_chat_members("oc_big_members", id_list=leaving(number)),
            )
    assert len(seen) == len(set(seen)), "a member came twice"
    assert set(members) - removed <= set(seen) <= set(members)
    assert len(removed) > 90


# --- the generated iterators ---------------------------------------------------------------------------------


async def collect(mode: str, emu: EmulatorServer, method: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Every item an iterator yields, with a fresh client, sync or async."""
    settings = client_kwargs(emu)
    if mode == "sync":
        with feishu_im.FeishuClient(**settings) as feishu:
            return list(getattr(feishu, method)(*args, **kwargs))
    async with feishu_im.AsyncFeishuClient(**settings) as afeishu:
        return [item async for item in getattr(afeishu, method)(*args, **kwargs)]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_chats_pages_and_stops_at_the_limit(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    everything = [chat.chat_id for chat in await collect(mode, emu, "iter_chats", page_size=3)]
    one_page = await call(mode, emu, "list_chats", page_size=100)
    assert everything == [chat.chat_id for chat in one_page.items] and len(everything) > 3
    first = [chat.chat_id for chat in await collect(mode, emu, "iter_chats", page_size=2, limit=5)]
    assert first == everything[:5]
    # Answered pages only: a token cached from an earlier test's emulator is refused once (99991663).
    pages = [call for call in emu.calls() if call["operation"] == "list_chats" and call["code"] == 0]
    assert len(pages) == 1 + (len(everything) + 2) // 3 + 3  # the one page, every 3-chat page, 3 pages for 5


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_search_chats_and_iter_chat_members(mode: str, imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    found = await collect(mode, emu, "iter_search_chats", query="project", page_size=1)
    assert [chat.chat_id for chat in found] == ["oc_demo_named", "oc_demo_public"]
    members = await collect(mode, emu, "iter_chat_members", "oc_demo_transfer", page_size=1)
    assert [member.member_id for member in members] == ["ou_alice", "ou_bob", "ou_carol"]
    with pytest.raises(feishu_im.ValidationError, match="page_size"):
        await collect(mode, emu, "iter_chat_members", "oc_demo_transfer", page_size=101)


def test_iter_chats_hands_out_25000_chats_once_while_others_are_disbanded(imgroup_emulator: EmulatorServer) -> None:
    emu = imgroup_emulator
    emu.seed(many_chats(BIG_CHATS))
    lift_limits(emu, "list_chats", "disband_chat")
    seen: list[str] = []
    disbanded_unseen: set[str] = set()
    with feishu_im.FeishuClient(**client_kwargs(emu, rate_limit=False)) as feishu:
        for number, chat in enumerate(feishu.iter_chats()):
            seen.append(chat.chat_id)
            if chat.chat_id.startswith("oc_big_") and number % 100 == 0:
                # Every hundredth chat: disband one already handed out and one further on.
                index = int(chat.chat_id.removeprefix("oc_big_"))
                feishu.disband_chat(chat.chat_id)
                ahead = f"oc_big_{index + 150:05d}"
                if index + 150 < BIG_CHATS and ahead not in seen:
                    feishu.disband_chat(ahead)
                    disbanded_unseen.add(ahead)
    big = [chat_id for chat_id in seen if chat_id.startswith("oc_big_")]
    assert len(big) == len(set(big)), "a chat came twice"
    assert set(big) == {f"oc_big_{i:05d}" for i in range(BIG_CHATS)} - disbanded_unseen
    assert len(disbanded_unseen) > 200


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_iter_chat_members_hands_out_5000_members_once_while_members_leave(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    emu = imgroup_emulator
    members = [f"ou_m{i:04d}" for i in range(BIG_MEMBERS)]
    emu.seed({"feishu": {"chats": [{"chat_id": "oc_big_members", "owner": "cli_demo", "members": members}]}})
    lift_limits(emu, "list_chat_members", "remove_chat_members")
    settings = client_kwargs(emu, rate_limit=False)
    seen: list[str] = []
    left_unseen: set[str] = set()

    def leaving(member_id: str) -> list[str] | None:
        # Every hundredth member: it leaves, and so does one further on that was not handed out yet.
        index = int(member_id.removeprefix("ou_m"))
        if index % 100 or index + 150 >= BIG_MEMBERS:
            return None
        left_unseen.add(members[index + 150])
        return [member_id, members[index + 150]]

    if mode == "sync":
        with feishu_im.FeishuClient(**settings) as feishu:
            for member in feishu.iter_chat_members("oc_big_members"):
                seen.append(member.member_id)
                if gone := leaving(member.member_id):
                    feishu.remove_chat_members("oc_big_members", id_list=gone)
    else:
        async with feishu_im.AsyncFeishuClient(**settings) as afeishu:
            async for member in afeishu.iter_chat_members("oc_big_members"):
                seen.append(member.member_id)
                if gone := leaving(member.member_id):
                    await afeishu.remove_chat_members("oc_big_members", id_list=gone)
    assert len(seen) == len(set(seen)), "a member came twice"
    assert set(seen) == set(members) - left_unseen and len(left_unseen) > 40
