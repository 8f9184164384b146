"""Feishu's token endpoint: get_tenant_access_token, the one operation that takes no credentials.

The tokens it hands out are what FeishuDialect.authenticate accepts.
"""

from __future__ import annotations

import secrets
import time

from .._pipeline import Emulator, Operation, Result, VendorRequest, body_target

# A token is handed out again until under 30 minutes of it remain; then a new one is issued.
TOKEN_REUSE_MIN_REMAINING_S = 1800


def issue_token(emulator: Emulator, request: VendorRequest) -> Result:
    """Hand out a tenant_access_token, reusing the app's current one while over 30 minutes of it remain."""
    body = request.body
    if body is None or not isinstance(body.get("app_id"), str) or not isinstance(body.get("app_secret"), str):
        return Result(10003)
    app = emulator.state.feishu_apps.get(body["app_id"])
    if app is None:
        return Result(10003)
    if not secrets.compare_digest(app.app_secret.encode(), body["app_secret"].encode()):
        return Result(10014, app=app.app_id)
    now = time.time()
    current = emulator.feishu_current_token.get(app.app_id)
    expires_at = emulator.feishu_tokens[current][1] if current in emulator.feishu_tokens else 0.0
    if current is None or expires_at - now < TOKEN_REUSE_MIN_REMAINING_S:
        current = "t-" + secrets.token_hex(20)
        expires_at = now + emulator.plan.token_ttl_s
        emulator.feishu_tokens[current] = (app.app_id, expires_at)
        emulator.feishu_current_token[app.app_id] = current
    return Result(0, {"tenant_access_token": current, "expire": int(expires_at - now)}, app=app.app_id)


TOKEN, APP_ID = "/open-apis/auth/v3/tenant_access_token/internal", body_target("app_id")
OPERATIONS = (
    Operation("POST", TOKEN, "get_tenant_access_token", issue_token, APP_ID, json_body=True, authenticated=False),
)
