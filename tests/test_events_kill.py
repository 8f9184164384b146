"""A receiver killed with SIGKILL while events arrive loses none it acknowledged, and processes each on restart."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from tests.event_requests import feishu_event, feishu_request
from tests.receiver_process import WAIT_SECONDS, free_port, start_receiver, stop_receiver

ACKNOWLEDGED_BEFORE_KILL = 25


def test_sigkill_while_events_arrive_loses_no_acknowledged_event(tmp_path: Path) -> None:
    db, port = tmp_path / "events.db", free_port()
    url = f"http://127.0.0.1:{port}/events/feishu"
    process = start_receiver(db, port, tmp_path)
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

    restarted = start_receiver(db, port, tmp_path)
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
        stop_receiver(restarted)
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    assert set(acknowledged) <= set(rows)
