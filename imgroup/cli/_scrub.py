"""Keeping secrets out of what the command line prints, without corrupting the words around them.

A secret is replaced where it stands as a whole token: not where it is only part of a longer run of ASCII
letters, digits and underscores. So with an app secret ``y``, ``retryable: yes`` stays as it is while
``{"secret": "y"}`` and ``key=y`` lose it. Word boundaries are ASCII on purpose: Chinese vendor messages
put no spaces around what they quote, and a secret glued to Chinese text is still replaced.

A vendor may echo a secret escaped, so each secret's JSON-escaped and URL-encoded spellings go too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from imgroup.settings import VendorSettings

REDACTED = "[redacted]"
_WORD = re.compile(r"\w", re.ASCII)


class Scrubber:
    """Replaces each of ``secrets`` (in every spelling a vendor may echo) with ``[redacted]``.

    >>> Scrubber(["y"])('retryable: yes; {"app_secret": "y"}')
    'retryable: yes; {"app_secret": "[redacted]"}'
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        spellings = {spelling for secret in secrets if secret for spelling in _spellings(secret)}
        # Longest first: where one secret contains another, the alternation matches the longer one whole.
        alternatives = [_whole_token(spelling) for spelling in sorted(spellings, key=lambda s: (-len(s), s))]
        self._pattern = re.compile("|".join(alternatives), re.ASCII) if alternatives else None

    def __call__(self, text: str) -> str:
        """``text`` with every secret that stands as a whole token replaced."""
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)

    def document(self, value: object) -> object:
        """A JSON-ready value with every string in it (keys too) scrubbed, before it is serialised."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self.document(key): self.document(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.document(item) for item in value]
        return value


def secrets_of(loaded: VendorSettings) -> list[str]:
    """The values of ``loaded``'s secret settings (app secrets, keys, tokens)."""
    from imgroup.settings import FIELDS

    fields = FIELDS[loaded.vendor]
    return [str(loaded.credentials[f.name]) for f in fields if f.secret and f.name in loaded.credentials]


def _spellings(secret: str) -> set[str]:
    """The secret as is, JSON-escaped (both ways of writing non-ASCII) and URL-encoded."""
    return {
        secret,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }


def _whole_token(spelling: str) -> str:
    """A pattern matching ``spelling`` unless a word character continues it on a side where it has one."""
    before = r"(?<!\w)" if _WORD.match(spelling[0]) else ""
    after = r"(?!\w)" if _WORD.match(spelling[-1]) else ""
    return before + re.escape(spelling) + after
