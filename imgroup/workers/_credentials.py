"""A partition's credentials, found on the worker: secrets never go into the queue.

The worker's own settings (``--profile``, the environment, the config file's default profile) serve the
partitions of their app; a partition of another app takes the first profile of the config file whose table for
the vendor names that app (``[acme.feishu] app_id = "cli_acme"``).
"""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING

from imgroup.groups import adapter_for
from imgroup.settings import SettingsError, config_path, load_settings

from ._partition import Partition

if TYPE_CHECKING:
    from imgroup.settings import VendorSettings


def settings_for(partition: Partition, *, profile: str | None, base_url: str | None) -> VendorSettings:
    """The settings whose app is the partition's; SettingsError naming the app when no profile has it."""
    adapter = adapter_for(partition.vendor)

    def app_of(settings: VendorSettings) -> str:
        app = adapter.app_of(settings.credentials)
        return "" if app is None else str(app)

    try:
        own = load_settings(partition.vendor, profile=profile, base_url=base_url)
    except SettingsError:
        own = None
    if own is not None and (not partition.app or app_of(own) == partition.app):
        return own
    for name in _profiles_with(partition.vendor):
        candidate = load_settings(partition.vendor, profile=name, base_url=base_url)
        if app_of(candidate) == partition.app:
            return candidate
    raise SettingsError(
        f"no credentials for {partition.vendor} app {partition.app} on this worker: give them in a profile of "
        f"{config_path()} ([NAME.{partition.vendor}]) or as the worker's --profile"
    )


def _profiles_with(vendor: str) -> list[str]:
    """The config file's profiles that have a table for ``vendor``, in file order."""
    try:
        document = tomllib.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    return [name for name, table in document.items() if isinstance(table, dict) and isinstance(table.get(vendor), dict)]
