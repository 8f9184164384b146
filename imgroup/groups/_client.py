"""``Groups`` and ``AsyncGroups``: one vendor's groups, named by reference, through its sync or async client.

    with Groups.from_settings("tencent") as groups:
        group = groups.get("tencent:@TGS#2J4SZEAEL")
        groups.transfer(group.ref, "tencent:bob")

Both run the vendor adapter's flows (``_flow``), so they behave the same; only the driver differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Self

from ._adapter import Adapter
from ._flow import Flow, T, run_async, run_sync
from ._records import ActionResult, Group, Membership, Role
from ._refs import GroupRef, UserRef

if TYPE_CHECKING:
    from imgroup.runtime import AsyncClient, SyncClient


# Each adapter's module imports its vendor's generated package, so it is imported only when asked for.
def _feishu() -> Adapter:
    from ._feishu import FeishuAdapter

    return FeishuAdapter()


def _tencent() -> Adapter:
    from ._tencent import TencentAdapter

    return TencentAdapter()


def _yunxin() -> Adapter:
    from ._yunxin import YunxinAdapter

    return YunxinAdapter()


ADAPTERS: Mapping[str, Callable[[], Adapter]] = {"feishu": _feishu, "tencent": _tencent, "yunxin": _yunxin}


def adapter_for(vendor: str) -> Adapter:
    """The adapter of ``vendor`` (its module is imported now)."""
    return ADAPTERS[vendor]()


def _group_ref(ref: GroupRef | str, vendor: str) -> GroupRef:
    parsed = GroupRef.parse(ref) if isinstance(ref, str) else ref
    if parsed.vendor != vendor:
        raise ValueError(f"{parsed} is not a {vendor} group")
    return parsed


def _user_ref(ref: UserRef | str, vendor: str) -> UserRef:
    parsed = UserRef.parse(ref) if isinstance(ref, str) else ref
    if parsed.vendor != vendor:
        raise ValueError(f"{parsed} is not a {vendor} user")
    return parsed


class _Base:
    def __init__(self, vendor: str, *, app: str | None = None) -> None:
        self.vendor = vendor
        self.adapter = adapter_for(vendor)
        self.app = app
        """The public id of the client's app (from_settings fills it in), which a plan records."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vendor!r})"

    def _flow_on_group(self, ref: GroupRef | str, action: Callable[[Group], Flow[ActionResult]]) -> Flow[ActionResult]:
        group = yield from self.adapter.get(_group_ref(ref, self.vendor))
        if group is None:
            # Nothing to leave or disband.
            return ActionResult.already_done("the group does not exist")
        return (yield from action(group))

    def _transfer_flow(self, ref: GroupRef | str, successor: UserRef) -> Flow[ActionResult]:
        group = yield from self.adapter.get(_group_ref(ref, self.vendor))
        if group is None:  # a transfer cannot happen, which its caller must hear
            return ActionResult.changed("the group does not exist")
        if group.owner == successor.id:
            return ActionResult.already_done(f"{successor} owns the group already")
        return (yield from self.adapter.transfer(group, successor))

    def _role_flow(self, ref: GroupRef | str, user: UserRef) -> Flow[Role | None]:
        group = yield from self.adapter.get(_group_ref(ref, self.vendor))
        return None if group is None else (yield from self.adapter.role_of(group, user))


class Groups(_Base):
    """One vendor's groups through a sync client; every method names groups and users by reference."""

    def __init__(self, vendor: str, client: SyncClient, *, app: str | None = None) -> None:
        super().__init__(vendor, app=app)
        self.client = client

    @classmethod
    def from_settings(
        cls, vendor: str, *, profile: str | None = None, base_url: str | None = None, **client_options: Any
    ) -> Self:
        """Build the client from the settings the command line reads (options, environment, config file)."""
        from imgroup.settings import load_settings, make_client

        settings = load_settings(vendor, profile=profile, base_url=base_url)
        app = adapter_for(vendor).app_of(settings.credentials)
        return cls(vendor, make_client(settings, **client_options), app=app)

    def run(self, flow: Flow[T]) -> T:
        """Drive any adapter flow with this client."""
        return run_sync(self.client, self.adapter.entry, flow)

    def get(self, ref: GroupRef | str) -> Group | None:
        """The group, or None when it does not exist."""
        return self.run(self.adapter.get(_group_ref(ref, self.vendor)))

    def list_groups(self) -> list[Group]:
        """Every group the app can see."""
        return self.run(self.adapter.list_groups())

    def memberships(self, user: UserRef | str) -> list[Membership]:
        """Every group ``user`` is in, with their role."""
        return self.run(self.adapter.memberships(_user_ref(user, self.vendor)))

    def role_of(self, ref: GroupRef | str, user: UserRef | str) -> Role | None:
        return self.run(self._role_flow(ref, _user_ref(user, self.vendor)))

    def disband(self, ref: GroupRef | str) -> ActionResult:
        return self.run(self._flow_on_group(ref, self.adapter.disband))

    def transfer(self, ref: GroupRef | str, successor: UserRef | str) -> ActionResult:
        """Make ``successor`` the owner (adding them as a member first when needed)."""
        return self.run(self._transfer_flow(ref, _user_ref(successor, self.vendor)))

    def remove_member(self, ref: GroupRef | str, user: UserRef | str) -> ActionResult:
        return self.run(
            self._flow_on_group(ref, partial(self.adapter.remove_member, user=_user_ref(user, self.vendor)))
        )

    def remove_manager(self, ref: GroupRef | str, user: UserRef | str) -> ActionResult:
        return self.run(
            self._flow_on_group(ref, partial(self.adapter.remove_manager, user=_user_ref(user, self.vendor)))
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncGroups(_Base):
    """One vendor's groups through an async client; the same methods as Groups, awaited."""

    def __init__(self, vendor: str, client: AsyncClient, *, app: str | None = None) -> None:
        super().__init__(vendor, app=app)
        self.client = client

    @classmethod
    def from_settings(
        cls, vendor: str, *, profile: str | None = None, base_url: str | None = None, **client_options: Any
    ) -> Self:
        from imgroup.settings import load_settings, make_client

        settings = load_settings(vendor, profile=profile, base_url=base_url)
        app = adapter_for(vendor).app_of(settings.credentials)
        return cls(vendor, make_client(settings, asynchronous=True, **client_options), app=app)

    async def run(self, flow: Flow[T]) -> T:
        return await run_async(self.client, self.adapter.entry, flow)

    async def get(self, ref: GroupRef | str) -> Group | None:
        return await self.run(self.adapter.get(_group_ref(ref, self.vendor)))

    async def list_groups(self) -> list[Group]:
        return await self.run(self.adapter.list_groups())

    async def memberships(self, user: UserRef | str) -> list[Membership]:
        return await self.run(self.adapter.memberships(_user_ref(user, self.vendor)))

    async def role_of(self, ref: GroupRef | str, user: UserRef | str) -> Role | None:
        return await self.run(self._role_flow(ref, _user_ref(user, self.vendor)))

    async def disband(self, ref: GroupRef | str) -> ActionResult:
        return await self.run(self._flow_on_group(ref, self.adapter.disband))

    async def transfer(self, ref: GroupRef | str, successor: UserRef | str) -> ActionResult:
        return await self.run(self._transfer_flow(ref, _user_ref(successor, self.vendor)))

    async def remove_member(self, ref: GroupRef | str, user: UserRef | str) -> ActionResult:
        return await self.run(
            self._flow_on_group(ref, partial(self.adapter.remove_member, user=_user_ref(user, self.vendor)))
        )

    async def remove_manager(self, ref: GroupRef | str, user: UserRef | str) -> ActionResult:
        return await self.run(
            self._flow_on_group(ref, partial(self.adapter.remove_manager, user=_user_ref(user, self.vendor)))
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
