"""The review page's HTML, without a browser: what its header and summary say, how it groups the steps, and
that nothing in a plan can break out of the page's markup or its embedded data."""

from __future__ import annotations

import hashlib
import json
import re
import webbrowser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from imgroup.cli import cli
from imgroup.groups import GroupRef, UserRef
from imgroup.plans._plan import Step, read_plan, write_plan
from imgroup.plans._review import default_page_path, page_data, review_page, script_json, write_review_page

HEADER = {
    "imgroup_plan": 1,
    "id": "3f2a",
    "kind": "offboard",
    "created_at": "2026-12-02T03:00:00+00:00",
    "made_by": "lee",
    "asked": {"users": ["tencent:alice", "feishu:ou_alice"], "successors": ["tencent:bob"], "disband_owned": False},
    "apps": {"tencent": "1400000000", "feishu": "cli_demo"},
    "cannot_see": {"feishu": "only the chats the app's bot is in"},
    "unreadable": {"feishu": {"feishu:oc_ext": "[232033] an external chat"}},
    "not_found": ["tencent:amu"],
    "inventory": {"feishu": {"app": "cli_demo", "last_full_sync": "2026-12-02T02:55:00+00:00", "last_event": None}},
    "tenants": {"feishu": ["tk_1", "tk_2"]},
    "ticket": "HR-1234",
}
ALICE, BOB = UserRef("tencent", "alice"), UserRef("tencent", "bob")
HOSTILE = "</script><script>alert(1)</script><!-- & -->"


def steps() -> list[Step]:
    sales, tmp = GroupRef("tencent", "@TGS#1"), GroupRef("tencent", "@TGS#2")
    facts = {"owner": "alice", "member_count": 3, "role": "owner"}
    return [
        Step("remove_member", sales, ALICE, name="销售部", planned_on=facts),
        Step("disband", tmp, ALICE, name=HOSTILE, planned_on={"owner": "alice", "member_count": 1}),
        Step("transfer", sales, ALICE, BOB, "销售部", facts),
        Step(
            "remove_member", GroupRef("feishu", "oc_1"), UserRef("feishu", "ou_alice"), planned_on={"owner": "ou_kim"}
        ),
    ]


def page_of(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "alice.jsonl"
    write_plan(path, HEADER, steps())
    write_review_page(path, tmp_path / "page.html")
    return (tmp_path / "page.html").read_text(encoding="utf-8"), path


def embedded(page: str) -> object:
    (data,) = re.findall(r'<script type="application/json" id="plan-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(data)


def test_the_page_holds_the_plan_text_and_its_steps_grouped_in_the_order_they_run(tmp_path: Path) -> None:
    page, path = page_of(tmp_path)
    data = embedded(page)
    assert data == page_data(read_plan(path), path.read_text(encoding="utf-8"), "alice.jsonl")
    assert isinstance(data, dict)
    assert data["text"] == path.read_text(encoding="utf-8")
    assert data["groups"] == [
        ["tencent:@TGS#1", "tencent", "销售部", "tencent:alice", 3],
        ["tencent:@TGS#2", "tencent", HOSTILE, "tencent:alice", 1],
        ["feishu:oc_1", "feishu", None, "feishu:ou_kim", None],
    ]
    # [line, group, action, user, successor, role]: the transfer (line 4) before the removal (line 2)
    assert data["steps"] == [
        [4, 0, "transfer", "tencent:alice", "tencent:bob", "owner"],
        [2, 0, "remove_member", "tencent:alice", None, "owner"],
        [3, 1, "disband", "tencent:alice", None, None],
        [5, 2, "remove_member", "feishu:ou_alice", None, None],
    ]


def test_nothing_in_a_plan_ends_the_pages_script_or_adds_markup(tmp_path: Path) -> None:
    page, _ = page_of(tmp_path)
    assert page.count("</script>") == 2  # the data's and the script's own
    assert "<script>alert(1)" not in page and "<!-- & -->" not in page
    assert not re.search(r"<!--[A-Z]+-->", page)  # every part was put in its place


@given(st.text())
def test_embedded_json_never_holds_a_tag_and_reads_back_the_same(text: str) -> None:
    encoded = script_json({"name": text})
    assert not set("<>&") & set(encoded)
    assert json.loads(encoded) == {"name": text}


def test_the_header_says_what_was_asked_by_whom_on_which_apps_and_what_was_not_seen(tmp_path: Path) -> None:
    page, path = page_of(tmp_path)
    header = page.split("<dl class='facts'>", 1)[1].split("</dl>", 1)[0]
    assert "offboard <code>3f2a</code>" in header
    assert "2026-12-02T03:00:00+00:00 by lee" in header
    assert "users: <code>tencent:alice</code>, <code>feishu:ou_alice</code>" in header
    assert "disband_owned: no" in header
    assert "tencent: 1400000000; feishu: cli_demo" in header
    assert "<dt>Not seen on feishu</dt><dd>only the chats the app&#x27;s bot is in</dd>" in header
    assert "1 group seen but unreadable" in header and "<code>feishu:oc_ext</code>: [232033] an external chat" in header
    assert "<dt>Left out (no such user)</dt><dd><code>tencent:amu</code></dd>" in header
    assert "<dt>Inventory on feishu</dt><dd>last full sync 2026-12-02T02:55:00+00:00, last event none</dd>" in header
    assert "<dt>Tenants</dt><dd>feishu: <code>tk_1</code>, <code>tk_2</code></dd>" in header
    assert "<dt>Other header fields</dt><dd>ticket: HR-1234</dd>" in header
    assert hashlib.sha256(path.read_bytes()).hexdigest() in header


def test_the_summary_counts_by_vendor_and_action_and_sets_the_disbands_apart(tmp_path: Path) -> None:
    page, _ = page_of(tmp_path)
    assert "<th scope='col'>disband</th><th scope='col'>transfer</th><th scope='col'>remove_member</th>" in page
    assert "<tr><th scope='row'>feishu</th><td>-</td><td>-</td><td><span data-approved='feishu remove_member'>1" in page
    assert "<h2>1 group to be disbanded (tencent 1)</h2>" in page
    assert "<li><code>tencent:alice</code>: 3 steps</li><li><code>feishu:ou_kim</code>: 1 step</li>" in page
    assert "<option value='tencent:alice'>tencent:alice (3)</option>" in page


def test_the_header_counts_the_steps_removed_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_plan(path, HEADER, steps())
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = "# " + lines[2]
    path.write_text("\n".join(lines), encoding="utf-8")
    plan = read_plan(path)
    page = review_page(plan, path.read_text(encoding="utf-8"), "p.jsonl")
    assert "3 steps (1 of the 4 planned were removed or commented out by hand)" in page
    assert [row[0] for row in page_data(plan, "", "p.jsonl")["steps"]] == [4, 2, 5]  # line 3 is not a step now


def test_plan_review_writes_the_page_beside_the_plan_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "alice.jsonl"
    write_plan(path, HEADER, steps())
    shown = CliRunner().invoke(cli, ["plan", "show", str(path)])
    assert (
        f"review it in a browser: imgroup plan review {path} (writes {tmp_path / 'alice.review.html'})" in shown.output
    )
    assert f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in shown.output

    result = CliRunner().invoke(cli, ["plan", "review", str(path)])

    assert result.exit_code == 0, result.output
    assert default_page_path(path) == tmp_path / "alice.review.html"
    assert (tmp_path / "alice.review.html").resolve().as_uri() in result.output
    assert "imgroup apply alice.approved.jsonl" in result.output
    shown = CliRunner().invoke(cli, ["plan", "show", str(path)])
    assert f"review page: {tmp_path / 'alice.review.html'}" in shown.output


@pytest.mark.parametrize("inventory", ["2026-12-02", {"feishu": "2026-12-02"}])
def test_an_inventory_field_of_another_shape_is_shown_as_given(tmp_path: Path, inventory: object) -> None:
    """A header edited by hand (or by an older tool) is shown, not a crash: ``plan show`` and the page."""
    path = tmp_path / "alice.jsonl"
    write_plan(path, {**HEADER, "inventory": inventory}, steps())
    shown = CliRunner().invoke(cli, ["plan", "show", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "2026-12-02" in shown.output
    written = CliRunner().invoke(cli, ["plan", "review", str(path)])
    assert written.exit_code == 0, written.output
    assert "2026-12-02" in (tmp_path / "alice.review.html").read_text()


def test_plan_review_open_opens_the_written_page_in_the_default_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "alice.jsonl"
    write_plan(path, HEADER, steps())
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = CliRunner().invoke(cli, ["plan", "review", str(path), "--html", str(tmp_path / "a.html"), "--open"])
    assert result.exit_code == 0, result.output
    assert opened == [(tmp_path / "a.html").resolve().as_uri()]


def test_a_plan_without_steps_has_a_page_that_says_nothing_is_disbanded(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    plan = write_plan(path, HEADER, [])
    page = review_page(plan, path.read_text(encoding="utf-8"), "empty.jsonl")
    assert "No group is disbanded by this plan." in page and "<dd>0 steps</dd>" in page
    assert embedded(page) == page_data(plan, path.read_text(encoding="utf-8"), "empty.jsonl")


def test_plan_review_refuses_a_bad_plan_naming_its_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(HEADER) + "\n{oops\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", "review", str(path), "--html", str(tmp_path / "p.html")])
    assert result.exit_code == 2
    assert "imgroup plan review: " in result.output and "line 2: not JSON" in result.output
    assert not (tmp_path / "p.html").exists()
