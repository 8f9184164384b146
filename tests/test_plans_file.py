"""Plan files: JSON Lines a person edits; read back strictly, with the line of the first problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from imgroup.cli import cli
from imgroup.groups import GroupRef, UserRef
from imgroup.plans._plan import PlanError, Step, chains, read_plan, write_plan

HEADER = {
    "imgroup_plan": 1,
    "id": "3f2a",
    "kind": "offboard",
    "created_at": "2026-12-02T03:00:00+00:00",
    "asked": {"users": ["tencent:alice", "feishu:ou_alice"], "successors": ["tencent:bob"], "disband_owned": False},
    "apps": {"tencent": "1400000000", "feishu": "cli_demo"},
    "cannot_see": {"feishu": "only the chats the app's bot is in"},
}
ALICE, BOB = UserRef("tencent", "alice"), UserRef("tencent", "bob")


def steps() -> list[Step]:
    group, other = GroupRef("tencent", "@TGS#1"), GroupRef("tencent", "@TGS#2")
    facts = {"owner": "alice", "member_count": 3, "role": "owner"}
    return [
        Step("remove_member", group, ALICE, planned_on=facts),
        Step("transfer", group, ALICE, BOB, "Sales", facts),
        Step("disband", other, ALICE, name="tmp-1", planned_on={"owner": "alice", "member_count": 1}),
        Step("remove_member", GroupRef("feishu", "oc_1"), UserRef("feishu", "ou_alice")),
    ]


def test_a_written_plan_reads_back_the_same_steps(tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "p.jsonl", HEADER, steps())
    assert [step.to_json() for step in plan.steps] == [step.to_json() for step in steps()]
    assert plan.header["steps"] == 4
    first_line = json.loads((tmp_path / "p.jsonl").read_text().splitlines()[0])
    assert first_line["asked"]["successors"] == ["tencent:bob"]


def test_a_groups_steps_run_transfer_first_whatever_the_file_order(tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "p.jsonl", HEADER, steps())
    assert [[step.action for step in chain] for chain in chains(plan.steps)] == [
        ["transfer", "remove_member"],
        ["disband"],
        ["remove_member"],
    ]


def test_blank_and_commented_out_lines_are_not_steps(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_plan(path, HEADER, steps())
    lines = path.read_text().splitlines()
    lines[2] = "# " + lines[2]
    path.write_text("\n".join([lines[0], "", *lines[1:]]) + "\n")
    plan = read_plan(path)
    assert [step.action for step in plan.steps] == ["remove_member", "disband", "remove_member"]
    assert [step.line for step in plan.steps] == [3, 5, 6]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json", "not JSON"),
        ('{"action": "kick", "group": "tencent:@TGS#1", "user": "tencent:a"}', "action must be one of"),
        ('{"action": "remove_member", "group": "tencent:@TGS#1"}', "a remove_member step names its user"),
        ('{"action": "transfer", "group": "tencent:@TGS#1", "user": "tencent:a"}', "names its successor"),
        ('{"action": "remove_member", "group": "tencent:@TGS#1", "user": "yunxin:a"}', "is not on tencent"),
        ('{"action": "disband", "group": "yunxin:abc"}', "a team id"),
        ('{"action": "disband", "group": "tencent:g", "planned_on": {"member_count": -1}}', "member_count"),
        ('{"action": "disband", "group": "tencent:g", "note": "x"}', "unknown fields"),
        ('{"action": "disband", "group": "tencent:g", "app": ""}', "app names the vendor app"),
        ('{"action": "disband", "group": "tencent:g", "app": true}', "app names the vendor app"),
    ],
)
def test_a_bad_step_is_refused_with_its_line_number(tmp_path: Path, line: str, says: str) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(HEADER) + "\n" + '{"action": "disband", "group": "tencent:ok"}\n' + line + "\n")
    with pytest.raises(PlanError, match=says) as raised:
        read_plan(path)
    assert raised.value.line == 3


def test_the_same_step_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    step = '{"action": "disband", "group": "tencent:g"}'
    path.write_text(json.dumps(HEADER) + "\n" + step + "\n" + step + "\n")
    with pytest.raises(PlanError, match="the same step as line 2"):
        read_plan(path)


def test_a_file_without_a_plan_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"action": "disband", "group": "tencent:g"}\n')
    with pytest.raises(PlanError, match="not a plan header"):
        read_plan(path)


def test_plan_show_summarises_per_vendor_and_action_and_says_what_was_not_seen(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_plan(path, HEADER, steps())
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # a reviewer deleted the last step

    result = CliRunner().invoke(cli, ["plan", "show", str(path)])

    assert result.exit_code == 0, result.output
    assert "feishu app: cli_demo" in result.output
    assert "not seen on feishu: only the chats the app's bot is in" in result.output
    assert "tencent: 1 disband, 1 transfer, 1 remove_member" in result.output
    assert "1 of the 4 planned steps were removed by hand" in result.output
    assert "secret" not in result.output


def test_apply_here_refuses_a_plan_across_several_apps_of_a_vendor(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    lines = [{"action": "disband", "group": f"tencent:g{app}", "app": str(app)} for app in (1400000001, 1400000002)]
    path.write_text("\n".join(json.dumps(line) for line in [HEADER, *lines]) + "\n")
    env = {"TENCENT_IM_SDKAPPID": "1400000001", "TENCENT_IM_SECRET_KEY": "k", "HOME": str(tmp_path)}
    result = CliRunner().invoke(cli, ["apply", str(path), "--journal", str(tmp_path / "j")], env=env)
    assert result.exit_code == 2
    assert "covers several tencent apps" in result.output and "--queue" in result.output
    assert not (tmp_path / "j").exists()


def test_apply_refuses_a_bad_plan_before_reading_any_settings(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(HEADER) + "\n{oops\n")
    result = CliRunner().invoke(cli, ["apply", str(path), "--journal", str(tmp_path / "j")])
    assert result.exit_code == 2
    assert "line 2: not JSON" in result.output


_users = st.sampled_from(["alice", "bob", "acc_1", "张三"])


@st.composite
def plan_steps(draw: st.DrawFn) -> list[Step]:
    steps: dict[str, Step] = {}
    for index in range(draw(st.integers(0, 8))):
        group = GroupRef("tencent", f"@TGS#{draw(st.integers(0, 4))}")
        action = draw(st.sampled_from(["disband", "transfer", "remove_manager", "remove_member"]))
        user = UserRef("tencent", draw(_users))
        successor = UserRef("tencent", "heir") if action == "transfer" else None
        facts = {"owner": draw(_users), "member_count": draw(st.integers(0, 10_000))}
        name = draw(st.one_of(st.none(), st.text(max_size=20)))
        app = draw(st.one_of(st.none(), st.sampled_from(["1400000000", "1400000001"])))
        step = Step(action, group, user, successor, name, facts, index, app)
        steps.setdefault(step.key, step)
    return list(steps.values())


@given(plan_steps())
def test_any_plan_reads_back_as_written(tmp_path_factory: pytest.TempPathFactory, steps: list[Step]) -> None:
    path = tmp_path_factory.mktemp("plans") / "p.jsonl"
    plan = write_plan(path, HEADER, steps)
    assert [step.to_json() for step in plan.steps] == [step.to_json() for step in steps]
    assert sorted(step.key for chain in chains(plan.steps) for step in chain) == sorted(step.key for step in steps)
