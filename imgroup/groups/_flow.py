"""Adapter logic written once for sync and async clients: a flow yields the calls it needs, a driver makes them.

An adapter method is a generator (a *flow*) that yields typed requests made with the generated registry's
handles (``feishu.get_chat.bind(chat_id)``, a ``BoundCall``; ``feishu.iter_chats.bind()``, a ``BoundListing``
whose items are gathered into a list) and receives each answer back, or the vendor's error (an
:class:`imgroup.errors.ApiError`) thrown in where it yielded; other errors (no answer, a bad one) end the flow.
``run_sync`` drives a flow with a sync client, ``run_async`` with an async one: the logic stays pure and the I/O
is in two small loops, as httpx's auth flows do it. Flows compose with ``yield from``; ``call``, ``read`` and
``collect`` give a flow each answer with its type, as mypy checks the request against the client's method.

A call whose error code the spec lists as "already done" for that operation (``x-already-done``, in the vendor
entry's ``operations[name].info.already_done_codes``) is answered with ``AlreadyDone`` instead of raising, so no
adapter or runner keeps its own list of codes.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar, cast

from attrs import frozen

from imgroup.errors import ApiError
from imgroup.runtime.registry import BoundCall, BoundListing, VendorEntry

R = TypeVar("R")
T = TypeVar("T")


@frozen
class AlreadyDone:
    """The answer to a call whose error code means its effect already holds (the spec's ``x-already-done``)."""

    operation: str
    code: int
    message: str
    request_id: str | None = None


# Bound calls are covariant in their answer: a flow of mixed calls yields them as calls answering objects.
Request = BoundCall[object] | BoundListing[object]
Flow = Generator[Request, object, T]
"""Yields requests, is sent each one's answer, returns ``T``."""


def call(request: BoundCall[R]) -> Flow[R | AlreadyDone]:
    """Make one call; its answer, or AlreadyDone when the vendor's error code means its effect already holds."""
    # The drivers send back exactly what running this request returned.
    return cast("R | AlreadyDone", (yield request))


def read(request: BoundCall[R]) -> Flow[R]:
    """Make a call whose answer the flow needs (a read: nothing about it can be "already done")."""
    answer = yield from call(request)
    if isinstance(answer, AlreadyDone):
        raise TypeError(f"{answer.operation} answered as already done ([{answer.code}]): it is not a read")
    return answer


def collect(request: BoundListing[T]) -> Flow[list[T]]:
    """Run an iterator to its end; every item, as a list."""
    return cast("list[T]", (yield request))


def _already_done(entry: VendorEntry, request: Request, error: ApiError) -> AlreadyDone | None:
    if not isinstance(request, BoundCall):
        return None
    name = request.name
    if error.code in entry.operations[name].info.already_done_codes:
        return AlreadyDone(name, error.code, error.message, error.request_id)
    return None


def run_sync(client: object, entry: VendorEntry, flow: Flow[T]) -> T:
    """Drive ``flow`` with the sync client ``client`` of vendor ``entry``; return what the flow returns."""
    answer: object = None
    error: ApiError | None = None
    try:
        while True:
            request = flow.throw(error) if error is not None else flow.send(answer)
            answer, error = None, None
            try:
                answer = request.run(client)
            except ApiError as raised:  # handed to the flow, which re-raises what it does not expect
                answer = _already_done(entry, request, raised)
                error = None if answer is not None else raised
    except StopIteration as stop:
        result: T = stop.value
        return result


async def run_async(client: object, entry: VendorEntry, flow: Flow[T]) -> T:
    """Drive ``flow`` with the async client ``client``; the same loop as ``run_sync``, awaiting each call."""
    answer: object = None
    error: ApiError | None = None
    try:
        while True:
            request = flow.throw(error) if error is not None else flow.send(answer)
            answer, error = None, None
            try:
                answer = await request.run_async(client)
            except ApiError as raised:
                answer = _already_done(entry, request, raised)
                error = None if answer is not None else raised
    except StopIteration as stop:
        result: T = stop.value
        return result
