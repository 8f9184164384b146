"""An in-memory vendor for tests of plans and their apply that need no emulator: ``FakeClient`` and its adapter.

The vendor comes as a generated package presents one: error classes under the shared tree (an ApiError carrying
code, message, category, request id), and a registry entry (``ENTRY``, each operation's facts with its
already-done codes) with one typed handle per operation (``destroy.bind(group_id)``). ``FakeAdapter`` plays a
vendor (named tencent, so references parse) over ``FakeClient``, which keeps every effect it had.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from imgroup import errors as shared
from imgroup.groups import ActionResult, Adapter, Group, GroupRef, Membership, Role, UserRef
from imgroup.groups._adapter import result_of
from imgroup.groups._flow import Flow, call, read
from imgroup.runtime import ErrorClasses, OperationInfo
from imgroup.runtime.registry import Operation, OperationFacts, VendorEntry

GONE, NOT_MEMBER, BUSY = 10010, 10007, 10002
R = TypeVar("R")


class FakeError(shared.ImgroupError):
    pass


class ApiError(FakeError, shared.ApiError):
    def __init__(self, code: int, message: str = "", category: str = "failed_precondition") -> None:
        super().__init__(code=code, message=message, http_status=400, operation="fake", request_id=f"req-{code}")
        self.category = category


class ApiConnectionError(FakeError, shared.ApiConnectionError):
    def __init__(self, reason: str) -> None:
        super().__init__("fake", reason)


class ApiTimeoutError(ApiConnectionError, shared.ApiTimeoutError):
    pass


class ResponseFormatError(FakeError, shared.ResponseFormatError):
    pass


class ValidationError(FakeError, shared.ValidationError):
    pass


ERRORS = ErrorClasses(
    root=FakeError,
    validation=ValidationError,
    connection=ApiConnectionError,
    timeout=ApiTimeoutError,
    response_format=ResponseFormatError,
    api=ApiError,
    by_category={},
)


def info(name: str, already_done_codes: tuple[int, ...] = ()) -> OperationInfo:
    """An operation of the fake spec: only its already-done codes matter here."""
    return OperationInfo(
        operation_id=name,
        method="POST",
        path=f"/{name}",
        rate_limit_per_second=None,
        rate_limit_per_minute=None,
        error_codes=already_done_codes,
        removes_group=False,
        already_done_codes=already_done_codes,
        done_on_retry_codes=(),
        iterator=None,
        signed=True,
        doc_page="",
    )


def fake_entry(operations: dict[str, tuple[Operation[..., Any], OperationInfo]], client: type = object) -> VendorEntry:
    """A registry entry, as a generated ``registry.py`` makes one, for a fake vendor's ``operations``."""
    facts = {
        name: OperationFacts(name, "", "", (), None, operation_info, "", lambda: None, operation, None)  # type: ignore[arg-type]
        for name, (operation, operation_info) in operations.items()
    }
    return VendorEntry(
        name="fake",
        title="Fake",
        package="fake_im",
        client=client,  # type: ignore[arg-type]
        async_client=client,  # type: ignore[arg-type]
        settings=(),
        alternatives=(),
        required=(),
        operations=MappingProxyType(facts),
        errors=ERRORS,
        error_codes=dict,
    )


def async_only(name: str, method: Callable[..., Coroutine[Any, Any, R]]) -> Operation[..., R]:
    """A handle on an async method of a fake client (the fake vendor has no sync client)."""

    def sync_method(client: object, *args: object, **kwargs: object) -> R:
        raise NotImplementedError(f"{name}: the fake vendor has no sync client")

    return Operation(name, sync_method, method)


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


get_group = async_only("get_group", FakeClient.get_group)
user_groups = async_only("memberships", FakeClient.memberships)
destroy = async_only("destroy", FakeClient.destroy)
change_owner = async_only("change_owner", FakeClient.change_owner)
add_member = async_only("add_member", FakeClient.add_member)
remove_member = async_only("remove_member", FakeClient.remove_member)
remove_manager = async_only("remove_manager", FakeClient.remove_manager)

ENTRY = fake_entry(
    {
        "get_group": (get_group, info("get_group")),
        "memberships": (user_groups, info("memberships")),
        "destroy": (destroy, info("destroy", (GONE,))),
        "change_owner": (change_owner, info("change_owner")),
        "add_member": (add_member, info("add_member")),
        "remove_member": (remove_member, info("remove_member", (NOT_MEMBER,))),
        "remove_manager": (remove_manager, info("remove_manager")),
    },
    FakeClient,
)


def _role(group: FakeGroup, account: str) -> Role | None:
    if account == group.owner:
        return Role.OWNER
    if account in group.managers:
        return Role.MANAGER
    return Role.MEMBER if account in group.members else None


class FakeAdapter(Adapter):
    vendor = "tencent"
    entry = ENTRY
    cannot_see = "nothing: it is a fake"

    def app_of(self, credentials: Any) -> str | None:
        return "fake-app"

    def _record(self, ref: GroupRef, group: FakeGroup) -> Group:
        return Group(ref, group.name, group.owner, len(group.members), record=group)

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        try:
            group = yield from read(get_group.bind(ref.id))
        except ApiError as error:
            if error.code == GONE:
                return None
            raise
        return self._record(ref, group)

    def memberships(self, user: UserRef) -> Flow[list[Membership]]:
        found = yield from read(user_groups.bind(user.id))
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
        return result_of((yield from call(destroy.bind(group.id))), "disbanded")

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        if successor.id not in group.record.members:
            yield from call(add_member.bind(group.id, successor.id))
        return result_of((yield from call(change_owner.bind(group.id, successor.id))), "transferred")

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        return result_of((yield from call(remove_member.bind(group.id, user.id))), "removed")

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        return result_of((yield from call(remove_manager.bind(group.id, user.id))), "no longer a manager")
