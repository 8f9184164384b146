"""Running the emulator: in a background thread (EmulatorServer) or in the foreground (serve).

uvicorn and starlette are imported only when a server starts, so importing this module costs nothing.
"""

from __future__ import annotations

import copy
import ipaddress
import logging
import shlex
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from ._seed import NAMED_SEEDS, first_credentials, read_seed
from ._stack import require_server_stack

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 5.0
# uvicorn reports a response the application deliberately left unfinished; that is the dropped-connection fault.
_DROP_LOG_MESSAGE = "ASGI callable returned without completing response."


class RemoteBindRefused(ValueError):
    """The emulator was asked to listen beyond loopback without ``allow_remote=True``."""


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback host unless the caller asked for it explicitly."""
    if allow_remote or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise RemoteBindRefused(
            f"refusing to listen on {host!r}: the emulator accepts demo credentials; pass allow_remote=True "
            "(--allow-remote) to expose it beyond loopback"
        )


class _QuietDroppedConnections(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_LOG_MESSAGE


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it; without it uvicorn's separate header and body writes meet the
    # client's delayed ACK and every answer takes 40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    # Listening now (uvicorn listens again, harmlessly) means the URL we print already accepts connections.
    sock.listen(socket.SOMAXCONN)
    return sock


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(seed: dict[str, Any] | None, log_level: str, log_config: dict[str, Any] | None) -> Any:
    import uvicorn

    from ._app import create_app

    app, emulator = create_app(seed)
    config = uvicorn.Config(
        app, log_level=log_level, log_config=log_config, access_log=False, lifespan="off", timeout_graceful_shutdown=1
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietDroppedConnections())
    return uvicorn.Server(config), emulator


class EmulatorServer:
    """The emulator on a free loopback port, in a background thread, with admin helpers.

    >>> with EmulatorServer(seed=DEMO_SEED) as emu:  # doctest: +SKIP
    ...     httpx.post(emu.base_url + "/open-apis/auth/v3/tenant_access_token/internal", json=...)
    """

    def __init__(
        self, seed: dict[str, Any] | None = None, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False
    ) -> None:
        check_host(host, allow_remote)
        self.host, self.port = host, port
        self._seed = copy.deepcopy(seed) if seed is not None else None
        self._server: Any = None
        self._emulator: Any = None
        self._thread: threading.Thread | None = None
        self._admin: httpx.Client | None = None
        self.base_url = ""

    def __repr__(self) -> str:
        return f"EmulatorServer(base_url={self.base_url!r})"

    @property
    def credentials(self) -> dict[str, dict[str, Any]]:
        """The first app of each vendor in the seed it started with (demo values: safe to print)."""
        return first_credentials(self._seed or {})

    def start(self) -> Self:
        require_server_stack()
        sock = _bind(self.host, self.port)
        self.base_url = _base_url(sock)
        self._server, self._emulator = _server(self._seed, log_level="warning", log_config=None)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="imgroup-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        self._admin = httpx.Client(base_url=self.base_url, timeout=10.0)
        return self

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(SHUTDOWN_TIMEOUT_S)
        self._server = self._thread = self._admin = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._admin is None:
            raise RuntimeError("the emulator is not running")
        response = self._admin.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self, seed: str | dict[str, Any] | None = None) -> None:
        """Forget every record, call, fault and token, then load ``seed``.

        ``seed``: a seed's name (``"demo"``, ``"empty"``), a seed document, or None (the server then holds no apps
        at all).
        """
        if isinstance(seed, str):
            self._request("POST", "/_emulator/reset", params={"seed": seed})
        elif seed is not None:
            self._request("POST", "/_emulator/reset", json=seed)
        else:
            self._request("POST", "/_emulator/reset")

    def seed(self, seed: dict[str, Any]) -> None:
        """Add (or replace by id) the records of a seed document."""
        self._request("POST", "/_emulator/seed", json=seed)

    def state(self) -> dict[str, Any]:
        """Every record, the rate_limited counters, the fault plan and the number of calls."""
        result: dict[str, Any] = self._request("GET", "/_emulator/state")
        return result

    def faults(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Replace the fault plan (``{}`` turns faults off) and return it as the server parsed it."""
        result: dict[str, Any] = self._request("POST", "/_emulator/faults", json=plan)
        return result

    def expire_tokens(self) -> int:
        """Expire every Feishu token issued so far (the next call with one answers 99991663)."""
        result: dict[str, int] = self._request("POST", "/_emulator/tokens/expire")
        return result["expired"]

    def pushes(self, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """Replace the push settings (where each app's callbacks go) when given; the settings and every delivery.

        ``{"settings": {...}, "deliveries": [{"seq", "vendor", "app", "kind", "event_id", "document", "state",
        "attempts"}, ...]}``; see docs/emulator.md.
        """
        if settings is not None:
            self._request("POST", "/_emulator/pushes", json=settings)
        result: dict[str, Any] = self._request("GET", "/_emulator/pushes")
        return result

    def on_feishu_event(self, hook: Callable[[dict[str, Any]], None] | None) -> None:
        """Hand each Feishu event the emulator emits (app_ticket, app_open: v1 events) to ``hook``, on its loop.

        In-process only: a test gives its ticket store's ``put`` this way. None stops the deliveries.
        """
        if self._emulator is None:
            raise RuntimeError("the emulator is not running")
        self._emulator.feishu_event_hook = hook

    def add_feishu_tenant(self, app_id: str, tenant_key: str) -> list[str]:
        """``tenant_key`` installs the store app ``app_id`` (its app_open event is delivered); its tenants now."""
        result: dict[str, list[str]] = self._request(
            "POST", "/_emulator/feishu/tenants", json={"app_id": app_id, "tenant_key": tenant_key}
        )
        return result["tenants"]

    def issue_feishu_ticket(self, app_id: str) -> None:
        """Push the store app ``app_id`` a new app_ticket now, as the hourly push does."""
        self._request("POST", "/_emulator/feishu/tickets/issue", json={"app_id": app_id})

    def expire_feishu_tickets(self, app_id: str) -> None:
        """Make every app_ticket of the store app ``app_id`` stale: a fetch with one answers 10012."""
        self._request("POST", "/_emulator/feishu/tickets/expire", json={"app_id": app_id})

    def calls(self, since: int = 0) -> list[dict[str, Any]]:
        """The audit log after sequence number ``since``, oldest first."""
        result: list[dict[str, Any]] = self._request("GET", "/_emulator/calls", params={"since": since})
        return result


def environment_lines(base_url: str, seed: dict[str, Any], *, show_secrets: bool) -> list[str]:
    """``export`` lines for a shell: the variables the command line and the settings read, set to this emulator.

    Each vendor's base URL, and the credentials of the first app of each vendor in ``seed``; a secret is left
    as a comment unless ``show_secrets`` (the demo seed's own, which are demo values).
    """
    import imgroup_registry

    credentials = first_credentials(seed)
    lines = []
    for vendor in imgroup_registry.VENDORS:
        fields = {field.name: field for field in imgroup_registry.vendor(vendor).settings}
        lines.append(f"export {fields['base_url'].variable}={shlex.quote(base_url)}")
        for name, value in credentials.get(vendor, {}).items():
            field = fields[name]
            if field.secret and not show_secrets:
                lines.append(f"# export {field.variable}=...  (the {name} of the first {vendor} app of your seed)")
            else:
                lines.append(f"export {field.variable}={shlex.quote(str(value))}")
    return lines


def _banner(base_url: str, seed: dict[str, Any], seed_name: str, show_secrets: bool) -> str:
    lines = [
        f"imgroup emulator listening on {base_url}",
        f"  Seeded with {seed_name}. Feishu, Tencent and Yunxin share it; paths tell them apart. Point the command",
        "  line and the examples at it by pasting these lines into a shell:",
        "",
        *environment_lines(base_url, seed, show_secrets=show_secrets),
        "",
    ]
    if show_secrets and first_credentials(seed):
        lines.append("  These are the demo seed's own credentials, printed because they are demo values.")
    lines.append(
        "  Admin API: POST /_emulator/reset[?seed=demo|empty]|seed|faults|pushes, GET /_emulator/state|calls|pushes. "
        "Ctrl-C stops it."
    )
    return "\n".join(lines)


def serve(host: str = "127.0.0.1", port: int = 8765, seed: str | Path = "demo", allow_remote: bool = False) -> None:
    """Run the emulator in the foreground until interrupted, seeded with ``seed``: ``demo``, ``empty`` or a file.

    Raises SeedFileError or SeedError for a seed it cannot load, before it listens.
    """
    check_host(host, allow_remote)
    require_server_stack()
    document = read_seed(seed)
    named = isinstance(seed, str) and seed in NAMED_SEEDS
    server, _ = _server(document, log_level="info", log_config=None)
    sock = _bind(host, port)
    print(_banner(_base_url(sock), document, str(seed), show_secrets=named), flush=True)
    server.run(sockets=[sock])
