"""Typed handlers, registered per event model (each vendor's event types are distinct generated classes).

handlers = Handlers()

@handlers.on(ChatDisbandedEvent)
def forget(event: ChatDisbandedEvent, context: EventContext) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from attrs import frozen

E = TypeVar("E")


@frozen
class EventContext:
    """Where an event came from, as the log holds it."""

    vendor: str
    key: str  # the event's type as its envelope names it
    app: str
    tenant: str
    seq: int  # its place in the event log
    received_at: datetime


Handler = Callable[[E, EventContext], None]


class Handlers:
    """The functions to call for each type of event; a handler may run more than once for one event."""

    def __init__(self) -> None:
        self._by_model: dict[type[Any], list[Callable[[Any, EventContext], None]]] = {}

    def on(self, model: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Register the decorated function for events of ``model`` (e.g. ``feishu_im.models.ChatDisbandedEvent``)."""

        def register(handler: Handler[E]) -> Handler[E]:
            self._by_model.setdefault(model, []).append(handler)
            return handler

        return register

    def add(self, model: type[E], handler: Handler[E]) -> None:
        """Register ``handler`` for events of ``model``."""
        self._by_model.setdefault(model, []).append(handler)

    def dispatch(self, event: object, context: EventContext) -> None:
        for handler in self._by_model.get(type(event), ()):
            handler(event, context)
