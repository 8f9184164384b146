"""The offboarding part of ``make demo``: plan, review and apply, on the emulator, with the real commands.

Seeds a few groups alice owns, manages and belongs to on the three vendors, runs ``imgroup offboard``, shows the
plan, changes one group behind the plan's back, runs ``imgroup apply`` and shows its report: one step skipped as
changed since plan, the rest done.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from imgroup.emulator import EmulatorServer

DEMO_GROUPS: dict[str, Any] = {
    "feishu": {
        "chats": [
            {"chat_id": "oc_offboard_1", "owner": "ou_alice", "name": "Launch", "bots": ["cli_demo"],
             "members": ["ou_dave", "ou_erin"]},
            {"chat_id": "oc_offboard_2", "owner": "ou_dave", "name": "Design", "bots": ["cli_demo"],
             "members": ["ou_alice", "ou_carol"], "managers": ["ou_alice"]},
        ]
    },
    "tencent": {
        "accounts": ["alice", "carol", "dave"],
        "groups": [
            {"group_id": "@TGS#offboard1", "type": "Public", "owner": "alice", "name": "Sales", "members": ["dave"]},
            {"group_id": "@TGS#offboard2", "type": "Public", "owner": "alice", "name": "tmp-notes"},
            {"group_id": "@TGS#offboard3", "type": "Public", "owner": "dave", "name": "Support",
             "members": ["alice", "carol"]},
        ],
    },
    "yunxin": {
        "accounts": ["alice", "carol", "dave"],
        "teams": [
            {"team_id": "3001", "team_type": 1, "owner": "alice", "name": "Ops", "members": ["carol", "dave"]},
            {"team_id": "3002", "team_type": 2, "owner": "dave", "name": "All hands", "managers": ["alice"]},
        ],
    },
}  # fmt: skip
USERS = ("feishu:ou_alice", "tencent:alice", "yunxin:alice")
SUCCESSORS = ("feishu:ou_carol", "tencent:carol", "yunxin:carol")


def show_offboarding(emulator: EmulatorServer, console: Console) -> None:
    """Plan alice's offboarding, let a group change after review, apply the plan and show what happened."""
    from imgroup.cli import cli

    emulator.seed(DEMO_GROUPS)
    console.print("\n[bold]Offboarding alice on three vendors: plan, review, apply[/]")
    with tempfile.TemporaryDirectory() as folder, _environment(_settings(emulator)):
        plan, report = Path(folder) / "alice.jsonl", Path(folder) / "alice.csv"
        successors = [f"--successor={successor}" for successor in SUCCESSORS]
        _run(console, cli, ["offboard", *USERS, *successors, "--plan", str(plan)])
        console.print(f"[cyan]$ cat {plan.name}[/]")
        for line in plan.read_text(encoding="utf-8").splitlines():
            console.print(f"  {line}", soft_wrap=True)
        console.print("\n[dim]After review, dave joins tmp-notes: the plan must not disband it now.[/]")
        emulator.seed({"tencent": {"groups": [{**DEMO_GROUPS["tencent"]["groups"][1], "members": ["dave"]}]}})
        journal = Path(folder) / "alice.journal"
        _run(console, cli, ["apply", str(plan), "--journal", str(journal), "--report", str(report)])
        _show_report(console, report)


def _settings(emulator: EmulatorServer) -> dict[str, str]:
    feishu, tencent, yunxin = (emulator.credentials[vendor] for vendor in ("feishu", "tencent", "yunxin"))
    return {
        "FEISHU_APP_ID": feishu["app_id"], "FEISHU_APP_SECRET": feishu["app_secret"],
        "FEISHU_BASE_URL": emulator.base_url,
        "TENCENT_IM_SDKAPPID": str(tencent["sdkappid"]), "TENCENT_IM_SECRET_KEY": tencent["secret_key"],
        "TENCENT_IM_BASE_URL": emulator.base_url,
        "YUNXIN_APP_KEY": yunxin["app_key"], "YUNXIN_APP_SECRET": yunxin["app_secret"],
        "YUNXIN_BASE_URL": emulator.base_url,
    }  # fmt: skip


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(console: Console, cli: Any, args: list[str]) -> None:
    shown = " ".join(arg if " " not in arg else repr(arg) for arg in args)
    console.print(f"\n[cyan]$ imgroup {shown}[/]", soft_wrap=True)
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        cli.main(args=args, prog_name="imgroup", standalone_mode=False)
    for line in output.getvalue().splitlines():
        console.print(f"  {line}", soft_wrap=True, markup=False)


def _show_report(console: Console, report: Path) -> None:
    table = Table(title="\nThe apply's report", title_justify="left")
    columns = ("vendor", "action", "group", "name", "user", "status", "already_done", "message")
    for column in columns:
        table.add_column(column)
    with report.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            table.add_row(*(row[column] for column in columns))
    console.print(table)
