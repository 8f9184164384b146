"""NetEase Yunxin IM server API, emulated: its dialect and one module per resource.

``OPERATIONS`` is every Yunxin route, in the order they are tried.
"""

from __future__ import annotations

from . import managers, members, teams
from .dialect import DIALECT

OPERATIONS = (*teams.OPERATIONS, *members.OPERATIONS, *managers.OPERATIONS)

__all__ = ["DIALECT", "OPERATIONS"]
