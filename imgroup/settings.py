"""Where a vendor's credentials and base URL come from, and the client they make.

    settings = load_settings("feishu", base_url="http://127.0.0.1:8080")
    with make_client(settings) as client:
        client.disband_chat("oc_abc")

Each setting is taken from the first layer that has it: explicit ``options`` (the command line), then the
environment (``FEISHU_APP_ID`` ...), then a profile of the config file (``~/.config/imgroup/config.toml``,
or the file ``IMGROUP_CONFIG`` names), whose tables are ``[profile.vendor]``::

    [default.feishu]
    app_id = "cli_a1b2c3"
    app_secret = "..."
    base_url = "http://127.0.0.1:8080"

    [staging.tencent]
    sdkappid = 1400000000
    secret_key = "..."

The profile is ``profile`` if given, else ``IMGROUP_PROFILE``, else ``default``. The command line and the bulk
runner both read settings here, so one config file serves both. Secrets never appear in a repr or an error.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict, overload

import attrs
import imgroup_registry

from imgroup.runtime.registry import SettingField

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Unpack

    from imgroup.runtime import AsyncClient, RateLimitOption, SyncClient

VENDORS = imgroup_registry.VENDORS

DEFAULT_PROFILE = "default"
DEFAULT_CONFIG_PATH = Path("~/.config/imgroup/config.toml")
CONFIG_PATH_VARIABLE = "IMGROUP_CONFIG"
PROFILE_VARIABLE = "IMGROUP_PROFILE"


class SettingsError(Exception):
    """The settings are missing, conflicting or malformed; the message says what to set (never a secret's value)."""


class _FieldsByVendor(Mapping[str, tuple[SettingField, ...]]):
    """Each vendor's settings from its registry entry, read when the vendor is asked for (it imports the package)."""

    def __getitem__(self, vendor: str) -> tuple[SettingField, ...]:
        if vendor not in VENDORS:
            raise KeyError(vendor)
        return imgroup_registry.vendor(vendor).settings

    def __iter__(self) -> Iterator[str]:
        return iter(VENDORS)

    def __len__(self) -> int:
        return len(VENDORS)


# Each vendor's settings, in order (base_url last), each a keyword of its client's constructor under its own name.
FIELDS: Mapping[str, tuple[SettingField, ...]] = _FieldsByVendor()

# Layers, highest precedence first; the index is the rank.
_OPTIONS, _ENVIRONMENT, _CONFIG = 0, 1, 2


@attrs.frozen
class VendorSettings:
    """Everything needed to build one vendor's client: ``base_url`` (None: the public host) and the credentials."""

    vendor: str
    base_url: str | None
    credentials: Mapping[str, str | int] = attrs.field(repr=False)


@attrs.frozen
class _Value:
    value: object
    rank: int
    origin: str  # where it came from, for messages: "--app-id", "FEISHU_APP_ID", "[default.feishu] in ..."


class ClientOptions(TypedDict, total=False):
    """What ``make_client`` passes through to a client's constructor."""

    timeout: float
    max_retries: int
    rate_limit: RateLimitOption


class SyncClientOptions(ClientOptions, total=False):
    """What ``make_client`` passes through to a sync client's constructor."""

    transport: httpx.BaseTransport | None


class AsyncClientOptions(ClientOptions, total=False):
    """What ``make_client`` passes through to an async client's constructor."""

    transport: httpx.AsyncBaseTransport | None


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The config file read when none is named: ``IMGROUP_CONFIG`` if set, else ``~/.config/imgroup/config.toml``."""
    environ = os.environ if environ is None else environ
    named = environ.get(CONFIG_PATH_VARIABLE)
    return Path(named).expanduser() if named else DEFAULT_CONFIG_PATH.expanduser()


def load_settings(
    vendor: str,
    *,
    profile: str | None = None,
    config_path: Path | None = None,
    base_url: str | None = None,
    options: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> VendorSettings:
    """Resolve ``vendor``'s settings: ``options`` (and ``base_url``) > environment > config file profile.

    ``options`` uses the field names (``app_id``, ``secret_key``, ...); None values count as unset.
    Raises SettingsError naming what to set when credentials are missing. The fields are those of the vendor's
    registry entry, so this imports the vendor's package (importing this module does not).
    """
    if vendor not in VENDORS:
        raise SettingsError(f"unknown vendor {vendor!r}: choose one of {', '.join(VENDORS)}")
    entry = imgroup_registry.vendor(vendor)
    environ = os.environ if environ is None else environ
    fields = {field.name: field for field in entry.settings}
    chosen_profile = profile or environ.get(PROFILE_VARIABLE) or DEFAULT_PROFILE
    table, table_origin = _config_table(vendor, chosen_profile, config_path, environ, explicit=profile is not None)

    values: dict[str, _Value] = {}
    for name, raw in table.items():
        if name not in fields:
            raise SettingsError(f"unknown key {name!r} in {table_origin}; known keys: {', '.join(fields)}")
        values[name] = _Value(raw, _CONFIG, table_origin)
    for field in fields.values():
        if environ.get(field.variable):
            values[field.name] = _Value(environ[field.variable], _ENVIRONMENT, field.variable)
    explicit = dict(options or {})
    if base_url is not None:
        explicit["base_url"] = base_url
    for name, raw in explicit.items():
        if name not in fields:
            raise SettingsError(f"unknown {vendor} setting {name!r}; known settings: {', '.join(fields)}")
        if raw is not None:
            values[name] = _Value(raw, _OPTIONS, "--" + name.replace("_", "-"))

    _drop_overridden_alternatives(values, entry.alternatives)
    _require(vendor, values, fields, entry.required, chosen_profile)
    resolved = {name: _convert(fields[name], found) for name, found in values.items()}
    url = resolved.pop("base_url", None)
    return VendorSettings(vendor=vendor, base_url=None if url is None else str(url), credentials=resolved)


@overload
def make_client(
    settings: VendorSettings, *, asynchronous: Literal[False] = False, **client_options: Unpack[SyncClientOptions]
) -> SyncClient: ...


@overload
def make_client(
    settings: VendorSettings, *, asynchronous: Literal[True], **client_options: Unpack[AsyncClientOptions]
) -> AsyncClient: ...


@overload
def make_client(
    settings: VendorSettings, *, asynchronous: bool, **client_options: Unpack[ClientOptions]
) -> SyncClient | AsyncClient: ...


def make_client(
    settings: VendorSettings, *, asynchronous: bool = False, **client_options: object
) -> SyncClient | AsyncClient:
    """The vendor's client for ``settings`` (its async client if ``asynchronous``); ``client_options`` pass through."""
    entry = imgroup_registry.vendor(settings.vendor)
    # The constructors' keywords are the settings' names, so what is passed is known only from the data.
    construct: Callable[..., SyncClient | AsyncClient] = entry.async_client if asynchronous else entry.client
    return construct(base_url=settings.base_url, **settings.credentials, **client_options)


def _config_table(
    vendor: str, profile: str, path: Path | None, environ: Mapping[str, str], *, explicit: bool
) -> tuple[Mapping[str, object], str]:
    named = path is not None or bool(environ.get(CONFIG_PATH_VARIABLE))
    path = path if path is not None else config_path(environ)
    origin = f"[{profile}.{vendor}] in {path}"
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        if named:
            raise SettingsError(f"config file {path} does not exist") from None
        if explicit or profile != DEFAULT_PROFILE:
            raise SettingsError(f"profile {profile!r} asked for, but there is no config file at {path}") from None
        return {}, origin
    except tomllib.TOMLDecodeError as error:
        # The decoder's message names a line and column, never the file's text.
        raise SettingsError(f"config file {path} is not valid TOML: {error}") from None
    except OSError as error:
        raise SettingsError(f"cannot read config file {path}: {error.strerror}") from None

    profile_table = document.get(profile)
    if profile_table is None:
        if profile != DEFAULT_PROFILE:
            known = ", ".join(sorted(document)) or "none"
            raise SettingsError(f"profile {profile!r} is not in {path} (profiles there: {known})")
        return {}, origin
    if not isinstance(profile_table, dict):
        raise SettingsError(f"{profile!r} in {path} must be a table of vendor tables, like [{profile}.{vendor}]")
    table = profile_table.get(vendor, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{profile}.{vendor} in {path} must be a table, like [{profile}.{vendor}]")
    return table, origin


def _drop_overridden_alternatives(values: dict[str, _Value], groups: tuple[tuple[str, ...], ...]) -> None:
    """Keep the group of settings that exclude each other set in the highest layer, and drop the others.

    So a user token on the command line overrides app credentials in the config file instead of clashing with
    them. (A base URL and a region are both kept: the client sends to the base URL, wherever each was set.)
    """
    present = [
        (min(values[name].rank for name in group if name in values), group)
        for group in groups
        if any(name in values for name in group)
    ]
    if len(present) < 2:
        return
    best = min(rank for rank, _ in present)
    for rank, group in present:
        if rank > best:
            for name in group:
                values.pop(name, None)


def _require(
    vendor: str,
    values: Mapping[str, _Value],
    fields: Mapping[str, SettingField],
    required: tuple[tuple[str, ...], ...],
    profile: str,
) -> None:
    if any(all(name in values for name in needed) for needed in required):
        return
    # Name the variables of the nearest complete set: the one with the smallest share missing (first on a tie).
    needed = min(required, key=lambda group: sum(name not in values for name in group) / len(group))
    missing = [fields[name] for name in needed if name not in values]
    variables = " and ".join(field.variable for field in missing)
    keys = ", ".join(field.name for field in missing)
    others = [" and ".join(fields[name].variable for name in group) for group in required if group is not needed]
    alternative = f" (or {' / '.join(others)})" if others else ""
    raise SettingsError(
        f"{vendor} credentials are missing: set {variables}{alternative}, pass them as options, "
        f"or add {keys} to [{profile}.{vendor}] in the config file"
    )


def _convert(field: SettingField, found: _Value) -> str | int:
    value = found.value
    if field.integer:
        if isinstance(value, bool):
            raise SettingsError(f"{field.name} (from {found.origin}) must be a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        raise SettingsError(f"{field.name} (from {found.origin}) must be a whole number")
    if not isinstance(value, str) or not value:
        # A secret's value is never shown, even a malformed one.
        raise SettingsError(f"{field.name} (from {found.origin}) must be a non-empty string")
    return value
