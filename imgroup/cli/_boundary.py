"""The command line's one error boundary: whatever a command raises becomes one line on stderr and an exit status.

Every command runs inside the root group's ``invoke`` (:class:`BoundaryGroup`), so a command added later is
covered without a try/except of its own. The line names the command, then what failed and what to do::

    imgroup offboard: tencent get_joined_group_list: [70009] Failed to verify UserSig with the key. — Use the
    app's current secret key from the console; check TENCENT_IM_SDKAPPID and TENCENT_IM_SECRET_KEY

Exit status: 1 the vendor answered with an error or not at all (or imgroup itself failed: a bug); 2 a usage
error: a value the client rejects before sending, a missing setting, a file that cannot be read or parsed.
Click's own usage errors (a missing argument, a path that does not exist) stay click's, and so do the exits a
command chooses. ``imgroup --debug`` lets the exception through instead, with its traceback.

The line is scrubbed of every secret the command loaded (:func:`remember_secrets`) and of those the
environment and the default profile of the config file hold, in case a vendor echoed one back.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Sequence
from typing import Any

import click

from imgroup.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AppTicketTimeoutError,
    ImgroupError,
    ResponseFormatError,
    UnauthenticatedError,
    ValidationError,
)

from ._lazy import LazyGroup
from ._scrub import Scrubber

EXIT_FAILED = 1
EXIT_USAGE = 2
_COMMAND = "imgroup.command"
_SECRETS = "imgroup.secrets"


class BoundaryGroup(LazyGroup):
    """The root group: runs a command, and turns what it raises into one line (unless ``--debug``)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta[_COMMAND] = command_path(name, command, rest)
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            line, status = describe(ctx.meta.get(_COMMAND, "imgroup"), error)
            click.echo(_scrubber(ctx)(line), err=True)
            raise click.exceptions.Exit(status) from None


def command_path(name: str | None, command: click.Command | None, rest: Sequence[str]) -> str:
    """``imgroup NAME`` and, for a group, the subcommand the rest of the words name (its first that is no option)."""
    words = ["imgroup", name or ""]
    if isinstance(command, click.Group):
        words += [word for word in rest if not word.startswith("-")][:1]
    return " ".join(word for word in words if word)


def remember_secrets(secrets: Iterable[str]) -> None:
    """Scrub these secrets (loaded by the running command) from its failure line too."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.setdefault(_SECRETS, set()).update(secret for secret in secrets if secret)


def describe(command: str, error: Exception) -> tuple[str, int]:
    """The line (``imgroup COMMAND: what failed — what to do``) and exit status for ``error``."""
    text, status = _what_failed(command, error)
    return f"{command}: {_one_line(text)}", status


def _what_failed(command: str, error: Exception) -> tuple[str, int]:
    from imgroup.settings import SettingsError

    if isinstance(error, ApiError | ApiConnectionError | ResponseFormatError | ValidationError):
        return _operation_of(command, error) + _vendor_failure(error), (
            EXIT_USAGE if isinstance(error, ValidationError) else EXIT_FAILED
        )
    if isinstance(error, SettingsError):
        return str(error), EXIT_USAGE
    if isinstance(error, AppTicketTimeoutError):  # its message says what to check
        return str(error), EXIT_FAILED
    if isinstance(error, UnicodeDecodeError):
        return f"the input is not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start})", (
            EXIT_USAGE
        )
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename is not None else ""
        return f"{where}{error.strerror or error}", EXIT_USAGE
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})", EXIT_USAGE
    if isinstance(error, tomllib.TOMLDecodeError):
        return f"not valid TOML: {error}", EXIT_USAGE
    kind = "imgroup error" if isinstance(error, ImgroupError) else "unexpected error"
    return f"{kind} {type(error).__name__}: {error} (a bug: imgroup --debug shows where; please report it)", EXIT_FAILED


def _vendor_failure(error: ApiError | ApiConnectionError | ResponseFormatError | ValidationError) -> str:
    vendor = vendor_of(error)
    if isinstance(error, ValidationError):
        return f"{error.field} {error.problem}"
    if isinstance(error, ApiTimeoutError):
        return f"no answer in time ({error.reason}) — try again later, or allow more time (--timeout)"
    if isinstance(error, ApiConnectionError):
        if error.refused:
            return f"no answer ({error.reason}) — nothing listens there: check {_base_url(vendor)}"
        return f"no answer ({error.reason}) — try again later"
    if isinstance(error, ResponseFormatError):
        advice = "try again later" if error.retryable else f"not the vendor's answer: check {_base_url(vendor)}"
        return f"HTTP {error.http_status}: {error.problem}{_request_id(error.request_id)} — {advice}"
    text = f"[{error.code}] {error.message}{_request_id(error.request_id)}"
    if error.info is None:
        return f"{text} (HTTP {error.http_status}) — not in the catalogue: imgroup errors list {vendor}"
    advice = error.info.action
    if isinstance(error, UnauthenticatedError):
        advice = f"{advice.rstrip('.')}; check {_credentials(vendor)}"
    return f"{text} — {advice}"


def _operation_of(command: str, error: ApiError | ApiConnectionError | ResponseFormatError | ValidationError) -> str:
    """``vendor operation: `` unless the command is that operation's own (``imgroup tencent destroy-group``)."""
    vendor, operation = vendor_of(error), error.operation
    if command == f"imgroup {vendor} {operation.replace('_', '-')}":
        return ""
    return f"{vendor} {operation}: "


def vendor_of(error: ImgroupError) -> str:
    """The vendor whose package raised ``error`` (each package's errors have a root of their own)."""
    import imgroup_registry

    for vendor in imgroup_registry.VENDORS:
        if isinstance(error, imgroup_registry.vendor(vendor).errors.root):
            return vendor
    return "imgroup"


def _credentials(vendor: str) -> str:
    """The variables of the vendor's credentials: ``FEISHU_APP_ID and FEISHU_APP_SECRET, or ...``."""
    import imgroup_registry

    if vendor not in imgroup_registry.VENDORS:
        return "the credentials"
    groups = imgroup_registry.vendor(vendor).required
    return ", or ".join(" and ".join(_variable(vendor, name) for name in group) for group in groups)


def _base_url(vendor: str) -> str:
    return f"the base URL ({_variable(vendor, 'base_url')}, --base-url)"


def _variable(vendor: str, name: str) -> str:
    """The environment variable of a vendor's setting (the setting's own name for a vendor it does not know)."""
    from imgroup.settings import FIELDS

    return next((field.variable for field in FIELDS.get(vendor, ()) if field.name == name), name)


def _request_id(request_id: str | None) -> str:
    return f" (request id {request_id})" if request_id else ""


def _one_line(text: str) -> str:
    # A vendor's message may hold line breaks; the line must stay one.
    return " ".join(text.split())


def _scrubber(ctx: click.Context) -> Scrubber:
    return Scrubber([*ctx.meta.get(_SECRETS, ()), *_configured_secrets()])


def _configured_secrets() -> list[str]:
    """The secrets the environment and the config file's default profile hold, for every vendor that has some."""
    from imgroup_registry import VENDORS

    from imgroup.settings import load_settings

    from ._scrub import secrets_of

    found: list[str] = []
    for vendor in VENDORS:
        try:
            loaded = load_settings(vendor)
        except Exception:  # noqa: BLE001 - settings that do not load hold no secret to hide
            loaded = None
        if loaded is not None:
            found += secrets_of(loaded)
    return found
