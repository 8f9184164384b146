"""View objects: everything our templates lay out, computed here so the templates stay thin.

Names of generated modules, models and fields come from openapi-python-client's own parse of the spec (so the
facade calls exactly what the tool generated); constraints, catalogues and signers come from our reading of
the document (generator.spec), since the tool drops what it does not use.
"""

from __future__ import annotations

from typing import Any

import attrs
from openapi_python_client import strings
from openapi_python_client.parser.openapi import Endpoint, GeneratorData
from openapi_python_client.parser.properties import ModelProperty
from openapi_python_client.parser.properties.list_property import ListProperty

from .spec import ErrorRow, OperationSpec, Pagination, SpecError, VendorSpec

# What each signer asks of the caller: name, annotation, default, and an example for docstrings.
CREDENTIALS: dict[str, tuple[tuple[str, str, str | None, str | None], ...]] = {
    "feishu_tenant_token": (
        ("app_id", "str | None", "None", '"cli_a1b2c3"'),
        ("app_secret", "str | None", "None", 'os.environ["FEISHU_APP_SECRET"]'),
        ("user_access_token", "str | None", "None", None),
        ("app_type", "str", '"custom"', None),
        ("tickets", "feishu_tenant_token.TicketStore | str | None", "None", None),
        ("tenant_key", "str | None", "None", None),
        ("ticket_wait_s", "float", "feishu_tenant_token.DEFAULT_TICKET_WAIT_S", None),
    ),
    "tencent_usersig": (
        ("sdkappid", "int", None, "1400000000"),
        ("secret_key", "str", None, 'os.environ["TENCENT_IM_SECRET_KEY"]'),
        ("identifier", "str", '"administrator"', None),
        ("usersig_ttl", "int", "86400", None),
    ),
    "yunxin_checksum": (
        ("app_key", "str", None, '"your-app-key"'),
        ("app_secret", "str", None, 'os.environ["YUNXIN_APP_SECRET"]'),
    ),
}

# The settings each signer reads (name, secret, integer), which of them exclude each other, and which must be set.
SIGNER_SETTINGS: dict[
    str, tuple[tuple[tuple[str, bool, bool], ...], tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]
] = {
    "feishu_tenant_token": (
        (
            ("app_id", False, False),
            ("app_secret", True, False),
            ("user_access_token", True, False),
            # A store app: its type, the tenant it acts in, and the ticket store's SQLite file.
            ("app_type", False, False),
            ("tenant_key", False, False),
            ("tickets", False, False),
        ),
        (("user_access_token",), ("app_id", "app_secret")),
        (("app_id", "app_secret"), ("user_access_token",)),
    ),
    "tencent_usersig": (
        (("sdkappid", False, True), ("secret_key", True, False), ("identifier", False, False)),
        (),
        (("sdkappid", "secret_key"),),
    ),
    "yunxin_checksum": (
        (("app_key", False, False), ("app_secret", True, False)),
        (),
        (("app_key", "app_secret"),),
    ),
}

# Fields of the response envelopes: what is left of a 200 schema after these is the operation's own answer.
ENVELOPE_FIELDS = frozenset({"code", "msg", "data", "ActionStatus", "ErrorCode", "ErrorInfo"})
# Header parameters our signers fill themselves, never asked of the caller.
SIGNER_HEADERS = frozenset({"x-custom-traceid"})
# openapi-python-client appends "_" to a name that shadows a builtin or keyword (`Next` -> `next_`); a facade
# argument gets a readable name instead, chosen here once for every vendor. A name not listed fails generation.
RENAMED_ARGUMENTS = {"next_": "next_cursor", "type_": "kind", "from_": "sender", "id_": "identifier"}


@attrs.frozen
class Argument:
    """One keyword (or positional, for path parameters) argument of a client method."""

    python_name: str  # the clients' name for it
    wire_name: str
    location: str  # path, query, header or body
    annotation: str
    required: bool
    rules: dict[str, Any]
    description: str
    objects: bool = False  # an object (or a list of objects): sent as plain dicts

    @property
    def signature(self) -> str:
        return f"{self.python_name}: {self.annotation}" + ("" if self.required else " | None = None")

    @property
    def value(self) -> str:
        """The expression that puts the argument on the wire (lists and mappings copied, so later changes by
        the caller cannot alter a request already prepared)."""
        name = self.python_name
        if self.objects and self.annotation.startswith("Sequence["):
            return f"[dict(item) for item in {name}]"
        if self.objects:
            return f"dict({name})"
        if self.annotation.startswith("Sequence["):
            return f"list({name})"
        if self.location in ("path", "header"):
            return f"str({name})"
        return name


@attrs.frozen
class PaginationView:
    """How an operation's iterator pages: which facade arguments it fills, which answer fields it reads."""

    iterator: str
    style: str  # cursor, offset or cursor_or_offset
    items_attribute: str  # the result model's attribute holding a page's items
    item_annotation: str
    item_class: str | None
    item_module: str | None
    page_size_argument: str | None  # facade argument names
    cursor_argument: str | None
    offset_argument: str | None
    next_cursor: str | None  # wire names of answer fields
    has_more: str | None
    total: str | None
    max_page_size: int | None
    first_cursor: Any


@attrs.frozen
class OperationView:
    """One operation as the facade, the error table and the operation table present it."""

    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    path_arguments: tuple[Argument, ...]
    keyword_arguments: tuple[Argument, ...]
    has_body: bool
    result_class: str | None
    result_module: str | None
    result_from_data: bool
    result_fields: dict[str, tuple[dict[str, Any], bool]]  # wire name -> (rules, required), checked on answers
    removes_group: bool
    already_done_codes: tuple[int, ...]
    done_on_retry_codes: tuple[int, ...]
    pagination: PaginationView | None
    signed: bool  # False where the spec says `security: []` (the token endpoint itself)
    rate_limit_per_second: int | None
    rate_limit_per_minute: int | None
    doc_page: str
    error_rows: tuple[ErrorRow, ...]
    cli_positional: tuple[str, ...] = ()
    cli_example: str | None = None

    @property
    def arguments(self) -> tuple[Argument, ...]:
        return self.path_arguments + self.keyword_arguments

    def located(self, location: str) -> tuple[Argument, ...]:
        """The arguments sent in ``location`` (query, header or body)."""
        return tuple(a for a in self.keyword_arguments if a.location == location)

    @property
    def url_expression(self) -> str:
        """The request path as a Python f-string, each path parameter percent-encoded."""
        url = self.path.replace("{", "{{").replace("}", "}}")
        for argument in self.path_arguments:
            url = url.replace("{{" + argument.wire_name + "}}", "{quote(" + argument.value + ', safe="")}')
        return "f" + repr(url) if self.path_arguments else repr(self.path)

    @property
    def has_optional(self) -> bool:
        return any(not a.required for a in self.arguments)

    @property
    def iterator_arguments(self) -> tuple[Argument, ...]:
        """The arguments an iterator passes on as given: all but those it fills page after page."""
        paging = self.pagination
        if paging is None:
            return ()
        filled = {paging.page_size_argument, paging.cursor_argument, paging.offset_argument}
        return tuple(a for a in self.arguments if a.python_name not in filled)

    def positional(self, argument: Argument) -> bool:
        """Whether the method (path parameters) or the command line (``x-cli.positional``) takes it positionally."""
        return argument.location == "path" or argument.python_name in self.cli_positional

    @property
    def filled(self) -> tuple[str, ...]:
        """The arguments the iterator fills page after page."""
        paging = self.pagination
        if paging is None:
            return ()
        names = (paging.page_size_argument, paging.cursor_argument, paging.offset_argument)
        return tuple(name for name in names if name is not None)

    @property
    def answers_nothing(self) -> bool:
        return self.removes_group or self.result_class is None

    @property
    def class_name(self) -> str:
        """The name of the method class in the operation's module (``Async`` + it for the async client)."""
        return str(strings.ClassName(self.operation_id, ""))

    @property
    def annotations(self) -> str:
        """Every annotation of the operation's methods, for deciding what its module imports."""
        return " ".join(a.annotation for a in self.arguments)

    @property
    def return_annotation(self) -> str:
        if self.removes_group:
            return "Disbanded"
        return self.result_class or "None"


@attrs.frozen
class ErrorCodeView:
    """One code of the merged lookup table: the first documented row, and every operation documenting it."""

    row: ErrorRow
    operations: tuple[str, ...]


@attrs.frozen
class OwnRowView:
    """An operation's own row for a code: the fields in which it differs from the code's merged row."""

    code: int
    changes: tuple[tuple[str, object], ...]


@attrs.frozen
class PackageView:
    """Everything about one vendor package that our templates need."""

    spec_name: str
    vendor: str
    package: str
    client: str
    async_client: str
    error_root: str
    envelope: str
    success_codes: tuple[int, ...]
    request_id_headers: tuple[str, ...]
    default_base_url: str
    regions: dict[str, str]
    operations: tuple[OperationView, ...]
    error_codes: tuple[ErrorCodeView, ...]
    operation_error_codes: tuple[tuple[str, tuple[OwnRowView, ...]], ...]
    """Each operation whose page words a code its own way (another meaning, other advice): those rows."""

    title: str
    env_prefix: str
    signer: str  # the signer of the spec's root security requirement: a module of imgroup.runtime.signers
    token_operation: str | None  # the operation that obtains credentials (``security: []``), if the signer needs one
    store_app_operations: dict[str, str]  # a store app's credential operations, by x-imgroup-credential role

    def operation(self, operation_id: str) -> OperationView:
        return next(op for op in self.operations if op.operation_id == operation_id)

    @property
    def credential_parameters(self) -> tuple[str, ...]:
        return tuple(
            f"{name}: {annotation}" + (f" = {default}" if default else "")
            for name, annotation, default, _ in CREDENTIALS[self.signer]
        )

    @property
    def credential_names(self) -> tuple[str, ...]:
        return tuple(name for name, *_ in CREDENTIALS[self.signer])

    @property
    def settings(self) -> tuple[tuple[str, str, bool, bool], ...]:
        """Every setting of the client: (name, environment variable, secret, integer)."""
        fields = list(SIGNER_SETTINGS[self.signer][0])
        if self.regions:
            fields.append(("region", False, False))
        fields.append(("base_url", False, False))
        return tuple((name, f"{self.env_prefix}_{name.upper()}", secret, integer) for name, secret, integer in fields)

    @property
    def setting_alternatives(self) -> tuple[tuple[str, ...], ...]:
        # A region is no alternative to a base URL: the client takes both and the base URL wins, on any layer.
        return SIGNER_SETTINGS[self.signer][1]

    @property
    def required_settings(self) -> tuple[tuple[str, ...], ...]:
        return SIGNER_SETTINGS[self.signer][2]

    @property
    def signer_arguments(self) -> tuple[tuple[str, str], ...]:
        """What the signer's ``build_auth`` takes beyond the credentials: (name, Python expression)."""
        if self.signer == "feishu_tenant_token":
            return (
                ("base_url", "url"),
                ("token_request", "_token_request"),
                ("token_operation", repr(self.token_operation)),
                *((("store_app", "_STORE_APP"),) if self.store_app_operations else ()),
            )
        return ()

    @property
    def credential_example(self) -> str:
        return ", ".join(f"{name}={example}" for name, _, _, example in CREDENTIALS[self.signer] if example)


def build_package_view(spec: VendorSpec, generator_data: GeneratorData, field_prefix: str) -> PackageView:
    """Join the tool's parse with our reading of the spec."""
    endpoints = {
        (str(endpoint.method), endpoint.path.get_untrusted_value()): endpoint
        for collection in generator_data.endpoint_collections_by_tag.values()
        for endpoint in collection.endpoints
    }
    models = {str(model.class_info.name): str(model.class_info.module_name) for model in generator_data.models}
    operations = []
    for op in sorted(spec.operations.values(), key=lambda o: o.operation_id):
        endpoint = endpoints[(op.method, op.path)]
        operations.append(_operation_view(spec, op, endpoint, models, field_prefix))
    merged = _merged_error_codes(spec)
    return PackageView(
        spec_name=spec.path.name,
        vendor=spec.vendor,
        title=spec.title,
        env_prefix=spec.env_prefix,
        package=spec.package,
        client=spec.client,
        async_client=f"Async{spec.client}",
        error_root=spec.error_root,
        envelope=spec.envelope,
        success_codes=spec.success_codes,
        request_id_headers=spec.request_id_headers,
        default_base_url=spec.default_base_url,
        regions=spec.regions,
        operations=tuple(operations),
        error_codes=merged,
        operation_error_codes=_operations_own_rows(spec, merged),
        signer=_primary_signer(spec),
        token_operation=_token_operation(spec, operations),
        store_app_operations={
            op.credential: op.operation_id
            for op in spec.operations.values()
            if op.credential in ("app_token", "store_tenant_token", "app_ticket_resend")
        },
    )


def _token_operation(spec: VendorSpec, operations: list[OperationView]) -> str | None:
    """The operation marked as the tenant token's (``x-imgroup-credential: tenant_token``), else the one unsigned."""
    marked = [op.operation_id for op in spec.operations.values() if op.credential == "tenant_token"]
    if marked:
        return marked[0]
    return next((op.operation_id for op in operations if not op.signed), None)


def _primary_signer(spec: VendorSpec) -> str:
    for requirement in spec.document.get("security") or []:
        for scheme in requirement:
            return spec.signers[scheme]
    return next(iter(spec.signers.values()))


def _text(value: Any) -> str:
    """openapi-python-client wraps spec text in UntrustedString; its str() is not the text."""
    return str(value.get_untrusted_value()) if hasattr(value, "get_untrusted_value") else str(value)


def _operation_view(
    spec: VendorSpec, op: OperationSpec, endpoint: Endpoint, models: dict[str, str], field_prefix: str
) -> OperationView:
    raw_parameters = {(p["in"], p["name"]): p for p in op.raw.get("parameters", [])}
    path_arguments = tuple(
        _argument(p.python_name, _text(p.name), "path", raw_parameters[("path", _text(p.name))]["schema"], True, spec)
        for p in endpoint.path_parameters
    )
    keyword: list[Argument] = []
    for location, parameters in (("query", endpoint.query_parameters), ("header", endpoint.header_parameters)):
        for p in parameters:
            raw = raw_parameters[(location, _text(p.name))]
            if location == "header" and _text(p.name).lower() in SIGNER_HEADERS:
                continue
            keyword.append(_argument(p.python_name, _text(p.name), location, raw["schema"], p.required, spec, raw))
    if endpoint.bodies:
        body = endpoint.bodies[0].prop
        if not isinstance(body, ModelProperty) or body.required_properties is None or body.optional_properties is None:
            raise SpecError(f"{spec.path.name}: {op.operation_id}: the request body must be a named object schema")
        body_schema = spec.schema(op.raw["requestBody"]["content"]["application/json"]["schema"])
        for p in body.required_properties + body.optional_properties:
            raw_property = body_schema["properties"][_text(p.name)]
            nested = p.inner_property if isinstance(p, ListProperty) else p
            objects = isinstance(nested, ModelProperty)
            keyword.append(
                _argument(p.python_name, _text(p.name), "body", raw_property, p.required, spec, raw_property, objects)
            )
    keyword.sort(key=lambda a: not a.required)  # required keywords first reads best in signatures and docs
    names = [a.python_name for a in (*path_arguments, *keyword)]
    if len(set(names)) != len(names):
        raise SpecError(f"{spec.path.name}: {op.operation_id}: two arguments share a Python name: {names}")
    result_class, result_from_data, result_schema = _result_class(spec, op)
    result_fields = {
        name: (_rules(spec.schema(prop), spec), name in result_schema.get("required", []))
        for name, prop in (result_schema.get("properties") or {}).items()
    }
    already_done = op.already_done_codes or ()
    gone = {row.code for row in (*op.error_rows, *spec.error_rows) if row.category == "already_gone"}
    # An operation that answers nothing and counts "the group is gone" as done is one that disbands a group.
    removes_group = result_class is None and any(code in gone for code in already_done)
    arguments = (*path_arguments, *keyword)
    pagination = None
    if op.pagination is not None:
        pagination = _pagination_view(
            spec, op, op.pagination, arguments, result_class, result_schema, models, field_prefix
        )
    return OperationView(
        operation_id=op.operation_id,
        method=op.method.upper(),
        path=op.path,
        summary=str(op.raw.get("summary", "")).strip(),
        description=str(op.raw.get("description", "")).strip(),
        path_arguments=path_arguments,
        keyword_arguments=tuple(keyword),
        has_body=bool(endpoint.bodies),
        result_class=result_class,
        result_module=models.get(result_class) if result_class else None,
        result_from_data=result_from_data,
        result_fields=result_fields,
        removes_group=removes_group,
        already_done_codes=already_done,
        done_on_retry_codes=op.done_on_retry_codes,
        pagination=pagination,
        signed=op.raw.get("security") != [],
        rate_limit_per_second=op.rate_limit_per_second,
        rate_limit_per_minute=op.rate_limit_per_minute,
        doc_page=op.doc_page,
        error_rows=op.error_rows,
        cli_positional=_cli_positional(spec, op, arguments),
        cli_example=op.cli_example,
    )


def _cli_positional(spec: VendorSpec, op: OperationSpec, arguments: tuple[Argument, ...]) -> tuple[str, ...]:
    names = {a.python_name for a in arguments}
    unknown = [name for name in op.cli_positional if name not in names]
    if unknown:
        raise SpecError(f"{spec.path.name}: {op.operation_id}.x-cli.positional names no argument: {unknown}")
    return op.cli_positional


def _pagination_view(
    spec: VendorSpec,
    op: OperationSpec,
    paging: Pagination,
    arguments: tuple[Argument, ...],
    result_class: str | None,
    result_schema: dict[str, Any],
    models: dict[str, str],
    field_prefix: str,
) -> PaginationView:
    where = f"{spec.path.name}: {op.operation_id}.x-pagination"
    by_wire = {a.wire_name: a.python_name for a in arguments}

    def argument(wire: str | None) -> str | None:
        if wire is None:
            return None
        if wire not in by_wire:
            raise SpecError(f"{where}: {wire!r} is not a request field of the operation")
        return by_wire[wire]

    properties = result_schema.get("properties") or {}
    for field in (paging.items, paging.next_cursor, paging.has_more, paging.total):
        if field is not None and field not in properties:
            raise SpecError(f"{where}: {field!r} is not a field of the answer")
    if result_class is None:
        raise SpecError(f"{where}: the operation answers no model to page through")
    items_schema = spec.schema(properties[paging.items])
    if items_schema.get("type") != "array":
        raise SpecError(f"{where}: {paging.items!r} is not a list")
    item_schema = items_schema.get("items", {})
    item_class = item_module = None
    if "$ref" in item_schema:
        item_class = str(strings.ClassName(item_schema["$ref"].rsplit("/", 1)[-1], ""))
        item_module = models[item_class]
    return PaginationView(
        iterator=paging.iterator,
        style=paging.style,
        items_attribute=str(strings.PythonIdentifier(paging.items, field_prefix)),
        item_annotation=item_class or _annotation(spec.schema(item_schema), spec),
        item_class=item_class,
        item_module=item_module,
        page_size_argument=argument(paging.page_size),
        cursor_argument=argument(paging.cursor),
        offset_argument=argument(paging.offset),
        next_cursor=paging.next_cursor,
        has_more=paging.has_more,
        total=paging.total,
        max_page_size=paging.max_page_size,
        first_cursor=paging.first_cursor,
    )


def _argument(
    python_name: str,
    wire_name: str,
    location: str,
    schema: dict[str, Any],
    required: bool,
    spec: VendorSpec,
    described: dict[str, Any] | None = None,
    objects: bool = False,
) -> Argument:
    schema = spec.schema(schema)
    rules = _rules(schema, spec)
    if location == "path":  # an empty path segment would address another endpoint
        rules.setdefault("min_length", 1)
    generated_name = str(python_name)
    facade_name = RENAMED_ARGUMENTS.get(generated_name, generated_name)
    if facade_name.endswith("_"):
        raise SpecError(f"{spec.path.name}: {wire_name!r} needs a readable name in RENAMED_ARGUMENTS")
    annotation = _annotation(schema, spec)
    if objects:
        annotation = "Sequence[Mapping[str, Any]]" if schema.get("type") == "array" else "Mapping[str, Any]"
    return Argument(
        python_name=facade_name,
        objects=objects,
        wire_name=wire_name,
        location=location,
        annotation=annotation,
        required=required,
        rules=rules,
        description=" ".join(str((described or schema).get("description", "")).split()),
    )


_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def _annotation(schema: dict[str, Any], spec: VendorSpec) -> str:
    if schema.get("x-as-string"):
        return "str"
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
    kind = schema.get("type")
    if kind == "array":
        return f"Sequence[{_annotation(spec.schema(schema.get('items', {})), spec)}]"
    return _SCALARS.get(str(kind), "Any")


_RULE_KEYS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minimum": "minimum",
    "maximum": "maximum",
    "minItems": "min_items",
    "maxItems": "max_items",
    "pattern": "pattern",
    "enum": "enum",
}


def _rules(schema: dict[str, Any], spec: VendorSpec) -> dict[str, Any]:
    rules: dict[str, Any] = {"type": schema.get("type", "any")}
    rules.update({ours: schema[theirs] for theirs, ours in _RULE_KEYS.items() if theirs in schema})
    if schema.get("type") == "array" and "items" in schema:
        rules["items"] = _rules(spec.schema(schema["items"]), spec)
    if schema.get("type") == "object" and schema.get("properties"):
        rules["properties"] = {name: _rules(spec.schema(prop), spec) for name, prop in schema["properties"].items()}
        if schema.get("required"):
            rules["required"] = list(schema["required"])
    return rules


def _result_class(spec: VendorSpec, op: OperationSpec) -> tuple[str | None, bool, dict[str, Any]]:
    """The model a successful call answers (the envelope's ``data``, or the top-level fields beside it),
    whether it is read from ``data``, and its schema."""
    content = op.raw["responses"]["200"].get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    if ref is None:
        return None, False, {}
    envelope = spec.schema({"$ref": ref})
    properties = envelope.get("properties", {})
    data_ref = properties.get("data", {}).get("$ref")
    if data_ref is not None:
        data_schema = spec.schema({"$ref": data_ref})
        if data_schema.get("properties"):
            return str(strings.ClassName(data_ref.rsplit("/", 1)[-1], "")), True, data_schema
        return None, True, {}
    if set(properties) - ENVELOPE_FIELDS:
        return str(strings.ClassName(ref.rsplit("/", 1)[-1], "")), False, envelope
    return None, False, {}


def _merged_error_codes(spec: VendorSpec) -> tuple[ErrorCodeView, ...]:
    """One row per code: the vendor-wide row for a vendor-wide code, else the first documenting operation's."""
    documented: dict[int, list[str]] = {}
    first_row: dict[int, ErrorRow] = {row.code: row for row in spec.error_rows}
    for row in spec.error_rows:
        documented.setdefault(row.code, [])
    for op in sorted(spec.operations.values(), key=lambda o: o.operation_id):
        for row in op.error_rows:
            documented.setdefault(row.code, []).append(op.operation_id)
            first_row.setdefault(row.code, row)
    return tuple(ErrorCodeView(first_row[code], tuple(documented[code])) for code in sorted(first_row))


def _operations_own_rows(
    spec: VendorSpec, merged: tuple[ErrorCodeView, ...]
) -> tuple[tuple[str, tuple[OwnRowView, ...]], ...]:
    """Each operation's rows that differ from the merged row of their code, as the fields that differ: a lookup
    for the operation finds its own meaning and advice (and the merged row, vendor-wide where there is one,
    for a code its page does not word its own way)."""
    by_code = {entry.row.code: entry.row for entry in merged}
    fields = [field.name for field in attrs.fields(ErrorRow) if field.name != "code"]
    own = []
    for op in sorted(spec.operations.values(), key=lambda o: o.operation_id):
        rows = []
        for row in sorted(op.error_rows, key=lambda row: row.code):
            changes = tuple(
                (name, getattr(row, name)) for name in fields if getattr(row, name) != getattr(by_code[row.code], name)
            )
            if changes:
                rows.append(OwnRowView(row.code, changes))
        if rows:
            own.append((op.operation_id, tuple(rows)))
    return tuple(own)
