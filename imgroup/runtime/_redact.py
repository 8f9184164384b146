"""Keeps credentials out of logs and messages: Tencent's URL carries the UserSig in its query."""

from __future__ import annotations

import logging
import re

# Every vendor's query parameters that hold a credential. Yunxin's and Feishu's travel in headers, which httpx
# never logs.
SECRET_QUERY_PARAMETERS = ("usersig",)
_SECRET_IN_QUERY = re.compile(r"(?i)\b(" + "|".join(SECRET_QUERY_PARAMETERS) + r")=[^&\s\"']*")
REDACTED = "***"


def redact(text: str) -> str:
    """``text`` with the value of every secret query parameter replaced."""
    return _SECRET_IN_QUERY.sub(lambda match: f"{match.group(1)}={REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Rewrites log records (httpx logs every request URL at INFO) so no secret reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Attach the filter to the loggers that see request URLs (idempotent)."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
