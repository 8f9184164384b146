"""What an event says happened to a group, in the same words for every vendor.

The receiver turns each vendor's typed event into these changes (``imgroup.events``); the inventory applies
them (``imgroup.inventory``). Neither knows the other: this module is the whole of what they share.

Every change names the app it came through: ``vendor`` and ``app`` (Feishu app id, Tencent SDKAppID, Yunxin
AppKey) and, for a Feishu store app, the ``tenant`` (its ``tenant_key``; empty for a custom app and for the
other vendors). ``at`` is when the vendor says it happened, timezone-aware, or None where the event carries no
time. Users are the vendor's own ids (open_id, account id, accid).
"""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from imgroup.groups import Role


@frozen(kw_only=True)
class Change:
    vendor: str
    app: str
    tenant: str = ""
    group_id: str
    at: datetime | None = None


@frozen(kw_only=True)
class GroupCreated(Change):
    """A group now exists; ``members`` holds who is in it with their role where the event lists them."""

    name: str | None = None
    owner: str | None = None
    members: dict[str, Role] = field(factory=dict)


@frozen(kw_only=True)
class GroupDisbanded(Change):
    """The group is gone."""


@frozen(kw_only=True)
class MembersJoined(Change):
    users: tuple[str, ...]
    role: Role = Role.MEMBER


@frozen(kw_only=True)
class MembersLeft(Change):
    """Removed, withdrawn or quit: the inventory does not tell them apart."""

    users: tuple[str, ...]


@frozen(kw_only=True)
class OwnerChanged(Change):
    owner: str
    previous_owner: str | None = None


@frozen(kw_only=True)
class GroupRenamed(Change):
    name: str


AnyChange = GroupCreated | GroupDisbanded | MembersJoined | MembersLeft | OwnerChanged | GroupRenamed
