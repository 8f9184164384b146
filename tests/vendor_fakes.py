"""In-process stand-ins for the three vendors, for tests of the generated clients over httpx transports.

A ``Recorder`` answers every request through a function and keeps the requests it saw, so a test can assert
the exact method, path, query, headers and body the client sent.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import feishu_im
import httpx
import tencent_im
import yunxin_im

VENDORS = ("feishu", "tencent", "yunxin")
PACKAGES = {"feishu": feishu_im, "tencent": tencent_im, "yunxin": yunxin_im}
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
FEISHU_SECRET = "feishu-app-secret-value"
TENCENT_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
YUNXIN_SECRET = "yunxin-app-secret-value"


def ok_body(vendor: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    if vendor == "tencent":
        return {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
    return {"code": 200 if vendor == "yunxin" else 0, "msg": "success", "data": data or {}}


def error_body(vendor: str, code: int, message: str) -> dict[str, Any]:
    if vendor == "tencent":
        return {"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": message}
    return {"code": code, "msg": message}


def token_response(token: str = "t-fresh-token", expire: int = 7200) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "msg": "ok", "tenant_access_token": token, "expire": expire})


class Recorder:
    """A transport that records each request and answers it with ``answer(request)``.

    Feishu token requests are answered with a fresh token unless ``answer`` handles them itself.
    """

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response], *, answer_tokens: bool = True) -> None:
        self.answer = answer
        self.answer_tokens = answer_tokens
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.answer_tokens and request.url.path == TOKEN_PATH:
            self.token_requests.append(request)
            return token_response()
        self.requests.append(request)
        return self.answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def answering(vendor: str, status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Recorder:
    """A recorder answering every call with one JSON body (success by default)."""
    content = json.dumps(ok_body(vendor) if body is None else body).encode()
    return Recorder(lambda _request: httpx.Response(status, content=content, headers=headers))


def make_client(vendor: str, recorder: Recorder, *, asynchronous: bool = False, **options: Any) -> Any:
    """A client of ``vendor`` talking to ``recorder``; a fresh Feishu app id so token caches never mix."""
    options.setdefault("rate_limit", False)
    package = PACKAGES[vendor]
    if vendor == "feishu":
        cls = package.AsyncFeishuClient if asynchronous else package.FeishuClient
        credentials: dict[str, Any] = {"app_id": f"cli_{uuid.uuid4().hex[:12]}", "app_secret": FEISHU_SECRET}
    elif vendor == "tencent":
        cls = package.AsyncTencentIMClient if asynchronous else package.TencentIMClient
        credentials = {"sdkappid": 1400000000, "secret_key": TENCENT_KEY}
    else:
        cls = package.AsyncYunxinClient if asynchronous else package.YunxinClient
        credentials = {"app_key": "yunxin-app-key", "app_secret": YUNXIN_SECRET}
    return cls(**credentials, transport=recorder.transport, **options)
