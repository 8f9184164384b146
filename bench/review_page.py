"""Measurement 10: the review page of a 10,000-step plan in headless Chromium: first render, and a filter.

A plan of 10,000 steps over the three vendors (a transfer and a removal per group, one group in four disbanded)
is written with ``imgroup plan review``'s writer and opened from its file, as a reviewer opens it, in Debian's
Chromium (``bench._browser``). First render: from the start of navigation to the first frame after the page
drew its first rows (the page's ``data-first-render``, in the page's own clock). A filter: from setting a
search word, a vendor or an action to the next frame after the rows were redrawn, timed inside the page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ._browser import launch
from ._cli import main
from ._rows import Row, Summary

MEASUREMENT = "10. review page"
STEPS, QUICK_STEPS = 10_000, 300
LOADS, QUICK_LOADS = 5, 1
GOAL_FIRST_RENDER_MS, GOAL_FILTER_MS = 1_000.0, 100.0
# Each filter as a reviewer sets it: a search word typed, a vendor chosen, an action chosen; then all cleared.
FILTERS = (
    ("#search", "input", "team-01"),
    ("#filter-vendor", "change", "yunxin"),
    ("#filter-action", "change", "disband"),
)
TIME_FILTER = """async ([selector, event, value]) => {
  const control = document.querySelector(selector);
  const start = performance.now();
  control.value = value;
  control.dispatchEvent(new Event(event));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const took = performance.now() - start;
  control.value = "";
  control.dispatchEvent(new Event(event));
  return took;
}"""


def write_page(folder: Path, count: int) -> Path:
    """A plan of ``count`` steps (about half as many groups) and its review page; returns the page's path."""
    from imgroup.groups import GroupRef, UserRef
    from imgroup.plans._plan import Step, write_plan
    from imgroup.plans._review import write_review_page

    ids = {"feishu": "oc_bench{:05d}", "tencent": "@TGS#bench{:05d}", "yunxin": "{}?type=1"}
    steps: list[Step] = []
    index = 0
    while len(steps) < count:
        vendor = ("feishu", "tencent", "yunxin")[index % 3]
        group = GroupRef.parse(f"{vendor}:{ids[vendor].format(10_000 + index)}")
        prefix = "ou_" if vendor == "feishu" else ""
        user, heir = UserRef(vendor, f"{prefix}leaver"), UserRef(vendor, f"{prefix}heir")
        facts = {"owner": f"owner{index % 50}", "member_count": index % 200, "role": "owner"}
        name = f"team-{index:05d}"
        if index % 4 == 0:
            steps.append(Step("disband", group, user, name=name, planned_on=facts))
        else:
            steps.append(Step("transfer", group, user, heir, name, facts))
            steps.append(Step("remove_member", group, user, name=name, planned_on=facts))
        index += 1
    header = {"imgroup_plan": 1, "id": f"bench-{count}", "kind": "offboard", "asked": {}, "apps": {}}
    plan_path = folder / "plan.jsonl"
    write_plan(plan_path, header, steps[:count])
    page_path = folder / "plan.review.html"
    write_review_page(plan_path, page_path)
    return page_path


def run(quick: bool) -> list[Row]:
    from playwright.sync_api import sync_playwright

    count, loads = (QUICK_STEPS, QUICK_LOADS) if quick else (STEPS, LOADS)
    first_renders: list[float] = []
    filters: list[float] = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_path = write_page(Path(folder), count)
        browser = launch(playwright)
        try:
            for _ in range(loads):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(page_path.as_uri())
                page.wait_for_selector("body[data-first-render]")
                first_renders.append(float(page.get_attribute("body", "data-first-render") or "nan"))
                filters.extend(float(page.evaluate(TIME_FILTER, list(spec))) for spec in FILTERS)
                context.close()
        finally:
            browser.close()
        size_mib = page_path.stat().st_size / 2**20
    subject = f"{count:,}-step plan ({size_mib:.1f} MiB page), headless Chromium"
    first, filtered = Summary.of(first_renders), Summary.of(filters)
    return [
        Row(
            MEASUREMENT, subject, "first render, from navigation start", "ms", first,
            target=f"< {GOAL_FIRST_RENDER_MS:,.0f} ms", met=first.median < GOAL_FIRST_RENDER_MS,
        ),
        Row(
            MEASUREMENT, subject, "a filter (search, vendor, action) until the next frame", "ms", filtered,
            target=f"< {GOAL_FILTER_MS:,.0f} ms", met=filtered.median < GOAL_FILTER_MS,
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
