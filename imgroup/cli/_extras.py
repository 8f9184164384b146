"""Optional parts of imgroup (``pip install 'imgroup[emulator]'``): a command that needs a missing one says so.

Without this, a plain ``pip install imgroup`` followed by ``imgroup emulator`` ends in a traceback about
uvicorn. The modules of each extra are imported here, before the command starts, so that the only thing a
user sees is one line naming the extra to install.
"""

from __future__ import annotations

import importlib

import click

# The import names of each extra's distributions in pyproject.toml (a test keeps the two in step).
EXTRAS = {
    "emulator": ("starlette", "uvicorn", "cryptography"),
    "events": ("starlette", "uvicorn", "cryptography"),
    "workers": ("procrastinate", "psycopg"),
}
MISSING_EXTRA_EXIT = 2


class MissingExtraError(click.ClickException):
    """A command needs an extra that is not installed; click prints one ``Error:`` line and exits 2."""

    exit_code = MISSING_EXTRA_EXIT


def require(extra: str, command: str) -> None:
    """Import the modules of ``extra``; raise MissingExtraError naming the extra when one is missing."""
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            raise MissingExtraError(
                f"{command} needs the {extra} extra (no module named {error.name!r}): pip install 'imgroup[{extra}]'"
            ) from None
