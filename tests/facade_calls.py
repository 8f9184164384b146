"""One facade call with a fresh client of a vendor, sync or async: what the end-to-end facade tests share."""

from __future__ import annotations

from typing import Any

import feishu_im
import tencent_im
import yunxin_im

CLIENTS = {
    "feishu": (feishu_im.FeishuClient, feishu_im.AsyncFeishuClient),
    "tencent": (tencent_im.TencentIMClient, tencent_im.AsyncTencentIMClient),
    "yunxin": (yunxin_im.YunxinClient, yunxin_im.AsyncYunxinClient),
}


async def call(mode: str, vendor: str, client_kwargs: dict[str, Any], method: str, *args: Any, **kwargs: Any) -> Any:
    """Make one facade call with a fresh client of ``vendor``, sync or async."""
    sync_class, async_class = CLIENTS[vendor]
    if mode == "sync":
        with sync_class(**client_kwargs) as client:
            return getattr(client, method)(*args, **kwargs)
    async with async_class(**client_kwargs) as client:
        return await getattr(client, method)(*args, **kwargs)
