"""An in-memory vendor for tests of plans and their apply that need no emulator: ``fake_im`` and its adapter.

``fake_im`` is registered as a package with ``errors`` (an ApiError carrying code, message, category, request
id) and ``operations`` (OPERATIONS with already_done_codes), as a generated package has. ``FakeAdapter`` plays
a vendor (named tencent, so references parse) over ``FakeClient``, which keeps every effect it had.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from imgroup.groups import ActionResult, Adapter, Group, GroupRef, Membership, Role, UserRef
from imgroup.groups._adapter import result_of
from imgroup.groups._flow import Call, Flow

GONE, NOT_MEMBER, BUSY = 10010, 10007, 10002


class FakeError(Exception):
    pass


class ApiError(FakeError):
    def __init__(self, code: int, message: str = "", category: str = "failed_precondition") -> None:
        super().__init__(f"[{code}] {message}")
        self.code, self.message, self.category, self.request_id = code, message, category, f"req-{code}"


class ApiConnectionError(FakeError):
    pass


class ApiTimeoutError(ApiConnectionError):
    pass


class ResponseFormatError(FakeError):
    problem = "not the envelope"
    request_id = None


class ValidationError(FakeError, ValueError):
    pass


class OperationInfo(NamedTuple):
    already_done_codes: frozenset[int]


def _register() -> None:
    package = types.ModuleType("fake_im")
    package.__path__ = []
    errors = types.ModuleType("fake_im.errors")
    for error_class in (ApiError, ApiConnectionError, ApiTimeoutError, ResponseFormatError, ValidationError):
        setattr(errors, error_class.__name__, error_class)
    operations = types.ModuleType("fake_im.operations")
    operations.OPERATIONS = {  # type: ignore[attr-defined]
        "get_group": OperationInfo(frozenset()),
        "destroy": OperationInfo(frozenset({GONE})),
        "change_owner": OperationInfo(frozenset()),
        "add_member": OperationInfo(frozenset()),
        "remove_member": OperationInfo(frozenset({NOT_MEMBER})),
        "remove_manager": OperationInfo(frozenset()),
        "memberships": OperationInfo(frozenset()),
    }
    sys.modules.update({"fake_im": package, "fake_im.errors": errors, "fake_im.operations": operations})


_register()


@dataclass
class FakeGroup:
    owner: str
    members: set[str]
    managers: set[str] = field(default_factory=set)
    name: str = ""
    gone: bool = False


class FakeClient:
    """The vendor: groups by id, every effect in ``effects``, and ``failures`` to raise on the next calls."""

    def __init__(self, groups: dict[str, FakeGroup]) -> None:
        self.groups = groups
        self.effects: list[tuple[str, ...]] = []
        self.failures: dict[tuple[str, str], list[Exception]] = {}
        self.before_effect: Callable[[str, str], None] = lambda operation, group_id: None

    def _group(self, operation: str, group_id: str) -> FakeGroup:
        pending = self.failures.get((operation, group_id))
        if pending:
            raise pending.pop(0)
        group = self.groups.get(group_id)
        if group is None or group.gone:
            raise ApiError(GONE, "group does not exist", "already_gone")
        return group

    async def get_group(self, group_id: str) -> FakeGroup:
        return self._group("get_group", group_id)

    async def memberships(self, account: str) -> list[tuple[str, FakeGroup]]:
        return [(group_id, group) for group_id, group in self.groups.items() if account in group.members]

    async def destroy(self, group_id: str) -> None:
        self._group("destroy", group_id).gone = True
        self.effects.append(("destroy", group_id))

    async def change_owner(self, group_id: str, new_owner: str) -> None:
        self._group("change_owner", group_id).owner = new_owner
        self.effects.append(("change_owner", group_id, new_owner))

    async def add_member(self, group_id: str, account: str) -> None:
        self._group("add_member", group_id).members.add(account)
        self.effects.append(("add_member", group_id, account))

    async def remove_member(self, group_id: str, account: str) -> None:
        group = self._group("remove_member", group_id)
        if account not in group.members:
            raise ApiError(NOT_MEMBER, "not a member")
        group.members.discard(account)
        group.managers.discard(account)
        self.effects.append(("remove_member", group_id, account))

    async def remove_manager(self, group_id: str, account: str) -> None:
        self._group("remove_manager", group_id).managers.discard(account)
        self.effects.append(("remove_manager", group_id, account))


def _role(group: FakeGroup, account: str) -> Role | None:
    if account == group.owner:
        return Role.OWNER
    if account in group.managers:
        return Role.MANAGER
    return Role.MEMBER if account in group.members else None


class FakeAdapter(Adapter):
    vendor = "tencent"
    package = "fake_im"
    cannot_see = "nothing: it is a fake"

    def app_of(self, credentials: Any) -> str | None:
        return "fake-app"

    def _record(self, ref: GroupRef, group: FakeGroup) -> Group:
        return Group(ref, group.name, group.owner, len(group.members), record=group)

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        try:
            group = yield Call("get_group", (ref.id,))
        except ApiError as error:
            if error.code == GONE:
                return None
            raise
        return self._record(ref, group)

    def memberships(self, user: UserRef) -> Flow[list[Membership]]:
        found = yield Call("memberships", (user.id,))
        memberships = []
        for group_id, group in found:
            role = _role(group, user.id)
            if role is not None:
                memberships.append(Membership(self._record(GroupRef("tencent", group_id), group), user, role))
        return memberships

    def role_of(self, group: Group, user: UserRef) -> Flow[Role | None]:
        yield from ()
        return _role(group.record, user.id)

    def disband(self, group: Group) -> Flow[ActionResult]:
        return result_of((yield Call("destroy", (group.id,))), "disbanded")

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        if successor.id not in group.record.members:
            yield Call("add_member", (group.id, successor.id))
        return result_of((yield Call("change_owner", (group.id, successor.id))), "transferred")

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        return result_of((yield Call("remove_member", (group.id, user.id))), "removed")

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        return result_of((yield Call("remove_manager", (group.id, user.id))), "no longer a manager")
