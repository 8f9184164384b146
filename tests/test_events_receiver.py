"""The receiver over loopback HTTP: verified, logged before the answer, processed from the log, deduplicated."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from feishu_im.models import ChatDisbandedEvent

from imgroup.events import EventContext, Handlers, ReceiverServer, vendor_events
from imgroup.groups import Role
from imgroup.inventory.changes import AnyChange, GroupCreated, GroupDisbanded, MembersJoined, OwnerChanged
from tests.event_requests import (
    FEISHU_APP,
    FEISHU_KEY,
    FEISHU_TOKEN,
    TENCENT_APP,
    TENCENT_TOKEN,
    YUNXIN_APP,
    YUNXIN_SECRET,
    compact,
    feishu_event,
    feishu_request,
    tencent_query,
    yunxin_headers,
)

WAIT_SECONDS = 60.0  # a bound on waiting for the processing thread, never an assertion about speed

VENDORS = [
    vendor_events("feishu", app=FEISHU_APP, secrets={"verification_token": FEISHU_TOKEN, "encrypt_key": FEISHU_KEY}),
    vendor_events("tencent", app=TENCENT_APP, secrets={"callback_token": TENCENT_TOKEN}),
    vendor_events("yunxin", app=YUNXIN_APP, secrets={"app_secret": YUNXIN_SECRET}),
]


@pytest.fixture
def changes() -> list[AnyChange]:
    return []


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture
def server(tmp_path: Path, changes: list[AnyChange], handlers: Handlers) -> Iterator[ReceiverServer]:
    with ReceiverServer(tmp_path / "events.db", vendors=VENDORS, handlers=handlers, apply_change=changes.append) as s:
        yield s


def counts(server: ReceiverServer) -> tuple[int, int]:
    assert server.receiver.log is not None
    return server.receiver.log.counts()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the processing thread never got there"
        time.sleep(0.01)


def post_feishu(server: ReceiverServer, payload: dict[str, object]) -> httpx.Response:
    body, headers = feishu_request(payload, time.time())
    return httpx.post(server.base_url + "/events/feishu", content=body, headers=headers)


def test_feishu_event_is_logged_answered_and_becomes_a_change(server: ReceiverServer, changes: list[AnyChange]) -> None:
    response = post_feishu(server, feishu_event("im.chat.disbanded_v1", {"chat_id": "oc_1"}, event_id="e1"))
    assert (response.status_code, response.json()) == (200, {"msg": "success"})
    assert counts(server)[0] == 1  # in the log before the answer
    wait_until(lambda: counts(server) == (1, 1))
    assert changes == [
        GroupDisbanded(vendor="feishu", app=FEISHU_APP, tenant="tenant-1", group_id="oc_1", at=changes[0].at)
    ]
    assert changes[0].at is not None and changes[0].at.timestamp() == 1_700_000_000


def test_a_redelivery_is_answered_and_dropped(server: ReceiverServer, changes: list[AnyChange]) -> None:
    event = feishu_event(
        "im.chat.member.user.added_v1",
        {"chat_id": "oc_1", "users": [{"name": "A", "user_id": {"open_id": "ou_a"}}]},
        event_id="same-id",
    )
    assert post_feishu(server, event).status_code == 200
    assert post_feishu(server, event).status_code == 200
    wait_until(lambda: counts(server) == (1, 1))
    assert [type(change) for change in changes] == [MembersJoined]
    assert isinstance(changes[0], MembersJoined) and changes[0].users == ("ou_a",)


def test_a_body_sent_in_pieces_is_verified_whole(server: ReceiverServer) -> None:
    # The receiver reads the ASGI body messages itself: a vendor's proxy may forward a body in chunks.
    body, headers = feishu_request(
        feishu_event("im.chat.disbanded_v1", {"chat_id": "oc_1"}, event_id="e1"), time.time()
    )
    pieces = [body[index : index + 7] for index in range(0, len(body), 7)]
    response = httpx.post(server.base_url + "/events/feishu", content=iter(pieces), headers=headers)
    assert (response.status_code, response.json()) == (200, {"msg": "success"})
    assert counts(server)[0] == 1


def test_a_get_is_refused_with_405(server: ReceiverServer) -> None:
    assert httpx.get(server.base_url + "/events/feishu").status_code == 405


def test_the_challenge_is_answered_and_nothing_is_logged(server: ReceiverServer) -> None:
    response = post_feishu(server, {"challenge": "abc", "type": "url_verification", "token": FEISHU_TOKEN})
    assert (response.status_code, response.json()) == (200, {"challenge": "abc"})
    assert counts(server) == (0, 0)


@pytest.mark.parametrize(("change", "status"), [("signature", 401), ("other_app", 403), ("stale", 401)])
def test_refused_requests_are_recorded_nowhere(server: ReceiverServer, change: str, status: int) -> None:
    payload = feishu_event(
        "im.chat.disbanded_v1",
        {"chat_id": "oc_1"},
        event_id="e2",
        app_id="cli_other" if change == "other_app" else FEISHU_APP,
    )
    body, headers = feishu_request(payload, time.time() - (3600 if change == "stale" else 0))
    if change == "signature":
        headers["X-Lark-Signature"] = "0" * 64
    response = httpx.post(server.base_url + "/events/feishu", content=body, headers=headers)
    assert response.status_code == status
    assert counts(server) == (0, 0)


def test_tencent_callbacks_answer_as_tencent_expects_and_become_changes(
    server: ReceiverServer, changes: list[AnyChange]
) -> None:
    created = {
        "CallbackCommand": "Group.CallbackAfterCreateGroup",
        "GroupId": "@TGS#1",
        "Owner_Account": "alice",
        "Name": "Phoenix",
        "MemberList": [{"Member_Account": "bob"}],
        "EventTime": "1700000000000",
    }
    owner = {
        "CallbackCommand": "Group.CallbackAfterChangeGroupOwner",
        "GroupId": "@TGS#1",
        "OldOwner_Account": "alice",
        "NewOwner_Account": "bob",
        "EventTime": 1700000001000,
    }
    for body in (created, owner):
        response = httpx.post(
            server.base_url + "/events/tencent",
            params=tencent_query(str(body["CallbackCommand"]), time.time()),
            content=compact(body),
        )
        assert (response.status_code, response.json()) == (200, {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})
    wait_until(lambda: counts(server) == (2, 2))
    first, second = changes
    assert isinstance(first, GroupCreated) and first.members == {"alice": Role.OWNER, "bob": Role.MEMBER}
    assert (first.app, first.group_id, first.name, first.owner) == (TENCENT_APP, "@TGS#1", "Phoenix", "alice")
    assert isinstance(second, OwnerChanged) and (second.owner, second.previous_owner) == ("bob", "alice")


def test_another_sdkappid_is_refused(server: ReceiverServer) -> None:
    body = compact({"CallbackCommand": "Group.CallbackAfterGroupDestroyed", "GroupId": "@TGS#1"})
    query = tencent_query("Group.CallbackAfterGroupDestroyed", time.time(), app="1400000099")
    response = httpx.post(server.base_url + "/events/tencent", params=query, content=body)
    assert response.status_code == 403
    assert counts(server) == (0, 0)


def test_yunxin_copy_is_logged_and_changes_nothing(server: ReceiverServer, changes: list[AnyChange]) -> None:
    body = compact({"eventType": "1", "convType": "TEAM", "to": "6001", "msgType": "NOTIFICATION", "attach": "{}"})
    response = httpx.post(server.base_url + "/events/yunxin", content=body, headers=yunxin_headers(body, time.time()))
    assert (response.status_code, response.json()) == (200, {})
    wait_until(lambda: counts(server) == (1, 1))
    assert changes == []


def test_an_event_type_no_spec_documents_is_acknowledged_not_kept(server: ReceiverServer) -> None:
    response = post_feishu(server, feishu_event("im.message.receive_v1", {"message": {}}, event_id="e3"))
    assert response.status_code == 200
    assert counts(server) == (0, 0)


def test_a_malformed_event_is_refused_with_400_and_not_kept(server: ReceiverServer) -> None:
    response = post_feishu(server, feishu_event("im.chat.disbanded_v1", {"name": "no chat_id"}, event_id="e4"))
    assert response.status_code == 400
    assert counts(server) == (0, 0)


def test_typed_handlers_run_and_a_failing_one_is_retried(server: ReceiverServer, handlers: Handlers) -> None:
    seen: list[tuple[str, str]] = []

    @handlers.on(ChatDisbandedEvent)
    def flaky(event: ChatDisbandedEvent, context: EventContext) -> None:
        seen.append((event.event.chat_id, context.key))
        if len(seen) == 1:
            raise RuntimeError("the first attempt fails")

    assert (
        post_feishu(server, feishu_event("im.chat.disbanded_v1", {"chat_id": "oc_9"}, event_id="e5")).status_code == 200
    )
    wait_until(lambda: counts(server) == (1, 1))
    assert seen == [("oc_9", "im.chat.disbanded_v1")] * 2


def test_an_unconfigured_vendor_answers_404(tmp_path: Path) -> None:
    with ReceiverServer(tmp_path / "e.db", vendors=VENDORS[:1]) as server:
        response = httpx.post(server.base_url + "/events/yunxin", content=b"{}")
    assert response.status_code == 404
