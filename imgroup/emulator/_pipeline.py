"""The one path every vendor call takes: faults, authentication, rate limit, the operation, the audit record.

Each vendor module supplies a Dialect (how that vendor authenticates and shapes its answers) and, per
operation, an action that reads and changes the state. Everything here runs on the server's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from ._audit import AuditLog
from ._catalogue import VENDORS, rate_limits
from ._faults import Fault, FaultPlan, Windows
from ._ratelimit import RateLimiter, Refusal
from ._state import EmulatorState


@dataclass
class Result:
    """What an operation did: the business code to answer, its data, and the change it made, if any."""

    code: int
    data: Any = None
    effect: str | None = None
    app: str | None = None  # the caller, when the operation itself identifies it (the token endpoint)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the app's id as the vendor names it."""

    app: str


class Dialect(Protocol):
    """How one vendor authenticates calls and shapes its answers."""

    vendor: str

    def authenticate(self, request: Request, emulator: Emulator) -> Caller | Result: ...

    def answer(self, result: Result) -> tuple[int, Response]: ...

    def rate_limited(self, refusal: Refusal) -> Result: ...

    def server_error(self, fault: Fault) -> tuple[int | None, Response]:
        """The answer to an injected ``error`` or ``html`` fault, and the business code it carries."""
        ...


Action = Callable[[Caller], Result]


class DroppedConnection(Response):
    """Starts an answer and stops halfway: the server then closes the connection, as a broken network would."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"64")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"code":', "more_body": True})


def gateway_error_page(fault: Fault) -> Response:
    """What a proxy in front of the vendor answers when the vendor is down: an HTML page, not the API's JSON."""
    title = f"{fault.status} {HTTPStatus(fault.status).phrase}"
    page = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
    return HTMLResponse(page + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status_code=fault.status)


class Emulator:
    """Everything the routes share: state, audit log, fault plan, rate limiter."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything: records, calls, faults, counters, tokens."""
        self.state = EmulatorState()
        self.audit = AuditLog()
        self.plan = FaultPlan()
        self.limiter = RateLimiter()
        self.feishu_tokens: dict[str, tuple[str, float]] = {}  # token -> (app_id, expires_at on time.time())
        self.feishu_current_token: dict[str, str] = {}  # app_id -> the token it was last given

    def limits_for(self, vendor: str, operation: str) -> Windows:
        """The (calls, seconds) windows ``operation`` is counted in: the fault plan's override, or the documented."""
        override = self.plan.rate_limits.get(operation)
        if override is not None:
            return override
        documented = rate_limits(vendor).get(operation)
        if documented is None:
            return ()
        pairs = ((documented.per_second, 1.0), (documented.per_minute, 60.0))
        return tuple((limit, seconds) for limit, seconds in pairs if limit)

    def rate_limited_counts(self) -> dict[str, dict[str, int]]:
        return {vendor: {op: self.audit.rate_limited[(vendor, op)] for op in rate_limits(vendor)} for vendor in VENDORS}

    async def call(
        self,
        dialect: Dialect,
        operation: str,
        target: str | None,
        request: Request,
        action: Action,
        *,
        auth: bool = True,
    ) -> Response:
        """Answer one vendor call and record it."""
        vendor = dialect.vendor
        plan = self.plan
        if plan.latency_ms and plan.applies_to(operation):
            await asyncio.sleep(plan.latency_ms / 1000)
        arrival_delay = plan.arrival_delay(vendor, operation, target or "")
        if arrival_delay:  # the network between the client and the vendor's counter, unevenly slow
            await asyncio.sleep(arrival_delay)
        fault = plan.draw(vendor, operation, target or "")
        app: str | None = None
        effect: str | None = None
        if fault is not None and fault.kind in ("error", "html"):
            code, response = dialect.server_error(fault)
            self.audit.record(
                vendor=vendor, operation=operation, app=None, target=target, code=code,
                http_status=response.status_code, fault=fault.kind,
            )  # fmt: skip
            return response
        caller = dialect.authenticate(request, self) if auth else Caller(app="")
        if isinstance(caller, Result):
            result = caller
        elif fault is not None and fault.kind == "storm":
            app = caller.app
            windows = self.limits_for(vendor, operation)
            limit = windows[0][0] if windows else 1
            result = dialect.rate_limited(Refusal(limit=limit, window_s=1, reset_s=fault.reset_s))
        else:
            app = caller.app or None
            refusal = self.limiter.count((vendor, app, operation), self.limits_for(vendor, operation))
            if refusal is not None:
                self.audit.rate_limited[(vendor, operation)] += 1
                result = dialect.rate_limited(refusal)
            else:
                result = action(caller)
                app = result.app or app
                effect = result.effect
        http_status, response = dialect.answer(result)
        self.audit.record(
            vendor=vendor, operation=operation, app=app, target=target, code=result.code,
            http_status=http_status, effect=effect, fault=fault.kind if fault else None,
        )  # fmt: skip
        if fault is not None and fault.kind == "drop":
            return DroppedConnection()
        return response
