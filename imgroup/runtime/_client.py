"""What every generated client class is made of besides its operations: options, connections, lifetime.

A generated client (``FeishuClient``) is this base plus one method class per operation (``calls/<op>.py``):
its own ``__init__`` only names the vendor's credentials, builds the vendor's signer and hands over.
"""

from __future__ import annotations

import copy
import functools
import ssl
from collections.abc import Mapping
from typing import Any, NamedTuple, Self

import httpx

from ._pipeline import AsyncPipeline, CallSettings, SyncPipeline
from ._rate_limit import RateLimiter
from ._redact import install_log_filter
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._vendor import Vendor
from .signers import Signer

DEFAULT_TIMEOUT = 10.0
RateLimitOption = bool | Mapping[str, float]
"""``True``: the documented limits; ``False``: none; a mapping: calls per second by operation."""


class Disbanded(NamedTuple):
    """The group is gone. ``already_gone``: a retry found it gone, so an earlier attempt most likely did it."""

    already_gone: bool
    request_id: str | None
    attempts: int


def resolve_base_url(
    vendor: Vendor,
    base_url: str | None,
    *,
    default: str,
    regions: Mapping[str, str] | None = None,
    region: str | None = None,
) -> str:
    """The URL calls go to: ``base_url`` if given, else the region's host, else the vendor's public host.

    A base URL overrides a region (the emulator, a proxy in front of a regional host), as on the command line;
    the region is still checked, so a misspelt one is reported rather than silently dropped.
    """
    invalid = vendor.errors.validation
    regional_host = default
    if region is not None:
        if not regions or region not in regions:
            raise invalid(
                "client", "region", "must be one of " + ", ".join(sorted(regions or ())) + f" (got {region!r})"
            )
        regional_host = regions[region]
    if base_url is None:
        return regional_host
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise invalid("client", "base_url", f"must be an http(s) URL (got {base_url!r})")
    return base_url.rstrip("/")


def call_settings(vendor: Vendor, timeout: float, max_retries: int, rate_limit: RateLimitOption) -> CallSettings:
    """Check a client's options and turn them into the settings its pipeline uses."""
    invalid = vendor.errors.validation
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise invalid("client", "timeout", f"must be a positive number of seconds (got {timeout!r})")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise invalid("client", "max_retries", f"must be a non-negative integer (got {max_retries!r})")
    if rate_limit is True:
        limiter: RateLimiter | None = RateLimiter.documented(vendor.operations)
    elif rate_limit is False:
        limiter = None
    else:
        try:
            limiter = RateLimiter.documented(vendor.operations, rate_limit)
        except ValueError as error:
            raise invalid("client", "rate_limit", str(error)) from None
    return CallSettings(timeout=float(timeout), retry=RetryPolicy(max_retries), limiter=limiter)


def _http_options(vendor: Vendor, base_url: str, timeout: float, transport: object | None) -> dict[str, Any]:
    """How a client's httpx client talks to the vendor, sync or async alike (a given transport does its own TLS)."""
    return {
        "base_url": base_url,
        "transport": transport,
        "timeout": timeout,
        "headers": {"User-Agent": f"{vendor.package} (imgroup)"},
        "verify": tls_context() if transport is None else True,
    }


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every client of this process verifies the vendors' certificates with, made on first use.

    httpx makes one for each client it makes, and making one parses the whole CA bundle (about 50 ms of CPU here):
    a service that makes a client per job or per request paid that every time. One context serves any number of
    connections and threads. It reads SSL_CERT_FILE and SSL_CERT_DIR as httpx does, as they are at the first client.
    """
    return httpx.create_ssl_context()


class SyncMethods:
    """Base of a sync client's method classes: each sends through the client's pipeline."""

    _pipeline: SyncPipeline


class AsyncMethods:
    """Base of an async client's method classes: each sends through the client's pipeline."""

    _pipeline: AsyncPipeline


class SyncClient(SyncMethods):
    """The options, connections and lifetime of a sync client."""

    base_url: str

    def __init__(
        self,
        vendor: Vendor,
        auth: Signer,
        *,
        base_url: str,
        timeout: float,
        max_retries: int,
        rate_limit: RateLimitOption,
        transport: httpx.BaseTransport | None,
    ) -> None:
        settings = call_settings(vendor, timeout, max_retries, rate_limit)
        install_log_filter()
        self.base_url = base_url
        http = httpx.Client(**_http_options(vendor, base_url, timeout, transport))
        self._pipeline = SyncPipeline(vendor, http, auth, settings)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self._pipeline.auth!r})"

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> Self:
        """A copy with other defaults, sharing this client's connections, signer and rate limiter."""
        pipeline = self._pipeline
        clone = copy.copy(self)
        clone._pipeline = SyncPipeline(
            pipeline.vendor, pipeline.http, pipeline.auth, _with_options(pipeline.settings, timeout, max_retries)
        )
        return clone

    def for_tenant(self, tenant_key: str) -> Self:
        """A client of the same Feishu store app acting in ``tenant_key``: it shares this client's connections,
        app token and ticket store, and has a rate limiter of its own (Feishu counts calls per tenant)."""
        pipeline = self._pipeline
        clone = copy.copy(self)
        clone._pipeline = SyncPipeline(
            pipeline.vendor, pipeline.http, _tenant_auth(pipeline, tenant_key), _for_tenant(pipeline.settings)
        )
        return clone

    def close(self) -> None:
        """Close the connections."""
        self._pipeline.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(AsyncMethods):
    """The options, connections and lifetime of an async client (``async with``)."""

    base_url: str

    def __init__(
        self,
        vendor: Vendor,
        auth: Signer,
        *,
        base_url: str,
        timeout: float,
        max_retries: int,
        rate_limit: RateLimitOption,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        settings = call_settings(vendor, timeout, max_retries, rate_limit)
        install_log_filter()
        self.base_url = base_url
        http = httpx.AsyncClient(**_http_options(vendor, base_url, timeout, transport))
        self._pipeline = AsyncPipeline(vendor, http, auth, settings)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self._pipeline.auth!r})"

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> Self:
        """A copy with other defaults, sharing this client's connections, signer and rate limiter."""
        pipeline = self._pipeline
        clone = copy.copy(self)
        clone._pipeline = AsyncPipeline(
            pipeline.vendor, pipeline.http, pipeline.auth, _with_options(pipeline.settings, timeout, max_retries)
        )
        return clone

    def for_tenant(self, tenant_key: str) -> Self:
        """A client of the same Feishu store app acting in ``tenant_key``: it shares this client's connections,
        app token and ticket store, and has a rate limiter of its own (Feishu counts calls per tenant)."""
        pipeline = self._pipeline
        clone = copy.copy(self)
        clone._pipeline = AsyncPipeline(
            pipeline.vendor, pipeline.http, _tenant_auth(pipeline, tenant_key), _for_tenant(pipeline.settings)
        )
        return clone

    async def aclose(self) -> None:
        """Close the connections."""
        await self._pipeline.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _tenant_auth(pipeline: SyncPipeline | AsyncPipeline, tenant_key: str) -> Signer:
    auth = pipeline.auth.for_tenant(tenant_key)
    if auth is None:
        raise pipeline.vendor.errors.validation(
            "client", "tenant_key", "names a tenant, and only a Feishu store app's client has tenants"
        )
    return auth


def _for_tenant(settings: CallSettings) -> CallSettings:
    limiter = settings.limiter.fresh() if settings.limiter is not None else None
    return CallSettings(timeout=settings.timeout, retry=settings.retry, limiter=limiter)


def _with_options(settings: CallSettings, timeout: float | None, max_retries: int | None) -> CallSettings:
    return CallSettings(
        timeout=settings.timeout if timeout is None else timeout,
        retry=settings.retry_for(max_retries),
        limiter=settings.limiter,
    )


__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncClient",
    "AsyncMethods",
    "Disbanded",
    "RateLimitOption",
    "SyncClient",
    "SyncMethods",
    "resolve_base_url",
]
