"""Measurement 2: CPU time per call over an in-process transport, against raw httpx and lark-oapi.

Nothing leaves the process. Our clients and the raw httpx calls share one ``httpx.MockTransport`` per vendor
that answers with a canned success envelope; the raw call sends the same request our client sends (method,
path, query, JSON body, signature headers) and parses the JSON, with the credential cached as our client
caches it (Feishu's token, Tencent's UserSig) and Yunxin's CheckSum computed per call as both must. Our
clients run with ``rate_limit=False``: the limiter would wait, and waiting is not overhead.

lark-oapi sends through ``requests`` (a new ``requests.Session`` per call). Its transport adapter's ``send``
is patched to answer the same canned envelopes, so everything above the socket — request building, session,
token cache, response parsing — runs as it does for a user.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import httpx

from ._cli import main
from ._profile import hot_spots
from ._rows import Row, Summary, ratio

MEASUREMENT = "2. per call"
TARGET_RATIO = 1.1
WARM_UP_CALLS = 20  # the first calls fetch tokens and fill caches
BASE_URL = "http://127.0.0.1:9"  # never contacted; lark-oapi accepts plain http only for loopback
TOKEN = "t-bench-token"
FEISHU_APP_ID, FEISHU_APP_SECRET = "cli_bench", "bench-feishu-secret"
SDKAPPID, TENCENT_SECRET_KEY, IDENTIFIER = 1400000000, "bench-tencent-secret", "administrator"
YUNXIN_APP_KEY, YUNXIN_APP_SECRET = "bench_app_key", "bench-yunxin-secret"

CANNED = {
    "/open-apis/auth/v3/tenant_access_token/internal": (
        b'{"code":0,"msg":"ok","tenant_access_token":"' + TOKEN.encode() + b'","expire":7200}'
    ),
    "/open-apis/im/v1/chats/oc_bench": b'{"code":0,"msg":"success","data":{}}',
    "/open-apis/im/v1/chats/oc_bench/members": b'{"code":0,"msg":"success","data":{"invalid_id_list":[]}}',
    "/v4/group_open_http_svc/destroy_group": b'{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}',
    "/im/v2.1/teams/1001": b'{"code":200,"msg":"success","data":{}}',
}
ANSWER_HEADERS = {"Content-Type": "application/json; charset=utf-8", "X-Tt-Logid": "bench-logid"}


def answer(request: httpx.Request) -> httpx.Response:
    """The canned success envelope for the request's path."""
    return httpx.Response(200, headers=ANSWER_HEADERS, content=CANNED[request.url.path])


class FailedCall(AssertionError):
    """A benchmarked call did not succeed: its figures would mean nothing."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise FailedCall(what)


@dataclass
class Subjects:
    """One operation's contenders: name -> a function making one call."""

    operation: str
    reference: str
    calls: dict[str, Callable[[int], object]]


def _raw_client() -> httpx.Client:
    return httpx.Client(base_url=BASE_URL, transport=httpx.MockTransport(answer))


@contextmanager
def feishu_subjects() -> Iterator[list[Subjects]]:
    from feishu_im import FeishuClient

    with ExitStack() as stack:
        ours = stack.enter_context(
            FeishuClient(
                app_id=FEISHU_APP_ID,
                app_secret=FEISHU_APP_SECRET,
                base_url=BASE_URL,
                rate_limit=False,
                transport=httpx.MockTransport(answer),
            )
        )
        raw = stack.enter_context(_raw_client())
        lark = stack.enter_context(_lark_client())
        auth = {"Authorization": f"Bearer {TOKEN}"}  # fetched once, as our client and lark-oapi cache it

        def raw_disband(_: int) -> None:
            body = raw.request("DELETE", "/open-apis/im/v1/chats/oc_bench", headers=auth).json()
            _check(body["code"] == 0, "raw disband_chat")

        def raw_remove(_: int) -> None:
            response = raw.request(
                "DELETE",
                "/open-apis/im/v1/chats/oc_bench/members",
                params={"member_id_type": "open_id"},
                json={"id_list": ["ou_1", "ou_2"]},
                headers=auth,
            )
            body = response.json()
            _check(body["code"] == 0 and isinstance(body["data"]["invalid_id_list"], list), "raw remove_chat_members")

        def ours_disband(_: int) -> None:
            ours.disband_chat("oc_bench")

        def ours_remove(_: int) -> None:
            ours.remove_chat_members("oc_bench", id_list=["ou_1", "ou_2"], member_id_type="open_id")

        yield [
            Subjects(
                "disband_chat",
                "raw httpx",
                {"raw httpx": raw_disband, "imgroup": ours_disband, "lark-oapi": lark.disband},
            ),
            Subjects(
                "remove_chat_members",
                "raw httpx",
                {"raw httpx": raw_remove, "imgroup": ours_remove, "lark-oapi": lark.remove_members},
            ),
        ]


@contextmanager
def tencent_subjects() -> Iterator[list[Subjects]]:
    from tencent_im import TencentIMClient

    from imgroup.runtime.signers.tencent_usersig import gen_usersig

    with ExitStack() as stack:
        ours = stack.enter_context(
            TencentIMClient(
                sdkappid=SDKAPPID,
                secret_key=TENCENT_SECRET_KEY,
                identifier=IDENTIFIER,
                base_url=BASE_URL,
                rate_limit=False,
                transport=httpx.MockTransport(answer),
            )
        )
        raw = stack.enter_context(_raw_client())
        usersig = gen_usersig(  # made once and reused, as our client's cache does
            TENCENT_SECRET_KEY, IDENTIFIER, SDKAPPID, now=int(time.time()), expire=86400
        )

        def raw_destroy(_: int) -> None:
            params = {
                "sdkappid": str(SDKAPPID),
                "identifier": IDENTIFIER,
                "usersig": usersig,
                "random": str(secrets.randbits(32)),
                "contenttype": "json",
            }
            response = raw.post("/v4/group_open_http_svc/destroy_group", params=params, json={"GroupId": "@TGS#bench"})
            _check(response.json()["ActionStatus"] == "OK", "raw destroy_group")

        def ours_destroy(_: int) -> None:
            ours.destroy_group(group_id="@TGS#bench")

        yield [Subjects("destroy_group", "raw httpx", {"raw httpx": raw_destroy, "imgroup": ours_destroy})]


@contextmanager
def yunxin_subjects() -> Iterator[list[Subjects]]:
    from yunxin_im import YunxinClient

    with ExitStack() as stack:
        ours = stack.enter_context(
            YunxinClient(
                app_key=YUNXIN_APP_KEY,
                app_secret=YUNXIN_APP_SECRET,
                base_url=BASE_URL,
                rate_limit=False,
                transport=httpx.MockTransport(answer),
            )
        )
        raw = stack.enter_context(_raw_client())

        def raw_dismiss(_: int) -> None:
            nonce, cur_time = secrets.token_hex(16), str(int(time.time()))
            headers = {
                "AppKey": YUNXIN_APP_KEY,
                "Nonce": nonce,
                "CurTime": cur_time,
                "CheckSum": hashlib.sha1((YUNXIN_APP_SECRET + nonce + cur_time).encode()).hexdigest(),
            }
            query: dict[str, str | int] = {"team_type": 1, "operator_id": "acc_owner"}
            response = raw.request("DELETE", "/im/v2.1/teams/1001", params=query, headers=headers)
            _check(response.json()["code"] in (200, 0), "raw dismiss_team")

        def ours_dismiss(_: int) -> None:
            ours.dismiss_team("1001", team_type=1, operator_id="acc_owner")

        yield [Subjects("dismiss_team", "raw httpx", {"raw httpx": raw_dismiss, "imgroup": ours_dismiss})]


class _LarkCalls:
    """lark-oapi's client with its transport adapter patched to answer the canned envelopes."""

    def __init__(self) -> None:
        import lark_oapi as lark
        from lark_oapi.api.im.v1 import DeleteChatMembersRequest, DeleteChatMembersRequestBody, DeleteChatRequest

        self._client = (
            lark.Client.builder()
            .app_id(FEISHU_APP_ID)
            .app_secret(FEISHU_APP_SECRET)
            .domain(BASE_URL)
            .log_level(lark.LogLevel.ERROR)
            .build()
        )
        self._delete_chat = DeleteChatRequest
        self._delete_members = DeleteChatMembersRequest
        self._members_body = DeleteChatMembersRequestBody

    def disband(self, _: int) -> None:
        request = self._delete_chat.builder().chat_id("oc_bench").build()
        response = self._client.im.v1.chat.delete(request)
        _check(response.success(), "lark-oapi disband_chat")

    def remove_members(self, _: int) -> None:
        body = self._members_body.builder().id_list(["ou_1", "ou_2"]).build()
        request = (
            self._delete_members.builder().chat_id("oc_bench").member_id_type("open_id").request_body(body).build()
        )
        response = self._client.im.v1.chat_members.delete(request)
        _check(response.success() and response.data.invalid_id_list == [], "lark-oapi remove_chat_members")


def canned_requests_answer(adapter: Any, request: Any, **_: Any) -> Any:
    """Stands in for ``requests.adapters.HTTPAdapter.send``: the canned envelope, no socket."""
    import requests

    response = requests.Response()
    response.status_code = 200
    response.headers = requests.structures.CaseInsensitiveDict(ANSWER_HEADERS)
    response._content = CANNED[urlsplit(request.url).path]
    response.encoding = "utf-8"
    response.url = request.url
    response.request = request
    return response


@contextmanager
def _lark_client() -> Iterator[_LarkCalls]:
    import requests.adapters

    with mock.patch.object(requests.adapters.HTTPAdapter, "send", canned_requests_answer):
        yield _LarkCalls()


def cpu_per_call_us(call: Callable[[int], object], calls: int) -> float:
    """Process CPU time per call, in microseconds."""
    start = time.process_time()
    for index in range(calls):
        call(index)
    return (time.process_time() - start) / calls * 1e6


def measure(subjects: Subjects, rounds: int, calls: int, profile_calls: int) -> list[Row]:
    for call in subjects.calls.values():
        for index in range(WARM_UP_CALLS):
            call(index)
    samples: dict[str, list[float]] = {name: [] for name in subjects.calls}
    for _ in range(rounds):  # rounds interleave the contenders, so drift hits them alike
        for name, call in subjects.calls.items():
            samples[name].append(cpu_per_call_us(call, calls))
    reference = Summary.of(samples[subjects.reference])
    rows = [Row(MEASUREMENT, f"{subjects.operation}: {subjects.reference}", "CPU time per call", "µs", reference)]
    for name, values in samples.items():
        if name == subjects.reference:
            continue
        summary = Summary.of(values)
        versus = ratio(summary, reference)
        ours = name == "imgroup"
        met = versus <= TARGET_RATIO if ours else None
        detail = hot_spots(subjects.calls[name], profile_calls) if met is False else ""
        rows.append(
            Row(
                MEASUREMENT,
                f"{subjects.operation}: {name}",
                "CPU time per call",
                "µs",
                summary,
                subjects.reference,
                versus,
                f"≤ {TARGET_RATIO}× raw" if ours else None,
                met,
                detail=detail,
            )
        )
    return rows


def run(quick: bool) -> list[Row]:
    rounds, calls, profile_calls = (1, 5, 5) if quick else (7, 2000, 2000)
    rows: list[Row] = []
    for vendor in (feishu_subjects, tencent_subjects, yunxin_subjects):
        with vendor() as operations:
            for subjects in operations:
                rows += measure(subjects, rounds, calls, profile_calls)
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
