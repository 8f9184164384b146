"""How a change or a full read of a group updates the inventory, whatever order they arrive in.

Every fact is a register that remembers when it was last set: a group's existence (``alive``, ``alive_at``), its
name (``name_at``), its owner (``owner_at``), each member's presence and role (``at``). A change sets a fact only
when it is at least as new as what the register holds, so:

- applying a change twice is applying it once (the second finds its own time there and writes the same);
- events may arrive out of order: the newer one wins, whichever came first (a member who joined at 13 and left
  at 12 stays in, even when the leave arrives last);
- an event older than the group's last full read (``read_at``) is dropped whole: the read saw its effect, or a
  later state. So is one older than the group's disbanding: it concerns a group that is gone.

A change's time is its ``at``, the vendor's time; a change without one is taken as happening when it is
applied. A read's time is when its first call was sent (our clock), so an event the vendor stamps after that
is newer than the read even if it arrives before the read is written. Both clocks are the vendors' and ours:
a few seconds of skew can only let an event that happened during a read win over it, never lose it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from imgroup.groups import Group, Role

from ._database import Database
from .changes import (
    AnyChange,
    Change,
    GroupCreated,
    GroupDisbanded,
    GroupRenamed,
    MembersJoined,
    MembersLeft,
    OwnerChanged,
)

GROUP_KEY = "vendor = ? AND app = ? AND tenant = ? AND group_id = ?"


class GroupKey(NamedTuple):
    vendor: str
    app: str
    tenant: str
    group_id: str

    @classmethod
    def of(cls, change: Change) -> GroupKey:
        return cls(change.vendor, change.app, change.tenant, change.group_id)

    @property
    def lock(self) -> str:
        return "\x1f".join(self)


class GroupState(NamedTuple):
    alive: bool
    alive_at: float
    read_at: float | None
    name_at: float | None
    owner_at: float | None
    owner: str | None
    member_count: int | None


def state(db: Database, key: GroupKey) -> GroupState | None:
    rows = db.rows(
        "SELECT alive, alive_at, read_at, name_at, owner_at, owner, member_count FROM inventory_groups "
        f"WHERE {GROUP_KEY}",
        key,
    )
    if not rows:
        return None
    alive, alive_at, read_at, name_at, owner_at, owner, count = rows[0]
    return GroupState(bool(alive), alive_at, read_at, name_at, owner_at, owner, count)


def apply_change(db: Database, change: AnyChange, at: float, now: float) -> bool:
    """Apply ``change`` (at time ``at``) in the open transaction; False when it was dropped as older than what the
    inventory already holds of its group."""
    key = GroupKey.of(change)
    group = state(db, key)
    if group is not None and _outdated(group, at):
        return False
    if group is None:
        db.execute(
            "INSERT INTO inventory_groups (vendor, app, tenant, group_id, ref, seen_at, alive, alive_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            (*key, f"{key.vendor}:{key.group_id}", now, at),
        )
        group = GroupState(True, at, None, None, None, None, None)
    db.execute(f"UPDATE inventory_groups SET seen_at = ? WHERE {GROUP_KEY}", (now, *key))
    match change:
        case GroupCreated():
            _created(db, key, group, change, at)
        case GroupDisbanded():
            if at >= group.alive_at:
                db.execute(f"UPDATE inventory_groups SET alive = 0, alive_at = ? WHERE {GROUP_KEY}", (at, *key))
                db.execute(f"DELETE FROM inventory_members WHERE {GROUP_KEY} AND at <= ?", (*key, at))
        case MembersJoined():
            _count(db, key, group, sum(_member(db, key, user, True, change.role, at) for user in change.users))
        case MembersLeft():
            _count(db, key, group, sum(_member(db, key, user, False, Role.MEMBER, at) for user in change.users))
        case OwnerChanged():
            _owner_changed(db, key, group, change, at)
        case GroupRenamed():
            _renamed(db, key, group, change.name, at)
    return True


def apply_read(
    db: Database, key: GroupKey, group: Group, members: Mapping[str, Role], read_at: float, now: float
) -> None:
    """Record a full read of ``group`` begun at ``read_at``: its facts and members replace whatever is older."""
    known = state(db, key)
    if known is not None and not known.alive and known.alive_at > read_at:
        return  # disbanded after the read began: the read is the older news
    created = group.created_at.timestamp() if group.created_at is not None else None
    if known is None:
        db.execute(
            "INSERT INTO inventory_groups (vendor, app, tenant, group_id, ref, name, owner, member_count, created_at, "
            "seen_at, read_at, alive, alive_at, name_at, owner_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (*key, str(group.ref), group.name, group.owner, group.member_count, created, now, read_at, read_at,
             read_at, read_at),
        )  # fmt: skip
    else:
        db.execute(
            "UPDATE inventory_groups SET ref = ?, member_count = ?, created_at = ?, seen_at = ?, "
            f"read_at = ?, alive = 1, alive_at = ? WHERE {GROUP_KEY}",
            (str(group.ref), group.member_count, created, now, max(read_at, known.read_at or read_at),
             max(read_at, known.alive_at), *key),
        )  # fmt: skip
        _renamed(db, key, known, group.name, read_at)
        if known.owner_at is None or known.owner_at <= read_at:
            db.execute(
                f"UPDATE inventory_groups SET owner = ?, owner_at = ? WHERE {GROUP_KEY}", (group.owner, read_at, *key)
            )
    for user, role in members.items():
        _member(db, key, user, True, role, read_at)
    # Whoever the read did not list, and no newer event named, is not in the group; older departures are
    # forgotten, since the read now answers for them.
    db.execute(f"DELETE FROM inventory_members WHERE {GROUP_KEY} AND at < ?", (*key, read_at))


def touch(db: Database, key: GroupKey, now: float) -> None:
    """The group was seen (listed) but not read: keep it, unchanged, through the end of a full sync."""
    db.execute(f"UPDATE inventory_groups SET seen_at = ? WHERE {GROUP_KEY}", (now, *key))


def _outdated(group: GroupState, at: float) -> bool:
    return (group.read_at is not None and at < group.read_at) or (not group.alive and at < group.alive_at)


def _created(db: Database, key: GroupKey, group: GroupState, change: GroupCreated, at: float) -> None:
    if not group.alive and at >= group.alive_at:
        # The id names a new group (Tencent lets an app reuse one): nothing of the old one carries over.
        db.execute(f"DELETE FROM inventory_members WHERE {GROUP_KEY} AND at < ?", (*key, at))
        group = group._replace(alive=True, member_count=None)
    if at >= group.alive_at:
        db.execute(
            f"UPDATE inventory_groups SET alive = 1, alive_at = ?, created_at = ? WHERE {GROUP_KEY}", (at, at, *key)
        )
    if change.name is not None:
        _renamed(db, key, group, change.name, at)
    if change.owner is not None:
        moved = OwnerChanged(
            vendor=change.vendor, app=change.app, tenant=change.tenant, group_id=change.group_id, owner=change.owner
        )
        _owner_changed(db, key, group, moved, at)
    for user, role in change.members.items():
        _member(db, key, user, True, role, at)
    if change.members and group.member_count is None:
        db.execute(f"UPDATE inventory_groups SET member_count = ? WHERE {GROUP_KEY}", (len(change.members), *key))


def _renamed(db: Database, key: GroupKey, group: GroupState, name: str | None, at: float) -> None:
    if group.name_at is None or group.name_at <= at:
        db.execute(f"UPDATE inventory_groups SET name = ?, name_at = ? WHERE {GROUP_KEY}", (name, at, *key))


def _owner_changed(db: Database, key: GroupKey, group: GroupState, change: OwnerChanged, at: float) -> None:
    previous = change.previous_owner or group.owner
    if group.owner_at is None or group.owner_at <= at:
        db.execute(f"UPDATE inventory_groups SET owner = ?, owner_at = ? WHERE {GROUP_KEY}", (change.owner, at, *key))
    joined = _member(db, key, change.owner, True, Role.OWNER, at)
    if previous is not None and previous != change.owner:
        # The old owner stays, as a member (every vendor's transfer keeps them unless told otherwise).
        db.execute(
            f"UPDATE inventory_members SET role = ?, at = ? WHERE {GROUP_KEY} AND user_id = ? AND role = ? AND at <= ?",
            (str(Role.MEMBER), at, *key, previous, str(Role.OWNER), at),
        )
    _count(db, key, group, joined)


def _member(db: Database, key: GroupKey, user: str, present: bool, role: Role, at: float) -> int:
    """Set one member's register; the change in the group's head count it makes (-1, 0 or 1)."""
    rows = db.rows(f"SELECT present, at FROM inventory_members WHERE {GROUP_KEY} AND user_id = ?", (*key, user))
    if rows and rows[0][1] > at:
        return 0
    was_present = bool(rows[0][0]) if rows else False
    db.execute(
        "INSERT INTO inventory_members (vendor, app, tenant, group_id, user_id, role, present, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vendor, app, tenant, group_id, user_id) "
        "DO UPDATE SET role = excluded.role, present = excluded.present, at = excluded.at",
        (*key, user, str(role), int(present), at),
    )
    return int(present) - int(was_present)


def _count(db: Database, key: GroupKey, group: GroupState, delta: int) -> None:
    if delta and group.member_count is not None:
        db.execute(f"UPDATE inventory_groups SET member_count = member_count + ? WHERE {GROUP_KEY}", (delta, *key))
