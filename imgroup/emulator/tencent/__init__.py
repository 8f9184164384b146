"""Tencent Cloud Chat (IM) REST API, emulated: its dialect and one module per resource.

``OPERATIONS`` is every Tencent route, in the order they are tried: the catch-all for unknown commands last;
``PUSH_TRANSPORT`` sends its after-callbacks.
"""

from __future__ import annotations

from . import accounts, groups, members
from .callbacks import PUSH_TRANSPORT
from .dialect import DIALECT, UNKNOWN_COMMAND_OPERATION

OPERATIONS = (*groups.OPERATIONS, *members.OPERATIONS, *accounts.OPERATIONS, UNKNOWN_COMMAND_OPERATION)

__all__ = ["DIALECT", "OPERATIONS", "PUSH_TRANSPORT"]
