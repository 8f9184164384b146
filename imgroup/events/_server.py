"""The receiver on a loopback port in a background thread: for tests, the demo and benchmarks.

with ReceiverServer("events.db", vendors=[...], apply_change=changes.append) as server:
    httpx.post(server.base_url + "/events/tencent?SdkAppid=...", content=body)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from imgroup.inventory.changes import AnyChange

from ._app import Receiver, create_app
from ._config import VendorEvents
from ._handlers import Handlers

STARTUP_TIMEOUT_SECONDS = 30.0


class ReceiverServer:
    """``create_app(...)`` served by uvicorn on ``host`` (any free port by default) until ``stop``."""

    def __init__(
        self,
        db: str | Path,
        *,
        vendors: Sequence[VendorEvents],
        handlers: Handlers | None = None,
        apply_change: Callable[[AnyChange], None] | None = None,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app = create_app(db, vendors=vendors, handlers=handlers, apply_change=apply_change, clock=clock)
        self.receiver: Receiver = self.app.state.receiver
        self._host, self._port = host, port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> Self:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self._host, self._port))
        sock.listen(socket.SOMAXCONN)
        host, port = sock.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the receiver did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
