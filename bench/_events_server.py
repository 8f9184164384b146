"""A server for measurement 11, in its own process so that its CPU time is its own:
``python -m bench._events_server ours|lark PORT DB``.

``ours`` is imgroup's receiver with its durable event log; ``lark`` is lark-oapi's ``EventDispatcherHandler``
behind the same starlette and uvicorn, storing nothing.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FEISHU_APP = "cli_bench"
FEISHU_TOKEN = "bench-verification-token"
FEISHU_KEY = "bench-encrypt-key"
TENCENT_APP = "1400000001"
TENCENT_TOKEN = "bench-callback-token"
YUNXIN_APP = "bench-app-key"
YUNXIN_SECRET = "bench-app-secret"


def ours(db: str) -> Starlette:
    from imgroup.events import create_app, vendor_events

    vendors = [
        vendor_events(
            "feishu", app=FEISHU_APP, secrets={"verification_token": FEISHU_TOKEN, "encrypt_key": FEISHU_KEY}
        ),
        vendor_events("tencent", app=TENCENT_APP, secrets={"callback_token": TENCENT_TOKEN}),
        vendor_events("yunxin", app=YUNXIN_APP, secrets={"app_secret": YUNXIN_SECRET}),
    ]
    return create_app(db, vendors=vendors)


def lark() -> Starlette:
    import lark_oapi

    handler = (
        lark_oapi.EventDispatcherHandler.builder(FEISHU_KEY, FEISHU_TOKEN)
        .register_p2_im_chat_disbanded_v1(lambda event: None)
        .build()
    )

    async def receive(request: Request) -> Response:
        raw = lark_oapi.RawRequest()
        raw.uri = request.url.path
        raw.body = await request.body()
        raw.headers = request.headers  # case-insensitive, as the web frameworks lark-oapi adapts hand it
        answer = handler.do(raw)
        return Response(answer.content, status_code=answer.status_code, headers=answer.headers)

    return Starlette(routes=[Route("/events/feishu", receive, methods=["POST"])])


if __name__ == "__main__":
    kind, port, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = ours(db) if kind == "ours" else lark()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
