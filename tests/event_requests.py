"""Signed (and for Feishu, encrypted) event requests as each vendor sends them, for the event tests and bench."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from imgroup.runtime.verifiers.feishu_event import encrypt, signature
from imgroup.runtime.verifiers.tencent_callback import sign
from imgroup.runtime.verifiers.yunxin_checksum import checksum

FEISHU_APP = "cli_events_test"
FEISHU_TOKEN = "verification-token-for-tests"
FEISHU_KEY = "encrypt-key-for-tests"
TENCENT_APP = "1400000001"
TENCENT_TOKEN = "callback-token-for-tests"
YUNXIN_APP = "yunxin-app-key"
YUNXIN_SECRET = "yunxin-app-secret"


def compact(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def feishu_request(
    payload: dict[str, Any], now: float, *, key: str | None = FEISHU_KEY, nonce: str = "n0nce", iv: bytes = b"\x07" * 16
) -> tuple[bytes, dict[str, str]]:
    """Body and headers of ``payload`` as Feishu sends it: encrypted and signed when ``key`` is set."""
    if key is None:
        return compact(payload), {"Content-Type": "application/json"}
    body = compact({"encrypt": encrypt(compact(payload), key, iv)})
    timestamp = str(int(now))
    return body, {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": timestamp,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature(timestamp, nonce, key, body),
    }


def feishu_event(event_type: str, event: dict[str, Any], *, event_id: str, app_id: str = FEISHU_APP) -> dict[str, Any]:
    header = {
        "event_id": event_id,
        "event_type": event_type,
        "create_time": "1700000000000",
        "token": FEISHU_TOKEN,
        "app_id": app_id,
        "tenant_key": "tenant-1",
    }
    return {"schema": "2.0", "header": header, "event": event}


def tencent_query(
    command: str, now: float, *, app: str = TENCENT_APP, token: str | None = TENCENT_TOKEN
) -> dict[str, str]:
    query = {
        "SdkAppid": app,
        "CallbackCommand": command,
        "contenttype": "json",
        "ClientIP": "127.0.0.1",
        "OptPlatform": "RESTAPI",
    }
    if token is not None:
        request_time = str(int(now))
        query.update(RequestTime=request_time, Sign=sign(token, request_time))
    return query


def yunxin_headers(body: bytes, now: float, *, app: str = YUNXIN_APP, secret: str = YUNXIN_SECRET) -> dict[str, str]:
    md5 = hashlib.md5(body).hexdigest()
    cur_time = str(int(now * 1000))
    return {
        "Content-Type": "application/json",
        "AppKey": app,
        "CurTime": cur_time,
        "MD5": md5,
        "CheckSum": checksum(secret, md5, cur_time),
    }
