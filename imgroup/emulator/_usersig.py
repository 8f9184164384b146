"""Tencent "TLS sig v2" UserSig verification, written from the algorithm (the vendor ships a generator only).

A UserSig is base64 (with ``*-_`` for ``+/=``) of a zlib-compressed JSON document whose ``TLS.sig`` is the
standard base64 of HMAC-SHA256(secret key, content). Verification is a pure function of its inputs: the clock
is passed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from enum import Enum

_URL_TO_STANDARD = str.maketrans("*-_", "+/=")


class UserSigFailure(Enum):
    """Why a UserSig was refused; the Tencent module maps each to the vendor's code."""

    EMPTY = "empty"
    UNDECODABLE = "undecodable"  # not base64, not zlib or not the JSON document
    SDKAPPID_MISMATCH = "sdkappid_mismatch"
    IDENTIFIER_MISMATCH = "identifier_mismatch"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


def signed_content(identifier: str, sdkappid: int, time: int, expire: int, userbuf: str | None = None) -> str:
    """The text the vendor signs: one ``TLS.name:value`` line per field, in this order."""
    content = f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    if userbuf is not None:
        content += f"TLS.userbuf:{userbuf}\n"
    return content


def signature(key: str, content: str) -> str:
    """Standard base64 of HMAC-SHA256 keyed with the console's secret key used as-is."""
    return base64.b64encode(hmac.new(key.encode(), content.encode(), hashlib.sha256).digest()).decode()


def verify_usersig(usersig: str, *, sdkappid: int, identifier: str, key: str, now: float) -> UserSigFailure | None:
    """Check ``usersig`` for a request made as ``identifier`` of ``sdkappid``; None means accepted."""
    if not usersig:
        return UserSigFailure.EMPTY
    try:
        compressed = base64.b64decode(usersig.translate(_URL_TO_STANDARD), validate=True)
        document = json.loads(zlib.decompress(compressed))
        signed_identifier = document["TLS.identifier"]
        signed_sdkappid = int(document["TLS.sdkappid"])
        signed_time = int(document["TLS.time"])
        signed_expire = int(document["TLS.expire"])
        claimed_sig = document["TLS.sig"]
        userbuf = document.get("TLS.userbuf")
    except (binascii.Error, zlib.error, ValueError, KeyError, TypeError):
        return UserSigFailure.UNDECODABLE
    if not isinstance(claimed_sig, str) or not isinstance(signed_identifier, str):
        return UserSigFailure.UNDECODABLE
    if signed_sdkappid != sdkappid:
        return UserSigFailure.SDKAPPID_MISMATCH
    if signed_identifier != identifier:
        return UserSigFailure.IDENTIFIER_MISMATCH
    content = signed_content(signed_identifier, signed_sdkappid, signed_time, signed_expire, userbuf)
    if not hmac.compare_digest(signature(key, content).encode(), claimed_sig.encode()):
        return UserSigFailure.BAD_SIGNATURE
    if now > signed_time + signed_expire:
        return UserSigFailure.EXPIRED
    return None
