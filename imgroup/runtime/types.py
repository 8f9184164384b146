"""The marker every generated model uses for a field the answer left out, shared by all vendors.

from imgroup.runtime.types import UNSET, Unset

if not isinstance(chat.owner_id, Unset): ...
"""

from __future__ import annotations

from typing import Literal


class Unset:
    """A field the answer (or the caller) left out; false in a boolean context."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()

__all__ = ["UNSET", "Unset"]
