"""``imgroup offboard``, ``imgroup sweep``, ``imgroup plan show`` and ``imgroup apply``.

Planning reads and writes a plan file; nothing changes until ``apply``. Exit status of apply: 0 every step
done or skipped as changed since plan, 1 some failed or not run, 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ._tenant_options import tenant_options

if TYPE_CHECKING:
    from imgroup.groups import Group, Groups, Survey, UserRef
    from imgroup.inventory import Inventory

    from ._plan import Step

EXIT_DONE, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_APPLY_MAX_RETRIES = 5  # as a bulk job: a few transient failures per thousand calls are expected

_plan_option = click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the plan (JSON Lines) here; an existing file is refused unless --force.",
)
_force_option = click.option("--force", is_flag=True, help="Overwrite the plan file if it exists.")
_base_url_option = click.option("--base-url", help="Send to this URL instead of the vendors' (an emulator).")
_profile_option = click.option("--profile", help="Profile of the config file to take credentials from.")
_from_inventory_option = click.option(
    "--from-inventory", is_flag=True, help="Plan from the inventory (--db) instead of reading every group live."
)
_db_option = click.option(
    "--db", "inventory_db", metavar="DB", help="The inventory to plan from: a SQLite file or a postgresql:// URL."
)


def _fail(command: str, message: str) -> int:
    click.echo(f"imgroup {command}: {message}", err=True)
    return EXIT_USAGE


def _exit(status: int) -> None:
    click.get_current_context().exit(status)


def _plan_path_refusal(path: Path, *, force: bool) -> str | None:
    """Why the plan may not be written to ``path`` (checked before anything is read), or None.

    A plan may be under review, edited by hand, or half applied: it is never overwritten unasked."""
    if path.exists() and not force:
        return (
            f"{path} exists (a plan being reviewed or applied?); pass --force to overwrite it, or choose another --plan"
        )
    return None


def _inventory(command: str, from_inventory: bool, target: str | None) -> AbstractContextManager[Inventory | None]:
    """The inventory to plan from, or None to read live; a usage error (exit 2) when the options disagree or the
    inventory cannot be opened."""
    if target is not None and not from_inventory:
        _usage_error(command, "--db names the inventory to plan from: add --from-inventory")
    if not from_inventory:
        return nullcontext()
    if target is None:
        _usage_error(command, "--from-inventory plans from an inventory: name it with --db DB")
    from imgroup.inventory import Inventory, InventoryError

    try:
        return Inventory.open(target, create=False)
    except InventoryError as error:
        _usage_error(command, str(error))


def _usage_error(command: str, message: str) -> NoReturn:
    _fail(command, message)
    raise click.exceptions.Exit(EXIT_USAGE)


def _offboarding_steps(
    sessions: Mapping[str, Groups],
    inventory: Inventory | None,
    users: Sequence[UserRef],
    successors: Mapping[str, UserRef],
    disband_owned: bool,
) -> tuple[list[Step], dict[str, dict[str, str]], dict[str, Any]]:
    """The steps, what could not be read, and the header's inventory freshness: live, or from ``inventory``."""
    from ._planning import managers_kept_apart, offboarding_steps, plan_offboarding

    if inventory is None:
        return (*plan_offboarding(sessions, users, successors, disband_owned=disband_owned), {})
    from ._from_inventory import freshness, memberships

    fresh = {"inventory": freshness(inventory, sessions)}
    found = memberships(inventory, sessions, users)
    apart = managers_kept_apart(sessions)
    return offboarding_steps(found, successors, disband_owned=disband_owned, managers_kept_apart=apart), {}, fresh


def _sessions(vendors: Sequence[str], profile: str | None, base_url: str | None) -> dict[str, Groups]:
    from imgroup.groups import Groups

    return {
        vendor: Groups.from_settings(vendor, profile=profile, base_url=base_url, max_retries=DEFAULT_APPLY_MAX_RETRIES)
        for vendor in sorted(set(vendors))
    }


def _close(sessions: Mapping[str, Groups]) -> None:
    for groups in sessions.values():
        groups.close()


def _write(command: str, path: Path, header: dict[str, Any], steps: Sequence[Step], *, overwrite: bool) -> int:
    from ._plan import write_plan
    from ._report import describe

    try:
        plan = write_plan(path, header, steps, overwrite=overwrite)
    except FileExistsError:  # made while planning ran: still not overwritten unasked
        return _fail(command, _plan_path_refusal(path, force=False) or f"{path} exists")
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
@_force_option
@_from_inventory_option
@_db_option
@_base_url_option
@_profile_option
@tenant_options
def offboard(
    users: tuple[str, ...],
    successors: tuple[str, ...],
    disband_owned: bool,
    plan_path: Path,
    force: bool,
    from_inventory: bool,
    inventory_db: str | None,
    base_url: str | None,
    profile: str | None,
    tenant_keys: tuple[str, ...],
    all_tenants: bool,
    tenants_db: Path | None,
) -> None:
    """Plan taking USERS out of every group: transfer or disband what they own, remove them everywhere else.

    Users are named by vendor: feishu:ou_..., tencent:alice, yunxin:acc_1. A group they own goes to the
    --successor on its vendor (added as a member first when needed), or is disbanded when they are its only
    member left (always, with --disband-owned). With --from-inventory the groups come from the inventory (--db),
    in milliseconds, and the plan's header says how fresh it was. Nothing changes until `imgroup apply`.
    """
    if tenant_keys or all_tenants or tenants_db is not None:  # a Feishu store app's tenants: docs/store-apps.md
        if from_inventory or inventory_db is not None:
            _usage_error(
                "offboard", "--tenant and --all-tenants plan live, tenant by tenant: leave out --from-inventory"
            )
        from ._across_tenants import offboard_across_tenants

        _exit(offboard_across_tenants(users, successors, disband_owned, plan_path, force, base_url, profile,
                                      tenant_keys, all_tenants, tenants_db))  # fmt: skip
        return
    from imgroup.groups import RefError, UserRef
    from imgroup.settings import SettingsError

    from ._planning import PlanningError, check_offboarding, header, look_up_people

    if (refusal := _plan_path_refusal(plan_path, force=force)) is not None:
        _exit(_fail("offboard", refusal))
        return
    with _inventory("offboard", from_inventory, inventory_db) as inventory:
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
            try:
                people = look_up_people(sessions, parsed_users, by_vendor, disband_owned=disband_owned)
            except PlanningError as error:
                _exit(_fail("offboard", str(error)))
                return
            leaving = [user for user in parsed_users if user not in people.not_found]
            if not leaving:
                unknown = "; ".join(f"{user.vendor} knows no user {user.id}" for user in people.not_found)
                _exit(
                    _fail(
                        "offboard",
                        f"no user asked exists on their vendor ({unknown}): nothing to plan, no plan written",
                    )
                )
                return
            for user in people.not_found:
                click.echo(
                    f"imgroup offboard: {user.vendor} knows no user {user.id} ({user}): left out of the plan", err=True
                )
            for person, answer in people.unchecked.items():
                role = "successor" if person in parsed_successors else "user"
                click.echo(
                    f"note: {person.vendor} could not say whether the {role} {person} exists ({answer}): not checked"
                )
            steps, unreadable, fresh = _offboarding_steps(sessions, inventory, leaving, by_vendor, disband_owned)
            in_steps = {step.user for step in steps}
            for user in leaving:
                if user not in in_steps:
                    click.echo(f"note: {user} is in no group the {user.vendor} app can see: nothing to do for them")
            plan_header = header("offboard", asked, sessions, unreadable, people.not_found) | fresh
            _exit(_write("offboard", plan_path, plan_header, steps, overwrite=force))
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
@_force_option
@_from_inventory_option
@_db_option
@_base_url_option
@_profile_option
@tenant_options
def sweep(
    vendor: str,
    name_glob: str | None,
    max_members: int | None,
    created_before: datetime | None,
    plan_path: Path,
    force: bool,
    from_inventory: bool,
    inventory_db: str | None,
    base_url: str | None,
    profile: str | None,
    tenant_keys: tuple[str, ...],
    all_tenants: bool,
    tenants_db: Path | None,
) -> None:
    """Plan disbanding every group of one vendor that matches all the filters given.

    A group whose vendor does not give a filtered fact (a creation time) does not match that filter. With
    --from-inventory the groups come from the inventory (--db), which holds Yunxin teams too (from events), and
    the plan's header says how fresh it was. Nothing changes until `imgroup apply`.
    """
    if tenant_keys or all_tenants or tenants_db is not None:  # a Feishu store app's tenants: docs/store-apps.md
        if from_inventory or inventory_db is not None:
            _usage_error("sweep", "--tenant and --all-tenants plan live, tenant by tenant: leave out --from-inventory")
        from ._across_tenants import sweep_across_tenants

        _exit(sweep_across_tenants(vendor, name_glob, max_members, created_before, plan_path, force, base_url,
                                   profile, tenant_keys, all_tenants, tenants_db))  # fmt: skip
        return
    from imgroup._plural import counted
    from imgroup.settings import SettingsError

    from ._planning import PlanningError, header, sweep_steps

    if name_glob is None and max_members is None and created_before is None:
        _exit(_fail("sweep", "give at least one filter (--name-glob, --max-members, --created-before)"))
        return
    if (refusal := _plan_path_refusal(plan_path, force=force)) is not None:
        _exit(_fail("sweep", refusal))
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
        with _inventory("sweep", from_inventory, inventory_db) as inventory:
            try:
                survey, fresh = _sweep_survey(vendor, groups, inventory)
            except (NotImplementedError, PlanningError) as error:  # no call lists the app's groups; an empty inventory
                _exit(_fail("sweep", str(error)))
                return
        steps = sweep_steps(survey.found, name_glob=name_glob, max_members=max_members, created_before=before)
        click.echo(f"{counted(len(survey.found), f'{vendor} group')} seen, {len(steps)} match")
        unreadable = {vendor: survey.unreadable} if survey.unreadable else {}
        plan_header = header("sweep", asked, sessions, unreadable) | fresh
        _exit(_write("sweep", plan_path, plan_header, steps, overwrite=force))
    finally:
        _close(sessions)


def _sweep_survey(vendor: str, groups: Groups, inventory: Inventory | None) -> tuple[Survey[Group], dict[str, Any]]:
    """Every group of the app, read live or from ``inventory``, and the header's inventory freshness."""
    if inventory is None:
        return groups.run(groups.adapter.survey_groups()), {}
    from imgroup.groups import Survey

    from ._from_inventory import freshness, groups_of

    fresh = {"inventory": freshness(inventory, {vendor: groups})}
    return Survey(groups_of(inventory, vendor, groups)), fresh


@click.group(name="plan", epilog="\b\nExamples:\n  imgroup plan show alice.jsonl\n  imgroup plan review alice.jsonl")
def plan_group() -> None:
    """Look at a plan before applying it: a summary, or a page to review it in a browser; or at one being applied on workers."""


@plan_group.command(epilog="\b\nExample:\n  imgroup plan show alice.jsonl")
@click.argument("plan_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def show(plan_path: Path) -> None:
    """Summarise a plan: what was asked, on which apps, what was not seen, steps per vendor and action."""
    from ._plan import PlanError, file_digest, read_plan
    from ._report import describe
    from ._review import default_page_path

    try:
        plan = read_plan(plan_path)
    except PlanError as error:
        _exit(_fail("plan show", str(error)))
        return
    for line in describe(plan):
        click.echo(line)
    click.echo(f"  sha256 {file_digest(plan_path)}")
    page = default_page_path(plan_path)
    if page.exists():
        click.echo(f"review page: {page} (open it in a browser; imgroup plan review {plan_path} writes it again)")
    else:
        click.echo(f"review it in a browser: imgroup plan review {plan_path} (writes {page})")


@plan_group.command(
    epilog="\b\nExamples:\n  imgroup plan review alice.jsonl\n  imgroup plan review alice.jsonl --html /tmp/alice.html --open"
)
@click.argument("plan_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--html",
    "page_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page here (default: beside the plan, FILE's name ending .review.html).",
)
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
def review(plan_path: Path, page_path: Path | None, open_page: bool) -> None:
    """Write a page to review a plan in a browser: approve or reject steps, download the approved plan.

    One HTML file that needs no network (it works from a file and as an e-mail attachment): what was asked,
    the steps by vendor and action, every step grouped by group with the facts it was planned on, search and
    filters. "Download approved plan" saves the plan with the rejected steps commented out; apply that file.
    """
    from ._plan import PlanError
    from ._review import default_page_path, write_review_page

    page = page_path or default_page_path(plan_path)
    try:
        plan = write_review_page(plan_path, page)
    except PlanError as error:
        _exit(_fail("plan review", str(error)))
        return
    except OSError as error:
        _exit(_fail("plan review", f"cannot write {page} ({error.strerror})"))
        return
    click.echo(
        f"wrote {page}: the {len(plan.steps)} steps of {plan_path} to review in a browser ({page.resolve().as_uri()})"
    )
    click.echo(f"then apply the plan the page saves: imgroup apply {plan_path.stem}.approved.jsonl --journal J")
    if open_page:
        import webbrowser

        webbrowser.open(page.resolve().as_uri())


@plan_group.command(epilog="\b\nExample:\n  imgroup plan status --queue postgresql://db/imgroup")
@click.argument("plan_path", metavar="[FILE]", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--queue", "queue_url", metavar="URL", required=True, help="The PostgreSQL the plans were queued in.")
def status(plan_path: Path | None, queue_url: str) -> None:
    """Show the plans applied on workers (or the one in FILE): each partition's state and its steps by status."""
    from imgroup.cli._extras import require

    require("workers", "imgroup plan status")
    from imgroup.workers._status import show_status

    _exit(show_status(queue_url, plan_path, echo=click.echo))


@click.command(
    epilog="\b\nExamples:\n  imgroup apply alice.jsonl --journal alice.journal --report alice-report.csv\n"
    "  imgroup apply alice.jsonl --journal alice.journal --retry-failed\n"
    "  imgroup apply alice.jsonl --queue postgresql://db/imgroup --wait --report alice-report.csv"
)
@click.argument("plan_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Progress journal (SQLite), for an apply in this process.",
)
@click.option(
    "--queue",
    "queue_url",
    metavar="URL",
    help="Apply on workers instead: put the steps in this PostgreSQL (postgresql://...) for `imgroup worker`.",
)
@click.option("--wait", is_flag=True, help="With --queue: follow the workers, then report as an apply here does.")
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), help="Outcomes (.csv/.jsonl)."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Make the apply's checks (plan, credentials, app, journal), list the steps it would run.",
)
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
    again to resume. Exit status: 0 every step done or skipped, 1 some failed or not run, 2 usage (a dry run too,
    where the apply would be refused), 130 interrupted (Ctrl-C or SIGTERM; the report is still written).

    With --queue the steps go to PostgreSQL, one job per vendor app, for `imgroup worker` processes to carry
    out; --wait follows them and reports as above (docs/workers.md).
    """
    queue_url, wait = options.pop("queue_url"), options.pop("wait")
    if queue_url is None:
        from ._run import apply_plan

        if wait:
            _exit(_fail("apply", "--wait follows workers: give it with --queue"))
            return
        _exit(apply_plan(**options, echo=click.echo, progress_stream=sys.stderr))
        return
    if options["journal_path"] is not None:
        _exit(_fail("apply", "--journal is the journal of an apply here; with --queue the journal is in PostgreSQL"))
        return
    if options.pop("dry_run"):
        _exit(_fail("apply", "--dry-run checks an apply here: run it without --queue"))
        return
    from imgroup.cli._extras import require

    require("workers", "imgroup apply --queue")
    from imgroup.workers._submit import apply_via_queue

    _exit(apply_via_queue(queue_url=queue_url, wait=wait, echo=click.echo, progress_stream=sys.stderr, **options))
