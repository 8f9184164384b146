"""Feishu's tenant_access_token: fetched with the app's id and secret, cached per app, sent as a Bearer token.

The token request itself is the generated package's business (its spec's token operation): the client hands
the signer a function that prepares it, so the path and body come from the spec. A store app (``app_type=
"store"``) signs with :class:`~.feishu_store_app.StoreAppAuth` instead: its tenants' tokens come from an app
token, which comes from the app_ticket Feishu pushes to the app.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any

import httpx

from imgroup.runtime._vendor import Vendor

from . import Signer
from ._token_cache import TOKEN_INVALID_CODES, answer_code, read_token, token_state
from .feishu_store_app import DEFAULT_TICKET_WAIT_S, StoreAppAuth, StoreAppCalls
from .feishu_tickets import SQLiteTicketStore, TicketStore, open_ticket_store

if TYPE_CHECKING:
    from imgroup.runtime._pipeline import PreparedRequest

# Prepares the token request from the app's id and secret: the generated package's prepare function.
TokenRequest = Callable[[str, str], "PreparedRequest"]


class TenantTokenAuth(Signer):
    """Sends the app's tenant_access_token, fetching it with the spec's token operation when needed.

    Concurrent callers (threads or tasks) share one fetch; a token the server calls invalid is refetched once
    and the request retried.
    """

    requires_response_body = True

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str,
        *,
        vendor: Vendor,
        token_request: TokenRequest,
        token_operation: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self._vendor = vendor
        self._prepare_token_request = token_request
        self._token_operation = token_operation
        self._base_url = httpx.URL(base_url)
        self._clock = clock
        self._state = token_state(base_url, app_id)

    def __repr__(self) -> str:
        return f"TenantTokenAuth(app_id={self.app_id!r})"

    # httpx.Auth's own sync_auth_flow/async_auth_flow read each answer before handing it back; these replace
    # them (to share one token fetch under a lock), so they read the answers themselves.
    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for attempt in range(2):
            token = self._state.valid(self._clock())
            if token is None:
                with self._state.thread_lock:
                    token = self._state.valid(self._clock())
                    if token is None:
                        token_response = yield self._token_request()
                        token_response.read()
                        token = self._store(token_response)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            response.read()
            if attempt or not _rejects_token(response):
                return
            self._state.invalidate(token)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for attempt in range(2):
            token = self._state.valid(self._clock())
            if token is None:
                async with self._state.async_lock():
                    token = self._state.valid(self._clock())
                    if token is None:
                        token_response = yield self._token_request()
                        await token_response.aread()
                        token = self._store(token_response)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            await response.aread()
            if attempt or not _rejects_token(response):
                return
            self._state.invalidate(token)

    def _token_request(self) -> httpx.Request:
        parts = self._prepare_token_request(self.app_id, self._app_secret)
        return httpx.Request(parts.method, self._base_url.join(parts.url), json=parts.json, headers=parts.headers)

    def _store(self, response: httpx.Response) -> str:
        token, expire = read_token(self._vendor, self._token_operation, response, "tenant_access_token")
        return self._state.store(token, expire, self._clock())


def _rejects_token(response: httpx.Response) -> bool:
    return answer_code(response) in TOKEN_INVALID_CODES


class UserTokenAuth(Signer):
    """Sends a user_access_token as is (the caller renews it)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "UserTokenAuth()"

    def sign(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        headers["Authorization"] = f"Bearer {self._token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


APP_TYPES = ("custom", "store")


def build_auth(
    vendor: Vendor,
    *,
    app_id: str | None,
    app_secret: str | None,
    user_access_token: str | None,
    base_url: str,
    token_request: TokenRequest,
    token_operation: str,
    app_type: str = "custom",
    tickets: TicketStore | str | os.PathLike[str] | None = None,
    tenant_key: str | None = None,
    ticket_wait_s: float = DEFAULT_TICKET_WAIT_S,
    store_app: StoreAppCalls | None = None,
) -> Signer:
    """The signer for a client's credentials; rejects missing or conflicting ones before anything is sent."""
    invalid = vendor.errors.validation
    if app_type not in APP_TYPES:
        raise invalid("client", "app_type", f"must be one of {', '.join(APP_TYPES)} (got {app_type!r})")
    if tenant_key is not None and (not isinstance(tenant_key, str) or not tenant_key):
        raise invalid("client", "tenant_key", "must be a non-empty string")
    if app_type == "custom" and (tickets is not None or tenant_key is not None):
        field = "tickets" if tickets is not None else "tenant_key"
        raise invalid("client", field, 'is for store apps only (pass app_type="store")')
    if isinstance(ticket_wait_s, bool) or not isinstance(ticket_wait_s, (int, float)) or ticket_wait_s <= 0:
        raise invalid("client", "ticket_wait_s", f"must be a positive number of seconds (got {ticket_wait_s!r})")
    if isinstance(tickets, (str, os.PathLike)):  # a path, as the settings give it: the SQLite store in that file
        if not str(tickets):
            raise invalid("client", "tickets", "must be a ticket store or the path of its SQLite file")
        tickets = open_ticket_store(tickets)
    if tickets is not None and not isinstance(tickets, TicketStore):
        raise invalid("client", "tickets", "must be a ticket store (put and get), such as SQLiteTicketStore")
    if user_access_token is not None:
        if app_id is not None or app_secret is not None or app_type != "custom":
            raise invalid("client", "user_access_token", "cannot be combined with app_id/app_secret/app_type")
        if not isinstance(user_access_token, str) or not user_access_token:
            raise invalid("client", "user_access_token", "must be a non-empty string")
        return UserTokenAuth(user_access_token)
    if not isinstance(app_id, str) or not app_id:
        raise invalid("client", "app_id", "is required (or pass user_access_token)")
    if not isinstance(app_secret, str) or not app_secret:
        raise invalid("client", "app_secret", "is required with app_id")
    if app_type == "store":
        if store_app is None:
            raise invalid("client", "app_type", "store apps are not supported by this package's spec")
        return StoreAppAuth(
            app_id,
            app_secret,
            base_url,
            vendor=vendor,
            calls=store_app,
            tickets=open_ticket_store(tickets),
            tenant_key=tenant_key,
            ticket_wait_s=float(ticket_wait_s),
        )
    return TenantTokenAuth(
        app_id, app_secret, base_url, vendor=vendor, token_request=token_request, token_operation=token_operation
    )


__all__ = [
    "APP_TYPES",
    "DEFAULT_TICKET_WAIT_S",
    "SQLiteTicketStore",
    "StoreAppAuth",
    "StoreAppCalls",
    "TenantTokenAuth",
    "TicketStore",
    "UserTokenAuth",
    "build_auth",
]
