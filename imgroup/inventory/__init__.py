"""The local inventory of every group the configured apps can see, kept current by events.

    from imgroup.inventory import Inventory
    with Inventory.open("inventory.sqlite") as inventory:   # or a postgresql:// URL
        for group in inventory.groups(owner=UserRef.parse("tencent:alice")):
            print(group.group.ref, group.group.name)

``imgroup inventory sync`` fills it from the vendors, the event receiver keeps it current (``Inventory.apply``),
and ``imgroup offboard/sweep --from-inventory`` plan from it. See docs/inventory.md.
"""

from __future__ import annotations

from ._answers import AppStatus, InventoryGroup
from ._database import InventoryError
from ._store import Inventory
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

__all__ = [
    "AnyChange",
    "AppStatus",
    "Change",
    "GroupCreated",
    "GroupDisbanded",
    "GroupRenamed",
    "Inventory",
    "InventoryError",
    "InventoryGroup",
    "MembersJoined",
    "MembersLeft",
    "OwnerChanged",
]
