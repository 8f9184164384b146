"""Measurement 13: the inventory. Planning one user's offboarding in 25,000 Feishu chats from it, against live
reads at the documented limits; and ``imgroup inventory sync`` of Feishu chats against those limits.

- **From the inventory**: a SQLite inventory of 25,000 chats (the user in one in 50, owner of a fifth of those)
  is written directly, then ``imgroup offboard feishu:ou_leaver --successor ... --from-inventory`` runs in its
  own process against the emulator (which answers the two people's look-ups). Timed: the whole command, start-up
  included, and the planning alone in process (the inventory's answer and the steps).
- **Live**: no call lists another user's chats, so a live plan reads the members of every chat the bot is in:
  at 25,000 chats that is 25,000 ``list_chat_members`` calls at Feishu's 1,000 a minute. Its time at 25,000
  chats is computed from the documented limits (each call as early as the windows allow); the same command
  without ``--from-inventory`` is measured on ``LIVE_CHATS`` chats against the emulator enforcing the limits,
  and set against that computed floor, so the computed figure can be trusted.
- **Sync**: ``imgroup inventory sync --vendor feishu`` of ``SYNC_CHATS`` chats, the emulator enforcing every
  documented limit in its own process. A chat is read with get_chat and list_chat_members, each limited on its
  own; the floor is the least time the limits allow for the calls the vendor accepted (bench.plans'
  ``floor_seconds``), and the share is that floor over the command's wall time.

Each figure is the median of ``RUNS`` runs. ``IMGROUP_BENCH_SYNC_CHATS`` sets the sync's size (a 25,000-chat
sync takes at least 25 minutes a run).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ._cli import main
from ._emulator import EmulatorAdmin, emulator_process
from ._rows import Row, Summary
from .plans import FEISHU, _environment, _measured, floor_seconds

MEASUREMENT = "13. inventory"
PLANNED_CHATS = 25_000
LIVE_CHATS = 3_000
SYNC_CHATS = int(os.environ.get("IMGROUP_BENCH_SYNC_CHATS", "25000"))
RUNS = 3
TARGET_PLANNING_S = 1.0
TARGET_SYNC_SHARE = 0.95
LEAVER, SUCCESSOR, OTHER = "ou_leaver", "ou_successor", "ou_other"
EVERY = 50  # the leaver is in one chat in 50
COMMAND = [sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())"]


def chat(index: int) -> tuple[str, str, list[str]]:
    """Chat ``index``: its id, its owner and its other members (the bot's app is in every chat)."""
    chat_id = f"oc_bench{index:06d}"
    if index % EVERY:
        return chat_id, OTHER, [SUCCESSOR]
    owner = LEAVER if index % (EVERY * 5) == 0 else OTHER
    return chat_id, owner, [user for user in (LEAVER, SUCCESSOR, OTHER) if user != owner]


def seed_for(chats: int) -> dict[str, Any]:
    records = []
    for index in range(chats):
        chat_id, owner, members = chat(index)
        records.append(
            {"chat_id": chat_id, "owner": owner, "creator": FEISHU["app_id"], "bots": [FEISHU["app_id"]],
             "members": members, "name": f"chat {index}"}
        )  # fmt: skip
    return {
        "feishu": {
            "apps": [FEISHU],
            "users": [{"open_id": user} for user in (LEAVER, SUCCESSOR, OTHER)],
            "chats": records,
        }
    }


def write_inventory(path: Path, chats: int) -> None:
    """An inventory of ``chats`` chats, as a sync would leave it (written directly: it is not what is timed)."""
    from imgroup.groups import Group, GroupRef, Role
    from imgroup.inventory import Inventory

    with Inventory.open(str(path)) as inventory:
        inventory.syncs.begin("feishu", FEISHU["app_id"], "")
        batch = []
        for index in range(chats):
            chat_id, owner, members = chat(index)
            roles = {owner: Role.OWNER, **dict.fromkeys(members, Role.MEMBER)}
            batch.append((Group(GroupRef("feishu", chat_id), f"chat {index}", owner, len(roles)), roles))
            if len(batch) == 500 or index == chats - 1:
                inventory.record_reads("feishu", FEISHU["app_id"], "", batch, time.time())
                batch = []
        inventory.syncs.finish("feishu", FEISHU["app_id"], "")  # recorded as the app's last full sync


def plan_in_process(path: Path, chats: int) -> float:
    """Seconds to plan from the inventory in this process: open it, the user's memberships, the steps."""
    from imgroup.groups import UserRef
    from imgroup.inventory import Inventory
    from imgroup.plans._planning import offboarding_steps

    start = time.perf_counter()
    with Inventory.open(str(path), create=False) as inventory:
        found = inventory.memberships([UserRef("feishu", LEAVER)], {"feishu": FEISHU["app_id"]})
        steps = offboarding_steps(found, {"feishu": UserRef("feishu", SUCCESSOR)}, disband_owned=False)
    seconds = time.perf_counter() - start
    if len(steps) != expected_steps(chats):
        raise RuntimeError(f"planned {len(steps)} steps, not {expected_steps(chats)}")
    return seconds


def expected_steps(chats: int) -> int:
    """A transfer and a removal for each chat the leaver owns, a removal for each other chat they are in."""
    owned = len(range(0, chats, EVERY * 5))
    return len(range(0, chats, EVERY)) + owned


def offboard(admin: EmulatorAdmin, scratch: Path, *extra: str) -> tuple[float, str]:
    plan = scratch / f"plan-{time.time_ns()}.jsonl"
    words = ["offboard", f"feishu:{LEAVER}", "--successor", f"feishu:{SUCCESSOR}", "--plan", str(plan), *extra]
    seconds, _, printed = _measured([*COMMAND, *words], _environment(scratch, admin))
    return seconds, printed


def accepted_calls(admin: EmulatorAdmin) -> Counter[str]:
    return Counter(call["operation"] for call in admin.calls() if call["vendor"] == "feishu" and call["code"] == 0)


def live_floor(chats: int) -> float:
    """The least time the documented limits allow a live plan of one user in ``chats`` chats."""
    pages = -(-chats // 100)
    calls = Counter(
        {"list_chats": pages, "list_chat_members": chats, "get_chat": len(range(0, chats, EVERY)), "get_user": 2}
    )
    return floor_seconds("feishu", calls)


def run_sync(admin: EmulatorAdmin, scratch: Path, chats: int) -> dict[str, float]:
    admin.restart_with(seed_for(chats))
    db = scratch / f"sync-{time.time_ns()}.sqlite"
    seconds, _, printed = _measured([*COMMAND, "inventory", "sync", "--db", str(db), "--vendor", "feishu"],
                                    _environment(scratch, admin))  # fmt: skip
    if f"{chats:,} groups listed, {chats:,} read".replace(",", "") not in printed.replace(",", ""):
        raise RuntimeError(f"the sync did not read every chat:\n{printed[-2000:]}")
    floor = floor_seconds("feishu", accepted_calls(admin))
    limited = sum(admin.state()["rate_limited"].get("feishu", {}).values())
    return {"seconds": seconds, "floor": floor, "rate_limited": limited}


def run(quick: bool) -> list[Row]:
    planned, live, synced, runs = (300, 60, 60, 1) if quick else (PLANNED_CHATS, LIVE_CHATS, SYNC_CHATS, RUNS)
    with emulator_process() as admin, tempfile.TemporaryDirectory(prefix="imgroup-bench-inventory-") as name:
        scratch = Path(name)
        inventory = scratch / f"inventory-{planned}.sqlite"
        write_inventory(inventory, planned)
        admin.restart_with(seed_for(1))  # the people the command looks up
        in_process = [plan_in_process(inventory, planned) for _ in range(runs)]
        command = [offboard(admin, scratch, "--from-inventory", "--db", str(inventory))[0] for _ in range(runs)]
        lives = []
        for _ in range(runs):
            admin.restart_with(seed_for(live))
            seconds, _ = offboard(admin, scratch)
            lives.append({"seconds": seconds, "floor": floor_seconds("feishu", accepted_calls(admin))})
        syncs = [run_sync(admin, scratch, synced) for _ in range(runs)]
    subject = f"1 user in {planned:,} Feishu chats"
    planning, whole = Summary.of(in_process), Summary.of(command)
    live_wall = Summary.of([run["seconds"] for run in lives])
    live_share = Summary.of([run["floor"] / run["seconds"] * 100 for run in lives])
    computed = live_floor(planned)
    sync_subject = f"inventory sync of {synced:,} Feishu chats, documented limits"
    sync_share = Summary.of([run["floor"] / run["seconds"] * 100 for run in syncs])
    return [
        Row(MEASUREMENT, subject, "planning from the inventory, in process", "s", planning,
            target=f"< {TARGET_PLANNING_S:g} s", met=planning.median < TARGET_PLANNING_S,
            note="the inventory's answer and the steps"),
        Row(MEASUREMENT, subject, "imgroup offboard --from-inventory, whole command", "s", whole,
            note="a fresh process: start-up and the live look-ups of the two people included"),
        Row(MEASUREMENT, subject, "live plan at the documented limits, computed", "s",
            Summary.of([computed]), note=f"{planned:,} list_chat_members calls at 50/s, 1,000/min; each as early "
            "as the windows allow"),
        Row(MEASUREMENT, f"1 user in {live:,} Feishu chats, documented limits", "live plan, measured", "s", live_wall,
            note=f"computed floor {live_floor(live):.0f} s"),
        Row(MEASUREMENT, f"1 user in {live:,} Feishu chats, documented limits",
            "floor the limits allow, share of the live plan's wall time", "%", live_share,
            note="how close a live plan comes to the computed time"),
        Row(MEASUREMENT, sync_subject, "wall time", "s", Summary.of([run["seconds"] for run in syncs]),
            note=f"floor {syncs[0]['floor']:.0f} s"),
        Row(MEASUREMENT, sync_subject, "floor the documented limits allow, share of the wall time", "%", sync_share,
            target=f"≥ {TARGET_SYNC_SHARE:.0%}", met=sync_share.median >= TARGET_SYNC_SHARE * 100,
            note="get_chat and list_chat_members per chat, each at its own limit"),
        Row(MEASUREMENT, sync_subject, "rate-limit answers", "count",
            Summary.of([run["rate_limited"] for run in syncs]), target="0",
            met=max(run["rate_limited"] for run in syncs) == 0),
    ]  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
