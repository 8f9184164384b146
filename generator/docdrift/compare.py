"""Lists, as typed differences, how a page and the spec operation it documents disagree.

Only what the page states is compared: a page without an error table, a rate limit, a method or a
parameter section says nothing there, and nothing there can drift. Nested fields are compared by their
dotted paths (``configuration.join_mode``), an object's fields only where the page lists some of them: a page
that lists ``configuration`` alone says nothing of its fields. A page that lists nested fields flat (Tencent's
get_group_info names the filters of ``ResponseFilter`` as rows of their own) is read by the spec: a name that
only one nested field of the spec ends with is that field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from .model import Location, Page, PageParam
from .readers.nesting import parent_of
from .spec_model import SpecOperation
from .text import canonical_message, canonical_path


class Kind(str, Enum):
    """What changed."""

    OLDER_ROUTE = "older route documented"
    METHOD_CHANGED = "method changed"
    PATH_CHANGED = "path changed"
    RATE_LIMIT_CHANGED = "rate limit changed"
    PARAM_ADDED = "parameter added"
    PARAM_REMOVED = "parameter removed"
    PARAM_REQUIRED_CHANGED = "parameter required-ness changed"
    PARAM_TYPE_CHANGED = "parameter type changed"
    PARAM_BOUNDS_CHANGED = "parameter bounds changed"
    CODE_ADDED = "error code added"
    CODE_REMOVED = "error code removed"
    CODE_STATUS_CHANGED = "error code HTTP status changed"
    CODE_MESSAGE_CHANGED = "error code message changed"


@dataclass(frozen=True)
class Difference:
    """One disagreement: ``subject`` names the thing (a code, ``query member_id_type``); ``ours`` is the
    spec's value, ``page`` the page's (None where one side has nothing)."""

    kind: Kind
    subject: str
    ours: object = None
    page: object = None


# The kinds ``check-docs --write`` can carry into a spec (a parameter only as a request-body field, at any
# depth); the rest need a person.
WRITABLE_CODES = frozenset({Kind.CODE_ADDED, Kind.CODE_STATUS_CHANGED, Kind.CODE_MESSAGE_CHANGED})


def is_writable(difference: Difference) -> bool:
    """Whether ``check-docs --write`` carries ``difference`` into the spec."""
    if difference.kind is Kind.PARAM_ADDED:
        return difference.subject.startswith(f"{Location.BODY.value} ")
    return difference.kind in WRITABLE_CODES


def is_known(difference: Difference) -> bool:
    """Whether the spec already records ``difference``: the page documents an older route the spec keeps, so
    ``check-docs`` reports it without failing (``--strict`` fails on it too)."""
    return difference.kind is Kind.OLDER_ROUTE


def compare(page: Page, operation: SpecOperation, operations: Sequence[SpecOperation] = ()) -> list[Difference]:
    """Every difference between ``page`` and ``operation``: an older route, endpoint, rate limit, parameters,
    error codes. ``operations`` (the specs' others) name the current route when ``operation`` is an older one."""
    return (
        _older_route(operation, operations)
        + _endpoint(page, operation)
        + _rate_limit(page, operation)
        + _params(page, operation)
        + _errors(page, operation)
    )


def _older_route(operation: SpecOperation, operations: Sequence[SpecOperation]) -> list[Difference]:
    """A page documenting a route the spec keeps only as the older route of another operation has drifted,
    however well it agrees with that route: the vendor documents the current one elsewhere."""
    if operation.older_route_of is None:
        return []
    current = next(
        (
            op
            for op in operations
            if op.operation_id == operation.older_route_of and op.spec_file == operation.spec_file
        ),
        None,
    )
    where = "unknown (no such operation in the spec)"
    if current is not None:
        where = f"{current.method} {current.path}" + (f" per {current.doc_page}" if current.doc_page else "")
    older = f"{operation.method} {operation.path}"
    return [Difference(Kind.OLDER_ROUTE, operation.older_route_of, where, older)]


def _endpoint(page: Page, operation: SpecOperation) -> list[Difference]:
    found = []
    if page.method is not None and page.method != operation.method:
        found.append(Difference(Kind.METHOD_CHANGED, operation.operation_id, operation.method, page.method))
    if page.path is not None and canonical_path(page.path) != canonical_path(operation.path):
        found.append(Difference(Kind.PATH_CHANGED, operation.operation_id, operation.path, page.path))
    return found


def _rate_limit(page: Page, operation: SpecOperation) -> list[Difference]:
    if page.rate_limit is None or page.rate_limit == operation.rate_limit:
        return []
    return [Difference(Kind.RATE_LIMIT_CHANGED, operation.operation_id, operation.rate_limit, page.rate_limit)]


def _params(page: Page, operation: SpecOperation) -> list[Difference]:
    found = []
    for location in Location:
        if location not in page.params:
            continue
        ours = _by_name(operation.params.get(location, []), operation.signature_params)
        theirs = _placed(_by_name(page.params[location], operation.signature_params), ours)
        objects = {ancestor for name in theirs for ancestor in _ancestors(name)}
        for name, param in theirs.items():
            subject = f"{location.value} {name}"
            if name not in ours:
                found.append(Difference(Kind.PARAM_ADDED, subject, None, param))
                continue
            found.extend(_param_changes(subject, ours[name], param))
        found.extend(
            Difference(Kind.PARAM_REMOVED, f"{location.value} {name}", param, None)
            for name, param in ours.items()
            if name not in theirs and name not in objects and parent_of(name) in objects | {""}
        )
    return found


def _by_name(params: list[PageParam], signature: frozenset[str]) -> dict[str, PageParam]:
    return {param.name: param for param in params if param.name.lower() not in signature}


def _placed(theirs: dict[str, PageParam], ours: dict[str, PageParam]) -> dict[str, PageParam]:
    """The page's fields, a top-level name the spec lacks renamed to the one nested field that ends with it."""
    placed = {}
    for name, param in theirs.items():
        nested = [path for path in ours if path.endswith(f".{name}")] if "." not in name and name not in ours else []
        if len(nested) == 1 and nested[0] not in theirs:
            name, param = nested[0], replace(param, name=nested[0])
        placed[name] = param
    return placed


def _ancestors(path: str) -> list[str]:
    """``a`` and ``a.b`` for ``a.b.c``: the objects a nested field's page entry shows the page documents."""
    parts = path.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _param_changes(subject: str, ours: PageParam, theirs: PageParam) -> list[Difference]:
    found = []
    if ours.required != theirs.required:
        found.append(Difference(Kind.PARAM_REQUIRED_CHANGED, subject, ours.required, theirs.required))
    if theirs.type is not None and ours.type != theirs.type:
        found.append(Difference(Kind.PARAM_TYPE_CHANGED, subject, ours.type, theirs.type))
    page_bounds = (theirs.minimum, theirs.maximum)
    if page_bounds != (None, None) and page_bounds != (ours.minimum, ours.maximum):
        found.append(Difference(Kind.PARAM_BOUNDS_CHANGED, subject, (ours.minimum, ours.maximum), page_bounds))
    return found


def describe(param: PageParam) -> str:
    """``required string``: how a parameter is listed in a report."""
    words = ["required" if param.required else "optional"]
    if param.type:
        words.append(param.type)
    return " ".join(words)


def _errors(page: Page, operation: SpecOperation) -> list[Difference]:
    if page.errors is None:
        return []
    ours = {int(row["code"]): row for row in operation.errors}
    found = []
    for row in page.errors:
        subject = str(row.code)
        if row.code not in ours:
            found.append(Difference(Kind.CODE_ADDED, subject, None, row))
            continue
        spec_row = ours[row.code]
        if row.http_status is not None and row.http_status != spec_row.get("http_status"):
            found.append(Difference(Kind.CODE_STATUS_CHANGED, subject, spec_row.get("http_status"), row.http_status))
        if canonical_message(row.message) != canonical_message(str(spec_row.get("message", ""))):
            found.append(Difference(Kind.CODE_MESSAGE_CHANGED, subject, spec_row.get("message"), row.message))
    listed = {row.code for row in page.errors}
    found.extend(
        Difference(Kind.CODE_REMOVED, str(code), row.get("message"), None)
        for code, row in ours.items()
        if code not in listed
    )
    return found
