"""Adapter flows: one generator of calls, driven the same by the sync and the async driver."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from plans_fakes import NOT_MEMBER, ApiConnectionError, ApiError, fake_entry, info

from imgroup.groups._flow import AlreadyDone, Flow, call, collect, read, run_async, run_sync
from imgroup.runtime.registry import Listing, Operation


class SyncVendor:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def remove_member(self, group_id: str, account: str) -> str:
        self.sent.append(("remove_member", (group_id, account)))
        if account == "gone":
            raise ApiError(NOT_MEMBER, "not a member")
        return f"removed {account}"

    def change_owner(self, group_id: str, new_owner: str) -> str:
        raise ApiError(NOT_MEMBER, "not a member")  # not an already-done code for this operation

    def get_group(self, group_id: str) -> str:
        raise ApiConnectionError("no answer")

    def iter_members(self, group_id: str) -> Any:
        yield from ("a", "b", "c")


class AsyncVendor:
    """The same vendor with awaitable methods and an async iterator."""

    def __init__(self) -> None:
        self.sync = SyncVendor()

    async def remove_member(self, group_id: str, account: str) -> str:
        return self.sync.remove_member(group_id, account)

    async def change_owner(self, group_id: str, new_owner: str) -> str:
        return self.sync.change_owner(group_id, new_owner)

    async def get_group(self, group_id: str) -> str:
        return self.sync.get_group(group_id)

    async def iter_members(self, group_id: str) -> Any:
        for member in self.sync.iter_members(group_id):
            yield member


remove_member = Operation("remove_member", SyncVendor.remove_member, AsyncVendor.remove_member)
change_owner = Operation("change_owner", SyncVendor.change_owner, AsyncVendor.change_owner)
get_group = Operation("get_group", SyncVendor.get_group, AsyncVendor.get_group)
iter_members = Listing("iter_members", SyncVendor.iter_members, AsyncVendor.iter_members)
ENTRY = fake_entry(
    {
        "remove_member": (remove_member, info("remove_member", (NOT_MEMBER,))),
        "change_owner": (change_owner, info("change_owner")),
        "get_group": (get_group, info("get_group")),
    }
)


def both(flow_factory: Any) -> tuple[Any, Any]:
    return run_sync(SyncVendor(), ENTRY, flow_factory()), asyncio.run(run_async(AsyncVendor(), ENTRY, flow_factory()))


def test_both_drivers_send_each_answer_back_and_return_what_the_flow_returns() -> None:
    def flow() -> Flow[list[Any]]:
        members = yield from collect(iter_members.bind(group_id="g1"))
        removed = yield from call(remove_member.bind("g1", members[0]))
        return [members, removed]

    sync, asynchronous = both(flow)
    assert sync == asynchronous == [["a", "b", "c"], "removed a"]


def test_a_code_the_spec_lists_as_already_done_for_the_operation_is_an_answer_not_an_error() -> None:
    def flow() -> Flow[Any]:
        return (yield from call(remove_member.bind("g1", "gone")))

    sync, asynchronous = both(flow)
    assert sync == asynchronous == AlreadyDone("remove_member", NOT_MEMBER, "not a member", f"req-{NOT_MEMBER}")


def test_the_same_code_on_another_operation_is_thrown_into_the_flow_where_it_yielded() -> None:
    def flow() -> Flow[str]:
        try:
            yield from call(change_owner.bind("g1", "bob"))
        except ApiError as error:
            return f"caught {error.code}"
        return "not raised"

    assert both(flow) == (f"caught {NOT_MEMBER}", f"caught {NOT_MEMBER}")


def test_an_error_the_flow_does_not_catch_leaves_the_driver() -> None:
    def flow() -> Flow[None]:
        yield from call(change_owner.bind("g1", "bob"))

    with pytest.raises(ApiError):
        run_sync(SyncVendor(), ENTRY, flow())
    with pytest.raises(ApiError):
        asyncio.run(run_async(AsyncVendor(), ENTRY, flow()))


def test_no_answer_at_all_is_not_thrown_into_the_flow() -> None:
    caught: list[Exception] = []

    def flow() -> Flow[None]:
        try:
            yield from read(get_group.bind("g1"))
        except Exception as error:  # noqa: BLE001 - the test proves nothing reaches here
            caught.append(error)

    with pytest.raises(ApiConnectionError):
        run_sync(SyncVendor(), ENTRY, flow())
    assert not caught


def test_each_vendor_adapter_runs_on_its_vendors_registry_entry() -> None:
    import imgroup_registry

    from imgroup.groups import VENDORS, adapter_for

    assert VENDORS == imgroup_registry.VENDORS
    for vendor in VENDORS:
        adapter = adapter_for(vendor)
        assert adapter.vendor == vendor
        assert adapter.entry is imgroup_registry.vendor(vendor)
