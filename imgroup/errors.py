"""The error tree every imgroup client shares.

    ImgroupError
    ├── ValidationError        arguments rejected before anything is sent (also a ValueError)
    ├── ApiConnectionError     no answer: connection refused, reset or dropped
    │   └── ApiTimeoutError    no answer in time
    ├── ResponseFormatError    an answer that is not the vendor's envelope (HTML error page, empty, truncated)
    ├── AppTicketTimeoutError  a Feishu store app asked for its app_ticket and none arrived in time
    └── ApiError               the vendor answered with an error code
        ├── InvalidArgumentError
        ├── UnauthenticatedError
        ├── PermissionDeniedError
        ├── NotFoundError
        │   └── AlreadyGoneError   the group no longer exists
        ├── FailedPreconditionError
        ├── RateLimitedError
        ├── InternalServerError
        └── UnavailableError

Each vendor package has a class of the same name for each of these (``feishu_im.RateLimitedError``), under
its own root (``feishu_im.FeishuError``) and subclassing the one here, so ``except
imgroup.errors.RateLimitedError`` catches all three vendors' and ``except feishu_im.RateLimitedError`` only
Feishu's. Every ApiError carries the code, the vendor's message, the HTTP status, the request id and the
catalogue entry (``.info``, an :class:`ErrorInfo`).
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple


# A NamedTuple, not an attrs class: catalogues of a hundred entries are built when a table is imported, and
# attrs classes cost ~0.8 ms each to create (bench/import_cost.py); this record needs nothing attrs adds.
class ErrorInfo(NamedTuple):
    """One documented error code: what it means, what to do, and whether another try may succeed."""

    code: int
    http_status: int
    message: str
    description: str
    action: str
    retryable: bool
    category: str
    operations: tuple[str, ...]
    """The operations whose documentation lists the code; empty for vendor-wide codes."""
    review: bool = False
    """Added from a changed documentation page and not yet reviewed by a person."""


class ImgroupError(Exception):
    """Root of every error an imgroup client raises."""


class ValidationError(ImgroupError, ValueError):
    """An argument was rejected before any request was sent."""

    def __init__(self, operation: str, field: str, problem: str) -> None:
        self.operation = operation
        self.field = field
        self.problem = problem
        super().__init__(f"{operation}: {field} {problem}")


class ApiConnectionError(ImgroupError):
    """The request got no answer: the connection was refused, reset or dropped."""

    def __init__(self, operation: str, reason: str, *, refused: bool = False) -> None:
        self.operation = operation
        self.reason = reason
        self.refused = refused
        """Nothing listened at the address: a wrong base URL, a proxy or emulator that is not running."""
        super().__init__(f"{operation}: no answer ({reason})")

    @property
    def retryable(self) -> bool:
        """A dropped or reset connection, or a timeout, is worth another try; a refused one is not."""
        return not self.refused


class ApiTimeoutError(ApiConnectionError):
    """The request got no answer in time."""


class ResponseFormatError(ImgroupError):
    """The answer was not the vendor's envelope: an HTML error page, an empty or a truncated body."""

    def __init__(
        self,
        operation: str,
        problem: str,
        *,
        http_status: int,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.operation = operation
        self.problem = problem
        self.http_status = http_status
        self.request_id = request_id
        self.retry_after = retry_after
        super().__init__(f"{operation}: HTTP {http_status}: {problem}" + _request_id_suffix(request_id))

    @property
    def retryable(self) -> bool:
        """A gateway's error page (5xx, 429) is worth another try; a malformed success is not."""
        return self.http_status >= 500 or self.http_status == 429


class AppTicketTimeoutError(ImgroupError):
    """A Feishu store app asked Feishu to resend its app_ticket and no ticket reached the ticket store in time."""

    def __init__(self, operation: str, app_id: str, waited_s: float) -> None:
        self.operation = operation
        self.app_id = app_id
        self.waited_s = waited_s
        super().__init__(
            f"{operation}: no app_ticket for {app_id} reached the ticket store within {waited_s:g} s of asking "
            "Feishu to resend it; check that the app's event URL receives app_ticket events and puts them in "
            "the same ticket store"
        )

    retryable = False
    """The client already waited its bounded time; retrying at once would only wait again."""


class ApiError(ImgroupError):
    """The vendor answered with an error code."""

    category: ClassVar[str | None] = None

    def __init__(
        self,
        *,
        code: int,
        message: str,
        http_status: int,
        operation: str,
        request_id: str | None = None,
        info: ErrorInfo | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.http_status = http_status
        self.operation = operation
        self.request_id = request_id
        self.info = info
        self.retry_after = retry_after
        text = (
            f"{operation}: [{code}] {message} (HTTP {http_status}" + _request_id_suffix(request_id, inline=True) + ")"
        )
        if info is not None:
            text += f". {info.description} What to do: {info.action}"
        super().__init__(text)

    @property
    def retryable(self) -> bool:
        """Whether the catalogue says another try may succeed (unknown codes: by HTTP status)."""
        if self.info is not None:
            return self.info.retryable
        return self.http_status == 429 or self.http_status >= 500


class InvalidArgumentError(ApiError):
    """The vendor rejected an argument."""

    category = "invalid_argument"


class UnauthenticatedError(ApiError):
    """The credentials (token, signature, app) were missing, wrong or expired."""

    category = "unauthenticated"


class PermissionDeniedError(ApiError):
    """The caller is not allowed to do this (scope, owner, admin)."""

    category = "permission_denied"


class NotFoundError(ApiError):
    """Something the request names does not exist."""

    category = "not_found"


class AlreadyGoneError(NotFoundError):
    """The group no longer exists: it was disbanded already."""

    category = "already_gone"


class FailedPreconditionError(ApiError):
    """The request is valid but the group or app is not in a state that allows it."""

    category = "failed_precondition"


class RateLimitedError(ApiError):
    """Too many requests: wait (``retry_after`` when the vendor says how long), then retry."""

    category = "rate_limited"


class InternalServerError(ApiError):
    """The vendor failed internally."""

    category = "internal"


class UnavailableError(ApiError):
    """The vendor is busy or unavailable for now."""

    category = "unavailable"


CATEGORY_ERRORS: tuple[type[ApiError], ...] = (
    InvalidArgumentError,
    UnauthenticatedError,
    PermissionDeniedError,
    NotFoundError,
    AlreadyGoneError,
    FailedPreconditionError,
    RateLimitedError,
    InternalServerError,
    UnavailableError,
)
"""One class per category of the catalogues, in the order the tree above draws them."""

CATEGORIES: tuple[str, ...] = tuple(str(cls.category) for cls in CATEGORY_ERRORS)


def _request_id_suffix(request_id: str | None, *, inline: bool = False) -> str:
    if request_id is None:
        return ""
    return f", request id {request_id}" if inline else f" (request id {request_id})"


__all__ = [
    "CATEGORIES",
    "CATEGORY_ERRORS",
    "AlreadyGoneError",
    "ApiConnectionError",
    "ApiError",
    "ApiTimeoutError",
    "AppTicketTimeoutError",
    "ErrorInfo",
    "FailedPreconditionError",
    "ImgroupError",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResponseFormatError",
    "UnauthenticatedError",
    "UnavailableError",
    "ValidationError",
]
