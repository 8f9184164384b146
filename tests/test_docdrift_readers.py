"""The page reader on each layout's fixture page, on the seed pages when present, and on variations: reordered
columns, extra whitespace, full-width punctuation, rows split across lines, tables with and without a rule,
cells separated by pipes, tabs or spaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_dirs import SEED_DIRS, folder_id, seed_pages

from generator.docdrift.model import Location, PageErrorRow, PageParam, PageUnreadable, RateLimit
from generator.docdrift.readers import read_page
from generator.docdrift.readers.pipe_table import find_tables
from generator.docdrift.readers.rate_limit import parse_rate_limit
from generator.docdrift.readers.sections import heading
from generator.docdrift.text import canonical_path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"

# Documented codes and messages (Feishu, disband a chat): the facts the variations are built from.
FEISHU_ROWS = [
    PageErrorRow(232006, "Your request specifies a chat_id which is invalid.", 400, "Check the chat_id."),
    PageErrorRow(232009, "Your request specifies a chat which has already been dissolved.", 400, "Nothing to do."),
    PageErrorRow(
        232017,
        "No Permission: If the operator is NOT owner or creator with the scope, the operator can NOT complete the request.",
        400,
        "Act as the owner.",
    ),
    PageErrorRow(99991400, "request trigger frequency limit", 429, "Wait, then retry."),
]
TENCENT_ROWS = [
    PageErrorRow(10002, "Internal server error. Try again."),
    PageErrorRow(
        10007,
        "No operation permissions. For example, a common member in a public group tries to remove"
        " other users from the group, but only the app admin can do so.",
    ),
    PageErrorRow(10010, "The group does not exist or has been deleted."),
]


def read_fixture(name: str):
    return read_page((FIXTURES / name).read_text(encoding="utf-8"), name)


def test_markdown_reader_reads_the_fixture_page() -> None:
    page = read_fixture("feishu_unbind_meeting_chat.md")
    assert (page.format, page.method) == ("markdown", "DELETE")
    assert page.path == "/open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}/meeting_chat"
    assert page.url == "https://open.feishu.cn/document/calendar-v4/calendar-event-meeting_chat/delete"
    assert page.rate_limit == RateLimit(per_second=50, per_minute=1000)
    assert page.params[Location.PATH] == [
        PageParam("calendar_id", Location.PATH, True, "string"),
        PageParam("event_id", Location.PATH, True, "string"),
    ]
    assert page.params[Location.QUERY] == [PageParam("meeting_chat_id", Location.QUERY, True, "string")]
    assert page.params[Location.BODY] == []
    assert page.errors is not None
    assert [(row.http_status, row.code, row.message) for row in page.errors] == [
        (400, 190002, "invalid parameters in request"),
        (500, 190003, "internal service error"),
        (429, 190004, "method rate limited"),
        (404, 191000, "calendar not found"),
        (403, 195107, "no permission unbind meeting chat"),
        (400, 195108, "chat not match with event"),
    ]
    assert page.errors[0].advice == "Check the request: - field names and types; - that the resource still exists."


def test_rendered_reader_reads_the_fixture_page_with_an_error_table() -> None:
    page = read_fixture("feishu_remove_chat_members.txt")
    assert (page.format, page.method, page.path) == ("rendered", "DELETE", "/open-apis/im/v1/chats/{chat_id}/members")
    assert page.params == {
        Location.PATH: [PageParam("chat_id", Location.PATH, True, None)],
        Location.QUERY: [PageParam("member_id_type", Location.QUERY, False, "string")],
        Location.HEADER: [PageParam("Authorization", Location.HEADER, True, "string")],
    }  # the collapsed body section lists nothing, so the body is not documented
    assert page.errors is not None
    assert [row.code for row in page.errors] == [232001, 232006, 232019, 232076]
    assert page.errors[-1] == PageErrorRow(232076, "Can't kick chat owner.", 400, "The owner stays.")
    assert page.rate_limit is None


def test_rendered_reader_reads_a_page_without_an_error_table() -> None:
    page = read_fixture("yunxin_dismiss_team.txt")
    assert (page.method, page.path, page.errors) == ("DELETE", "/im/v2/teams/{team_id}", None)
    assert page.params[Location.BODY] == [
        PageParam("team_type", Location.BODY, True, "integer", 1, 2),
        PageParam("extension", Location.BODY, False, "string"),
        PageParam("operator_id", Location.BODY, True, "string"),
    ]
    assert [param.name for param in page.params[Location.HEADER]] == ["AppKey", "X-custom-traceid", "CheckSum"]


def test_cell_lines_reader_reads_the_fixture_page() -> None:
    page = read_fixture("tencent_destroy_group.txt")
    assert (page.format, page.method, page.path) == ("cell-lines", None, "/v4/group_open_http_svc/destroy_group")
    assert page.rate_limit == RateLimit(per_second=200)
    assert page.params == {Location.BODY: [PageParam("GroupId", Location.BODY, True, "string")]}
    assert page.errors is not None
    assert [(row.code, row.http_status) for row in page.errors] == [
        (10002, None),
        (10004, None),
        (10010, None),
        (10015, None),
    ]
    assert page.errors[1].message == "Invalid parameter. Check the error description and troubleshoot the issue."


def test_pipe_tables_without_a_rule_are_read_on_a_tencent_page() -> None:
    page = read_fixture("tencent_destroy_group_pipes.txt")
    assert (page.format, page.method, page.path) == ("pipe-tables", None, "/v4/group_open_http_svc/destroy_group")
    assert page.rate_limit == RateLimit(per_second=200)
    # The response fields table sits under "Response fields" and the URL parameters table has no type column.
    assert page.params == {Location.BODY: [PageParam("GroupId", Location.BODY, True, "string")]}
    assert page.errors is not None
    assert [row.code for row in page.errors] == [10002, 10004, 10010, 10015]
    assert page.errors[2] == PageErrorRow(10010, "The group does not exist or has been deleted.")


@pytest.mark.parametrize("chinese", [False, True])
def test_tencent_pipe_page_without_headings_still_reads_its_request_fields(chinese: bool) -> None:
    """Several captures of Tencent's pages drop every heading (and the Chinese ones label the required-ness
    column 属性); the request table is still the one whose fields say whether they are required."""
    text = (FIXTURES / "tencent_destroy_group_pipes.txt").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if heading(line) is None)
    if chinese:
        for english, chinese_words in [
            ("Field | Type | Required | Description |", "字段 | 类型 | 属性 | 说明 |"),
            ("| String | Yes |", "| String | 必填 |"),
            ("Field | Type | Description |", "字段 | 类型 | 说明 |"),
            ("Error Code | Description |", "错误码 | 描述 |"),
        ]:
            text = text.replace(english, chinese_words)
    page = read_page(text, "headless.txt")
    assert page.params == {Location.BODY: [PageParam("GroupId", Location.BODY, True, "string")]}
    assert page.errors is not None and [row.code for row in page.errors] == [10002, 10004, 10010, 10015]


def test_english_lark_page_reads_its_english_sections() -> None:
    page = read_fixture("feishu_disband_chat_en.md")
    assert (page.format, page.method, page.path) == ("markdown", "DELETE", "/open-apis/im/v1/chats/{chat_id}")
    assert page.url == "https://open.larksuite.com/document/server-docs/group/chat/delete"
    assert page.rate_limit == RateLimit(per_second=50, per_minute=1000)
    assert page.params[Location.PATH] == [PageParam("chat_id", Location.PATH, True, "string")]
    assert page.params[Location.HEADER] == [PageParam("Authorization", Location.HEADER, True, "string")]
    assert (page.params[Location.QUERY], page.params[Location.BODY]) == ([], [])  # the response body is not read
    assert page.errors is not None and len(page.errors) == 5
    assert page.errors[1] == PageErrorRow(
        232009, "Your request specifies a chat which has already been dissolved.", 400, "It is gone already."
    )


@pytest.mark.parametrize(
    ("name", "method", "query"),
    [
        (
            "dismiss_team.txt",
            "DELETE",
            [
                PageParam("team_type", Location.QUERY, True, "integer"),
                PageParam("operator_id", Location.QUERY, True, "string"),
                PageParam("extension", Location.QUERY, False, "string"),
            ],
        ),
        ("get_team.txt", "GET", [PageParam("team_type", Location.QUERY, True, "integer")]),
    ],
)
def test_current_yunxin_page_reads_its_request_line_and_spaced_tables(
    name: str, method: str, query: list[PageParam]
) -> None:
    page = read_page((FIXTURES / "yunxin_v2_1" / name).read_text(encoding="utf-8"), name)
    assert (page.format, page.method, page.path) == ("request-line", method, "/im/v2.1/teams/{team_id}")
    assert page.params[Location.PATH] == [PageParam("team_id", Location.PATH, True, "string")]
    assert page.params[Location.QUERY] == query
    assert page.params[Location.BODY] == []  # the response table is not a request body
    assert page.errors is not None and page.errors[0] == PageErrorRow(414, "The request has a wrong parameter.")
    assert page.rate_limit is None  # the page points at the rate-limit page instead of stating a budget


def test_wrapped_description_with_a_list_stays_in_its_row() -> None:
    page = read_page((FIXTURES / "yunxin_v2_1" / "dismiss_team.txt").read_text(encoding="utf-8"), "dismiss")
    # "  • 1: advanced team." continues team_type's description; it is not a parameter of its own.
    assert [param.name for param in page.params[Location.QUERY]] == ["team_type", "operator_id", "extension"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/im/v2.1/teams/:{team_id}", "/im/v2.1/teams/{team_id}"),
        ("/open-apis/im/v1/chats/:chat_id/members?x=1", "/open-apis/im/v1/chats/{chat_id}/members"),
        ("/im/v2/teams/{team_id}/", "/im/v2/teams/{team_id}"),
    ],
)
def test_canonical_path_writes_every_path_parameter_style_in_braces(path: str, expected: str) -> None:
    assert canonical_path(path) == expected


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
@pytest.mark.parametrize(
    ("layout", "page_format", "codes", "first", "last"),
    [
        ("000", "markdown", 11, 232004, 232034),
        ("001", "cell-lines", 6, 10002, 10015),
        ("002", "rendered", 13, 232001, 232076),
        ("003", "markdown", 21, 190002, 195108),
    ],
)
def test_seed_error_tables_read_whole(
    folder: Path, layout: str, page_format: str, codes: int, first: int, last: int
) -> None:
    page = read_page(seed_pages(folder)[layout].read_text(encoding="utf-8"), layout)
    assert page.format == page_format and page.errors is not None
    assert (len(page.errors), page.errors[0].code, page.errors[-1].code) == (codes, first, last)
    assert all(row.message and "|" not in row.message for row in page.errors)


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_seed_multi_line_advice_stays_in_its_row(folder: Path) -> None:
    page = read_page(seed_pages(folder)["000"].read_text(encoding="utf-8"), "000")
    assert page.errors is not None
    row = next(row for row in page.errors if row.code == 232017)
    # The advice runs over three lines, two of them list items; all of it stays in the row.
    assert row.message.startswith("No Permission: If the operator") and row.advice.count("- ") >= 2


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_seed_yunxin_page_skips_the_navigation_list(folder: Path) -> None:
    page = read_page(seed_pages(folder)["004"].read_text(encoding="utf-8"), "004")
    assert (page.method, page.path, page.errors) == ("DELETE", "/im/v2/teams/{team_id}", None)
    assert page.params[Location.BODY][0] == PageParam("team_type", Location.BODY, True, "integer", 1, 2)


def test_unknown_text_is_unreadable_with_a_reason() -> None:
    with pytest.raises(PageUnreadable, match="not a page format we read"):
        read_page("just some prose\nwith no tables\n", "prose.txt")


def test_markdown_page_without_url_row_is_unreadable() -> None:
    with pytest.raises(PageUnreadable, match="HTTP URL"):
        read_page("名称 | 值\n---|---\nHTTP Method | DELETE\n", "broken.md")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1000 次/分钟、50 次/秒](https://x)", RateLimit(per_second=50, per_minute=1000)),
        ("1000 次／分钟，50 次／秒", RateLimit(per_second=50, per_minute=1000)),
        ("200 calls per second", RateLimit(per_second=200)),
        ("3,000 requests per minute", RateLimit(per_minute=3000)),
        ("[1000 per minute & 50 per second](https://x)", RateLimit(per_second=50, per_minute=1000)),
        ("1 times/second", RateLimit(per_second=1)),
        ("no budget here", None),
    ],
)
def test_rate_limit_phrases(text: str, expected: RateLimit | None) -> None:
    assert parse_rate_limit(text) == expected


# --- variations -------------------------------------------------------------------------------------------

ERROR_LABELS = {
    "status": ["HTTP状态码", "HTTP Status", "http status code"],
    "code": ["错误码", "Error Code", "code"],
    "message": ["描述", "Message", "错误信息"],
    "advice": ["排查建议", "Troubleshooting", "Suggestion"],
}
FULL_WIDTH = {":": "：", ",": "，", "(": "（", ")": "）"}


def widen(text: str, draw_bits: list[bool]) -> str:
    """Some ASCII punctuation turned full-width, as pages written with a Chinese input method have it."""
    out = []
    for index, char in enumerate(text):
        out.append(FULL_WIDTH[char] if char in FULL_WIDTH and draw_bits[index % len(draw_bits)] else char)
    return "".join(out)


@st.composite
def error_table_pages(draw: st.DrawFn) -> tuple[str, list[PageErrorRow]]:
    """A Feishu Markdown page whose error table varies in every way pages vary."""
    roles = draw(st.permutations(["status", "code", "message", "advice"]))
    closed = draw(st.booleans())  # the rendered-capture style: every cell ends with a pipe
    pad = st.text(alphabet=" \t", max_size=3)
    bits = draw(st.lists(st.booleans(), min_size=1, max_size=8))
    pipe = "｜" if draw(st.booleans()) else "|"

    def line(cells: list[str]) -> str:
        joined = pipe.join(f"{draw(pad)}{cell}{draw(pad)}" for cell in cells)
        return joined + (pipe if closed else "")

    header = line([draw(st.sampled_from(ERROR_LABELS[role])) for role in roles])
    rule = pipe.join("---" for _ in roles) + (pipe if closed else "")
    body = []
    for row in FEISHU_ROWS:
        values = {
            "status": str(row.http_status),
            "code": str(row.code),
            "message": widen(row.message, bits),
            "advice": row.advice,
        }
        text = line([values[role] for role in roles])
        # Split at a space after the first pipe, leaving text on both lines: a wrapped row. (A break before
        # the first pipe or a line of only blanks would make a different table: a continuation, or its end.)
        spaces = [i for i, char in enumerate(text) if char == " " and i > text.find(pipe) and text[i:].strip()]
        if spaces and draw(st.booleans()):
            at = draw(st.sampled_from(spaces))
            text = text[:at] + "\n" + text[at + 1 :]
        body.append(text)
    page = "\n".join(
        [
            "## 请求",
            "名称 | 值",
            "---|---",
            "HTTP URL | https://open.feishu.cn/open-apis/im/v1/chats/:chat_id",
            "HTTP Method | DELETE",
            "",
            "### 错误码",
            "",
            header,
            rule,
            *body,
            "",
            "更多错误码信息",
        ]
    )
    return page, FEISHU_ROWS


@settings(max_examples=150, deadline=None)
@given(error_table_pages())
def test_error_table_survives_layout_variations(case: tuple[str, list[PageErrorRow]]) -> None:
    text, expected = case
    page = read_page(text, "variation.md")
    assert page.errors == expected


@st.composite
def cell_line_pages(draw: st.DrawFn) -> tuple[str, list[PageErrorRow]]:
    """A Tencent page whose one-cell-per-line table varies: header order, blank lines, wrapped descriptions."""
    code_first = draw(st.booleans())
    pad = st.text(alphabet=" ", max_size=2)
    labels = ["Error Code", "Description"] if code_first else ["Description", "Error Code"]
    lines = ["https://xxxxxx/v4/group_open_http_svc/destroy_group?sdkappid=1", "", "Error Codes", "", *labels]
    for row in TENCENT_ROWS:
        words = row.message.split(" ")
        cut = draw(st.integers(min_value=1, max_value=len(words)))
        message_lines = [" ".join(words[:cut])] + ([" ".join(words[cut:])] if words[cut:] else [])
        message_lines = [f"{draw(pad)}{part}{draw(pad)}" for part in message_lines]
        cells = [f"{draw(pad)}{row.code}{draw(pad)}", *message_lines] if code_first else [*message_lines, str(row.code)]
        if draw(st.booleans()):
            lines.append("")
        lines.extend(cells)
    lines += ["", "API Debugging Tool"]
    return "\n".join(lines), TENCENT_ROWS


@settings(max_examples=100, deadline=None)
@given(cell_line_pages())
def test_cell_line_table_survives_layout_variations(case: tuple[str, list[PageErrorRow]]) -> None:
    text, expected = case
    page = read_page(text, "variation.txt")
    assert page.errors == expected


@settings(max_examples=100, deadline=None)
@given(
    blank=st.sampled_from(["", "\n", "\n\n"]),
    pad=st.sampled_from(["", " ", "\u00a0", "\u3000"]),
    typed=st.booleans(),
)
def test_rendered_parameters_survive_blank_lines_and_padding(blank: str, pad: str, typed: bool) -> None:
    type_line = f"integer{pad}\n{blank}" if typed else ""
    text = (
        "解散群组\nDELETE\n/im/v2/teams/{team_id}\n请求参数\n"
        f"Body 参数application/json\nteam_type{pad}\n{blank}{type_line}必需{pad}\n群组类型。\n>= 1{pad}<= 2\n"
        f"operator_id\n{blank}string{pad}\n可选\n返回响应\n"
    )
    page = read_page(text, "variation.txt")
    assert page.params[Location.BODY] == [
        PageParam("team_type", Location.BODY, True, "integer" if typed else None, 1, 2),
        PageParam("operator_id", Location.BODY, False, "string"),
    ]


def test_pipe_table_folds_a_stray_pipe_into_the_last_cell() -> None:
    tables = find_tables(["a | b", "--- | ---", "1 | x | y"])
    assert tables[0].rows == [["1 ", " x | y"]]


# --- tables without a rule, and tables without pipes ----------------------------------------------------

TENCENT_LABELS = {"code": ["Error Code", "错误码", "error code"], "message": ["Description", "描述", "Error Message"]}


@st.composite
def unruled_pipe_pages(draw: st.DrawFn) -> tuple[str, list[PageErrorRow]]:
    """A Tencent page whose error table is a pipe table as other sites render it: with or without a rule,
    with or without closing pipes, the header alone on its line or glued to the sentence before it."""
    code_first = draw(st.booleans())
    closed = draw(st.booleans())
    ruled = draw(st.booleans())
    pad = st.text(alphabet=" ", max_size=2)
    roles = ["code", "message"] if code_first else ["message", "code"]

    def line(cells: list[str]) -> str:
        return " | ".join(f"{draw(pad)}{cell}{draw(pad)}" for cell in cells) + (" |" if closed else "")

    header = line([draw(st.sampled_from(TENCENT_LABELS[role])) for role in roles])
    if draw(st.booleans()):
        header = "The following table lists the codes specific to this API:" + header
    lines = ["https://xxxxxx/v4/group_open_http_svc/destroy_group?sdkappid=1", "", "Error Codes", header]
    if ruled:
        lines.append("---|---" + ("|" if closed else ""))
    for row in TENCENT_ROWS:
        values = {"code": str(row.code), "message": row.message}
        lines.append(line([values[role] for role in roles]))
    lines += ["", "API Debugging Tool"]
    return "\n".join(lines), TENCENT_ROWS


@settings(max_examples=100, deadline=None)
@given(unruled_pipe_pages())
def test_unruled_pipe_table_survives_layout_variations(case: tuple[str, list[PageErrorRow]]) -> None:
    text, expected = case
    page = read_page(text, "variation.txt")
    assert page.errors == expected


PARAM_HEADERS = [
    ["参数名称", "类型", "是否必选", "描述"],
    ["参数", "类型", "必填", "说明"],
    ["字段", "类型", "属性", "说明"],
]
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
TYPES = {"string": ["String", "string"], "integer": ["Integer", "int", "Long"], "array": ["Array", "String[]"]}


@st.composite
def spaced_table_pages(draw: st.DrawFn) -> tuple[str, list[PageParam]]:
    """A Yunxin-style page whose parameter table has one row per line, cells split by tabs or by spaces,
    descriptions that wrap onto lines of their own (lists included)."""
    header = draw(st.sampled_from(PARAM_HEADERS))
    gap = draw(st.sampled_from(["\t", " ", "  ", " \t "]))
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    expected, rows = [], []
    for name in names:
        json_type = draw(st.sampled_from(sorted(TYPES)))
        required = draw(st.booleans())
        words = ("必选" if header[2] != "必填" else "是") if required else ("可选" if header[2] != "必填" else "否")
        if header[2] == "属性":
            words = "必填" if required else "选填"
        cells = [name, draw(st.sampled_from(TYPES[json_type])), words, "什么 it is, in a few words."]
        rows.append(gap.join(cells))
        if draw(st.booleans()):
            rows.append(draw(st.sampled_from(["  • 1: one kind.", "and more words here.", "  - 2: another kind."])))
        expected.append(PageParam(name, Location.QUERY, required, json_type))
    lines = ["GET https://open.yunxinapi.com/im/v2.1/things/:{thing_id}", "", "查询参数", "", gap.join(header)]
    lines += [*rows, "", "响应"]
    return "\n".join(lines), expected


@settings(max_examples=100, deadline=None)
@given(spaced_table_pages())
def test_spaced_parameter_table_survives_layout_variations(case: tuple[str, list[PageParam]]) -> None:
    text, expected = case
    page = read_page(text, "variation.txt")
    assert page.params[Location.QUERY] == expected


def test_a_line_of_labels_inside_prose_starts_no_table() -> None:
    text = "GET https://h/im/v2.1/x\n\n查询参数\n\nThe type and the description follow.\nname string\n"
    assert read_page(text, "prose.txt").params[Location.QUERY] == []


def test_spaced_error_table_keeps_its_status_column() -> None:
    text = "GET https://h/im/v2.1/x\n\n错误码\n\n状态码 错误码 描述\n200 414 参数错误\n200 108404 群组不存在\n"
    assert read_page(text, "errors.txt").errors == [
        PageErrorRow(414, "参数错误", 200),
        PageErrorRow(108404, "群组不存在", 200),
    ]
