"""Plans across the tenants of a Feishu store app: which tenants, a session in each, and steps that name theirs.

``--tenant KEY`` names tenants; ``--all-tenants`` takes every tenant the app knows, as ``imgroup tenants``
lists them: those the event receiver saw install it (its database, given as ``--events-db``), then the one
the settings name. Each tenant is read through ``client.for_tenant(key)`` (one app token, the connections shared, a limiter per
tenant), and each step names its app and tenant, so workers apply each tenant as a partition of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from imgroup.groups import Group, GroupRef, Groups, Presence, Survey, UserRef
from imgroup.settings import SettingsError, VendorSettings, load_settings

from ._plan import Step
from ._planning import People, PlanningError, look_up_people, plan_offboarding

if TYPE_CHECKING:
    from imgroup.events import KnownTenant


def settings_tenant(settings: VendorSettings) -> str | None:
    """The tenant the settings name (a store app's ``tenant_key``), if any."""
    if settings.credentials.get("app_type") == "store" and "tenant_key" in settings.credentials:
        return str(settings.credentials["tenant_key"])
    return None


def recorded_tenants(db: Path, app: str | None) -> list[KnownTenant]:
    """The tenants the receiver whose database is ``db`` saw install the app (every app's without one), oldest
    first; SettingsError naming ``--events-db`` when it cannot be read."""
    from imgroup.events import known_tenants

    try:
        return known_tenants(db, vendor="feishu", app=app)
    except sqlite3.Error as error:
        raise SettingsError(f"--events-db: cannot read {db}: {error}") from None


def tenants_to_plan(
    vendors: Sequence[str],
    *,
    named: Sequence[str],
    all_tenants: bool,
    db: Path | None,
    profile: str | None,
    base_url: str | None,
) -> list[str]:
    """The tenants a plan on ``vendors`` covers: ``named``, or every one the app knows with ``all_tenants``; []
    when neither (a plan on the app as before). PlanningError when tenants are asked of anything but a Feishu store app, or
    none is known."""
    if not named and not all_tenants:
        if db is not None:
            raise PlanningError("--events-db gives the tenants of --all-tenants: pass --all-tenants too")
        return []
    if named and all_tenants:
        raise PlanningError("give --tenant or --all-tenants, not both")
    if others := sorted(set(vendors) - {"feishu"}):
        raise PlanningError(
            f"--tenant and --all-tenants are for a Feishu store app's tenants; {', '.join(others)} has none "
            "(plan it apart)"
        )
    settings = load_settings("feishu", profile=profile, base_url=base_url)
    if settings.credentials.get("app_type") != "store":
        raise PlanningError(
            '--tenant and --all-tenants are for a Feishu store app (app_type = "store"): the settings name a '
            "custom app, which has one tenant"
        )
    if named:
        return list(dict.fromkeys(named))
    app = str(settings.credentials["app_id"])
    known = [tenant.tenant_key for tenant in recorded_tenants(db, app)] if db is not None else []
    if (own := settings_tenant(settings)) is not None:
        known.append(own)
    if not known:
        raise PlanningError(
            f"no tenant of {app} is known: give the event receiver's database (--events-db), where the tenants that "
            "installed the app are recorded, or name them with --tenant"
        )
    return list(dict.fromkeys(known))


def in_tenants(groups: Groups, tenants: Sequence[str]) -> dict[str, Groups]:
    """A session per tenant, on ``groups``' client (``for_tenant``: connections and app token shared)."""
    return {tenant: Groups(groups.vendor, groups.client.for_tenant(tenant), app=groups.app) for tenant in tenants}


@attrs.frozen
class TenantSurvey:
    """What a listing found in every tenant, and the tenant each group is in."""

    found: list[Group]
    unreadable: dict[str, str]
    tenant_of: Mapping[GroupRef, str]
    app: str | None

    def place(self, steps: Sequence[Step]) -> list[Step]:
        """The steps, each naming its app and its group's tenant."""
        return [attrs.evolve(step, app=self.app, tenant=self.tenant_of[step.group]) for step in steps]


def survey_groups(groups: Groups, tenants: Sequence[str]) -> TenantSurvey:
    """Every group the app sees in each of ``tenants``."""
    found: list[Group] = []
    unreadable: dict[str, str] = {}
    tenant_of: dict[GroupRef, str] = {}
    for tenant, session in in_tenants(groups, tenants).items():
        in_tenant: Survey[Group] = session.run(session.adapter.survey_groups())
        found += in_tenant.found
        unreadable.update(in_tenant.unreadable)
        tenant_of.update((group.ref, tenant) for group in in_tenant.found)
    return TenantSurvey(found, unreadable, tenant_of, groups.app)


def tenants_header(vendor: str, tenants: Sequence[str]) -> dict[str, Any]:
    """The header's ``tenants``: the tenants the plan covers, by vendor (the app is the header's ``apps``'s);
    nothing when it covers none."""
    return {"tenants": {vendor: list(tenants)}} if tenants else {}


def settings_in_tenant(settings: VendorSettings, tenant: str | None) -> VendorSettings:
    """The settings acting in ``tenant`` (None: as they are); SettingsError when they are not a store app's."""
    if tenant is None:
        return settings
    if settings.credentials.get("app_type") != "store":
        raise SettingsError(
            f"the plan's steps are in tenant {tenant} of a Feishu store app, but the settings name a custom app: "
            'apply it with the store app\'s settings (app_type = "store")'
        )
    return attrs.evolve(settings, credentials={**settings.credentials, "tenant_key": tenant})


def tenants_of(steps: Sequence[Step], vendor: str) -> set[str]:
    """The tenants ``vendor``'s steps name."""
    return {step.tenant for step in steps if step.vendor == vendor and step.tenant is not None}


@attrs.frozen
class TenantOffboarding:
    """An offboarding planned in each tenant where its users are: the steps, each naming its tenant, and what
    the vendor said of the people (as ``_planning.People``: missing means missing in every tenant)."""

    steps: list[Step]
    people: People
    unreadable: dict[str, str]


def offboard_in_tenants(
    groups: Groups,
    tenants: Sequence[str],
    users: Sequence[UserRef],
    successors: Mapping[str, UserRef],
    *,
    disband_owned: bool,
) -> TenantOffboarding:
    """Plan the offboarding of Feishu ``users`` in every tenant where one of them is (a user is in one tenant,
    and a group goes to a successor of its own tenant); PlanningError naming the tenant whose successor is
    missing."""
    steps: list[Step] = []
    unreadable: dict[str, str] = {}
    unchecked: dict[UserRef, str] = {}
    seen: set[UserRef] = set()
    for tenant, session in in_tenants(groups, tenants).items():
        found = session.run(session.adapter.find_users(users))
        here = [user for user in users if found[user].presence is not Presence.MISSING]
        if not here:
            continue
        try:
            people = look_up_people({groups.vendor: session}, here, successors, disband_owned=disband_owned)
        except PlanningError as error:
            raise PlanningError(f"in tenant {tenant}: {error}") from None
        seen.update(here)
        unchecked.update(people.unchecked)
        tenant_steps, tenant_unreadable = plan_offboarding(
            {groups.vendor: session}, here, successors, disband_owned=disband_owned
        )
        steps += [attrs.evolve(step, app=groups.app, tenant=tenant) for step in tenant_steps]
        unreadable.update(tenant_unreadable.get(groups.vendor, {}))
    missing = [user for user in users if user not in seen]
    return TenantOffboarding(steps, People(missing, unchecked), unreadable)
