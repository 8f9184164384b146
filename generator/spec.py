"""Reads one vendor spec: validates it and lifts our ``x-`` extensions into typed objects.

openapi-python-client drops vendor extensions before its templates see them, so the catalogue, rate limits
and signer choice are read here, from the document itself, and handed to our own templates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import yaml

CATEGORIES = (
    "invalid_argument",
    "unauthenticated",
    "permission_denied",
    "not_found",
    "already_gone",
    "failed_precondition",
    "rate_limited",
    "internal",
    "unavailable",
)
SIGNERS = ("feishu_tenant_token", "feishu_user_token", "tencent_usersig", "yunxin_checksum")
ENVELOPES = ("code_msg_data", "action_status")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
VERIFIERS = ("feishu_event", "tencent_callback", "yunxin_checksum")


class SpecError(ValueError):
    """A spec breaks the format described in specs/README.md."""


@attrs.frozen
class ErrorRow:
    """One documented error code."""

    code: int
    http_status: int
    message: str
    description: str
    action: str
    retryable: bool
    category: str
    review: bool = False


@attrs.frozen
class Pagination:
    """How a paginated operation pages (``x-pagination``); field names are the wire names."""

    iterator: str
    items: str
    max_page_size: int | None
    page_size: str | None
    cursor: str | None
    next_cursor: str | None
    offset: str | None
    has_more: str | None
    total: str | None
    first_cursor: Any = None  # what the cursor asks for first (absent: the first request sends none)

    @property
    def style(self) -> str:
        """``cursor``, ``offset``, or ``cursor_or_offset``: the first answer says which (the vendor pages some
        lists by cursor and some by offset, as Tencent pages Community groups' members by Next)."""
        if self.cursor and self.offset:
            return "cursor_or_offset"
        return "cursor" if self.cursor else "offset"


@attrs.frozen
class OperationSpec:
    """What we read about one operation, beside what openapi-python-client parses."""

    operation_id: str
    method: str
    path: str
    rate_limit_per_second: int | None
    rate_limit_per_minute: int | None
    doc_page: str
    error_rows: tuple[ErrorRow, ...]
    pagination: Pagination | None
    already_done_codes: tuple[int, ...]
    done_on_retry_codes: tuple[int, ...]
    cli_positional: tuple[str, ...]  # x-cli.positional: keyword arguments the command line takes positionally
    cli_example: str | None  # x-cli.example: a command a reader can run against `imgroup emulator`
    credential: str | None  # x-imgroup-credential: which credential an unsigned operation obtains for the signer
    raw: dict[str, Any] = attrs.field(repr=False, eq=False)


@attrs.frozen
class EventSpec:
    """One event the vendor pushes (a ``webhooks`` entry with ``x-imgroup-event``)."""

    key: str  # what the envelope names the event by: Feishu's event type, Tencent's CallbackCommand, Yunxin's eventType
    name: str  # its operationId
    schema: str  # the component schema of its (decrypted) body
    envelope: str  # Feishu's envelope: v2, v1 or challenge; empty for the other vendors
    summary: str
    doc_page: str


@attrs.frozen
class SecretSpec:
    """A secret a verifier needs: from an environment variable, or from one of the clients' settings."""

    name: str
    variable: str | None
    setting: str | None


@attrs.frozen
class VerifierSpec:
    """How the vendor's events are verified (``x-imgroup-verifier``)."""

    scheme: str
    app_setting: str  # the setting naming our app (app_id, sdkappid, app_key)
    secrets: tuple[SecretSpec, ...]
    replay_window_seconds: int
    answer_status: int
    answer_body: dict[str, Any]
    doc_page: str


@attrs.frozen
class VendorSpec:
    """One vendor's spec: our extensions plus the raw document."""

    path: Path
    vendor: str
    title: str
    env_prefix: str
    package: str
    client: str
    error_root: str
    envelope: str
    success_codes: tuple[int, ...]
    request_id_headers: tuple[str, ...]
    default_base_url: str
    regions: dict[str, str]
    signers: dict[str, str]
    error_rows: tuple[ErrorRow, ...]
    operations: dict[str, OperationSpec]
    events: tuple[EventSpec, ...]
    verifier: VerifierSpec | None
    document: dict[str, Any] = attrs.field(repr=False, eq=False)

    def schema(self, ref_or_schema: dict[str, Any]) -> dict[str, Any]:
        """Resolve a local ``$ref`` (one level is all our specs use)."""
        ref = ref_or_schema.get("$ref")
        if ref is None:
            return ref_or_schema
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return dict(node)


def load_yaml(text: str) -> Any:
    """YAML's safe subset, parsed by libyaml where PyYAML was built with it: ten times the pure-Python loader's
    speed on our specs, and the same documents (a test compares the two on every spec)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_spec(path: Path, *, validate: bool = True) -> VendorSpec:
    """Load and check a spec, raising SpecError with the offending place named."""
    document = load_yaml(path.read_text(encoding="utf-8"))
    if validate:
        from openapi_spec_validator import validate as validate_openapi

        validate_openapi(document)
    meta = _require(document, "x-imgroup", path.name)
    where = f"{path.name}: x-imgroup"
    envelope = _require(meta, "envelope", where)
    if envelope not in ENVELOPES:
        raise SpecError(f"{where}.envelope: {envelope!r} is not one of {ENVELOPES}")
    return VendorSpec(
        path=path,
        vendor=_require(meta, "vendor", where),
        title=_require(meta, "title", where),
        env_prefix=_require(meta, "env_prefix", where),
        package=_require(meta, "package", where),
        client=_require(meta, "client", where),
        error_root=_require(meta, "error_root", where),
        envelope=envelope,
        success_codes=tuple(int(c) for c in _require(meta, "success_codes", where)),
        request_id_headers=tuple(meta.get("request_id_headers") or ()),
        default_base_url=_require(meta, "default_base_url", where),
        regions=dict(meta.get("regions") or {}),
        signers=_signers(document, path.name),
        error_rows=_error_rows(document.get("x-error-codes") or [], f"{path.name}: x-error-codes"),
        operations=_operations(document, path.name),
        events=_events(document, path.name),
        verifier=_verifier(document.get("x-imgroup-verifier"), f"{path.name}: x-imgroup-verifier"),
        document=document,
    )


def _signers(document: dict[str, Any], where: str) -> dict[str, str]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    signers = {}
    for name, scheme in schemes.items():
        signer = scheme.get("x-imgroup-signer")
        if signer not in SIGNERS:
            raise SpecError(f"{where}: securitySchemes.{name}.x-imgroup-signer {signer!r} is not one of {SIGNERS}")
        signers[name] = signer
    if not signers:
        raise SpecError(f"{where}: no security scheme names an x-imgroup-signer")
    return signers


def _operations(document: dict[str, Any], where: str) -> dict[str, OperationSpec]:
    operations: dict[str, OperationSpec] = {}
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            op_id = _require(operation, "operationId", f"{where}: {method.upper()} {path}")
            place = f"{where}: {op_id}"
            limit = operation.get("x-rate-limit") or {}
            cli = operation.get("x-cli") or {}
            operations[op_id] = OperationSpec(
                operation_id=op_id,
                method=method,
                path=path,
                rate_limit_per_second=limit.get("per_second"),
                rate_limit_per_minute=limit.get("per_minute"),
                doc_page=str(operation.get("x-doc-page", "")),
                error_rows=_error_rows(operation.get("x-error-codes") or [], f"{place}.x-error-codes"),
                pagination=_pagination(operation.get("x-pagination"), f"{place}.x-pagination"),
                already_done_codes=_codes(operation, "x-already-done", document, place),
                done_on_retry_codes=_codes(operation, "x-done-on-retry", document, place),
                cli_positional=tuple(cli.get("positional") or ()),
                cli_example=cli.get("example"),
                credential=_credential(operation, place),
                raw=operation,
            )
    return operations


# What an operation marked ``x-imgroup-credential`` obtains for the Feishu signer: a custom app's tenant token;
# a store app's app token, a tenant's token with it, and a new app_ticket pushed to its event URL.
CREDENTIAL_ROLES = ("tenant_token", "app_token", "store_tenant_token", "app_ticket_resend")


def _credential(operation: dict[str, Any], place: str) -> str | None:
    role = operation.get("x-imgroup-credential")
    if role is not None and role not in CREDENTIAL_ROLES:
        raise SpecError(f"{place}.x-imgroup-credential: {role!r} is not one of {CREDENTIAL_ROLES}")
    return role


def _events(document: dict[str, Any], where: str) -> tuple[EventSpec, ...]:
    events = []
    for hook, item in (document.get("webhooks") or {}).items():
        operation = _require(item, "post", f"{where}: webhooks.{hook}")
        place = f"{where}: webhooks.{hook}.post"
        marker = _require(operation, "x-imgroup-event", place)
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        ref = _require(schema, "$ref", f"{place}.requestBody schema")
        events.append(
            EventSpec(
                key=str(_require(marker, "key", f"{place}.x-imgroup-event")),
                name=_require(operation, "operationId", place),
                schema=str(ref).rsplit("/", 1)[-1],
                envelope=str(marker.get("envelope", "")),
                summary=str(operation.get("summary", "")).strip(),
                doc_page=str(_require(operation, "x-doc-page", place)),
            )
        )
    if events and "x-imgroup-verifier" not in document:
        raise SpecError(f"{where}: webhooks without an x-imgroup-verifier")
    return tuple(events)


def _verifier(raw: Any, where: str) -> VerifierSpec | None:
    if raw is None:
        return None
    scheme = _require(raw, "scheme", where)
    if scheme not in VERIFIERS:
        raise SpecError(f"{where}.scheme: {scheme!r} is not one of {VERIFIERS}")
    secrets = []
    for index, secret in enumerate(raw.get("secrets") or []):
        if ("variable" in secret) == ("setting" in secret):
            raise SpecError(f"{where}.secrets[{index}]: give a variable or a setting, not both or neither")
        secrets.append(SecretSpec(_require(secret, "name", where), secret.get("variable"), secret.get("setting")))
    answer = _require(raw, "answer", where)
    return VerifierSpec(
        scheme=scheme,
        app_setting=str(_require(raw, "app_setting", where)),
        secrets=tuple(secrets),
        replay_window_seconds=int(_require(raw, "replay_window_seconds", where)),
        answer_status=int(_require(answer, "status", f"{where}.answer")),
        answer_body=dict(_require(answer, "body", f"{where}.answer")),
        doc_page=str(_require(raw, "x-doc-page", where)),
    )


_PAGINATION_KEYS = (
    "iterator",
    "items",
    "max_page_size",
    "page_size",
    "cursor",
    "next_cursor",
    "offset",
    "has_more",
    "total",
    "first_cursor",
)


def _pagination(raw: Any, where: str) -> Pagination | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: must be a mapping")
    unknown = set(raw) - set(_PAGINATION_KEYS)
    if unknown:
        raise SpecError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("iterator", "items"):
        _require(raw, key, where)
    if not str(raw["iterator"]).startswith("iter_"):
        raise SpecError(f"{where}.iterator: {raw['iterator']!r} must start with iter_")
    if not raw.get("cursor") and not raw.get("offset"):
        raise SpecError(f"{where}: give cursor (with next_cursor), offset, or both")
    if bool(raw.get("cursor")) != bool(raw.get("next_cursor")):
        raise SpecError(f"{where}: cursor and next_cursor go together")

    def text(key: str) -> str | None:
        return None if raw.get(key) is None else str(raw[key])

    return Pagination(
        iterator=str(raw["iterator"]),
        items=str(raw["items"]),
        max_page_size=None if raw.get("max_page_size") is None else int(raw["max_page_size"]),
        page_size=text("page_size"),
        cursor=text("cursor"),
        next_cursor=text("next_cursor"),
        offset=text("offset"),
        has_more=text("has_more"),
        total=text("total"),
        first_cursor=raw.get("first_cursor"),
    )


def _codes(operation: dict[str, Any], key: str, document: dict[str, Any], place: str) -> tuple[int, ...]:
    """An extension listing codes of the operation's catalogue (or the vendor-wide list)."""
    codes = operation.get(key) or []
    known = {row["code"] for row in (operation.get("x-error-codes") or []) + (document.get("x-error-codes") or [])}
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise SpecError(f"{place}.{key}: {unknown} are not in its catalogue or the vendor-wide list")
    return tuple(int(code) for code in codes)


_ROW_FIELDS = ("code", "http_status", "message", "description", "action", "retryable", "category")


def _error_rows(rows: list[dict[str, Any]], where: str) -> tuple[ErrorRow, ...]:
    seen: set[int] = set()
    parsed = []
    for index, row in enumerate(rows):
        place = f"{where}[{index}]"
        missing = [name for name in _ROW_FIELDS if name not in row]
        if missing:
            raise SpecError(f"{place}: missing {', '.join(missing)}")
        if row["category"] not in CATEGORIES:
            raise SpecError(f"{place}.category: {row['category']!r} is not one of {CATEGORIES}")
        if row["code"] in seen:
            raise SpecError(f"{place}.code: {row['code']} appears twice")
        seen.add(row["code"])
        parsed.append(
            ErrorRow(
                code=int(row["code"]),
                http_status=int(row["http_status"]),
                message=str(row["message"]),
                description=str(row["description"]).strip(),
                action=str(row["action"]).strip(),
                retryable=bool(row["retryable"]),
                category=row["category"],
                review=bool(row.get("review", False)),
            )
        )
    return tuple(parsed)


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise SpecError(f"{where}: missing {key}")
    return mapping[key]
