"""Planning from the inventory (``--from-inventory --db DB``) instead of reading every group live.

The inventory answers which groups a user is in, or which groups a vendor's app has, in milliseconds; the plan
says in its header how fresh that answer was (each app's last full sync and last event). Nothing else changes:
the people asked for are still looked up live, and ``apply`` still re-reads each group before acting on it, so a
stale inventory can cost a step skipped as changed since plan (or one missed), never a wrong one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from imgroup.groups import Group, Groups, Membership, UserRef

from ._planning import PlanningError

if TYPE_CHECKING:
    from imgroup.inventory import AppStatus, Inventory


def freshness(inventory: Inventory, sessions: Mapping[str, Groups]) -> dict[str, dict[str, Any]]:
    """Per vendor, how fresh the inventory is for the app planned on: its oldest last full sync across tenants
    and its newest event. Raises PlanningError when it knows nothing of that app (never synced, no event)."""
    statuses = inventory.status()
    found: dict[str, dict[str, Any]] = {}
    for vendor, groups in sorted(sessions.items()):
        mine = [status for status in statuses if status.vendor == vendor and status.app == (groups.app or "")]
        if not any(status.last_full_sync or status.last_event for status in mine):
            raise PlanningError(
                f"the inventory {inventory.where} knows nothing of {vendor} app {groups.app}: "
                f"fill it first (imgroup inventory sync --db DB --vendor {vendor}), or plan without --from-inventory"
            )
        found[vendor] = {"app": groups.app, **_oldest_and_newest(mine)}
    return found


def memberships(inventory: Inventory, sessions: Mapping[str, Groups], users: Sequence[UserRef]) -> list[Membership]:
    """Every group of the planned-on apps the ``users`` are in, with their role, as the inventory holds them."""
    return inventory.memberships(users, {vendor: groups.app or "" for vendor, groups in sessions.items()})


def groups_of(inventory: Inventory, vendor: str, groups: Groups) -> list[Group]:
    """Every group the inventory holds for ``vendor``'s planned-on app."""
    return [item.group for item in inventory.groups(vendor=vendor, app=groups.app or "")]


def _oldest_and_newest(statuses: Sequence[AppStatus]) -> dict[str, str | None]:
    syncs = [status.last_full_sync for status in statuses]
    events = [status.last_event for status in statuses if status.last_event is not None]
    # A tenant never synced makes the whole app's full sync "never".
    oldest = None if None in syncs else min(sync for sync in syncs if sync is not None)
    return {"last_full_sync": _iso(oldest), "last_event": _iso(max(events)) if events else None}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")
