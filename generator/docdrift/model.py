"""What a vendor documentation page says about one operation, independent of the page's format."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Location(str, Enum):
    """Where a request parameter travels."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    BODY = "body"


@dataclass(frozen=True)
class RateLimit:
    """A documented call budget; either bound may be unknown."""

    per_second: int | None = None
    per_minute: int | None = None


@dataclass(frozen=True)
class PageParam:
    """One request parameter as the page lists it; ``type`` and bounds are None when the page omits them."""

    name: str
    location: Location
    required: bool
    type: str | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class PageErrorRow:
    """One row of a page's error table; ``http_status`` is None when the page has no status column."""

    code: int
    message: str
    http_status: int | None = None
    advice: str = ""


@dataclass
class Page:
    """Everything the checker compares, as read from one page.

    ``params`` maps only the locations the page documents: a location missing from the map is one the
    page says nothing about (a rendered capture that collapsed the body schema, say), so it is not compared.
    ``errors`` is None when the page has no error table at all.
    """

    source: str
    format: str
    method: str | None = None
    path: str | None = None
    url: str | None = None
    title: str | None = None
    rate_limit: RateLimit | None = None
    params: dict[Location, list[PageParam]] = field(default_factory=dict)
    errors: list[PageErrorRow] | None = None


class PageUnreadable(Exception):
    """The page is in no format we read, or lacks what every check needs (a method or a path)."""
