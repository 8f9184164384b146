"""HTML pages: the vendors' doc pages as a browser saves them (scripts, styles, navigation around the content)
and as a reader mode copies them are read like their Markdown and text captures; every seed page saved as
HTML reports what its text copy reports; ``--write`` then ``generate`` carries an HTML page's new code and new
nested field into the clients."""

from __future__ import annotations

import html
import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml
from seed_dirs import SEED_DIRS, folder_id, seed_pages
from test_docdrift_drift import OWN_SEED_CASES, SEED_CASES, cached_operations, mutate

from generator.docdrift.cli import check_docs_main
from generator.docdrift.compare import Kind, compare
from generator.docdrift.matcher import match
from generator.docdrift.model import Location, Page, PageErrorRow, PageParam
from generator.docdrift.readers import read_page
from generator.docdrift.readers.html import html_to_text, looks_like_html
from generator.tree import generate_tree

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "tests" / "fixtures" / "pages" / "html"
HTML_SPECS = HTML / "specs"
REAL_SPECS = ROOT / "specs"
PAGES = {
    "feishu_update_chat.html": "update_chat",
    "tencent_get_group_info.html": "get_group_info",
    "yunxin_update_team.html": "update_team",
    "yunxin_update_team_reader.html": "update_team",
}


def fixture(name: str) -> str:
    return (HTML / name).read_text(encoding="utf-8")


def check(text: str, specs: Path) -> tuple[str, list[tuple[Kind, str]]]:
    page = read_page(text, "page")
    operations = cached_operations(specs)
    found = match(page, operations)
    return found.operation.operation_id, sorted((d.kind, d.subject) for d in compare(page, found.operation, operations))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_html_page_agrees_with_its_spec(name: str) -> None:
    assert read_page(fixture(name), name).format.startswith("html/")
    assert check(fixture(name), HTML_SPECS) == (PAGES[name], [])


def test_browser_chrome_is_left_out() -> None:
    """Scripts holding table-like text, navigation, hidden blocks and the footer are not the page."""
    page = read_page(fixture("tencent_get_group_info.html"), "tencent")
    assert page.errors is not None and [row.code for row in page.errors] == [10002, 10004, 10015]
    text = html_to_text(fixture("feishu_update_chat.html"))
    assert "example.invalid" not in text and "开发者后台" not in text and "footer" not in text
    assert text.startswith("---\nsource_url: https://open.feishu.cn/document/server-docs/group/chat/update-2\n---\n")


def test_feishu_page_reads_nesting_by_tree_marks_and_by_padding() -> None:
    page = read_page(fixture("feishu_update_chat.html"), "feishu")
    assert (page.format, page.method, page.path) == ("html/markdown", "PUT", "/open-apis/im/v1/chats/{chat_id}")
    assert [param.name for param in page.params[Location.BODY]] == [
        "name",
        "i18n_names",
        "i18n_names.zh_cn",
        "i18n_names.en_us",
        "i18n_names.ja_jp",
        "owner_id",
        "restricted_mode_setting",
        "restricted_mode_setting.status",
        "restricted_mode_setting.screenshot_has_permission_setting",
    ]
    # The status cell spans three rows: each row has it.
    assert page.errors is not None and {row.http_status for row in page.errors} == {400}


def test_nested_table_and_table_under_an_object_heading_read_alike() -> None:
    nested = read_page(fixture("yunxin_update_team.html"), "nested").params[Location.BODY]
    reader = read_page(fixture("yunxin_update_team_reader.html"), "reader").params[Location.BODY]
    assert nested == reader
    assert PageParam("configuration.invite_mode", Location.BODY, False, "integer") in nested


def test_spans_are_repeated_into_every_row_and_column() -> None:
    text = html_to_text(
        "<table><tr><th colspan=2>错误码</th><th>描述</th></tr>"
        "<tr><td rowspan=2>200</td><td>414</td><td rowspan=2>Bad.</td></tr><tr><td>416</td></tr>"
        "<tr><td colspan=3>Note | with a pipe</td></tr></table>"
    )
    assert text.strip().splitlines() == [
        "| 错误码 | 错误码 | 描述 |",
        "| --- | --- | --- |",
        "| 200 | 414 | Bad. |",
        "| 200 | 416 | Bad. |",
        "| Note \\| with a pipe | Note \\| with a pipe | Note \\| with a pipe |",
    ]


def test_markdown_and_captured_text_are_not_taken_for_html() -> None:
    for folder in SEED_DIRS:
        assert not any(looks_like_html(page.read_text(encoding="utf-8")) for page in seed_pages(folder).values())
    assert looks_like_html("<!-- saved from url=(0010)https://x -->\n<html><body></body></html>")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("feishu_update_chat.html", "<tr><td>└ ja_jp</td><td>string</td><td>否</td><td>Japanese.</td></tr>", "",
         [(Kind.PARAM_REMOVED, "body i18n_names.ja_jp")]),
        ("feishu_update_chat.html", '<td><span style="padding-left: 16px">status</span></td><td>boolean</td>',
         '<td><span style="padding-left: 16px">status</span></td><td>string</td>',
         [(Kind.PARAM_TYPE_CHANGED, "body restricted_mode_setting.status")]),
        ("yunxin_update_team.html", "<tr><td>invite_mode</td><td>Integer</td><td>否</td><td>Who may invite.</td></tr>",
         "", [(Kind.PARAM_REMOVED, "body configuration.invite_mode")]),
        ("yunxin_update_team_reader.html",
         "<tr><td>invite_mode</td><td>Integer</td><td>否</td><td>Who may invite.</td></tr>",
         "<tr><td>invite_mode</td><td>Integer</td><td>是</td><td>Who may invite.</td></tr>",
         [(Kind.PARAM_REQUIRED_CHANGED, "body configuration.invite_mode")]),
        ("tencent_get_group_info.html",
         "<tr><td>MemberInfoFilter</td><td>Array</td><td>选填</td><td>Which member fields to answer.</td></tr>", "",
         [(Kind.PARAM_REMOVED, "body ResponseFilter.MemberInfoFilter")]),
        ("tencent_get_group_info.html", "<tr><td>10015</td>", "<tr><td>10099</td><td>New.</td></tr><tr><td>10015</td>",
         [(Kind.CODE_ADDED, "10099")]),
    ],
)  # fmt: skip
def test_html_page_change_is_named_exactly(name: str, old: str, new: str, expected: list[tuple[Kind, str]]) -> None:
    text = mutate(fixture(name), [(old, new)])
    assert check(text, HTML_SPECS) == (PAGES[name], sorted(expected))


def test_a_row_added_inside_a_rowspan_takes_the_spanned_status() -> None:
    added = '<td rowspan="4">400</td><td>232099</td><td>New.</td><td>New.</td></tr><tr><td>232001</td>'
    page = read_page(
        mutate(fixture("feishu_update_chat.html"), [('<td rowspan="3">400</td><td>232001</td>', added)]), "x"
    )
    assert page.errors is not None and [row.code for row in page.errors] == [232099, 232001, 232006, 232019]
    assert {row.http_status for row in page.errors} == {400} and page.errors[0] == PageErrorRow(
        232099, "New.", 400, "New."
    )


# --- every seed page, saved by a browser --------------------------------------------------------------------

CHROME_HEAD = (
    "<!DOCTYPE html>\n<!-- saved from url=(0000){url} -->\n<html><head><meta charset='utf-8'><title>{title}</title>"
    "<style>table {{ border: 0 }}</style><script>var state = '| HTTP URL | https://example.invalid/x |';</script>"
    "</head><body><header><nav><a href='/'>Docs</a> | <a>Console</a></nav></header>"
    "<aside><ul><li>Groups<ul><li>GET</li><li>DELETE</li></ul></li></ul></aside><main>"
)
CHROME_FOOT = "</main><footer>© Example | Contact</footer><script>track();</script></body></html>"
SECTIONS = {Location.PATH: "Path 参数", Location.QUERY: "Query 参数", Location.HEADER: "Header 参数"}
SECTIONS[Location.BODY] = "Body 参数application/json"


def saved_as_html(page: Page) -> str:
    """A browser's copy of a page whose text copy read as ``page``, in the layout that page has."""
    e = html.escape
    parts = [CHROME_HEAD.format(url=e(page.url or ""), title=e(page.title or ""))]
    if page.title:
        parts.append(f"<h1>{e(page.title)}</h1>")
    rate = ""
    if page.rate_limit is not None:
        budgets = [f"{page.rate_limit.per_minute} 次/分钟"] if page.rate_limit.per_minute else []
        budgets += [f"{page.rate_limit.per_second} 次/秒"] if page.rate_limit.per_second else []
        rate = "、".join(budgets)
    url = f"https://host.example{page.path}"
    if page.format == "markdown":
        parts.append(
            f"<h2>请求</h2><table><tr><th>名称</th><th>值</th></tr><tr><td>HTTP URL</td><td>{e(url)}</td></tr>"
            f"<tr><td>HTTP Method</td><td>{page.method}</td></tr><tr><td>接口频率限制</td><td>{rate}</td></tr></table>"
        )
    elif page.format == "rendered":
        parts.append(f"<div>{page.method}</div><div>{e(page.path or '')}</div>")
    elif page.method is not None:
        parts.append(f"<pre>{page.method} {e(url)}</pre>")
    else:
        parts.append(f"<pre>{e(url)}?sdkappid=1&amp;contenttype=json</pre>")
    if rate and page.format != "markdown":
        parts.append(f"<p>{rate}</p>")
    for location, params in page.params.items():
        parts.append(f"<div>{SECTIONS[location]}</div>")
        for param in params:
            lines = [param.name, *([param.type] if param.type else []), "必需" if param.required else "可选"]
            if (param.minimum, param.maximum) != (None, None):
                bounds = [f">= {param.minimum}"] if param.minimum is not None else []
                lines.append("".join(bounds + ([f"<= {param.maximum}"] if param.maximum is not None else [])))
            parts.append("".join(f"<div>{e(line)}</div>" for line in lines))
    parts.append("<h2>返回响应</h2>")
    if page.errors is not None:
        rows = "".join(
            f"<tr><td>{row.http_status or ''}</td><td>{row.code}</td><td>{e(row.message)}</td><td>{e(row.advice)}</td></tr>"
            for row in page.errors
        )
        parts.append(
            f"<h2>错误码</h2><table><tr><th>HTTP状态码</th><th>错误码</th><th>描述</th><th>排查建议</th></tr>{rows}</table>"
        )
    return "".join(parts) + CHROME_FOOT


def seed_mutations() -> list:
    tables = {folder: (SEED_CASES if folder_id(folder) == "shared" else OWN_SEED_CASES) for folder in SEED_DIRS}
    return [
        pytest.param(folder, layout, replacements, id=f"{folder_id(folder)}-{layout}-{label}")
        for folder in SEED_DIRS
        for layout, (_, mutations) in tables[folder].items()
        for label, (replacements, _) in [("as is", ([], [])), *mutations.items()]
    ]


@pytest.mark.parametrize(("folder", "layout", "replacements"), seed_mutations())
def test_a_seed_page_saved_as_html_reports_what_its_text_copy_reports(
    folder: Path, layout: str, replacements: list[tuple[str, str]]
) -> None:
    text = mutate(seed_pages(folder)[layout].read_text(encoding="utf-8"), replacements)
    saved = saved_as_html(read_page(text, layout))
    assert read_page(saved, layout).format.startswith("html/")
    assert check(saved, REAL_SPECS) == check(text, REAL_SPECS)


# --- --write, then generate ---------------------------------------------------------------------------------


def load_module(path: Path, name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_write_then_generate_carries_an_html_pages_new_code(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(REAL_SPECS / "tencent_im.yaml", specs)
    text = seed_pages(SEED_DIRS[0])["001"].read_text(encoding="utf-8")
    page = read_page(text, "001")
    assert page.errors is not None
    page.errors.append(PageErrorRow(10099, "The group is frozen. Try again later."))
    saved = tmp_path / "destroy_group.html"
    saved.write_text(saved_as_html(page), encoding="utf-8")

    assert check_docs_main([str(saved), "--specs", str(specs), "--write"]) == 1
    assert check_docs_main([str(saved), "--specs", str(specs)]) == 0
    generate_tree([specs / "tencent_im.yaml"], tmp_path / "generated")
    codes = load_module(tmp_path / "generated" / "tencent_im" / "error_codes.py", "html_regenerated_error_codes")
    info = codes.lookup(10099)  # type: ignore[attr-defined]
    assert info.message == "The group is frozen. Try again later." and info.review is True


def test_write_then_generate_carries_an_html_pages_new_nested_field(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(REAL_SPECS / "yunxin.yaml", specs)
    document = yaml.safe_load((specs / "yunxin.yaml").read_text(encoding="utf-8"))
    path = next(p for p, item in document["paths"].items() if item.get("patch", {}).get("operationId") == "update_team")
    text = fixture("yunxin_update_team.html").replace("/im/v2.1/teams/:{team_id}", path)
    text = text[: text.index("<h2>错误码</h2>")] + "</main></div></body></html>"  # the codes are not this test's
    new_row = "<tr><td>mute_mode</td><td>Integer</td><td>否</td><td>Who is muted.</td></tr>"
    text = mutate(text, [("<td>Who may invite.</td></tr>", "<td>Who may invite.</td></tr>" + new_row)])
    saved = tmp_path / "update_team.html"
    saved.write_text(text, encoding="utf-8")

    assert check_docs_main([str(saved), "--specs", str(specs), "--write"]) == 1
    written = yaml.safe_load((specs / "yunxin.yaml").read_text(encoding="utf-8"))
    mute_mode = written["components"]["schemas"]["TeamConfiguration"]["properties"]["mute_mode"]
    assert (mute_mode["type"], mute_mode["x-review"]) == ("integer", True)
    generate_tree([specs / "yunxin.yaml"], tmp_path / "generated")
    models = (tmp_path / "generated" / "yunxin_im" / "models").glob("*.py")
    assert any("mute_mode" in model.read_text(encoding="utf-8") for model in models)
