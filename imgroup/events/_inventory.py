"""The receiver's changes applied to the inventory: what ``imgroup events serve`` connects by default.

    sink = InventorySink(Inventory.open("events.db"), vendors)
    app = create_app("events.db", vendors=vendors, apply_change=sink.apply)

The inventory keys a group by (vendor, app, tenant, group id), and ``imgroup inventory sync`` records a custom
(single-tenant) app's groups under the tenant "": the app belongs to one tenant, so there is nothing to tell
apart. Feishu names the tenant in every event's header all the same (``tenant_key``); for an app that is not a
store app the change is recorded under "" too, or an event would start a second copy of a group the sync
read. A store app's groups stay per tenant. Only the processing thread calls ``apply``, so one ``Inventory``
(one connection) serves it; ``Inventory.apply`` is idempotent, as at-least-once processing needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from imgroup.inventory import AnyChange, Inventory

from ._config import VendorEvents


class InventorySink:
    """Applies each change to ``inventory``, naming a custom app's tenant as the inventory's sync does."""

    def __init__(self, inventory: Inventory, vendors: Sequence[VendorEvents]) -> None:
        self.inventory = inventory
        self._store_apps = {(v.vendor, v.app) for v in vendors if v.tickets is not None}

    def apply(self, change: AnyChange) -> None:
        if change.tenant and (change.vendor, change.app) not in self._store_apps:
            change = attrs.evolve(change, tenant="")
        self.inventory.apply(change)
