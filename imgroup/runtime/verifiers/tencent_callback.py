"""Tencent Cloud Chat's callbacks: our SdkAppid in the query and, with callback authentication on, ``Sign``.

``Sign`` is the hex SHA-256 of the token + ``RequestTime`` (seconds), both in the query; a RequestTime more than
60 s from now is refused, as the console's page asks. The signature does not cover the body (HTTPS does), and
a callback carries no event id: duplicates are told by the SHA-256 of the raw body.
"""

from __future__ import annotations

import hashlib

from ._request import InboundRequest, Refused, Verified, body_digest, fresh, json_object, same


def sign(token: str, request_time: str) -> str:
    """Hex SHA-256 of token + RequestTime."""
    return hashlib.sha256((token + request_time).encode()).hexdigest()


class TencentCallbackVerifier:
    """Verifies Tencent's callbacks for one SDKAppID."""

    def __init__(self, *, sdkappid: str, token: str | None, replay_window: float) -> None:
        self._sdkappid = str(sdkappid)
        self._token = token or None
        self._window = replay_window

    def __repr__(self) -> str:
        return f"TencentCallbackVerifier(sdkappid={self._sdkappid!r}, signed={self._token is not None})"

    def verify(self, request: InboundRequest, now: float) -> Verified:
        if request.query.get("SdkAppid") != self._sdkappid:
            raise Refused(403, "SdkAppid is not ours")
        if self._token is not None:
            request_time, given = request.query.get("RequestTime"), request.query.get("Sign")
            if request_time is None or given is None:
                raise Refused(401, "no Sign and RequestTime, while a callback token is set")
            if not same(sign(self._token, request_time), given):
                raise Refused(401, "Sign does not match")
            try:
                sent_at = float(int(request_time))
            except ValueError:
                raise Refused(401, "RequestTime is not a number of seconds") from None
            fresh(sent_at, now, self._window, "RequestTime")
        payload = json_object(request.body, "the callback")
        command = payload.get("CallbackCommand")
        in_query = request.query.get("CallbackCommand")
        if not command or (in_query is not None and in_query != command):
            raise Refused(400, "CallbackCommand is missing, or the query and the body disagree")
        return Verified(
            key=str(command),
            payload=payload,
            plaintext=request.body,
            dedup_id=body_digest(request.body),
            app=self._sdkappid,
        )
