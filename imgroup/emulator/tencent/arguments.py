"""Reading a Tencent request body the way the pages describe it: a field of the wrong shape answers 10004
(70402 in the account chapter).

Tencent names nothing in that answer (our clients check before sending), so a broken field raises BadBody and
``checked`` turns it, like a body that is no JSON object, into the one answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._pipeline import Emulator, Handler, Result, VendorRequest
from .dialect import INVALID_PARAMETER


class BadBody(Exception):
    """A body field is missing or of the wrong shape: the call answers 10004."""


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = False) -> Any:
    """``body[name]`` if it is a ``kind`` (bools are not ints); None when absent and optional.

    A JSON null counts as absent: widely used clients send one for every field the caller left unset
    (xinput123/tencent-im's Jackson requests; dobyte/tencent-im's nil Go slices), and Tencent takes them.
    """
    if body.get(name) is None:
        if required:
            raise BadBody(name)
        return None
    value = body[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadBody(name)
    return value


def int_field(body: dict[str, Any], name: str, low: int, high: int | None = None) -> int | None:
    value: int | None = field(body, name, int)
    if value is not None and (value < low or (high is not None and value > high)):
        raise BadBody(name)
    return value


def text_field(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value: str | None = field(body, name, str, required=required)
    if required and not value:
        raise BadBody(name)
    return value


def choice(body: dict[str, Any], name: str, options: tuple[Any, ...], *, required: bool = False) -> Any:
    value = field(body, name, type(options[0]), required=required)
    if value is not None and value not in options:
        raise BadBody(name)
    return value


def strings(body: dict[str, Any], name: str, *, required: bool = False) -> list[str] | None:
    value: list[str] | None = field(body, name, list, required=required)
    if value is not None and not all(isinstance(item, str) and item for item in value):
        raise BadBody(name)
    return value


Action = Callable[[Emulator, dict[str, Any]], Result]


def checked(action: Action) -> Handler:
    """The handler of a group operation that reads its body: 10004 for no JSON object, or a field of the wrong
    shape."""
    return checked_with(INVALID_PARAMETER)(action)


def checked_with(invalid: int) -> Callable[[Action], Handler]:
    """As ``checked``, for a chapter whose pages answer bad input with another code (the account chapter: 70402)."""

    def decorate(action: Action) -> Handler:
        def run(emulator: Emulator, request: VendorRequest) -> Result:
            if request.body is None:
                return Result(invalid)
            try:
                return action(emulator, request.body)
            except BadBody:
                return Result(invalid)

        return run

    return decorate
