"""Yunxin's CheckSum: SHA-1 of AppSecret + Nonce + CurTime, with AppKey, in headers of every attempt."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Generator
from typing import Any

import httpx

from imgroup.runtime._vendor import Vendor

from . import Signer

# The vendor accepts a CheckSum for five minutes after CurTime and a Nonce of at most 128 characters.
NONCE_BYTES = 16
TRACE_ID_HEADER = "X-custom-traceid"


def checksum(app_secret: str, nonce: str, cur_time: str) -> str:
    """Lowercase hex SHA-1 of AppSecret + Nonce + CurTime."""
    return hashlib.sha1((app_secret + nonce + cur_time).encode("utf-8")).hexdigest()


class YunxinChecksumAuth(Signer):
    """Adds AppKey, a fresh Nonce and CurTime, and their CheckSum, to every attempt."""

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(NONCE_BYTES),
    ) -> None:
        self.app_key = app_key
        self._app_secret = app_secret
        self._clock = clock
        self._nonce = nonce

    def __repr__(self) -> str:
        return f"YunxinChecksumAuth(app_key={self.app_key!r})"

    def sign(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        nonce = self._nonce()
        cur_time = str(int(self._clock()))
        headers["AppKey"] = self.app_key
        headers["Nonce"] = nonce
        headers["CurTime"] = cur_time
        headers["CheckSum"] = checksum(self._app_secret, nonce, cur_time)
        if TRACE_ID_HEADER not in headers:  # our request id for support, when the vendor gives none
            headers[TRACE_ID_HEADER] = uuid.uuid4().hex

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        headers: dict[str, str] = {}
        if TRACE_ID_HEADER in request.headers:
            headers[TRACE_ID_HEADER] = request.headers[TRACE_ID_HEADER]
        self.sign({}, headers)
        request.headers.update(headers)
        yield request


def build_auth(vendor: Vendor, *, app_key: str, app_secret: str) -> YunxinChecksumAuth:
    """The signer for a client's credentials; rejects missing ones before anything is sent."""
    invalid = vendor.errors.validation
    if not isinstance(app_key, str) or not app_key:
        raise invalid("client", "app_key", "must be a non-empty string")
    if not isinstance(app_secret, str) or not app_secret:
        raise invalid("client", "app_secret", "must be a non-empty string")
    return YunxinChecksumAuth(app_key, app_secret)
