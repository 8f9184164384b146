"""``imgroup offboard``, ``imgroup sweep``, ``imgroup plan show`` and ``imgroup apply``.

Planning reads and writes a plan file; nothing changes until ``apply``. Exit status of apply: 0 every step
done or skipped as changed since plan, 1 some failed or not run, 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from imgroup.groups import Groups

    from ._plan import Step

EXIT_DONE, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_APPLY_MAX_RETRIES = 5  # as a bulk job: a few transient failures per thousand calls are expected

_plan_option = click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the plan (JSON Lines) here.",
)
_base_url_option = click.option("--base-url", help="Send to this URL instead of the vendors' (an emulator).")
_profile_option = click.option("--profile", help="Profile of the config file to take credentials from.")


def _fail(command: str, message: str) -> int:
    click.echo(f"imgroup {command}: {message}", err=True)
    return EXIT_USAGE


def _exit(status: int) -> None:
    click.get_current_context().exit(status)


def _sessions(vendors: Sequence[str], profile: str | None, base_url: str | None) -> dict[str, Groups]:
    from imgroup.groups import Groups

    return {
        vendor: Groups.from_settings(vendor, profile=profile, base_url=base_url, max_retries=DEFAULT_APPLY_MAX_RETRIES)
        for vendor in sorted(set(vendors))
    }


def _close(sessions: Mapping[str, Groups]) -> None:
    for groups in sessions.values():
        groups.close()


def _write(command: str, path: Path, header: dict[str, Any], steps: Sequence[Step]) -> int:
    from ._plan import write_plan
    from ._report import describe

    plan = write_plan(path, header, steps)
    for line in describe(plan):
        click.echo(line)
    click.echo(f"wrote {path}: review it (delete the lines you do not want), then: imgroup apply {path} --journal J")
    return EXIT_DONE


@click.command(
    epilog="\b\nExamples:\n  imgroup offboard tencent:alice yunxin:acc_alice --successor tencent:bob "
    "--successor yunxin:acc_bob --plan alice.jsonl\n  imgroup offboard feishu:ou_abc --disband-owned --plan ou_abc.jsonl"
)
@click.argument("users", nargs=-1, required=True)
@click.option("--successor", "successors", multiple=True, help="The new owner on one vendor (one per vendor).")
@click.option("--disband-owned", is_flag=True, help="Disband the groups the users own instead of transferring them.")
@_plan_option
@_base_url_option
@_profile_option
def offboard(
    users: tuple[str, ...],
    successors: tuple[str, ...],
    disband_owned: bool,
    plan_path: Path,
    base_url: str | None,
    profile: str | None,
) -> None:
    """Plan taking USERS out of every group: transfer or disband what they own, remove them everywhere else.

    Users are named by vendor: feishu:ou_..., tencent:alice, yunxin:acc_1. A group they own goes to the
    --successor on its vendor (added as a member first when needed), or is disbanded when they are its only
    member left (always, with --disband-owned). Nothing changes until `imgroup apply`.
    """
    from imgroup.groups import RefError, UserRef
    from imgroup.settings import SettingsError

    from ._planning import PlanningError, check_offboarding, header, plan_offboarding

    try:
        parsed_users = [UserRef.parse(user) for user in users]
        parsed_successors = [UserRef.parse(successor) for successor in successors]
        by_vendor = check_offboarding(parsed_users, parsed_successors, disband_owned=disband_owned)
        sessions = _sessions([user.vendor for user in parsed_users], profile, base_url)
    except (RefError, PlanningError, SettingsError) as error:
        _exit(_fail("offboard", str(error)))
        return
    asked = {
        "users": [str(user) for user in parsed_users],
        "successors": [str(successor) for successor in parsed_successors],
        "disband_owned": disband_owned,
    }
    try:
        steps, unreadable = plan_offboarding(sessions, parsed_users, by_vendor, disband_owned=disband_owned)
        _exit(_write("offboard", plan_path, header("offboard", asked, sessions, unreadable), steps))
    finally:
        _close(sessions)


@click.command(
    epilog="\b\nExamples:\n  imgroup sweep --vendor tencent --name-glob 'tmp-*' --plan tmp.jsonl\n"
    "  imgroup sweep --vendor yunxin --max-members 1 --created-before 2026-01-01 --plan empty.jsonl"
)
@click.option("--vendor", required=True, type=click.Choice(["feishu", "tencent", "yunxin"]), help="Whose groups.")
@click.option("--name-glob", help="Only groups whose name matches (shell pattern, e.g. 'tmp-*').")
@click.option("--max-members", type=click.IntRange(min=0), help="Only groups with at most this many members.")
@click.option("--created-before", type=click.DateTime(["%Y-%m-%d"]), help="Only groups created before this date.")
@_plan_option
@_base_url_option
@_profile_option
def sweep(
    vendor: str,
    name_glob: str | None,
    max_members: int | None,
    created_before: datetime | None,
    plan_path: Path,
    base_url: str | None,
    profile: str | None,
) -> None:
    """Plan disbanding every group of one vendor that matches all the filters given.

    A group whose vendor does not give a filtered fact (a creation time) does not match that filter.
    Nothing changes until `imgroup apply`.
    """
    from imgroup._plural import counted
    from imgroup.settings import SettingsError

    from ._planning import header, sweep_steps

    if name_glob is None and max_members is None and created_before is None:
        _exit(_fail("sweep", "give at least one filter (--name-glob, --max-members, --created-before)"))
        return
    before = created_before.replace(tzinfo=UTC) if created_before is not None else None
    try:
        sessions = _sessions([vendor], profile, base_url)
    except SettingsError as error:
        _exit(_fail("sweep", str(error)))
        return
    asked = {
        "vendor": vendor,
        "name_glob": name_glob,
        "max_members": max_members,
        "created_before": before.date().isoformat() if before else None,
    }
    try:
        groups = sessions[vendor]
        try:
            survey = groups.run(groups.adapter.survey_groups())
        except NotImplementedError as error:  # a vendor with no call listing an app's groups
            _exit(_fail("sweep", str(error)))
            return
        steps = sweep_steps(survey.found, name_glob=name_glob, max_members=max_members, created_before=before)
        click.echo(f"{counted(len(survey.found), f'{vendor} group')} seen, {len(steps)} match")
        unreadable = {vendor: survey.unreadable} if survey.unreadable else {}
        _exit(_write("sweep", plan_path, header("sweep", asked, sessions, unreadable), steps))
    finally:
        _close(sessions)


@click.group(name="plan", epilog="\b\nExample:\n  imgroup plan show alice.jsonl")
def plan_group() -> None:
    """Look at a plan before applying it."""


@plan_group.command(epilog="\b\nExample:\n  imgroup plan show alice.jsonl")
@click.argument("plan_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def show(plan_path: Path) -> None:
    """Summarise a plan: what was asked, on which apps, what was not seen, steps per vendor and action."""
    from ._plan import PlanError, read_plan
    from ._report import describe

    try:
        plan = read_plan(plan_path)
    except PlanError as error:
        _exit(_fail("plan show", str(error)))
        return
    for line in describe(plan):
        click.echo(line)


@click.command(
    epilog="\b\nExamples:\n  imgroup apply alice.jsonl --journal alice.journal --report alice-report.csv\n"
    "  imgroup apply alice.jsonl --journal alice.journal --retry-failed"
)
@click.argument("plan_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--journal",
    "journal_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Progress journal.",
)
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), help="Outcomes (.csv/.jsonl)."
)
@click.option("--dry-run", is_flag=True, help="Check the plan (and journal) and say what would run; send nothing.")
@click.option("--retry-failed", is_flag=True, help="Also run the steps that failed in an earlier run.")
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=16, show_default=True, help="Groups at once, per vendor."
)
@click.option(
    "--max-retries", type=click.IntRange(min=0), default=DEFAULT_APPLY_MAX_RETRIES, show_default=True,
    help="Retries per call for transient failures.",
)  # fmt: skip
@click.option(
    "--rate-limit", type=click.IntRange(min=0),
    help="Calls per second per operation (default: each documented limit; 0: no client-side limit).",
)  # fmt: skip
@_base_url_option
@_profile_option
def apply(**options: Any) -> None:
    """Carry out a plan: each step at most once, resumable, skipping steps whose group changed since the plan.

    Before each step the group is read again; a step whose facts no longer hold (another owner, more members
    than planned) is skipped and reported as changed since plan. Kill it at any time and run the same command
    again to resume. Exit status: 0 every step done or skipped, 1 some failed or not run, 2 usage, 130 interrupted.
    """
    from ._run import apply_plan

    _exit(apply_plan(**options, echo=click.echo, progress_stream=sys.stderr))
