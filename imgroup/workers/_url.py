"""The queue's URL as the commands show it: never its password."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def shown_url(url: str) -> str:
    """``url`` with its password, if any, replaced: ``postgresql://imgroup:***@db/imgroup``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def queue_failure(url: str, error: Exception) -> str:
    """One line saying the queue could not be used, and PostgreSQL's reason (the password taken out)."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    password = urlsplit(url).password
    if password:
        reason = reason.replace(password, "***")
    return f"--queue {shown_url(url)}: {reason}"
