"""Tencent's UserSig (TLS sig v2), sent with sdkappid, identifier, a random and contenttype in the query."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Generator
from typing import Any

import httpx

from imgroup.runtime._vendor import Vendor

from . import Signer

DEFAULT_USERSIG_TTL = 86400
RANDOM_BITS = 32
# TLS sig v2's URL-safe base64: "+/=" become "*-_".
_URL_SAFE = bytes.maketrans(b"+/=", b"*-_")


def usersig_hmac(
    secret_key: str, identifier: str, sdkappid: int, now: int, expire: int, userbuf: bytes | None = None
) -> str:
    """``TLS.sig``: standard base64 of HMAC-SHA256 over the TLS sig v2 content lines."""
    content = f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{now}\nTLS.expire:{expire}\n"
    if userbuf is not None:
        content += f"TLS.userbuf:{base64.b64encode(userbuf).decode('ascii')}\n"
    digest = hmac.digest(secret_key.encode("utf-8"), content.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(digest).decode("ascii")


def gen_usersig(
    secret_key: str, identifier: str, sdkappid: int, *, now: int, expire: int, userbuf: bytes | None = None
) -> str:
    """A UserSig (TLS sig v2) for ``identifier``, valid from ``now`` for ``expire`` seconds."""
    # The document is written out rather than json.dumps'd as a dict: the same compact bytes, in the same key
    # order, at half the cost (bench/signing.py compares it with tls-sig-api-v2).
    signature = usersig_hmac(secret_key, identifier, sdkappid, now, expire, userbuf)
    userbuf_field = "" if userbuf is None else f',"TLS.userbuf":"{base64.b64encode(userbuf).decode("ascii")}"'
    document = (
        f'{{"TLS.ver":"2.0","TLS.identifier":{json.dumps(identifier)},"TLS.sdkappid":{int(sdkappid)},'
        f'"TLS.expire":{int(expire)},"TLS.time":{int(now)}{userbuf_field},"TLS.sig":"{signature}"}}'
    )
    return base64.b64encode(zlib.compress(document.encode("ascii"))).translate(_URL_SAFE).decode("ascii")


class TencentUserSigAuth(Signer):
    """Adds sdkappid, identifier, a cached UserSig, a fresh random and contenttype=json to every attempt."""

    def __init__(
        self,
        sdkappid: int,
        secret_key: str,
        identifier: str,
        *,
        usersig_ttl: int = DEFAULT_USERSIG_TTL,
        clock: Callable[[], float] = time.time,
        random: Callable[[], int] = lambda: secrets.randbits(RANDOM_BITS),
    ) -> None:
        self.sdkappid = sdkappid
        self.identifier = identifier
        self._secret_key = secret_key
        self._ttl = usersig_ttl
        self._clock = clock
        self._random = random
        self._lock = threading.Lock()
        self._usersig = ""
        self._renew_at = float("-inf")

    def __repr__(self) -> str:
        return f"TencentUserSigAuth(sdkappid={self.sdkappid!r}, identifier={self.identifier!r})"

    def usersig(self) -> str:
        """The current UserSig, made anew when a tenth of its validity (at most five minutes) remains."""
        now = self._clock()
        with self._lock:
            if now >= self._renew_at:
                issued = int(now)
                self._usersig = gen_usersig(
                    self._secret_key, self.identifier, self.sdkappid, now=issued, expire=self._ttl
                )
                self._renew_at = issued + self._ttl - min(300.0, self._ttl / 10)
            return self._usersig

    def sign(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        params["sdkappid"] = str(self.sdkappid)
        params["identifier"] = self.identifier
        params["usersig"] = self.usersig()
        params["random"] = str(self._random())
        params["contenttype"] = "json"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        params: dict[str, Any] = {}
        self.sign(params, {})
        request.url = request.url.copy_merge_params(params)
        yield request


def build_auth(
    vendor: Vendor, *, sdkappid: int, secret_key: str, identifier: str, usersig_ttl: int
) -> TencentUserSigAuth:
    """The signer for a client's credentials; rejects missing ones before anything is sent."""
    invalid = vendor.errors.validation
    if not isinstance(sdkappid, int) or isinstance(sdkappid, bool) or sdkappid <= 0:
        raise invalid("client", "sdkappid", "must be a positive integer")
    if not isinstance(secret_key, str) or not secret_key:
        raise invalid("client", "secret_key", "must be a non-empty string")
    if not isinstance(identifier, str) or not identifier:
        raise invalid("client", "identifier", "must be a non-empty string")
    if not isinstance(usersig_ttl, int) or usersig_ttl < 60:
        raise invalid("client", "usersig_ttl", "must be at least 60 seconds")
    return TencentUserSigAuth(sdkappid, secret_key, identifier, usersig_ttl=usersig_ttl)
