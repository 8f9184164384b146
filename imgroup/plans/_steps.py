"""Carrying out one step: re-read the group, skip the step if its facts no longer hold, else act.

Written once for every vendor, as a flow over the vendor's adapter (``imgroup.groups``). Each step is
idempotent: run again after a kill, it finds its work done (the owner already the successor, the user already
gone, the group already disbanded) and says so, rather than failing or acting twice.
"""

from __future__ import annotations

from collections.abc import Callable

from imgroup.groups import ActionResult, Adapter, Group, Role, UserRef
from imgroup.groups._flow import Flow

from ._plan import Step


def carry_out(adapter: Adapter, step: Step) -> Flow[ActionResult]:
    """The flow of ``step`` on ``adapter``: what happened (done, already done, or changed since plan)."""
    group = yield from adapter.get(step.group)
    if group is None:
        if step.action == "transfer":
            return ActionResult.changed("the group no longer exists")
        return ActionResult.already_done("the group no longer exists")
    return (yield from _ACTIONS[step.action](adapter, step, group))


def _disband(adapter: Adapter, step: Step, group: Group) -> Flow[ActionResult]:
    planned_owner = step.planned_on.get("owner")
    if planned_owner is not None and group.owner != planned_owner:
        return ActionResult.changed(f"the owner is now {group.owner}, not {planned_owner}")
    if "name" in step.planned_on and group.name != step.planned_on["name"]:
        return ActionResult.changed(f"the group is now named {group.name!r}, not {step.planned_on['name']!r}")
    planned_count = step.planned_on.get("member_count")
    if planned_count is not None and group.member_count is not None and group.member_count > planned_count:
        return ActionResult.changed(f"the group grew to {group.member_count} members (planned on {planned_count})")
    return (yield from adapter.disband(group))


def _transfer(adapter: Adapter, step: Step, group: Group) -> Flow[ActionResult]:
    user, successor = _person(step.user), _person(step.successor)
    if group.owner == successor.id:
        return ActionResult.already_done(f"{successor} owns the group already")
    if group.owner != user.id:
        return ActionResult.changed(f"the owner is now {group.owner}, not {user.id}")
    return (yield from adapter.transfer(group, successor))


def _remove_manager(adapter: Adapter, step: Step, group: Group) -> Flow[ActionResult]:
    user = _person(step.user)
    role = yield from adapter.role_of(group, user)
    if role is None or role is Role.MEMBER:
        return ActionResult.already_done(f"{user} is not a manager")
    if role is Role.OWNER:
        return ActionResult.changed(f"{user} owns the group now")
    return (yield from adapter.remove_manager(group, user))


def _remove_member(adapter: Adapter, step: Step, group: Group) -> Flow[ActionResult]:
    user = _person(step.user)
    role = yield from adapter.role_of(group, user)
    if role is None:
        return ActionResult.already_done(f"{user} is not in the group")
    if role is Role.OWNER:
        # Planned after a transfer that did not happen (skipped or refused): an owner cannot just leave.
        return ActionResult.changed(f"{user} still owns the group")
    return (yield from adapter.remove_member(group, user))


def _person(user: UserRef | None) -> UserRef:
    if user is None:  # read_plan refuses such a step; this keeps the type checker honest
        raise ValueError("the step names no user")
    return user


_ACTIONS: dict[str, Callable[[Adapter, Step, Group], Flow[ActionResult]]] = {
    "disband": _disband,
    "transfer": _transfer,
    "remove_manager": _remove_manager,
    "remove_member": _remove_member,
}
