"""The demo seed: one app per vendor and a group for every documented outcome of every operation.

Its secrets are demo values, printed by ``serve`` on purpose; never reuse them for a real app.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DEMO_CALENDAR = "feishu.cn_demo@group.calendar.feishu.cn"

DEMO_SEED: dict[str, Any] = {
    "feishu": {
        "apps": [
            {"app_id": "cli_demo", "app_secret": "demo-feishu-app-secret"},
            {"app_id": "cli_demo_other_tenant", "app_secret": "demo-feishu-other-secret", "tenant": "other"},
            {"app_id": "cli_demo_no_bot", "app_secret": "demo-feishu-no-bot-secret", "bot_enabled": False},
        ],
        # The people of the contacts (get_user); everyone in a chat below is one too, of the chat's tenant.
        "users": [
            {"open_id": "ou_alice", "name": "Alice"},
            {"open_id": "ou_bob", "name": "Bob"},
            {"open_id": "ou_former", "name": "Former colleague", "resigned": True},
        ],
        "chats": [
            # cli_demo's bot owns these: they disband (and lose members) without complaint.
            {"chat_id": "oc_demo_1", "owner": "cli_demo", "members": ["ou_alice", "ou_bob"], "chat_mode": "group"},
            {"chat_id": "oc_demo_2", "owner": "cli_demo", "members": ["ou_alice", "ou_bob"], "chat_mode": "group"},
            {"chat_id": "oc_demo_3", "owner": "cli_demo", "members": ["ou_alice", "ou_bob"], "chat_mode": "group"},
            # Created by the bot, owned by a user: the creator may still disband it (im:chat:operate_as_owner).
            {"chat_id": "oc_demo_created", "owner": "ou_alice", "creator": "cli_demo", "members": ["ou_bob"]},
            # The bot is only a member: 232017 to disband, 232014 to remove members.
            {"chat_id": "oc_demo_member", "owner": "ou_carol", "bots": ["cli_demo"], "members": ["ou_bob"]},
            # The bot is not in it: 232011.
            {"chat_id": "oc_demo_outside", "owner": "ou_carol", "members": ["ou_dave"]},
            {"chat_id": "oc_demo_topic", "owner": "cli_demo", "members": ["ou_alice"], "chat_mode": "topic"},
            {"chat_id": "oc_demo_external", "owner": "cli_demo", "members": ["ou_alice"], "external": True},
            {"chat_id": "oc_demo_other_tenant", "owner": "cli_demo_other_tenant", "tenant": "other"},
            {"chat_id": "oc_demo_dissolved", "owner": "cli_demo", "members": ["ou_alice"], "dissolved": True},
            # For the read and ownership operations. A user created this one, so once the bot hands it over
            # it may no longer disband it (232017): no creator's scope rescues it.
            {
                "chat_id": "oc_demo_transfer",
                "name": "Handover demo",
                "owner": "cli_demo",
                "creator": "ou_alice",
                "members": ["ou_alice", {"id": "ou_bob", "role": "manager"}, "ou_carol"],
                "created_at": 1700000100,
            },
            {
                "chat_id": "oc_demo_named",
                "name": "Project demo",
                "description": "A chat with a name, for get-chat and search-chats",
                "owner": "cli_demo",
                "members": ["ou_alice", "ou_bob"],
                "created_at": 1700000200,
            },
            # Public, and the bot is not in it: search finds it, get answers 232011.
            {
                "chat_id": "oc_demo_public",
                "name": "Project public demo",
                "chat_type": "public",
                "owner": "ou_dave",
                "members": ["ou_erin"],
                "created_at": 1700000300,
            },
        ],
        "calendar_events": [
            {"calendar_id": DEMO_CALENDAR, "event_id": "evt_demo_2", "attendees": ["ou_alice", "ou_bob"]},
        ],
        "meeting_chats": [
            {"calendar_id": DEMO_CALENDAR, "event_id": "evt_demo_0", "chat_id": "oc_demo_meeting", "owner": "cli_demo"},
            {
                "calendar_id": DEMO_CALENDAR,
                "event_id": "evt_demo_1",
                "chat_id": "oc_demo_meeting_user",
                "owner": "ou_alice",
            },
        ],
    },
    "tencent": {
        "apps": [{"sdkappid": 1400000000, "secret_key": "demo-tencent-secret-key", "admin": "administrator"}],
        "accounts": ["user5"],  # imported, in no group: add_group_member takes it
        "groups": [
            {"group_id": "@TGS#demo1", "type": "Public", "owner": "user1", "members": ["user2"]},
            {"group_id": "@TGS#demo2", "type": "Work", "owner": "user1"},
            {"group_id": "@TGS#demo3", "type": "Meeting", "owner": "user1"},
            {"group_id": "@TGS#demo_gone", "type": "Public", "owner": "user1", "destroyed": True},
            # Every role: user1 owns it, user3 manages it, user2 and user4 belong to it.
            {
                "group_id": "@TGS#demo_team",
                "type": "Public",
                "name": "Demo team",
                "created_at": 1700000000,
                "owner": "user1",
                "admins": ["user3"],
                "members": ["user2", "user4"],
            },
            # AVChatRoom: no owner change, no added members (10007).
            {"group_id": "@TGS#demo_live", "type": "AVChatRoom", "name": "Demo live", "owner": "user1"},
            # Community: members page by Next.
            {
                "group_id": "@TGS#_demo_community",
                "type": "Community",
                "name": "Demo community",
                "owner": "user1",
                "members": ["user2", "user3", "user4"],
            },
            # The README's offboarding walkthrough: alice leaves, bob takes over.
            {
                "group_id": "@TGS#demo_alice",
                "type": "Public",
                "name": "Alice's project",
                "owner": "alice",
                "members": ["bob"],
            },
            # The README's sweep walkthrough: a small group with a tmp- name.
            {"group_id": "@TGS#demo_tmp", "type": "Public", "name": "tmp-standup", "owner": "bob"},
        ],
    },
    "yunxin": {
        "apps": [{"app_key": "demo_app_key", "app_secret": "demo-yunxin-app-secret"}],
        "accounts": ["acc_outsider"],
        "teams": [
            {
                "team_id": "1001",
                "team_type": 1,
                "name": "Demo advanced team",
                "created_at": 1700000000000,
                "owner": "acc_owner",
                "managers": ["acc_manager"],
                "members": ["acc_member"],
            },
            {
                "team_id": "1002",
                "team_type": 1,
                "name": "Demo advanced team 2",
                "created_at": 1700000100000,
                "owner": "acc_owner",
                "managers": ["acc_manager"],
                "members": ["acc_member"],
            },
            # No manager yet: for handing over (transfer, managers) and for member changes.
            {
                "team_id": "1003",
                "team_type": 1,
                "name": "Demo handover",
                "created_at": 1700000200000,
                "owner": "acc_owner",
                "members": ["acc_manager", "acc_member"],
            },
            # acc_manager owns it: acc_owner only belongs to it.
            {
                "team_id": "1004",
                "team_type": 1,
                "name": "Demo owned by another",
                "created_at": 1700000300000,
                "owner": "acc_manager",
                "members": ["acc_owner"],
            },
            {
                "team_id": "2001",
                "team_type": 2,
                "name": "Demo super team",
                "created_at": 1700000400000,
                "owner": "acc_owner",
                "managers": ["acc_manager"],
                "members": ["acc_member"],
            },
            {"team_id": "1999", "team_type": 1, "name": "Demo dismissed", "owner": "acc_owner", "dismissed": True},
            # The README's offboarding walkthrough: acc_alice leaves, acc_bob takes over.
            {
                "team_id": "1005",
                "team_type": 1,
                "name": "Alice's team",
                "created_at": 1700000500000,
                "owner": "acc_alice",
                "members": ["acc_bob"],
            },
        ],
    },
}


def first_credentials(seed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The credentials of the first app of each vendor in ``seed``, in the shape EmulatorServer hands out."""
    credentials: dict[str, dict[str, Any]] = {}
    feishu_apps = seed.get("feishu", {}).get("apps", [])
    if feishu_apps:
        credentials["feishu"] = {"app_id": feishu_apps[0]["app_id"], "app_secret": feishu_apps[0]["app_secret"]}
    tencent_apps = seed.get("tencent", {}).get("apps", [])
    if tencent_apps:
        app = tencent_apps[0]
        credentials["tencent"] = {
            "sdkappid": int(app["sdkappid"]),
            "secret_key": app["secret_key"],
            "identifier": app.get("admin", "administrator"),
        }
    yunxin_apps = seed.get("yunxin", {}).get("apps", [])
    if yunxin_apps:
        credentials["yunxin"] = {"app_key": yunxin_apps[0]["app_key"], "app_secret": yunxin_apps[0]["app_secret"]}
    return credentials


# The seeds the command line and ``POST /_emulator/reset?seed=NAME`` know by name; anything else is a file.
NAMED_SEEDS: dict[str, dict[str, Any]] = {"demo": DEMO_SEED, "empty": {}}


class SeedFileError(ValueError):
    """A ``--seed`` that names no known seed and no readable JSON file."""


def read_seed(name_or_path: str | Path) -> dict[str, Any]:
    """The seed ``name_or_path`` names: ``demo``, ``empty``, or a JSON file (its shape is checked on loading)."""
    if isinstance(name_or_path, str) and name_or_path in NAMED_SEEDS:
        return copy.deepcopy(NAMED_SEEDS[name_or_path])
    path = Path(name_or_path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedFileError(f"{path} is neither a file nor one of the seeds {', '.join(NAMED_SEEDS)}") from None
    except OSError as error:
        raise SeedFileError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SeedFileError(f"{path} is not a JSON document ({error})") from None
    if not isinstance(document, dict):
        raise SeedFileError(f"{path} is not a seed: a seed is a JSON object keyed by vendor")
    return document
