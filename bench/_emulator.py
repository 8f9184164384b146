"""The emulator in its own process, so that serving requests does not take CPU from the measured client.

``python -m bench._emulator [TICKETS]`` starts an empty emulator on a free loopback port, prints its base URL and
serves until its stdin closes; with TICKETS (a SQLite ticket store's path) it puts each Feishu app_ticket it
pushes there, as an event receiver would. ``emulator_process()`` runs it and drives its admin API.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

SHUTDOWN_TIMEOUT_S = 10.0
# Well above any rate a single client reaches here: throughput runs measure the client, not the limiter.
UNLIMITED_PER_SECOND = 1_000_000


class EmulatorAdmin:
    """The admin API of an emulator running elsewhere."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=60.0)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def restart_with(self, seed: dict[str, Any], rate_limits: dict[str, int] | None = None) -> None:
        """Forget everything, load ``seed`` and set per-second limits by operationId (documented ones if None)."""
        self._call("POST", "/_emulator/reset")
        self._call("POST", "/_emulator/seed", json=seed)
        self._call("POST", "/_emulator/faults", json={"rate_limits": rate_limits or {}})

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_emulator/state")
        return result

    def calls(self) -> list[dict[str, Any]]:
        """The audit log: every vendor call answered since the last restart, with its time."""
        result: list[dict[str, Any]] = self._call("GET", "/_emulator/calls")
        return result

    def close(self) -> None:
        self._http.close()


@contextmanager
def emulator_process(tickets: Path | None = None) -> Iterator[EmulatorAdmin]:
    """An empty emulator in a child process, stopped on exit; its Feishu app_tickets go to ``tickets``, if given."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench._emulator", *([str(tickets)] if tickets is not None else [])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    try:
        base_url = child.stdout.readline().strip()  # the child prints it once it is listening
        if not base_url.startswith("http://"):
            raise RuntimeError(f"the emulator process did not start (printed {base_url!r})")
        admin = EmulatorAdmin(base_url)
        try:
            yield admin
        finally:
            admin.close()
    finally:
        child.stdin.close()
        try:
            child.wait(SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve_until_stdin_closes(tickets: str | None = None) -> None:
    from imgroup.emulator import EmulatorServer

    with EmulatorServer(seed=None) as emulator:
        if tickets is not None:
            from imgroup.runtime.signers.feishu_tickets import SQLiteTicketStore

            store = SQLiteTicketStore(Path(tickets))

            def receive(event: dict[str, Any]) -> None:  # the event receiver's part
                if event["event"]["type"] == "app_ticket":
                    store.put(event["event"]["app_id"], event["event"]["app_ticket"])

            emulator.on_feishu_event(receive)
        print(emulator.base_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    serve_until_stdin_closes(sys.argv[1] if len(sys.argv) > 1 else None)
