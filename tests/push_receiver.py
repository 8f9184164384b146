"""A callback receiver for tests: a starlette app on a loopback port that records every request it is sent.

It answers 200 unless told otherwise: ``fail_first`` answers that many requests with 500 first, and ``hold``
keeps every answer back until it is set (to show that nothing waits for it).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

WAIT_S = 60.0  # generous: the machine is shared and slow; nothing asserts on time


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


class Receiver:
    def __init__(self, fail_first: int = 0, always_fail: bool = False) -> None:
        self.requests: list[Received] = []
        self.fail_first = fail_first
        self.always_fail = always_fail
        self.hold = threading.Event()
        self.hold.set()
        self._lock = threading.Lock()
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    async def _record(self, request: Request) -> Response:
        received = Received(request.url.path, dict(request.query_params), dict(request.headers), await request.body())
        with self._lock:
            self.requests.append(received)
            failing = self.always_fail or len(self.requests) <= self.fail_first
        while not self.hold.is_set():
            await asyncio.sleep(0.01)
        if failing:
            return JSONResponse({"msg": "failed on purpose"}, status_code=500)
        return JSONResponse({"msg": "success"})

    def __enter__(self) -> Self:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/events"
        app = Starlette(routes=[Route("/events", self._record, methods=["POST"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        wait_until(lambda: bool(self._server.started), "the receiver to start")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.hold.set()
        self._server.should_exit = True
        assert self._thread is not None
        self._thread.join(10)

    def wait_for(self, count: int) -> list[Received]:
        """The first ``count`` requests, once that many have arrived."""
        wait_until(lambda: len(self.requests) >= count, f"{count} requests at the receiver")
        return self.requests[:count]


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)
