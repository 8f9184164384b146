"""The one path every vendor call takes: faults, authentication, rate limit, the operation, the audit record.

Each vendor package supplies a Dialect (how that vendor authenticates and shapes its answers) and route
tables of Operations: per HTTP method and path, the operationId and the handler that reads and changes the
state. Every handler has the same shape, ``handler(emulator, request) -> Result``, whatever the vendor.
Everything here runs on the server's event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ._audit import AuditLog
from ._catalogue import VENDORS, rate_limits
from ._faults import Fault, FaultPlan, Windows
from ._pushes import Notice, Pushes, PushTransport
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
    notices: list[Notice] = field(default_factory=list)  # the callbacks the change sends
    top_level: bool = False  # the answer's fields sit beside code and msg, not under data (Feishu's token calls)


@dataclass(frozen=True)
class VendorRequest:
    """What a handler is given of one call: the caller, the path parameters, the query and the JSON body."""

    app: str  # the authenticated app as its vendor names it; "" for an operation that takes no credentials
    path: Mapping[str, str]
    query: Mapping[str, str]  # a parameter sent twice counts with its last value
    body: dict[str, Any] | None  # None when the operation reads no body, or it is absent, not JSON or no object


class Dialect(Protocol):
    """How one vendor authenticates calls and shapes its answers."""

    vendor: str

    def authenticate(self, request: Request, emulator: Emulator) -> str | Result:
        """The calling app's id, or the Result that refuses the call."""
        ...

    def answer(self, result: Result) -> tuple[int, Response]: ...

    def rate_limited(self, refusal: Refusal) -> Result: ...

    def server_error(self, fault: Fault) -> tuple[int | None, Response]:
        """The answer to an injected ``error`` or ``html`` fault, and the business code it carries."""
        ...


Handler = Callable[["Emulator", VendorRequest], Result]
Target = Callable[[VendorRequest], str | None]


def no_target(request: VendorRequest) -> str | None:
    """The audit record of a call on no one record (a listing, a creation) names no target."""
    return None


def path_target(name: str) -> Target:
    """The audit target is the path parameter ``name``."""
    return lambda request: request.path[name]


def query_target(name: str) -> Target:
    """The audit target is the query parameter ``name``, when it is sent and not empty."""
    return lambda request: request.query.get(name) or None


def body_target(name: str) -> Target:
    """The audit target is the body field ``name``, when it is a string."""

    def target(request: VendorRequest) -> str | None:
        value = request.body.get(name) if request.body is not None else None
        return value if isinstance(value, str) else None

    return target


@dataclass(frozen=True)
class Operation:
    """One row of a resource's route table: who answers ``method path``, under which operationId.

    ``operation_id`` may name path parameters in braces (Tencent's catch-all calls an unknown command by
    its path). ``json_body`` says whether the operation reads a body; ``authenticated`` is False for the
    one operation that hands out credentials.
    """

    method: str
    path: str
    operation_id: str
    handler: Handler
    target: Target = no_target
    json_body: bool = False
    authenticated: bool = True


def json_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object; None when it is empty, not JSON, or another JSON value."""
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


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
    """Everything the routes share: state, audit log, fault plan, rate limiter, pushed callbacks.

    ``push_transports``: each vendor's way of sending its callbacks (none: changes push nothing).
    """

    def __init__(self, push_transports: Mapping[str, PushTransport] | None = None) -> None:
        self.push_transports = dict(push_transports or {})
        self.pushes = Pushes(self.push_transports)
        # Where Feishu events (app_ticket, app_open) go: wiring, not state, so a reset keeps it.
        self.feishu_event_hook: Callable[[dict[str, Any]], None] | None = None
        self.feishu_ticket_clock: asyncio.TimerHandle | None = None
        self.reset()

    def reset(self, seed: dict[str, Any] | None = None) -> None:
        """Forget everything (records, calls, faults, counters, tokens), then load ``seed`` if given.

        A malformed seed raises SeedError before anything is forgotten.
        """
        state = EmulatorState()
        if seed is not None:
            state.load_seed(seed)
        self.state = state
        self.audit = AuditLog()
        self.plan = FaultPlan()
        self.limiter = RateLimiter()
        self.pushes.close()  # a delivery already under way is abandoned, not finished
        self.pushes = Pushes(self.push_transports)
        # tenant_access_tokens: token -> (caller, expires_at on time.time()); the caller is the app_id of a custom
        # app, or app_id@tenant_key for a store app in a tenant.
        self.feishu_tokens: dict[str, tuple[str, float]] = {}
        self.feishu_current_token: dict[str, str] = {}  # caller -> the token it was last given
        self.feishu_app_tokens: dict[str, tuple[str, float]] = {}  # a store app's app_access_tokens, alike
        self.feishu_current_app_token: dict[str, str] = {}
        self.feishu_tickets: dict[str, list[str]] = {}  # store app -> its valid app_tickets, newest last
        if self.feishu_ticket_clock is not None:
            self.feishu_ticket_clock.cancel()
            self.feishu_ticket_clock = None

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

    def feishu_tenant_of(self, request: Request) -> str | None:
        """The store app tenant whose token a Feishu call carries (a fault plan's ``tenants`` picks calls by it),
        or None: no token we issued, or a custom app's."""
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        caller, _ = self.feishu_tokens.get(token, ("", 0.0))
        return caller.partition("@")[2] or None

    def rate_limited_counts(self) -> dict[str, dict[str, int]]:
        return {vendor: {op: self.audit.rate_limited[(vendor, op)] for op in rate_limits(vendor)} for vendor in VENDORS}

    def route(self, dialect: Dialect, operation: Operation) -> Route:
        """The starlette route that answers ``operation`` through this emulator."""

        async def endpoint(request: Request) -> Response:
            return await self.call(dialect, operation, request)

        return Route(operation.path, endpoint, methods=[operation.method])

    async def call(self, dialect: Dialect, operation: Operation, request: Request) -> Response:
        """Answer one vendor call and record it."""
        vendor = dialect.vendor
        parsed = VendorRequest(
            app="",
            path=dict(request.path_params),
            query=dict(request.query_params),
            body=json_object(await request.body()) if operation.json_body else None,
        )
        operation_id = operation.operation_id.format_map(parsed.path)
        target = operation.target(parsed)
        plan = self.plan
        if plan.latency_ms and plan.applies_to(operation_id):
            await asyncio.sleep(plan.latency_ms / 1000)
        arrival_delay = plan.arrival_delay(vendor, operation_id, target or "")
        if arrival_delay:  # the network between the client and the vendor's counter, unevenly slow
            await asyncio.sleep(arrival_delay)
        tenant = self.feishu_tenant_of(request) if plan.tenants is not None and vendor == "feishu" else None
        fault = plan.draw(vendor, operation_id, target or "", tenant=tenant)
        app: str | None = None
        effect: str | None = None
        if fault is not None and fault.kind in ("error", "html"):
            code, response = dialect.server_error(fault)
            self.audit.record(
                vendor=vendor, operation=operation_id, app=None, target=target, code=code,
                http_status=response.status_code, fault=fault.kind,
            )  # fmt: skip
            return response
        caller = dialect.authenticate(request, self) if operation.authenticated else ""
        if isinstance(caller, Result):
            result = caller
        elif fault is not None and fault.kind == "storm":
            app = caller
            windows = self.limits_for(vendor, operation_id)
            limit = windows[0][0] if windows else 1
            result = dialect.rate_limited(Refusal(limit=limit, window_s=1, reset_s=fault.reset_s))
        else:
            app = caller or None
            refusal = self.limiter.count((vendor, app, operation_id), self.limits_for(vendor, operation_id))
            if refusal is not None:
                self.audit.rate_limited[(vendor, operation_id)] += 1
                result = dialect.rate_limited(refusal)
            else:
                result = operation.handler(self, replace(parsed, app=caller))
                app = result.app or app
                effect = result.effect
                if result.notices:
                    client_ip = request.client.host if request.client is not None else ""
                    self.pushes.post(result.notices, caller=caller, client_ip=client_ip, state=self.state)
        http_status, response = dialect.answer(result)
        self.audit.record(
            vendor=vendor, operation=operation_id, app=app, target=target, code=result.code,
            http_status=http_status, effect=effect, fault=fault.kind if fault else None,
        )  # fmt: skip
        if fault is not None and fault.kind == "drop":
            return DroppedConnection()
        return response
