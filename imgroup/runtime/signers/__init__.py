"""The three ways the vendors sign a request, one module each, named as the specs' ``x-imgroup-signer``.

Every signer is an ``httpx.Auth`` (so it also signs requests sent with plain httpx) with one more method,
``sign(params, headers)``: the pipeline calls it before it builds each attempt's request, so that credentials
carried in the query (Tencent) make the URL once, not once more after it was built. It answers the
``httpx.Auth`` flow still to run for the attempt: None when everything was added, or itself when signing needs
requests of its own (Feishu's token).

The signing math is a pure function of its inputs (clock and nonce passed in), tested against the vendors'
published vectors and their own packages; the classes only apply it to requests.
"""

from __future__ import annotations

from typing import Any

import httpx


class Signer(httpx.Auth):
    """An ``httpx.Auth`` that can also sign a request's parts before the request is built."""

    def sign(self, params: dict[str, Any], headers: dict[str, str]) -> httpx.Auth | None:
        """Add this attempt's credentials to ``params``/``headers``; answer the auth flow still to run."""
        return self

    def for_tenant(self, tenant_key: str) -> Signer | None:
        """The signer of another tenant of the same app; None for credentials that name no tenants."""
        return None
