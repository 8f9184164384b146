"""Making plans: an offboarding (every group some users own, manage or belong to) and a sweep (stale groups).

Planning only reads. It writes one step per line with the facts it saw, and says in the header what a
vendor cannot show (Feishu shows an app only the chats its bot is in), so nothing is silently left out.
"""

from __future__ import annotations

import fnmatch
import getpass
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from imgroup.groups import VENDORS, Group, Groups, Membership, Presence, Role, UserRef

from ._plan import FORMAT_VERSION, Step, chains


class PlanningError(ValueError):
    """What was asked cannot be planned (a successor missing, a user offboarded onto themselves)."""


def header(
    kind: str,
    asked: Mapping[str, Any],
    sessions: Mapping[str, Groups],
    unreadable: Mapping[str, Mapping[str, str]] | None = None,
    not_found: Sequence[UserRef] = (),
) -> dict[str, Any]:
    """A plan's first line: who made it (their login name), never a secret, only the apps' public ids; what the
    vendors cannot show, the groups that were seen but could not be read (by vendor: reference -> the vendor's
    answer), and the users asked for whom their vendor said do not exist (left out)."""
    cannot_see = {vendor: note for vendor, groups in sessions.items() if (note := groups.adapter.cannot_see)}
    return {
        "imgroup_plan": FORMAT_VERSION,
        "id": uuid.uuid4().hex,
        "kind": kind,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **({"made_by": who} if (who := _login_name()) else {}),
        "asked": dict(asked),
        "apps": {vendor: groups.app for vendor, groups in sorted(sessions.items())},
        "cannot_see": cannot_see,
        "unreadable": {vendor: dict(groups) for vendor, groups in (unreadable or {}).items()},
        **({"not_found": [str(user) for user in not_found]} if not_found else {}),
    }


def _login_name() -> str | None:
    """Who made the plan, as the system knows them (their login name), or None where it cannot say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment and no password entry for the uid
        return None


def check_offboarding(
    users: Sequence[UserRef], successors: Sequence[UserRef], *, disband_owned: bool
) -> dict[str, UserRef]:
    """The successor for each vendor concerned; raises PlanningError when one is missing, doubled or leaving."""
    by_vendor: dict[str, UserRef] = {}
    for successor in successors:
        if successor.vendor in by_vendor:
            raise PlanningError(f"two successors on {successor.vendor}: {by_vendor[successor.vendor]}, {successor}")
        if successor in users:
            raise PlanningError(f"{successor} is being offboarded, so cannot be a successor")
        by_vendor[successor.vendor] = successor
    if not disband_owned:
        for user in users:
            if user.vendor not in by_vendor:
                raise PlanningError(
                    f"name a successor on {user.vendor} for the groups {user} owns "
                    f"(--successor {user.vendor}:...), or pass --disband-owned"
                )
    return by_vendor


@frozen
class People:
    """What the vendors said of the people an offboarding names, each looked up once."""

    not_found: list[UserRef]
    """Users leaving whom their vendor says do not exist: left out of the plan."""
    unchecked: dict[UserRef, str]
    """People whose vendor's answer could not tell whether they exist, with that answer."""


def look_up_people(
    sessions: Mapping[str, Groups], users: Sequence[UserRef], successors: Mapping[str, UserRef], *, disband_owned: bool
) -> People:
    """Look up each user, and each successor a transfer may go to, once on their vendor; raises PlanningError
    naming a successor the vendor says does not exist, or has left (a transfer to them could only fail, or hand
    a group to no one)."""
    not_found: list[UserRef] = []
    unchecked: dict[UserRef, str] = {}
    for vendor, groups in sessions.items():
        people = [user for user in users if user.vendor == vendor]
        successor = successors.get(vendor) if not disband_owned else None
        if not people and successor is None:
            continue
        found = groups.run(groups.adapter.find_users([*people, *([successor] if successor else [])]))
        if successor is not None:
            presence = found[successor].presence
            if presence is Presence.MISSING:
                raise PlanningError(f"the successor {successor} does not exist on {vendor}: name one who does")
            if presence is Presence.RESIGNED:
                raise PlanningError(
                    f"the successor {successor} has left {vendor} (resigned): a group needs an owner who is still "
                    "there; name another"
                )
        not_found.extend(user for user in people if found[user].presence is Presence.MISSING)
        unchecked.update(
            (person, lookup.detail or "no answer")
            for person, lookup in found.items()
            if lookup.presence is Presence.UNCHECKED
        )
    return People(not_found, unchecked)


def offboarding_steps(
    memberships: Iterable[Membership],
    successors: Mapping[str, UserRef],
    *,
    disband_owned: bool,
    managers_kept_apart: Collection[str] = VENDORS,
) -> list[Step]:
    """One step per thing to do: transfer or disband what a user owns, remove them as manager and member.

    A group is disbanded when its owner is leaving and is its only member left (or ``disband_owned``); a
    disbanded group needs no other step. A manager gets a step of its own on the vendors in
    ``managers_kept_apart``; elsewhere leaving the group ends the role with it.
    """
    steps: list[Step] = []
    for membership in memberships:
        group, user = membership.group, membership.user
        facts = _facts(group, role=membership.role)
        if membership.role is Role.OWNER:
            alone = group.member_count is not None and group.member_count <= 1
            if disband_owned or alone:
                steps.append(Step("disband", group.ref, user, name=group.name, planned_on=facts))
                continue
            successor = successors[group.vendor]
            steps.append(Step("transfer", group.ref, user, successor, group.name, facts))
        elif membership.role is Role.MANAGER and group.vendor in managers_kept_apart:
            steps.append(Step("remove_manager", group.ref, user, name=group.name, planned_on=facts))
        steps.append(Step("remove_member", group.ref, user, name=group.name, planned_on=facts))
    return _ordered(steps)


def plan_offboarding(
    sessions: Mapping[str, Groups], users: Sequence[UserRef], successors: Mapping[str, UserRef], *, disband_owned: bool
) -> tuple[list[Step], dict[str, dict[str, str]]]:
    """Read every user's memberships on their vendor and plan the steps; also what could not be read, by vendor."""
    memberships: list[Membership] = []
    unreadable: dict[str, dict[str, str]] = {}
    for vendor, groups in sessions.items():
        vendor_users = [user for user in users if user.vendor == vendor]
        if vendor_users:
            survey = groups.run(groups.adapter.survey_memberships(vendor_users))
            memberships.extend(survey.found)
            if survey.unreadable:
                unreadable[vendor] = survey.unreadable
    steps = offboarding_steps(
        memberships, successors, disband_owned=disband_owned, managers_kept_apart=managers_kept_apart(sessions)
    )
    return steps, unreadable


def managers_kept_apart(sessions: Mapping[str, Groups]) -> list[str]:
    """The vendors where a manager is removed as manager before leaving (elsewhere the role ends with leaving)."""
    return [vendor for vendor, groups in sessions.items() if groups.adapter.removes_managers_separately]


def sweep_steps(
    groups: Iterable[Group],
    *,
    name_glob: str | None = None,
    max_members: int | None = None,
    created_before: datetime | None = None,
) -> list[Step]:
    """One disband step per group matching every filter given; a group whose vendor does not give the fact a
    filter reads (no creation time, say) does not match it."""
    steps = []
    for group in groups:
        if name_glob is not None and not fnmatch.fnmatchcase(group.name or "", name_glob):
            continue
        if max_members is not None and (group.member_count is None or group.member_count > max_members):
            continue
        if created_before is not None and (group.created_at is None or group.created_at >= created_before):
            continue
        # Planned on its name, a group renamed since (a stale inventory, say) is skipped, not disbanded.
        facts = {**_facts(group), "name": group.name} if name_glob is not None else _facts(group)
        steps.append(Step("disband", group.ref, name=group.name, planned_on=facts))
    return steps


def _facts(group: Group, role: Role | None = None) -> dict[str, Any]:
    facts: dict[str, Any] = {"owner": group.owner, "member_count": group.member_count}
    if role is not None:
        facts["role"] = str(role)
    return facts


def _ordered(steps: list[Step]) -> list[Step]:
    """Group by group, in order; a group being disbanded keeps only its disband step."""
    ordered: list[Step] = []
    for chain in chains(steps):
        disbands = [step for step in chain if step.action == "disband"]
        ordered.extend(disbands[:1] if disbands else chain)
    return ordered
