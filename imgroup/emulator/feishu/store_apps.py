"""A Feishu store app (商店应用): its app_tickets, its app token, each tenant's token, and tenants installing it.

Feishu pushes a store app its app_ticket every hour (``ticket_interval_s`` in the fault plan compresses the
hour) and after each resend; the app trades its id, secret and ticket for an app_access_token, and that with a
tenant_key for the tenant's tenant_access_token. The app's latest two tickets are valid (a push does not
break a fetch made with the one before); any other ticket is answered 10012. A tenant added through the admin
API installs the app, which Feishu announces with an ``app_open`` event.

Every ticket is issued by :func:`issue_ticket`, and every event leaves through :func:`deliver`: to the hook
the app's event URL (the pusher, ``events.push_v1_event``) and ``Emulator.feishu_event_hook`` (a test's ticket
store, in process), never during the call that caused it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from typing import Any

from .._pipeline import Emulator, Operation, Result, VendorRequest, body_target
from .._state import TENANT_SEPARATOR, FeishuApp
from .events import push_v1_event
from .token import credentials_of, hand_out

# Tickets a fetch may still use: the latest push, and the one before it.
VALID_TICKETS = 2
INVALID_PARAM, APP_TICKET_INVALID, APP_TOKEN_INVALID = 10003, 10012, 99991664


def v1_event(app: FeishuApp, event: dict[str, Any]) -> dict[str, Any]:
    """A v1 (``event_callback``) event as Feishu pushes app_ticket and app_open."""
    return {
        "ts": f"{time.time():.7f}",
        "uuid": uuid.uuid4().hex,
        "token": app.verification_token,
        "type": "event_callback",
        "event": {"app_id": app.app_id, **event},
    }


def deliver(emulator: Emulator, app: FeishuApp, event: dict[str, Any]) -> None:
    """Send ``event`` (app_ticket, app_open) to the app's event URL when pushes are set (``/_emulator/pushes``), and
    hand its v1 envelope to the event hook once the current call has answered (as a push comes after it)."""
    hook = emulator.feishu_event_hook
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not on the server's loop (a direct call from a test): the hook alone, now
        if hook is not None:
            hook(v1_event(app, event))
        return
    push_v1_event(emulator, app.app_id, {"app_id": app.app_id, **event})
    if hook is not None:
        loop.call_soon(hook, v1_event(app, event))


def issue_ticket(emulator: Emulator, app: FeishuApp) -> str:
    """Issue ``app`` a new app_ticket: record it as valid (dropping the oldest), then deliver its app_ticket event."""
    ticket = secrets.token_urlsafe(24)
    valid = emulator.feishu_tickets.setdefault(app.app_id, [])
    valid.append(ticket)
    del valid[:-VALID_TICKETS]
    deliver(emulator, app, {"app_ticket": ticket, "type": "app_ticket"})
    return ticket


def open_tenant(emulator: Emulator, app: FeishuApp, tenant_key: str, installer: str | None = None) -> None:
    """``tenant_key`` installs the store app ``app``: it becomes one of its tenants and app_open is delivered."""
    if tenant_key not in app.tenants:
        app.tenants.append(tenant_key)
    event: dict[str, Any] = {"tenant_key": tenant_key, "type": "app_open", "applicants": []}
    if installer:
        event["installer"] = {"open_id": installer}
    deliver(emulator, app, event)


def start_ticket_clock(emulator: Emulator) -> None:
    """Push every store app a ticket each ``ticket_interval_s``, from now on (once per emulator)."""
    if emulator.feishu_ticket_clock is not None:
        return
    loop = asyncio.get_running_loop()

    def tick() -> None:
        for app in list(emulator.state.feishu_apps.values()):
            if app.app_type == "store":
                issue_ticket(emulator, app)
        emulator.feishu_ticket_clock = loop.call_later(emulator.plan.ticket_interval_s, tick)

    emulator.feishu_ticket_clock = loop.call_later(emulator.plan.ticket_interval_s, tick)


def _store_app(emulator: Emulator, request: VendorRequest) -> FeishuApp | Result:
    app = credentials_of(emulator, request)
    if isinstance(app, Result):
        return app
    if app.app_type != "store":  # no page we hold says what Feishu answers a custom app here
        return Result(INVALID_PARAM, app=app.app_id)
    start_ticket_clock(emulator)
    return app


def issue_app_token(emulator: Emulator, request: VendorRequest) -> Result:
    """A store app's app_access_token, for its id, secret and one of its valid tickets."""
    app = _store_app(emulator, request)
    if isinstance(app, Result):
        return app
    assert request.body is not None  # credentials_of checked it
    ticket = request.body.get("app_ticket")
    if not isinstance(ticket, str) or not ticket:
        return Result(INVALID_PARAM, app=app.app_id)
    if ticket not in emulator.feishu_tickets.get(app.app_id, []):
        return Result(APP_TICKET_INVALID, app=app.app_id)
    token, expire = hand_out(
        emulator.feishu_app_tokens, emulator.feishu_current_app_token, app.app_id, "a-", emulator.plan.token_ttl_s
    )
    return Result(0, {"app_access_token": token, "expire": expire}, app=app.app_id, top_level=True)


def issue_tenant_token(emulator: Emulator, request: VendorRequest) -> Result:
    """A tenant's tenant_access_token, for the store app's app_access_token and a tenant that installed it."""
    body = request.body
    if body is None or not isinstance(body.get("app_access_token"), str) or not isinstance(body.get("tenant_key"), str):
        return Result(INVALID_PARAM)
    issued = emulator.feishu_app_tokens.get(body["app_access_token"])
    if issued is None or time.time() >= issued[1]:
        return Result(APP_TOKEN_INVALID)
    app = emulator.state.feishu_apps.get(issued[0])
    tenant_key = body["tenant_key"]
    if app is None or tenant_key not in app.tenants:  # not installed there: no page we hold gives Feishu's code
        return Result(INVALID_PARAM, app=issued[0])
    caller = f"{app.app_id}{TENANT_SEPARATOR}{tenant_key}"
    token, expire = hand_out(
        emulator.feishu_tokens, emulator.feishu_current_token, caller, "t-", emulator.plan.token_ttl_s
    )
    return Result(0, {"tenant_access_token": token, "expire": expire}, app=caller, top_level=True)


def resend_ticket(emulator: Emulator, request: VendorRequest) -> Result:
    """Push the store app a new ticket now."""
    app = _store_app(emulator, request)
    if isinstance(app, Result):
        return app
    issue_ticket(emulator, app)
    return Result(0, {}, app=app.app_id, top_level=True)


APP_TOKEN, TENANT_TOKEN = "/open-apis/auth/v3/app_access_token", "/open-apis/auth/v3/tenant_access_token"
RESEND = "/open-apis/auth/v3/app_ticket/resend"
APP_ID, TENANT_KEY = body_target("app_id"), body_target("tenant_key")
OPERATIONS = (
    Operation("POST", APP_TOKEN, "get_app_access_token", issue_app_token, APP_ID, json_body=True, authenticated=False),
    Operation(
        "POST",
        TENANT_TOKEN,
        "get_store_tenant_access_token",
        issue_tenant_token,
        TENANT_KEY,
        json_body=True,
        authenticated=False,
    ),
    Operation("POST", RESEND, "resend_app_ticket", resend_ticket, APP_ID, json_body=True, authenticated=False),
)
