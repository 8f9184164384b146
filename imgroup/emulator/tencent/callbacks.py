"""Tencent Cloud Chat's after-callbacks, emulated: what a group change sends, and how it travels.

Each callback is the page's request body (第三方回调 group pages 269/1667, 1668, 1670, 2930, and 1047/60396 for
the owner change), POSTed to the app's callback URL with ``SdkAppid``, ``CallbackCommand``, ``contenttype=json``,
``ClientIP`` (the caller's address) and ``OptPlatform=RESTAPI`` in the query, and, when a callback token is set,
``Sign`` = hex SHA-256(token + ``RequestTime``) and ``RequestTime`` (seconds). ``Operator_Account`` is the app's
administrator, as the pages' examples show for a REST call. Tencent ignores the answer and documents no
redelivery: each callback is sent once.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any
from urllib.parse import urlencode

from .._pushes import Delivery, Endpoint, Notice, OutgoingRequest, PushSettingsError
from .._state import EmulatorState, TencentGroup
from .dialect import VENDOR

OPT_PLATFORM = "RESTAPI"
# The group fields CallbackAfterGroupInfoChanged reports when they change (the other profile fields: none).
INFO_FIELDS = ("Name", "Introduction", "Notification", "FaceUrl")


def _notice(command: str, group: TencentGroup, **fields: Any) -> Notice:
    document = {
        "CallbackCommand": command,
        "GroupId": group.group_id,
        "Type": group.type,
        **fields,
        "EventTime": int(time.time() * 1000),
    }
    return Notice(VENDOR, command, document)


def members(accounts: list[str]) -> list[dict[str, str]]:
    return [{"Member_Account": account} for account in accounts]


def group_created(group: TencentGroup) -> Notice:
    others = [account for account, _ in group.participants() if account != group.owner]
    defined = [{"Key": key, "Value": value} for key, value in sorted(group.app_defined_data.items())]
    return _notice(
        "Group.CallbackAfterCreateGroup",
        group,
        Owner_Account=group.owner,
        Name=group.name,
        MemberList=members(others),
        UserDefinedDataList=defined,
    )


def members_joined(group: TencentGroup, accounts: list[str]) -> Notice:
    return _notice("Group.CallbackAfterNewMemberJoin", group, JoinType="Invited", NewMemberList=members(accounts))


def members_kicked(group: TencentGroup, accounts: list[str]) -> Notice:
    return _notice("Group.CallbackAfterMemberExit", group, ExitType="Kicked", ExitMemberList=members(accounts))


def group_destroyed(group: TencentGroup) -> Notice:
    fields: dict[str, Any] = {"Owner_Account": group.owner, "Name": group.name}
    if group.type != "Community":  # the page: a Community's members are not listed
        fields["MemberList"] = members([account for account, _ in group.participants()])
    return _notice("Group.CallbackAfterGroupDestroyed", group, **fields)


def info_changed(group: TencentGroup, changes: dict[str, Any]) -> Notice | None:
    reported = {key: changes[key] for key in INFO_FIELDS if key in changes}
    return _notice("Group.CallbackAfterGroupInfoChanged", group, **reported) if reported else None


def owner_changed(group: TencentGroup, old_owner: str) -> Notice:
    return _notice(
        "Group.CallbackAfterChangeGroupOwner", group, OldOwner_Account=old_owner, NewOwner_Account=group.owner
    )


class TencentPushTransport:
    vendor = VENDOR
    redelivery_delays_s: tuple[float, ...] = ()

    def endpoint(self, app: str, document: Any) -> Endpoint:
        if not app.isdigit():
            raise PushSettingsError(f"tencent.{app}: apps are named by their SdkAppid (digits)")
        if not isinstance(document, dict) or not isinstance(document.get("url"), str):
            raise PushSettingsError(f"tencent.{app}.url: the callback URL")
        token = document.get("token", "")
        if not isinstance(token, str):
            raise PushSettingsError(f"tencent.{app}.token: the callback token, or absent (no Sign)")
        return Endpoint(document["url"], token)

    def complete(self, notice: Notice, caller: str, state: Any) -> tuple[str, str | None, dict[str, Any]]:
        assert isinstance(state, EmulatorState)
        app = state.tencent_apps.get(int(str(notice.app)))
        operator = app.admin if app is not None else ""
        document = dict(notice.document)
        # Operator_Account follows Type in the pages' examples.
        ordered = {key: document.pop(key) for key in ("CallbackCommand", "GroupId", "Type")}
        return str(notice.app), None, {**ordered, "Operator_Account": operator, **document}

    def request(self, delivery: Delivery, endpoint: Endpoint) -> OutgoingRequest:
        query = {
            "SdkAppid": delivery.app,
            "CallbackCommand": delivery.kind,
            "contenttype": "json",
            "ClientIP": delivery.client_ip,
            "OptPlatform": OPT_PLATFORM,
        }
        if endpoint.token:
            request_time = str(int(time.time()))
            query |= {"Sign": sign(endpoint.token, request_time), "RequestTime": request_time}
        separator = "&" if "?" in endpoint.url else "?"
        body = json.dumps(delivery.document, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return OutgoingRequest(endpoint.url + separator + urlencode(query), headers, body)

    def succeeded(self, status: int) -> bool:
        return status == 200


def sign(token: str, request_time: str) -> str:
    return hashlib.sha256((token + request_time).encode()).hexdigest()


PUSH_TRANSPORT = TencentPushTransport()
