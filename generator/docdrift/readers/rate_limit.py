"""Reads a documented call budget such as ``1000 次/分钟、50 次/秒``, ``200 calls per second`` or Lark's
``1000 per minute & 50 per second``."""

from __future__ import annotations

import re

from ..model import RateLimit
from ..text import fold_width

_BUDGET = re.compile(
    r"(\d[\d,]*)\s*(?:次|calls?|requests?|times?)?\s*(?:/|per|每)\s*(秒|分钟|second|sec|s|minute|min)\b",
    re.IGNORECASE,
)
_SECOND = {"秒", "second", "sec", "s"}


def parse_rate_limit(text: str) -> RateLimit | None:
    """The per-second and per-minute budgets stated in ``text``, or None when it states none."""
    per_second = per_minute = None
    for number, unit in _BUDGET.findall(fold_width(text)):
        value = int(number.replace(",", ""))
        if unit.lower() in _SECOND:
            per_second = value
        else:
            per_minute = value
    if per_second is None and per_minute is None:
        return None
    return RateLimit(per_second=per_second, per_minute=per_minute)
