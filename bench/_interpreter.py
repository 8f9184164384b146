"""The environment of the fresh interpreters the benchmarks start: with bytecode caching, as users have it.

pip compiles installed packages to bytecode, so a user's import reads ``.pyc`` files. A checkout run with
``PYTHONDONTWRITEBYTECODE=1`` compiles every module of ``generated/`` from source on every import, while
httpx and lark-oapi still read their installed bytecode: an unfair start. Children therefore write bytecode as
Python does by default (into the ``__pycache__`` folders beside the sources, which git ignores), and each timed
import is preceded by an untimed one that writes it.

Not a cache folder of their own (``PYTHONPYCACHEPREFIX``): it hides the installed packages' bytecode too, so on a
fresh machine the first child would compile all of lark-oapi again (about 20 s of CPU here).
"""

from __future__ import annotations

import os


def child_environment() -> dict[str, str]:
    """This process's environment, letting the child write and read bytecode."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
