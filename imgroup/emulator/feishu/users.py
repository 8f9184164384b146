"""Feishu contact users: get_user, which says who a person is and whether they have left.

The app sees the users of its own tenant (its contact scope is the whole tenant); a user of another tenant is
outside it (41050), an id that names no user is invalid (41012). A resigned user is answered, resigned. The
call needs one of the contact-reading scopes (99991672 without), and each answer field comes only with the
field scope the page names for it, so an app holding only the base scope learns the ids, not the status.
"""

from __future__ import annotations

from typing import Any

from .._pipeline import Emulator, Operation, Result, VendorRequest, path_target
from .._state import FeishuApp, FeishuUser

USER_ID_TYPES = frozenset({"open_id", "union_id", "user_id"})
DEPARTMENT_ID_TYPES = frozenset({"open_department_id", "department_id"})
# Any one of these lets an app call get_user (the page's 权限要求).
CONTACT_READ_SCOPES = (
    "contact:contact.base:readonly",
    "contact:contact:access_as_app",
    "contact:contact:readonly",
    "contact:contact:readonly_as_app",
)
# The contact-wide scopes also grant every field scope.
CONTACT_WIDE_SCOPES = CONTACT_READ_SCOPES[1:]
PROFILE_SCOPES = ("contact:user.base:readonly", *CONTACT_WIDE_SCOPES)  # name, avatar
STATUS_SCOPES = ("contact:user.employee:readonly", *CONTACT_WIDE_SCOPES)
USER_ID_SCOPE = "contact:user.employee_id:readonly"
INVALID_PARAMETER = 40001
NO_SUCH_USER = 41012
OUTSIDE_CONTACT_SCOPE = 41050
MISSING_SCOPE = 99991672


def get_user(emulator: Emulator, request: VendorRequest) -> Result:
    """The user the path names, by the kind of id user_id_type says, with the fields the app's scopes allow."""
    app = emulator.state.feishu_caller(request.app)
    assert app is not None  # the dialect let the call through
    if not _any_scope(app, CONTACT_READ_SCOPES):
        return Result(MISSING_SCOPE)
    id_type = request.query.get("user_id_type", "open_id")
    if id_type not in USER_ID_TYPES or request.query.get("department_id_type", "open_department_id") not in (
        DEPARTMENT_ID_TYPES
    ):
        return Result(INVALID_PARAMETER)
    user = _find(emulator, id_type, request.path["user_id"])
    if user is None:
        return Result(NO_SUCH_USER)
    if user.tenant != app.tenant:
        return Result(OUTSIDE_CONTACT_SCOPE)
    return Result(0, {"user": _user_fields(app, user)})


def _any_scope(app: FeishuApp, scopes: tuple[str, ...]) -> bool:
    return any(app.has_scope(scope) for scope in scopes)


def _find(emulator: Emulator, id_type: str, user_id: str) -> FeishuUser | None:
    users = emulator.state.feishu_users
    if id_type == "open_id":
        return users.get(user_id)
    # Seeded users carry a union_id or user_id only when the seed gives one; an empty one names nobody.
    return next((user for user in users.values() if user_id and getattr(user, id_type) == user_id), None)


def _user_fields(app: FeishuApp, user: FeishuUser) -> dict[str, Any]:
    fields: dict[str, Any] = {"open_id": user.open_id}
    if user.union_id:
        fields["union_id"] = user.union_id
    if user.user_id and app.has_scope(USER_ID_SCOPE):
        fields["user_id"] = user.user_id
    if _any_scope(app, PROFILE_SCOPES):
        fields["name"] = user.name
    if _any_scope(app, STATUS_SCOPES):
        fields["status"] = {
            "is_frozen": False,
            "is_resigned": user.resigned,
            "is_activated": not user.resigned,
            "is_exited": False,
            "is_unjoin": False,
        }
    return fields


OPERATIONS = (Operation("GET", "/open-apis/contact/v3/users/{user_id}", "get_user", get_user, path_target("user_id")),)
