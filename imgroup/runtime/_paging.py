"""Paging through a list operation: what the next page asks for, and when the list has ended.

The generated ``iter_*`` methods of both clients page with this; they differ only in how they send.
How an operation pages is data its module holds (``Paging``, from the spec's ``x-pagination``): by cursor, by
offset, or by either where the vendor pages some lists one way and some the other (Tencent pages a Community
group's members by the string ``Next``, every other group's by ``Offset``). Then the first request sends the
cursor's first value and no offset (0, the default), and the first answer decides: one that carries the next
cursor is followed by cursor, one that does not by offset.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ._envelope import answer_fields
from ._vendor import Vendor

if TYPE_CHECKING:
    from ._pipeline import Answer, AsyncPipeline, PreparedRequest, SyncPipeline

# What a vendor puts in place of a next-page cursor when there is no next page.
_NO_CURSOR = (None, "", 0)


class Paging(NamedTuple):
    """How one operation pages (the spec's ``x-pagination``): facade argument names, answer field names."""

    style: str  # "cursor", "offset" or "cursor_or_offset"
    items: str
    page_size_argument: str | None
    cursor_argument: str | None
    offset_argument: str | None
    next_cursor: str | None
    has_more: str | None
    total: str | None
    max_page_size: int | None
    first_cursor: Any = None


class Pager:
    """One iteration's progress: the arguments of the next page, the items still wanted, and whether it ended."""

    def __init__(
        self, vendor: Vendor, operation: str, paging: Paging, page_size: int | None, limit: int | None
    ) -> None:
        invalid = vendor.errors.validation
        for name, value, least in (("page_size", page_size, 1), ("limit", limit, 0)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
                raise invalid(operation, name, f"must be an integer of at least {least} (got {value!r})")
        if page_size is not None and paging.max_page_size is not None and page_size > paging.max_page_size:
            raise invalid(operation, "page_size", f"must be at most {paging.max_page_size} (got {page_size})")
        self.vendor = vendor
        self.operation = operation
        self.paging = paging
        self.page_size = paging.max_page_size if page_size is None else page_size
        self.remaining = limit
        self.cursor: Any = paging.first_cursor
        self.offset = 0
        # "cursor" or "offset"; None until the first answer decides, for a list paged either way.
        self.style: str | None = None if paging.style == "cursor_or_offset" else paging.style
        self.done = limit == 0

    def _asked(self) -> int | None:
        if self.page_size is None or self.remaining is None:
            return self.page_size
        return min(self.page_size, max(self.remaining, 1))

    def arguments(self) -> dict[str, Any]:
        """The paging arguments of the next page's request."""
        paging = self.paging
        arguments: dict[str, Any] = {}
        asked = self._asked()
        if paging.page_size_argument is not None and asked is not None:
            arguments[paging.page_size_argument] = asked
        if paging.cursor_argument is not None and self.cursor is not None and self.style != "offset":
            arguments[paging.cursor_argument] = self.cursor
        if paging.offset_argument is not None and self.style == "offset":
            arguments[paging.offset_argument] = self.offset
        return arguments

    def take(self, answer: Answer, result: Any) -> list[Any]:
        """The items of one page still wanted; notes where the next page starts, or that there is none."""
        items = getattr(result, self.paging.items, None)
        page = list(items) if isinstance(items, list) else []
        asked = self._asked()
        received = len(page)
        if self.remaining is not None:
            page = page[: self.remaining]
            self.remaining -= len(page)
        self.done = received == 0 or self.remaining == 0 or self._ended(answer, received, asked)
        return page

    def _ended(self, answer: Answer, received: int, asked: int | None) -> bool:
        paging = self.paging
        fields: Mapping[str, Any] = answer_fields(self.vendor, answer.body)
        if self.style is None:
            self.style = "cursor" if paging.next_cursor in fields else "offset"
        if paging.has_more is not None and fields.get(paging.has_more) is False:
            return True
        if self.style == "cursor" and paging.next_cursor is not None:
            cursor = fields.get(paging.next_cursor)
            if cursor in _NO_CURSOR:
                return True
            if cursor == self.cursor:  # a vendor bug would otherwise page forever
                raise self.vendor.errors.response_format(
                    self.operation, "the next-page cursor did not move", http_status=200, request_id=answer.request_id
                )
            self.cursor = cursor
            return False
        self.offset += received
        total = fields.get(paging.total) if paging.total is not None else None
        if isinstance(total, int) and not isinstance(total, bool):
            return self.offset >= total
        return asked is not None and received < asked


def pages(
    pipeline: SyncPipeline,
    operation: str,
    pager: Pager,
    prepare: Callable[..., PreparedRequest],
    parse: Callable[[Answer], Any],
    timeout: float | None,
    max_retries: int | None,
) -> Iterator[Any]:
    """Items page after page, each page fetched when the previous one is used up."""
    while not pager.done:
        answer = pipeline.call(operation, prepare(**pager.arguments()), timeout=timeout, max_retries=max_retries)
        yield from pager.take(answer, parse(answer))


async def async_pages(
    pipeline: AsyncPipeline,
    operation: str,
    pager: Pager,
    prepare: Callable[..., PreparedRequest],
    parse: Callable[[Answer], Any],
    timeout: float | None,
    max_retries: int | None,
) -> AsyncIterator[Any]:
    """Items page after page, each page fetched when the previous one is used up."""
    while not pager.done:
        answer = await pipeline.call(operation, prepare(**pager.arguments()), timeout=timeout, max_retries=max_retries)
        for item in pager.take(answer, parse(answer)):
            yield item
