"""Measurement 11: verified events per CPU second. Feishu's encrypted and signed events through our verifier and
typed parser against lark-oapi's ``EventDispatcherHandler.do`` (the same events and secrets), then through HTTP:
our receiver, which writes each event durably (SQLite, fsynced) before answering and processes it after, against
lark-oapi's dispatcher behind the same starlette and uvicorn, storing nothing. Tencent's and Yunxin's callbacks
through our verifier and receiver (no peer to compare with).

In-process figures are events per second of this process's CPU time. Through HTTP, each server runs in a process
of its own and the figure is events per second of that server's CPU time (its threads' time on a CPU, from
/proc's schedstat), so the client's work does not count; every event is distinct, so the receiver writes each
one; 8 connections post at once, as a vendor pushes a burst. Both Feishu servers run side by side and take their
rounds in turn: on a shared machine the load moves between rounds, and a round of each in turn meets it alike.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from ._cli import main
from ._events_server import (
    FEISHU_APP,
    FEISHU_KEY,
    FEISHU_TOKEN,
    TENCENT_APP,
    TENCENT_TOKEN,
    YUNXIN_APP,
    YUNXIN_SECRET,
)
from ._interpreter import child_environment
from ._machine import PROJECT_ROOT
from ._rows import Row, Summary, ratio

MEASUREMENT = "11. events"
CPU_GOAL = 2.0  # our verifier and parser against lark-oapi's dispatcher
HTTP_GOAL = 1.0  # our receiver with its durable log against lark-oapi's dispatcher storing nothing
ROUNDS = 3
CONCURRENT_SENDERS = 8  # connections posting at once
STARTUP_SECONDS = 300.0  # lark-oapi alone imports for seconds, more on a loaded machine
Request = tuple[str, bytes, dict[str, str], dict[str, str]]  # path, body, headers, query


def _compact(payload: dict[str, Any]) -> bytes:
    import json

    return json.dumps(payload, separators=(",", ":")).encode()


def feishu_requests(count: int, now: float) -> list[Request]:
    from imgroup.runtime.verifiers.feishu_event import encrypt, signature

    requests: list[Request] = []
    for index in range(count):
        payload = {
            "schema": "2.0",
            "header": {
                "event_id": f"bench-{now}-{index}",
                "event_type": "im.chat.disbanded_v1",
                "create_time": str(int(now * 1000)),
                "token": FEISHU_TOKEN,
                "app_id": FEISHU_APP,
                "tenant_key": "bench-tenant",
            },
            "event": {"chat_id": f"oc_{index}", "operator_id": {"open_id": "ou_bench"}, "name": "Phoenix"},
        }
        body = _compact({"encrypt": encrypt(_compact(payload), FEISHU_KEY, os.urandom(16))})
        timestamp, nonce = str(int(now)), f"nonce{index}"
        headers = {
            "Content-Type": "application/json",
            "X-Lark-Request-Timestamp": timestamp,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": signature(timestamp, nonce, FEISHU_KEY, body),
        }
        requests.append(("/events/feishu", body, headers, {}))
    return requests


def tencent_requests(count: int, now: float) -> list[Request]:
    from imgroup.runtime.verifiers.tencent_callback import sign

    requests: list[Request] = []
    for index in range(count):
        body = _compact(
            {
                "CallbackCommand": "Group.CallbackAfterMemberExit",
                "GroupId": f"@TGS#{index}",
                "ExitType": "Quit",
                "ExitMemberList": [{"Member_Account": f"user{index}"}],
                "EventTime": int(now * 1000) + index,
            }
        )
        request_time = str(int(now))
        query = {
            "SdkAppid": TENCENT_APP,
            "CallbackCommand": "Group.CallbackAfterMemberExit",
            "contenttype": "json",
            "RequestTime": request_time,
            "Sign": sign(TENCENT_TOKEN, request_time),
        }
        requests.append(("/events/tencent", body, {"Content-Type": "application/json"}, query))
    return requests


def yunxin_requests(count: int, now: float) -> list[Request]:
    import hashlib

    from imgroup.runtime.verifiers.yunxin_checksum import checksum

    requests: list[Request] = []
    for index in range(count):
        body = _compact(
            {"eventType": "1", "convType": "TEAM", "to": "6001", "msgType": "TEXT", "body": "hi", "msgidServer": index}
        )
        md5, cur_time = hashlib.md5(body).hexdigest(), str(int(now * 1000))
        headers = {"Content-Type": "application/json", "AppKey": YUNXIN_APP, "CurTime": cur_time, "MD5": md5}
        headers["CheckSum"] = checksum(YUNXIN_SECRET, md5, cur_time)
        requests.append(("/events/yunxin", body, headers, {}))
    return requests


BUILDERS: dict[str, Callable[[int, float], list[Request]]] = {
    "feishu": feishu_requests,
    "tencent": tencent_requests,
    "yunxin": yunxin_requests,
}


def _ours_in_process(vendor: str) -> Callable[[Request], object]:
    import time as clock

    from imgroup.events import vendor_events
    from imgroup.runtime.verifiers import InboundRequest

    secrets = {
        "feishu": {"verification_token": FEISHU_TOKEN, "encrypt_key": FEISHU_KEY},
        "tencent": {"callback_token": TENCENT_TOKEN},
        "yunxin": {"app_secret": YUNXIN_SECRET},
    }[vendor]
    app = {"feishu": FEISHU_APP, "tencent": TENCENT_APP, "yunxin": YUNXIN_APP}[vendor]
    receiver = vendor_events(vendor, app=app, secrets=secrets)

    def verify_and_parse(request: Request) -> object:
        _, body, headers, query = request
        verified = receiver.verifier.verify(InboundRequest(body=body, headers=headers, query=query), clock.time())
        return receiver.events[verified.key].parse(verified.payload)

    return verify_and_parse


def _lark_in_process() -> Callable[[Request], object]:
    import lark_oapi

    handler = (
        lark_oapi.EventDispatcherHandler.builder(FEISHU_KEY, FEISHU_TOKEN)
        .register_p2_im_chat_disbanded_v1(lambda event: None)
        .build()
    )

    def do(request: Request) -> object:
        raw = lark_oapi.RawRequest()
        raw.uri, raw.body, raw.headers = request[0], request[1], request[2]
        answer = handler.do(raw)
        assert answer.status_code == 200, answer.content
        return answer

    return do


def _per_cpu_second(operation: Callable[[Request], object], requests: list[Request]) -> float:
    start = time.process_time()
    for request in requests:
        operation(request)
    return len(requests) / (time.process_time() - start)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """The CPU time the process's threads have had, from the scheduler's nanosecond counters: /proc's stat counts
    10 ms ticks, a 3% step in a round of 400 events."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except FileNotFoundError:  # pragma: no cover - a thread that ended between listing and reading
            continue
    return total / 1e9


def _post_all(base: str, requests: list[Request]) -> None:
    """Post ``requests`` from CONCURRENT_SENDERS connections at once, as a vendor pushes a burst."""

    def send(share: list[Request]) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            for path, body, headers, query in share:
                response = client.post(path, content=body, headers=headers, params=query)
                assert response.status_code == 200, response.text

    shares = [requests[index::CONCURRENT_SENDERS] for index in range(CONCURRENT_SENDERS)]
    with ThreadPoolExecutor(CONCURRENT_SENDERS) as pool:
        list(pool.map(send, shares))


@contextlib.contextmanager
def _server(kind: str) -> Iterator[tuple[str, int]]:
    """A fresh events server of ``kind`` (``ours`` or ``lark``) in its own process: its base URL and pid."""
    with tempfile.TemporaryDirectory(prefix="imgroup-bench-events-") as scratch:
        port = _free_port()
        command = [sys.executable, "-m", "bench._events_server", kind, str(port), str(Path(scratch) / "events.db")]
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=child_environment(), stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=60) as client:
                _wait_until_up(client, server)
            yield base, server.pid
        finally:
            server.terminate()
            server.wait(30)


def _per_server_cpu_second(server: tuple[str, int], requests: list[Request]) -> float:
    """Events per CPU second of the server while it takes ``requests``."""
    base, pid = server
    before = _cpu_seconds(pid)
    _post_all(base, requests)
    return len(requests) / max(_cpu_seconds(pid) - before, 1e-9)


def _through_http(vendor: str, kinds: Sequence[str], count: int, rounds: int) -> dict[str, list[float]]:
    """Events per server CPU second for each server kind, one figure per round. The servers run side by side and
    take their rounds in turn, so that a change of the machine's load between rounds touches each alike."""
    with contextlib.ExitStack() as stack:
        servers = {kind: stack.enter_context(_server(kind)) for kind in kinds}
        rates: dict[str, list[float]] = {kind: [] for kind in kinds}
        for _ in range(rounds):
            for kind, server in servers.items():
                rates[kind].append(_per_server_cpu_second(server, BUILDERS[vendor](count, time.time())))
        return rates


def _wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.poll() is not None:
            raise RuntimeError("the events server exited")
        try:
            client.post("/events/none", content=b"{}")
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError("the events server did not start") from None
            time.sleep(0.05)


def run(quick: bool) -> list[Row]:
    cpu_count, http_count, rounds = (20, 10, 1) if quick else (2000, 800, ROUNDS)
    rows = []
    ours_feishu, lark_feishu = _ours_in_process("feishu"), _lark_in_process()
    samples: dict[str, list[float]] = {"ours": [], "lark": []}
    for _ in range(rounds):
        requests = feishu_requests(cpu_count, time.time())
        samples["ours"].append(_per_cpu_second(ours_feishu, requests))
        samples["lark"].append(_per_cpu_second(lark_feishu, requests))
    lark_cpu, ours_cpu = Summary.of(samples["lark"]), Summary.of(samples["ours"])
    metric = "verified events per CPU second"
    lark_name = "feishu: lark-oapi EventDispatcherHandler.do"
    rows.append(Row(MEASUREMENT, lark_name, metric, "1/s", lark_cpu))
    cpu_ratio = ratio(ours_cpu, lark_cpu)
    rows.append(
        Row(
            MEASUREMENT,
            "feishu: imgroup verifier + typed parser",
            metric,
            "1/s",
            ours_cpu,
            lark_name,
            cpu_ratio,
            target=f"≥ {CPU_GOAL:g}×",
            met=None if quick else cpu_ratio >= CPU_GOAL,
            note="encrypted and signed",
        )
    )
    for vendor in ("tencent", "yunxin"):
        operation = _ours_in_process(vendor)
        figures = [_per_cpu_second(operation, BUILDERS[vendor](cpu_count, time.time())) for _ in range(rounds)]
        rows.append(Row(MEASUREMENT, f"{vendor}: imgroup verifier + typed parser", metric, "1/s", Summary.of(figures)))

    http_metric = "events per server CPU second, through HTTP"
    feishu_http = _through_http("feishu", ("lark", "ours"), http_count, rounds)
    lark_http, ours_http = Summary.of(feishu_http["lark"]), Summary.of(feishu_http["ours"])
    lark_http_name = "feishu: lark-oapi dispatcher behind uvicorn, no storage"
    rows.append(Row(MEASUREMENT, lark_http_name, http_metric, "1/s", lark_http))
    http_ratio = ratio(ours_http, lark_http)
    rows.append(
        Row(
            MEASUREMENT,
            "feishu: imgroup receiver, durable log",
            http_metric,
            "1/s",
            ours_http,
            lark_http_name,
            http_ratio,
            target=f"≥ {HTTP_GOAL:g}×",
            met=None if quick else http_ratio >= HTTP_GOAL,
            note="fsynced before each answer, processed after",
        )
    )
    for vendor in ("tencent", "yunxin"):
        figures = _through_http(vendor, ("ours",), http_count, rounds)["ours"]
        rows.append(
            Row(MEASUREMENT, f"{vendor}: imgroup receiver, durable log", http_metric, "1/s", Summary.of(figures))
        )
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
