"""Field entries, the line-per-cell form of a parameter (apifox captures, Tencent's page 001), and bounds lines."""

from __future__ import annotations

import re

from ..param_types import canonical_type
from ..text import compact_label
from .vocabulary import OPTIONAL_WORDS, REQUIRED_WORDS

_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_BOUND = re.compile(r"(>=|<=|>|<)\s*(-?\d+)")
_BOUNDS_LINE = re.compile(r"^\s*(?:(?:>=|<=|>|<)\s*-?\d+\s*)+$")


def required_word(line: str) -> bool | None:
    """True for 必需/Yes, False for 可选/No, None when the line is neither."""
    key = compact_label(line)
    if key in REQUIRED_WORDS:
        return True
    if key in OPTIONAL_WORDS:
        return False
    return None


def is_name(line: str) -> bool:
    """Whether a line can be a parameter name (an identifier, alone on its line)."""
    return bool(_NAME.match(line.strip()))


def entry_at(lines: list[str], index: int) -> tuple[str, str | None, bool, int] | None:
    """The parameter entry starting at ``lines[index]``: name, JSON type or None, required, lines used.

    An entry is a name line followed by an optional type line and then a required-ness line (blank lines
    between them allowed); anything else (descriptions, example values) is not an entry start.
    """
    if not is_name(lines[index]):
        return None
    following = [at for at in range(index + 1, min(index + 8, len(lines))) if lines[at].strip()][:2]
    if following and required_word(lines[following[0]]) is not None:
        return lines[index].strip(), None, bool(required_word(lines[following[0]])), following[0] + 1 - index
    if len(following) == 2 and canonical_type(lines[following[0]]):
        required = required_word(lines[following[1]])
        if required is not None:
            return lines[index].strip(), canonical_type(lines[following[0]]), required, following[1] + 1 - index
    return None


def bounds(line: str) -> tuple[int | None, int | None] | None:
    """Inclusive (minimum, maximum) from a line such as ``>= 1<= 2``; None when the line is not a bounds line."""
    if not _BOUNDS_LINE.match(line):
        return None
    minimum = maximum = None
    for operator, number in _BOUND.findall(line):
        value = int(number)
        if operator == ">=":
            minimum = value
        elif operator == ">":
            minimum = value + 1
        elif operator == "<=":
            maximum = value
        else:
            maximum = value - 1
    return minimum, maximum
