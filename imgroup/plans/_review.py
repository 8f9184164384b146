"""The review page: one self-contained HTML file a person opens to approve or reject a plan's steps.

    imgroup plan review alice.jsonl          # writes alice.review.html beside it

The page needs no network (its CSS and JavaScript are inline, from ``review_page/``), so it works from a
``file://`` address and as an e-mail attachment. What can be worked out once is worked out here and written as
HTML (the header, the summary) or as data (the steps, grouped by group in the order they run); the page's
script only shows, filters and exports. Its export is the plan's own text with the rejected step lines
commented out (``#``), which ``read_plan`` skips, so ``imgroup apply`` on it runs exactly the approved steps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from imgroup._plural import counted

from ._plan import ACTIONS, Plan, Step, chains, read_plan

OWNERS_SHOWN = 10
# The header fields the page names; any other is shown as given, under "other header fields".
KNOWN_HEADER = {
    "imgroup_plan", "id", "kind", "created_at", "made_by", "asked", "apps", "tenants", "cannot_see", "unreadable",
    "not_found", "inventory", "steps",
}  # fmt: skip


def default_page_path(plan_path: Path) -> Path:
    """Where ``plan review`` writes the page of ``plan_path`` unless told: ``alice.jsonl`` -> ``alice.review.html``."""
    return plan_path.with_name(f"{plan_path.stem}.review.html")


def write_review_page(plan_path: Path, page_path: Path) -> Plan:
    """Read and check the plan at ``plan_path``, write its review page to ``page_path``; PlanError if unreadable."""
    plan = read_plan(plan_path)
    text = plan_path.read_bytes().decode("utf-8")  # read_plan checked it; the export keeps it byte for byte
    page_path.write_text(review_page(plan, text, plan_path.name), encoding="utf-8")
    return plan


def review_page(plan: Plan, text: str, source_name: str) -> str:
    """The page of ``plan``, whose file (named ``source_name``) holds ``text``."""
    asset = resources.files("imgroup.plans").joinpath("review_page")
    page = asset.joinpath("page.html").read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    parts = {
        "TITLE": escape(f"Review {source_name}"),
        "CSS": asset.joinpath("page.css").read_text(encoding="utf-8"),
        "SCRIPT": asset.joinpath("page.js").read_text(encoding="utf-8"),
        "HEADER": header_html(plan, source_name, digest),
        "SUMMARY": summary_html(plan),
        "FILTERS": filters_html(plan),
        "DATA": script_json(page_data(plan, text, source_name)),
    }
    # One pass: what a part inserts is never searched for another part's mark.
    return re.sub(r"<!--([A-Z]+)-->", lambda mark: parts[mark[1]], page)


def script_json(value: object) -> str:
    """JSON to put inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` in it, so no text of
    the plan can end the script element (``</script>``) or open a comment; JSON.parse reads the escapes back."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page_data(plan: Plan, text: str, source_name: str) -> dict[str, Any]:
    """What the page's script reads: the plan's text (to export), and its groups and steps in the order they run.

    ``groups``: ``[reference, vendor, name, owner (vendor:id), member count]``; ``steps``: ``[line, group index, action,
    user, successor, role]``; missing facts are null.
    """
    groups: list[list[Any]] = []
    rows: list[list[Any]] = []
    for chain in chains(plan.steps):
        first = chain[0]
        groups.append([str(first.group), first.vendor, _name(chain), _owner(first), _fact(first, "member_count")])
        for step in chain:
            user = str(step.user) if step.user else None
            successor = str(step.successor) if step.successor else None
            rows.append([step.line, len(groups) - 1, step.action, user, successor, _fact(step, "role")])
    return {"source": source_name, "text": text, "groups": groups, "steps": rows}


def header_html(plan: Plan, source_name: str, digest: str) -> str:
    """What was asked, by whom and when, on which apps, what was not seen, and which file this page shows."""
    header = plan.header
    facts: list[tuple[str, str]] = [
        ("Plan", f"{_text(header.get('kind'))} <code>{_text(plan.id)}</code>"),
        ("Made", _text(header.get("created_at")) + (f" by {_text(header['made_by'])}" if "made_by" in header else "")),
        ("Asked", _pairs(header.get("asked") or {})),
        ("Apps", _pairs(header.get("apps") or {})),
    ]
    if "tenants" in header:
        facts.append(("Tenants", _value(header["tenants"])))
    for vendor, note in sorted((header.get("cannot_see") or {}).items()):
        facts.append((f"Not seen on {vendor}", _text(note)))
    for vendor, groups in sorted((header.get("unreadable") or {}).items()):
        listed = "".join(f"<li><code>{_text(ref)}</code>: {_text(why)}</li>" for ref, why in groups.items())
        summary = f"{counted(len(groups), 'group')} seen but unreadable"
        facts.append(
            (f"Could not read on {vendor}", f"<details><summary>{summary}</summary><ul>{listed}</ul></details>")
        )
    if header.get("not_found"):
        facts.append(("Left out (no such user)", _value(header["not_found"])))
    inventory = header.get("inventory")
    for vendor, fresh in sorted(inventory.items() if isinstance(inventory, Mapping) else ()):
        if isinstance(fresh, Mapping):  # as offboard and sweep --from-inventory write it
            shown = (
                f"last full sync {_text(fresh.get('last_full_sync') or 'never')}, "
                f"last event {_text(fresh.get('last_event') or 'none')}"
            )
        else:
            shown = _value(fresh)
        facts.append((f"Inventory on {vendor}", shown))
    if inventory is not None and not isinstance(inventory, Mapping):
        facts.append(("Inventory", _value(inventory)))
    facts.append(("File", f"<code>{_text(source_name)}</code>, sha256 <code class='digest'>{digest}</code>"))
    facts.append(("Steps", _steps_fact(plan)))
    others = {key: value for key, value in header.items() if key not in KNOWN_HEADER}
    if others:
        facts.append(("Other header fields", _pairs(others)))
    rows = "".join(f"<dt>{_text(term)}</dt><dd>{value}</dd>" for term, value in facts)
    return f"<dl class='facts'>{rows}</dl>"


def summary_html(plan: Plan) -> str:
    """Steps by vendor and action (approved of planned, kept current by the script), the disbands set apart,
    and the owners whose groups the plan touches most."""
    counts = Counter((step.vendor, step.action) for step in plan.steps)
    actions = [action for action in ACTIONS if any(counts[vendor, action] for vendor in plan.vendors())]
    head = "".join(f"<th scope='col'>{action}</th>" for action in actions)
    body = ""
    for vendor in plan.vendors():
        cells = "".join(_count_cell(vendor, action, counts[vendor, action]) for action in actions)
        body += f"<tr><th scope='row'>{vendor}</th>{cells}</tr>"
    table = (
        "<table class='counts'><caption>Steps approved / planned, by vendor and action</caption>"
        f"<thead><tr><th scope='col'>vendor</th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    return table + _disbands_html(plan.steps) + _owners_html(plan.steps)


def filters_html(plan: Plan) -> str:
    """The options of the vendor, action and owner filters (owners by how many steps touch their groups)."""
    vendors = "".join(f"<option value='{vendor}'>{vendor}</option>" for vendor in plan.vendors())
    present = {step.action for step in plan.steps}
    actions = "".join(f"<option value='{action}'>{action}</option>" for action in ACTIONS if action in present)
    owners = "".join(
        f"<option value='{_text(owner)}'>{_text(owner)} ({count})</option>" for owner, count in _owners(plan.steps)
    )
    return (
        "<label for='filter-vendor'>Vendor</label>"
        f"<select id='filter-vendor'><option value=''>all vendors</option>{vendors}</select>"
        "<label for='filter-action'>Action</label>"
        f"<select id='filter-action'><option value=''>all actions</option>{actions}</select>"
        "<label for='filter-owner'>Group owner</label>"
        f"<select id='filter-owner'><option value=''>all owners</option>{owners}</select>"
    )


def _count_cell(vendor: str, action: str, count: int) -> str:
    if not count:
        return "<td>-</td>"
    return f"<td><span data-approved='{vendor} {action}'>{count}</span> / {count}</td>"


def _disbands_html(steps: Iterable[Step]) -> str:
    by_vendor = Counter(step.vendor for step in steps if step.action == "disband")
    total = sum(by_vendor.values())
    if not total:
        return "<section class='destructive' aria-label='Disbands'><p>No group is disbanded by this plan.</p></section>"
    per_vendor = ", ".join(f"{vendor} {count}" for vendor, count in sorted(by_vendor.items()))
    return (
        "<section class='destructive' aria-label='Disbands'>"
        f"<h2>{counted(total, 'group')} to be disbanded ({per_vendor})</h2>"
        "<p>Disbanding cannot be undone: the group, its members and its history are gone. "
        f"<span id='approved-disbands'>{total}</span> of {total} disbands approved.</p></section>"
    )


def _owners_html(steps: Iterable[Step]) -> str:
    top = _owners(steps)[:OWNERS_SHOWN]
    if not top:
        return ""
    items = "".join(f"<li><code>{_text(owner)}</code>: {counted(count, 'step')}</li>" for owner, count in top)
    return f"<section class='owners' aria-label='Owners most affected'><h2>Owners most affected</h2><ol>{items}</ol></section>"


def _owners(steps: Iterable[Step]) -> list[tuple[str, int]]:
    """Each group owner the plan was made on (``vendor:id``) and how many steps touch their groups, most first."""
    counts = Counter(owner for step in steps if (owner := _owner(step)) is not None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _owner(step: Step) -> str | None:
    owner = step.planned_on.get("owner")
    return f"{step.vendor}:{owner}" if owner is not None else None


def _fact(step: Step, name: str) -> Any:
    return step.planned_on.get(name)


def _name(chain: list[Step]) -> str | None:
    return next((name for step in chain if (name := step.name or step.planned_on.get("name"))), None)


def _steps_fact(plan: Plan) -> str:
    planned = plan.header.get("steps")
    text = counted(len(plan.steps), "step")
    if isinstance(planned, int) and planned != len(plan.steps):
        text += f" ({planned - len(plan.steps)} of the {planned} planned were removed or commented out by hand)"
    return text


def _pairs(values: Mapping[str, Any]) -> str:
    return "; ".join(f"{_text(key)}: {_value(value)}" for key, value in values.items()) or "-"


def _value(value: object) -> str:
    if isinstance(value, Mapping):
        return _pairs(value)
    if isinstance(value, list):
        return ", ".join(f"<code>{_text(item)}</code>" for item in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else _text(value)


def _text(value: object) -> str:
    return escape(str(value), quote=True)
