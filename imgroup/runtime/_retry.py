"""When to try a request again, and how long to wait first: exponential backoff with jitter.

Retried: what the catalogue marks retryable (rate limits, transient server codes), timeouts, connections
reset or dropped, and gateway pages without a business code (5xx, 429). Never other business errors.

Never a refused connection either: nothing listens at the address (a wrong base URL, a proxy or an emulator
that is not running), and nothing listens there a few seconds later. The vendors' endpoints sit behind load
balancers, which answer a restarting server with a gateway page (retried) rather than refusing; so a call
refused fails at once, where retrying it would only add the whole backoff (12.5 s for a job's 5 retries) to
an error that cannot mend itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from imgroup.errors import ApiConnectionError, ApiError, ResponseFormatError

DEFAULT_MAX_RETRIES = 2
DEFAULT_INITIAL_DELAY = 0.5
DEFAULT_MAX_DELAY = 8.0
# A vendor asking for a longer pause than this is treated as an outage, not a rate limit.
DEFAULT_MAX_RETRY_AFTER = 60.0


def is_retryable(error: BaseException) -> bool:
    """Whether another attempt may succeed."""
    if isinstance(error, (ApiError, ApiConnectionError, ResponseFormatError)):
        return error.retryable
    return False


class RetryPolicy(NamedTuple):
    """How many times to retry and how long to wait before each retry."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = DEFAULT_INITIAL_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER

    def delay(self, attempt: int, error: BaseException, random: Callable[[], float]) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up and raise ``error``.

        ``attempt`` counts from 0 (the first try); ``random`` returns a float in [0, 1).
        """
        if attempt >= self.max_retries or not is_retryable(error):
            return None
        backoff = min(self.max_delay, self.initial_delay * 2.0**attempt)
        jittered = backoff * (0.5 + random() / 2)  # "equal jitter": never zero, spreads a herd of clients
        retry_after: float | None = getattr(error, "retry_after", None)
        if retry_after is None:
            return jittered
        if retry_after > self.max_retry_after:
            return None
        # The vendor said when its window resets: waiting less only earns another rate-limit answer.
        return retry_after if retry_after > 0 else jittered
