"""What a plan is and what its apply did: the per-vendor summary of ``plan show``, and the apply's report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from imgroup._plural import counted
from imgroup.jobs import Entry, write_rows

from ._plan import ACTIONS, Plan, Step

REPORT_COLUMNS = (
    "line", "vendor", "action", "group", "name", "user", "successor", "status", "already_done", "code", "category",
    "message", "request_id",
)  # fmt: skip


def describe(plan: Plan) -> list[str]:
    """``plan show``: what was asked, on which apps, what the vendors cannot show, and steps per vendor."""
    header = plan.header
    lines = [f"plan {plan.id}: {header.get('kind')}, made {header.get('created_at')}"]
    asked = header.get("asked") or {}
    lines.append("  asked: " + ", ".join(f"{name}={_shown(value)}" for name, value in asked.items()))
    for vendor, app in sorted((header.get("apps") or {}).items()):
        lines.append(f"  {vendor} app: {app}")
    inventory = header.get("inventory") or {}
    if not isinstance(inventory, dict):
        lines.append(f"  from the inventory: {_shown(inventory)}")
    for vendor, fresh in sorted(inventory.items() if isinstance(inventory, dict) else ()):
        if not isinstance(fresh, dict):  # a header written by hand or by another tool: shown as given
            lines.append(f"  from the inventory on {vendor}: {_shown(fresh)}")
            continue
        lines.append(
            f"  from the inventory on {vendor}: last full sync {fresh.get('last_full_sync') or 'never'}, "
            f"last event {fresh.get('last_event') or 'none'}"
        )
    for vendor, note in sorted((header.get("cannot_see") or {}).items()):
        lines.append(f"  not seen on {vendor}: {note}")
    for vendor, groups in sorted((header.get("unreadable") or {}).items()):
        first, why = next(iter(groups.items()))
        lines.append(
            f"  could not read on {vendor}: {counted(len(groups), 'group')}"
            f" (the plan's header lists them), e.g. {first}: {why}"
        )
    if not_found := header.get("not_found"):
        lines.append(f"  left out, no such user on their vendor: {_shown(not_found)}")
    for vendor, app, tenants in _tenants_covered(header):
        lines.append(f"  {vendor} app {app}, {counted(len(tenants), 'tenant')}: {', '.join(tenants)}")
    counts = Counter((step.vendor, step.action) for step in plan.steps)
    lines.append(f"  {counted(len(plan.steps), 'step')}" + (":" if plan.steps else ""))
    for vendor in plan.vendors():
        per_action = ", ".join(f"{counts[vendor, action]} {action}" for action in ACTIONS if counts[vendor, action])
        lines.append(f"    {vendor}: {per_action}")
    planned = header.get("steps")
    if isinstance(planned, int) and planned != len(plan.steps):
        lines.append(f"  {planned - len(plan.steps)} of the {planned} planned steps were removed by hand")
    return lines


def _tenants_covered(header: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    """The header's ``tenants`` (a plan across a store app's tenants) as (vendor, app, tenant keys)."""
    apps = header.get("apps") or {}
    return [
        (vendor, str(apps.get(vendor)), list(keys)) for vendor, keys in sorted((header.get("tenants") or {}).items())
    ]


def outcome_summary(counts: Mapping[str, int]) -> str:
    """One line: how many steps are done (already done among them), skipped, failed and not run."""
    total = sum(counts.get(status, 0) for status in ("pending", "in_flight", "done", "failed", "skipped"))
    left = counts.get("pending", 0) + counts.get("in_flight", 0)
    text = f"{counted(total, 'step')}: {counts.get('done', 0)} done ({counts.get('already_gone', 0)} already done)"
    text += f", {counts.get('skipped', 0)} skipped (changed since plan), {counts.get('failed', 0)} failed"
    return text + (f", {left} not run" if left else "")


def report_row(step: Step, entry: Entry) -> dict[str, Any]:
    outcome = entry.outcome
    return {
        "line": step.line,
        "vendor": step.vendor,
        "action": step.action,
        "group": str(step.group),
        "name": step.name,
        "user": str(step.user) if step.user else None,
        "successor": str(step.successor) if step.successor else None,
        "status": entry.status,
        "already_done": outcome.already_gone,
        "code": outcome.code,
        "category": outcome.category,
        "message": outcome.message,
        "request_id": outcome.request_id,
    }


def write_report(path: Path, plan: Plan, entries: Iterable[Entry]) -> int:
    """Every step's latest outcome, as CSV or JSON Lines (chosen by the extension); returns how many."""
    steps = {step.key: step for step in plan.steps}
    return write_rows(
        path, REPORT_COLUMNS, (report_row(steps[entry.key], entry) for entry in entries if entry.key in steps)
    )


def _shown(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value) or "-"
    return str(value)
