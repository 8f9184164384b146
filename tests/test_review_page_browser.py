"""The review page in headless Chromium, used as a reviewer would: from a file, by mouse and by keyboard.

An offboarding over the three vendors is planned on the emulator, reviewed on its page (two steps rejected by
hand, one vendor's disbands rejected by filter), the approved plan downloaded and applied: the emulator's audit
log shows exactly the approved steps taking effect, and the page made no request at all. The page's layout,
labels, contrast, keyboard use, sorting and the rows it draws a chunk at a time are checked on made-up plans.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from browser import RecordedPage
from click.testing import CliRunner

from imgroup._demo_offboarding import DEMO_GROUPS, SUCCESSORS, USERS, emulator_settings
from imgroup.cli import cli
from imgroup.groups import GroupRef, UserRef
from imgroup.plans._plan import Step, read_plan, write_plan
from imgroup.plans._review import write_review_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from imgroup.emulator import EmulatorServer

SETTINGS_PREFIXES = ("TENCENT_", "FEISHU_", "YUNXIN_", "IMGROUP_")
APPLY_TIMEOUT_S = 240
# Two more groups ivy owns alone (so disbanded): a second on Tencent, named in Chinese, and one on Yunxin.
MORE_GROUPS = {
    "tencent": {"groups": [{"group_id": "@TGS#offboard4", "type": "Public", "owner": "ivy", "name": "临时群 tmp-2"}]},
    "yunxin": {"teams": [{"team_id": "3003", "team_type": 1, "owner": "ivy", "name": "scratch"}]},
}
# What each call's effect in the audit log did, as a plan's action (a successor added before a transfer is no step).
EFFECTS = {"disbanded": "disband", "owner_changed": "transfer", "ownership_transferred": "transfer"}
EFFECT_PREFIXES = {"owner:": "transfer", "removed:": "remove_member", "revoked:": "remove_manager"}
EFFECT_NAMES = {"members_removed": "remove_member", "managers_removed": "remove_manager"}


def open_page(recorded: RecordedPage, path: Path) -> Page:
    page = recorded.page
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-first-render]")
    return page


def count(page: Page, hook: str) -> int:
    return int(page.inner_text(hook))


def choose(page: Page, vendor: str = "", action: str = "", owner: str = "") -> None:
    page.select_option("#filter-vendor", vendor)
    page.select_option("#filter-action", action)
    page.select_option("#filter-owner", owner)


def reject(page: Page, step: Step) -> None:
    page.locator(f"tr[data-plan-line='{step.line}'] input.approve").uncheck()


def step_of(steps: tuple[Step, ...], action: str, group: str) -> Step:
    return next(step for step in steps if step.action == action and str(step.group) == group)


def effects(calls: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(vendor, group id, action) of every call that changed a group, as the steps that made them."""
    done = []
    for call in calls:
        effect = call.get("effect")
        if not effect or call.get("code") not in (0, 200):
            continue
        action = EFFECTS.get(effect) or EFFECT_NAMES.get(effect)
        action = action or next((name for prefix, name in EFFECT_PREFIXES.items() if effect.startswith(prefix)), None)
        if action is not None:
            done.append((call["vendor"], str(call["target"]), action))
    return done


def environment(tmp_path: Path, emulator: EmulatorServer) -> dict[str, str]:
    """This process's environment, pointed at the emulator, with no other settings (no config file, no profile)."""
    keep = {name: value for name, value in os.environ.items() if not name.startswith(SETTINGS_PREFIXES)}
    return {**keep, "HOME": str(tmp_path), **emulator_settings(emulator)}


def apply(plan: Path, journal: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``imgroup apply`` as a process of its own, as a user runs it (the browser's driver holds this one's loop)."""
    command = [sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())"]
    arguments = ["apply", str(plan), "--journal", str(journal), "--rate-limit", "0"]
    return subprocess.run(
        [*command, *arguments], env=env, capture_output=True, text=True, timeout=APPLY_TIMEOUT_S, check=False
    )


def test_an_offboarding_reviewed_in_the_browser_applies_exactly_the_approved_steps(
    imgroup_emulator: EmulatorServer, browser_page: RecordedPage, tmp_path: Path
) -> None:
    imgroup_emulator.seed(DEMO_GROUPS)
    imgroup_emulator.seed(MORE_GROUPS)
    env = environment(tmp_path, imgroup_emulator)
    runner = CliRunner(env=env)
    plan_path, page_path = tmp_path / "ivy.jsonl", tmp_path / "ivy.review.html"
    successors = [f"--successor={successor}" for successor in SUCCESSORS]
    made = runner.invoke(cli, ["offboard", *USERS, *successors, "--plan", str(plan_path)])
    assert made.exit_code == 0, made.output
    reviewed = runner.invoke(cli, ["plan", "review", str(plan_path)])
    assert reviewed.exit_code == 0, reviewed.output
    assert page_path.resolve().as_uri() in reviewed.output
    plan = read_plan(plan_path)
    assert {step.vendor for step in plan.steps} == {"feishu", "tencent", "yunxin"}
    tencent_disbands = [step for step in plan.steps if step.vendor == "tencent" and step.action == "disband"]
    assert len(tencent_disbands) == 2
    by_hand = [
        step_of(plan.steps, "remove_member", "tencent:@TGS#offboard3"),
        step_of(plan.steps, "remove_manager", "yunxin:3002?type=2"),
    ]
    screen = open_page(browser_page, page_path)
    assert count(screen, "#shown-count") == count(screen, "#approved-count") == len(plan.steps)

    screen.fill("#search", "临时群")
    assert count(screen, "#shown-count") == 1
    assert "临时群 tmp-2" in screen.inner_text("#rows")
    screen.fill("#search", "")
    for step in by_hand:
        reject(screen, step)
    assert count(screen, "#approved-count") == len(plan.steps) - 2
    choose(screen, vendor="tencent", action="disband")
    assert count(screen, "#shown-count") == 2
    screen.click("#reject-shown")
    choose(screen)
    assert count(screen, "#shown-count") == len(plan.steps)
    rejected = {step.line for step in [*by_hand, *tencent_disbands]}
    assert count(screen, "#approved-count") == len(plan.steps) - 4
    assert count(screen, "#rejected-count") == 4
    shown_rejected = screen.eval_on_selector_all("tr.step.rejected", "rows => rows.map(row => row.dataset.planLine)")
    assert {int(line) for line in shown_rejected} == rejected
    # The screenshot in docs/ (make screenshots sets IMGROUP_SCREENSHOTS=docs), the page just as reviewed here.
    shot = Path(os.environ.get("IMGROUP_SCREENSHOTS") or tmp_path) / "review-page.png"
    screen.evaluate("window.scrollTo(0, 0)")
    screen.screenshot(path=shot, full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")

    with screen.expect_download() as waiting:
        screen.click("#download")
    approved_path = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(approved_path)
    assert approved_path.name == "ivy.approved.jsonl"
    assert screen.inner_text("#export-digest") == hashlib.sha256(approved_path.read_bytes()).hexdigest()
    original, exported = plan_path.read_text("utf-8").split("\n"), approved_path.read_text("utf-8").split("\n")
    assert exported[0] == original[0]  # the header, unchanged
    assert [number for number, line in enumerate(exported, 1) if line != original[number - 1]] == sorted(rejected)
    assert all(exported[line - 1] == "# " + original[line - 1] for line in rejected)
    shown = runner.invoke(cli, ["plan", "show", str(approved_path)])
    assert f"sha256 {screen.inner_text('#export-digest')}" in shown.output
    assert f"4 of the {len(plan.steps)} planned steps were removed by hand" in shown.output

    before = len(imgroup_emulator.calls())
    journal = tmp_path / "ivy.journal"
    applied = apply(approved_path, journal, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"sha256 {screen.inner_text('#export-digest')}" in applied.stdout.splitlines()[0]
    approved = [step for step in plan.steps if step.line not in rejected]
    expected = sorted((step.vendor, step.group.id, step.action) for step in approved)
    assert sorted(effects(imgroup_emulator.calls()[before:])) == expected
    calls_after_apply = len(imgroup_emulator.calls())

    # The same journal with the whole plan: edited after its apply began, so refused before any call.
    again = apply(plan_path, journal, env)
    assert again.returncode == 2
    first_rejected = next(step for step in plan.steps if step.line in rejected)
    assert f"the input has {first_rejected.key} (line {first_rejected.line}), which {journal} does not" in again.stderr
    assert len(imgroup_emulator.calls()) == calls_after_apply
    assert browser_page.requests == [page_path.resolve().as_uri()]
    assert browser_page.errors == []
    secrets = [value for name, value in env.items() if name.endswith(("_SECRET", "_SECRET_KEY"))]
    assert len(secrets) == 3 and not any(secret in page_path.read_text("utf-8") for secret in secrets)


def made_up_plan(path: Path, groups: int) -> tuple[Step, ...]:
    """``groups`` Tencent groups, each with a transfer and a removal; group 1 has a 200-character name, group 2 a
    Chinese one, and group i has i members and is owned by owner{i % 3}."""
    steps = []
    alice, bob = UserRef("tencent", "alice"), UserRef("tencent", "bob")
    for index in range(groups):
        name = "n" * 200 if index == 1 else "销售部 周会" if index == 2 else f"team-{index:04d}"
        facts = {"owner": f"owner{index % 3}", "member_count": index, "role": "owner"}
        group = GroupRef("tencent", f"@TGS#{index}")
        steps.append(Step("transfer", group, alice, bob, name, facts))
        steps.append(Step("remove_member", group, alice, name=name, planned_on=facts))
    header = {"imgroup_plan": 1, "id": "made-up", "kind": "offboard", "created_at": "2026-12-05T00:00:00+00:00"}
    return write_plan(path, header, steps).steps


CONTRAST = """() => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const channels = (color) => color.match(/[\\d.]+/g).map(Number);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const color = getComputedStyle(e).backgroundColor;
      const parts = channels(color);
      if (parts.length < 4 || parts[3] > 0) return parts.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const fg = luminance(channels(getComputedStyle(element).color).slice(0, 3));
    const bg = luminance(background(element));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) worst.push(element.tagName + "." + element.className + ": " + ratio.toFixed(2));
  }
  return worst;
}"""
UNLABELLED = """() => [...document.querySelectorAll("input, select, button")]
  .filter((control) => !(control.labels && control.labels.length) && !control.getAttribute("aria-label")
                        && !(control.tagName === "BUTTON" && control.textContent.trim()))
  .map((control) => control.outerHTML)"""


def test_the_page_reads_well_works_by_keyboard_and_keeps_long_names_in_bounds(
    browser_page: RecordedPage, tmp_path: Path
) -> None:
    made_up_plan(tmp_path / "p.jsonl", 6)
    write_review_page(tmp_path / "p.jsonl", tmp_path / "p.html")
    screen = open_page(browser_page, tmp_path / "p.html")
    screen.locator("tr[data-plan-line='4'] input.approve").uncheck()  # a rejected row's colours are measured too
    assert screen.evaluate(CONTRAST) == []
    assert screen.evaluate(UNLABELLED) == []
    assert screen.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert "n" * 200 in screen.inner_text("#rows") and "销售部 周会" in screen.inner_text("#rows")

    screen.focus("#search")
    screen.keyboard.type("销售部")
    assert count(screen, "#shown-count") == 2
    for _ in range(20):  # from the search box to the first step's checkbox, by Tab alone
        screen.keyboard.press("Tab")
        if screen.evaluate("document.activeElement.matches('input.approve')"):
            break
    assert screen.evaluate("document.activeElement.closest('tr').dataset.planLine") == "6"
    screen.keyboard.press("Space")
    assert count(screen, "#rejected-count") == 2
    assert browser_page.errors == []


def test_a_large_plan_is_drawn_a_chunk_at_a_time_and_bulk_choices_reach_every_step_shown(
    browser_page: RecordedPage, tmp_path: Path
) -> None:
    steps = made_up_plan(tmp_path / "p.jsonl", 400)
    write_review_page(tmp_path / "p.jsonl", tmp_path / "p.html")
    screen = open_page(browser_page, tmp_path / "p.html")
    drawn = screen.locator("tr.step").count()
    assert 0 < drawn < len(steps) == count(screen, "#shown-count")
    screen.click("#show-more")
    assert screen.locator("tr.step").count() > drawn

    screen.select_option("#sort", "members")
    first = screen.eval_on_selector_all("tr.step", "rows => rows.slice(0, 2).map(row => row.dataset.planLine)")
    assert first == [str(steps[-2].line), str(steps[-1].line)]  # the largest group, its transfer first

    screen.select_option("#filter-owner", "tencent:owner1")
    owned = [step for step in steps if step.planned_on["owner"] == "owner1"]
    assert count(screen, "#shown-count") == len(owned)
    screen.click("#reject-shown")
    assert count(screen, "#approved-count") == len(steps) - len(owned)
    screen.select_option("#filter-action", "transfer")
    screen.click("#approve-shown")  # owner1's transfers again: every one, drawn or not
    assert count(screen, "#approved-count") == len(steps) - len(owned) // 2
    screen.select_option("#filter-action", "")
    screen.select_option("#filter-owner", "")
    screen.fill("#search", "@TGS#13")
    assert count(screen, "#shown-count") == 2 * 11  # @TGS#13 and @TGS#130-139
    lines = json.loads(
        screen.evaluate("JSON.stringify([...document.querySelectorAll('tr.step')].map(r => r.className))")
    )
    assert lines.count("step rejected") == 5  # the removals of 13, 130, 133, 136, 139: owner1's
    assert browser_page.errors == []
