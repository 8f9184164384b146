"""Feishu's access tokens, cached once per process and shared by every client, thread and task that needs one.

A custom app's tenant token, a store app's app token and each of its tenants' tokens are each one
:class:`TokenState`: the token, when to renew it, and the locks under which one caller fetches it.
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import TYPE_CHECKING

from imgroup.runtime import _envelope

if TYPE_CHECKING:
    import asyncio

    import httpx

    from imgroup.runtime._vendor import Vendor

# "Invalid access token": the tenant token expired or was revoked early. One fresh token and one more try fix it.
TOKEN_INVALID_CODES = frozenset({99991663})

# The official SDK renews ten minutes before expiry; a short-lived token renews at nine tenths of its life.
MAX_RENEW_MARGIN = 600.0


class TokenState:
    """One access token (an app's, or a tenant's), shared by every client that uses it in the process."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.renew_at = float("-inf")
        self.thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def valid(self, now: float) -> str | None:
        return self.token if now < self.renew_at else None

    def store(self, token: str, expire: int, now: float, margin: float = MAX_RENEW_MARGIN, share: float = 0.1) -> str:
        """Keep ``token`` until ``margin`` seconds, or ``share`` of its life if less, before it expires."""
        self.token = token
        self.renew_at = now + expire - min(margin, expire * share)
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


_STATES: dict[tuple[str, ...], TokenState] = {}
_STATES_LOCK = threading.Lock()


def token_state(base_url: str, app_id: str, *scope: str) -> TokenState:
    """The shared token state of ``app_id`` at ``base_url``; ``scope`` names another token of the app (a tenant's)."""
    with _STATES_LOCK:
        return _STATES.setdefault((base_url, app_id, *scope), TokenState())


def answer_code(response: httpx.Response) -> object:
    """The ``code`` of a Feishu answer, or None when the body is no JSON object."""
    try:
        return json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        return None


def read_token(vendor: Vendor, operation: str, response: httpx.Response, field: str) -> tuple[str, int]:
    """The token in ``field`` of a token answer and its lifetime in seconds; a typed error for anything else."""
    body = _envelope.decode(vendor, operation, response)
    token, expire = body.get(field), body.get("expire")
    if not isinstance(token, str) or not token or not isinstance(expire, int) or expire <= 0:
        # Never quote this body: it may hold a token.
        raise vendor.errors.response_format(
            operation, f"the answer lacks {field} or expire", http_status=response.status_code
        )
    return token, expire
