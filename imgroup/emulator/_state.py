"""What the emulator remembers: apps and their secrets, groups, members, meeting chats, issued tokens.

State lives in memory and is only touched from the server's event loop, so it needs no locks. Secrets are
kept out of every repr and snapshot.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

# A store app's caller, as the dialect names it: the app and the tenant its tenant_access_token is for.
TENANT_SEPARATOR = "@"


class SeedError(ValueError):
    """A seed document that does not have the documented shape."""


@dataclass
class FeishuApp:
    """A Feishu app: a custom app (自建应用) of one tenant, or a store app (商店应用) installed by ``tenants``."""

    app_id: str
    app_secret: str = field(repr=False)
    tenant: str = "default"  # a custom app's tenant; for a store app, the tenant a caller's token is for
    bot_enabled: bool = True
    scopes: frozenset[str] | None = None  # None: every scope granted
    app_type: str = "custom"  # or "store"
    tenants: list[str] = field(default_factory=list)  # the tenants that installed a store app
    verification_token: str = field(default="", repr=False)  # sent in the app's events

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes


@dataclass
class FeishuUser:
    """A person of a tenant's contacts, as get_user answers them; one who has left stays, resigned."""

    open_id: str
    tenant: str = "default"
    name: str = ""
    union_id: str = ""
    user_id: str = ""
    resigned: bool = False


@dataclass
class FeishuChat:
    chat_id: str
    owner: str  # a user's open_id, or an app_id when that app's bot owns the chat
    creator: str
    chat_mode: str = "group"
    tenant: str = "default"
    external: bool = False
    members: set[str] = field(default_factory=set)  # users, by open_id
    bots: set[str] = field(default_factory=set)  # apps, by app_id
    managers: set[str] = field(default_factory=set)
    dissolved: bool = False
    name: str = ""
    description: str = ""
    chat_type: str = "private"  # or "public"
    created_at: int = 0  # seconds; chats list in (created_at, chat_id) order
    active_at: int = 0  # seconds; the last change, for the ByActiveTimeDesc order
    settings: dict[str, Any] = field(default_factory=dict)  # permission settings update_chat was given

    def has_participant(self, member_id: str) -> bool:
        return member_id in self.members or member_id in self.bots


@dataclass
class CalendarEvent:
    """An event a meeting chat can be created for, with the users who attend it."""

    calendar_id: str
    event_id: str
    attendees: list[str] = field(default_factory=list)


@dataclass
class MeetingChat:
    calendar_id: str
    event_id: str
    chat_id: str
    owner: str
    bound: bool = True


@dataclass
class TencentApp:
    sdkappid: int
    secret_key: str = field(repr=False)
    admin: str = "administrator"


# Tencent's group roles, in the order member lists answer them.
TENCENT_ROLES = ("Owner", "Admin", "Member")
TENCENT_DEFAULT_CREATED_AT = 1_700_000_000


@dataclass
class TencentGroup:
    group_id: str
    type: str
    owner: str  # "" when the group has no owner
    members: set[str] = field(default_factory=set)  # plain members (role Member)
    destroyed: bool = False
    name: str = ""
    created_at: int = TENCENT_DEFAULT_CREATED_AT
    admins: set[str] = field(default_factory=set)  # role Admin
    join_times: dict[str, int] = field(default_factory=dict)  # absent: joined when the group was created
    seq: int = 0  # the listing key: get_appid_group_list pages in this order, its cursor is the last seq seen
    profile: dict[str, Any] = field(default_factory=dict)  # Introduction, Notification, FaceUrl, ... as sent
    app_defined_data: dict[str, str] = field(default_factory=dict)

    def role_of(self, account: str) -> str | None:
        if self.owner and account == self.owner:
            return "Owner"
        if account in self.admins:
            return "Admin"
        if account in self.members:
            return "Member"
        return None

    def participants(self) -> list[tuple[str, str]]:
        """(account, role) of everyone in the group: the owner, then admins, then members, each sorted."""
        owner = [(self.owner, "Owner")] if self.owner else []
        return owner + [(a, "Admin") for a in sorted(self.admins)] + [(a, "Member") for a in sorted(self.members)]

    def join_time(self, account: str) -> int:
        return self.join_times.get(account, self.created_at)

    def set_role(self, account: str, role: str) -> None:
        """Put ``account`` in the group with ``role`` (Owner replaces the owner, who becomes a Member)."""
        self.admins.discard(account)
        self.members.discard(account)
        if role == "Owner":
            if self.owner and self.owner != account:
                self.members.add(self.owner)
            self.owner = account
        elif role == "Admin":
            self.admins.add(account)
        else:
            self.members.add(account)

    def remove(self, account: str) -> bool:
        """Take ``account`` out of the group (never the owner); True when it was in."""
        was_in = account in self.admins or account in self.members
        self.admins.discard(account)
        self.members.discard(account)
        self.join_times.pop(account, None)
        return was_in


@dataclass
class YunxinApp:
    app_key: str
    app_secret: str = field(repr=False)


# Seeded teams without a creation time were made at this instant (epoch ms), so answers stay deterministic.
YUNXIN_SEED_EPOCH_MS = 1_700_000_000_000


@dataclass
class YunxinTeam:
    team_id: str
    team_type: int
    owner: str
    managers: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)  # ordinary members: neither the owner nor a manager
    dismissed: bool = False
    name: str = ""
    created_at: int = YUNXIN_SEED_EPOCH_MS  # epoch ms
    updated_at: int = YUNXIN_SEED_EPOCH_MS
    members_limit: int = 200
    profile: dict[str, str] = field(default_factory=dict)  # icon, announcement, intro, extensions
    configuration: dict[str, int] = field(default_factory=dict)
    joined_at: dict[str, int] = field(default_factory=dict)  # account -> epoch ms; absent: created_at

    def role_of(self, account: str) -> str | None:
        if account == self.owner:
            return "owner"
        if account in self.managers:
            return "manager"
        if account in self.members:
            return "member"
        return None

    def participants(self) -> set[str]:
        return {self.owner, *self.managers, *self.members}


@dataclass
class EmulatorState:
    """Every vendor's records, keyed by the id each vendor uses."""

    feishu_apps: dict[str, FeishuApp] = field(default_factory=dict)
    feishu_chats: dict[str, FeishuChat] = field(default_factory=dict)
    feishu_users: dict[str, FeishuUser] = field(default_factory=dict)  # by open_id
    meeting_chats: dict[tuple[str, str], MeetingChat] = field(default_factory=dict)
    calendar_events: dict[tuple[str, str], CalendarEvent] = field(default_factory=dict)
    chat_uuids: dict[tuple[str, str], str] = field(default_factory=dict)  # (app_id, uuid) -> chat made with it
    tencent_apps: dict[int, TencentApp] = field(default_factory=dict)
    tencent_groups: dict[str, TencentGroup] = field(default_factory=dict)  # in seq order
    tencent_accounts: set[str] = field(default_factory=set)  # imported UserIDs
    tencent_last_seq: int = 0
    yunxin_apps: dict[str, YunxinApp] = field(default_factory=dict)
    yunxin_teams: dict[str, YunxinTeam] = field(default_factory=dict)
    yunxin_accounts: set[str] = field(default_factory=set)

    def load_seed(self, seed: dict[str, Any]) -> None:
        """Add (or replace, by id) the records of a seed document; see docs/emulator.md for its shape.

        All or nothing: a malformed seed raises SeedError and leaves the state as it was.
        """
        staged = copy.deepcopy(self)
        staged._load(seed)
        self.__dict__.update(staged.__dict__)

    def _load(self, seed: dict[str, Any]) -> None:
        if not isinstance(seed, dict):
            raise SeedError("a seed is a JSON object keyed by vendor")
        unknown = set(seed) - {"feishu", "tencent", "yunxin"}
        if unknown:
            raise SeedError(f"unknown vendor keys in seed: {sorted(unknown)}")
        try:
            self._load_feishu(seed.get("feishu", {}))
            self._load_tencent(seed.get("tencent", {}))
            self._load_yunxin(seed.get("yunxin", {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, SeedError):
                raise
            raise SeedError(f"malformed seed: {type(exc).__name__}: {exc}") from None

    def _load_feishu(self, section: dict[str, Any]) -> None:
        for app in section.get("apps", []):
            app_type = str(app.get("app_type", "custom"))
            if app_type not in ("custom", "store"):
                raise SeedError(f"feishu app {app['app_id']}: app_type is custom or store (got {app_type!r})")
            tenants = [str(t) for t in app.get("tenants", [])]
            if (tenants and app_type != "store") or any(TENANT_SEPARATOR in t or not t for t in tenants):
                raise SeedError(f"feishu app {app['app_id']}: tenants are non-empty tenant keys of a store app")
            self.feishu_apps[app["app_id"]] = FeishuApp(
                app_id=str(app["app_id"]),
                app_secret=str(app["app_secret"]),
                tenant=str(app.get("tenant", "default")),
                bot_enabled=bool(app.get("bot_enabled", True)),
                scopes=frozenset(str(s) for s in app["scopes"]) if "scopes" in app else None,
                app_type=app_type,
                tenants=tenants,
                verification_token=str(app.get("verification_token", "")),
            )
        for user in section.get("users", []):
            open_id = str(user["open_id"])
            self.feishu_users[open_id] = FeishuUser(
                open_id=open_id,
                tenant=str(user.get("tenant", "default")),
                name=str(user.get("name", "")),
                union_id=str(user.get("union_id", "")),
                user_id=str(user.get("user_id", "")),
                resigned=bool(user.get("resigned", False)),
            )
        for chat in section.get("chats", []):
            owner = str(chat["owner"])
            creator = str(chat.get("creator", owner))
            # A member is an id, or {"id": ..., "role": "manager" | "member"}.
            members: set[str] = set()
            managers = {str(m) for m in chat.get("managers", [])}
            for member in chat.get("members", []):
                member_id = str(member["id"]) if isinstance(member, dict) else str(member)
                members.add(member_id)
                if isinstance(member, dict) and member.get("role", "member") == "manager":
                    managers.add(member_id)
            bots = {str(b) for b in chat.get("bots", [])}
            # The owner and the creator are in the chat, as users or as their app's bot.
            for participant in {owner, creator}:
                (bots if participant in self.feishu_apps else members).add(participant)
            created_at = int(chat.get("created_at", 0))
            tenant = str(chat.get("tenant", "default"))
            self.add_feishu_users(members | managers, tenant)
            self.feishu_chats[chat["chat_id"]] = FeishuChat(
                chat_id=str(chat["chat_id"]),
                owner=owner,
                creator=creator,
                chat_mode=str(chat.get("chat_mode", "group")),
                tenant=tenant,
                external=bool(chat.get("external", False)),
                members=members,
                bots=bots,
                managers=managers,
                dissolved=bool(chat.get("dissolved", False)),
                name=str(chat.get("name", "")),
                description=str(chat.get("description", "")),
                chat_type=str(chat.get("chat_type", "private")),
                created_at=created_at,
                active_at=created_at,
            )
        for event in section.get("calendar_events", []):
            calendar_event = CalendarEvent(
                calendar_id=str(event["calendar_id"]),
                event_id=str(event["event_id"]),
                attendees=[str(a) for a in event.get("attendees", [])],
            )
            self.calendar_events[(calendar_event.calendar_id, calendar_event.event_id)] = calendar_event
            self.add_feishu_users(calendar_event.attendees, "default")
        for meeting in section.get("meeting_chats", []):
            record = MeetingChat(
                calendar_id=str(meeting["calendar_id"]),
                event_id=str(meeting["event_id"]),
                chat_id=str(meeting["chat_id"]),
                owner=str(meeting["owner"]),
                bound=bool(meeting.get("bound", True)),
            )
            self.add_feishu_users([record.owner], "default")
            self.meeting_chats[(record.calendar_id, record.event_id)] = record

    def feishu_caller(self, principal: str) -> FeishuApp | None:
        """The app a caller acts as: ``app_id`` (a custom app) or ``app_id@tenant_key`` (a store app in a tenant).

        A store app in a tenant is answered as the app with that tenant, so every rule that reads the caller's
        tenant reads the one its token is for.
        """
        app_id, _, tenant = principal.partition(TENANT_SEPARATOR)
        app = self.feishu_apps.get(app_id)
        if app is None or (app.app_type == "store") != bool(tenant):
            return None
        if not tenant:
            return app
        return replace(app, tenant=tenant) if tenant in app.tenants else None

    def add_feishu_users(self, open_ids: Iterable[str], tenant: str) -> None:
        """Make the people a seed puts in chats or events users of the contacts, unless the seed says who they are."""
        for open_id in open_ids:
            if open_id not in self.feishu_users and open_id not in self.feishu_apps:
                self.feishu_users[open_id] = FeishuUser(open_id=open_id, tenant=tenant)

    def _load_tencent(self, section: dict[str, Any]) -> None:
        for app in section.get("apps", []):
            self.tencent_apps[int(app["sdkappid"])] = TencentApp(
                sdkappid=int(app["sdkappid"]),
                secret_key=str(app["secret_key"]),
                admin=str(app.get("admin", "administrator")),
            )
        self.tencent_accounts.update(str(a) for a in section.get("accounts", []))
        for group in section.get("groups", []):
            owner = str(group.get("owner", ""))
            admins = {str(a) for a in group.get("admins", [])} - {owner}
            record = TencentGroup(
                group_id=str(group["group_id"]),
                type=str(group.get("type", "Public")),
                owner=owner,
                members={str(m) for m in group.get("members", [])} - admins - {owner},
                destroyed=bool(group.get("destroyed", False)),
                name=str(group.get("name", group["group_id"])),
                created_at=int(group.get("created_at", TENCENT_DEFAULT_CREATED_AT)),
                admins=admins,
            )
            self.add_tencent_group(record)

    def add_tencent_group(self, group: TencentGroup) -> None:
        """Add (or replace) a group at the end of the listing order, and import its participants."""
        self.tencent_groups.pop(group.group_id, None)
        self.tencent_last_seq += 1
        group.seq = self.tencent_last_seq
        self.tencent_groups[group.group_id] = group
        self.tencent_accounts.update(account for account, _ in group.participants())

    def _load_yunxin(self, section: dict[str, Any]) -> None:
        for app in section.get("apps", []):
            self.yunxin_apps[str(app["app_key"])] = YunxinApp(
                app_key=str(app["app_key"]), app_secret=str(app["app_secret"])
            )
        self.yunxin_accounts.update(str(a) for a in section.get("accounts", []))
        for team in section.get("teams", []):
            team_type = int(team["team_type"])
            if not str(team["team_id"]).isdigit():  # Yunxin's team ids are 64-bit integers, answered as numbers
                raise SeedError(f"team {team['team_id']!r}: team_id must be a number (digits)")
            if team_type not in (1, 2):
                raise SeedError(f"team {team['team_id']!r}: team_type must be 1 (advanced) or 2 (super)")
            owner = str(team["owner"])
            managers = {str(m) for m in team.get("managers", [])} - {owner}
            created_at = int(team.get("created_at", YUNXIN_SEED_EPOCH_MS))
            record = YunxinTeam(
                team_id=str(int(team["team_id"])),
                team_type=team_type,
                owner=owner,
                managers=managers,
                members={str(m) for m in team.get("members", [])} - managers - {owner},
                dismissed=bool(team.get("dismissed", False)),
                name=str(team.get("name", "")),
                created_at=created_at,
                updated_at=created_at,
                members_limit=int(team.get("members_limit", 200)),
            )
            self.yunxin_teams[record.team_id] = record
            self.yunxin_accounts.update(record.participants())

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready view of every record, without secrets."""
        return {
            "feishu": {
                "apps": sorted(self.feishu_apps),
                "tenants": {app_id: list(a.tenants) for app_id, a in self.feishu_apps.items() if a.app_type == "store"},
                "chats": {
                    chat_id: {
                        "owner": c.owner,
                        "creator": c.creator,
                        "chat_mode": c.chat_mode,
                        "tenant": c.tenant,
                        "external": c.external,
                        "members": sorted(c.members),
                        "bots": sorted(c.bots),
                        "managers": sorted(c.managers),
                        "dissolved": c.dissolved,
                        "name": c.name,
                        "description": c.description,
                        "chat_type": c.chat_type,
                        "created_at": c.created_at,
                    }
                    for chat_id, c in self.feishu_chats.items()
                },
                "users": {
                    open_id: {"tenant": u.tenant, "name": u.name, "resigned": u.resigned}
                    for open_id, u in self.feishu_users.items()
                },
                "meeting_chats": [
                    {
                        "calendar_id": m.calendar_id,
                        "event_id": m.event_id,
                        "chat_id": m.chat_id,
                        "owner": m.owner,
                        "bound": m.bound,
                    }
                    for m in self.meeting_chats.values()
                ],
            },
            "tencent": {
                "apps": sorted(self.tencent_apps),
                "groups": {
                    group_id: {
                        "type": g.type,
                        "owner": g.owner,
                        "admins": sorted(g.admins),
                        "members": sorted(g.members),
                        "name": g.name,
                        "created_at": g.created_at,
                        "destroyed": g.destroyed,
                    }
                    for group_id, g in self.tencent_groups.items()
                },
            },
            "yunxin": {
                "apps": sorted(self.yunxin_apps),
                "teams": {
                    team_id: {
                        "team_type": t.team_type,
                        "name": t.name,
                        "created_at": t.created_at,
                        "owner": t.owner,
                        "managers": sorted(t.managers),
                        "members": sorted(t.members),
                        "dismissed": t.dismissed,
                    }
                    for team_id, t in self.yunxin_teams.items()
                },
            },
        }
