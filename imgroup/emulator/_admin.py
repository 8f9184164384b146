"""The admin API under ``/_emulator/``: reset, seed, state, faults, calls, pushes. Faults never touch these routes."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._faults import FaultPlan, FaultPlanError
from ._pipeline import Emulator
from ._pushes import PushSettingsError
from ._seed import NAMED_SEEDS
from ._state import TENANT_SEPARATOR, FeishuApp, SeedError
from .feishu import store_apps


def routes(emulator: Emulator) -> list[Route]:
    """The admin paths, bound to ``emulator``."""

    async def reset(request: Request) -> Response:
        try:
            emulator.reset(await _reset_seed(request))
        except SeedError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})

    async def seed(request: Request) -> Response:
        document = await _json_body(request)
        try:
            emulator.state.load_seed(document)
        except SeedError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})

    async def state(request: Request) -> Response:
        return JSONResponse(
            {
                **emulator.state.snapshot(),
                "rate_limited": emulator.rate_limited_counts(),
                "faults": emulator.plan.to_json(),
                "calls": len(emulator.audit),
            }
        )

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.plan = FaultPlan.from_json(await _json_body(request))
            except FaultPlanError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(emulator.plan.to_json())

    async def pushes(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.pushes.configure(await _json_body(request))
            except PushSettingsError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(emulator.pushes.to_json())

    async def expire_tokens(request: Request) -> Response:
        # Clients renew tokens ahead of expiry, so a test cannot simply wait for one to expire.
        now = time.time()
        emulator.feishu_tokens = {
            token: (app_id, min(at, now)) for token, (app_id, at) in emulator.feishu_tokens.items()
        }
        emulator.feishu_app_tokens = {
            token: (app_id, min(at, now)) for token, (app_id, at) in emulator.feishu_app_tokens.items()
        }
        return JSONResponse({"expired": len(emulator.feishu_tokens) + len(emulator.feishu_app_tokens)})

    async def feishu_tenants(request: Request) -> Response:
        # A tenant installs a store app: Feishu then pushes app_open.
        document = await _json_body(request)
        app = _store_app_of(emulator, document)
        tenant_key = document.get("tenant_key") if isinstance(document, dict) else None
        if app is None or not isinstance(tenant_key, str) or not tenant_key or TENANT_SEPARATOR in tenant_key:
            return JSONResponse({"error": "give the app_id of a store app and a tenant_key"}, status_code=400)
        installer = document.get("installer")
        store_apps.open_tenant(emulator, app, tenant_key, installer if isinstance(installer, str) else None)
        return JSONResponse({"tenants": list(app.tenants)})

    async def feishu_tickets(request: Request) -> Response:
        # issue: push a ticket now, as the hourly push does; expire: every ticket issued so far is stale (10012).
        action = request.path_params["action"]
        if action not in ("issue", "expire"):
            return JSONResponse({"error": "POST /_emulator/feishu/tickets/issue or .../expire"}, status_code=404)
        document = await _json_body(request)
        app = _store_app_of(emulator, document)
        if app is None:
            return JSONResponse({"error": "give the app_id of a store app"}, status_code=400)
        if action == "expire":
            emulator.feishu_tickets.pop(app.app_id, None)
            return JSONResponse({"ok": True})
        store_apps.issue_ticket(emulator, app)
        return JSONResponse({"ok": True})

    async def calls(request: Request) -> Response:
        since = request.query_params.get("since", "0")
        if not since.isdigit():
            return JSONResponse({"error": "since is a sequence number"}, status_code=400)
        return JSONResponse(emulator.audit.since(int(since)))

    return [
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/seed", seed, methods=["POST"]),
        Route("/_emulator/state", state, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST"]),
        Route("/_emulator/calls", calls, methods=["GET"]),
        Route("/_emulator/pushes", pushes, methods=["GET", "POST"]),
        Route("/_emulator/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_emulator/feishu/tenants", feishu_tenants, methods=["POST"]),
        Route("/_emulator/feishu/tickets/{action:str}", feishu_tickets, methods=["POST"]),
    ]


def _store_app_of(emulator: Emulator, document: Any) -> FeishuApp | None:
    app_id = document.get("app_id") if isinstance(document, dict) else None
    app = emulator.state.feishu_apps.get(app_id) if isinstance(app_id, str) else None
    return app if app is not None and app.app_type == "store" else None


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return None


async def _reset_seed(request: Request) -> Any:
    """What a reset loads afterwards: the seed named by ``?seed=``, the seed document in the body, or nothing."""
    named = request.query_params.get("seed")
    raw = await request.body()
    if named is not None and raw:
        raise SeedError("give the seed by name (?seed=) or as the body, not both")
    if named is not None:
        if named not in NAMED_SEEDS:
            raise SeedError(f"unknown seed {named!r}: one of {', '.join(NAMED_SEEDS)}, or a seed document as the body")
        return copy.deepcopy(NAMED_SEEDS[named])
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise SeedError("the body is not a JSON seed document") from None
