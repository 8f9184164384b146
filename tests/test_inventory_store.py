"""The inventory's storage, each test on SQLite and on a real PostgreSQL server: changes, reads, their order.

What is proved: every change type lands where the queries find it; applying a change twice is applying it once;
events arriving out of order end as their times say (hypothesis: any order of the same events, the same
inventory); an event older than a group's last full read or its disbanding is dropped; a full sync removes only
what it did not see, and records the app's freshness.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imgroup.groups import Group, GroupRef, Role, UserRef
from imgroup.inventory import (
    AnyChange,
    GroupCreated,
    GroupDisbanded,
    GroupRenamed,
    Inventory,
    InventoryError,
    MembersJoined,
    MembersLeft,
    OwnerChanged,
)

APP = {"vendor": "feishu", "app": "cli_a"}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "inventory.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def inventory(target: str) -> Any:
    with Inventory.open(target) as opened:
        yield opened


def user(name: str) -> UserRef:
    return UserRef("feishu", f"ou_{name}")


def refs(found: list[Any]) -> list[str]:
    return [str(item.group.ref) for item in found]


def dump(inventory: Inventory) -> list[Any]:
    """Everything the inventory holds but the times it saw things (our clock)."""
    groups = inventory.db.rows(
        "SELECT group_id, ref, name, owner, member_count, created_at, alive, alive_at, read_at, name_at, owner_at "
        "FROM inventory_groups ORDER BY group_id"
    )
    members = inventory.db.rows(
        "SELECT group_id, user_id, role, present, at FROM inventory_members ORDER BY group_id, user_id"
    )
    return [[tuple(row) for row in groups], [tuple(row) for row in members]]


def created(group_id: str = "oc_1", when: float = 0, **facts: Any) -> GroupCreated:
    return GroupCreated(
        **APP,
        group_id=group_id,
        at=at(when),
        name=facts.get("name", "Sales"),
        owner=facts.get("owner", "ou_olga"),
        members=facts.get("members", {"ou_olga": Role.OWNER, "ou_mia": Role.MANAGER, "ou_max": Role.MEMBER}),
    )


def test_every_change_lands_where_the_queries_find_it(inventory: Inventory) -> None:
    assert inventory.apply(created())
    assert refs(inventory.groups(owner=user("olga"))) == ["feishu:oc_1"]
    assert refs(inventory.groups(member=user("mia"))) == ["feishu:oc_1"]
    [sales] = inventory.groups(vendor="feishu")
    assert (sales.group.name, sales.group.member_count, sales.group.created_at) == ("Sales", 3, at(0))
    assert inventory.members(GroupRef("feishu", "oc_1"), "cli_a")["ou_mia"] is Role.MANAGER

    inventory.apply(MembersJoined(**APP, group_id="oc_1", at=at(1), users=("ou_ned", "ou_ola")))
    inventory.apply(MembersLeft(**APP, group_id="oc_1", at=at(2), users=("ou_max",)))
    inventory.apply(OwnerChanged(**APP, group_id="oc_1", at=at(3), owner="ou_ned", previous_owner="ou_olga"))
    inventory.apply(GroupRenamed(**APP, group_id="oc_1", at=at(4), name="Sales (old)"))
    members = inventory.members(GroupRef("feishu", "oc_1"), "cli_a")
    assert members == {"ou_mia": Role.MANAGER, "ou_ned": Role.OWNER, "ou_ola": Role.MEMBER, "ou_olga": Role.MEMBER}
    assert refs(inventory.groups(owner=user("ned"))) == ["feishu:oc_1"]
    assert inventory.groups(owner=user("olga")) == [] and inventory.groups(member=user("max")) == []
    [sales] = inventory.groups(name_glob="Sales (*")
    assert sales.group.member_count == 4
    assert inventory.groups(name_glob="sales*") == []  # case-sensitive, like a sweep's

    inventory.apply(GroupDisbanded(**APP, group_id="oc_1", at=at(5)))
    assert inventory.groups() == [] and inventory.groups(member=user("mia")) == []
    memberships = inventory.memberships([user("mia")], {"feishu": "cli_a"})
    assert memberships == []


def test_a_user_s_memberships_carry_their_role_and_the_group(inventory: Inventory) -> None:
    inventory.apply(created("oc_1"))
    inventory.apply(created("oc_2", owner="ou_mia", members={"ou_mia": Role.OWNER}))
    inventory.apply(created("oc_3", members={"ou_olga": Role.OWNER}))
    found = inventory.memberships([user("mia")], {"feishu": "cli_a"})
    assert [(str(found.group.ref), found.role) for found in found] == [
        ("feishu:oc_1", Role.MANAGER),
        ("feishu:oc_2", Role.OWNER),
    ]
    assert found[1].group.owner == "ou_mia" and found[1].group.member_count == 1
    assert inventory.memberships([user("mia")], {"feishu": "cli_other"}) == []  # another app's groups


def test_applying_a_change_twice_is_applying_it_once(inventory: Inventory) -> None:
    changes: list[AnyChange] = [
        created(),
        MembersJoined(**APP, group_id="oc_1", at=at(1), users=("ou_ned",)),
        MembersLeft(**APP, group_id="oc_1", at=at(2), users=("ou_max",)),
        OwnerChanged(**APP, group_id="oc_1", at=at(3), owner="ou_ned"),
        GroupRenamed(**APP, group_id="oc_1", at=at(4), name="Renamed"),
        GroupDisbanded(**APP, group_id="oc_1", at=at(5)),
    ]
    for change in changes:
        inventory.apply(change)
        once = dump(inventory)
        inventory.apply(change)
        assert dump(inventory) == once, change


def test_a_later_event_wins_whichever_arrives_first(inventory: Inventory) -> None:
    inventory.apply(created())
    inventory.apply(MembersJoined(**APP, group_id="oc_1", at=at(13), users=("ou_ned",)))
    inventory.apply(MembersLeft(**APP, group_id="oc_1", at=at(12), users=("ou_ned",)))  # arrives late
    assert "ou_ned" in inventory.members(GroupRef("feishu", "oc_1"), "cli_a")
    inventory.apply(GroupRenamed(**APP, group_id="oc_1", at=at(20), name="New"))
    inventory.apply(GroupRenamed(**APP, group_id="oc_1", at=at(15), name="Middle"))
    assert inventory.groups()[0].group.name == "New"


def test_an_event_older_than_the_disbanding_does_not_bring_the_group_back(inventory: Inventory) -> None:
    inventory.apply(GroupDisbanded(**APP, group_id="oc_1", at=at(10)))
    assert not inventory.apply(MembersJoined(**APP, group_id="oc_1", at=at(5), users=("ou_ned",)))
    assert inventory.groups() == []
    # A group created after (Tencent reuses ids) is a new group.
    inventory.apply(created(when=11, members={"ou_new": Role.OWNER}, owner="ou_new"))
    assert inventory.members(GroupRef("feishu", "oc_1"), "cli_a") == {"ou_new": Role.OWNER}


def test_an_event_older_than_the_last_full_read_is_dropped(inventory: Inventory) -> None:
    group = Group(GroupRef("feishu", "oc_1"), "Read", "ou_olga", 2)
    inventory.record_reads("feishu", "cli_a", "", [(group, {"ou_olga": Role.OWNER, "ou_max": Role.MEMBER})], 100.0)
    read_at = datetime.fromtimestamp(100.0, UTC)
    assert not inventory.apply(
        MembersLeft(**APP, group_id="oc_1", at=read_at - timedelta(seconds=5), users=("ou_max",))
    )
    assert not inventory.apply(GroupRenamed(**APP, group_id="oc_1", at=read_at - timedelta(seconds=5), name="Old"))
    assert inventory.groups()[0].group.name == "Read"
    assert "ou_max" in inventory.members(GroupRef("feishu", "oc_1"), "cli_a")
    assert inventory.apply(MembersLeft(**APP, group_id="oc_1", at=read_at + timedelta(seconds=5), users=("ou_max",)))
    assert inventory.members(GroupRef("feishu", "oc_1"), "cli_a") == {"ou_olga": Role.OWNER}
    assert inventory.groups()[0].group.member_count == 1


def test_a_read_replaces_older_members_but_keeps_newer_events(inventory: Inventory) -> None:
    inventory.apply(created(when=0))
    newer = datetime.fromtimestamp(T0.timestamp() + 100, UTC)
    inventory.apply(MembersJoined(**APP, group_id="oc_1", at=newer, users=("ou_late",)))
    group = Group(GroupRef("feishu", "oc_1"), "Sales", "ou_olga", 1)
    # The read began before the late join: it does not list ou_late, and must not undo the join.
    inventory.record_reads("feishu", "cli_a", "", [(group, {"ou_olga": Role.OWNER})], T0.timestamp() + 50)
    assert inventory.members(GroupRef("feishu", "oc_1"), "cli_a") == {"ou_late": Role.MEMBER, "ou_olga": Role.OWNER}


ChangeKind = st.sampled_from(["join", "leave"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(st.tuples(st.sampled_from(["ou_a", "ou_b"]), ChangeKind), min_size=1, max_size=6),
    order=st.randoms(use_true_random=False),
)
def test_any_arrival_order_of_the_same_events_gives_the_same_inventory(
    target: str, events: list[tuple[str, str]], order: Any
) -> None:
    changes: list[AnyChange] = [
        MembersJoined(**APP, group_id="oc_p", at=at(index), users=(who,))
        if kind == "join"
        else MembersLeft(**APP, group_id="oc_p", at=at(index), users=(who,))
        for index, (who, kind) in enumerate(events)
    ]
    shuffled = list(changes)
    order.shuffle(shuffled)
    answers = []
    for sequence in (changes, shuffled):
        with Inventory.open(target) as inventory:
            inventory.db.execute("DELETE FROM inventory_members")
            inventory.db.execute("DELETE FROM inventory_groups")
            for change in sequence:
                inventory.apply(change)
            answers.append(inventory.members(GroupRef("feishu", "oc_p"), "cli_a"))
    assert answers[0] == answers[1]


def test_a_full_sync_removes_what_it_did_not_see_and_records_freshness(inventory: Inventory) -> None:
    for group_id in ("oc_1", "oc_2"):
        inventory.record_read("feishu", "cli_a", Group(GroupRef("feishu", group_id), group_id, "ou_o", 1), {})
    book = inventory.syncs
    run = book.begin("feishu", "cli_a", "")
    assert not run.listed and book.begin("feishu", "cli_a", "") == run  # resumed, not restarted
    book.save_listing("feishu", "cli_a", "", ["feishu:oc_2", "feishu:oc_3"])
    assert book.pending("feishu", "cli_a", "") == [(0, "feishu:oc_2"), (1, "feishu:oc_3")]
    read = Group(GroupRef("feishu", "oc_2"), "two", "ou_o", 1)
    inventory.record_reads("feishu", "cli_a", "", [(read, {"ou_o": Role.OWNER})], run.started_at + 1, positions=[0])
    assert book.pending("feishu", "cli_a", "") == [(1, "feishu:oc_3")]
    [status] = inventory.status()
    assert status.sync_under_way == (1, 2) and status.last_full_sync is None
    inventory.record_reads(
        "feishu", "cli_a", "", [], run.started_at + 2, seen=[GroupRef("feishu", "oc_3")], positions=[1]
    )
    assert book.finish("feishu", "cli_a", "") == 1  # oc_1: not seen
    assert refs(inventory.groups()) == ["feishu:oc_2"]
    [status] = inventory.status()
    assert status.last_full_sync == datetime.fromtimestamp(run.started_at, UTC)
    assert status.sync_under_way is None and status.groups == 1


def test_the_last_event_is_the_newest_event_time(inventory: Inventory) -> None:
    inventory.apply(created(when=50))
    inventory.apply(GroupRenamed(**APP, group_id="oc_1", at=at(10), name="x"))
    [status] = inventory.status()
    assert status.last_event == at(50)


def test_a_file_that_is_no_database_is_refused_by_name(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("hello\n" * 100, encoding="utf-8")
    with pytest.raises(InventoryError, match="notes.txt"):
        Inventory.open(str(not_a_database))
    with pytest.raises(InventoryError, match="no inventory at"):
        Inventory.open(str(tmp_path / "missing.sqlite"), create=False)


def test_a_postgres_url_is_shown_without_its_password() -> None:
    from imgroup.inventory._database import shown

    assert shown("postgresql://me:s3cret@db.internal:5433/inv") == "postgresql://me@db.internal:5433/inv"
    with pytest.raises(InventoryError) as refused:
        Inventory.open("postgresql://me:s3cret@127.0.0.1:1/inv")
    assert "s3cret" not in str(refused.value)
