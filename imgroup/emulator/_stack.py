"""The server stack (starlette on uvicorn): the ``emulator`` extra, imported only when a server starts.

A plain ``pip install imgroup`` has neither; starting a server then says which extra to install instead of
ending in a bare ``No module named 'uvicorn'``.
"""

from __future__ import annotations

import importlib

# The ``emulator`` extra's distributions in pyproject.toml and their import names (a test keeps them in step).
SERVER_DISTRIBUTIONS = {"starlette": "starlette", "uvicorn": "uvicorn", "cryptography": "cryptography"}
SERVER_MODULES = tuple(SERVER_DISTRIBUTIONS.values())
INSTALL_EXTRA = "pip install 'imgroup[emulator]'"


def require_server_stack() -> None:
    """Import the server stack; raise ModuleNotFoundError (an ImportError) naming the extra when it is missing."""
    for module in SERVER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                f"the imgroup emulator needs the emulator extra (no module named {error.name!r}): {INSTALL_EXTRA}",
                name=error.name,
            ) from None
