"""The offboarding part of ``make demo``: plan, review and apply, on the emulator, with the real commands.

Seeds a few groups ivy owns, manages and belongs to on the three vendors, runs ``imgroup offboard``, shows the
plan, changes one group behind the plan's back, runs ``imgroup apply`` and shows its report: one step skipped as
changed since plan, the rest done; then writes the plan's review page (``imgroup plan review``) where it stays.
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

from imgroup.emulator import EmulatorServer

DEMO_GROUPS: dict[str, Any] = {
    "feishu": {
        "chats": [
            {"chat_id": "oc_offboard_1", "owner": "ou_ivy", "name": "Launch", "creator": "cli_demo",
             "members": ["ou_kim", "ou_lee"]},
            {"chat_id": "oc_offboard_2", "owner": "ou_kim", "name": "Design", "creator": "cli_demo",
             "members": ["ou_ivy", "ou_jack"], "managers": ["ou_ivy"]},
        ]
    },
    "tencent": {
        "accounts": ["ivy", "jack", "kim"],
        "groups": [
            {"group_id": "@TGS#offboard1", "type": "Public", "owner": "ivy", "name": "Sales", "members": ["kim"]},
            {"group_id": "@TGS#offboard2", "type": "Public", "owner": "ivy", "name": "tmp-notes"},
            {"group_id": "@TGS#offboard3", "type": "Public", "owner": "kim", "name": "Support",
             "members": ["ivy", "jack"]},
        ],
    },
    "yunxin": {
        "accounts": ["ivy", "jack", "kim"],
        "teams": [
            {"team_id": "3001", "team_type": 1, "owner": "ivy", "name": "Ops", "members": ["jack", "kim"]},
            {"team_id": "3002", "team_type": 2, "owner": "kim", "name": "All hands", "managers": ["ivy"]},
        ],
    },
}  # fmt: skip
USERS = ("feishu:ou_ivy", "tencent:ivy", "yunxin:ivy")
# The scratch folder goes when the demo ends; the review page stays, to be opened.
REVIEW_PAGE = Path(tempfile.gettempdir()) / "imgroup-demo" / "ivy.review.html"
SUCCESSORS = ("feishu:ou_jack", "tencent:jack", "yunxin:jack")


def show_offboarding(emulator: EmulatorServer, console: Console, review_page: Path | None = None) -> None:
    """Plan ivy's offboarding, let a group change after review, apply the plan and show what happened; write the
    plan's review page to ``review_page`` (default REVIEW_PAGE)."""
    review_page = (review_page or REVIEW_PAGE).resolve()
    from imgroup.cli import cli

    emulator.seed(DEMO_GROUPS)
    console.print("\n[bold]Offboarding ivy on three vendors: plan, review, apply[/]")
    # In a scratch folder, so that the commands shown name their files as a user would type them.
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.chdir(folder),
        scoped_environment(emulator_settings(emulator)),
    ):
        plan, report = Path("ivy.jsonl"), Path("ivy.csv")
        successors = [f"--successor={successor}" for successor in SUCCESSORS]
        run_command(console, cli, ["offboard", *USERS, *successors, "--plan", str(plan)])
        console.print(f"[cyan]$ cat {plan.name}[/]")
        for line in plan.read_text(encoding="utf-8").splitlines():
            console.print(f"  {line}", soft_wrap=True)
        console.print("\n[dim]After review, kim joins tmp-notes: the plan must not disband it now.[/]")
        emulator.seed({"tencent": {"groups": [{**DEMO_GROUPS["tencent"]["groups"][1], "members": ["kim"]}]}})
        journal = Path("ivy.journal")
        run_command(console, cli, ["apply", str(plan), "--journal", str(journal), "--report", str(report)])
        _show_report(console, report)
        console.print("\n[bold]Review a plan in a browser[/]: approve or reject steps, download the approved plan")
        review_page.parent.mkdir(parents=True, exist_ok=True)
        run_command(console, cli, ["plan", "review", str(plan), "--html", str(review_page)])
        console.print(f"open {review_page.as_uri()} to see the review page of the plan above", soft_wrap=True)


def emulator_settings(emulator: EmulatorServer) -> dict[str, str]:
    """The environment variables that point the command line at ``emulator``, with its apps' credentials."""
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
def scoped_environment(values: Mapping[str, str]) -> Iterator[None]:
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


def run_command(console: Console, cli: Any, args: list[str]) -> None:
    shown = " ".join(arg if " " not in arg else repr(arg) for arg in args)
    console.print(f"\n[cyan]$ imgroup {shown}[/]", soft_wrap=True)
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        cli.main(args=args, prog_name="imgroup", standalone_mode=False)
    for line in output.getvalue().splitlines():
        console.print(f"  {line}", soft_wrap=True, markup=False)


def _show_report(console: Console, report: Path) -> None:
    console.print(f"\n[cyan]$ cat {report.name}[/]  [dim](status, action, group, user, why)[/]")
    with report.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            status = "already done" if row["already_done"] == "True" else row["status"]
            line = f"  {status:<12} {row['action']:<14} {row['group']:<24} {row['user']:<16} {row['message']}"
            console.print(line.rstrip(), markup=False, soft_wrap=True)
