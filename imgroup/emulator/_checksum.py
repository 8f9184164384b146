"""Yunxin CheckSum verification: lowercase hex SHA-1 of AppSecret + Nonce + CurTime, fresh for 5 minutes."""

from __future__ import annotations

import hashlib
import hmac

CHECKSUM_LIFETIME_S = 300
MAX_NONCE_LENGTH = 128


def checksum(app_secret: str, nonce: str, curtime: str) -> str:
    """The CheckSum a caller must send for these headers."""
    return hashlib.sha1((app_secret + nonce + curtime).encode()).hexdigest()


def checksum_is_valid(*, app_secret: str, nonce: str, curtime: str, sent_checksum: str, now: float) -> bool:
    """True when the headers are well formed, fresh and signed with ``app_secret``."""
    if not nonce or len(nonce) > MAX_NONCE_LENGTH or not curtime.isdigit():
        return False
    # The vendor accepts a CheckSum for 5 minutes after CurTime; a clock that far ahead is refused alike.
    if abs(now - int(curtime)) > CHECKSUM_LIFETIME_S:
        return False
    return hmac.compare_digest(checksum(app_secret, nonce, curtime), sent_checksum.lower())
