"""The kinds of bulk work: which vendor operation each runs, the input columns it reads, and each item's key.

A job only describes; the job kernel (``imgroup.jobs``: reading the input, the journal) and the runner do the rest.
Arguments are checked by the generated client's own ``prepare_<operation>`` function, the same code every call
goes through, so the bulk runner accepts exactly what the client would send and nothing it would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import imgroup_registry
from attrs import frozen
from feishu_im import registry as feishu
from tencent_im import registry as tencent
from yunxin_im import registry as yunxin

from imgroup.jobs import Column
from imgroup.runtime import AsyncClient
from imgroup.runtime.registry import Operation, OperationFacts

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
    """One kind of bulk work on one vendor: the operation (the registry's typed handle) each item is a call of."""

    command: str
    vendor: str
    call: Operation[..., object]
    columns: tuple[Column, ...]
    """In the order a headerless CSV lists them; the first ones are the item's key."""
    key_size: int = 1

    @property
    def operation(self) -> str:
        return self.call.name

    @property
    def name(self) -> str:
        """Names the job in the journal, so a journal is never resumed by another kind of job."""
        return f"{self.vendor}.{self.operation}"

    @property
    def facts(self) -> OperationFacts:
        """What the spec says of the operation: its limits, its already-done codes, its argument checks."""
        return imgroup_registry.vendor(self.vendor).operations[self.operation]

    def is_done_by(self, code: int, *, resumed: bool) -> bool:
        """Whether the vendor's ``code`` means this operation's work already holds, by the spec: its
        ``x-already-done`` codes always, its ``x-done-on-retry`` ones only for an item an earlier run may have sent
        (``resumed``)."""
        info = self.facts.info
        return code in info.already_done_codes or (resumed and code in info.done_on_retry_codes)

    def key(self, arguments: Mapping[str, Any]) -> str:
        """The item's natural key: its group id (joined with ``/`` for two-part keys, like calendar/event)."""
        return "/".join(str(arguments[column.parameter]) for column in self.columns[: self.key_size])

    def validate(self, arguments: Mapping[str, Any]) -> None:
        """Raise the client's ValidationError (a ValueError) when an argument breaks the spec."""
        self.facts.prepare(**arguments)

    async def perform(self, client: AsyncClient, arguments: Mapping[str, Any]) -> object:
        """Make the call for one item (its arguments come from the input: checked by ``validate``, not by type)."""
        return await self.call.async_method(client, **arguments)


DISBAND = {
    "feishu": Job("disband", "feishu", feishu.disband_chat, (Column("chat_id", "chat_id"),)),
    "tencent": Job("disband", "tencent", tencent.destroy_group, (Column("group_id", "group_id"),)),
    "yunxin": Job(
        "disband",
        "yunxin",
        yunxin.dismiss_team,
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
    feishu.remove_chat_members,
    (
        Column("chat_id", "chat_id"),
        Column("member_ids", "id_list", _member_ids),
        Column("member_id_type", "member_id_type"),
    ),
)

UNBIND_MEETING_CHAT = Job(
    "unbind-meeting-chat",
    "feishu",
    feishu.unbind_meeting_chat,
    (
        Column("calendar_id", "calendar_id"),
        Column("event_id", "event_id"),
        Column("meeting_chat_id", "meeting_chat_id"),
    ),
    key_size=2,
)
