"""What the inventory answers: groups by member, owner or name, a user's memberships, each app's freshness."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from imgroup.groups import Group, GroupRef, Membership, Role, UserRef

from ._database import Database

GROUP_COLUMNS = "g.vendor, g.app, g.tenant, g.ref, g.name, g.owner, g.member_count, g.created_at, g.seen_at"


@frozen
class InventoryGroup:
    """A group as the inventory holds it: the Group, the app that sees it, and when it was last seen."""

    group: Group
    app: str
    tenant: str
    seen_at: datetime

    def to_json(self) -> dict[str, Any]:
        group = self.group
        return {
            "group": str(group.ref),
            "vendor": group.vendor,
            "app": self.app,
            **({"tenant": self.tenant} if self.tenant else {}),
            "name": group.name,
            "owner": group.owner,
            "member_count": group.member_count,
            "created_at": _iso(group.created_at),
            "seen_at": _iso(self.seen_at),
        }


@frozen
class AppStatus:
    """One app's freshness: its last full sync (when it began), last event, and a sync under way (read, listed)."""

    vendor: str
    app: str
    tenant: str
    groups: int
    last_full_sync: datetime | None
    last_event: datetime | None
    sync_under_way: tuple[int, int] | None = None

    def freshness(self) -> dict[str, str | None]:
        """For a plan's header."""
        return {"last_full_sync": _iso(self.last_full_sync), "last_event": _iso(self.last_event)}


def groups(
    db: Database,
    *,
    vendor: str | None,
    app: str | None,
    member: UserRef | None,
    owner: UserRef | None,
    name_glob: str | None,
) -> list[InventoryGroup]:
    where, parameters = ["g.alive = 1"], []
    for column, value in (("g.vendor", vendor), ("g.app", app)):
        if value is not None:
            where.append(f"{column} = ?")
            parameters.append(value)
    if owner is not None:
        where.append("g.vendor = ? AND g.owner = ?")
        parameters += [owner.vendor, owner.id]
    if member is not None:
        where.append(
            "EXISTS (SELECT 1 FROM inventory_members m WHERE m.vendor = g.vendor AND m.app = g.app AND "
            "m.tenant = g.tenant AND m.group_id = g.group_id AND m.present = 1 AND m.vendor = ? AND m.user_id = ?)"
        )
        parameters += [member.vendor, member.id]
    rows = db.rows(
        f"SELECT {GROUP_COLUMNS} FROM inventory_groups g WHERE {' AND '.join(where)} "
        "ORDER BY g.vendor, g.app, g.tenant, g.group_id",
        parameters,
    )
    found = [_inventory_group(row) for row in rows]
    if name_glob is not None:
        found = [item for item in found if fnmatch.fnmatchcase(item.group.name or "", name_glob)]
    return found


def memberships(db: Database, users: Sequence[UserRef], apps: Mapping[str, str | None]) -> list[Membership]:
    found: list[Membership] = []
    for user in users:
        if user.vendor not in apps:
            continue
        app = apps[user.vendor]
        rows = db.rows(
            f"SELECT {GROUP_COLUMNS}, m.role FROM inventory_members m JOIN inventory_groups g ON m.vendor = g.vendor "
            "AND m.app = g.app AND m.tenant = g.tenant AND m.group_id = g.group_id "
            "WHERE m.vendor = ? AND m.user_id = ? AND m.present = 1 AND g.alive = 1"
            + (" AND g.app = ?" if app is not None else "")
            + " ORDER BY g.app, g.tenant, g.group_id",
            [user.vendor, user.id, *([app] if app is not None else [])],
        )
        found += [Membership(_inventory_group(row[:-1]).group, user, Role(row[-1])) for row in rows]
    return found


def members(db: Database, ref: GroupRef, app: str, tenant: str) -> dict[str, Role]:
    rows = db.rows(
        "SELECT user_id, role FROM inventory_members WHERE vendor = ? AND app = ? AND tenant = ? AND group_id = ? "
        "AND present = 1 ORDER BY user_id",
        (ref.vendor, app, tenant, ref.id),
    )
    return {str(user): Role(role) for user, role in rows}


def status(db: Database) -> list[AppStatus]:
    counts = {
        (vendor, app, tenant): int(count)
        for vendor, app, tenant, count in db.rows(
            "SELECT vendor, app, tenant, count(*) FROM inventory_groups WHERE alive = 1 GROUP BY vendor, app, tenant"
        )
    }
    apps = {
        (vendor, app, tenant): (full, event)
        for vendor, app, tenant, full, event in db.rows(
            "SELECT vendor, app, tenant, last_full_sync, last_event FROM inventory_apps"
        )
    }
    under_way = {
        (vendor, app, tenant): (int(done), int(listed))
        for vendor, app, tenant, listed, done in db.rows(
            "SELECT s.vendor, s.app, s.tenant, count(q.position), coalesce(sum(q.done), 0) FROM inventory_syncs s "
            "LEFT JOIN inventory_sync_queue q ON q.vendor = s.vendor AND q.app = s.app AND q.tenant = s.tenant "
            "GROUP BY s.vendor, s.app, s.tenant"
        )
    }
    return [
        AppStatus(
            *key,
            groups=counts.get(key, 0),
            last_full_sync=_time(apps.get(key, (None, None))[0]),
            last_event=_time(apps.get(key, (None, None))[1]),
            sync_under_way=under_way.get(key),
        )
        for key in sorted({*counts, *apps, *under_way})
    ]


def _inventory_group(row: Sequence[Any]) -> InventoryGroup:
    _, app, tenant, ref, name, owner, count, created, seen = row
    group = Group(GroupRef.parse(ref), name, owner, None if count is None else int(count), _time(created))
    return InventoryGroup(group, str(app), str(tenant), _time(seen) or datetime.fromtimestamp(0, UTC))


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(float(seconds), UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")
