"""What every vendor adapter offers, as flows (see ``_flow``): read groups and memberships, and act on them.

One adapter per vendor holds everything peculiar to it (which call lists a user's groups, who may transfer,
which id a call wants); the jobs above call only these methods, never ``if vendor == ...``. Actions take a
Group just read, because some vendors need its facts to act (a Yunxin team's type, its owner as operator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, TypeVar

from imgroup.runtime import Disbanded
from imgroup.runtime.registry import VendorEntry
from imgroup.runtime.types import Unset

from ._flow import AlreadyDone, Flow
from ._records import ActionResult, Group, Membership, Role, Roster, Survey, UserLookup
from ._refs import GroupRef, UserRef

T = TypeVar("T")


class Adapter:
    """The base of the three vendor adapters: names the vendor and its registry entry, declares the flows."""

    vendor: ClassVar[str]
    entry: ClassVar[VendorEntry]
    """The vendor's generated registry entry: its client classes and each operation's facts."""
    cannot_see: ClassVar[str | None] = None
    """What this vendor never shows an app, so a plan can say so instead of silently missing it."""
    removes_managers_separately: ClassVar[bool] = True
    """False where a manager can only leave with their membership (no call only demotes one)."""
    lists_groups: ClassVar[bool] = True
    """False where no call lists every group of an app (so no sweep or inventory sync can find them)."""
    roster_batch: ClassVar[int] = 1
    """How many groups ``read_rosters`` reads at once best (as many as one call answers for)."""

    def app_of(self, credentials: Mapping[str, object]) -> str | None:
        """The public id of the app ``credentials`` name (never a secret), for a plan's header."""
        raise NotImplementedError

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        """The group, or None when it does not exist (or no longer does)."""
        raise NotImplementedError

    def survey_groups(self) -> Flow[Survey[Group]]:
        """Every group the app can see, and those it saw but could not read."""
        raise NotImplementedError

    def list_group_refs(self) -> Flow[list[GroupRef]]:
        """Every group the app can see, listed only (not read)."""
        raise NotImplementedError(f"{self.vendor}: {self.cannot_see}")

    def read_rosters(self, refs: Sequence[GroupRef]) -> Flow[Survey[Roster]]:
        """Each group of ``refs`` read whole, with its members' roles; a group gone since it was listed is left
        out, one the app may not read is noted as unreadable."""
        raise NotImplementedError(f"{self.vendor}: {self.cannot_see}")

    def survey_memberships(self, users: Sequence[UserRef]) -> Flow[Survey[Membership]]:
        """Every group the ``users`` are in (that the app can see), with each user's role; an adapter that must
        scan every group does it once for all the users."""
        raise NotImplementedError

    def find_users(self, users: Sequence[UserRef]) -> Flow[dict[UserRef, UserLookup]]:
        """What the vendor says of each of ``users``: exists, resigned, missing, or unchecked (and why), at one
        call per user at most (fewer where a call answers for many)."""
        raise NotImplementedError

    def list_groups(self) -> Flow[list[Group]]:
        return (yield from self.survey_groups()).found

    def memberships(self, user: UserRef) -> Flow[list[Membership]]:
        """Every group ``user`` is in (that the app can see), with the user's role in each."""
        return (yield from self.survey_memberships([user])).found

    def role_of(self, group: Group, user: UserRef) -> Flow[Role | None]:
        """``user``'s role in ``group`` now, or None when not a member."""
        raise NotImplementedError

    def disband(self, group: Group) -> Flow[ActionResult]:
        raise NotImplementedError

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        """Make ``successor`` the owner, adding them as a member first when they are not one."""
        raise NotImplementedError

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        raise NotImplementedError

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        raise NotImplementedError

    def check_user(self, user: UserRef) -> None:
        """Raise ValueError unless ``user`` is on this adapter's vendor."""
        if user.vendor != self.vendor:
            raise ValueError(f"{user} is not a {self.vendor} user")


def result_of(answer: object, what: str) -> ActionResult:
    """An action's result from its call's answer: done, or already done (an x-already-done code, a retry that
    found the group gone)."""
    if isinstance(answer, AlreadyDone):
        return ActionResult.already_done(f"{what} already ([{answer.code}] {answer.message})")
    if isinstance(answer, Disbanded):
        if answer.already_gone:
            return ActionResult.already_done(f"{what} already (a retry found it so)")
        return ActionResult.done(answer.request_id)
    return ActionResult.done()


def present(value: T | Unset | None) -> T | None:
    """``value``, or None when the answer left it out (the generated models' UNSET)."""
    return None if isinstance(value, Unset) else value


def whole_number(value: object) -> int | None:
    """An integer from an answer field that may be a number, a numeric string (Feishu's counts) or absent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
