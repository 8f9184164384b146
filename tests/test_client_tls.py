"""The clients of a process verify the vendors' certificates with one TLS context, made once."""

from __future__ import annotations

import ssl
from typing import Any

import feishu_im
import pytest
import tencent_im
import yunxin_im

from imgroup.runtime._client import tls_context


def test_the_clients_of_a_process_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    build = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(kwargs)
        return build(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    tls_context.cache_clear()
    try:
        clients = [
            feishu_im.FeishuClient(app_id="cli_a", app_secret="s", base_url="https://open.feishu.test"),
            feishu_im.AsyncFeishuClient(app_id="cli_a", app_secret="s", base_url="https://open.feishu.test"),
            tencent_im.TencentIMClient(sdkappid=1400000001, secret_key="k", base_url="https://im.test"),
            yunxin_im.YunxinClient(app_key="ak", app_secret="as", base_url="https://yunxin.test"),
            yunxin_im.AsyncYunxinClient(app_key="ak", app_secret="as", base_url="https://yunxin.test"),
        ]
        assert len(made) == 1  # the CA bundle is read once, not once a client
        for client in clients:
            if isinstance(client, feishu_im.FeishuClient | yunxin_im.YunxinClient | tencent_im.TencentIMClient):
                client.close()
    finally:
        tls_context.cache_clear()
