"""How one item of a job ended, and how a client's error about a call becomes a failed outcome.

Bulk jobs and plans journal the same outcomes; each decides for itself what counts as done (a bulk job by the
spec's already-done codes, a plan's step by what its adapter found), and both hand errors about the call here.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from attrs import frozen

from imgroup import errors

# The vendor refused the credentials: every other item would get the same answer, so the job stops taking items.
STOPPING_CATEGORIES = frozenset({"unauthenticated"})
UNREACHABLE = "unreachable"
"""The category of a call that found no host to take it (a refused connection, a name that does not resolve)."""


@frozen
class Outcome:
    """How one item ended: ``done`` (``already_gone`` when the group was gone already, or for a plan's step its
    work already done), ``failed``, or ``skipped`` (a plan's step whose facts no longer held; ``message`` says
    why)."""

    status: str
    already_gone: bool = False
    code: int | None = None
    category: str | None = None
    message: str | None = None
    request_id: str | None = None
    attempts: int | None = None

    def scrubbed(self, scrub: Callable[[str], str]) -> Outcome:
        """This outcome with ``scrub`` applied to its message (a vendor may echo a secret it was sent)."""
        if self.message is None:
            return self
        return attrs.evolve(self, message=scrub(self.message))


def failure_of(error: errors.ImgroupError) -> Outcome:
    """The failed outcome of a call that raised one of the clients' errors about the call (any vendor's)."""
    if isinstance(error, errors.ApiError):
        return Outcome(
            "failed", code=error.code, category=error.category, message=error.message, request_id=error.request_id
        )
    if isinstance(error, errors.ApiTimeoutError):
        return Outcome("failed", category="timeout", message=str(error))
    if isinstance(error, errors.ApiConnectionError):
        return Outcome("failed", category=UNREACHABLE if _never_connected(error) else "no_answer", message=str(error))
    if isinstance(error, errors.ResponseFormatError):
        return Outcome("failed", category="bad_response", message=error.problem, request_id=error.request_id)
    raise TypeError(f"not an error about a call: {type(error).__name__}") from error


def _never_connected(error: errors.ApiConnectionError) -> bool:
    """Whether the call never reached a server: the connection was refused or the host was not found (as
    opposed to an answer lost on the way, which another attempt may get)."""
    import httpx  # loaded already: the client that raised ``error`` runs on it

    return isinstance(error.__cause__, httpx.ConnectError)
