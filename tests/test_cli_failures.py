"""Every command of the command line against every class of failure: one line naming the command, no traceback.

The commands are enumerated from the click tree, so a command added later is covered: a vendor operation's
from the registry (its ``x-cli`` example reaches the emulator's demo world), any other from ``OTHERS`` below,
where a command missing fails ``test_every_command_is_covered``. The failures: wrong credentials (per
vendor), ids that name nothing, a host that refuses connections (a closed loopback port), and bad files
(missing, not UTF-8, not JSON, a directory) wherever a command reads or writes one. Each class runs every
command in one test, against one emulator state, in-process (click's CliRunner): no process per case.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click
import imgroup_registry
import pytest
from click.testing import CliRunner, Result

from imgroup.cli import cli
from imgroup.settings import FIELDS

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

VENDORS = imgroup_registry.VENDORS
SECRETS = ("demo-feishu-app-secret", "demo-tencent-secret-key", "demo-yunxin-app-secret")
# Wrong credentials per vendor. A process caches each app's token per base URL, so the demo app's token from
# an earlier call would stand in for a wrong Feishu secret: Feishu's calls go to the emulator by another name.
WRONG_CREDENTIALS = {
    "feishu": {"FEISHU_APP_SECRET": "a-wrong-app-secret"},
    "tencent": {"TENCENT_IM_SECRET_KEY": "a-wrong-secret-key"},
    "yunxin": {"YUNXIN_APP_SECRET": "a-wrong-app-secret"},
}
EXIT_FAILED, EXIT_USAGE = 1, 2


@attrs.frozen
class Files:
    """The files the commands are given when a failure is not about them: each one valid."""

    root: Path

    def path(self, name: str) -> Path:
        return self.root / name

    def fresh(self, name: str) -> str:
        """A path nothing is at yet (a journal, a plan to write), new for every run."""
        fresh = self.root / "fresh"
        fresh.mkdir(exist_ok=True)
        return str(fresh / f"{name}-{len(list(fresh.iterdir()))}")


@attrs.frozen
class Runs:
    """How the test runs one command other than a vendor operation.

    ``reach(vendor, files)`` gives arguments that make it call ``vendor`` (``vendors`` lists those it can);
    ``unknown(vendor)`` arguments naming something that does not exist; ``reads`` / ``writes`` map each file it
    takes to its arguments with a given path in place. A ``job`` reports a vendor's errors per item in its
    report (exit 1), not as one line.
    """

    reach: Callable[[str, Files], list[str]] | None = None
    vendors: tuple[str, ...] = ()
    unknown: Callable[[str, Files], list[str]] | None = None
    reads: Mapping[str, Callable[[str, Files], list[str]]] = attrs.field(factory=dict)
    writes: Mapping[str, Callable[[str, Files], list[str]]] = attrs.field(factory=dict)
    job: bool = False


def _offboard(user: Callable[[str], str]) -> Callable[[str, Files], list[str]]:
    return lambda vendor, files: ["offboard", user(vendor), "--disband-owned", "--plan", files.fresh("plan")]


DEMO_USERS = {"feishu": "feishu:ou_alice", "tencent": "tencent:user1", "yunxin": "yunxin:acc_owner"}
UNKNOWN_USERS = {"feishu": "feishu:ou_nobody", "tencent": "tencent:nobody", "yunxin": "yunxin:acc_nobody"}
BULK_INPUTS = {
    "disband": "disband-{vendor}.txt",
    "remove-members": "members.csv",
    "unbind-meeting-chat": "meetings.csv",
}


def _bulk(command: str) -> Runs:
    vendors = VENDORS if command == "disband" else ("feishu",)

    def args(vendor: str, files: Files, input_path: str | None = None, journal: str | None = None) -> list[str]:
        given = input_path or str(files.path(BULK_INPUTS[command].format(vendor=vendor)))
        words = ["bulk", command, "--input", given, "--journal", journal or files.fresh("journal")]
        return [*words, "--vendor", vendor] if command == "disband" else words

    return Runs(
        reach=args,
        vendors=vendors,
        reads={
            "--input": lambda path, files: args(vendors[0], files, input_path=path),
            "--journal": lambda path, files: args(vendors[0], files, journal=path),
        },
        job=True,
    )


def _apply(vendor: str, files: Files, plan: str | None = None, journal: str | None = None) -> list[str]:
    return ["apply", plan or str(files.path(f"plan-{vendor}.jsonl")), "--journal", journal or files.fresh("journal")]


# A queue nothing listens at: the commands on workers read their files before they connect to it.
CLOSED_QUEUE = "postgresql://postgres@127.0.0.1:1/imgroup"

OTHERS: dict[tuple[str, ...], Runs] = {
    ("errors", "explain"): Runs(unknown=lambda vendor, files: ["errors", "explain", vendor, "1"]),
    ("errors", "list"): Runs(),
    ("bulk", "disband"): _bulk("disband"),
    ("bulk", "remove-members"): _bulk("remove-members"),
    ("bulk", "unbind-meeting-chat"): _bulk("unbind-meeting-chat"),
    ("offboard",): Runs(
        reach=_offboard(DEMO_USERS.__getitem__),
        vendors=VENDORS,
        unknown=_offboard(UNKNOWN_USERS.__getitem__),
        writes={"--plan": lambda path, files: ["offboard", "tencent:user1", "--disband-owned", "--plan", path]},
    ),
    ("sweep",): Runs(
        reach=lambda vendor, files: ["sweep", "--vendor", vendor, "--name-glob", "*", "--plan", files.fresh("plan")],
        vendors=("feishu", "tencent"),  # Yunxin has no call listing an app's teams: its sweep calls nobody
        writes={"--plan": lambda path, files: ["sweep", "--vendor", "tencent", "--name-glob", "*", "--plan", path]},
    ),
    ("plan", "show"): Runs(reads={"FILE": lambda path, files: ["plan", "show", path]}),
    ("plan", "review"): Runs(
        reads={"FILE": lambda path, files: ["plan", "review", path, "--html", files.fresh("page")]},
        writes={
            "--html": lambda path, files: ["plan", "review", str(files.path("plan-tencent.jsonl")), "--html", path]
        },
    ),
    ("plan", "status"): Runs(reads={"FILE": lambda path, files: ["plan", "status", path, "--queue", CLOSED_QUEUE]}),
    ("apply",): Runs(
        reach=_apply,
        vendors=VENDORS,
        reads={
            "FILE": lambda path, files: _apply("tencent", files, plan=path),
            "--journal": lambda path, files: _apply("tencent", files, journal=path),
            "FILE with --queue": lambda path, files: ["apply", path, "--queue", CLOSED_QUEUE],
        },
        job=True,
    ),
    # It runs until stopped; tests/test_workers_queue.py runs it, and refuses a queue it cannot reach.
    ("worker",): Runs(),
    ("inventory", "sync"): Runs(
        reach=lambda vendor, files: ["inventory", "sync", "--db", files.fresh("inventory"), "--vendor", vendor],
        vendors=("feishu", "tencent"),  # Yunxin has no call listing an app's teams: its teams come from events
        writes={"--db": lambda path, files: ["inventory", "sync", "--db", path, "--vendor", "tencent"]},
    ),
    ("inventory", "groups"): Runs(reads={"--db": lambda path, files: ["inventory", "groups", "--db", path]}),
    ("inventory", "status"): Runs(reads={"--db": lambda path, files: ["inventory", "status", "--db", path]}),
    ("emulator",): Runs(reads={"--seed": lambda path, files: ["emulator", "--port", "0", "--seed", path]}),
    ("completion",): Runs(),
    ("events", "serve"): Runs(writes={"--db": lambda path, files: ["events", "serve", "--port", "0", "--db", path]}),
    ("tenants",): Runs(reads={"--db": lambda path, files: ["tenants", "--vendor", "feishu", "--db", path]}),
}


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``group`` with the words that name it (its aliases are the same commands)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from leaves(command, (*path, name))
        else:
            yield (*path, name), command


def operation_examples() -> dict[tuple[str, ...], list[str]]:
    """Each vendor operation's command and its spec example's arguments (they reach the emulator's demo world)."""
    examples: dict[tuple[str, ...], list[str]] = {}
    for vendor in VENDORS:
        for facts in imgroup_registry.vendor(vendor).operations.values():
            if facts.info.signed and facts.example is not None:
                examples[vendor, facts.name.replace("_", "-")] = shlex.split(facts.example)[1:]
    return examples


EXAMPLES = operation_examples()
COMMANDS = dict(leaves(cli))

# Ids of the demo world, made into ids of nothing: a word with "demo", Yunxin's team ids, Tencent's and
# Feishu's users. The same arguments then name no group, team, chat, event or user.
UNKNOWN = [
    (re.compile(r"demo"), "gone"),
    (re.compile(r"\b100(\d)\b"), r"990\1"),
    (re.compile(r"^user\d$"), "nobody"),
    (re.compile(r"^ou_\w+$"), "ou_nobody"),
    (re.compile(r"^acc_(?!owner)\w+$"), "acc_nobody"),
]


def unknown_ids(args: list[str]) -> list[str]:
    changed = []
    for word in args:
        for pattern, replacement in UNKNOWN:
            word = pattern.sub(replacement, word)
        changed.append(word)
    return changed


@pytest.fixture
def files(tmp_path: Path, imgroup_emulator: EmulatorServer, emulator_environment: dict[str, str]) -> Files:
    """Valid inputs for every command that reads a file: bulk inputs, and a plan per vendor (made on the emulator)."""
    made = Files(tmp_path)
    for vendor, line in [("feishu", "oc_demo_1"), ("tencent", "@TGS#demo1"), ("yunxin", "1001,1,acc_owner")]:
        made.path(f"disband-{vendor}.txt").write_text(line + "\n", encoding="utf-8")
    made.path("members.csv").write_text("oc_demo_1,ou_alice\n", encoding="utf-8")
    made.path("meetings.csv").write_text(
        "feishu.cn_demo@group.calendar.feishu.cn,evt_demo_0,oc_demo_meeting\n", encoding="utf-8"
    )
    for vendor in VENDORS:
        plan = made.path(f"plan-{vendor}.jsonl")
        result = invoke(["offboard", DEMO_USERS[vendor], "--disband-owned", "--plan", str(plan)], emulator_environment)
        assert result.exit_code == 0, result.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "not-utf8.jsonl").write_bytes(b'{"imgroup_plan": 1}\n\xff\xfe\n')
    (bad / "not-json.jsonl").write_text("{this is not JSON\n", encoding="utf-8")  # "{": not a plain list of ids
    (bad / "a-directory").mkdir()
    return made


def invoke(args: list[str], env: Mapping[str, str]) -> Result:
    result = CliRunner().invoke(cli, args, env=dict(env))
    for secret in SECRETS:
        assert secret not in result.output, args
    return result


def problems_with(name: tuple[str, ...], args: list[str], result: Result, exit_code: int) -> list[str]:
    """What is wrong with a failure's output: a traceback, another exit status, not one line naming the command.

    Click's own usage errors stay click's (``Usage: imgroup COMMAND ...`` then ``Error: ...``).
    """
    command = "imgroup " + " ".join(name)
    shown = f"imgroup {shlex.join(args)}: exit {result.exit_code}: {result.output!r}"
    found = []
    if "Traceback" in result.output or (result.exception is not None and not isinstance(result.exception, SystemExit)):
        found.append(f"{shown}: a traceback or an uncaught {type(result.exception).__name__}")
    if result.exit_code != exit_code:
        found.append(f"{shown}: exit {result.exit_code}, expected {exit_code}")
    lines = result.stderr.splitlines()
    clicks_own = (
        exit_code == EXIT_USAGE
        and len(lines) > 1
        and lines[0].startswith(f"Usage: {command} ")
        and lines[-1].startswith("Error: ")
    )
    if not clicks_own and (len(lines) != 1 or not lines[0].startswith(f"{command}: ")):
        found.append(f"{shown}: not one line on stderr naming {command!r}")
    return found


def vendor_runs(vendor: str, files: Files) -> Iterator[tuple[tuple[str, ...], list[str], bool]]:
    """Every command that reaches ``vendor``, with its arguments, and whether it is a job."""
    for name, args in EXAMPLES.items():
        if name[0] == vendor:
            yield name, args, False
    for name, runs in OTHERS.items():
        if runs.reach is not None and vendor in runs.vendors:
            yield name, runs.reach(vendor, files), runs.job


def test_every_command_is_covered() -> None:
    # A vendor operation is covered by its example; any other command needs a line in OTHERS.
    uncovered = set(COMMANDS) - set(EXAMPLES) - set(OTHERS)
    assert not uncovered, f"add these commands to OTHERS in {__name__}: {sorted(uncovered)}"
    assert set(OTHERS) <= set(COMMANDS), "OTHERS names a command that is gone"
    assert len(EXAMPLES) > 30  # every vendor's operations, not an empty registry


def test_the_demo_arguments_reach_the_vendor(
    files: Files, emulator_environment: dict[str, str], imgroup_emulator: EmulatorServer
) -> None:
    # The control for the tests below: with the right credentials and ids, every command calls the vendor and
    # (but a job, which may find a step of its own to fail) gets its answer. Each runs on a fresh demo world.
    from imgroup.emulator import DEMO_SEED

    found = []
    for vendor in VENDORS:
        for name, args, job in vendor_runs(vendor, files):
            imgroup_emulator.reset()
            imgroup_emulator.seed(DEMO_SEED)
            result = invoke(args, emulator_environment)
            shown = f"imgroup {shlex.join(args)}: exit {result.exit_code}: {result.output!r}"
            if not imgroup_emulator.calls():
                found.append(f"{shown}: no call reached the emulator")
            if (result.exit_code != 0 and not job) or "Traceback" in result.output:
                found.append(shown)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("vendor", VENDORS)
def test_wrong_credentials(vendor: str, files: Files, emulator_environment: dict[str, str]) -> None:
    env = {**emulator_environment, **WRONG_CREDENTIALS[vendor]}
    env["FEISHU_BASE_URL"] = env["FEISHU_BASE_URL"].replace("127.0.0.1", "localhost")
    found = []
    for name, args, job in vendor_runs(vendor, files):
        result = invoke(args, env)
        problems = problems_with(name, args, result, EXIT_FAILED)
        if job:  # a job says it in its summary (it stops at the first refusal), not in one line
            found += [problem for problem in problems if "one line" not in problem]
            continue
        found += problems
        if not re.search(r": \[\d+\] ", result.stderr):
            found.append(f"imgroup {shlex.join(args)}: no vendor code in {result.stderr!r}")
    assert not found, "\n".join(found)


def test_unknown_ids(files: Files, emulator_environment: dict[str, str]) -> None:
    found, refused = [], 0
    for vendor in VENDORS:
        for name, args, job in vendor_runs(vendor, files):
            if job or (name not in EXAMPLES and OTHERS[name].unknown is None):
                continue
            runs = OTHERS.get(name)
            unknown = runs.unknown(vendor, files) if runs is not None and runs.unknown else unknown_ids(args)
            result = invoke(unknown, emulator_environment)
            if result.exit_code == 0:  # a call naming no id (list the app's groups; create one) may succeed
                continue
            refused += 1
            # Offboarding people no vendor knows is a usage error: nothing to plan (docs/plans.md).
            expected = EXIT_USAGE if name == ("offboard",) else EXIT_FAILED
            found += problems_with(name, unknown, result, expected)
    for name, runs in OTHERS.items():
        if runs.unknown is not None and runs.reach is None:
            args = runs.unknown("tencent", files)
            found += problems_with(name, args, invoke(args, emulator_environment), EXIT_FAILED)
    assert not found, "\n".join(found)
    assert refused > len(EXAMPLES) // 2  # the ids were really unknown, not left as the demo's


def test_a_host_that_refuses_connections(
    files: Files, emulator_environment: dict[str, str], closed_base_url: str
) -> None:
    base_urls = {
        field.variable: closed_base_url for fields in FIELDS.values() for field in fields if field.name == "base_url"
    }
    env = {**emulator_environment, **base_urls}
    found = []
    for vendor in VENDORS:
        for name, args, job in vendor_runs(vendor, files):
            result = invoke(args, env)
            problems = problems_with(name, args, result, EXIT_FAILED)
            found += [problem for problem in problems if "one line" not in problem] if job else problems
            if not job and "nothing listens there" not in result.stderr:
                found.append(f"imgroup {shlex.join(args)}: the line does not say nothing listens: {result.stderr!r}")
    assert not found, "\n".join(found)


BAD_FILES = {
    "missing": lambda root: root / "no-such-directory" / "file.jsonl",
    "not UTF-8": lambda root: root / "bad" / "not-utf8.jsonl",
    "not JSON": lambda root: root / "bad" / "not-json.jsonl",
    "a directory": lambda root: root / "bad" / "a-directory",
}
# A file a command writes can only be somewhere it cannot be made.
BAD_TARGETS = ("missing", "a directory")


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files(kind: str, files: Files, emulator_environment: dict[str, str]) -> None:
    bad = str(BAD_FILES[kind](files.root))
    found, tried = [], 0
    for name, runs in OTHERS.items():
        given = dict(runs.reads)
        if kind in BAD_TARGETS:
            given.update(runs.writes)
        for option, args_with in given.items():
            args = args_with(bad, files)
            result = invoke(args, emulator_environment)
            tried += 1
            found += problems_with(name, args, result, EXIT_USAGE)
            if bad not in result.stderr and Path(bad).name not in result.stderr:
                found.append(f"imgroup {shlex.join(args)}: {option}: the file is not named in {result.stderr!r}")
    assert tried >= 5
    assert not found, "\n".join(found)


def test_debug_shows_the_traceback(emulator_environment: dict[str, str], closed_base_url: str) -> None:
    args = ["tencent", "destroy-group", "@TGS#demo1"]
    quiet = invoke(args, {**emulator_environment, "TENCENT_IM_BASE_URL": closed_base_url})
    assert quiet.exception is not None and isinstance(quiet.exception, SystemExit)
    loud = invoke(["--debug", *args], {**emulator_environment, "TENCENT_IM_BASE_URL": closed_base_url})
    assert type(loud.exception).__name__ == "ApiConnectionError"
