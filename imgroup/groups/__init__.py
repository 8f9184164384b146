"""Groups on any vendor, named by reference, with the actions offboarding and sweeps need.

    from imgroup.groups import Groups
    with Groups.from_settings("yunxin") as groups:
        for membership in groups.memberships("yunxin:acc_1"):
            print(membership.group.ref, membership.role)

Hand-written, on top of the three generated facades: one adapter per vendor (``_feishu``, ``_tencent``,
``_yunxin``) holds what is peculiar to it, written once for sync and async clients as flows (``_flow``).
"""

from ._adapter import Adapter
from ._client import AsyncGroups, Groups, adapter_for
from ._records import ActionResult, Group, Happened, Membership, Presence, Role, Roster, Survey, UserLookup
from ._refs import VENDORS, GroupRef, RefError, UserRef

__all__ = [
    "VENDORS",
    "ActionResult",
    "Adapter",
    "AsyncGroups",
    "Group",
    "GroupRef",
    "Groups",
    "Happened",
    "Membership",
    "Presence",
    "RefError",
    "Role",
    "Roster",
    "Survey",
    "UserLookup",
    "UserRef",
    "adapter_for",
]
