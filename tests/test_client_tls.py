"""The clients of a process verify the vendors' certificates with one TLS context, made once."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import feishu_im
import pytest
import tencent_im
import yunxin_im

from imgroup.jobs import job_transport
from imgroup.runtime import tls_context


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The SSL contexts made from now on (each one parses the CA bundle), with the process's shared one forgotten."""
    made: list[Any] = []
    build = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(kwargs)
        return build(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    tls_context.cache_clear()
    yield made
    tls_context.cache_clear()


def test_the_clients_of_a_process_share_one_tls_context(made: list[Any]) -> None:
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


def test_a_jobs_transports_verify_with_the_clients_context_and_make_none(made: list[Any]) -> None:
    client = tencent_im.TencentIMClient(sdkappid=1400000001, secret_key="k", base_url="https://im.test")
    # As the bulk, plan and inventory commands make them; a worker makes one per partition.
    transports = [job_transport(concurrency, verify=tls_context()) for concurrency in (1, 16, 16)]
    assert len(made) == 1
    pool = transports[0]._pool  # httpcore's pool holds the context its connections wrap their sockets with
    assert pool._ssl_context is tls_context()
    client.close()
