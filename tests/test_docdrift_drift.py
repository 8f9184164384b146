"""The checker names exactly the change made to a page: each seed page (the project's own in the seeds' layouts,
and ../shared/seeds where present) and each fixture page is checked clean (seed 004 but for the older route it
documents, KNOWN_DRIFT), then changed in one way at a time and checked again."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from seed_dirs import OWN_SEEDS, SEED_DIRS, SHARED_SEEDS, folder_id, seed_pages

from generator.docdrift.compare import Kind, compare
from generator.docdrift.matcher import match
from generator.docdrift.readers import read_page
from generator.docdrift.spec_model import SpecOperation, load_operations

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
REAL_SPECS = ROOT / "specs"
FIXTURE_SPECS = FIXTURES / "specs"

K = Kind
NEW_ROW, CHANGED_MESSAGE, REMOVED_ROW, NEW_PARAM, CHANGED_PATH = (
    "new row",
    "changed message",
    "removed row",
    "new required parameter",
    "changed path",
)

# The Yunxin page writes "string" followed by a no-break space.
# page file -> (operation it documents, {mutation: ([(old, new), ...], [(kind, subject), ...])})
Cases = dict[str, tuple[str, dict[str, tuple[list[tuple[str, str]], list[tuple[Kind, str]]]]]]

# The vendors' captured pages in ../shared/seeds, by seed number.
SEED_CASES: Cases = {
    "000": (
        "disband_chat",
        {
            NEW_ROW: (
                [("400 | 232010 |", "400 | 232099 | A brand new failure. | 新的错误。\n400 | 232010 |")],
                [(K.CODE_ADDED, "232099")],
            ),
            CHANGED_MESSAGE: (
                [("| Bot ability is not activated. |", "| Bot ability is switched off. |")],
                [(K.CODE_MESSAGE_CHANGED, "232025")],
            ),
            REMOVED_ROW: (
                [
                    (
                        "400 | 232009 | Your request specifies a chat which has already been dissolved. | 群组已被解散，无法操作。\n",
                        "",
                    )
                ],
                [(K.CODE_REMOVED, "232009")],
            ),
            NEW_PARAM: (
                [
                    (
                        "## 响应\n",
                        "### 查询参数\n\n名称 | 类型 | 必填 | 描述\n--- | --- | --- | ---\nuser_id_type | string | 是 | 用户 ID 类型\n\n## 响应\n",
                    )
                ],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("open-apis/im/v1/chats/:chat_id\n", "open-apis/im/v2/chats/:chat_id\n")],
                [(K.PATH_CHANGED, "disband_chat")],
            ),
            "changed status": ([("400 | 232034 |", "403 | 232034 |")], [(K.CODE_STATUS_CHANGED, "232034")]),
            # No "changed method" case here: GET, PUT and DELETE now share this path, so a page whose method
            # changed matches several operations (the matcher then says so instead of guessing).
            "changed rate limit": ([("50 次/秒", "20 次/秒")], [(K.RATE_LIMIT_CHANGED, "disband_chat")]),
        },
    ),
    "001": (
        "destroy_group",
        {
            NEW_ROW: (
                [("Use the correct group ID.\n", "Use the correct group ID.\n10099\nA brand new failure.\n")],
                [(K.CODE_ADDED, "10099")],
            ),
            CHANGED_MESSAGE: (
                [("The group does not exist or has been deleted.", "The group is gone.")],
                [(K.CODE_MESSAGE_CHANGED, "10010")],
            ),
            REMOVED_ROW: ([("10003\nInvalid command word.\n", "")], [(K.CODE_REMOVED, "10003")]),
            NEW_PARAM: (
                [("GroupId\nString\nYes\n", "Reason\nString\nYes\nWhy the group goes\nGroupId\nString\nYes\n")],
                [(K.PARAM_ADDED, "body Reason")],
            ),
            CHANGED_PATH: (
                [("destroy_group?sdkappid", "dismiss_group?sdkappid")],
                [(K.PATH_CHANGED, "destroy_group")],
            ),
            "changed rate limit": (
                [("200 calls per second", "100 calls per second")],
                [(K.RATE_LIMIT_CHANGED, "destroy_group")],
            ),
            "changed type": ([("GroupId\nString\n", "GroupId\nInteger\n")], [(K.PARAM_TYPE_CHANGED, "body GroupId")]),
        },
    ),
    "002": (
        "remove_chat_members",
        {
            NEW_ROW: (
                [("400 | 232076 |", "400 | 232099 | A brand new failure. | 新的错误。 |\n400 | 232076 |")],
                [(K.CODE_ADDED, "232099")],
            ),
            CHANGED_MESSAGE: (
                [("Can't kick chat owner.", "The chat owner cannot be removed.")],
                [(K.CODE_MESSAGE_CHANGED, "232076")],
            ),
            REMOVED_ROW: (
                [("400 | 232029 | There are no available candidates for chat owner. | 没有可用的候选群主。 |\n", "")],
                [(K.CODE_REMOVED, "232029")],
            ),
            NEW_PARAM: (
                [("Query 参数\n", "Query 参数\nuser_id_type\nstring\n必需\n")],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("\n/open-apis/im/v1/chats/{chat_id}/members\n", "\n/open-apis/im/v1/chats/{chat_id}/users\n")],
                [(K.PATH_CHANGED, "remove_chat_members")],
            ),
            "changed required-ness": (
                [("member_id_type\n可选", "member_id_type\n必需")],
                [(K.PARAM_REQUIRED_CHANGED, "query member_id_type")],
            ),
        },
    ),
    "003": (
        "unbind_meeting_chat",
        {
            NEW_ROW: (
                [("400 | 195108 |", "400 | 195199 | a brand new failure | 新的错误。\n400 | 195108 |")],
                [(K.CODE_ADDED, "195199")],
            ),
            CHANGED_MESSAGE: (
                [("| calendar not found |", "| calendar is missing |")],
                [(K.CODE_MESSAGE_CHANGED, "191000")],
            ),
            REMOVED_ROW: (
                [("400 | 193000 | invalid event_id | event_id 无效。你需要检查并改为正确的日程 ID。\n", "")],
                [(K.CODE_REMOVED, "193000")],
            ),
            NEW_PARAM: (
                [("**示例值**：oc_xxx\n", "**示例值**：oc_xxx\nuser_id_type | string | 是 | 用户 ID 类型\n")],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("events/:event_id/meeting_chat\n", "events/:event_id/meeting_group\n")],
                [(K.PATH_CHANGED, "unbind_meeting_chat")],
            ),
            "changed type": (
                [("meeting_chat_id | string |", "meeting_chat_id | int |")],
                [(K.PARAM_TYPE_CHANGED, "query meeting_chat_id")],
            ),
        },
    ),
    "004": (
        "dismiss_team_v2",
        {
            NEW_PARAM: (
                [
                    (
                        "operator_id\nstring\u00a0\n必需\n",
                        "reason\nstring\u00a0\n必需\n解散原因。\noperator_id\nstring\u00a0\n必需\n",
                    )
                ],
                [(K.PARAM_ADDED, "body reason")],
            ),
            CHANGED_PATH: (
                [("\n/im/v2/teams/{team_id}\n", "\n/im/v2/groups/{team_id}\n")],
                [(K.PATH_CHANGED, "dismiss_team_v2")],
            ),
            "removed parameter": ([("extension\nstring\u00a0\n可选\n", "")], [(K.PARAM_REMOVED, "body extension")]),
            "changed required-ness": (
                [("extension\nstring\u00a0\n可选", "extension\nstring\u00a0\n必需")],
                [(K.PARAM_REQUIRED_CHANGED, "body extension")],
            ),
            "changed bounds": ([(">= 1<= 2", ">= 1<= 3")], [(K.PARAM_BOUNDS_CHANGED, "body team_type")]),
            "new header": (
                [("Nonce\nstring\u00a0\n必需\n", "X-Region\nstring\u00a0\n必需\nNonce\nstring\u00a0\n必需\n")],
                [(K.PARAM_ADDED, "header X-Region")],
            ),
        },
    ),
}

FIXTURE_CASES: dict[str, tuple[str, dict[str, tuple[list[tuple[str, str]], list[tuple[Kind, str]]]]]] = {
    "feishu_unbind_meeting_chat.md": (
        "unbind_meeting_chat",
        {
            NEW_ROW: (
                [("404 | 191000 |", "404 | 191099 | calendar moved | It moved.\n404 | 191000 |")],
                [(K.CODE_ADDED, "191099")],
            ),
            CHANGED_MESSAGE: (
                [("| method rate limited |", "| method is rate limited |")],
                [(K.CODE_MESSAGE_CHANGED, "190004")],
            ),
            REMOVED_ROW: (
                [("500 | 190003 | internal service error | Ask support.\n", "")],
                [(K.CODE_REMOVED, "190003")],
            ),
            NEW_PARAM: (
                [
                    (
                        "| The meeting chat to unbind.\n",
                        "| The meeting chat to unbind.\nuser_id_type | string | 是 | ids\n",
                    )
                ],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("/events/:event_id/meeting_chat\n", "/events/:event_id/meeting_group\n")],
                [(K.PATH_CHANGED, "unbind_meeting_chat")],
            ),
            "changed status": ([("403 | 195107 |", "400 | 195107 |")], [(K.CODE_STATUS_CHANGED, "195107")]),
        },
    ),
    "feishu_remove_chat_members.txt": (
        "remove_chat_members",
        {
            NEW_ROW: (
                [("400 | 232076 |", "400 | 232099 | A brand new failure. | New. |\n400 | 232076 |")],
                [(K.CODE_ADDED, "232099")],
            ),
            CHANGED_MESSAGE: (
                [("Can't kick chat owner.", "The owner stays.x")],
                [(K.CODE_MESSAGE_CHANGED, "232076")],
            ),
            REMOVED_ROW: (
                [("400 | 232019 | The request has been rate limited. | Slow down. |\n", "")],
                [(K.CODE_REMOVED, "232019")],
            ),
            NEW_PARAM: (
                [("Query 参数\n", "Query 参数\nuser_id_type\nstring\n必需\n")],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("\n/open-apis/im/v1/chats/{chat_id}/members\n", "\n/open-apis/im/v1/chats/{chat_id}/users\n")],
                [(K.PATH_CHANGED, "remove_chat_members")],
            ),
            "changed type": (
                [("member_id_type\nstring\n", "member_id_type\ninteger\n")],
                [(K.PARAM_TYPE_CHANGED, "query member_id_type")],
            ),
        },
    ),
    "tencent_destroy_group.txt": (
        "destroy_group",
        {
            NEW_ROW: (
                [("Use the correct group ID.\n", "Use the correct group ID.\n10099\nA brand new failure.\n")],
                [(K.CODE_ADDED, "10099")],
            ),
            CHANGED_MESSAGE: (
                [("Internal server error. Try again.", "Internal server error.")],
                [(K.CODE_MESSAGE_CHANGED, "10002")],
            ),
            REMOVED_ROW: (
                [("10015\nInvalid group ID. Use the correct group ID.\n", "")],
                [(K.CODE_REMOVED, "10015")],
            ),
            NEW_PARAM: (
                [("The group to disband\n", "The group to disband\nReason\nString\nYes\nWhy\n")],
                [(K.PARAM_ADDED, "body Reason")],
            ),
            CHANGED_PATH: ([("destroy_group?sdkappid", "dismiss_group?sdkappid")], [(K.PATH_CHANGED, "destroy_group")]),
        },
    ),
    "yunxin_dismiss_team.txt": (
        "dismiss_team",
        {
            NEW_PARAM: (
                [("operator_id\nstring \n必需\n", "reason\nstring \n必需\noperator_id\nstring \n必需\n")],
                [(K.PARAM_ADDED, "body reason")],
            ),
            CHANGED_PATH: (
                [("\n/im/v2/teams/{team_id}\n", "\n/im/v2.1/teams/{team_id}\n")],
                [(K.PATH_CHANGED, "dismiss_team")],
            ),
            "changed bounds": ([(">= 1<= 2", ">= 0<= 2")], [(K.PARAM_BOUNDS_CHANGED, "body team_type")]),
            "removed parameter": (
                [("extension\nstring \n可选\n", "")],
                [(K.PARAM_REMOVED, "body extension")],
            ),
        },
    ),
}


FIXTURE_CASES.update(
    {
        "feishu_disband_chat_en.md": (
            "disband_chat",
            {
                NEW_ROW: (
                    [("400 | 232010 |", "400 | 232099 | A brand new failure. | New.\n400 | 232010 |")],
                    [(K.CODE_ADDED, "232099")],
                ),
                CHANGED_MESSAGE: (
                    [("| Operator can NOT be out of the chat. |", "| Operator must be in the chat. |")],
                    [(K.CODE_MESSAGE_CHANGED, "232011")],
                ),
                REMOVED_ROW: (
                    [
                        (
                            (
                                "400 | 232009 | Your request specifies a chat which has already been dissolved."
                                " | It is gone already.\n"
                            ),
                            "",
                        )
                    ],
                    [(K.CODE_REMOVED, "232009")],
                ),
                NEW_PARAM: (
                    [
                        (
                            "## Response\n",
                            (
                                "### Query parameters\n\nParameter | Type | Required | Description\n---|---|---|---\n"
                                "user_id_type | string | Yes | The id type\n\n## Response\n"
                            ),
                        )
                    ],
                    [(K.PARAM_ADDED, "query user_id_type")],
                ),
                CHANGED_PATH: (
                    [("/chats/:chat_id\n", "/groups/:chat_id\n")],
                    [(K.PATH_CHANGED, "disband_chat")],
                ),
                "changed status": ([("400 | 232011 |", "403 | 232011 |")], [(K.CODE_STATUS_CHANGED, "232011")]),
                "changed rate limit": ([("50 per second", "20 per second")], [(K.RATE_LIMIT_CHANGED, "disband_chat")]),
                "changed method": (
                    [("HTTP Method | DELETE", "HTTP Method | POST")],
                    [(K.METHOD_CHANGED, "disband_chat")],
                ),
            },
        ),
        "tencent_destroy_group_pipes.txt": (
            "destroy_group",
            {
                NEW_ROW: (
                    [
                        (
                            "10015 | Invalid group ID. Use the correct group ID. |\n",
                            "10015 | Invalid group ID. Use the correct group ID. |\n10099 | A brand new failure. |\n",
                        )
                    ],
                    [(K.CODE_ADDED, "10099")],
                ),
                CHANGED_MESSAGE: (
                    [("| Internal server error. Try again. |", "| Internal server error. |")],
                    [(K.CODE_MESSAGE_CHANGED, "10002")],
                ),
                REMOVED_ROW: (
                    [("10010 | The group does not exist or has been deleted. |\n", "")],
                    [(K.CODE_REMOVED, "10010")],
                ),
                NEW_PARAM: (
                    [
                        (
                            "| The group to disband |\n",
                            "| The group to disband |\nReason | String | Yes | Why it goes |\n",
                        )
                    ],
                    [(K.PARAM_ADDED, "body Reason")],
                ),
                CHANGED_PATH: (
                    [("destroy_group?sdkappid", "dismiss_group?sdkappid")],
                    [(K.PATH_CHANGED, "destroy_group")],
                ),
                "changed rate limit": (
                    [("200 calls per second", "100 calls per second")],
                    [(K.RATE_LIMIT_CHANGED, "destroy_group")],
                ),
                "changed required-ness": (
                    [("GroupId | String | Yes |", "GroupId | String | No |")],
                    [(K.PARAM_REQUIRED_CHANGED, "body GroupId")],
                ),
            },
        ),
    }
)

# Yunxin's current server-API pages, checked against the v2.1 operations they document (a spec of their own,
# since the older apifox page above documents dismiss_team under /im/v2/).
YUNXIN_V2_1 = FIXTURES / "yunxin_v2_1"
YUNXIN_V2_1_CASES: dict[str, tuple[str, dict[str, tuple[list[tuple[str, str]], list[tuple[Kind, str]]]]]] = {
    "dismiss_team.txt": (
        "dismiss_team",
        {
            NEW_ROW: (
                [
                    (
                        "109427 Only the team owner can do this.\n",
                        "109427 Only the team owner can do this.\n109432 Only the owner or a manager can.\n",
                    )
                ],
                [(K.CODE_ADDED, "109432")],
            ),
            CHANGED_MESSAGE: (
                [("108404 The team does not exist.", "108404 No such team.")],
                [(K.CODE_MESSAGE_CHANGED, "108404")],
            ),
            REMOVED_ROW: ([("414 The request has a wrong parameter.\n", "")], [(K.CODE_REMOVED, "414")]),
            NEW_PARAM: (
                [("extension String 可选", "reason String 必选 Why the team goes.\nextension String 可选")],
                [(K.PARAM_ADDED, "query reason")],
            ),
            CHANGED_PATH: (
                [("/im/v2.1/teams/:{team_id}", "/im/v2.2/teams/:{team_id}")],
                [(K.PATH_CHANGED, "dismiss_team")],
            ),
            "changed required-ness": (
                [("operator_id String 必选", "operator_id String 可选")],
                [(K.PARAM_REQUIRED_CHANGED, "query operator_id")],
            ),
            "changed type": (
                [("team_type Integer 必选", "team_type String 必选")],
                [(K.PARAM_TYPE_CHANGED, "query team_type")],
            ),
            "moved to the body": (
                [("查询参数\n", "请求体参数\n")],
                [
                    (K.PARAM_ADDED, "body team_type"),
                    (K.PARAM_ADDED, "body operator_id"),
                    (K.PARAM_ADDED, "body extension"),
                    (K.PARAM_REMOVED, "query team_type"),
                    (K.PARAM_REMOVED, "query operator_id"),
                    (K.PARAM_REMOVED, "query extension"),
                ],
            ),
        },
    ),
    "get_team.txt": (
        "get_team",
        {
            NEW_ROW: (
                [
                    (
                        "108404 The team does not exist.\n",
                        "108404 The team does not exist.\n108302 Not an advanced team.\n",
                    )
                ],
                [(K.CODE_ADDED, "108302")],
            ),
            CHANGED_MESSAGE: (
                [("414 The request has a wrong parameter.", "414 A parameter is wrong.")],
                [(K.CODE_MESSAGE_CHANGED, "414")],
            ),
            REMOVED_ROW: ([("108404 The team does not exist.\n", "")], [(K.CODE_REMOVED, "108404")]),
            NEW_PARAM: (
                [
                    (
                        "team_type Integer 必选",
                        "need_members Boolean 必选 Also list the members.\nteam_type Integer 必选",
                    )
                ],
                [(K.PARAM_ADDED, "query need_members")],
            ),
            CHANGED_PATH: (
                [("/im/v2.1/teams/:{team_id}", "/im/v2.1/team/:{team_id}")],
                [(K.PATH_CHANGED, "get_team")],
            ),
            "changed method": ([("GET https://", "POST https://")], [(K.METHOD_CHANGED, "get_team")]),
        },
    ),
}


# The project's own pages in the seeds' layouts (tests/fixtures/seeds), by seed number: the same kinds of change.
OWN_SEED_CASES: Cases = {
    "000": (
        "disband_chat",
        {
            NEW_ROW: (
                [("400 | 232010 |", "400 | 232099 | A brand new failure. | New.\n400 | 232010 |")],
                [(K.CODE_ADDED, "232099")],
            ),
            CHANGED_MESSAGE: (
                [("| Bot ability is not activated. |", "| Bot ability is switched off. |")],
                [(K.CODE_MESSAGE_CHANGED, "232025")],
            ),
            REMOVED_ROW: (
                [
                    (
                        (
                            "400 | 232009 | Your request specifies a chat which has already been dissolved."
                            " | Nothing to do: count the chat as disbanded.\n"
                        ),
                        "",
                    )
                ],
                [(K.CODE_REMOVED, "232009")],
            ),
            NEW_PARAM: (
                [
                    (
                        "## 响应\n",
                        "### 查询参数\n\n名称 | 类型 | 必填 | 描述\n--- | --- | --- | ---\nuser_id_type | string | 是 | ids\n\n## 响应\n",
                    )
                ],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("open-apis/im/v1/chats/:chat_id\n", "open-apis/im/v2/chats/:chat_id\n")],
                [(K.PATH_CHANGED, "disband_chat")],
            ),
            "changed status": ([("400 | 232034 |", "403 | 232034 |")], [(K.CODE_STATUS_CHANGED, "232034")]),
            "changed rate limit": ([("50 次/秒", "20 次/秒")], [(K.RATE_LIMIT_CHANGED, "disband_chat")]),
        },
    ),
    "001": (
        "destroy_group",
        {
            NEW_ROW: (
                [
                    (
                        "Invalid group ID. Use the correct group ID.\n",
                        "Invalid group ID. Use the correct group ID.\n10099\nNew.\n",
                    )
                ],
                [(K.CODE_ADDED, "10099")],
            ),
            CHANGED_MESSAGE: (
                [("The group does not exist or has been deleted.", "The group is gone.")],
                [(K.CODE_MESSAGE_CHANGED, "10010")],
            ),
            REMOVED_ROW: ([("10003\nInvalid command word.\n", "")], [(K.CODE_REMOVED, "10003")]),
            NEW_PARAM: (
                [("GroupId\nString\nYes\n", "Reason\nString\nYes\nWhy the group goes\nGroupId\nString\nYes\n")],
                [(K.PARAM_ADDED, "body Reason")],
            ),
            CHANGED_PATH: ([("destroy_group?sdkappid", "dismiss_group?sdkappid")], [(K.PATH_CHANGED, "destroy_group")]),
            "changed rate limit": (
                [("200 calls per second", "100 calls per second")],
                [(K.RATE_LIMIT_CHANGED, "destroy_group")],
            ),
            "changed type": ([("GroupId\nString\n", "GroupId\nInteger\n")], [(K.PARAM_TYPE_CHANGED, "body GroupId")]),
        },
    ),
    "002": (
        "remove_chat_members",
        {
            NEW_ROW: (
                [("400 | 232076 |", "400 | 232099 | A brand new failure. | New. |\n400 | 232076 |")],
                [(K.CODE_ADDED, "232099")],
            ),
            CHANGED_MESSAGE: (
                [("Can't kick chat owner.", "The chat owner cannot be removed.")],
                [(K.CODE_MESSAGE_CHANGED, "232076")],
            ),
            REMOVED_ROW: (
                [
                    (
                        (
                            "400 | 232029 | There are no available candidates for chat owner. | Keep at least one member"
                            " who can own the chat, or disband the chat instead. |\n"
                        ),
                        "",
                    )
                ],
                [(K.CODE_REMOVED, "232029")],
            ),
            NEW_PARAM: (
                [("Query 参数\n", "Query 参数\nuser_id_type\nstring\n必需\n")],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("\n/open-apis/im/v1/chats/{chat_id}/members\n", "\n/open-apis/im/v1/chats/{chat_id}/users\n")],
                [(K.PATH_CHANGED, "remove_chat_members")],
            ),
            "changed required-ness": (
                [("member_id_type\n可选", "member_id_type\n必需")],
                [(K.PARAM_REQUIRED_CHANGED, "query member_id_type")],
            ),
        },
    ),
    "003": (
        "unbind_meeting_chat",
        {
            NEW_ROW: (
                [("400 | 195108 |", "400 | 195199 | a brand new failure | New.\n400 | 195108 |")],
                [(K.CODE_ADDED, "195199")],
            ),
            CHANGED_MESSAGE: (
                [("| calendar not found |", "| calendar is missing |")],
                [(K.CODE_MESSAGE_CHANGED, "191000")],
            ),
            REMOVED_ROW: (
                [("400 | 193000 | invalid event_id | Check the event_id.\n", "")],
                [(K.CODE_REMOVED, "193000")],
            ),
            NEW_PARAM: (
                [("**示例值**：oc_xxx\n", "**示例值**：oc_xxx\nuser_id_type | string | 是 | ids\n")],
                [(K.PARAM_ADDED, "query user_id_type")],
            ),
            CHANGED_PATH: (
                [("events/:event_id/meeting_chat\n", "events/:event_id/meeting_group\n")],
                [(K.PATH_CHANGED, "unbind_meeting_chat")],
            ),
            "changed type": (
                [("meeting_chat_id | string |", "meeting_chat_id | int |")],
                [(K.PARAM_TYPE_CHANGED, "query meeting_chat_id")],
            ),
        },
    ),
    "004": (
        "dismiss_team_v2",
        {
            NEW_PARAM: (
                [
                    (
                        "operator_id\nstring\u00a0\n必需\n",
                        "reason\nstring\u00a0\n必需\nWhy.\noperator_id\nstring\u00a0\n必需\n",
                    )
                ],
                [(K.PARAM_ADDED, "body reason")],
            ),
            CHANGED_PATH: (
                [("\n/im/v2/teams/{team_id}\n", "\n/im/v2/groups/{team_id}\n")],
                [(K.PATH_CHANGED, "dismiss_team_v2")],
            ),
            "removed parameter": ([("extension\nstring\u00a0\n可选\n", "")], [(K.PARAM_REMOVED, "body extension")]),
            "changed required-ness": (
                [("extension\nstring\u00a0\n可选", "extension\nstring\u00a0\n必需")],
                [(K.PARAM_REQUIRED_CHANGED, "body extension")],
            ),
            "changed bounds": ([(">= 1<= 2", ">= 1<= 3")], [(K.PARAM_BOUNDS_CHANGED, "body team_type")]),
            "new header": (
                [("Nonce\nstring\u00a0\n必需\n", "X-Region\nstring\u00a0\n必需\nNonce\nstring\u00a0\n必需\n")],
                [(K.PARAM_ADDED, "header X-Region")],
            ),
        },
    ),
}


# What a seed page rightly differs by before any change: seed 004 documents DELETE /im/v2/teams/{team_id}, the
# route the spec keeps as dismiss_team_v2 (x-older-route-of: dismiss_team), so it also names the current route.
KNOWN_DRIFT: dict[str, list[tuple[Kind, str]]] = {"004": [(K.OLDER_ROUTE, "dismiss_team")]}


def mutate(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, f"the mutation's anchor {old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


def check(text: str, name: str, specs_dir: Path) -> tuple[str, list[tuple[Kind, str]]]:
    """The operation a page documents (an older route the spec keeps is an operation of its own) and all its
    differences, the older-route line among them."""
    page = read_page(text, name)
    operations = cached_operations(specs_dir)
    found = match(page, operations)
    differences = compare(page, found.operation, operations)
    return found.operation.operation_id, sorted((d.kind, d.subject) for d in differences)


@cache
def cached_operations(specs_dir: Path) -> list[SpecOperation]:
    """``load_operations``, once per folder and test process: parsing the real specs takes 0.2 s, and the
    checks only read what it gives."""
    return load_operations(specs_dir)


def cases(table: Cases) -> list:
    return [
        pytest.param(name, operation, mutation, id=f"{name}-{label}")
        for name, (operation, mutations) in table.items()
        for label, mutation in mutations.items()
    ]


def seed_cases() -> list:
    """(folder, seed number, operation, mutation) for every seed folder present and its mutation table."""
    tables = {OWN_SEEDS: OWN_SEED_CASES, SHARED_SEEDS: SEED_CASES}
    return [
        pytest.param(folder, layout, operation, mutation, id=f"{folder_id(folder)}-{layout}-{label}")
        for folder in SEED_DIRS
        for layout, (operation, mutations) in tables[folder].items()
        for label, mutation in mutations.items()
    ]


SEED_PAGES = [
    pytest.param(folder, layout, id=f"{folder_id(folder)}-{layout}") for folder in SEED_DIRS for layout in SEED_CASES
]


@pytest.mark.parametrize(("folder", "layout"), SEED_PAGES)
def test_seed_page_checks_clean_against_the_specs(folder: Path, layout: str) -> None:
    operation, _ = SEED_CASES[layout]
    page = seed_pages(folder)[layout]
    assert check(page.read_text(encoding="utf-8"), page.name, REAL_SPECS) == (operation, KNOWN_DRIFT.get(layout, []))


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_every_seed_page_has_mutation_cases(folder: Path) -> None:
    assert set(seed_pages(folder)) == set(SEED_CASES) == set(OWN_SEED_CASES)


@pytest.mark.parametrize(("folder", "layout", "operation", "mutation"), seed_cases())
def test_seed_page_change_is_named_exactly(folder: Path, layout: str, operation: str, mutation: tuple) -> None:
    replacements, expected = mutation
    page = seed_pages(folder)[layout]
    text = mutate(page.read_text(encoding="utf-8"), replacements)
    assert check(text, page.name, REAL_SPECS) == (operation, sorted(expected + KNOWN_DRIFT.get(layout, [])))


@pytest.mark.parametrize("name", sorted(FIXTURE_CASES))
def test_fixture_page_checks_clean_against_the_fixture_specs(name: str) -> None:
    operation, _ = FIXTURE_CASES[name]
    assert check((FIXTURES / name).read_text(encoding="utf-8"), name, FIXTURE_SPECS) == (operation, [])


@pytest.mark.parametrize(("name", "operation", "mutation"), cases(FIXTURE_CASES))
def test_fixture_page_change_is_named_exactly(name: str, operation: str, mutation: tuple) -> None:
    replacements, expected = mutation
    text = mutate((FIXTURES / name).read_text(encoding="utf-8"), replacements)
    assert check(text, name, FIXTURE_SPECS) == (operation, sorted(expected))


@pytest.mark.parametrize("name", sorted(YUNXIN_V2_1_CASES))
def test_current_yunxin_page_checks_clean_against_its_spec(name: str) -> None:
    operation, _ = YUNXIN_V2_1_CASES[name]
    assert check((YUNXIN_V2_1 / name).read_text(encoding="utf-8"), name, YUNXIN_V2_1 / "specs") == (operation, [])


@pytest.mark.parametrize(("name", "operation", "mutation"), cases(YUNXIN_V2_1_CASES))
def test_current_yunxin_page_change_is_named_exactly(name: str, operation: str, mutation: tuple) -> None:
    replacements, expected = mutation
    text = mutate((YUNXIN_V2_1 / name).read_text(encoding="utf-8"), replacements)
    assert check(text, name, YUNXIN_V2_1 / "specs") == (operation, sorted(expected))


def test_every_fixture_format_is_covered() -> None:
    pages = [FIXTURES / name for name in FIXTURE_CASES] + [YUNXIN_V2_1 / name for name in YUNXIN_V2_1_CASES]
    formats = {read_page(page.read_text(encoding="utf-8"), page.name).format for page in pages}
    assert formats == {"markdown", "rendered", "cell-lines", "pipe-tables", "request-line"}


def test_every_fixture_page_has_mutation_cases() -> None:
    on_disk = {path.name for path in FIXTURES.glob("*_*.*")} | {path.name for path in YUNXIN_V2_1.glob("*.txt")}
    assert on_disk == set(FIXTURE_CASES) | set(YUNXIN_V2_1_CASES)
