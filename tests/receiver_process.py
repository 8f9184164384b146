"""``imgroup events serve`` in a subprocess, started and waited for (its challenge answered): for the kill tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from tests.event_requests import FEISHU_APP, FEISHU_KEY, FEISHU_TOKEN, feishu_request

IMGROUP = str(Path(sys.executable).parent / "imgroup")
WAIT_SECONDS = 120.0  # bounds waiting for a subprocess under load; never an assertion about speed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_receiver(
    db: Path, port: int, home: Path, settings: Mapping[str, str] | None = None, options: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """The receiver on ``port`` logging to ``db``, for a Feishu app (``settings`` override the test app's; more
    ``options`` for ``imgroup events serve``), once it answers Feishu's challenge."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FEISHU_", "TENCENT_IM_", "YUNXIN_", "IMGROUP_"))
    }
    environ.update(
        HOME=str(home),
        FEISHU_APP_ID=FEISHU_APP,
        FEISHU_APP_SECRET="app-secret",
        FEISHU_VERIFICATION_TOKEN=FEISHU_TOKEN,
        FEISHU_ENCRYPT_KEY=FEISHU_KEY,
    )
    environ.update(settings or {})
    command = [IMGROUP, "events", "serve", "--port", str(port), "--db", str(db), *options]
    process = subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/events/feishu"
    body, headers = feishu_request({"challenge": "up?", "type": "url_verification", "token": FEISHU_TOKEN}, time.time())
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        try:
            if httpx.post(url, content=body, headers=headers).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the receiver never started"
        time.sleep(0.05)


def stop_receiver(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(WAIT_SECONDS)
    if process.stderr:
        process.stderr.close()
