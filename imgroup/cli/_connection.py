"""The options every vendor command shares: credentials, profile, base URL, timeouts and ``--json``.

Their values go to :func:`imgroup.settings.load_settings`, which also reads the environment and the config
file, so a command line option wins over ``FEISHU_APP_ID`` which wins over the config file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import click

from imgroup import settings
from imgroup.runtime.registry import SettingField

from ._boundary import remember_secrets
from ._scrub import secrets_of

# Option names a command's own parameters must not reuse.
SHARED = ("base_url", "profile", "config", "timeout", "max_retries", "as_json")


@attrs.frozen
class Connection:
    """The shared options of one invocation, split from the operation's own arguments."""

    credentials: Mapping[str, object]
    base_url: str | None
    profile: str | None
    config: Path | None
    timeout: float | None
    max_retries: int | None
    as_json: bool

    @classmethod
    def pop_from(cls, vendor: str, values: dict[str, Any]) -> Connection:
        """Take the shared options out of a command's parameter values, leaving the operation's own."""
        names = [field.name for field in settings.FIELDS[vendor] if field.name != "base_url"]
        return cls(
            credentials={name: values.pop(name) for name in names},
            base_url=values.pop("base_url"),
            profile=values.pop("profile"),
            config=values.pop("config"),
            timeout=values.pop("timeout"),
            max_retries=values.pop("max_retries"),
            as_json=values.pop("as_json"),
        )

    def load(self, vendor: str) -> settings.VendorSettings:
        """The vendor's settings; a missing or malformed one raises SettingsError (a usage error: exit 2)."""
        loaded = settings.load_settings(
            vendor, profile=self.profile, config_path=self.config, base_url=self.base_url, options=self.credentials
        )
        remember_secrets(secrets_of(loaded))
        return loaded

    def client_options(self) -> settings.SyncClientOptions:
        """The per-call options given (a client keeps its own default for one left out)."""
        options: settings.SyncClientOptions = {}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.max_retries is not None:
            options["max_retries"] = self.max_retries
        return options


def options(vendor: str) -> list[click.Parameter]:
    """The shared options for ``vendor``'s commands, credentials first."""
    params: list[click.Parameter] = [_credential_option(vendor, field) for field in settings.FIELDS[vendor]]
    params += [
        click.Option(
            ["--profile"],
            metavar="NAME",
            help=f"Profile of the config file to read (default: ${settings.PROFILE_VARIABLE}, then 'default').",
        ),
        click.Option(
            ["--config"],
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"Config file (default: ${settings.CONFIG_PATH_VARIABLE}, then {settings.DEFAULT_CONFIG_PATH}).",
        ),
        click.Option(["--timeout"], type=click.FloatRange(min=0, min_open=True), help="Seconds to wait per attempt."),
        click.Option(["--max-retries"], type=click.IntRange(min=0), help="Retries on errors worth another try."),
        click.Option(["--json", "as_json"], is_flag=True, help="Print the outcome as JSON on stdout."),
    ]
    return params


def _credential_option(vendor: str, field: SettingField) -> click.Option:
    flag = "--" + field.name.replace("_", "-")
    if field.name == "base_url":
        text = f"Send calls here, e.g. the emulator's http://127.0.0.1:8765 (default: ${field.variable})."
    else:
        text = f"{field.name} (default: ${field.variable}, then the config file)."
    if field.secret:
        text += " Prefer the environment: other users can read a command line."
    choices = list(field.choices)
    return click.Option(
        [flag, field.name],
        type=click.Choice(choices) if choices else (click.INT if field.integer else click.STRING),
        metavar=None if choices else field.name.upper(),
        help=text,
        show_default=False,
        show_envvar=False,
    )
