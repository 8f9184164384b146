"""The ASGI application: the three vendors' routes and the admin API over one shared Emulator."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from . import _admin, feishu, tencent, yunxin
from ._pipeline import Dialect, Emulator, Operation
from ._pushes import PushTransport

# How each vendor pushes its callbacks (Yunxin documents no callback after a team change: it pushes none).
PUSH_TRANSPORTS: dict[str, PushTransport] = {
    feishu.DIALECT.vendor: feishu.PUSH_TRANSPORT,
    tencent.DIALECT.vendor: tencent.PUSH_TRANSPORT,
}

# Each vendor's dialect and routes; a vendor's routes are tried in their order, and no two vendors' paths meet.
VENDOR_ROUTES: tuple[tuple[Dialect, tuple[Operation, ...]], ...] = (
    (feishu.DIALECT, feishu.OPERATIONS),
    (tencent.DIALECT, tencent.OPERATIONS),
    (yunxin.DIALECT, yunxin.OPERATIONS),
)


def create_app(seed: dict[str, Any] | None = None) -> tuple[Starlette, Emulator]:
    """A fresh application, seeded with ``seed`` (nothing when None), and the Emulator behind it."""
    emulator = Emulator(PUSH_TRANSPORTS)
    if seed is not None:
        emulator.state.load_seed(seed)
    routes = [
        *(emulator.route(dialect, operation) for dialect, operations in VENDOR_ROUTES for operation in operations),
        *_admin.routes(emulator),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = emulator
    return app, emulator
