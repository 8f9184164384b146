"""A Feishu store app's (商店应用) tokens: app_ticket -> app_access_token -> each tenant's tenant_access_token.

Feishu pushes a store app its app_ticket (every hour, and after a resend) to its event URL; the event receiver
puts it in a ticket store (:mod:`.feishu_tickets`) every process of the app shares. From the ticket the
signer fetches the app token, and with the app token one tenant_access_token per tenant; each is fetched once
per process for every thread and task (the app token once for all of the app's tenants), renewed before it
expires, and fetched again when Feishu calls it invalid. A ticket that is missing, or that Feishu answers
10012 to, makes the signer ask Feishu to resend it and wait, a bounded time, for it to reach the store.

How a token is obtained is written once, as a generator of steps (a request to send, or a wait for a ticket);
the sync and async flows only carry the steps out, each with its own I/O.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from imgroup.errors import AppTicketTimeoutError
from imgroup.runtime import _envelope
from imgroup.runtime._vendor import Vendor

from . import Signer
from ._token_cache import TOKEN_INVALID_CODES, TokenState, answer_code, read_token, token_state
from .feishu_tickets import TicketStore, async_wait_for_ticket, wait_for_ticket

if TYPE_CHECKING:
    from imgroup.runtime._pipeline import PreparedRequest

# The app_ticket sent is not (or no longer) valid: ask for a resend (the official Go SDK does the same).
APP_TICKET_INVALID = 10012
# The app_access_token sent for a tenant's token is invalid or expired: fetch a new one once.
APP_TOKEN_INVALID_CODES = frozenset({99991664})
# How many tickets one fetch of the app token tries before a 10012 is the caller's error: a refused ticket is
# followed by the store's newest or a resent one, which others' resends may in turn retire.
APP_TOKEN_TRIES = 4
# How long a client waits for a resent ticket to reach the store; Feishu pushes it within seconds.
DEFAULT_TICKET_WAIT_S = 30.0
# A store app's tokens are renewed with 25 minutes left: Feishu hands out a new token only under 30 minutes
# (the old one stays valid), so the new one is fresh, and thousands of tenants' renewals are spread over the
# last half hour rather than crowded into the last minutes. A short-lived token renews with a quarter left.
RENEW_MARGIN_S, RENEW_SHARE = 1500.0, 0.25


class StoreAppCalls(NamedTuple):
    """The generated package's credential calls of a store app (prepare functions), with their operation names."""

    app_token: Callable[[str, str, str], PreparedRequest]
    """(app_id, app_secret, app_ticket) -> the app_access_token request."""
    app_token_operation: str
    tenant_token: Callable[[str, str], PreparedRequest]
    """(app_access_token, tenant_key) -> the tenant_access_token request."""
    tenant_token_operation: str
    ticket_resend: Callable[[str, str], PreparedRequest]
    """(app_id, app_secret) -> the request that asks Feishu to push the app_ticket again."""
    ticket_resend_operation: str


class _WaitForTicket(NamedTuple):
    """A step: wait until the store holds a ticket other than ``stale``."""

    stale: str | None


_Step = httpx.Request | _WaitForTicket
_Steps = Generator[_Step, Any, str]


class StoreAppAuth(Signer):
    """Sends a tenant's tenant_access_token for a store app, obtaining it (and the app token) as needed.

    ``for_tenant(tenant_key)`` answers the signer of another tenant of the same app: it shares the app token
    and the ticket store.
    """

    requires_response_body = True

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str,
        *,
        vendor: Vendor,
        calls: StoreAppCalls,
        tickets: TicketStore,
        tenant_key: str | None,
        ticket_wait_s: float = DEFAULT_TICKET_WAIT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self.tenant_key = tenant_key
        self.tickets = tickets
        self.ticket_wait_s = ticket_wait_s
        self._app_secret = app_secret
        self._base_url_text = base_url
        self._base_url = httpx.URL(base_url)
        self._vendor = vendor
        self._calls = calls
        self._clock = clock
        # One lock guards the app token and every tenant token of the app: a tenant's token needs the app token.
        self._app_state = token_state(base_url, app_id, "app")
        self._tenant_state: TokenState | None = (
            token_state(base_url, app_id, "tenant", tenant_key) if tenant_key is not None else None
        )

    def __repr__(self) -> str:
        return f"StoreAppAuth(app_id={self.app_id!r}, tenant_key={self.tenant_key!r})"

    def for_tenant(self, tenant_key: str) -> StoreAppAuth:
        """The signer of ``tenant_key``, another tenant of the same app."""
        if not isinstance(tenant_key, str) or not tenant_key:
            raise self._vendor.errors.validation("client", "tenant_key", "must be a non-empty string")
        return StoreAppAuth(
            self.app_id,
            self._app_secret,
            self._base_url_text,
            vendor=self._vendor,
            calls=self._calls,
            tickets=self.tickets,
            tenant_key=tenant_key,
            ticket_wait_s=self.ticket_wait_s,
            clock=self._clock,
        )

    def sign(self, params: dict[str, Any], headers: dict[str, str]) -> httpx.Auth | None:
        if self._tenant_state is None:
            raise self._vendor.errors.validation(
                "client", "tenant_key", "is required for a store app's calls: pass tenant_key= or use for_tenant()"
            )
        return self

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        state = self._require_tenant()
        for attempt in range(2):
            token = state.valid(self._clock())
            if token is None:
                with self._app_state.thread_lock:
                    token = state.valid(self._clock())
                    if token is None:
                        steps = self._tenant_token_steps(state)
                        reply: str | httpx.Response | None = None
                        while token is None:
                            try:
                                step = steps.send(reply)
                            except StopIteration as done:
                                token = done.value
                                break
                            if isinstance(step, _WaitForTicket):
                                reply = self._wait(step.stale)
                            else:
                                response = yield step
                                response.read()
                                reply = response
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            response.read()
            if attempt or answer_code(response) not in TOKEN_INVALID_CODES:
                return
            state.invalidate(token)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        state = self._require_tenant()
        for attempt in range(2):
            token = state.valid(self._clock())
            if token is None:
                async with self._app_state.async_lock():
                    token = state.valid(self._clock())
                    if token is None:
                        steps = self._tenant_token_steps(state)
                        reply: str | httpx.Response | None = None
                        while token is None:
                            try:
                                step = steps.send(reply)
                            except StopIteration as done:
                                token = done.value
                                break
                            if isinstance(step, _WaitForTicket):
                                reply = await self._async_wait(step.stale)
                            else:
                                response = yield step
                                await response.aread()
                                reply = response
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            await response.aread()
            if attempt or answer_code(response) not in TOKEN_INVALID_CODES:
                return
            state.invalidate(token)

    # The steps, shared by both flows: each yields a request (and is sent its answer) or a wait (and is sent
    # the ticket), and returns a token.

    def _tenant_token_steps(self, state: TokenState) -> _Steps:
        operation = self._calls.tenant_token_operation
        app_token = yield from self._app_token_steps()
        response = yield self._request(self._calls.tenant_token(app_token, self._tenant_key()))
        if answer_code(response) in APP_TOKEN_INVALID_CODES:  # revoked early: one fresh app token, one more try
            self._app_state.invalidate(app_token)
            app_token = yield from self._app_token_steps()
            response = yield self._request(self._calls.tenant_token(app_token, self._tenant_key()))
        token, expire = read_token(self._vendor, operation, response, "tenant_access_token")
        return state.store(token, expire, self._clock(), RENEW_MARGIN_S, RENEW_SHARE)

    def _app_token_steps(self) -> _Steps:
        # Other processes, and this one's other event loops (a worker runs a partition a loop), fetch too: each
        # resend makes Feishu push a new ticket and may retire older ones. So before each try, take an app token
        # someone stored meanwhile, or the store's newest ticket, and ask for a resend only when the store holds
        # nothing newer than the ticket refused.
        refused: str | None = None
        response: httpx.Response | None = None
        for _ in range(APP_TOKEN_TRIES):
            token = self._app_state.valid(self._clock())
            if token is not None:
                return token
            ticket = self.tickets.get(self.app_id)
            if ticket is None or ticket == refused:
                ticket = yield from self._resend_steps(stale=refused)
            response = yield self._request(self._calls.app_token(self.app_id, self._app_secret, ticket))
            if answer_code(response) != APP_TICKET_INVALID:
                break
            refused = ticket
        assert response is not None
        token, expire = read_token(self._vendor, self._calls.app_token_operation, response, "app_access_token")
        return self._app_state.store(token, expire, self._clock(), RENEW_MARGIN_S, RENEW_SHARE)

    def _resend_steps(self, stale: str | None) -> _Steps:
        operation = self._calls.ticket_resend_operation
        response = yield self._request(self._calls.ticket_resend(self.app_id, self._app_secret))
        _envelope.decode(self._vendor, operation, response)  # a refusal raises its typed error
        ticket: str | None = yield _WaitForTicket(stale)
        if ticket is None:
            raise AppTicketTimeoutError(operation, self.app_id, self.ticket_wait_s)
        return ticket

    def _wait(self, stale: str | None) -> str | None:
        return wait_for_ticket(self.tickets, self.app_id, stale=stale, timeout=self.ticket_wait_s, clock=self._clock)

    async def _async_wait(self, stale: str | None) -> str | None:
        return await async_wait_for_ticket(
            self.tickets, self.app_id, stale=stale, timeout=self.ticket_wait_s, clock=self._clock
        )

    def _request(self, parts: PreparedRequest) -> httpx.Request:
        return httpx.Request(parts.method, self._base_url.join(parts.url), json=parts.json, headers=parts.headers)

    def _require_tenant(self) -> TokenState:
        if self._tenant_state is None:  # sign() refuses first; a plain httpx caller meets this
            raise self._vendor.errors.validation("client", "tenant_key", "is required for a store app's calls")
        return self._tenant_state

    def _tenant_key(self) -> str:
        assert self.tenant_key is not None  # a signer without a tenant never gets this far (_require_tenant)
        return self.tenant_key


__all__ = ["APP_TICKET_INVALID", "DEFAULT_TICKET_WAIT_S", "StoreAppAuth", "StoreAppCalls"]
