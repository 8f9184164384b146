"""The events part of ``make demo``: the emulator pushes a change to the receiver, the inventory answers from it.

Syncs the inventory with ``imgroup inventory sync``, starts the receiver in this process (what ``imgroup events
serve`` runs) on the same database, points the emulator's pushes at it, moves a group's ownership through the
client, waits for the signed callback to be logged and applied, and asks ``imgroup inventory groups --owner``
who owns what: answered from the database, no vendor call.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path

from rich.console import Console

from imgroup._demo_offboarding import emulator_settings, run_command, scoped_environment
from imgroup.emulator import EmulatorServer

GROUP = "@TGS#roadmap"
DEMO_GROUP = {"group_id": GROUP, "type": "Public", "owner": "user1", "name": "Roadmap", "members": ["user2"]}
# The secrets the vendors' consoles would show; the emulator signs with the same ones.
FEISHU_TOKEN, FEISHU_KEY, TENCENT_TOKEN = "demo-verification-token", "demo-encrypt-key", "demo-callback-token"
WAIT_SECONDS = 60.0  # bounds waiting for the callback on a loaded machine


def show_events(emulator: EmulatorServer, console: Console) -> None:
    """Sync, receive one pushed owner change, and show the inventory answering who owns the group now."""
    from imgroup.cli import cli
    from imgroup.events import InventorySink, ReceiverServer, from_settings
    from imgroup.inventory import Inventory

    emulator.seed({"tencent": {"groups": [DEMO_GROUP]}})
    settings = {name: value for name, value in emulator_settings(emulator).items() if not name.startswith("YUNXIN_")}
    settings.update(
        FEISHU_VERIFICATION_TOKEN=FEISHU_TOKEN, FEISHU_ENCRYPT_KEY=FEISHU_KEY, TENCENT_IM_CALLBACK_TOKEN=TENCENT_TOKEN
    )
    console.print("\n[bold]Events keep an inventory current[/]: who owns what, answered without asking the vendor")
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder), scoped_environment(settings):
        db = Path("imgroup.db")
        run_command(console, cli, ["inventory", "sync", "--db", str(db)])
        vendors, _ = from_settings(environ=settings)
        console.print(f"\n[cyan]$ imgroup events serve --port 8080 --db {db} &[/]  [dim](here: in this process)[/]")
        with (
            Inventory.open(str(db)) as inventory,
            ReceiverServer(db, vendors=vendors, apply_change=InventorySink(inventory, vendors).apply) as receiver,
        ):
            tencent_app = settings["TENCENT_IM_SDKAPPID"]
            emulator.pushes(
                {
                    "feishu": {
                        settings["FEISHU_APP_ID"]: {
                            "url": f"{receiver.base_url}/events/feishu",
                            "verification_token": FEISHU_TOKEN,
                            "encrypt_key": FEISHU_KEY,
                        }
                    },
                    "tencent": {tencent_app: {"url": f"{receiver.base_url}/events/tencent", "token": TENCENT_TOKEN}},
                }
            )
            console.print(
                f"  [dim]a vendor console would be set to call {receiver.base_url}/events/<vendor>[/]", soft_wrap=True
            )
            console.print(
                f"\n[dim]Someone moves {GROUP} (Roadmap) to user2 in Tencent's console or through the API:[/]"
            )
            run_command(console, cli, ["tencent", "change-group-owner", GROUP, "user2"])
            log = receiver.receiver.log
            deadline = time.monotonic() + WAIT_SECONDS
            while log is None or log.counts()[1] < 1:
                if time.monotonic() > deadline:
                    raise RuntimeError("the pushed callback never reached the receiver")
                time.sleep(0.02)
                log = receiver.receiver.log
            console.print("  [green]received[/] Group.CallbackAfterChangeGroupOwner, signed, logged, applied")
            emulator.pushes({})  # the rest of the demo runs without a receiver
        run_command(console, cli, ["inventory", "groups", "--db", str(db), "--owner", "tencent:user2"])
        run_command(console, cli, ["inventory", "status", "--db", str(db)])
