"""Feishu store apps end to end on the emulator: tickets, the app token, each tenant's token, tenants apart.

A store app installed by three tenants. Its app_ticket events reach a SQLite ticket store through the
emulator's event hook, as the event receiver puts them; the clients meet a missing ticket, a stale one
mid-run, many threads and tasks at once, and one tenant's rate limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import feishu_im
import pytest
from push_receiver import Receiver

from imgroup.emulator import EmulatorServer
from imgroup.errors import AppTicketTimeoutError
from imgroup.runtime.signers.feishu_tickets import SQLiteTicketStore, wait_for_ticket

TENANTS = ("tk_alpha", "tk_beta", "tk_gamma")
SECRET = "store-app-secret-do-not-print"
MODES = ["sync", "async"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class StoreWorld:
    emulator: EmulatorServer
    app_id: str
    tickets: SQLiteTicketStore
    events: list[dict[str, Any]] = field(default_factory=list)

    def chat(self, tenant: str) -> str:
        return f"oc_{tenant}_{self.app_id}"

    def options(self, **overrides: Any) -> dict[str, Any]:
        options = {"app_id": self.app_id, "app_secret": SECRET, "app_type": "store", "tickets": self.tickets}
        return {**options, "base_url": self.emulator.base_url, **overrides}

    def pushed_ticket(self) -> str:
        """Push a ticket now and wait (bounded) for it to reach the store: the push comes after the call."""
        stale = self.tickets.get(self.app_id)
        self.emulator.issue_feishu_ticket(self.app_id)
        ticket = wait_for_ticket(self.tickets, self.app_id, stale=stale, timeout=10)
        assert ticket is not None
        return ticket

    def wait_for_events(self, kind: str, count: int) -> list[dict[str, Any]]:
        """The first ``count`` events of ``kind``, once delivered (they come after the call): bounded, untimed."""
        arrived = threading.Event()
        for _ in range(400):  # at most 20 s of 0.05 s waits
            events = [event for event in self.events if event["event"]["type"] == kind]
            if len(events) >= count:
                return events[:count]
            arrived.wait(0.05)
        raise AssertionError(f"fewer than {count} {kind} events arrived")

    def codes(self, operation: str) -> list[int]:
        return [call["code"] for call in self.emulator.calls() if call["operation"] == operation]


def store_seed(app_id: str) -> dict[str, Any]:
    return {
        "feishu": {
            "apps": [{"app_id": app_id, "app_secret": SECRET, "app_type": "store", "tenants": list(TENANTS)}],
            "chats": [
                {"chat_id": f"oc_{tenant}_{app_id}", "owner": app_id, "tenant": tenant, "members": [f"ou_{tenant}"]}
                for tenant in TENANTS
            ],
        }
    }


@pytest.fixture
def store_world(imgroup_emulator: EmulatorServer, tmp_path: Path) -> Iterator[StoreWorld]:
    # An app id per test: the signer caches tokens per process by app id.
    app_id = "cli_store_" + uuid.uuid4().hex[:12]
    imgroup_emulator.reset(store_seed(app_id))
    world = StoreWorld(imgroup_emulator, app_id, SQLiteTicketStore(tmp_path / "tickets.sqlite3"))

    def receive(event: dict[str, Any]) -> None:  # what the event receiver does with a v1 event
        world.events.append(event)
        if event["event"]["type"] == "app_ticket":
            world.tickets.put(event["event"]["app_id"], event["event"]["app_ticket"])

    imgroup_emulator.on_feishu_event(receive)
    yield world
    imgroup_emulator.on_feishu_event(None)


async def get_chat(mode: str, world: StoreWorld, tenant: str, chat_id: str, **options: Any) -> Any:
    if mode == "sync":
        with feishu_im.FeishuClient(**world.options(tenant_key=tenant, **options)) as client:
            return client.get_chat(chat_id=chat_id)
    async with feishu_im.AsyncFeishuClient(**world.options(tenant_key=tenant, **options)) as client:
        return await client.get_chat(chat_id=chat_id)


# --- the client --------------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_store_app_without_a_ticket_asks_for_one_then_serves_three_tenants(
    mode: str, store_world: StoreWorld
) -> None:
    for tenant in TENANTS:
        chat = await get_chat(mode, store_world, tenant, store_world.chat(tenant))
        assert chat.tenant_key == tenant
    # No ticket at first: one resend, then one app token for the three tenants, one token per tenant.
    assert store_world.codes("resend_app_ticket") == [0]
    assert store_world.codes("get_app_access_token") == [0]
    tenant_calls = [c for c in store_world.emulator.calls() if c["operation"] == "get_store_tenant_access_token"]
    assert sorted(call["target"] for call in tenant_calls) == sorted(TENANTS)
    chat_calls = [c for c in store_world.emulator.calls() if c["operation"] == "get_chat"]
    assert [call["app"] for call in chat_calls] == [f"{store_world.app_id}@{tenant}" for tenant in TENANTS]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_tenant_sees_only_its_own_chats(mode: str, store_world: StoreWorld) -> None:
    with pytest.raises(feishu_im.FeishuError) as caught:
        await get_chat(mode, store_world, "tk_alpha", store_world.chat("tk_beta"))
    assert getattr(caught.value, "code", None) == 232010


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_stale_ticket_met_mid_run_is_resent_waited_for_and_the_run_continues(
    mode: str, store_world: StoreWorld
) -> None:
    emulator, app_id = store_world.emulator, store_world.app_id
    store_world.pushed_ticket()  # the hourly push, before the run
    client_class = feishu_im.FeishuClient if mode == "sync" else feishu_im.AsyncFeishuClient
    client = client_class(**store_world.options(tenant_key="tk_alpha"))
    try:
        first = client.get_chat(chat_id=store_world.chat("tk_alpha"))
        if mode == "async":
            first = await first
        # Mid-run: every token expires and every ticket goes stale (the store still holds the old one).
        emulator.expire_tokens()
        emulator.expire_feishu_tickets(app_id)
        stale = store_world.tickets.get(app_id)
        second = client.get_chat(chat_id=store_world.chat("tk_alpha"))
        if mode == "async":
            second = await second
    finally:
        if mode == "sync":
            client.close()  # type: ignore[union-attr]
        else:
            await client.aclose()  # type: ignore[union-attr]
    assert first.tenant_key == second.tenant_key == "tk_alpha"
    assert store_world.codes("get_app_access_token") == [0, 10012, 0]
    assert store_world.codes("resend_app_ticket") == [0]
    assert store_world.tickets.get(app_id) not in (None, stale)
    assert store_world.codes("get_chat") == [0, 99991663, 0]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_ticket_that_never_comes_ends_in_a_typed_error_naming_no_secret(
    mode: str, store_world: StoreWorld
) -> None:
    store_world.emulator.on_feishu_event(None)  # the event URL receives nothing
    with pytest.raises(AppTicketTimeoutError) as caught:
        await get_chat(mode, store_world, "tk_alpha", store_world.chat("tk_alpha"), ticket_wait_s=0.3)
    assert caught.value.app_id == store_world.app_id and caught.value.operation == "resend_app_ticket"
    assert SECRET not in str(caught.value) and "ticket store" in str(caught.value)
    assert store_world.codes("get_chat") == []  # nothing was sent without a token


def test_tokens_are_fetched_once_for_many_threads_and_tenants(store_world: StoreWorld) -> None:
    store_world.pushed_ticket()
    answers: list[str] = []
    failures: list[BaseException] = []
    with feishu_im.FeishuClient(**store_world.options()) as client:
        tenants = {tenant: client.for_tenant(tenant) for tenant in TENANTS}

        def work(tenant: str) -> None:
            try:
                answers.append(tenants[tenant].get_chat(chat_id=store_world.chat(tenant)).tenant_key)
            except BaseException as error:  # noqa: BLE001 - handed to the main thread's assertion
                failures.append(error)

        threads = [threading.Thread(target=work, args=(TENANTS[i % 3],)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == [] and sorted(answers) == sorted(TENANTS * 4)
    assert store_world.codes("get_app_access_token") == [0]
    assert store_world.codes("resend_app_ticket") == []
    assert len(store_world.codes("get_store_tenant_access_token")) == 3


@pytest.mark.anyio
async def test_tokens_are_fetched_once_for_many_tasks_and_tenants(store_world: StoreWorld) -> None:
    answers: list[str] = []
    async with feishu_im.AsyncFeishuClient(**store_world.options()) as client:

        async def work(tenant: str) -> None:
            chat = await client.for_tenant(tenant).get_chat(chat_id=store_world.chat(tenant))
            answers.append(chat.tenant_key)

        async with anyio.create_task_group() as group:
            for i in range(12):
                group.start_soon(work, TENANTS[i % 3])
    assert sorted(answers) == sorted(TENANTS * 4)
    assert store_world.codes("resend_app_ticket") == [0]  # no ticket at first: asked for once
    assert store_world.codes("get_app_access_token") == [0]
    assert len(store_world.codes("get_store_tenant_access_token")) == 3


def test_event_loops_of_their_own_meeting_a_stale_ticket_together_all_go_on(store_world: StoreWorld) -> None:
    """A worker runs each partition on a thread with its own event loop, whose locks exclude nothing across loops:
    eight tenants' clients fetch the app token at once with a ticket gone stale, and each one's resend makes the
    emulator push a new ticket and retire older ones. Each takes a token another stored meanwhile, or the store's
    newest ticket, and resends only when the store has nothing newer: every call succeeds."""
    tenants = [f"tk_loop_{n}" for n in range(8)]
    for tenant in tenants:
        store_world.emulator.add_feishu_tenant(store_world.app_id, tenant)
    store_world.pushed_ticket()
    store_world.emulator.expire_feishu_tickets(store_world.app_id)  # the store still holds the now stale one
    answers: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(len(tenants))

    def work(tenant: str) -> None:
        async def call() -> str:
            async with feishu_im.AsyncFeishuClient(**store_world.options(tenant_key=tenant)) as client:
                start.wait()
                found = await client.list_chats()
                return tenant if found is not None else ""

        try:
            answers.append(asyncio.run(call()))
        except BaseException as error:  # noqa: BLE001 - handed to the main thread's assertion
            failures.append(error)

    threads = [threading.Thread(target=work, args=(tenant,)) for tenant in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and sorted(answers) == sorted(tenants)
    assert 10012 in store_world.codes("get_app_access_token")


def test_one_tenants_rate_limit_answers_do_not_touch_another_tenants_calls(store_world: StoreWorld) -> None:
    store_world.pushed_ticket()
    store_world.emulator.faults({"rate_limits": {"get_chat": [[2, 60]]}})
    with feishu_im.FeishuClient(**store_world.options(rate_limit=False, max_retries=0)) as client:
        alpha, beta = client.for_tenant("tk_alpha"), client.for_tenant("tk_beta")
        for _ in range(2):
            alpha.get_chat(chat_id=store_world.chat("tk_alpha"))
        with pytest.raises(feishu_im.RateLimitedError):
            alpha.get_chat(chat_id=store_world.chat("tk_alpha"))
        # The same API, the same app, another tenant: its own counter.
        for _ in range(2):
            assert beta.get_chat(chat_id=store_world.chat("tk_beta")).tenant_key == "tk_beta"
    refused = [c["app"] for c in store_world.emulator.calls() if c["operation"] == "get_chat" and c["code"]]
    assert refused == [f"{store_world.app_id}@tk_alpha"]


def test_tokens_are_renewed_once_under_thirty_minutes_remain(store_world: StoreWorld) -> None:
    import httpx
    from feishu_im.facade import _STORE_APP  # the facade's generated credential calls
    from feishu_im.vendor import VENDOR

    from imgroup.runtime.signers.feishu_store_app import StoreAppAuth

    store_world.pushed_ticket()
    now = [1000.0]  # the signer's clock, moved by hand
    auth = StoreAppAuth(
        store_world.app_id,
        SECRET,
        store_world.emulator.base_url,
        vendor=VENDOR,
        calls=_STORE_APP,
        tickets=store_world.tickets,
        tenant_key="tk_alpha",
        clock=lambda: now[0],
    )
    path = f"/open-apis/im/v1/chats/{store_world.chat('tk_alpha')}"
    with httpx.Client(base_url=store_world.emulator.base_url, auth=auth) as http:
        assert http.get(path).json()["code"] == 0
        now[0] += 7200 - 1800  # 30 minutes left: still kept
        assert http.get(path).json()["code"] == 0
        assert len(store_world.codes("get_store_tenant_access_token")) == 1
        now[0] += 301  # under 25 minutes left: the app's and the tenant's tokens are renewed, once
        assert http.get(path).json()["code"] == 0 and http.get(path).json()["code"] == 0
    assert len(store_world.codes("get_store_tenant_access_token")) == 2
    assert store_world.codes("get_app_access_token") == [0, 0]


def test_another_tenants_limiter_has_the_same_limits_and_none_of_the_bookings() -> None:
    from imgroup.runtime._rate_limit import RateLimiter

    now = [100.0]
    limiter = RateLimiter({"get_chat": ((1.0, 2), (60.0, 50))}, clock=lambda: now[0])
    waits = [limiter.reserve("get_chat") for _ in range(3)]
    assert waits[0] == 0 and waits[2] > 0  # the first tenant's third call in a second waits
    other = limiter.fresh()
    assert other.limits("get_chat") == limiter.limits("get_chat") == ((1.0, 2), (60.0, 50))
    assert other.reserve("get_chat") == 0  # the other tenant's first call does not


def test_a_store_client_keeps_its_secret_tickets_and_tokens_out_of_its_repr(store_world: StoreWorld) -> None:
    ticket = store_world.pushed_ticket()
    with feishu_im.FeishuClient(**store_world.options(tenant_key="tk_alpha")) as client:
        client.get_chat(chat_id=store_world.chat("tk_alpha"))
        shown = repr(client) + repr(client.for_tenant("tk_beta"))
    assert store_world.app_id in shown and "tk_alpha" in shown
    assert ticket not in shown and SECRET not in shown and "t-" not in shown


def test_no_secret_ticket_or_token_reaches_the_logs(store_world: StoreWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with feishu_im.FeishuClient(**store_world.options(tenant_key="tk_alpha")) as client:
        client.get_chat(chat_id=store_world.chat("tk_alpha"))  # no ticket: resend, wait, tokens
        store_world.emulator.expire_tokens()
        store_world.emulator.expire_feishu_tickets(store_world.app_id)
        client.get_chat(chat_id=store_world.chat("tk_alpha"))  # 99991663, 99991664, 10012: all over again
    ticket = store_world.tickets.get(store_world.app_id)
    assert ticket is not None and caplog.records
    assert SECRET not in caplog.text and ticket not in caplog.text
    assert re.search(r"\b[ta]-[0-9a-f]{40}\b", caplog.text) is None  # the emulator's tokens: t-/a- and 40 hex


def test_a_store_client_without_a_tenant_refuses_calls_before_sending(store_world: StoreWorld) -> None:
    with (
        feishu_im.FeishuClient(**store_world.options()) as client,
        pytest.raises(feishu_im.ValidationError, match="tenant_key"),
    ):
        client.get_chat(chat_id=store_world.chat("tk_alpha"))
    assert store_world.emulator.calls() == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"app_type": "isv"}, "app_type"),
        ({"app_type": "custom"}, "tickets"),
        ({"app_type": "custom", "tickets": None, "tenant_key": "tk_alpha"}, "tenant_key"),
        ({"tenant_key": ""}, "tenant_key"),
        ({"tickets": object()}, "tickets"),
        ({"ticket_wait_s": 0}, "ticket_wait_s"),
    ],
)
def test_bad_store_options_are_refused_naming_the_field(options: dict[str, Any], field: str, tmp_path: Path) -> None:
    base = {"app_id": "cli_x", "app_secret": "s", "app_type": "store", "tickets": SQLiteTicketStore(tmp_path / "t")}
    with pytest.raises(feishu_im.ValidationError) as caught:
        feishu_im.FeishuClient(**{**base, **options})
    assert caught.value.field == field


def test_for_tenant_on_a_custom_app_is_refused(imgroup_emulator: EmulatorServer) -> None:
    credentials = {**imgroup_emulator.credentials["feishu"], "base_url": imgroup_emulator.base_url}
    with (
        feishu_im.FeishuClient(**credentials) as client,
        pytest.raises(feishu_im.ValidationError, match="tenant_key"),
    ):
        client.for_tenant("tk_alpha")


# --- the ticket store --------------------------------------------------------------------------------------------


def test_a_ticket_put_by_one_store_is_read_by_another_on_the_same_file(tmp_path: Path) -> None:
    receiver, worker = SQLiteTicketStore(tmp_path / "t.sqlite3"), SQLiteTicketStore(tmp_path / "t.sqlite3")
    assert worker.get("cli_a") is None
    receiver.put("cli_a", "ticket-1")
    receiver.put("cli_a", "ticket-2")
    receiver.put("cli_b", "ticket-b")
    assert (worker.get("cli_a"), worker.get("cli_b")) == ("ticket-2", "ticket-b")


def test_a_ticket_put_on_postgresql_is_read_by_another_process_store(postgres_url: str) -> None:
    from imgroup.runtime.signers.feishu_tickets import PostgresTicketStore

    receiver, worker = PostgresTicketStore(postgres_url), PostgresTicketStore(postgres_url)
    assert worker.get("cli_a") is None
    receiver.put("cli_a", "ticket-1")
    receiver.put("cli_a", "ticket-2")
    assert worker.get("cli_a") == "ticket-2" and "postgresql" not in repr(worker)
    assert wait_for_ticket(worker, "cli_a", stale="ticket-1", timeout=0) == "ticket-2"


def test_waiting_answers_a_new_ticket_and_none_when_none_comes(tmp_path: Path) -> None:
    store = SQLiteTicketStore(tmp_path / "t.sqlite3")
    store.put("cli_a", "old")
    now = [0.0]

    def sleep(seconds: float) -> None:  # a fake clock: the new ticket arrives during the third sleep
        now[0] += seconds
        if now[0] >= 0.15:
            store.put("cli_a", "new")

    assert wait_for_ticket(store, "cli_a", stale="old", timeout=5, clock=lambda: now[0], sleep=sleep) == "new"
    assert wait_for_ticket(store, "cli_a", stale=None, timeout=0, clock=lambda: now[0], sleep=sleep) == "new"
    assert wait_for_ticket(store, "cli_a", stale="new", timeout=1, clock=lambda: now[0], sleep=sleep) is None


# --- the emulator ------------------------------------------------------------------------------------------------


def test_a_tenant_added_through_the_admin_api_is_announced_and_served(store_world: StoreWorld) -> None:
    tenants = store_world.emulator.add_feishu_tenant(store_world.app_id, "tk_delta")
    assert tenants == [*TENANTS, "tk_delta"]
    opened = store_world.wait_for_events("app_open", 1)
    assert [(e["type"], e["event"]["app_id"], e["event"]["tenant_key"]) for e in opened] == [
        ("event_callback", store_world.app_id, "tk_delta")
    ]
    store_world.emulator.seed(
        {"feishu": {"chats": [{"chat_id": "oc_delta", "owner": store_world.app_id, "tenant": "tk_delta"}]}}
    )
    with feishu_im.FeishuClient(**store_world.options(tenant_key="tk_delta")) as client:
        assert client.get_chat(chat_id="oc_delta").tenant_key == "tk_delta"


def test_tickets_are_pushed_on_the_emulators_compressed_hour(store_world: StoreWorld) -> None:
    store_world.emulator.faults({"ticket_interval_s": 0.05})
    with feishu_im.FeishuClient(**store_world.options()) as client:
        client.resend_app_ticket(app_id=store_world.app_id, app_secret=SECRET)  # starts the emulator's clock
    event = store_world.wait_for_events("app_ticket", 3)[0]
    assert set(event) == {"ts", "uuid", "token", "type", "event"} and event["type"] == "event_callback"
    assert set(event["event"]) == {"app_id", "app_ticket", "type"}


def test_the_token_endpoints_answer_as_the_pages_show(store_world: StoreWorld) -> None:
    ticket = store_world.pushed_ticket()
    with feishu_im.FeishuClient(**store_world.options(tenant_key="tk_alpha")) as client:
        app_token = client.get_app_access_token(app_id=store_world.app_id, app_secret=SECRET, app_ticket=ticket)
        assert app_token.app_access_token.startswith("a-") and 0 < app_token.expire <= 7200
        again = client.get_app_access_token(app_id=store_world.app_id, app_secret=SECRET, app_ticket=ticket)
        assert again.app_access_token == app_token.app_access_token  # over 30 minutes left: the same token
        tenant = client.get_store_tenant_access_token(app_access_token=app_token.app_access_token, tenant_key="tk_beta")
        assert tenant.tenant_access_token.startswith("t-") and tenant.expire > 0
        with pytest.raises(feishu_im.UnauthenticatedError) as stale:
            client.get_app_access_token(app_id=store_world.app_id, app_secret=SECRET, app_ticket="not-a-ticket")
        with pytest.raises(feishu_im.UnauthenticatedError) as wrong_secret:
            client.resend_app_ticket(app_id=store_world.app_id, app_secret="wrong")
    assert (stale.value.code, wrong_secret.value.code) == (10012, 10014)
    assert SECRET not in repr(app_token) and app_token.app_access_token not in repr(app_token)


def test_old_seeds_load_unchanged_and_custom_apps_get_no_store_tokens(imgroup_emulator: EmulatorServer) -> None:
    state = imgroup_emulator.state()["feishu"]
    assert state["tenants"] == {} and "cli_demo" in state["apps"]
    creds = imgroup_emulator.credentials["feishu"]
    with (
        feishu_im.FeishuClient(**creds, base_url=imgroup_emulator.base_url) as client,
        pytest.raises(feishu_im.UnauthenticatedError) as caught,
    ):
        client.resend_app_ticket(app_id=creds["app_id"], app_secret=creds["app_secret"])
    assert caught.value.code == 10003


def test_the_command_line_acts_for_a_store_app_in_a_tenant_from_its_settings(
    store_world: StoreWorld, emulator_environment: dict[str, str]
) -> None:
    from click.testing import CliRunner

    from imgroup.cli import cli

    store_world.pushed_ticket()
    env = {
        **emulator_environment,
        "FEISHU_APP_ID": store_world.app_id,
        "FEISHU_APP_SECRET": SECRET,
        "FEISHU_APP_TYPE": "store",
        "FEISHU_TENANT_KEY": "tk_beta",
        "FEISHU_TICKETS": str(store_world.tickets.path),
    }
    result = CliRunner().invoke(cli, ["feishu", "get-chat", store_world.chat("tk_beta")], env=env)
    assert result.exit_code == 0, result.output
    assert "tk_beta" in result.output and SECRET not in result.output
    assert [c["app"] for c in store_world.emulator.calls() if c["operation"] == "get_chat"] == [
        f"{store_world.app_id}@tk_beta"
    ]


def test_the_command_line_reports_a_ticket_that_never_came_as_a_failure_not_a_bug() -> None:
    from imgroup.cli._boundary import EXIT_FAILED, describe

    line, status = describe("imgroup feishu get-chat", AppTicketTimeoutError("resend_app_ticket", "cli_store", 30))
    assert status == EXIT_FAILED and "bug" not in line
    assert (
        line.startswith("imgroup feishu get-chat: resend_app_ticket: no app_ticket for cli_store")
        and "event URL" in line
    )


def test_tickets_and_app_open_are_pushed_to_the_apps_event_url(store_world: StoreWorld) -> None:
    """With pushes set, a ticket and a tenant's installation reach the app's event URL as v1 events (in plain JSON
    here: the encryption is the pushes' own test's), besides the in-process hook."""
    with Receiver() as receiver:
        endpoint = {"url": receiver.url, "verification_token": "vt-store", "encrypt_key": ""}
        store_world.emulator.pushes({"feishu": {store_world.app_id: endpoint}})
        store_world.emulator.issue_feishu_ticket(store_world.app_id)
        store_world.emulator.add_feishu_tenant(store_world.app_id, "tk_new")
        documents = [json.loads(received.body) for received in receiver.wait_for(2)]
    assert [document["event"]["type"] for document in documents] == ["app_ticket", "app_open"]
    assert {document["type"] for document in documents} == {"event_callback"}
    assert {document["token"] for document in documents} == {"vt-store"}
    ticket = documents[0]["event"]["app_ticket"]
    assert documents[0]["event"]["app_id"] == store_world.app_id
    assert ticket in [event["event"].get("app_ticket") for event in store_world.wait_for_events("app_ticket", 1)]
    assert documents[1]["event"]["tenant_key"] == "tk_new"
