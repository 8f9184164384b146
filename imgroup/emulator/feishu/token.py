"""Feishu's custom-app token endpoint: get_tenant_access_token, from the app's id and secret.

The tokens it hands out are what FeishuDialect.authenticate accepts. How a token is handed out (the same one
again until under 30 minutes of it remain) is shared with a store app's tokens (store_apps.py).
"""

from __future__ import annotations

import secrets
import time

from .._pipeline import Emulator, Operation, Result, VendorRequest, body_target
from .._state import FeishuApp

# A token is handed out again until under 30 minutes of it remain; then a new one is issued.
TOKEN_REUSE_MIN_REMAINING_S = 1800


def hand_out(
    tokens: dict[str, tuple[str, float]], current: dict[str, str], caller: str, prefix: str, ttl_s: int
) -> tuple[str, int]:
    """``caller``'s token and its seconds left: its current one while over 30 minutes remain, else a new one.

    The old token stays in ``tokens``, valid until it expires, as Feishu keeps it.
    """
    now = time.time()
    token = current.get(caller)
    expires_at = tokens[token][1] if token in tokens else 0.0
    if token is None or expires_at - now < TOKEN_REUSE_MIN_REMAINING_S:
        token = prefix + secrets.token_hex(20)
        expires_at = now + ttl_s
        tokens[token] = (caller, expires_at)
        current[caller] = token
    return token, int(expires_at - now)


def credentials_of(emulator: Emulator, request: VendorRequest) -> FeishuApp | Result:
    """The app the body's app_id and app_secret name: 10003 for an unknown app or a missing field, 10014 for a wrong
    secret."""
    body = request.body
    if body is None or not isinstance(body.get("app_id"), str) or not isinstance(body.get("app_secret"), str):
        return Result(10003)
    app = emulator.state.feishu_apps.get(body["app_id"])
    if app is None:
        return Result(10003)
    if not secrets.compare_digest(app.app_secret.encode(), body["app_secret"].encode()):
        return Result(10014, app=app.app_id)
    return app


def issue_token(emulator: Emulator, request: VendorRequest) -> Result:
    """Hand out a custom app's tenant_access_token."""
    app = credentials_of(emulator, request)
    if isinstance(app, Result):
        return app
    if app.app_type != "custom":  # a store app has no internal token; no page we hold gives the code Feishu answers
        return Result(10003, app=app.app_id)
    token, expire = hand_out(
        emulator.feishu_tokens, emulator.feishu_current_token, app.app_id, "t-", emulator.plan.token_ttl_s
    )
    data = {"msg": "ok", "tenant_access_token": token, "expire": expire}  # the page's example answers "ok"
    return Result(0, data, app=app.app_id, top_level=True)


TOKEN, APP_ID = "/open-apis/auth/v3/tenant_access_token/internal", body_target("app_id")
OPERATIONS = (
    Operation("POST", TOKEN, "get_tenant_access_token", issue_token, APP_ID, json_body=True, authenticated=False),
)
