"""``Inventory``: the local record of every group the configured apps can see, on SQLite or PostgreSQL.

    with Inventory.open("inventory.sqlite") as inventory:
        inventory.apply(MembersLeft(vendor="feishu", app="cli_a", group_id="oc_1", users=("ou_x",), at=when))
        for group in inventory.groups(member=UserRef.parse("feishu:ou_y")):
            print(group.ref, group.name)

Changes come from events (``imgroup.events`` calls ``apply``), full reads from ``imgroup inventory sync``
(``_sync``). How they combine, in any order: ``_rules``. What is asked of it: ``_answers``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Self

from imgroup.groups import Group, GroupRef, Membership, Role, UserRef

from . import _answers, _rules
from ._answers import AppStatus, InventoryGroup
from ._database import Database, connect
from ._schema import STATEMENTS
from ._syncs import SyncBook
from .changes import AnyChange

__all__ = ["Inventory"]

SCHEMA_LOCK = "imgroup inventory schema"


class Inventory:
    """One inventory database; ``open`` it on a file path or a ``postgresql://`` URL.

    One connection: use an Inventory from one thread at a time (open one per thread; processes may share the
    database, each change is one transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.syncs = SyncBook(db)
        """Where each full sync is: what it listed and what it has read (so a killed sync resumes)."""

    @classmethod
    def open(cls, target: str, *, create: bool = True) -> Self:
        """Open (and with ``create``, make) the inventory at ``target``; raises InventoryError naming it."""
        from ._database import InventoryError

        db = connect(target, create=create)
        try:
            # Two processes opening a new PostgreSQL inventory at once would race to create the same tables.
            with db.transaction([SCHEMA_LOCK]):
                for statement in STATEMENTS:
                    db.execute(statement)
        except db.error as error:  # a file that is not a database, a role without rights
            db.close()
            raise InventoryError(f"{db.where}: not an inventory ({str(error).strip().splitlines()[0]})") from None
        return cls(db)

    @property
    def where(self) -> str:
        return self.db.where

    def apply(self, change: AnyChange) -> bool:
        """Apply one change from an event; False when the inventory already holds newer news of the group (the
        change is dropped). Applying the same change again changes nothing."""
        now = time.time()
        at = change.at.timestamp() if change.at is not None else now
        key = _rules.GroupKey.of(change)
        with self.db.transaction([key.lock]):
            applied = _rules.apply_change(self.db, change, at, now)
            self.db.execute(
                "INSERT INTO inventory_apps (vendor, app, tenant, last_event) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (vendor, app, tenant) DO UPDATE SET last_event = excluded.last_event "
                "WHERE inventory_apps.last_event IS NULL OR inventory_apps.last_event < excluded.last_event",
                (change.vendor, change.app, change.tenant, at),
            )
        return applied

    def record_reads(
        self,
        vendor: str,
        app: str,
        tenant: str,
        reads: Sequence[tuple[Group, Mapping[str, Role]]],
        read_at: float,
        *,
        seen: Iterable[GroupRef] = (),
        positions: Sequence[int] = (),
    ) -> None:
        """Record full reads of groups, begun at ``read_at``; ``seen`` were listed but could not be read (kept as
        they are); ``positions`` of a sync's queue are marked read in the same transaction."""
        now = time.time()
        keys = [_rules.GroupKey(vendor, app, tenant, group.id) for group, _ in reads]
        seen_keys = [_rules.GroupKey(vendor, app, tenant, ref.id) for ref in seen]
        with self.db.transaction([key.lock for key in (*keys, *seen_keys)]):
            for key, (group, members) in zip(keys, reads, strict=True):
                _rules.apply_read(self.db, key, group, members, read_at, now)
            for key in seen_keys:
                _rules.touch(self.db, key, now)
            self.syncs.mark_read(vendor, app, tenant, positions)

    def record_read(
        self, vendor: str, app: str, group: Group, members: Mapping[str, Role], *, tenant: str = ""
    ) -> None:
        """Record one group as read now."""
        self.record_reads(vendor, app, tenant, [(group, members)], time.time())

    def groups(
        self,
        *,
        vendor: str | None = None,
        app: str | None = None,
        member: UserRef | None = None,
        owner: UserRef | None = None,
        name_glob: str | None = None,
    ) -> list[InventoryGroup]:
        """The groups that exist, matching every filter given (``name_glob`` is a shell pattern, case-sensitive)."""
        return _answers.groups(self.db, vendor=vendor, app=app, member=member, owner=owner, name_glob=name_glob)

    def memberships(self, users: Sequence[UserRef], apps: Mapping[str, str | None]) -> list[Membership]:
        """Every group of the app named per vendor in ``apps`` (None: any app) that ``users`` are in, with their role."""
        return _answers.memberships(self.db, users, apps)

    def members(self, ref: GroupRef, app: str, *, tenant: str = "") -> dict[str, Role]:
        return _answers.members(self.db, ref, app, tenant)

    def status(self) -> list[AppStatus]:
        """Each app's last full sync, last event, and the sync under way if any."""
        return _answers.status(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Inventory({self.db.where!r})"
