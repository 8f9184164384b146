"""The ASGI application: the three vendors' routes and the admin API over one shared Emulator."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from . import (
    _admin,
    _feishu,
    _feishu_chats,
    _feishu_meeting_chats,
    _feishu_members,
    _tencent,
    _yunxin,
    _yunxin_members,
    _yunxin_teams,
)
from ._pipeline import Emulator


def create_app(seed: dict[str, Any] | None = None) -> tuple[Starlette, Emulator]:
    """A fresh application, seeded with ``seed`` (nothing when None), and the Emulator behind it."""
    emulator = Emulator()
    if seed is not None:
        emulator.state.load_seed(seed)
    routes = [
        # Feishu's chat, member and meeting chat routes first: /chats/search must win over /chats/{chat_id}.
        *_feishu_chats.routes(emulator),
        *_feishu_members.routes(emulator),
        *_feishu_meeting_chats.routes(emulator),
        *_feishu.routes(emulator),
        *_tencent.routes(emulator),
        *_yunxin.routes(emulator),
        *_yunxin_teams.routes(emulator),
        *_yunxin_members.routes(emulator),
        *_admin.routes(emulator),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = emulator
    return app, emulator
