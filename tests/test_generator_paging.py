"""The generated iterators of tests/golden/spec.yaml: each paging style, sync and async, over a fake vendor.

The fake vendor serves a list from memory in the style the spec declares, so the tests prove what the
iterator asks for page after page and where it stops, not only what it yields.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.tree import ROOT, generate_tree

GOLDEN_SPEC = ROOT / "tests" / "golden" / "spec.yaml"
ROOMS = [f"r{i:04d}" for i in range(237)]


@pytest.fixture(scope="module")
def example_im(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("golden-paging")
    generate_tree([GOLDEN_SPEC], out)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("example_im")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "example_im" or n.startswith("example_im.")]:
            del sys.modules[name]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def envelope(data: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "msg": "ok", "data": data})


class FakeVendor:
    """Serves ROOMS in each style of the golden spec and records every request."""

    def __init__(self, rooms: list[str] | None = None) -> None:
        self.rooms = list(ROOMS if rooms is None else rooms)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        path = request.url.path
        if path == "/rooms":  # page token + has_more; the token is the last id served
            size = int(query.get("page_size", 20))
            start = self.rooms.index(query["page_token"]) + 1 if "page_token" in query else 0
            page = self.rooms[start : start + size]
            more = start + size < len(self.rooms)
            data = {"items": [{"room_id": r} for r in page], "has_more": more}
            if more:
                data["page_token"] = page[-1]
            return envelope(data)
        if path == "/rooms/ids":  # integer cursor, 0 at the end
            body = json.loads(request.content)
            start, size = body.get("Next", 0), body["Limit"]
            page = self.rooms[start : start + size]
            following = start + size if start + size < len(self.rooms) else 0
            return envelope({"RoomIdList": [{"RoomId": r} for r in page], "Next": following})
        if path.endswith("/roster"):  # offset + total
            offset, size = int(query.get("offset", 0)), int(query.get("limit", 10))
            return envelope({"members": self.rooms[offset : offset + size], "total": len(self.rooms)})
        if path.endswith("/rooms"):  # offset, a short page is the last
            offset, size = int(query.get("offset", 0)), int(query.get("limit", 10))
            return envelope({"rooms": [{"room_id": r} for r in self.rooms[offset : offset + size]]})
        raise AssertionError(f"unexpected request {request.method} {request.url}")


def client(example_im: ModuleType, vendor: FakeVendor, is_async: bool = False) -> Any:
    cls = example_im.AsyncExampleClient if is_async else example_im.ExampleClient
    transport = httpx.MockTransport(vendor)
    return cls(app_key="k", app_secret="s", transport=transport, rate_limit=False)


ITERATIONS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "cursor token, has_more": lambda c, kw: c.iter_rooms(**kw),
    "integer cursor": lambda c, kw: c.iter_room_ids(**kw),
    "offset with total": lambda c, kw: c.iter_members("room", **kw),
    "offset, short last page": lambda c, kw: c.iter_joined("u1", **kw),
}


def item_id(item: Any) -> str:
    if isinstance(item, str):
        return item
    return str(item.to_dict().get("room_id") or item.to_dict()["RoomId"])


@pytest.mark.parametrize("style", ITERATIONS)
def test_every_item_once_in_order_in_each_style(example_im: ModuleType, style: str) -> None:
    vendor = FakeVendor()
    with client(example_im, vendor) as c:
        items = [item_id(i) for i in ITERATIONS[style](c, {"page_size": 20})]
    assert items == ROOMS
    # 237 items at 20 a page: 12 pages, plus one empty page where the style cannot tell the end from a full page.
    assert len(vendor.requests) in (12, 13)


@pytest.mark.parametrize("style", ITERATIONS)
def test_limit_stops_early_and_asks_for_no_more_than_it_needs(example_im: ModuleType, style: str) -> None:
    vendor = FakeVendor()
    with client(example_im, vendor) as c:
        items = [item_id(i) for i in ITERATIONS[style](c, {"page_size": 20, "limit": 45})]
    assert items == ROOMS[:45]
    assert len(vendor.requests) == 3


@pytest.mark.parametrize("style", ITERATIONS)
def test_async_iterators_page_the_same_way(example_im: ModuleType, style: str) -> None:
    vendor = FakeVendor()

    async def collect() -> list[str]:
        async with client(example_im, vendor, is_async=True) as c:
            return [item_id(i) async for i in ITERATIONS[style](c, {"page_size": 20})]

    assert anyio.run(collect) == ROOMS


@pytest.mark.parametrize("style", ITERATIONS)
def test_an_empty_list_is_one_request(example_im: ModuleType, style: str) -> None:
    vendor = FakeVendor(rooms=[])
    with client(example_im, vendor) as c:
        assert list(ITERATIONS[style](c, {})) == []
    assert len(vendor.requests) == 1


def test_default_page_size_is_the_largest_the_vendor_serves(example_im: ModuleType) -> None:
    vendor = FakeVendor()
    with client(example_im, vendor) as c:
        assert len(list(c.iter_room_ids())) == len(ROOMS)
    assert [json.loads(r.content)["Limit"] for r in vendor.requests] == [1000]
    assert json.loads(vendor.requests[0].content) == {"Limit": 1000}  # no cursor on the first page


def test_the_cursor_and_other_arguments_reach_each_page(example_im: ModuleType) -> None:
    vendor = FakeVendor()
    with client(example_im, vendor) as c:
        list(c.iter_room_ids(kind="Public", page_size=100))
    bodies = [json.loads(r.content) for r in vendor.requests]
    assert bodies == [
        {"Limit": 100, "Type": "Public"},
        {"Limit": 100, "Next": 100, "Type": "Public"},
        {"Limit": 100, "Next": 200, "Type": "Public"},
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"limit": -1}, "limit"),
        ({"kind": "x"}, "kind"),
    ],
)
def test_bad_arguments_fail_when_the_iterator_is_made_before_anything_is_sent(
    example_im: ModuleType, arguments: dict[str, Any], field: str
) -> None:
    vendor = FakeVendor()
    with client(example_im, vendor) as c, pytest.raises(example_im.ValidationError) as raised:
        c.iter_room_ids(**arguments)
    assert raised.value.field == field
    assert vendor.requests == []


def test_a_cursor_that_does_not_move_is_a_format_error_not_an_endless_loop(example_im: ModuleType) -> None:
    def stuck(request: httpx.Request) -> httpx.Response:
        return envelope({"items": [{"room_id": "r1"}], "page_token": "same", "has_more": True})

    c = example_im.ExampleClient(app_key="k", app_secret="s", transport=httpx.MockTransport(stuck), rate_limit=False)
    with pytest.raises(example_im.ResponseFormatError, match="cursor did not move"):
        list(c.iter_rooms())


def test_a_page_of_the_wrong_shape_is_a_format_error(example_im: ModuleType) -> None:
    def wrong(request: httpx.Request) -> httpx.Response:
        return envelope({"items": "not a list", "has_more": False})

    c = example_im.ExampleClient(app_key="k", app_secret="s", transport=httpx.MockTransport(wrong), rate_limit=False)
    with pytest.raises(example_im.ResponseFormatError, match="items"):
        list(c.iter_rooms())


@settings(max_examples=60, deadline=None)
@given(total=st.integers(0, 120), page_size=st.integers(1, 20), limit=st.none() | st.integers(0, 130))
def test_offset_paging_yields_exactly_the_first_limit_items(
    example_im: ModuleType, total: int, page_size: int, limit: int | None
) -> None:
    rooms = [f"r{i}" for i in range(total)]
    for style in ("offset with total", "offset, short last page", "integer cursor", "cursor token, has_more"):
        vendor = FakeVendor(rooms)
        with client(example_im, vendor) as c:
            items = [item_id(i) for i in ITERATIONS[style](c, {"page_size": page_size, "limit": limit})]
        expected = rooms if limit is None else rooms[:limit]
        assert items == expected, style
        if limit == 0:
            assert vendor.requests == []


def test_nested_request_objects_are_checked_and_sent(example_im: ModuleType) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return envelope({"room_id": "r1", "name": "general"})

    c = example_im.ExampleClient(app_key="k", app_secret="s", transport=httpx.MockTransport(answer))
    room = c.create_room(name="general", members=[{"id": "u1", "role": "owner"}], options={"muted": True})
    assert room.room_id == "r1"
    assert json.loads(sent[0].content) == {
        "name": "general",
        "members": [{"id": "u1", "role": "owner"}],
        "options": {"muted": True},
    }
    with pytest.raises(example_im.ValidationError, match=r"members \[0\] lacks the field id"):
        c.create_room(name="g", members=[{"role": "owner"}])
    with pytest.raises(example_im.ValidationError, match=r"members \[0\] field role must be one of"):
        c.create_room(name="g", members=[{"id": "u1", "role": "boss"}])
    with pytest.raises(example_im.ValidationError, match=r"options field muted must be true or false"):
        c.create_room(name="g", members=[{"id": "u1"}], options={"muted": "yes"})
    with pytest.raises(example_im.ValidationError, match="options must be a mapping"):
        c.create_room(name="g", members=[{"id": "u1"}], options=["muted"])
    assert len(sent) == 1


def test_a_retry_meeting_an_already_done_code_counts_as_done(example_im: ModuleType) -> None:
    answers = iter(
        [
            httpx.Response(502, text="<html>bad gateway</html>"),
            httpx.Response(400, json={"code": 400010, "msg": "room not muted"}),
        ]
    )
    c = example_im.ExampleClient(
        app_key="k", app_secret="s", transport=httpx.MockTransport(lambda r: next(answers)), rate_limit=False
    )
    c._pipeline._sleep = lambda seconds: None
    assert c.unmute_room("r1") is None
    info = example_im.operations.OPERATIONS["unmute_room"]
    assert (info.already_done_codes, info.iterator) == ((400010,), None)
    assert example_im.operations.OPERATIONS["list_rooms"].iterator == "iter_rooms"


def test_a_done_on_retry_code_counts_as_done_only_on_a_retry(example_im: ModuleType) -> None:
    lost = iter([httpx.Response(502, text="<html>bad gateway</html>"), httpx.Response(400, json={"code": 400011})])
    c = example_im.ExampleClient(
        app_key="k", app_secret="s", transport=httpx.MockTransport(lambda r: next(lost)), rate_limit=False
    )
    c._pipeline._sleep = lambda seconds: None
    assert c.unmute_room("r1") is None
    first = httpx.Response(400, json={"code": 400011, "msg": "no such mute"})
    c = example_im.ExampleClient(app_key="k", app_secret="s", transport=httpx.MockTransport(lambda r: first))
    with pytest.raises(example_im.ApiError) as raised:
        c.unmute_room("r1")
    assert raised.value.code == 400011
    assert example_im.operations.OPERATIONS["unmute_room"].done_on_retry_codes == (400011,)


def test_an_already_done_code_on_the_first_attempt_is_still_raised(example_im: ModuleType) -> None:
    answer = httpx.Response(400, json={"code": 400010, "msg": "room not muted"})
    c = example_im.ExampleClient(app_key="k", app_secret="s", transport=httpx.MockTransport(lambda r: answer))
    with pytest.raises(example_im.ApiError) as raised:
        c.unmute_room("r1")
    assert raised.value.code == 400010


def test_renamed_arguments_reach_the_wire_under_their_own_names(example_im: ModuleType) -> None:
    vendor = FakeVendor()
    with client(example_im, vendor) as c:
        c.list_room_ids(limit=5, next_cursor=10, kind="Private")
    assert json.loads(vendor.requests[0].content) == {"Limit": 5, "Next": 10, "Type": "Private"}


def test_iterator_names_come_from_the_spec(example_im: ModuleType) -> None:
    doc = example_im.ExampleClient.iter_rooms.__doc__
    assert doc is not None and "page_size" in doc and "limit" in doc
    assert Path(example_im.__file__).parent.joinpath("calls", "list_rooms.py").is_file()


def test_an_as_string_field_reads_a_number_as_its_text(example_im: ModuleType) -> None:
    from example_im.models.room_id import RoomId

    assert RoomId.from_dict({"RoomId": 7}).room_id == "7"
    assert RoomId.from_dict({"RoomId": "r7"}).room_id == "r7"
    vendor = FakeVendor(rooms=[])
    vendor.rooms = [1, 2]  # type: ignore[list-item]  # a vendor that sends its ids as numbers
    with client(example_im, vendor) as c:
        assert [room.room_id for room in c.iter_room_ids()] == ["1", "2"]
