"""What a command prints: results on stdout (human or ``--json``), and with ``--json`` a failure's document.

A failure's line on stderr and the exit status are the error boundary's (``_boundary``). Every line printed
passes through ``scrub`` first (see ``_scrub``), so a secret the vendor echoes back never reaches the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

import attrs
import click

from imgroup.errors import ApiConnectionError, ApiError, ResponseFormatError

from ._scrub import Scrubber

# Fields of a successful answer that "done" already says: the retry note, and Tencent's envelope status
# (ActionStatus OK, ErrorCode 0), which its answer models carry beside their own fields.
_SAID_BY_DONE = frozenset({"already_gone", "ActionStatus", "ErrorCode", "ErrorInfo"})


class Reporter:
    """Prints one command's outcome, with ``secrets`` replaced wherever they would appear."""

    def __init__(self, *, as_json: bool, secrets: Iterable[str] = ()) -> None:
        self.as_json = as_json
        self.scrub = Scrubber(secrets)

    def out(self, text: str) -> None:
        click.echo(self.scrub(text))

    def err(self, text: str) -> None:
        click.echo(self.scrub(text), err=True)

    def json(self, document: Mapping[str, object]) -> None:
        # Scrubbed before serialising too: JSON escapes a secret's quotes and backslashes.
        self.out(json.dumps(self.scrub.document(document), ensure_ascii=False, indent=2, default=str))

    def success(self, vendor: str, operation: str, target: str, result: object) -> None:
        """Report a call that worked: ``target`` names what it acted on, for the human line."""
        fields = result_fields(result)
        if self.as_json:
            self.json({"ok": True, "vendor": vendor, "operation": operation, "result": fields})
            return
        line = " ".join(word for word in (vendor, operation.replace("_", "-"), target) if word) + ": done"
        if fields.get("already_gone"):
            line += " (it was already gone when a retry arrived: an earlier attempt most likely did it)"
        self.out(line)
        shown = {name: value for name, value in fields.items() if name not in _SAID_BY_DONE}
        for text in readable_lines(shown, depth=1):
            self.out(text)

    def failed(self, vendor: str, operation: str, error: ApiError | ApiConnectionError | ResponseFormatError) -> None:
        """With ``--json``, the failure as the document on stdout (the error boundary prints its line on stderr)."""
        if self.as_json:
            self.json({"ok": False, "vendor": vendor, "operation": operation, "error": error_fields(error)})


@runtime_checkable
class Model(Protocol):
    """A generated answer model: an attrs class that spells itself as the vendor does."""

    def to_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class Record(Protocol):
    """A generated package's small record (``Disbanded``): a NamedTuple."""

    def _asdict(self) -> dict[str, Any]: ...


def result_fields(result: object) -> dict[str, object]:
    """A JSON-ready dict of whatever a client method returned."""
    if result is None:
        return {}
    if attrs.has(type(result)) and isinstance(result, Model):
        return result.to_dict()
    if isinstance(result, Record):
        return dict(result._asdict())
    if isinstance(result, Mapping):
        return dict(result)
    return {"value": result}


def error_fields(error: ApiError | ApiConnectionError | ResponseFormatError) -> dict[str, object]:
    """What an error says, as a JSON-ready dict: code, message, meaning and advice when the vendor answered.

    ``error`` is any vendor's (each package's classes subclass the shared ones of :mod:`imgroup.errors`).
    """
    if isinstance(error, ApiError):
        info = error.info
        return {
            "kind": "api_error",
            "code": error.code,
            "message": error.message,
            "http_status": error.http_status,
            "request_id": error.request_id,
            "category": info.category if info is not None else type(error).category,
            "retryable": error.retryable,
            "description": info.description if info is not None else None,
            "action": info.action if info is not None else None,
        }
    if isinstance(error, ResponseFormatError):
        return {
            "kind": "bad_answer",
            "message": str(error),
            "http_status": error.http_status,
            "request_id": error.request_id,
            "retryable": error.retryable,
        }
    return {"kind": "no_answer", "message": str(error), "retryable": error.retryable}


def readable_lines(fields: Mapping[str, object], *, depth: int = 0) -> list[str]:
    """``key: value`` lines for a person, nested objects indented under their key, empty fields left out.

    >>> readable_lines({"chat_id": "oc_1", "i18n_names": {"en_us": "Ops"}, "members": [{"id": "ou_1"}]})
    ['chat id: oc_1', 'i18n names:', '  en us: Ops', 'members:', '  - id: ou_1']
    """
    pad = "  " * depth
    lines: list[str] = []
    for name, value in fields.items():
        if value in (None, [], {}, ""):
            continue
        key = name.replace("_", " ") if name.islower() else name  # the vendor's own spelling, as in its docs
        if isinstance(value, Mapping):
            lines += [f"{pad}{key}:", *readable_lines(value, depth=depth + 1)]
        elif isinstance(value, list | tuple) and any(isinstance(entry, Mapping) for entry in value):
            lines.append(f"{pad}{key}:")
            for entry in value:
                inner = readable_lines(entry, depth=depth + 2) if isinstance(entry, Mapping) else [_human(entry)]
                first = inner[0].lstrip() if inner else ""
                lines += [f"{pad}  - {first}", *inner[1:]]
        else:
            lines.append(f"{pad}{key}: {_human(value)}")
    return lines


def _human(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_human(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
