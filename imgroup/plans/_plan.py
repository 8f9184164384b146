"""A plan file: JSON Lines a person reads, diffs and edits before anything happens.

The first line is the header (what was asked, when, on which apps, what the vendors cannot show); every
other line is one step, with the facts it was planned on::

    {"imgroup_plan": 1, "id": "...", "kind": "offboard", "created_at": "...", "asked": {...}, "apps": {...}, ...}
    {"action": "transfer", "group": "tencent:@TGS#1", "name": "Sales", "user": "tencent:alice",
     "successor": "tencent:bob", "planned_on": {"owner": "alice", "member_count": 12, "role": "owner"}}

Deleting a step's line is how a reviewer says no; blank lines and lines starting with ``#`` are skipped, so a
step may also be commented out. Steps are checked when read; the first bad line stops with its number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen

from imgroup.groups import GroupRef, RefError, UserRef

FORMAT_VERSION = 1
ACTIONS = ("disband", "transfer", "remove_manager", "remove_member")
# The order of a group's steps: ownership moves before its old owner is removed.
ACTION_ORDER = {action: rank for rank, action in enumerate(("transfer", "disband", "remove_manager", "remove_member"))}
FACTS = ("owner", "member_count", "role", "name")


class PlanError(Exception):
    """A plan file that cannot be read or breaks the format; ``line`` is 1-based (None: the whole file)."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"{path}, line {line}: {problem}" if line is not None else f"{path}: {problem}")


@frozen
class Step:
    """One thing to do to one group: ``action`` on ``group`` (for ``user``, handing over to ``successor``).

    ``planned_on`` holds the facts the step was planned on; the step is skipped when they no longer hold.
    ``app`` names the vendor app the group is on when it is not the plan's one (the header's ``apps``): a plan
    across several apps of a vendor, applied by workers (``imgroup.workers``). ``tenant`` names the tenant of a
    Feishu store app the group is in (a plan across tenants); None: the app's own, as before.
    """

    action: str
    group: GroupRef
    user: UserRef | None = None
    successor: UserRef | None = None
    name: str | None = None
    planned_on: Mapping[str, Any] = field(factory=dict)
    line: int = 0
    app: str | None = None
    tenant: str | None = None

    @property
    def vendor(self) -> str:
        return self.group.vendor

    @property
    def key(self) -> str:
        """Names the step in the journal and the report: ``remove_member tencent:@TGS#1 tencent:alice``."""
        return " ".join(part for part in (self.action, str(self.group), str(self.user or "")) if part)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"action": self.action, "group": str(self.group)}
        if self.name is not None:
            document["name"] = self.name
        if self.user is not None:
            document["user"] = str(self.user)
        if self.successor is not None:
            document["successor"] = str(self.successor)
        document["planned_on"] = dict(self.planned_on)
        if self.app is not None:
            document["app"] = self.app
        if self.tenant is not None:
            document["tenant"] = self.tenant
        return document


@frozen
class Plan:
    """A header and its steps, in file order."""

    header: Mapping[str, Any]
    steps: tuple[Step, ...]

    @property
    def id(self) -> str:
        return str(self.header["id"])

    def vendors(self) -> list[str]:
        return sorted({step.vendor for step in self.steps})


def write_plan(path: Path, header: Mapping[str, Any], steps: Iterable[Step], *, overwrite: bool = True) -> Plan:
    """Write a plan (header first, one step a line) and return it as read back; FileExistsError when ``path``
    exists and not ``overwrite``."""
    steps = tuple(steps)
    with path.open("w" if overwrite else "x", encoding="utf-8") as file:
        file.write(json.dumps({**header, "steps": len(steps)}, ensure_ascii=False) + "\n")
        for step in steps:
            file.write(json.dumps(step.to_json(), ensure_ascii=False) + "\n")
    return read_plan(path)


def read_plan(path: Path) -> Plan:
    """Read and check a plan; raises PlanError naming the first bad line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PlanError(path, None, f"cannot read it ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")  # an editor may have added a byte-order mark
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); a plan is JSON Lines"
        raise PlanError(path, raw[: error.start].count(b"\n") + 1, problem) from None
    # Lines end at "\n" only: a group's name may hold other characters str.splitlines() breaks at (U+2028).
    lines = [(number, line) for number, line in enumerate(text.split("\n"), 1) if _is_content(line)]
    if not lines:
        raise PlanError(path, None, "it is empty: a plan starts with its header line")
    (header_line, header_text), *step_lines = lines
    header = _object(path, header_line, header_text)
    if header.get("imgroup_plan") != FORMAT_VERSION or not isinstance(header.get("id"), str):
        raise PlanError(path, header_line, f"not a plan header (expected imgroup_plan: {FORMAT_VERSION} and an id)")
    steps: list[Step] = []
    seen: dict[str, int] = {}
    for number, line in step_lines:
        step = _step(path, number, _object(path, number, line))
        if step.key in seen:
            raise PlanError(path, number, f"the same step as line {seen[step.key]} ({step.key})")
        seen[step.key] = number
        steps.append(step)
    return Plan(header, tuple(steps))


def file_digest(path: Path) -> str:
    """The SHA-256 of a plan file's bytes, in hex: the review page shows the one of the plan it saves."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_step(source: str, line: int, document: dict[str, Any]) -> Step:
    """A step from its JSON (as ``Step.to_json`` writes it), checked as a plan's line is; PlanError names
    ``source`` and ``line``."""
    return _step(source, line, document)


def chains(steps: Iterable[Step]) -> Iterator[list[Step]]:
    """The steps grouped by group, each group's steps in the order they must run, groups in file order."""
    by_group: dict[GroupRef, list[Step]] = {}
    for step in steps:
        by_group.setdefault(_without_options(step.group), []).append(step)
    for group_steps in by_group.values():
        yield sorted(group_steps, key=lambda step: (ACTION_ORDER[step.action], step.line))


def _without_options(ref: GroupRef) -> GroupRef:
    return GroupRef(ref.vendor, ref.id)


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _object(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise PlanError(path, number, f"not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(document, dict):
        raise PlanError(path, number, "a plan line is a JSON object")
    return document


def _step(path: Path | str, number: int, document: dict[str, Any]) -> Step:
    def fail(problem: str) -> PlanError:
        return PlanError(path, number, problem)

    unknown = set(document) - {"action", "group", "name", "user", "successor", "planned_on", "app", "tenant"}
    if unknown:
        raise fail(f"unknown fields {sorted(unknown)}")
    action = document.get("action")
    if action not in ACTIONS:
        raise fail(f"action must be one of {', '.join(ACTIONS)} (got {action!r})")
    try:
        group = GroupRef.parse(_text(document, "group", fail))
        user = UserRef.parse(document["user"]) if document.get("user") is not None else None
        successor = UserRef.parse(document["successor"]) if document.get("successor") is not None else None
    except (RefError, AttributeError) as error:
        raise fail(str(error)) from None
    if action != "disband" and user is None:
        raise fail(f"a {action} step names its user")
    if (action == "transfer") != (successor is not None):
        raise fail("a transfer step, and only a transfer step, names its successor")
    for person in (user, successor):
        if person is not None and person.vendor != group.vendor:
            raise fail(f"{person} is not on {group.vendor}, the group's vendor")
    planned_on = document.get("planned_on", {})
    if not isinstance(planned_on, dict) or set(planned_on) - set(FACTS):
        raise fail(f"planned_on is an object of {', '.join(FACTS)}")
    count = planned_on.get("member_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise fail("planned_on.member_count is a whole number")
    app = document.get("app")
    if app is not None and (not isinstance(app, str | int) or isinstance(app, bool) or not str(app)):
        raise fail("app names the vendor app the group is on (its id)")
    tenant = document.get("tenant")
    if tenant is not None and (not isinstance(tenant, str) or not tenant):
        raise fail("tenant names the store app's tenant the group is in (its tenant_key)")
    if tenant is not None and group.vendor != "feishu":
        raise fail(f"tenant is for a Feishu store app's groups, not {group.vendor}'s")
    name = document.get("name")
    return Step(
        action, group, user, successor, name if isinstance(name, str) else None, planned_on, number,
        None if app is None else str(app), tenant,
    )  # fmt: skip


def _text(document: dict[str, Any], key: str, fail: Callable[[str], PlanError]) -> str:
    value = document.get(key)
    if not isinstance(value, str):
        raise fail(f"{key} must be a string")
    return value
