"""Adapter logic written once for sync and async clients: a flow yields the calls it needs, a driver makes them.

An adapter method is a generator (a *flow*) that yields ``Call`` (one facade method) or ``Collect`` (a facade
iterator, gathered into a list) and receives each answer back, or the vendor's error (the package's
``ApiError``) thrown in where it yielded; other errors (no answer, a bad one) end the flow. ``run_sync``
drives a flow with a sync client, ``run_async`` with an async one: the logic stays pure and the I/O is in two
small loops, as httpx's auth flows do it. Flows compose with ``yield from``.

A call whose error code the spec lists as "already done" for that operation (``x-already-done``, generated
into ``OPERATIONS[op].already_done_codes``) is answered with ``AlreadyDone`` instead of raising, so no
adapter or runner keeps its own list of codes.
"""

from __future__ import annotations

import importlib
from collections.abc import Generator, Mapping
from typing import Any, TypeVar

from attrs import field, frozen

T = TypeVar("T")


@frozen
class Call:
    """Call facade method ``operation`` with ``args`` and ``kwargs``."""

    operation: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(factory=dict)


@frozen
class Collect:
    """Run facade iterator ``iterator`` with ``kwargs`` and answer every item, as a list."""

    iterator: str
    kwargs: Mapping[str, Any] = field(factory=dict)


@frozen
class AlreadyDone:
    """The answer to a Call whose error code means its effect already holds (the spec's ``x-already-done``)."""

    operation: str
    code: int
    message: str
    request_id: str | None = None


Request = Call | Collect
Flow = Generator[Request, Any, T]


def already_done_codes(package: str, operation: str) -> frozenset[int]:
    """The codes ``package``'s spec lists as "already done" for ``operation``."""
    operations = importlib.import_module(f"{package}.operations").OPERATIONS
    return frozenset(operations[operation].already_done_codes)


def api_error(package: str) -> type[Exception]:
    """The package's ``ApiError``: the vendor answered with an error code."""
    error_class: type[Exception] = importlib.import_module(f"{package}.errors").ApiError
    return error_class


def _already_done(package: str, request: Request, error: Any) -> AlreadyDone | None:
    if isinstance(request, Call) and error.code in already_done_codes(package, request.operation):
        return AlreadyDone(request.operation, error.code, error.message, error.request_id)
    return None


def run_sync(client: Any, package: str, flow: Flow[T]) -> T:
    """Drive ``flow`` with the sync facade ``client`` of the generated ``package``; return what the flow returns."""
    answer: Any = None
    error: Exception | None = None
    vendor_error = api_error(package)
    try:
        while True:
            request = flow.throw(error) if error is not None else flow.send(answer)
            answer, error = None, None
            try:
                if isinstance(request, Collect):
                    answer = list(getattr(client, request.iterator)(**request.kwargs))
                else:
                    answer = getattr(client, request.operation)(*request.args, **request.kwargs)
            except vendor_error as raised:  # handed to the flow, which re-raises what it does not expect
                answer = _already_done(package, request, raised)
                error = None if answer is not None else raised
    except StopIteration as stop:
        result: T = stop.value
        return result


async def run_async(client: Any, package: str, flow: Flow[T]) -> T:
    """Drive ``flow`` with the async facade ``client``; the same loop as ``run_sync``, awaiting each call."""
    answer: Any = None
    error: Exception | None = None
    vendor_error = api_error(package)
    try:
        while True:
            request = flow.throw(error) if error is not None else flow.send(answer)
            answer, error = None, None
            try:
                if isinstance(request, Collect):
                    answer = [item async for item in getattr(client, request.iterator)(**request.kwargs)]
                else:
                    answer = await getattr(client, request.operation)(*request.args, **request.kwargs)
            except vendor_error as raised:
                answer = _already_done(package, request, raised)
                error = None if answer is not None else raised
    except StopIteration as stop:
        result: T = stop.value
        return result
