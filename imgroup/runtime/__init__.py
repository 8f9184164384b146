"""The runtime every generated client shares: written once, by hand, and tested directly.

    spec ──generator──▶ feishu_im, tencent_im, yunxin_im ──import──▶ imgroup.runtime ──▶ httpx, attrs

A generated package holds what differs by vendor (its operations, models, error classes and catalogue, and a
:class:`Vendor` record naming its envelope style and signer); everything else lives here: the pipeline
(rate limit, sign, send, decode, retry), retries, the learning rate limiter, the pager, argument checks,
envelope decoding, redaction and the three signers (``imgroup.runtime.signers``). The shared error tree is
:mod:`imgroup.errors`.

Names are imported on first use, so the generated tables (operations, error classes) that need only
:class:`Vendor` and :class:`OperationInfo` do not pull in httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import (
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        AsyncClient,
        AsyncMethods,
        Disbanded,
        RateLimitOption,
        SyncClient,
        SyncMethods,
        resolve_base_url,
        tls_context,
    )
    from ._paging import Pager, Paging, async_pages, pages
    from ._pipeline import Answer, AsyncPipeline, CallSettings, PreparedRequest, SyncPipeline
    from ._rate_limit import RateLimiter
    from ._retry import RetryPolicy
    from ._validation import check, check_answer
    from ._vendor import ErrorClasses, OperationInfo, Vendor
    from .models import ModelRepr, as_string

_EXPORTS = {
    "DEFAULT_MAX_RETRIES": "._client",
    "DEFAULT_TIMEOUT": "._client",
    "AsyncClient": "._client",
    "AsyncMethods": "._client",
    "Disbanded": "._client",
    "RateLimitOption": "._client",
    "SyncClient": "._client",
    "SyncMethods": "._client",
    "resolve_base_url": "._client",
    "tls_context": "._client",
    "Pager": "._paging",
    "Paging": "._paging",
    "async_pages": "._paging",
    "pages": "._paging",
    "Answer": "._pipeline",
    "AsyncPipeline": "._pipeline",
    "CallSettings": "._pipeline",
    "PreparedRequest": "._pipeline",
    "SyncPipeline": "._pipeline",
    "RateLimiter": "._rate_limit",
    "RetryPolicy": "._retry",
    "check": "._validation",
    "check_answer": "._validation",
    "ErrorClasses": "._vendor",
    "OperationInfo": "._vendor",
    "Vendor": "._vendor",
    "ModelRepr": ".models",
    "as_string": ".models",
}

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "Answer",
    "AsyncClient",
    "AsyncMethods",
    "AsyncPipeline",
    "CallSettings",
    "Disbanded",
    "ErrorClasses",
    "ModelRepr",
    "OperationInfo",
    "Pager",
    "Paging",
    "PreparedRequest",
    "RateLimitOption",
    "RateLimiter",
    "RetryPolicy",
    "SyncClient",
    "SyncMethods",
    "SyncPipeline",
    "Vendor",
    "as_string",
    "async_pages",
    "check",
    "check_answer",
    "pages",
    "resolve_base_url",
    "tls_context",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
