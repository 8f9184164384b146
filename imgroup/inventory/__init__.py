"""The local inventory of every group the configured apps can see, kept current by events."""

from __future__ import annotations

from .changes import (
    AnyChange,
    Change,
    GroupCreated,
    GroupDisbanded,
    GroupRenamed,
    MembersJoined,
    MembersLeft,
    OwnerChanged,
)

__all__ = [
    "AnyChange",
    "Change",
    "GroupCreated",
    "GroupDisbanded",
    "GroupRenamed",
    "MembersJoined",
    "MembersLeft",
    "OwnerChanged",
]
