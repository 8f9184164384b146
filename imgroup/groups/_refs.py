"""Naming a group or a user on any vendor: ``feishu:oc_…``, ``tencent:@TGS#…``, ``yunxin:1001?type=1``.

A reference is the vendor, a colon, then the vendor's own id. A group reference may carry options after ``?``
(``yunxin:1001?type=1`` gives a Yunxin team's type, which is looked up when it is not given). References are
checked when parsed, so a bad one fails before anything is sent, with a message naming what is wrong.

>>> GroupRef.parse("yunxin:1001?type=1")
GroupRef(vendor='yunxin', id='1001', options=(('type', '1'),))
>>> str(UserRef.parse("tencent:alice"))
'tencent:alice'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from attrs import frozen

VENDORS = ("feishu", "tencent", "yunxin")


@frozen
class _IdRule:
    """What one vendor's ids look like, said the way the error message says it."""

    pattern: re.Pattern[str]
    described: str


# Tencent lets an app choose its own group ids (up to 48 bytes), so only the other vendors' ids have a shape.
_GROUP_IDS = {
    "feishu": _IdRule(re.compile(r"oc_[0-9A-Za-z_-]+"), "a chat id starting with oc_"),
    "tencent": _IdRule(re.compile(r"[^\s?]{1,48}"), "a group id of at most 48 characters, without spaces"),
    "yunxin": _IdRule(re.compile(r"[0-9]{1,20}"), "a team id (digits)"),
}
_USER_IDS = {
    "feishu": _IdRule(re.compile(r"ou_[0-9A-Za-z_-]+"), "an open_id starting with ou_"),
    "tencent": _IdRule(re.compile(r"[^\s]{1,32}"), "an account of at most 32 characters, without spaces"),
    "yunxin": _IdRule(re.compile(r"[^\s]{1,32}"), "an account id of at most 32 characters, without spaces"),
}
# Options a group reference may carry, and the values each allows.
_GROUP_OPTIONS: dict[str, dict[str, frozenset[str]]] = {
    "feishu": {},
    "tencent": {},
    "yunxin": {"type": frozenset({"1", "2"})},  # 1: advanced team, 2: super team
}


class RefError(ValueError):
    """A group or user reference that cannot be parsed; the message says what a valid one looks like."""


def _split_vendor(text: str, kind: str) -> tuple[str, str]:
    vendor, colon, rest = text.partition(":")
    if not colon or vendor not in VENDORS:
        raise RefError(
            f"{kind} {text!r} must start with its vendor: feishu:, tencent: or yunxin: (e.g. {_EXAMPLES[kind]})"
        )
    return vendor, rest


_EXAMPLES = {"group": "tencent:@TGS#2J4SZEAEL", "user": "feishu:ou_7d8a6e6df7621556ce0d21922b676706"}


def _check_id(rules: dict[str, _IdRule], vendor: str, value: str, text: str, kind: str) -> None:
    rule = rules[vendor]
    if not rule.pattern.fullmatch(value):
        raise RefError(f"{kind} {text!r}: a {vendor} {kind} is {rule.described}")


@frozen
class GroupRef:
    """A group on one vendor: ``vendor``, the vendor's ``id``, and options such as a Yunxin team's ``type``."""

    vendor: str
    id: str
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> GroupRef:
        """Parse ``vendor:id[?option=value&...]``; raises RefError naming what is wrong."""
        vendor, rest = _split_vendor(text.strip(), "group")
        group_id, question, query = rest.partition("?")
        _check_id(_GROUP_IDS, vendor, group_id, text, "group")
        options = tuple(sorted(parse_qsl(query, keep_blank_values=True))) if question else ()
        allowed = _GROUP_OPTIONS[vendor]
        for name, value in options:
            if name not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                raise RefError(f"group {text!r}: unknown option {name!r} for {vendor} (options: {known})")
            if value not in allowed[name]:
                raise RefError(f"group {text!r}: {name} must be one of {', '.join(sorted(allowed[name]))}")
        return cls(vendor, group_id, options)

    def option(self, name: str) -> str | None:
        """The value of option ``name``, or None when the reference does not give it."""
        return dict(self.options).get(name)

    def with_option(self, name: str, value: str) -> GroupRef:
        """This reference with option ``name`` set (a looked-up team type, say)."""
        return GroupRef(self.vendor, self.id, tuple(sorted({**dict(self.options), name: value}.items())))

    def __str__(self) -> str:
        query = f"?{urlencode(self.options)}" if self.options else ""
        return f"{self.vendor}:{self.id}{query}"


@frozen
class UserRef:
    """A user on one vendor: ``feishu:ou_…`` (an open_id), ``tencent:alice``, ``yunxin:acc_1``."""

    vendor: str
    id: str

    @classmethod
    def parse(cls, text: str) -> UserRef:
        """Parse ``vendor:id``; raises RefError naming what is wrong."""
        vendor, user_id = _split_vendor(text.strip(), "user")
        _check_id(_USER_IDS, vendor, user_id, text, "user")
        return cls(vendor, user_id)

    def __str__(self) -> str:
        return f"{self.vendor}:{self.id}"
