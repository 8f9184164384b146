"""A command's environment pointed at an emulator: its seed's first app of each vendor and its base URL."""

from __future__ import annotations

import os
from pathlib import Path

from imgroup import settings
from imgroup.emulator import EmulatorServer

# What a developer's own shell may set that would reach the command instead of the emulator's apps.
OWN_PREFIXES = ("TENCENT_", "FEISHU_", "YUNXIN_", "IMGROUP_")


def emulator_variables(emulator: EmulatorServer) -> dict[str, str]:
    """Each vendor's settings variables set to the emulator's first app and base URL."""
    variables = {}
    for vendor, fields in settings.FIELDS.items():
        for field in fields:
            value = emulator.base_url if field.name == "base_url" else emulator.credentials[vendor].get(field.name)
            if value is not None:
                variables[field.variable] = str(value)
    return variables


def command_environment(home: Path, emulator: EmulatorServer) -> dict[str, str]:
    """This process's environment without the developer's own settings, ``HOME`` at ``home``, and the emulator's."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith(OWN_PREFIXES)}
    return {**kept, "HOME": str(home), **emulator_variables(emulator)}
