"""The vendors' callbacks, pushed: what a change notifies, where each app's callbacks go, and a background sender.

A handler that changes the state returns ``Notice`` records in its Result; the pipeline hands them to
``Pushes.post`` with the caller. Each vendor's ``PushTransport`` completes a notice into a ``Delivery`` (who gets
it, its secret-free document) and writes each attempt's HTTP request (envelope, signature, encryption). One
sender task per (vendor, app) sends that app's deliveries in the order the changes happened, on the server's
event loop, so an API call never waits for a push; a failed attempt is sent again after the transport's
documented delays (scaled by ``redelivery_time_scale``), after whatever was queued meanwhile.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from ._faults import _uniform

DEFAULT_TIMEOUT_S = 3.0  # Feishu's deadline for an answer; no page gives Tencent's for after-callbacks
_KNOWN_KEYS = {"seed", "timeout_s", "redelivery_time_scale", "fail_rate"}


class PushSettingsError(ValueError):
    """A pushes document that does not have the documented shape."""


@dataclass(frozen=True)
class Notice:
    """One callback a change sends: ``kind`` (Feishu's event_type, Tencent's CallbackCommand) and its document.

    ``app`` is the app it goes to; None: the app whose call made the change.
    """

    vendor: str
    kind: str
    document: dict[str, Any]
    app: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """Where one app's callbacks go, and the secrets they are signed (and for Feishu encrypted) with."""

    url: str
    token: str = field(default="", repr=False)  # Feishu's Verification Token; Tencent's callback token
    encrypt_key: str = field(default="", repr=False)  # Feishu's Encrypt Key


@dataclass
class Delivery:
    """One callback to one app, and how its attempts went (``state``: pending, delivered or failed)."""

    seq: int
    vendor: str
    app: str
    kind: str
    event_id: str | None
    document: dict[str, Any]  # without secrets: the transport adds the token when it writes the request
    client_ip: str = ""
    state: str = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "vendor": self.vendor,
            "app": self.app,
            "kind": self.kind,
            "event_id": self.event_id,
            "document": self.document,
            "state": self.state,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class OutgoingRequest:
    url: str
    headers: dict[str, str]
    content: bytes


class PushTransport(Protocol):
    """How one vendor addresses, writes and retries its callbacks."""

    vendor: str
    redelivery_delays_s: tuple[float, ...]  # after the first failed attempt, the second, ...; () sends once

    def endpoint(self, app: str, document: Any) -> Endpoint:
        """The app's endpoint from the admin API's JSON; raises PushSettingsError naming the field."""
        ...

    def complete(self, notice: Notice, caller: str, state: Any) -> tuple[str, str | None, dict[str, Any]]:
        """(the app it goes to, its event id if the vendor sends one, the finished secret-free document)."""
        ...

    def request(self, delivery: Delivery, endpoint: Endpoint) -> OutgoingRequest:
        """This attempt's HTTP request: fresh timestamps and nonces, the same event."""
        ...

    def succeeded(self, status: int) -> bool: ...


@dataclass
class PushSettings:
    """Where each app's callbacks go, and how the sender behaves; ``PushSettings()`` pushes nothing."""

    endpoints: dict[tuple[str, str], Endpoint] = field(default_factory=dict)  # (vendor, app) -> endpoint
    seed: int = 0
    timeout_s: float = DEFAULT_TIMEOUT_S
    redelivery_time_scale: float = 1.0  # 0.001: Feishu's 15 s, 5 min, 1 h, 6 h become 15 ms, 0.3 s, 3.6 s, 21.6 s
    fail_rate: float = 0.0  # a share of attempts sent, then counted as failed (as if the answer was lost)

    @classmethod
    def from_json(cls, document: Any, transports: Mapping[str, PushTransport]) -> PushSettings:
        if not isinstance(document, dict):
            raise PushSettingsError("pushes are a JSON object")
        unknown = set(document) - _KNOWN_KEYS - set(transports)
        if unknown:
            raise PushSettingsError(f"unknown pushes options: {sorted(unknown)}")
        settings = cls(
            seed=_number(document, "seed", 0, integer=True),
            timeout_s=_number(document, "timeout_s", DEFAULT_TIMEOUT_S),
            redelivery_time_scale=_number(document, "redelivery_time_scale", 1.0),
            fail_rate=_number(document, "fail_rate", 0.0),
        )
        if settings.timeout_s <= 0 or settings.redelivery_time_scale < 0 or not 0 <= settings.fail_rate <= 1:
            raise PushSettingsError(
                "timeout_s must be positive, redelivery_time_scale not negative, fail_rate between 0 and 1"
            )
        for vendor, transport in transports.items():
            apps = document.get(vendor, {})
            if not isinstance(apps, dict):
                raise PushSettingsError(f"{vendor} maps app ids to their endpoints")
            for app, endpoint in apps.items():
                settings.endpoints[(vendor, str(app))] = transport.endpoint(str(app), endpoint)
        return settings

    def to_json(self) -> dict[str, Any]:
        """The settings as the admin API reports them: which secrets are set, never their values."""
        apps: dict[str, dict[str, Any]] = {}
        for (vendor, app), endpoint in self.endpoints.items():
            apps.setdefault(vendor, {})[app] = {
                "url": endpoint.url,
                "token_set": bool(endpoint.token),
                "encrypt_key_set": bool(endpoint.encrypt_key),
            }
        return {
            **apps,
            "seed": self.seed,
            "timeout_s": self.timeout_s,
            "redelivery_time_scale": self.redelivery_time_scale,
            "fail_rate": self.fail_rate,
        }


class Pushes:
    """Every delivery of one emulator, and the sender tasks that carry them out."""

    def __init__(self, transports: Mapping[str, PushTransport]) -> None:
        self.transports = dict(transports)
        self.settings = PushSettings()
        self.deliveries: list[Delivery] = []
        self._queues: dict[tuple[str, str], deque[Delivery]] = {}
        self._senders: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._timers: set[asyncio.TimerHandle] = set()
        self._client: httpx.AsyncClient | None = None
        self._seq = itertools.count(1)

    def configure(self, document: Any) -> None:
        """Replace the settings (``POST /_emulator/pushes``); deliveries already made are kept."""
        self.settings = PushSettings.from_json(document, self.transports)

    def post(self, notices: list[Notice], *, caller: str, client_ip: str, state: Any) -> list[Delivery]:
        """Queue the callbacks of one change for the apps that have an endpoint; nothing waits for them."""
        queued = []
        for notice in notices:
            transport = self.transports.get(notice.vendor)
            if transport is None:
                continue
            app = notice.app if notice.app is not None else caller
            if (notice.vendor, app) not in self.settings.endpoints:
                continue
            addressed = Notice(notice.vendor, notice.kind, notice.document, app)
            app, event_id, document = transport.complete(addressed, caller, state)
            delivery = Delivery(next(self._seq), notice.vendor, app, notice.kind, event_id, document, client_ip)
            self.deliveries.append(delivery)
            queued.append(delivery)
            self._enqueue(delivery)
        return queued

    def to_json(self) -> dict[str, Any]:
        return {"settings": self.settings.to_json(), "deliveries": [d.to_json() for d in self.deliveries]}

    def close(self) -> None:
        """Stop sending: every sender and pending redelivery is cancelled (a reset calls it)."""
        for task in self._senders.values():
            task.cancel()
        for timer in self._timers:
            timer.cancel()
        if self._client is not None:
            client, self._client = self._client, None
            try:
                asyncio.get_running_loop().create_task(client.aclose())
            except RuntimeError:  # no loop: nothing was ever sent through it
                pass
        self._senders.clear()
        self._timers.clear()
        self._queues.clear()

    # --- the sender ---------------------------------------------------------------------------------------

    def _enqueue(self, delivery: Delivery) -> None:
        key = (delivery.vendor, delivery.app)
        self._queues.setdefault(key, deque()).append(delivery)
        if key in self._senders:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called off the server's loop: the next change on the loop starts the sender
            return
        self._senders[key] = loop.create_task(self._send_all(key))

    async def _send_all(self, key: tuple[str, str]) -> None:
        queue = self._queues[key]
        try:
            while queue:
                await self._attempt(queue.popleft())
        finally:
            self._senders.pop(key, None)

    async def _attempt(self, delivery: Delivery) -> None:
        transport = self.transports[delivery.vendor]
        endpoint = self.settings.endpoints.get((delivery.vendor, delivery.app))
        if endpoint is None:  # the app's endpoint was taken away meanwhile
            delivery.state = "failed"
            delivery.attempts.append({"status": None, "error": "no endpoint"})
            return
        outgoing = transport.request(delivery, endpoint)
        if self._client is None:
            self._client = httpx.AsyncClient()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(
                outgoing.url, content=outgoing.content, headers=outgoing.headers, timeout=self.settings.timeout_s
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        attempt = len(delivery.attempts)
        lost = _uniform(f"{self.settings.seed}|push|{delivery.seq}|{attempt}") < self.settings.fail_rate
        if lost and error is None:
            error = "answer lost (fail_rate)"
        delivery.attempts.append({"status": status, "error": error})
        if status is not None and error is None and transport.succeeded(status):
            delivery.state = "delivered"
            return
        delays = transport.redelivery_delays_s
        if attempt >= len(delays):
            delivery.state = "failed"
            return
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None

        def redeliver() -> None:
            if timer is not None:
                self._timers.discard(timer)
            self._enqueue(delivery)

        timer = loop.call_later(delays[attempt] * self.settings.redelivery_time_scale, redeliver)
        self._timers.add(timer)


def _number(document: dict[str, Any], key: str, default: float, *, integer: bool = False) -> Any:
    value = document.get(key, default)
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise PushSettingsError(f"{key} must be {'an integer' if integer else 'a number'}")
    return value
