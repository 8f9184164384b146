"""``make demo``: the generated clients at work on the embedded emulator.

Starts the emulator on a free loopback port with its demo seed; finds a group by listing, reads it, moves its
ownership and disbands it; takes groups down on each vendor; shows one typed error explained from the lookup
table; prints the emulator's audit log; shows a pushed event keeping the inventory current (``_demo_events``);
then plans and applies an offboarding with the ``imgroup`` commands (``_demo_offboarding``), and stops.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import feishu_im
import tencent_im
import yunxin_im
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from imgroup._demo_events import show_events
from imgroup._demo_offboarding import show_offboarding
from imgroup.emulator import DEMO_SEED, EmulatorServer
from imgroup.emulator._seed import DEMO_CALENDAR

console = Console(highlight=False)


def main() -> int:
    console.print("[bold]imgroup demo[/]: the generated clients against the embedded emulator\n")
    with EmulatorServer(seed=DEMO_SEED) as emulator:
        console.print(f"emulator at {emulator.base_url} (Feishu, Tencent Cloud Chat and Yunxin on one port)\n")
        credentials = emulator.credentials
        with (
            feishu_im.FeishuClient(**credentials["feishu"], base_url=emulator.base_url) as feishu,
            tencent_im.TencentIMClient(**credentials["tencent"], base_url=emulator.base_url) as tencent,
            yunxin_im.YunxinClient(**credentials["yunxin"], base_url=emulator.base_url) as yunxin,
        ):
            console.print("[bold]Find a group, read it, move its ownership, disband it[/]")
            show(
                "[g.group_id for g in tencent.iter_groups(limit=4)]",
                lambda: [g.group_id for g in tencent.iter_groups(limit=4)],
            )
            show(
                "tencent.get_group_info(group_id_list=['@TGS#demo_team'])", lambda: owner_of(tencent, "@TGS#demo_team")
            )
            show(
                "tencent.change_group_owner(group_id='@TGS#demo_team', new_owner_account='user3')",
                lambda: tencent.change_group_owner(group_id="@TGS#demo_team", new_owner_account="user3"),
            )
            show(
                "tencent.get_group_info(group_id_list=['@TGS#demo_team'])", lambda: owner_of(tencent, "@TGS#demo_team")
            )
            show(
                "tencent.destroy_group(group_id='@TGS#demo_team')",
                lambda: tencent.destroy_group(group_id="@TGS#demo_team"),
            )
            console.print("\n[bold]Take groups down on each vendor[/]")
            show("feishu.disband_chat('oc_demo_1')", lambda: feishu.disband_chat("oc_demo_1"))
            show(
                "feishu.remove_chat_members('oc_demo_2', id_list=['ou_bob', 'ou_nobody'])",
                lambda: feishu.remove_chat_members("oc_demo_2", id_list=["ou_bob", "ou_nobody"]),
            )
            show(
                f"feishu.unbind_meeting_chat('{DEMO_CALENDAR}', 'evt_demo_0', meeting_chat_id='oc_demo_meeting')",
                lambda: feishu.unbind_meeting_chat(DEMO_CALENDAR, "evt_demo_0", meeting_chat_id="oc_demo_meeting"),
            )
            show("tencent.destroy_group(group_id='@TGS#demo1')", lambda: tencent.destroy_group(group_id="@TGS#demo1"))
            show(
                "yunxin.dismiss_team('1001', team_type=1, operator_id='acc_owner')",
                lambda: yunxin.dismiss_team("1001", team_type=1, operator_id="acc_owner"),
            )
            console.print("\n[bold]A typed error, explained from the lookup table[/]")
            show("feishu.disband_chat('oc_demo_1')  # again", lambda: feishu.disband_chat("oc_demo_1"))
            console.print("\n[bold]Bad input fails before anything is sent[/]")
            show(
                "yunxin.dismiss_team('1002', team_type=3, operator_id='acc_owner')",
                lambda: yunxin.dismiss_team("1002", team_type=3, operator_id="acc_owner"),
            )
        print_audit_log(emulator.calls())
        show_events(emulator, console)
        show_offboarding(emulator, console)
    return 0


def owner_of(tencent: tencent_im.TencentIMClient, group_id: str) -> str:
    """One group's name, owner and members, read from get_group_info."""
    (group,) = tencent.get_group_info(group_id_list=[group_id]).group_info or []
    members = ", ".join(f"{m.member_account} ({m.role})" for m in group.member_list or [])
    return f"{group.name!r} owned by {group.owner_account}; members: {members}"


def show(label: str, call: Callable[[], Any]) -> None:
    console.print(f"[cyan]>>> {escape(label)}[/]")
    try:
        result = call()
    except (feishu_im.ApiError, tencent_im.ApiError, yunxin_im.ApiError) as error:
        console.print(f"  [red]{type(error).__name__}[/] code {error.code}: {error.message}")
        console.print(f"  category {error.category}, retryable {error.retryable}, request id {error.request_id}")
        if error.info is not None:
            console.print(f"  meaning: {error.info.description}")
            console.print(f"  what to do: {error.info.action}")
        return
    except ValueError as error:  # each package's ValidationError is a ValueError
        console.print(f"  [red]{type(error).__name__}[/]: {error}")
        return
    console.print(f"  [green]ok[/] {escape(result if isinstance(result, str) else repr(result))}")


def print_audit_log(calls: list[dict[str, Any]]) -> None:
    table = Table(title="\nThe emulator's audit log", title_justify="left")
    for column in ("vendor", "operation", "target", "code", "http", "effect"):
        table.add_column(column)
    for call in calls:
        table.add_row(
            call["vendor"],
            call["operation"],
            str(call["target"]),
            str(call["code"]),
            str(call["http_status"]),
            str(call.get("effect") or ""),
        )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
