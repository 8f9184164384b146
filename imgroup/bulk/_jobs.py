"""The kinds of bulk work: which vendor operation each runs, the input columns it reads, and each item's key.

A job only describes; the job kernel (``imgroup.jobs``: reading the input, the journal) and the runner do the rest.
Arguments are checked by the generated client's own ``prepare_<operation>`` function, the same code every call
goes through, so the bulk runner accepts exactly what the client would send and nothing it would refuse.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from imgroup.jobs import Column

PACKAGES = {"feishu": "feishu_im", "tencent": "tencent_im", "yunxin": "yunxin_im"}
MEMBER_SEPARATOR = ";"


def _whole_number(cell: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise ValueError(f"must be a whole number (got {cell!r})") from None


def _member_ids(cell: str) -> list[str]:
    return [member.strip() for member in cell.split(MEMBER_SEPARATOR) if member.strip()]


@frozen
class Job:
    """One kind of bulk work on one vendor."""

    command: str
    vendor: str
    operation: str
    columns: tuple[Column, ...]
    """In the order a headerless CSV lists them; the first ones are the item's key."""
    key_size: int = 1

    @property
    def name(self) -> str:
        """Names the job in the journal, so a journal is never resumed by another kind of job."""
        return f"{self.vendor}.{self.operation}"

    @property
    def package(self) -> str:
        return PACKAGES[self.vendor]

    def is_done_by(self, code: int, *, resumed: bool) -> bool:
        """Whether the vendor's ``code`` means this operation's work already holds, by the spec: its
        ``x-already-done`` codes always, its ``x-done-on-retry`` ones only for an item an earlier run may have sent
        (``resumed``)."""
        info = importlib.import_module(f"{self.package}.operations").OPERATIONS[self.operation]
        return code in info.already_done_codes or (resumed and code in info.done_on_retry_codes)

    def key(self, arguments: Mapping[str, Any]) -> str:
        """The item's natural key: its group id (joined with ``/`` for two-part keys, like calendar/event)."""
        return "/".join(str(arguments[column.parameter]) for column in self.columns[: self.key_size])

    def validate(self, arguments: Mapping[str, Any]) -> None:
        """Raise the client's ValidationError (a ValueError) when an argument breaks the spec."""
        facade = importlib.import_module(f"{self.package}.facade")
        getattr(facade, f"prepare_{self.operation}")(**arguments)


DISBAND = {
    "feishu": Job("disband", "feishu", "disband_chat", (Column("chat_id", "chat_id"),)),
    "tencent": Job("disband", "tencent", "destroy_group", (Column("group_id", "group_id"),)),
    "yunxin": Job(
        "disband",
        "yunxin",
        "dismiss_team",
        (
            # Yunxin's team listings (``imgroup yunxin list-joined-teams --jsonl``) name the team "tid".
            Column("team_id", "team_id", aliases=("tid",)),
            Column("team_type", "team_type", _whole_number),
            Column("operator_id", "operator_id"),
            Column("extension", "extension"),
        ),
    ),
}

REMOVE_MEMBERS = Job(
    "remove-members",
    "feishu",
    "remove_chat_members",
    (
        Column("chat_id", "chat_id"),
        Column("member_ids", "id_list", _member_ids),
        Column("member_id_type", "member_id_type"),
    ),
)

UNBIND_MEETING_CHAT = Job(
    "unbind-meeting-chat",
    "feishu",
    "unbind_meeting_chat",
    (
        Column("calendar_id", "calendar_id"),
        Column("event_id", "event_id"),
        Column("meeting_chat_id", "meeting_chat_id"),
    ),
    key_size=2,
)
