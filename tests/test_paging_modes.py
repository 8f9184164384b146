"""The pager follows every paging mode a spec declares: Tencent's member listing pages a Community group by
``Next`` and every other group by ``Offset``, and the first answer says which (no HTTP: answers in memory)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tencent_im.calls.get_group_member_info import PAGING
from tencent_im.vendor import VENDOR

from imgroup.runtime import Answer, Pager


class Members:
    """One group's members, served as Tencent's page does: by Next for a Community group (which must send
    Next and may not page by Offset), by Offset for the others (which answer no Next)."""

    def __init__(self, count: int, community: bool) -> None:
        self.accounts = [f"u{i:05d}" for i in range(count)]
        self.community = community
        self.requests: list[dict[str, Any]] = []

    def answer(self, arguments: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(arguments)
        size = arguments.get("limit") or len(self.accounts)
        body: dict[str, Any] = {"ActionStatus": "OK", "ErrorCode": 0, "MemberNum": len(self.accounts)}
        if self.community:
            assert "offset" not in arguments and "next_cursor" in arguments
            after = arguments["next_cursor"]
            start = self.accounts.index(after) + 1 if after else 0
            page = self.accounts[start : start + size]
            body["Next"] = page[-1] if start + size < len(self.accounts) else ""
        else:
            start = arguments.get("offset", 0)
            page = self.accounts[start : start + size]
        body["MemberList"] = [{"Member_Account": account} for account in page]
        return body


class Page:
    """What the generated parse makes of an answer, as far as the pager reads it."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.member_list = body["MemberList"]


def listed(group: Members, page_size: int | None = None, limit: int | None = None) -> list[str]:
    pager = Pager(VENDOR, "get_group_member_info", PAGING, page_size, limit)
    seen: list[str] = []
    while not pager.done:
        body = group.answer(pager.arguments())
        seen += [member["Member_Account"] for member in pager.take(Answer(body, None, 1), Page(body))]
    return seen


def test_the_first_request_asks_for_the_first_batch_and_no_offset() -> None:
    pager = Pager(VENDOR, "get_group_member_info", PAGING, 100, None)
    assert pager.arguments() == {"limit": 100, "next_cursor": ""}


def test_a_community_group_is_followed_by_next() -> None:
    group = Members(450, community=True)
    assert listed(group, page_size=200) == group.accounts
    assert [r.get("next_cursor") for r in group.requests] == ["", "u00199", "u00399"]


def test_another_group_is_followed_by_offset_after_the_first_page() -> None:
    group = Members(450, community=False)
    assert listed(group, page_size=200) == group.accounts
    assert group.requests[1:] == [{"limit": 200, "offset": 200}, {"limit": 200, "offset": 400}]


@given(
    count=st.integers(0, 700),
    community=st.booleans(),
    page_size=st.integers(1, 200),
    limit=st.none() | st.integers(0, 800),
)
def test_every_member_once_in_order_whichever_way_the_group_pages(
    count: int, community: bool, page_size: int, limit: int | None
) -> None:
    group = Members(count, community)
    assert listed(group, page_size, limit) == group.accounts[:limit]
