"""``Groups`` and ``AsyncGroups`` on the emulator: the same answers from every vendor, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import feishu_im
import pytest
import tencent_im
import yunxin_im

from imgroup.emulator import EmulatorServer
from imgroup.groups import AsyncGroups, Groups, Happened, Presence, Role, UserRef

FEISHU_APP = "cli_groups"
SEED: dict[str, Any] = {
    "feishu": {
        "apps": [{"app_id": FEISHU_APP, "app_secret": "groups-feishu-secret"}],
        "users": [{"open_id": "ou_cat"}, {"open_id": "ou_fay", "resigned": True}],
        "chats": [
            {"chat_id": "oc_g1", "owner": "ou_amy", "creator": FEISHU_APP, "name": "Sales",
             "members": ["ou_dan", "ou_eve"], "managers": ["ou_eve"], "created_at": 1_700_000_000},
        ],
    },
    "tencent": {
        "apps": [{"sdkappid": 1400000003, "secret_key": "groups-tencent-secret", "admin": "administrator"}],
        "accounts": ["amy", "cat", "dan", "eve"],
        "groups": [{"group_id": "@TGS#g1", "type": "Public", "owner": "amy", "name": "Sales",
                    "members": ["dan"], "admins": ["eve"], "created_at": 1_700_000_000}],
    },
    "yunxin": {
        "apps": [{"app_key": "groups_app_key", "app_secret": "groups-yunxin-secret"}],
        "accounts": ["amy", "cat", "dan", "eve"],
        "teams": [{"team_id": "5001", "team_type": 2, "owner": "amy", "name": "Sales", "members": ["dan"],
                   "managers": ["eve"], "created_at": 1_700_000_000_000}],
    },
}  # fmt: skip
GROUP = {"feishu": "feishu:oc_g1", "tencent": "tencent:@TGS#g1", "yunxin": "yunxin:5001"}
CLIENTS = {
    "feishu": (feishu_im.FeishuClient, feishu_im.AsyncFeishuClient, {"app_id": FEISHU_APP, "app_secret": "groups-feishu-secret"}),
    "tencent": (tencent_im.TencentIMClient, tencent_im.AsyncTencentIMClient,
                {"sdkappid": 1400000003, "secret_key": "groups-tencent-secret"}),
    "yunxin": (yunxin_im.YunxinClient, yunxin_im.AsyncYunxinClient,
               {"app_key": "groups_app_key", "app_secret": "groups-yunxin-secret"}),
}  # fmt: skip


def user(vendor: str, name: str) -> str:
    return f"feishu:ou_{name}" if vendor == "feishu" else f"{vendor}:{name}"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(seed=SEED) as running:
        yield running


@pytest.fixture
def emulator(server: EmulatorServer) -> EmulatorServer:
    server.reset()
    server.seed(SEED)
    return server


class Both:
    """One interface over Groups and AsyncGroups, so that each test runs on both.

    In async mode every call runs in its own event loop, with a client of its own, as a script would.
    """

    def __init__(self, vendor: str, base_url: str, asynchronous: bool) -> None:
        self.vendor, self.base_url, self.asynchronous = vendor, base_url, asynchronous
        sync_class, _, credentials = CLIENTS[vendor]
        self.sync = Groups(vendor, sync_class(**credentials, base_url=base_url, rate_limit=False))

    def __getattr__(self, name: str) -> Any:
        if not self.asynchronous:
            return getattr(self.sync, name)

        def call(*args: Any) -> Any:
            async def run() -> Any:
                _, async_class, credentials = CLIENTS[self.vendor]
                client = async_class(**credentials, base_url=self.base_url, rate_limit=False)
                async with AsyncGroups(self.vendor, client) as groups:
                    return await getattr(groups, name)(*args)

            return asyncio.run(run())

        return call


@pytest.fixture(params=[(vendor, mode) for vendor in GROUP for mode in ("sync", "async")], ids=lambda p: "-".join(p))
def groups(request: pytest.FixtureRequest, emulator: EmulatorServer) -> Iterator[Both]:
    vendor, mode = request.param
    both = Both(vendor, emulator.base_url, mode == "async")
    yield both
    both.sync.close()


def test_a_group_reads_the_same_on_every_vendor(groups: Both) -> None:
    vendor = groups.vendor
    group = groups.get(GROUP[vendor])
    assert group is not None
    assert (group.name, group.owner) == ("Sales", user(vendor, "amy").split(":")[1])
    assert group.member_count == 3
    assert groups.get(GROUP[vendor].replace("g1", "g9").replace("5001", "5009")) is None


def test_roles_and_memberships(groups: Both) -> None:
    vendor = groups.vendor
    assert groups.role_of(GROUP[vendor], user(vendor, "amy")) is Role.OWNER
    assert groups.role_of(GROUP[vendor], user(vendor, "eve")) is Role.MANAGER
    assert groups.role_of(GROUP[vendor], user(vendor, "dan")) is Role.MEMBER
    assert groups.role_of(GROUP[vendor], user(vendor, "cat")) is None
    (membership,) = groups.memberships(user(vendor, "eve"))
    assert membership.role is Role.MANAGER and membership.group.name == "Sales"


def test_a_transfer_adds_the_successor_first_and_a_second_one_is_already_done(groups: Both) -> None:
    vendor = groups.vendor
    first = groups.transfer(GROUP[vendor], user(vendor, "cat"))
    assert first.happened is Happened.DONE
    assert groups.get(GROUP[vendor]).owner == user(vendor, "cat").split(":")[1]
    assert groups.role_of(GROUP[vendor], user(vendor, "amy")) is Role.MEMBER  # the former owner stays
    assert groups.transfer(GROUP[vendor], user(vendor, "cat")).happened is Happened.ALREADY_DONE


def test_removing_a_member_twice_and_disbanding_twice(groups: Both) -> None:
    vendor = groups.vendor
    assert groups.remove_member(GROUP[vendor], user(vendor, "dan")).happened is Happened.DONE
    assert groups.role_of(GROUP[vendor], user(vendor, "dan")) is None
    assert groups.disband(GROUP[vendor]).happened is Happened.DONE
    again = groups.disband(GROUP[vendor])
    assert again.happened is Happened.ALREADY_DONE


def test_each_person_asked_about_is_found_or_said_missing(groups: Both) -> None:
    vendor = groups.vendor
    people = [UserRef.parse(user(vendor, name)) for name in ("amy", "cat", "zed")]
    found = groups.run(groups.sync.adapter.find_users(people))
    assert [found[person].presence for person in people] == [Presence.EXISTS, Presence.EXISTS, Presence.MISSING]


def test_a_feishu_user_who_left_is_found_resigned(emulator: EmulatorServer) -> None:
    with Both("feishu", emulator.base_url, asynchronous=False).sync as groups:
        fay = UserRef.parse("feishu:ou_fay")
        assert groups.run(groups.adapter.find_users([fay]))[fay].presence is Presence.RESIGNED


def test_tencent_asks_about_a_hundred_accounts_a_call(emulator: EmulatorServer) -> None:
    people = [UserRef.parse(f"tencent:stranger{index}") for index in range(150)] + [UserRef.parse("tencent:amy")]
    with Both("tencent", emulator.base_url, asynchronous=False).sync as groups:
        found = groups.run(groups.adapter.find_users(people))
    assert [person.id for person, lookup in found.items() if lookup.presence is Presence.EXISTS] == ["amy"]
    assert sum(lookup.presence is Presence.MISSING for lookup in found.values()) == 150
    assert [call["operation"] for call in emulator.calls()] == ["account_check"] * 2
