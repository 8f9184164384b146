"""The admin API under ``/_emulator/``: reset, seed, state, faults, calls. Faults never touch these routes."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._faults import FaultPlan, FaultPlanError
from ._pipeline import Emulator
from ._state import SeedError


def routes(emulator: Emulator) -> list[Route]:
    """The admin paths, bound to ``emulator``."""

    async def reset(request: Request) -> Response:
        emulator.reset()
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

    async def expire_tokens(request: Request) -> Response:
        # Clients renew tokens ahead of expiry, so a test cannot simply wait for one to expire.
        now = time.time()
        emulator.feishu_tokens = {
            token: (app_id, min(at, now)) for token, (app_id, at) in emulator.feishu_tokens.items()
        }
        return JSONResponse({"expired": len(emulator.feishu_tokens)})

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
        Route("/_emulator/tokens/expire", expire_tokens, methods=["POST"]),
    ]


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return None
