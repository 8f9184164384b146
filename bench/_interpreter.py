"""The environment of the fresh interpreters the benchmarks start: with bytecode caching, as users have it.

pip compiles installed packages to bytecode, so a user's import reads ``.pyc`` files. A checkout run with
``PYTHONDONTWRITEBYTECODE=1`` compiles every module of ``generated/`` from source on every import, while
httpx and lark-oapi still read their installed bytecode: an unfair start. Children therefore write and read
bytecode under one cache folder outside the tree (``PYTHONPYCACHEPREFIX``) for every module alike, and each
timed import is preceded by an untimed one that fills the cache.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PYCACHE = Path(tempfile.gettempdir()) / "imgroup-bench-pycache"


def child_environment() -> dict[str, str]:
    """This process's environment, with bytecode written to and read from PYCACHE."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return environment
