"""Receive the vendors' group events: verified, logged durably, answered, then processed at least once.

    from imgroup.events import Handlers, create_app
    from feishu_im.models import ChatDisbandedEvent

    handlers = Handlers()

    @handlers.on(ChatDisbandedEvent)
    def gone(event: ChatDisbandedEvent, context: EventContext) -> None:
        print("disbanded", event.event.chat_id)

    app = create_app("events.db", handlers=handlers)   # POST /events/feishu, /events/tencent, /events/yunxin

Needs the ``[events]`` extra (starlette, uvicorn, cryptography). See docs/events.md.
"""

from __future__ import annotations

from ._app import Receiver, create_app
from ._config import VendorEvents, from_settings, vendor_events
from ._handlers import EventContext, Handlers
from ._inventory import InventorySink
from ._log import EventLog, LoggedEvent, NewEvent
from ._server import ReceiverServer
from ._store_apps import KnownTenant, known_tenants
from ._to_changes import to_changes

__all__ = [
    "EventContext",
    "EventLog",
    "Handlers",
    "InventorySink",
    "KnownTenant",
    "LoggedEvent",
    "NewEvent",
    "Receiver",
    "ReceiverServer",
    "VendorEvents",
    "create_app",
    "from_settings",
    "known_tenants",
    "to_changes",
    "vendor_events",
]
