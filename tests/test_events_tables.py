"""The generated event tables follow the specs' webhooks, and each event becomes the changes it reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feishu_im.events
import pytest
import tencent_im.events
import yunxin_im.events
from feishu_im.models import ChatMemberBotAddedEvent, ChatMemberUserWithdrawnEvent, ChatUpdatedEvent

from generator.spec import load_spec
from imgroup.events import EventContext, to_changes
from imgroup.inventory.changes import GroupRenamed, MembersLeft, OwnerChanged
from tests.event_requests import FEISHU_APP, feishu_event

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"feishu.yaml": feishu_im.events, "tencent_im.yaml": tencent_im.events, "yunxin.yaml": yunxin_im.events}
CONTEXT = EventContext(
    vendor="feishu", key="", app=FEISHU_APP, tenant="tenant-1", seq=1, received_at=datetime(2026, 1, 1, tzinfo=UTC)
)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_webhook_of_the_spec_is_an_event_with_its_verifier(name: str) -> None:
    spec = load_spec(ROOT / "specs" / name, validate=False)
    table = TABLES[name]
    assert set(table.EVENTS) == {event.key for event in spec.events}
    assert spec.verifier is not None
    assert (table.VERIFIER.scheme, table.VERIFIER.replay_window_seconds) == (
        spec.verifier.scheme,
        spec.verifier.replay_window_seconds,
    )
    for event in spec.events:
        assert table.EVENTS[event.key].model.__name__ == event.schema


def test_every_feishu_schema_2_event_is_one_lark_oapi_dispatches() -> None:
    from lark_oapi.event.dispatcher_handler import EventDispatcherHandlerBuilder

    registered = {name for name in dir(EventDispatcherHandlerBuilder) if name.startswith("register_p2_")}
    for key, facts in feishu_im.events.EVENTS.items():
        if facts.envelope == "v2":
            assert "register_p2_" + key.replace(".", "_") in registered


def test_an_updated_chat_reports_its_new_owner_and_name() -> None:
    payload = feishu_event(
        "im.chat.updated_v1",
        {
            "chat_id": "oc_1",
            "after_change": {"owner_id": {"open_id": "ou_new"}, "name": "Renamed"},
            "before_change": {"owner_id": {"open_id": "ou_old"}, "name": "Old"},
        },
        event_id="e1",
    )
    changes = to_changes(ChatUpdatedEvent.from_dict(payload), CONTEXT)
    at = datetime.fromtimestamp(1_700_000_000, UTC)
    where = {"vendor": "feishu", "app": FEISHU_APP, "tenant": "tenant-1", "group_id": "oc_1", "at": at}
    assert changes == [
        OwnerChanged(**where, owner="ou_new", previous_owner="ou_old"),
        GroupRenamed(**where, name="Renamed"),
    ]


def test_an_update_of_settings_alone_reports_nothing() -> None:
    payload = feishu_event(
        "im.chat.updated_v1", {"chat_id": "oc_1", "after_change": {"edit_permission": "only_owner"}}, event_id="e"
    )
    assert to_changes(ChatUpdatedEvent.from_dict(payload), CONTEXT) == []


def test_a_withdrawn_invitation_is_members_left_and_a_bot_added_is_no_change() -> None:
    users = [{"name": "A", "user_id": {"open_id": "ou_a"}}, {"name": "B", "user_id": {"open_id": "ou_b"}}]
    withdrawn = feishu_event("im.chat.member.user.withdrawn_v1", {"chat_id": "oc_1", "users": users}, event_id="e")
    (change,) = to_changes(ChatMemberUserWithdrawnEvent.from_dict(withdrawn), CONTEXT)
    assert isinstance(change, MembersLeft) and change.users == ("ou_a", "ou_b")
    bot = feishu_event("im.chat.member.bot.added_v1", {"chat_id": "oc_1"}, event_id="e")
    assert to_changes(ChatMemberBotAddedEvent.from_dict(bot), CONTEXT) == []
