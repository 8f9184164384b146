"""What the adapters answer: a Group, a user's Membership of one, what a vendor says of a person (UserLookup),
and the ActionResult of an action."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Generic, TypeVar

from attrs import field, frozen

from ._refs import GroupRef, UserRef


class Role(enum.StrEnum):
    """A user's place in a group."""

    OWNER = "owner"
    MANAGER = "manager"
    MEMBER = "member"


@frozen
class Group:
    """One group as its vendor describes it, in the same shape for every vendor.

    ``owner`` is the owner's id on that vendor (an open_id, an account), ``member_count`` counts people (not
    bots), ``created_at`` is None where the vendor does not say. ``record`` is the vendor's own answer model
    (``feishu_im.models.ChatInfo``, say), which its adapter narrows with isinstance.
    """

    ref: GroupRef
    name: str | None
    owner: str | None
    member_count: int | None
    created_at: datetime | None = None
    record: object = field(default=None, repr=False, eq=False)

    @property
    def vendor(self) -> str:
        return self.ref.vendor

    @property
    def id(self) -> str:
        return self.ref.id


@frozen
class Membership:
    """``user`` is in ``group`` with ``role``."""

    group: Group
    user: UserRef
    role: Role


@frozen
class Roster:
    """A group read whole: its facts and every member's role (user id -> role), as an inventory records it."""

    group: Group
    members: dict[str, Role]


T = TypeVar("T")


@frozen
class Survey(Generic[T]):
    """What a listing found, and the groups it saw but could not read (reference -> the vendor's answer)."""

    found: list[T]
    unreadable: dict[str, str] = field(factory=dict)


class Happened(enum.StrEnum):
    """What an action found: it did the work, the work was already done, or the group changed under it."""

    DONE = "done"
    ALREADY_DONE = "already_done"
    CHANGED = "changed"


@frozen
class ActionResult:
    """What one action did, and why when it did nothing (``detail``); ``request_id`` of the call that did it."""

    happened: Happened
    detail: str | None = None
    request_id: str | None = None

    @classmethod
    def done(cls, request_id: str | None = None) -> ActionResult:
        return cls(Happened.DONE, request_id=request_id)

    @classmethod
    def already_done(cls, detail: str) -> ActionResult:
        return cls(Happened.ALREADY_DONE, detail)

    @classmethod
    def changed(cls, detail: str) -> ActionResult:
        return cls(Happened.CHANGED, detail)


class Presence(enum.StrEnum):
    """What a vendor says of a person asked about."""

    EXISTS = "exists"
    RESIGNED = "resigned"
    """Exists, but has left (Feishu keeps a resigned user): still offboarded, never given a group."""
    MISSING = "missing"
    """The vendor knows no such user."""
    UNCHECKED = "unchecked"
    """The vendor's answer cannot tell (the app may not see the person): ``detail`` says why."""


@frozen
class UserLookup:
    """One person as their vendor answered about them, and why when the answer could not tell."""

    presence: Presence
    detail: str | None = None
