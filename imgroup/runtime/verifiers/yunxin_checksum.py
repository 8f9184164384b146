"""NetEase Yunxin's pushes (callbacks and message copies): ``MD5`` of the raw body and ``CheckSum``.

``MD5`` is the lowercase hex MD5 of the body bytes as sent (never of re-serialised JSON), ``CheckSum`` the
lowercase hex SHA-1 of AppSecret + MD5 + ``CurTime`` (milliseconds, as text). No page states a freshness rule;
we refuse a CurTime further than the replay window from our clock. ``AppKey``, sent with callbacks, must be
ours where it is sent. Duplicates are told by the SHA-256 of the raw body.
"""

from __future__ import annotations

import hashlib

from ._request import InboundRequest, Refused, Verified, body_digest, fresh, json_object, same


def checksum(app_secret: str, md5: str, cur_time: str) -> str:
    """Lowercase hex SHA-1 of AppSecret + MD5 + CurTime."""
    return hashlib.sha1((app_secret + md5 + cur_time).encode()).hexdigest()


class YunxinChecksumVerifier:
    """Verifies Yunxin's pushes for one AppKey."""

    def __init__(self, *, app_key: str, app_secret: str, replay_window: float) -> None:
        self._app_key = app_key
        self._secret = app_secret
        self._window = replay_window

    def __repr__(self) -> str:
        return f"YunxinChecksumVerifier(app_key={self._app_key!r})"

    def verify(self, request: InboundRequest, now: float) -> Verified:
        app_key = request.header("AppKey")
        if app_key is not None and app_key != self._app_key:
            raise Refused(403, "AppKey is not ours")
        cur_time, md5, given = request.header("CurTime"), request.header("MD5"), request.header("CheckSum")
        if cur_time is None or md5 is None or given is None:
            raise Refused(401, "CurTime, MD5 and CheckSum are required")
        if not same(hashlib.md5(request.body).hexdigest(), md5):
            raise Refused(401, "MD5 does not match the body")
        if not same(checksum(self._secret, md5, cur_time), given):
            raise Refused(401, "CheckSum does not match")
        try:
            sent_at = int(cur_time) / 1000
        except ValueError:
            raise Refused(401, "CurTime is not a number of milliseconds") from None
        fresh(sent_at, now, self._window, "CurTime")
        payload = json_object(request.body, "the push")
        if "eventType" not in payload:
            raise Refused(400, "no eventType")
        return Verified(
            key=str(payload["eventType"]),
            payload=payload,
            plaintext=request.body,
            dedup_id=body_digest(request.body),
            app=self._app_key,
        )
