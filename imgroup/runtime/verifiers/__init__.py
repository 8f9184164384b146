"""How the vendors sign the events they push, one module each, named as the specs' ``x-imgroup-verifier``.

    verifier = make_verifier(feishu_im.events.VERIFIER, app="cli_a1b2", secrets={"encrypt_key": "..."})
    verified = verifier.verify(InboundRequest(body=raw, headers=headers, query=query), now=time.time())

A verifier reads the request as it arrived (the raw body bytes, the headers, the query) and answers
:class:`Verified` (the event's key, its JSON, its de-duplication id, the app and tenant) or raises
:class:`Refused` with the HTTP status to answer. The clock is passed in, so the math is a pure function of its
inputs, tested against the vendors' published vectors. Which scheme a vendor uses, its replay window and its
secrets are data, generated from its spec into ``<package>.events.VERIFIER``; the code is here, once.

Importing this package needs the standard library and attrs only; Feishu's decryption imports
``cryptography`` (the ``[events]`` extra) when the first encrypted event arrives.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._facts import EventFacts, EventModel, SecretFacts, VerifierFacts
from ._request import InboundRequest, Refused, Verified, Verifier


def make_verifier(facts: VerifierFacts, *, app: str, secrets: Mapping[str, str | None]) -> Verifier:
    """The verifier ``facts.scheme`` names, for our ``app`` (app id, SDKAppID, AppKey) and ``secrets`` by name."""
    window = float(facts.replay_window_seconds)
    if facts.scheme == "feishu_event":
        from .feishu_event import FeishuEventVerifier

        return FeishuEventVerifier(
            app_id=app,
            verification_token=secrets.get("verification_token"),
            encrypt_key=secrets.get("encrypt_key"),
            replay_window=window,
        )
    if facts.scheme == "tencent_callback":
        from .tencent_callback import TencentCallbackVerifier

        return TencentCallbackVerifier(sdkappid=app, token=secrets.get("callback_token"), replay_window=window)
    if facts.scheme == "yunxin_checksum":
        from .yunxin_checksum import YunxinChecksumVerifier

        secret = secrets.get("app_secret")
        if not secret:
            raise ValueError("yunxin_checksum needs the app secret (the app_secret setting)")
        return YunxinChecksumVerifier(app_key=app, app_secret=secret, replay_window=window)
    raise ValueError(f"unknown verifier scheme {facts.scheme!r}")


__all__ = [
    "EventFacts",
    "EventModel",
    "InboundRequest",
    "Refused",
    "SecretFacts",
    "Verified",
    "Verifier",
    "VerifierFacts",
    "make_verifier",
]
