"""Tencent Cloud Chat accounts: account_check, which says whether UserIDs were imported (exist).

The account chapter's pages answer bad input with 70402, not the group chapter's 10004: a body without
CheckItem, an empty one or one of more than 100 items, or an item without a UserID.
"""

from __future__ import annotations

from typing import Any

from .._pipeline import Emulator, Operation, Result
from .arguments import BadBody, checked_with, field

INVALID_PARAMETER = 70402
MAX_CHECKED = 100  # account_check's page: "单次请求最多支持100个账号"


@checked_with(INVALID_PARAMETER)
def account_check(emulator: Emulator, body: dict[str, Any]) -> Result:
    """One result per item, in the order asked: Imported when the emulator knows the UserID, else NotImported."""
    items: list[Any] = field(body, "CheckItem", list, required=True)
    if not 1 <= len(items) <= MAX_CHECKED:
        raise BadBody("CheckItem")
    user_ids = []
    for item in items:
        user_id = item.get("UserID") if isinstance(item, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise BadBody("CheckItem.UserID")
        user_ids.append(user_id)
    known = emulator.state.tencent_accounts
    results = [
        {
            "UserID": user_id,
            "ResultCode": 0,
            "ResultInfo": "",
            "AccountStatus": "Imported" if user_id in known else "NotImported",
        }
        for user_id in user_ids
    ]
    return Result(0, {"ResultItem": results})


OPERATIONS = (Operation("POST", "/v4/im_open_login_svc/account_check", "account_check", account_check, json_body=True),)
