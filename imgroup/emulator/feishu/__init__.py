"""The Feishu (Lark) Open Platform, emulated: its dialect and one module per resource.

``OPERATIONS`` is every Feishu route, in the order they are tried; ``PUSH_TRANSPORT`` sends its events.
"""

from __future__ import annotations

from . import chats, managers, meeting_chats, members, store_apps, token, users
from .dialect import DIALECT
from .events import PUSH_TRANSPORT

OPERATIONS = (
    *chats.OPERATIONS,
    *members.OPERATIONS,
    *managers.OPERATIONS,
    *meeting_chats.OPERATIONS,
    *users.OPERATIONS,
    *token.OPERATIONS,
    *store_apps.OPERATIONS,
)

__all__ = ["DIALECT", "OPERATIONS", "PUSH_TRANSPORT"]
