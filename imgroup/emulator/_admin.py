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
from ._state import SeedError


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
        Route("/_emulator/pushes", pushes, methods=["GET", "POST"]),
        Route("/_emulator/tokens/expire", expire_tokens, methods=["POST"]),
    ]


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
