"""The one request pipeline every client sends through: rate limit, sign, send, decode, retry.

An operation's module only describes a request (method, path, query, headers, JSON body: ``prepare``);
everything that happens to it happens here. The sync and async pipelines differ only in how they wait and send.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import httpx

from imgroup.errors import ApiConnectionError, ApiError, ImgroupError

from . import _envelope
from ._rate_limit import RateLimiter, is_rate_limit_answer
from ._retry import RetryPolicy
from ._vendor import Vendor
from .signers import Signer


class Answer(NamedTuple):
    """A successful call: the envelope, and what it took to get it."""

    body: dict[str, Any] | None
    request_id: str | None
    attempts: int
    already_done: bool = False
    """A retry met a code saying the work is already done: an earlier attempt most likely did it."""


class PreparedRequest(NamedTuple):
    """An operation's request, checked and built but not sent (``prepare_<operation>`` answers one)."""

    method: str
    url: str
    """The path, its parameters percent-encoded, to follow the client's base URL."""
    params: dict[str, Any]
    headers: dict[str, str]
    json: Any
    """The JSON body, or None for an operation without one."""


class CallSettings(NamedTuple):
    """What a client does with every call, unless a call says otherwise."""

    timeout: float | None
    retry: RetryPolicy
    limiter: RateLimiter | None

    def retry_for(self, max_retries: int | None) -> RetryPolicy:
        if max_retries is None:
            return self.retry
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative integer, not {max_retries!r}")
        return RetryPolicy(max_retries, self.retry.initial_delay, self.retry.max_delay, self.retry.max_retry_after)


class _Sender:
    """What both pipelines share: the vendor, the connections, the signer, and how one attempt's request is made."""

    _random: Callable[[], float]  # each pipeline's jitter source

    def __init__(self, vendor: Vendor, http: httpx.Client | httpx.AsyncClient, auth: Signer, settings: CallSettings):
        self.vendor = vendor
        self.http = http
        self.auth = auth
        self.settings = settings
        self._base_url = str(http.base_url).rstrip("/")
        self._default_headers = dict(http.headers)
        self._timeouts: dict[float | None, dict[str, float | None]] = {}
        self._logger = logging.getLogger(vendor.package)

    def _retry_delay(self, operation: str, attempt: int, error: ImgroupError, policy: RetryPolicy) -> float | None:
        """How long to wait before trying ``operation`` again, or None to give up.

        A rate-limit answer with no reset hint waits at least the operation's shortest documented window (at most
        the policy's longest delay): the vendor counts calls in fixed windows, and another process (another
        command, another worker) may have spent this one's, so a quicker retry only meets another refusal.
        """
        delay = policy.delay(attempt, error, self._random)
        if delay is None or not is_rate_limit_answer(error) or getattr(error, "retry_after", None) is not None:
            return delay
        info = self.vendor.operations[operation]
        window = 1.0 if info.rate_limit_per_second else 60.0 if info.rate_limit_per_minute else 0.0
        return max(delay, min(window, policy.max_delay))

    def _request(
        self, operation: str, request: PreparedRequest, timeout: float | None
    ) -> tuple[httpx.Request, httpx.Auth | None]:
        """This attempt's request, signed: its URL is written out and parsed once."""
        params = dict(request.params)
        headers = {**self._default_headers, **request.headers}
        flow = self.auth.sign(params, headers) if self.vendor.operations[operation].signed else None
        url = self._base_url + request.url
        if params:
            url += "?" + str(httpx.QueryParams(params))
        chosen = self.settings.timeout if timeout is None else timeout
        extensions = self._timeouts.get(chosen)
        if extensions is None:
            extensions = self._timeouts[chosen] = httpx.Timeout(chosen).as_dict()
        built = httpx.Request(
            request.method, url, headers=headers, json=request.json, extensions={"timeout": extensions}
        )
        return built, flow

    def _finish_or_reraise(self, operation: str, error: ImgroupError, attempt: int) -> Answer:
        """A retry that meets "already done" means an earlier attempt did the work; anything else is the caller's.

        Only for operations that answer nothing: one that answers data cannot be finished without its answer.
        """
        info = self.vendor.operations[operation]
        if (
            attempt > 0
            and not info.answers_data
            and isinstance(error, ApiError)
            and error.code in info.already_done_codes + info.done_on_retry_codes
        ):
            self._logger.info("%s: retry %d found the work already done (%s)", operation, attempt, error.code)
            return Answer(None, error.request_id, attempt + 1, already_done=True)
        raise error

    def _transport_error(self, operation: str, error: httpx.TransportError) -> ApiConnectionError:
        # httpx's message never holds the URL; the request (with its signed query) stays out of ours too.
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        errors = self.vendor.errors
        if isinstance(error, httpx.TimeoutException):
            return errors.timeout(operation, reason)
        return errors.connection(operation, reason, refused=_was_refused(error))

    def _answer(self, operation: str, response: httpx.Response, attempt: int) -> Answer:
        body = _envelope.decode(self.vendor, operation, response)
        return Answer(body, _envelope.request_id_of(self.vendor, response), attempt + 1)


class SyncPipeline(_Sender):
    """Sends requests for a sync client."""

    def __init__(
        self,
        vendor: Vendor,
        http: httpx.Client,
        auth: Signer,
        settings: CallSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(vendor, http, auth, settings)
        self.http: httpx.Client = http
        self._sleep = sleep
        self._random = random

    def call(
        self, operation: str, request: PreparedRequest, *, timeout: float | None = None, max_retries: int | None = None
    ) -> Answer:
        policy = self.settings.retry_for(max_retries)
        limiter = self.settings.limiter
        attempt = 0
        while True:
            if limiter is not None:
                wait = limiter.reserve(operation)
                booked = time.monotonic() + wait
                if wait > 0:
                    self._sleep(wait)
            try:
                built, flow = self._request(operation, request, timeout)
                try:
                    sent = time.monotonic()
                    response = self.http.send(built, auth=flow)
                except httpx.TransportError as error:
                    raise self._transport_error(operation, error) from error
                if limiter is not None:
                    limiter.observe(operation, time.monotonic() - min(booked, sent))
                return self._answer(operation, response, attempt)
            except ImgroupError as error:
                if limiter is not None:
                    limiter.learn(operation, error)
                delay = self._retry_delay(operation, attempt, error, policy)
                if delay is None:
                    return self._finish_or_reraise(operation, error, attempt)
                self._logger.info("%s: attempt %d failed (%s); retrying in %.2fs", operation, attempt + 1, error, delay)
                self._sleep(delay)
                attempt += 1

    def close(self) -> None:
        self.http.close()


class AsyncPipeline(_Sender):
    """Sends requests for an async client."""

    def __init__(
        self,
        vendor: Vendor,
        http: httpx.AsyncClient,
        auth: Signer,
        settings: CallSettings,
        *,
        sleep: Callable[[float], Any] | None = None,
        random: Callable[[], float] = random.random,
    ) -> None:
        if sleep is None:
            import asyncio  # only async clients need it; sync users do not pay for its import

            sleep = asyncio.sleep
        super().__init__(vendor, http, auth, settings)
        self.http: httpx.AsyncClient = http
        self._sleep = sleep
        self._random = random

    async def call(
        self, operation: str, request: PreparedRequest, *, timeout: float | None = None, max_retries: int | None = None
    ) -> Answer:
        policy = self.settings.retry_for(max_retries)
        limiter = self.settings.limiter
        attempt = 0
        while True:
            if limiter is not None:
                wait = limiter.reserve(operation)
                booked = time.monotonic() + wait
                if wait > 0:
                    await self._sleep(wait)
            try:
                built, flow = self._request(operation, request, timeout)
                try:
                    sent = time.monotonic()
                    response = await self.http.send(built, auth=flow)
                except httpx.TransportError as error:
                    raise self._transport_error(operation, error) from error
                if limiter is not None:
                    limiter.observe(operation, time.monotonic() - min(booked, sent))
                return self._answer(operation, response, attempt)
            except ImgroupError as error:
                if limiter is not None:
                    limiter.learn(operation, error)
                delay = self._retry_delay(operation, attempt, error, policy)
                if delay is None:
                    return self._finish_or_reraise(operation, error, attempt)
                self._logger.info("%s: attempt %d failed (%s); retrying in %.2fs", operation, attempt + 1, error, delay)
                await self._sleep(delay)
                attempt += 1

    async def aclose(self) -> None:
        await self.http.aclose()


def _was_refused(error: BaseException) -> bool:
    """Whether the connection was refused: httpx wraps the socket's ConnectionRefusedError (the async
    transport once more, in an OSError naming every address it tried)."""
    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:  # a chain may loop back on itself
        if isinstance(cause, ConnectionRefusedError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False
