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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

VENDORS = ("feishu", "tencent", "yunxin")

DEFAULT_PROFILE = "default"
DEFAULT_CONFIG_PATH = Path("~/.config/imgroup/config.toml")
CONFIG_PATH_VARIABLE = "IMGROUP_CONFIG"
PROFILE_VARIABLE = "IMGROUP_PROFILE"


class SettingsError(Exception):
    """The settings are missing, conflicting or malformed; the message says what to set (never a secret's value)."""


@attrs.frozen
class Field:
    """One setting: its name in options and the config file, its environment variable, and whether it is secret."""

    name: str
    variable: str
    secret: bool = False
    integer: bool = False


# Every field but base_url is passed to the vendor's client constructor under its own name.
FIELDS: Mapping[str, tuple[Field, ...]] = {
    "feishu": (
        Field("app_id", "FEISHU_APP_ID"),
        Field("app_secret", "FEISHU_APP_SECRET", secret=True),
        Field("user_access_token", "FEISHU_USER_ACCESS_TOKEN", secret=True),
        Field("base_url", "FEISHU_BASE_URL"),
    ),
    "tencent": (
        Field("sdkappid", "TENCENT_IM_SDKAPPID", integer=True),
        Field("secret_key", "TENCENT_IM_SECRET_KEY", secret=True),
        Field("identifier", "TENCENT_IM_IDENTIFIER"),
        Field("region", "TENCENT_IM_REGION"),
        Field("base_url", "TENCENT_IM_BASE_URL"),
    ),
    "yunxin": (
        Field("app_key", "YUNXIN_APP_KEY"),
        Field("app_secret", "YUNXIN_APP_SECRET", secret=True),
        Field("base_url", "YUNXIN_BASE_URL"),
    ),
}

# Groups of fields that exclude each other: the group set in the highest layer is used and the others are
# dropped, so a user token on the command line overrides app credentials in the config file (and a base URL
# in the environment overrides a region in the config file) instead of clashing with them.
ALTERNATIVES: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "feishu": (("user_access_token",), ("app_id", "app_secret")),
    "tencent": (("base_url",), ("region",)),
    "yunxin": (),
}

# What must be present once alternatives are settled: any one of these sets.
REQUIRED: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "feishu": (("app_id", "app_secret"), ("user_access_token",)),
    "tencent": (("sdkappid", "secret_key"),),
    "yunxin": (("app_key", "app_secret"),),
}

# vendor -> (generated package, client class); the async twin is "Async" + the class name.
CLIENTS: Mapping[str, tuple[str, str]] = {
    "feishu": ("feishu_im", "FeishuClient"),
    "tencent": ("tencent_im", "TencentIMClient"),
    "yunxin": ("yunxin_im", "YunxinClient"),
}

# Layers, highest precedence first; the index is the rank.
_OPTIONS, _ENVIRONMENT, _CONFIG = 0, 1, 2


@attrs.frozen
class VendorSettings:
    """Everything needed to build one vendor's client: ``base_url`` (None: the public host) and the credentials."""

    vendor: str
    base_url: str | None
    credentials: Mapping[str, Any] = attrs.field(repr=False)


@attrs.frozen
class _Value:
    value: Any
    rank: int
    origin: str  # where it came from, for messages: "--app-id", "FEISHU_APP_ID", "[default.feishu] in ..."


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
    options: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> VendorSettings:
    """Resolve ``vendor``'s settings: ``options`` (and ``base_url``) > environment > config file profile.

    ``options`` uses the field names (``app_id``, ``secret_key``, ...); None values count as unset.
    Raises SettingsError naming what to set when credentials are missing.
    """
    if vendor not in FIELDS:
        raise SettingsError(f"unknown vendor {vendor!r}: choose one of {', '.join(VENDORS)}")
    environ = os.environ if environ is None else environ
    fields = {field.name: field for field in FIELDS[vendor]}
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

    _drop_overridden_alternatives(values, ALTERNATIVES[vendor])
    _require(vendor, values, fields, chosen_profile)
    resolved = {name: _convert(fields[name], found) for name, found in values.items()}
    url = resolved.pop("base_url", None)
    return VendorSettings(vendor=vendor, base_url=url, credentials=resolved)


def make_client(settings: VendorSettings, *, asynchronous: bool = False, **client_options: Any) -> Any:
    """The vendor's client for ``settings`` (``Async...`` if ``asynchronous``); ``client_options`` pass through.

    Imports the vendor's package only now, so loading settings stays cheap.
    """
    import importlib

    package, name = CLIENTS[settings.vendor]
    client_class = getattr(importlib.import_module(package), ("Async" if asynchronous else "") + name)
    return client_class(base_url=settings.base_url, **settings.credentials, **client_options)


def _config_table(
    vendor: str, profile: str, path: Path | None, environ: Mapping[str, str], *, explicit: bool
) -> tuple[Mapping[str, Any], str]:
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


def _require(vendor: str, values: Mapping[str, _Value], fields: Mapping[str, Field], profile: str) -> None:
    if any(all(name in values for name in needed) for needed in REQUIRED[vendor]):
        return
    # Name the variables of the nearest complete set: the one with the smallest share missing (first on a tie).
    needed = min(REQUIRED[vendor], key=lambda group: sum(name not in values for name in group) / len(group))
    missing = [fields[name] for name in needed if name not in values]
    variables = " and ".join(field.variable for field in missing)
    keys = ", ".join(field.name for field in missing)
    others = [
        " and ".join(fields[name].variable for name in group) for group in REQUIRED[vendor] if group is not needed
    ]
    alternative = f" (or {' / '.join(others)})" if others else ""
    raise SettingsError(
        f"{vendor} credentials are missing: set {variables}{alternative}, pass them as options, "
        f"or add {keys} to [{profile}.{vendor}] in the config file"
    )


def _convert(field: Field, found: _Value) -> Any:
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
