"""A receiver killed with SIGKILL while events arrive loses none it acknowledged, and processes each on restart."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.event_requests import FEISHU_APP, FEISHU_KEY, FEISHU_TOKEN, feishu_event, feishu_request

IMGROUP = str(Path(sys.executable).parent / "imgroup")
WAIT_SECONDS = 120.0  # bounds waiting for a subprocess under load; never an assertion about speed
ACKNOWLEDGED_BEFORE_KILL = 25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(db: Path, port: int, home: Path) -> subprocess.Popen[bytes]:
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
    command = [IMGROUP, "events", "serve", "--port", str(port), "--db", str(db)]
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


def test_sigkill_while_events_arrive_loses_no_acknowledged_event(tmp_path: Path) -> None:
    db, port = tmp_path / "events.db", free_port()
    url = f"http://127.0.0.1:{port}/events/feishu"
    process = start(db, port, tmp_path)
    acknowledged: list[str] = []
    enough = threading.Event()

    def post_until_refused() -> None:
        with httpx.Client(timeout=30) as client:
            for index in range(100_000):
                event_id = f"ev-{index}"
                payload = feishu_event("im.chat.disbanded_v1", {"chat_id": f"oc_{index}"}, event_id=event_id)
                body, headers = feishu_request(payload, time.time())
                try:
                    response = client.post(url, content=body, headers=headers)
                except httpx.TransportError:
                    return  # killed: this one was never acknowledged
                if response.status_code == 200:
                    acknowledged.append(event_id)
                if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    enough.set()

    posters = [threading.Thread(target=post_until_refused) for _ in range(3)]
    for poster in posters:
        poster.start()
    assert enough.wait(WAIT_SECONDS)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for poster in posters:
        poster.join()
    if process.stderr:
        process.stderr.close()

    restarted = start(db, port, tmp_path)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            with sqlite3.connect(db) as connection:
                rows = dict(connection.execute("SELECT dedup_id, processed_at FROM events").fetchall())
            if all(rows.get(event_id) is not None for event_id in acknowledged):
                break
            assert time.monotonic() < deadline, "acknowledged events missing or unprocessed after the restart"
            time.sleep(0.1)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(WAIT_SECONDS)
        if restarted.stderr:
            restarted.stderr.close()
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    assert set(acknowledged) <= set(rows)
