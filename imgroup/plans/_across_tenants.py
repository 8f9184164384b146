"""``imgroup offboard`` and ``imgroup sweep`` across the tenants of a Feishu store app (``--tenant``,
``--all-tenants``): the commands hand over here when a tenant option is given (``_tenants`` does the planning).

Kept apart from ``cli`` so that the commands' own flows stay as they are; the checks, messages and plan file
are those of the commands (``cli``'s helpers), with the tenants in the header and on every step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from imgroup._plural import counted

from ._tenants import offboard_in_tenants, survey_groups, tenants_header, tenants_to_plan


def _asked_tenants(tenant_keys: tuple[str, ...], all_tenants: bool) -> dict[str, object]:
    return {"tenants": "all" if all_tenants else list(tenant_keys)}


def offboard_across_tenants(
    users: tuple[str, ...],
    successors: tuple[str, ...],
    disband_owned: bool,
    plan_path: Path,
    force: bool,
    base_url: str | None,
    profile: str | None,
    tenant_keys: tuple[str, ...],
    all_tenants: bool,
    tenants_db: Path | None,
) -> int:
    """``imgroup offboard`` of Feishu users, each looked for in every tenant; returns the exit status."""
    from imgroup.groups import RefError, UserRef
    from imgroup.settings import SettingsError

    from ._planning import PlanningError, check_offboarding, header
    from .cli import _close, _fail, _plan_path_refusal, _sessions, _write

    if (refusal := _plan_path_refusal(plan_path, force=force)) is not None:
        return _fail("offboard", refusal)
    try:
        leaving = [UserRef.parse(user) for user in users]
        heirs = [UserRef.parse(successor) for successor in successors]
        by_vendor = check_offboarding(leaving, heirs, disband_owned=disband_owned)
        tenants = tenants_to_plan(
            [user.vendor for user in leaving], named=tenant_keys, all_tenants=all_tenants, db=tenants_db,
            profile=profile, base_url=base_url,
        )  # fmt: skip
        sessions = _sessions(["feishu"], profile, base_url)
    except (RefError, PlanningError, SettingsError) as error:
        return _fail("offboard", str(error))
    asked = {
        "users": [str(user) for user in leaving],
        "successors": [str(heir) for heir in heirs],
        "disband_owned": disband_owned,
        **_asked_tenants(tenant_keys, all_tenants),
    }
    try:
        try:
            planned = offboard_in_tenants(sessions["feishu"], tenants, leaving, by_vendor, disband_owned=disband_owned)
        except PlanningError as error:
            return _fail("offboard", str(error))
        absent = planned.people.not_found
        if len(absent) == len(leaving):
            return _fail(
                "offboard",
                f"no user asked is in the tenants ({', '.join(tenants)}): nothing to plan, no plan written",
            )
        for user in absent:
            click.echo(f"imgroup offboard: no tenant knows the user {user}: left out of the plan", err=True)
        for person, answer in planned.people.unchecked.items():
            click.echo(f"note: feishu could not say whether {person} exists ({answer}): not checked")
        unreadable = {"feishu": planned.unreadable} if planned.unreadable else {}
        plan_header = header("offboard", asked, sessions, unreadable, absent) | tenants_header("feishu", tenants)
        return _write("offboard", plan_path, plan_header, planned.steps, overwrite=force)
    finally:
        _close(sessions)


def sweep_across_tenants(
    vendor: str,
    name_glob: str | None,
    max_members: int | None,
    created_before: datetime | None,
    plan_path: Path,
    force: bool,
    base_url: str | None,
    profile: str | None,
    tenant_keys: tuple[str, ...],
    all_tenants: bool,
    tenants_db: Path | None,
) -> int:
    """``imgroup sweep`` in every tenant asked; returns the exit status."""
    from imgroup.settings import SettingsError

    from ._planning import PlanningError, header, sweep_steps
    from .cli import _close, _fail, _plan_path_refusal, _sessions, _write

    if name_glob is None and max_members is None and created_before is None:
        return _fail("sweep", "give at least one filter (--name-glob, --max-members, --created-before)")
    if (refusal := _plan_path_refusal(plan_path, force=force)) is not None:
        return _fail("sweep", refusal)
    before = created_before.replace(tzinfo=UTC) if created_before is not None else None
    try:
        tenants = tenants_to_plan(
            [vendor], named=tenant_keys, all_tenants=all_tenants, db=tenants_db, profile=profile, base_url=base_url
        )
        sessions = _sessions([vendor], profile, base_url)
    except (SettingsError, PlanningError) as error:
        return _fail("sweep", str(error))
    asked = {
        "vendor": vendor,
        "name_glob": name_glob,
        "max_members": max_members,
        "created_before": before.date().isoformat() if before else None,
        **_asked_tenants(tenant_keys, all_tenants),
    }
    try:
        survey = survey_groups(sessions[vendor], tenants)
        steps = survey.place(
            sweep_steps(survey.found, name_glob=name_glob, max_members=max_members, created_before=before)
        )
        click.echo(
            f"{counted(len(survey.found), f'{vendor} group')} seen in {counted(len(tenants), 'tenant')}, "
            f"{len(steps)} match"
        )
        unreadable = {vendor: survey.unreadable} if survey.unreadable else {}
        plan_header = header("sweep", asked, sessions, unreadable) | tenants_header(vendor, tenants)
        return _write("sweep", plan_path, plan_header, steps, overwrite=force)
    finally:
        _close(sessions)
