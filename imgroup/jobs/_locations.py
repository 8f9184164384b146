"""Where a job keeps the journal of an input read from standard input: a per-user state directory.

A file's journal sits beside the file (``groups.txt.journal.sqlite``), where it is found again. Standard input
has no place of its own, so its journals, named by what was read, go to ``$IMGROUP_JOURNAL_DIR``, else
``$XDG_STATE_HOME/imgroup/journals``, else ``~/.local/state/imgroup/journals`` (the XDG base directory
default), rather than piling up in whatever directory the command ran in. Journals that earlier versions left
in the working directory are still found there, so an interrupted job resumes after an upgrade.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ._input import Source

JOURNAL_DIR_VARIABLE = "IMGROUP_JOURNAL_DIR"


def journal_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The directory of standard input's journals (not created here)."""
    environ = os.environ if environ is None else environ
    if chosen := environ.get(JOURNAL_DIR_VARIABLE):
        return Path(chosen).expanduser()
    state = environ.get("XDG_STATE_HOME")
    # The XDG spec says a relative XDG_STATE_HOME is invalid and is to be ignored.
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "imgroup" / "journals"


def stdin_journal_path(source: Source, environ: Mapping[str, str] | None = None) -> Path:
    """``stdin-<first 16 hex digits of the input's SHA-256>.journal.sqlite``: in the working directory when an
    earlier version left it there, else in ``journal_dir()``."""
    name = f"stdin-{source.digest[:16]}.journal.sqlite"
    earlier = Path(name)
    return earlier if earlier.exists() else journal_dir(environ) / name
