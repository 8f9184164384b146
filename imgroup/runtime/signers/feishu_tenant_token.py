"""Feishu's tenant_access_token: fetched with the app's id and secret, cached per app, sent as a Bearer token.

The token request itself is the generated package's business (its spec's token operation): the client hands
the signer a function that prepares it, so the path and body come from the spec.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any

import httpx

from imgroup.runtime import _envelope
from imgroup.runtime._vendor import Vendor

from . import Signer

if TYPE_CHECKING:
    import asyncio

    from imgroup.runtime._pipeline import PreparedRequest

# "Invalid access token": the token expired or was revoked early. One fresh token and one more try fix it.
TOKEN_INVALID_CODES = frozenset({99991663})
# The official SDK renews ten minutes before expiry; a short-lived token renews at nine tenths of its life.
MAX_RENEW_MARGIN = 600.0


class _TokenState:
    """One app's tenant_access_token, shared by every client of that app in the process."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.renew_at = float("-inf")
        self.thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def valid(self, now: float) -> str | None:
        return self.token if now < self.renew_at else None

    def store(self, token: str, expire: int, now: float) -> str:
        self.token = token
        self.renew_at = now + expire - min(MAX_RENEW_MARGIN, expire / 10)
        return token

    def invalidate(self, token: str) -> None:
        if self.token == token:  # another caller may have stored a newer one meanwhile
            self.token, self.renew_at = None, float("-inf")

    def async_lock(self) -> asyncio.Lock:
        """One lock per event loop: an asyncio.Lock cannot be shared between loops."""
        import asyncio  # only async clients need it; sync users do not pay for its import

        loop = asyncio.get_running_loop()
        with self.thread_lock:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock


_STATES: dict[tuple[str, str], _TokenState] = {}
_STATES_LOCK = threading.Lock()


def token_state(base_url: str, app_id: str) -> _TokenState:
    """The shared token state of ``app_id`` at ``base_url``."""
    with _STATES_LOCK:
        return _STATES.setdefault((base_url, app_id), _TokenState())


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
        operation = self._token_operation
        body = _envelope.decode(self._vendor, operation, response)
        token, expire = body.get("tenant_access_token"), body.get("expire")
        if not isinstance(token, str) or not token or not isinstance(expire, int) or expire <= 0:
            # Never quote this body: it may hold a token.
            raise self._vendor.errors.response_format(
                operation, "the answer lacks tenant_access_token or expire", http_status=response.status_code
            )
        return self._state.store(token, expire, self._clock())


def _rejects_token(response: httpx.Response) -> bool:
    try:
        code = json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        return False
    return code in TOKEN_INVALID_CODES


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


def build_auth(
    vendor: Vendor,
    *,
    app_id: str | None,
    app_secret: str | None,
    user_access_token: str | None,
    base_url: str,
    token_request: TokenRequest,
    token_operation: str,
) -> Signer:
    """The signer for a client's credentials; rejects missing or conflicting ones before anything is sent."""
    invalid = vendor.errors.validation
    if user_access_token is not None:
        if app_id is not None or app_secret is not None:
            raise invalid("client", "user_access_token", "cannot be combined with app_id/app_secret")
        if not isinstance(user_access_token, str) or not user_access_token:
            raise invalid("client", "user_access_token", "must be a non-empty string")
        return UserTokenAuth(user_access_token)
    if not isinstance(app_id, str) or not app_id:
        raise invalid("client", "app_id", "is required (or pass user_access_token)")
    if not isinstance(app_secret, str) or not app_secret:
        raise invalid("client", "app_secret", "is required with app_id")
    return TenantTokenAuth(
        app_id, app_secret, base_url, vendor=vendor, token_request=token_request, token_operation=token_operation
    )
