"""A Feishu store app end to end over loopback HTTP: the emulator pushes, the receiver stores, the clients act.

The emulator, in store-app mode with three tenants, pushes app_ticket and app_open events (encrypted and
signed) to ``imgroup events serve`` in a subprocess, configured from the settings as a user would
(FEISHU_APP_TYPE=store, FEISHU_TICKETS). The receiver puts each ticket in the SQLite ticket store its settings
name and records each tenant; a store-app client per tenant reads from that store. Tickets expire mid-run: the
client meets 10012, asks for a resend, the ticket comes back through the receiver, and the run continues. A
receiver killed right after acknowledging a ticket puts it in the store when it starts again.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feishu_im
import pytest
from click.testing import CliRunner
from feishu_im.models import AppOpenEvent

from imgroup.cli import cli
from imgroup.emulator import EmulatorServer
from imgroup.events import EventContext, known_tenants
from imgroup.events._store_apps import StoreAppEvents
from imgroup.runtime.signers.feishu_tickets import SQLiteTicketStore
from tests.event_requests import FEISHU_KEY, FEISHU_TOKEN
from tests.receiver_process import free_port, start_receiver, stop_receiver

TENANTS = ("tk_north", "tk_south", "tk_east")
SECRET = "store-app-secret-never-shown"
WAITS = 2400  # at most 120 s of 0.05 s waits under load: a bound, never an assertion about speed


def wait_until(condition: Callable[[], bool], what: str) -> None:
    pause = threading.Event()
    for _ in range(WAITS):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError(f"never happened: {what}")


class StoreApp:
    """One store app's world: the emulator, the receiver's database and port, the ticket store."""

    def __init__(self, emulator: EmulatorServer, root: Path) -> None:
        self.emulator = emulator
        self.app_id = "cli_store_" + uuid.uuid4().hex[:12]  # the signer caches tokens per process by app id
        self.db, self.port, self.home = root / "events.db", free_port(), root
        self.tickets = SQLiteTicketStore(root / "tickets.sqlite3")
        self.settings = {
            "FEISHU_APP_ID": self.app_id,
            "FEISHU_APP_SECRET": SECRET,
            "FEISHU_APP_TYPE": "store",
            "FEISHU_TICKETS": str(self.tickets.path),
        }
        emulator.reset(
            {
                "feishu": {
                    "apps": [{"app_id": self.app_id, "app_secret": SECRET, "app_type": "store", "tenants": []}],
                    "chats": [
                        {"chat_id": self.chat(tenant), "owner": self.app_id, "tenant": tenant, "members": ["ou_x"]}
                        for tenant in TENANTS
                    ],
                }
            }
        )
        url = f"http://127.0.0.1:{self.port}/events/feishu"
        endpoint = {"url": url, "verification_token": FEISHU_TOKEN, "encrypt_key": FEISHU_KEY}
        emulator.pushes({"feishu": {self.app_id: endpoint}, "redelivery_time_scale": 0.001})

    def chat(self, tenant: str) -> str:
        return f"oc_{tenant}_chat"

    def receiver(self) -> Any:
        return start_receiver(self.db, self.port, self.home, self.settings)

    def client(self) -> feishu_im.FeishuClient:
        return feishu_im.FeishuClient(
            app_id=self.app_id,
            app_secret=SECRET,
            app_type="store",
            tickets=self.tickets,
            base_url=self.emulator.base_url,
        )

    def delivered_tickets(self) -> list[str]:
        """The app_tickets the receiver acknowledged, oldest first."""
        return [
            delivery["document"]["event"]["app_ticket"]
            for delivery in self.emulator.pushes()["deliveries"]
            if delivery["kind"] == "app_ticket" and delivery["state"] == "delivered"
        ]

    def codes(self, operation: str) -> list[int]:
        return [call["code"] for call in self.emulator.calls() if call["operation"] == operation]


@pytest.fixture
def store_app(imgroup_emulator: EmulatorServer, tmp_path: Path) -> Iterator[StoreApp]:
    world = StoreApp(imgroup_emulator, tmp_path)
    yield world
    imgroup_emulator.reset()  # forgets the pushes to a receiver that is gone


def test_tickets_and_tenants_reach_the_clients_through_the_receiver_and_a_stale_ticket_comes_back(
    store_app: StoreApp,
) -> None:
    receiver = store_app.receiver()
    try:
        for tenant in TENANTS:  # three installations: three app_open events, pushed encrypted and signed
            store_app.emulator.add_feishu_tenant(store_app.app_id, tenant)
        wait_until(lambda: len(known_tenants(store_app.db, vendor="feishu")) == 3, "three tenants recorded")

        with store_app.client() as client:
            # No ticket yet: the client asks for a resend, the emulator pushes to the receiver, which stores it.
            read = {tenant: client.for_tenant(tenant).get_chat(chat_id=store_app.chat(tenant)) for tenant in TENANTS}
            listed = {tenant: [c.chat_id for c in client.for_tenant(tenant).iter_chats()] for tenant in TENANTS}
            first = store_app.tickets.get(store_app.app_id)
            assert first is not None and first in store_app.delivered_tickets()

            # Mid-run: every token expires and every ticket goes stale; the store still holds the old one.
            store_app.emulator.expire_tokens()
            store_app.emulator.expire_feishu_tickets(store_app.app_id)
            again = {tenant: client.for_tenant(tenant).get_chat(chat_id=store_app.chat(tenant)) for tenant in TENANTS}
    finally:
        stop_receiver(receiver)

    assert {tenant: chat.tenant_key for tenant, chat in read.items()} == {tenant: tenant for tenant in TENANTS}
    assert {tenant: chat.tenant_key for tenant, chat in again.items()} == {tenant: tenant for tenant in TENANTS}
    assert listed == {tenant: [store_app.chat(tenant)] for tenant in TENANTS}  # each tenant sees its own chat
    assert store_app.codes("get_app_access_token") == [0, 10012, 0]
    assert store_app.codes("resend_app_ticket") == [0, 0]  # the first ticket, and the stale one's replacement
    latest = store_app.tickets.get(store_app.app_id)
    assert latest not in (None, first) and latest == store_app.delivered_tickets()[-1]

    result = CliRunner().invoke(
        cli, ["tenants", "--vendor", "feishu", "--db", str(store_app.db), "--jsonl"], env=store_app.settings
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert sorted(row["tenant_key"] for row in rows) == sorted(TENANTS)
    assert {(row["app"], row["source"]) for row in rows} == {(store_app.app_id, "app_open")}
    assert SECRET not in result.output


def test_a_receiver_killed_right_after_acknowledging_a_ticket_stores_it_when_restarted(store_app: StoreApp) -> None:
    receiver = store_app.receiver()  # it opens the ticket store at startup
    # Hold the ticket store's write lock: the receiver can acknowledge the ticket but cannot store it yet.
    lock = sqlite3.connect(store_app.tickets.path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        store_app.emulator.issue_feishu_ticket(store_app.app_id)
        wait_until(lambda: len(store_app.delivered_tickets()) == 1, "the ticket acknowledged")
        receiver.send_signal(signal.SIGKILL)
        receiver.wait()
        if receiver.stderr:
            receiver.stderr.close()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    (ticket,) = store_app.delivered_tickets()
    assert store_app.tickets.get(store_app.app_id) is None  # acknowledged, not yet stored, when it was killed

    restarted = store_app.receiver()
    try:
        wait_until(lambda: store_app.tickets.get(store_app.app_id) == ticket, "the ticket stored after the restart")
    finally:
        stop_receiver(restarted)


def test_tenants_lists_the_settings_tenant_and_refuses_what_is_no_database(tmp_path: Path) -> None:
    settings = {"FEISHU_APP_ID": "cli_x", "FEISHU_APP_SECRET": SECRET, "FEISHU_APP_TYPE": "store"}
    named = CliRunner().invoke(cli, ["tenants", "--vendor", "feishu"], env={**settings, "FEISHU_TENANT_KEY": "tk_a"})
    assert named.exit_code == 0, named.output
    assert "tk_a" in named.output and "settings" in named.output and "1 tenant" in named.output
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not a database\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["tenants", "--vendor", "feishu", "--db", str(not_a_database)], env=settings)
    assert refused.exit_code == 2 and "notes.txt" in refused.output


def app_open(app_id: str, tenant: str, ts: str, installer: str | None) -> AppOpenEvent:
    event: dict[str, Any] = {"app_id": app_id, "tenant_key": tenant, "type": "app_open"}
    if installer is not None:
        event["installer"] = {"open_id": installer}
    return AppOpenEvent.from_dict({"uuid": uuid.uuid4().hex, "type": "event_callback", "ts": ts, "event": event})


def test_an_app_open_repeated_or_late_keeps_the_latest_installation(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from imgroup.events import EventLog

    db = tmp_path / "events.db"
    EventLog(db).close()
    events = StoreAppEvents(db, {})
    context = EventContext("feishu", "app_open", "cli_a", "tk_1", 1, datetime.now(UTC))
    events.record_tenant(app_open("cli_a", "tk_1", "200.5", "ou_second"), context)
    events.record_tenant(app_open("cli_a", "tk_1", "100.0", "ou_first"), context)  # an older one, handled late
    events.record_tenant(app_open("cli_a", "tk_1", "200.5", None), context)  # a repeat, no installer named
    (tenant,) = known_tenants(db, vendor="feishu")
    assert (tenant.tenant_key, tenant.opened_at.timestamp(), tenant.installer) == ("tk_1", 200.5, "ou_second")


def test_a_ticket_handled_late_never_replaces_a_newer_one(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from feishu_im.models import AppTicketEvent

    from imgroup.events import EventLog

    db = tmp_path / "events.db"
    log = EventLog(db)
    for ticket in ("older", "newer"):
        log.append(
            vendor="feishu", app="cli_a", tenant="", dedup_id=ticket, key="app_ticket", body=b"{}", received_at=0
        )
    log.close()
    tickets = SQLiteTicketStore(tmp_path / "tickets.sqlite3")
    events = StoreAppEvents(db, {"cli_a": tickets})

    def handle(seq: int, ticket: str) -> None:
        event = {"app_id": "cli_a", "app_ticket": ticket, "type": "app_ticket"}
        context = EventContext("feishu", "app_ticket", "cli_a", "", seq, datetime.now(UTC))
        events.put_ticket(AppTicketEvent.from_dict({"uuid": ticket, "type": "event_callback", "event": event}), context)

    handle(2, "newer")
    handle(1, "older")  # its first attempt failed; retried after the newer one was stored
    assert tickets.get("cli_a") == "newer"
    handle(2, "newer")  # a repeat (killed before it was marked processed) is harmless
    assert tickets.get("cli_a") == "newer"


def test_the_settings_of_a_store_app_give_the_receiver_its_ticket_store(tmp_path: Path) -> None:
    from imgroup.events import from_settings

    environ = {
        "HOME": str(tmp_path),
        "FEISHU_APP_ID": "cli_a",
        "FEISHU_APP_SECRET": SECRET,
        "FEISHU_VERIFICATION_TOKEN": FEISHU_TOKEN,
    }
    custom, _ = from_settings(environ=environ)
    store, _ = from_settings(environ={**environ, "FEISHU_APP_TYPE": "store", "FEISHU_TICKETS": str(tmp_path / "t.db")})
    (blocked := tmp_path / "a-file").write_text("", encoding="utf-8")
    unopenable = {**environ, "FEISHU_APP_TYPE": "store", "FEISHU_TICKETS": str(blocked / "t.db")}
    left_out, skipped = from_settings(environ=unopenable)
    assert [v.tickets for v in custom if v.vendor == "feishu"] == [None]
    (feishu,) = [v for v in store if v.vendor == "feishu"]
    assert isinstance(feishu.tickets, SQLiteTicketStore) and feishu.tickets.path == tmp_path / "t.db"
    assert "feishu" not in [v.vendor for v in left_out]
    assert any(line.startswith("feishu: cannot open the ticket store") and SECRET not in line for line in skipped)
