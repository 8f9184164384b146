"""The receiver as an ASGI app: ``POST /events/{vendor}``, verify, log durably, answer, then process.

    app = create_app(db="events.db", apply_change=inventory.apply)   # vendors from the settings
    # or mount it in your own Starlette app: Mount("/hooks", app=create_app(...))

A request is verified first (``imgroup.runtime.verifiers``); one that fails, is stale or names another app is
answered 401 or 403 and written nowhere. Feishu's URL challenge is answered at once. An accepted event that
parses as its typed model is appended to the event log (SQLite, fsynced) before the answer goes out; a
redelivery is answered the same and dropped. Handlers and the change sink run afterwards, on the processing
thread, from the log, after the receiver's own: a Feishu store app's app_ticket is put in its ticket store and
its app_open recorded as a known tenant (``_store_apps``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from imgroup.inventory.changes import AnyChange
from imgroup.runtime.verifiers import InboundRequest, Refused

from ._config import VendorEvents, from_settings
from ._handlers import Handlers
from ._log import EventLog, NewEvent
from ._processing import Processor
from ._store_apps import StoreAppEvents
from ._writer import GroupCommitWriter


class Receiver:
    """The log, the verifiers and the processing thread behind the app; started on first use or at startup."""

    def __init__(
        self,
        db: str | Path,
        vendors: Sequence[VendorEvents],
        handlers: Handlers,
        apply_change: Callable[[AnyChange], None] | None,
        clock: Callable[[], float],
    ) -> None:
        self.vendors = {vendor.vendor: vendor for vendor in vendors}
        # Each vendor's answer to an accepted event, rendered once (JSONResponse would render it per request).
        self._answers = {vendor.vendor: JSONResponse(dict(vendor.facts.answer_body)).body for vendor in vendors}
        self._db = db
        self._handlers = handlers
        self._apply = apply_change
        self._clock = clock
        self.log: EventLog | None = None
        self._processor: Processor | None = None
        self._writer: GroupCommitWriter | None = None

    def start(self) -> None:
        if self.log is None:
            self.log = EventLog(self._db)
            self._writer = GroupCommitWriter(self.log)
            store_apps = StoreAppEvents(
                self.log.path, {v.app: v.tickets for v in self.vendors.values() if v.tickets is not None}
            )
            # The receiver's own handlers first: a ticket reaches its store even while a user's handler fails.
            handlers = [store_apps.handlers(), self._handlers]
            self._processor = Processor(self.log.path, handlers, self._apply, self._clock)
            self._processor.start()

    def stop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._processor is not None:
            self._processor.stop()
        if self.log is not None:
            self.log.close()
        self.log, self._writer, self._processor = None, None, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI endpoint of ``POST /events/{vendor}``: the request as the server hands it, without Starlette's
        Request and its wrappers, which cost this path about as much as verifying the event."""
        body = await _body(receive)
        if body is not None:  # None: the vendor hung up; it will push again
            response = await self._answer(scope, body)
            await response(scope, receive, send)

    async def _answer(self, scope: Scope, body: bytes) -> Response:
        vendor = self.vendors.get(scope["path_params"]["vendor"])
        if vendor is None:
            return JSONResponse({"error": "no such vendor is configured here"}, status_code=404)
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        inbound = InboundRequest(body=body, headers=_headers(scope), query=query)
        try:
            verified = vendor.verifier.verify(inbound, self._clock())
        except Refused as refused:
            return JSONResponse({"error": refused.reason}, status_code=refused.status)
        if verified.challenge is not None:
            return JSONResponse({"challenge": verified.challenge})
        answer = Response(
            self._answers[vendor.vendor], status_code=vendor.facts.answer_status, media_type="application/json"
        )
        facts = vendor.events.get(verified.key)
        if facts is None:
            return answer  # an event type the spec does not document: acknowledged, not kept
        try:
            facts.parse(verified.payload)
        except (KeyError, TypeError, ValueError):
            return JSONResponse({"error": f"not a well-formed {verified.key} event"}, status_code=400)
        self.start()
        assert self._writer is not None and self._processor is not None
        event = NewEvent(
            vendor.vendor,
            verified.app,
            verified.tenant,
            verified.dedup_id,
            verified.key,
            verified.plaintext,
            self._clock(),
        )
        await self._writer.append(event)
        self._processor.wake()
        return answer


async def _body(receive: Receive) -> bytes | None:
    """The request's body, or None when the client went away before it was all sent."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (ASGI hands them so), the first of a repeated one."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def create_app(
    db: str | Path,
    *,
    vendors: Sequence[VendorEvents] | None = None,
    handlers: Handlers | None = None,
    apply_change: Callable[[AnyChange], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """The receiver's ASGI app, logging to the SQLite file ``db``.

    ``vendors`` defaults to every vendor configured in the settings (``imgroup.events.from_settings``);
    ``handlers`` are called for each event after it is logged, and ``apply_change`` with each change it reports
    (``imgroup.inventory.changes``), at least once each. ``app.state.receiver`` is the :class:`Receiver`.
    """
    if vendors is None:
        vendors, _ = from_settings()
    receiver = Receiver(db, vendors, handlers or Handlers(), apply_change, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        receiver.start()  # process what a killed receiver left in the log, before the first new event
        try:
            yield
        finally:
            receiver.stop()

    app = Starlette(routes=[Route("/events/{vendor}", receiver, methods=["POST"])], lifespan=lifespan)
    app.state.receiver = receiver
    return app
