"""The emulator pushes each vendor's callbacks when its state changes: shapes, signatures, redelivery, lark-oapi.

A receiver on loopback (tests/push_receiver.py) records what arrives. Signatures and the encryption are checked
here with code written from the vendors' algorithms, not the emulator's. Nothing waits on a clock: tests wait
for counts, generously.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import feishu_im
import httpx
import pytest
import tencent_im
from Crypto.Cipher import AES
from hypothesis import given
from hypothesis import strategies as st
from push_receiver import Received, Receiver, wait_until

from imgroup.emulator import EmulatorServer
from imgroup.emulator._app import PUSH_TRANSPORTS
from imgroup.emulator._pipeline import Emulator
from imgroup.emulator._seed import DEMO_SEED
from imgroup.emulator.feishu.events import encrypt, push_v1_event
from imgroup.emulator.tencent.callbacks import sign

APP_ID = "cli_demo"
VERIFICATION_TOKEN = "v-token-for-tests"
ENCRYPT_KEY = "encrypt-key-for-tests"
SDKAPPID = 1400000000
CALLBACK_TOKEN = "tencent-callback-token"
QUICK = 0.0001  # Feishu's 15 s, 5 min, 1 h, 6 h become 1.5 ms, 30 ms, 0.36 s, 2.16 s


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def feishu_client(emulator: EmulatorServer) -> feishu_im.FeishuClient:
    credentials = emulator.credentials["feishu"]
    return feishu_im.FeishuClient(
        app_id=credentials["app_id"], app_secret=credentials["app_secret"], base_url=emulator.base_url
    )


def tencent_client(emulator: EmulatorServer) -> tencent_im.TencentIMClient:
    credentials = emulator.credentials["tencent"]
    return tencent_im.TencentIMClient(
        sdkappid=credentials["sdkappid"], secret_key=credentials["secret_key"], base_url=emulator.base_url
    )


def feishu_endpoint(url: str, *, encrypt_key: str = ENCRYPT_KEY) -> dict[str, Any]:
    return {"feishu": {APP_ID: {"url": url, "verification_token": VERIFICATION_TOKEN, "encrypt_key": encrypt_key}}}


def settled(emulator: EmulatorServer) -> bool:
    """Whether every delivery so far has been delivered or given up."""
    return all(delivery["state"] != "pending" for delivery in emulator.pushes()["deliveries"])


# --- Feishu, written from the pages: AES-256-CBC under SHA-256(key), IV first; the signature over the raw body ---


def decrypt_text(encrypted: str, key: str) -> bytes:
    raw = base64.b64decode(encrypted)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, raw[:16])
    padded = cipher.decrypt(raw[16:])
    assert 1 <= padded[-1] <= 16 and padded.endswith(bytes([padded[-1]]) * padded[-1])  # PKCS#7
    return padded[: -padded[-1]]


def decrypt(received: Received) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(decrypt_text(json.loads(received.body)["encrypt"], ENCRYPT_KEY))
    return document


def test_encryption_reproduces_feishu_published_vector() -> None:
    vector = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="  # "hello world" under the key "test key"
    assert encrypt(b"hello world", "test key", iv=base64.b64decode(vector)[:16]) == vector


@given(plain=st.binary(max_size=200), key=st.text(min_size=1, max_size=40))
def test_what_is_encrypted_decrypts_by_the_page_algorithm(plain: bytes, key: str) -> None:
    assert decrypt_text(encrypt(plain, key), key) == plain


def test_tencent_sign_reproduces_the_published_vector() -> None:
    assert sign("xxxxyyyy", "1669872112") == "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"


def signature_holds(received: Received) -> bool:
    headers = received.headers
    signed = (headers["x-lark-request-timestamp"] + headers["x-lark-request-nonce"] + ENCRYPT_KEY).encode()
    return hashlib.sha256(signed + received.body).hexdigest() == headers["x-lark-signature"]


def test_a_disbanded_chat_is_pushed_encrypted_and_signed_as_schema_2(
    imgroup_emulator: EmulatorServer, receiver: Receiver
) -> None:
    imgroup_emulator.pushes(feishu_endpoint(receiver.url))
    with feishu_client(imgroup_emulator) as client:
        client.disband_chat("oc_demo_1")
    (received,) = receiver.wait_for(1)
    assert set(json.loads(received.body)) == {"encrypt"}
    assert signature_holds(received)
    document = decrypt(received)
    assert document["schema"] == "2.0"
    header = document["header"]
    assert header["event_type"] == "im.chat.disbanded_v1"
    assert header["token"] == VERIFICATION_TOKEN and header["app_id"] == APP_ID and header["tenant_key"] == "default"
    assert len(header["event_id"]) == 32 and header["create_time"].isdigit()
    assert document["event"] == {
        "chat_id": "oc_demo_1",
        "external": False,
        "operator_tenant_key": "default",
        "name": "",
    }


def test_a_one_byte_change_breaks_the_signature(imgroup_emulator: EmulatorServer, receiver: Receiver) -> None:
    imgroup_emulator.pushes(feishu_endpoint(receiver.url))
    with feishu_client(imgroup_emulator) as client:
        client.disband_chat("oc_demo_2")
    (received,) = receiver.wait_for(1)
    flipped = bytearray(received.body)
    flipped[12] ^= 1
    assert signature_holds(received)
    assert not signature_holds(Received(received.path, received.query, received.headers, bytes(flipped)))


def test_without_an_encrypt_key_the_event_travels_in_plain_json_unsigned(
    imgroup_emulator: EmulatorServer, receiver: Receiver
) -> None:
    imgroup_emulator.pushes(feishu_endpoint(receiver.url, encrypt_key=""))
    with feishu_client(imgroup_emulator) as client:
        client.add_chat_members("oc_demo_1", id_list=["ou_former"])
    (received,) = receiver.wait_for(1)
    assert "x-lark-signature" not in received.headers
    document = json.loads(received.body)
    assert document["header"]["event_type"] == "im.chat.member.user.added_v1"
    assert document["header"]["token"] == VERIFICATION_TOKEN
    assert document["event"]["users"] == [
        {"user_id": {"open_id": "ou_former"}, "tenant_key": "default", "name": "Former colleague"}
    ]


def test_each_change_sends_its_event_in_order(imgroup_emulator: EmulatorServer, receiver: Receiver) -> None:
    imgroup_emulator.pushes(feishu_endpoint(receiver.url))
    with feishu_client(imgroup_emulator) as client:
        client.update_chat("oc_demo_1", name="renamed", owner_id="ou_alice")
        client.remove_chat_members("oc_demo_1", id_list=["ou_bob"])
        client.update_chat("oc_demo_1", description="")  # nothing changes: no event
        client.add_chat_members("oc_demo_3", id_list=["ou_alice"])  # already in: no event
        client.disband_chat("oc_demo_3")
    events = [decrypt(r) for r in receiver.wait_for(3)]
    assert [e["header"]["event_type"] for e in events] == [
        "im.chat.updated_v1",
        "im.chat.member.user.deleted_v1",
        "im.chat.disbanded_v1",
    ]
    updated = events[0]["event"]
    assert updated["before_change"] == {"name": ""}  # the bot owned it: a bot owner has no user id to report
    assert updated["after_change"] == {"name": "renamed", "owner_id": {"open_id": "ou_alice"}}
    assert events[1]["event"]["users"][0]["user_id"] == {"open_id": "ou_bob"}
    wait_until(lambda: settled(imgroup_emulator), "the deliveries")
    deliveries = imgroup_emulator.pushes()["deliveries"]
    assert [d["state"] for d in deliveries] == ["delivered"] * 3
    assert all(VERIFICATION_TOKEN not in json.dumps(d) for d in deliveries)


def test_a_failed_event_is_redelivered_on_the_compressed_schedule_with_the_same_event_id(
    imgroup_emulator: EmulatorServer,
) -> None:
    with Receiver(fail_first=2) as receiver:
        imgroup_emulator.pushes({**feishu_endpoint(receiver.url), "redelivery_time_scale": QUICK})
        with feishu_client(imgroup_emulator) as client:
            client.disband_chat("oc_demo_1")
        attempts = [decrypt(r)["header"]["event_id"] for r in receiver.wait_for(3)]
        assert len(set(attempts)) == 1
        wait_until(lambda: imgroup_emulator.pushes()["deliveries"][0]["state"] == "delivered", "the delivery")
        (delivery,) = imgroup_emulator.pushes()["deliveries"]
        assert [a["status"] for a in delivery["attempts"]] == [500, 500, 200]


def test_an_event_is_given_up_after_four_redeliveries(imgroup_emulator: EmulatorServer) -> None:
    with Receiver(always_fail=True) as receiver:
        imgroup_emulator.pushes({**feishu_endpoint(receiver.url), "redelivery_time_scale": QUICK})
        with feishu_client(imgroup_emulator) as client:
            client.disband_chat("oc_demo_1")
        wait_until(lambda: imgroup_emulator.pushes()["deliveries"][0]["state"] == "failed", "the delivery to fail")
        assert len(receiver.requests) == 5


def test_fail_rate_loses_answers_so_the_receiver_sees_duplicates(imgroup_emulator: EmulatorServer) -> None:
    with Receiver() as receiver:
        imgroup_emulator.pushes({**feishu_endpoint(receiver.url), "redelivery_time_scale": QUICK, "fail_rate": 0.5})
        with feishu_client(imgroup_emulator) as client:
            for chat_id in ("oc_demo_1", "oc_demo_2", "oc_demo_3"):
                client.disband_chat(chat_id)
        wait_until(lambda: settled(imgroup_emulator), "the deliveries")
        deliveries = imgroup_emulator.pushes()["deliveries"]
        attempts = sum(len(d["attempts"]) for d in deliveries)
        assert attempts > 3 and len(receiver.requests) == attempts


def test_an_api_call_does_not_wait_for_its_push(imgroup_emulator: EmulatorServer) -> None:
    with Receiver() as receiver:
        receiver.hold.clear()  # the receiver keeps its answer back until released
        imgroup_emulator.pushes(feishu_endpoint(receiver.url))
        with feishu_client(imgroup_emulator) as client:
            client.disband_chat("oc_demo_1")  # returns while the receiver still holds its answer
        receiver.wait_for(1)
        assert imgroup_emulator.pushes()["deliveries"][0]["state"] == "pending"
        receiver.hold.set()
        wait_until(lambda: imgroup_emulator.pushes()["deliveries"][0]["state"] == "delivered", "the delivery")


def test_apps_without_an_endpoint_get_nothing(imgroup_emulator: EmulatorServer, receiver: Receiver) -> None:
    with feishu_client(imgroup_emulator) as client:
        client.disband_chat("oc_demo_1")
    assert imgroup_emulator.pushes()["deliveries"] == []


def test_the_settings_are_checked_and_shown_without_secrets(imgroup_emulator: EmulatorServer) -> None:
    answer = httpx.post(imgroup_emulator.base_url + "/_emulator/pushes", json={"feishu": {APP_ID: {"url": "x"}}})
    assert answer.status_code == 400 and "feishu.cli_demo.verification_token" in answer.json()["error"]
    shown = imgroup_emulator.pushes(feishu_endpoint("http://127.0.0.1:9/events"))["settings"]
    assert shown["feishu"][APP_ID] == {"url": "http://127.0.0.1:9/events", "token_set": True, "encrypt_key_set": True}
    assert ENCRYPT_KEY not in json.dumps(shown) and VERIFICATION_TOKEN not in json.dumps(shown)


# --- lark-oapi's own dispatcher accepts them ------------------------------------------------------------------


# lark-oapi is imported by the tests that use it, not by the module: the import takes seconds (thousands of
# modules), and every xdist worker collects this file.


def dispatch(handler: Any, received: Received) -> int:
    import lark_oapi as lark

    request = lark.RawRequest()
    request.uri = received.path
    request.body = received.body
    names = ("X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature")
    request.headers = {name: received.headers[name.lower()] for name in names if name.lower() in received.headers}
    status: int = handler.do(request).status_code
    return status


def test_lark_oapi_decodes_the_pushed_events_into_its_typed_events(
    imgroup_emulator: EmulatorServer, receiver: Receiver
) -> None:
    import lark_oapi as lark

    seen: list[Any] = []
    handler = (
        lark.EventDispatcherHandler.builder(ENCRYPT_KEY, VERIFICATION_TOKEN)
        .register_p2_im_chat_updated_v1(seen.append)
        .register_p2_im_chat_member_user_added_v1(seen.append)
        .register_p2_im_chat_member_user_deleted_v1(seen.append)
        .register_p2_im_chat_member_bot_deleted_v1(seen.append)
        .register_p2_im_chat_disbanded_v1(seen.append)
        .build()
    )
    chat = {"chat_id": "oc_two_bots", "owner": APP_ID, "bots": ["cli_demo_no_bot"], "members": ["ou_alice"]}
    imgroup_emulator.seed({"feishu": {"chats": [chat]}})
    imgroup_emulator.pushes(
        {
            "feishu": {
                app: {"url": receiver.url, "verification_token": VERIFICATION_TOKEN, "encrypt_key": ENCRYPT_KEY}
                for app in (APP_ID, "cli_demo_no_bot")
            }
        }
    )
    with feishu_client(imgroup_emulator) as client:
        client.update_chat("oc_two_bots", name="two bots")
        client.add_chat_members("oc_two_bots", id_list=["ou_bob"])
        client.remove_chat_members("oc_two_bots", id_list=["ou_bob"])
        client.remove_chat_members("oc_two_bots", id_list=["cli_demo_no_bot"], member_id_type="app_id")
        client.disband_chat("oc_two_bots")
    # updated, user added and user deleted go to both bots; bot deleted to the bot removed; disbanded to the other.
    received = receiver.wait_for(8)
    assert [dispatch(handler, r) for r in received] == [200] * 8
    kinds = [type(event).__name__ for event in seen]
    assert sorted(set(kinds)) == sorted(
        {
            "P2ImChatUpdatedV1",
            "P2ImChatMemberUserAddedV1",
            "P2ImChatMemberUserDeletedV1",
            "P2ImChatMemberBotDeletedV1",
            "P2ImChatDisbandedV1",
        }
    )
    updated = next(e for e in seen if type(e).__name__ == "P2ImChatUpdatedV1")
    assert updated.header.app_id in (APP_ID, "cli_demo_no_bot") and updated.header.token == VERIFICATION_TOKEN
    assert updated.event.chat_id == "oc_two_bots" and updated.event.after_change.name == "two bots"
    added = next(e for e in seen if type(e).__name__ == "P2ImChatMemberUserAddedV1")
    assert added.event.users[0].user_id.open_id == "ou_bob" and added.event.users[0].name == "Bob"
    bot_deleted = next(e for e in seen if type(e).__name__ == "P2ImChatMemberBotDeletedV1")
    assert bot_deleted.header.app_id == "cli_demo_no_bot"
    # Another Encrypt Key, or a changed byte: refused.
    other = (
        lark.EventDispatcherHandler.builder("another key", VERIFICATION_TOKEN)
        .register_p2_im_chat_disbanded_v1(seen.append)
        .build()
    )
    assert dispatch(other, received[-1]) == 500


def test_a_v1_envelope_event_is_pushed_and_lark_oapi_takes_it(receiver: Receiver) -> None:
    """``push_v1_event`` is how store-app events (app_ticket, app_open) reach the receiver."""
    import lark_oapi as lark

    tickets: list[Any] = []
    handler = (
        lark.EventDispatcherHandler.builder(ENCRYPT_KEY, VERIFICATION_TOKEN)
        .register_p1_customized_event("app_ticket", tickets.append)
        .build()
    )
    emulator = Emulator(PUSH_TRANSPORTS)
    emulator.reset(DEMO_SEED)
    emulator.pushes.configure(feishu_endpoint(receiver.url))

    async def push() -> str | None:
        uuid = push_v1_event(emulator, APP_ID, {"type": "app_ticket", "app_id": APP_ID, "app_ticket": "tk"})
        while emulator.pushes.deliveries[0].state == "pending":
            await asyncio.sleep(0.01)
        return uuid

    uuid = asyncio.run(push())
    (received,) = receiver.wait_for(1)
    document = decrypt(received)
    assert document["uuid"] == uuid and document["type"] == "event_callback" and document["token"] == VERIFICATION_TOKEN
    assert document["event"] == {"type": "app_ticket", "app_id": APP_ID, "app_ticket": "tk"}
    assert dispatch(handler, received) == 200
    assert tickets[0].event["app_ticket"] == "tk"
    assert push_v1_event(emulator, "cli_demo_other_tenant", {"type": "app_ticket"}) is None  # no endpoint


# --- Tencent's after-callbacks ----------------------------------------------------------------------------------


def tencent_endpoint(url: str, token: str = CALLBACK_TOKEN) -> dict[str, Any]:
    return {"tencent": {str(SDKAPPID): {"url": url, "token": token}}}


def test_tencent_after_callbacks_carry_the_page_bodies_and_a_sign(
    imgroup_emulator: EmulatorServer, receiver: Receiver
) -> None:
    imgroup_emulator.pushes(tencent_endpoint(receiver.url + "?route=im"))
    with tencent_client(imgroup_emulator) as client:
        created = client.create_group(
            kind="Public", name="pushed", owner_account="user1", member_list=[{"Member_Account": "user2"}]
        )
        group_id = created.group_id
        client.add_group_member(group_id=group_id, member_list=[{"Member_Account": "user5"}])
        client.delete_group_member(group_id=group_id, member_to_del_account=["user2"])
        client.modify_group_base_info(group_id=group_id, name="renamed", max_member_num=50)
        client.change_group_owner(group_id=group_id, new_owner_account="user5")
        client.destroy_group(group_id=group_id)
    received = receiver.wait_for(6)
    bodies = [json.loads(r.body) for r in received]
    commands = [b["CallbackCommand"] for b in bodies]
    assert commands == [
        "Group.CallbackAfterCreateGroup",
        "Group.CallbackAfterNewMemberJoin",
        "Group.CallbackAfterMemberExit",
        "Group.CallbackAfterGroupInfoChanged",
        "Group.CallbackAfterChangeGroupOwner",
        "Group.CallbackAfterGroupDestroyed",
    ]
    for request, command in zip(received, commands, strict=True):
        query = request.query
        assert query["route"] == "im" and query["SdkAppid"] == str(SDKAPPID) and query["CallbackCommand"] == command
        assert query["contenttype"] == "json" and query["OptPlatform"] == "RESTAPI" and query["ClientIP"] == "127.0.0.1"
        expected = hashlib.sha256((CALLBACK_TOKEN + query["RequestTime"]).encode()).hexdigest()
        assert query["Sign"] == expected
    common = {"GroupId": group_id, "Type": "Public", "Operator_Account": "administrator"}
    for body in bodies:
        assert {key: body[key] for key in common} == common and isinstance(body["EventTime"], int)
    assert bodies[0]["Owner_Account"] == "user1" and bodies[0]["MemberList"] == [{"Member_Account": "user2"}]
    assert bodies[1]["JoinType"] == "Invited" and bodies[1]["NewMemberList"] == [{"Member_Account": "user5"}]
    assert bodies[2]["ExitType"] == "Kicked" and bodies[2]["ExitMemberList"] == [{"Member_Account": "user2"}]
    assert bodies[3]["Name"] == "renamed" and "MaxMemberNum" not in bodies[3]
    assert (bodies[4]["OldOwner_Account"], bodies[4]["NewOwner_Account"]) == ("user1", "user5")
    assert bodies[5]["Owner_Account"] == "user5" and bodies[5]["MemberList"] == [
        {"Member_Account": "user5"},
        {"Member_Account": "user1"},
    ]


def test_tencent_callbacks_without_a_token_carry_no_sign_and_are_sent_once(imgroup_emulator: EmulatorServer) -> None:
    with Receiver(always_fail=True) as receiver:
        imgroup_emulator.pushes({**tencent_endpoint(receiver.url, token=""), "redelivery_time_scale": QUICK})
        with tencent_client(imgroup_emulator) as client:
            client.destroy_group(group_id="@TGS#demo1")
        (received,) = receiver.wait_for(1)
        assert "Sign" not in received.query and "RequestTime" not in received.query
        wait_until(lambda: imgroup_emulator.pushes()["deliveries"][0]["state"] == "failed", "the delivery")
        assert len(receiver.requests) == 1
