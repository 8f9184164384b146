"""Feishu's event subscription, emulated: the chat events a change sends, and how they travel.

Payloads follow the event pages and lark-oapi's models of them (``P2ImChat*V1Data``): schema 2.0, a header
(event_id, event_type, create_time in ms, token, app_id, tenant_key) and the event. They go to every app whose
bot is in the chat (a bot removed gets ``im.chat.member.bot.deleted_v1`` instead), and only to apps given an
endpoint. Left out, for want of a page: ``operator_id`` (every change here is made by a bot, and no page says what
identifies a bot operator), ``i18n_names`` (the emulator keeps none). Not sent at all: a chat's creation (Feishu
has no such event), ``im.chat.member.bot.added_v1`` (its page: a bot inviting a bot triggers none, and only bots
call the emulator), ``im.chat.member.user.withdrawn_v1`` (no operation withdraws an invitation).

On the wire (the Encrypt Key pages): with an Encrypt Key the body is ``{"encrypt": base64(iv + AES-256-CBC(
PKCS#7(event)))}`` under key SHA-256(Encrypt Key), and ``X-Lark-Signature`` is the hex SHA-256 of
``X-Lark-Request-Timestamp + X-Lark-Request-Nonce + Encrypt Key`` followed by the body. A failed event (no HTTP
200 within the deadline) is sent again after 15 s, 5 min, 1 h and 6 h (the 推送周期和频次 section).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

from .._pipeline import Emulator
from .._pushes import Delivery, Endpoint, Notice, OutgoingRequest, PushSettingsError
from .._state import EmulatorState, FeishuChat
from .dialect import VENDOR

REDELIVERY_DELAYS_S = (15.0, 300.0, 3600.0, 21600.0)
# The chat settings an im.chat.updated_v1 reports (lark-oapi's ChatChange), beside name, description and owner.
CHANGE_SETTINGS = (
    "add_member_permission",
    "share_card_permission",
    "at_all_permission",
    "edit_permission",
    "membership_approval",
    "join_message_visibility",
    "leave_message_visibility",
    "group_message_type",
)


# --- what a change sends -----------------------------------------------------------------------------------


def chat_disbanded(state: EmulatorState, chat: FeishuChat) -> list[Notice]:
    return _to_bots(state, chat, "im.chat.disbanded_v1", chat.bots, {"name": chat.name})


def chat_updated(state: EmulatorState, chat: FeishuChat, before: dict[str, Any], after: dict[str, Any]) -> list[Notice]:
    """The fields that changed, before and after; nothing when nothing did."""
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return []
    return _to_bots(
        state,
        chat,
        "im.chat.updated_v1",
        chat.bots,
        {
            "before_change": _chat_change(state, {key: before.get(key) for key in changed}),
            "after_change": _chat_change(state, {key: after[key] for key in changed}),
        },
    )


def chat_fields(chat: FeishuChat) -> dict[str, Any]:
    """What im.chat.updated_v1 compares, as the chat holds it now."""
    return {
        "name": chat.name,
        "description": chat.description,
        "owner_id": chat.owner,
        **{key: chat.settings.get(key) for key in CHANGE_SETTINGS},
    }


def users_added(state: EmulatorState, chat: FeishuChat, users: list[str]) -> list[Notice]:
    return _users_event(state, chat, "im.chat.member.user.added_v1", users) if users else []


def users_deleted(state: EmulatorState, chat: FeishuChat, users: list[str]) -> list[Notice]:
    return _users_event(state, chat, "im.chat.member.user.deleted_v1", users) if users else []


def bots_deleted(state: EmulatorState, chat: FeishuChat, bots: list[str]) -> list[Notice]:
    """Each bot removed hears of it itself."""
    return [
        notice
        for bot in bots
        for notice in _to_bots(state, chat, "im.chat.member.bot.deleted_v1", {bot}, {"name": chat.name})
    ]


def push_v1_event(emulator: Emulator, app_id: str, event: dict[str, Any]) -> str | None:
    """Push ``event`` (``{"type": "app_ticket", ...}``) to the app in a v1 envelope; its uuid, or None (no endpoint).

    The envelope is ``{"uuid", "ts", "type": "event_callback", "event"}`` plus the app's Verification Token as
    ``token``, encrypted and signed as every event is: store-app events (``app_ticket``, ``app_open``) travel so.
    Call it on the server's event loop (from a handler or an admin route); it never waits for the delivery.
    """
    document = {"uuid": uuid.uuid4().hex, "ts": f"{time.time():.6f}", "type": "event_callback", "event": event}
    notice = Notice(VENDOR, str(event.get("type", "")), document, app_id)
    queued = emulator.pushes.post([notice], caller=app_id, client_ip="", state=emulator.state)
    return queued[0].event_id if queued else None


def _users_event(state: EmulatorState, chat: FeishuChat, event_type: str, users: list[str]) -> list[Notice]:
    return _to_bots(
        state, chat, event_type, chat.bots, {"users": [_member_user(state, u) for u in users], "name": chat.name}
    )


def _to_bots(
    state: EmulatorState, chat: FeishuChat, event_type: str, bots: set[str], fields: dict[str, Any]
) -> list[Notice]:
    created_ms = str(int(time.time() * 1000))
    notices = []
    for app_id in sorted(bots):
        app = state.feishu_apps.get(app_id)
        if app is None:
            continue
        header = {
            "event_id": uuid.uuid4().hex,
            "event_type": event_type,
            "create_time": created_ms,
            "app_id": app_id,
            "tenant_key": app.tenant,
        }
        event = {"chat_id": chat.chat_id, "external": chat.external, "operator_tenant_key": chat.tenant, **fields}
        notices.append(Notice(VENDOR, event_type, {"schema": "2.0", "header": header, "event": event}, app_id))
    return notices


def _user_id(state: EmulatorState, open_id: str) -> dict[str, str]:
    user = state.feishu_users.get(open_id)
    ids = {"open_id": open_id}
    if user is not None:
        ids |= {key: value for key, value in (("union_id", user.union_id), ("user_id", user.user_id)) if value}
    return ids


def _member_user(state: EmulatorState, open_id: str) -> dict[str, Any]:
    user = state.feishu_users.get(open_id)
    member: dict[str, Any] = {"user_id": _user_id(state, open_id)}
    if user is not None:
        member["tenant_key"] = user.tenant
        if user.name:
            member["name"] = user.name
    return member


def _chat_change(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    """A ChatChange of ``fields``: a bot owner has no user id, so it is left out; unset settings too."""
    change: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or (key == "owner_id" and value in state.feishu_apps):
            continue
        change[key] = _user_id(state, value) if key == "owner_id" else value
    return change


# --- how it travels ----------------------------------------------------------------------------------------


class FeishuPushTransport:
    vendor = VENDOR
    redelivery_delays_s: tuple[float, ...] = REDELIVERY_DELAYS_S

    def endpoint(self, app: str, document: Any) -> Endpoint:
        if not isinstance(document, dict) or not isinstance(document.get("url"), str):
            raise PushSettingsError(f"feishu.{app}.url: the URL events are sent to")
        token, key = document.get("verification_token"), document.get("encrypt_key", "")
        if not isinstance(token, str) or not token:
            raise PushSettingsError(f"feishu.{app}.verification_token: the app's Verification Token")
        if not isinstance(key, str):
            raise PushSettingsError(f"feishu.{app}.encrypt_key: the app's Encrypt Key, or absent")
        return Endpoint(document["url"], token, key)

    def complete(self, notice: Notice, caller: str, state: Any) -> tuple[str, str | None, dict[str, Any]]:
        document = notice.document
        event_id = document["header"]["event_id"] if "header" in document else document["uuid"]
        return str(notice.app), event_id, document

    def request(self, delivery: Delivery, endpoint: Endpoint) -> OutgoingRequest:
        document = delivery.document
        if "header" in document:  # schema 2.0: the token sits in the header
            document = {**document, "header": {**document["header"], "token": endpoint.token}}
        else:
            document = {**document, "token": endpoint.token}
        body = json.dumps(document, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if endpoint.encrypt_key:
            body = json.dumps({"encrypt": encrypt(body, endpoint.encrypt_key)}).encode()
            timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
            headers |= {
                "X-Lark-Request-Timestamp": timestamp,
                "X-Lark-Request-Nonce": nonce,
                "X-Lark-Signature": signature(timestamp, nonce, endpoint.encrypt_key, body),
            }
        return OutgoingRequest(endpoint.url, headers, body)

    def succeeded(self, status: int) -> bool:
        return status == 200


def encrypt(plain: bytes, encrypt_key: str, iv: bytes | None = None) -> str:
    """base64(iv + AES-256-CBC(PKCS#7(plain))), the key SHA-256(encrypt_key); a random IV unless one is given."""
    iv = secrets.token_bytes(16) if iv is None else iv
    padder = PKCS7(algorithms.AES.block_size).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(hashlib.sha256(encrypt_key.encode()).digest()), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode()


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


PUSH_TRANSPORT = FeishuPushTransport()
