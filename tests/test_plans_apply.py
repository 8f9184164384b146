"""Applying a plan, on an in-memory vendor: facts re-checked, steps idempotent, a group's steps in order,
nothing done twice across interrupted runs. The same runner on the emulator: tests/test_plans_emulator.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from plans_fakes import BUSY, GONE, NOT_MEMBER, ApiError, FakeAdapter, FakeClient, FakeGroup

from imgroup.groups import GroupRef, UserRef
from imgroup.jobs import Journal
from imgroup.plans._apply import VendorRun, job_name, journal_items, run_plan
from imgroup.plans._plan import Plan, Step, read_plan, write_plan
from imgroup.plans._planning import offboarding_steps

ALICE, BOB, CAROL = UserRef("tencent", "alice"), UserRef("tencent", "bob"), UserRef("tencent", "carol")


def world() -> dict[str, FakeGroup]:
    return {
        "owned": FakeGroup("alice", {"alice", "carol"}, name="Sales"),
        "alone": FakeGroup("alice", {"alice"}, name="tmp-notes"),
        "managed": FakeGroup("carol", {"carol", "alice"}, managers={"alice"}),
        "joined": FakeGroup("carol", {"carol", "alice", "bob"}),
    }


def offboarding_plan(tmp_path: Path, client: FakeClient) -> Plan:
    adapter = FakeAdapter()
    memberships = asyncio.run(_memberships(adapter, client))
    steps = offboarding_steps(memberships, {"tencent": BOB}, disband_owned=False)
    header = {"imgroup_plan": 1, "id": "p1", "kind": "offboard", "apps": {"tencent": "fake-app"}}
    return write_plan(tmp_path / "plan.jsonl", header, steps)


async def _memberships(adapter: FakeAdapter, client: FakeClient) -> list:  # type: ignore[type-arg]
    from imgroup.groups._flow import run_async

    return await run_async(client, adapter.entry, adapter.memberships(ALICE))


def apply(plan: Plan, client: FakeClient, journal_path: Path, *, retry_failed: bool = False) -> dict[str, str]:
    with Journal.open(journal_path, job_name(plan), journal_items(plan)) as journal:
        runs = {"tencent": VendorRun(FakeAdapter(), client)}
        asyncio.run(run_plan(plan, runs, journal, retry_failed=retry_failed, concurrency=3))
        return {entry.key: entry.status for entry in journal.entries()}


def test_an_offboarding_plan_transfers_disbands_and_removes_in_each_groups_order(tmp_path: Path) -> None:
    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)

    assert [step.key for step in plan.steps] == [
        "transfer tencent:owned tencent:alice",
        "remove_member tencent:owned tencent:alice",
        "disband tencent:alone tencent:alice",
        "remove_manager tencent:managed tencent:alice",
        "remove_member tencent:managed tencent:alice",
        "remove_member tencent:joined tencent:alice",
    ]
    statuses = apply(plan, client, tmp_path / "j.sqlite")

    assert set(statuses.values()) == {"done"}
    groups = client.groups
    assert groups["owned"].owner == "bob" and "alice" not in groups["owned"].members
    assert groups["alone"].gone
    assert all("alice" not in group.members for group in groups.values() if not group.gone)
    # The successor was not in "owned": added first, then made owner.
    assert client.effects.index(("add_member", "owned", "bob")) < client.effects.index(("change_owner", "owned", "bob"))


def test_a_step_whose_group_changed_after_review_is_skipped_and_says_why(tmp_path: Path) -> None:
    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)
    client.groups["owned"].owner = "carol"  # someone else took it over
    client.groups["alone"].members.add("dave")  # came back to life: must not be disbanded

    with Journal.open(tmp_path / "j.sqlite", job_name(plan), journal_items(plan)) as journal:
        asyncio.run(run_plan(plan, {"tencent": VendorRun(FakeAdapter(), client)}, journal))
        entries = {entry.key: entry for entry in journal.entries()}

    transfer = entries["transfer tencent:owned tencent:alice"]
    assert (transfer.status, transfer.outcome.message) == ("skipped", "the owner is now carol, not alice")
    disband = entries["disband tencent:alone tencent:alice"]
    assert disband.status == "skipped" and "grew to 2 members" in (disband.outcome.message or "")
    assert not client.groups["alone"].gone
    # Alice no longer owns "owned", so she still leaves it.
    assert entries["remove_member tencent:owned tencent:alice"].status == "done"
    assert "alice" not in client.groups["owned"].members


def test_a_rerun_finds_every_step_done_and_does_nothing_again(tmp_path: Path) -> None:
    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)
    apply(plan, client, tmp_path / "first.sqlite")
    effects = list(client.effects)

    # A fresh journal forgets the first run: every step must find its own work done.
    with Journal.open(tmp_path / "second.sqlite", job_name(plan), journal_items(plan)) as journal:
        asyncio.run(run_plan(plan, {"tencent": VendorRun(FakeAdapter(), client)}, journal))
        outcomes = [entry.outcome for entry in journal.entries()]

    assert client.effects == effects
    assert all(outcome.status == "done" and outcome.already_gone for outcome in outcomes)


def test_an_already_done_code_of_the_spec_counts_as_done(tmp_path: Path) -> None:
    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)
    # The vendor answers "not a member" to the removal (a dropped answer whose retry found the work done).
    client.failures[("remove_member", "joined")] = [ApiError(NOT_MEMBER, "not a member")]
    client.failures[("destroy", "alone")] = [ApiError(GONE, "gone", "already_gone")]

    statuses = apply(plan, client, tmp_path / "j.sqlite")

    assert statuses["remove_member tencent:joined tencent:alice"] == "done"
    assert statuses["disband tencent:alone tencent:alice"] == "done"


def test_a_failed_step_holds_back_its_groups_later_steps_until_retried(tmp_path: Path) -> None:
    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)
    client.failures[("change_owner", "owned")] = [ApiError(BUSY, "busy", "internal")]
    journal_path = tmp_path / "j.sqlite"

    first = apply(plan, client, journal_path)
    assert first["transfer tencent:owned tencent:alice"] == "failed"
    assert first["remove_member tencent:owned tencent:alice"] == "pending"  # alice still owns it
    assert first["remove_member tencent:joined tencent:alice"] == "done"  # other groups went on

    again = apply(plan, client, journal_path)  # without --retry-failed: still held back
    assert again["remove_member tencent:owned tencent:alice"] == "pending"

    retried = apply(plan, client, journal_path, retry_failed=True)
    assert set(retried.values()) == {"done"}
    assert client.groups["owned"].owner == "bob"


def test_a_step_left_in_flight_by_a_kill_runs_again_and_finds_its_work_done(tmp_path: Path) -> None:
    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)
    journal_path = tmp_path / "j.sqlite"
    key = "disband tencent:alone tencent:alice"
    with Journal.open(journal_path, job_name(plan), journal_items(plan)) as journal:
        journal.start(key)  # killed after the call reached the vendor, before its outcome was written
    client.groups["alone"].gone = True

    statuses = apply(plan, client, journal_path)

    assert statuses[key] == "done"
    assert ("destroy", "alone") not in client.effects


def test_a_plan_with_lines_deleted_by_hand_applies_exactly_the_lines_left(tmp_path: Path) -> None:
    client = FakeClient(world())
    offboarding_plan(tmp_path, client)  # writes plan.jsonl
    path = tmp_path / "plan.jsonl"
    kept = [line for line in path.read_text().splitlines() if "joined" not in line and "managed" not in line]
    path.write_text("\n".join(kept) + "\n")
    edited = read_plan(path)

    apply(edited, client, tmp_path / "j.sqlite")

    touched = {effect[1] for effect in client.effects}
    assert touched == {"owned", "alone"}
    assert "alice" in client.groups["joined"].members and "alice" in client.groups["managed"].managers


def test_a_journal_refuses_a_plan_edited_after_its_apply_began(tmp_path: Path) -> None:
    from imgroup.jobs import JournalError

    client = FakeClient(world())
    plan = offboarding_plan(tmp_path, client)
    journal_path = tmp_path / "j.sqlite"
    apply(plan, client, journal_path)
    step = plan.steps[0]
    changed = Plan(plan.header, (Step(step.action, step.group, step.user, CAROL, step.name, step.planned_on, 2),))

    with pytest.raises(JournalError, match="other values"):
        Journal.open(journal_path, job_name(changed), journal_items(changed))


def test_an_owner_alone_in_a_group_is_planned_a_disband_and_disband_owned_disbands_every_owned_group() -> None:
    groups = world()
    from imgroup.groups import Group, Membership, Role

    def membership(group_id: str, role: Role) -> Membership:
        group = groups[group_id]
        return Membership(
            Group(GroupRef("tencent", group_id), group.name, group.owner, len(group.members)), ALICE, role
        )

    owned = [membership("owned", Role.OWNER), membership("alone", Role.OWNER)]
    actions = [(step.action, step.group.id) for step in offboarding_steps(owned, {"tencent": BOB}, disband_owned=False)]
    assert actions == [("transfer", "owned"), ("remove_member", "owned"), ("disband", "alone")]
    every = offboarding_steps(owned, {}, disband_owned=True)
    assert [(step.action, step.group.id) for step in every] == [("disband", "owned"), ("disband", "alone")]
