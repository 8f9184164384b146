"""Text clean-up shared by the page readers and the comparer, so both sides of a comparison see the same form."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"\*\*|`")
# ``__bold__`` is emphasis only where the underscores are not inside a word (``page__token`` is a name).
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def fold_width(text: str) -> str:
    """Fold full-width forms to ASCII (``｜`` to ``|``, ``：`` to ``:``, ideographic space to space).

    NFKC does exactly this for the forms pages use; it leaves CJK ideographs alone.
    """
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space and trim the ends."""
    return _SPACE.sub(" ", text).strip()


def clean_cell(text: str) -> str:
    """The plain text of a Markdown table cell: links to their text, emphasis and escapes dropped, one line."""
    text = _BREAK.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _MARKUP.sub("", text)
    text = _UNDERSCORE_EMPHASIS.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return squash(text)


def canonical_message(text: str) -> str:
    """The form two messages are compared in: width-folded and whitespace-collapsed, case kept."""
    return squash(fold_width(text))


def compact_label(text: str) -> str:
    """A header label reduced for lookup: width-folded, lower case, without spaces or markup."""
    return re.sub(r"[\s*`_]", "", fold_width(text)).lower()


_COLON_PARAM = re.compile(r":\{?([A-Za-z_]\w*)\}?")


def canonical_path(path: str) -> str:
    """A URL path in the spec's form: ``:chat_id`` and ``:{chat_id}`` written ``{chat_id}``, query string and
    trailing slash dropped."""
    path = path.split("?", 1)[0].strip()
    path = _COLON_PARAM.sub(r"{\1}", path)
    return path.rstrip("/") or "/"
