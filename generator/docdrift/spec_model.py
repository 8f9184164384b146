"""Reads the specs under ``specs/`` into the operations the checker compares pages against."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.spec import load_yaml

from .model import Location, PageParam, RateLimit

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Sent by the signers, not by callers: the specs model them as security schemes (or not at all), pages list them.
SIGNATURE_HEADERS = frozenset({"authorization", "appkey", "nonce", "curtime", "checksum", "content-type"})


@dataclass
class SpecOperation:
    """One operation of one spec file, with what the checker compares."""

    spec_file: Path
    vendor: str
    operation_id: str
    method: str
    path: str
    params: dict[Location, list[PageParam]]
    errors: list[dict[str, Any]]
    rate_limit: RateLimit | None
    doc_page: str | None
    signature_params: frozenset[str] = field(default_factory=frozenset)
    """Lower-case names of parameters a security scheme supplies; pages list them, specs do not."""
    older_route_of: str | None = None
    """The operationId whose older route this operation keeps (``x-older-route-of``), if it is one."""

    @property
    def label(self) -> str:
        """``vendor operation_id (METHOD /path)``, for reports."""
        return f"{self.vendor} {self.operation_id} ({self.method} {self.path})"


def spec_files(specs_dir: Path) -> list[Path]:
    """The spec documents in ``specs_dir``, in name order."""
    return sorted(path for path in specs_dir.glob("*.yaml") if path.is_file())


def load_operations(specs_dir: Path) -> list[SpecOperation]:
    """Every operation of every spec in ``specs_dir``."""
    operations = []
    for path in spec_files(specs_dir):
        operations.extend(operations_of(path, load_yaml(path.read_text(encoding="utf-8"))))
    return operations


def operations_of(spec_file: Path, document: dict[str, Any]) -> list[SpecOperation]:
    """The operations of one parsed spec document."""
    vendor = str((document.get("x-imgroup") or {}).get("vendor", spec_file.stem))
    signature = SIGNATURE_HEADERS | _security_param_names(document)
    found = []
    for path, item in (document.get("paths") or {}).items():
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            found.append(
                SpecOperation(
                    spec_file=spec_file,
                    vendor=vendor,
                    operation_id=str(operation.get("operationId", f"{method} {path}")),
                    method=method.upper(),
                    path=path,
                    params=_params(document, shared + (operation.get("parameters") or []), operation),
                    errors=list(operation.get("x-error-codes") or []),
                    rate_limit=_rate_limit(operation.get("x-rate-limit")),
                    doc_page=operation.get("x-doc-page"),
                    signature_params=frozenset(signature),
                    older_route_of=operation.get("x-older-route-of"),
                )
            )
    return found


def resolve(document: dict[str, Any], node: Any) -> Any:
    """``node`` with a local ``$ref`` (``#/components/...``) followed, repeatedly."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, seen = target, seen + 1
    return node


def _security_param_names(document: dict[str, Any]) -> set[str]:
    schemes = ((document.get("components") or {}).get("securitySchemes")) or {}
    return {str(scheme["name"]).lower() for scheme in schemes.values() if scheme.get("type") == "apiKey"}


def _params(document: dict[str, Any], raw: list[Any], operation: dict[str, Any]) -> dict[Location, list[PageParam]]:
    found: dict[Location, list[PageParam]] = {}
    for entry in raw:
        parameter = resolve(document, entry)
        location = Location(parameter["in"]) if parameter.get("in") in {"path", "query", "header"} else None
        if location is None:
            continue
        schema = resolve(document, parameter.get("schema") or {})
        found.setdefault(location, []).append(
            _param(document, str(parameter["name"]), location, bool(parameter.get("required")), schema)
        )
    body = resolve(document, operation.get("requestBody") or {})
    schema = resolve(document, ((body.get("content") or {}).get("application/json") or {}).get("schema") or {})
    fields = _fields(document, schema, "", frozenset())
    if fields:
        found[Location.BODY] = fields
    return found


def _fields(document: dict[str, Any], schema: Any, prefix: str, open_schemas: frozenset[int]) -> list[PageParam]:
    """The properties of an object schema, each followed by its own fields (an object's properties, or those
    of an array's object items) as dotted paths, to any depth; a schema that holds itself stops there."""
    if not isinstance(schema, dict) or id(schema) in open_schemas:
        return []
    required = set(schema.get("required") or [])
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        resolved = resolve(document, prop)
        path = f"{prefix}{name}"
        found.append(_param(document, path, Location.BODY, name in required, resolved))
        items = resolve(document, resolved.get("items")) if isinstance(resolved, dict) else None
        inner = resolved if isinstance(resolved, dict) and "properties" in resolved else items
        found.extend(_fields(document, inner, f"{path}.", open_schemas | {id(schema)}))
    return found


def _param(document: dict[str, Any], name: str, location: Location, required: bool, schema: Any) -> PageParam:
    json_type = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(json_type, list):  # OpenAPI 3.1 nullable: ["string", "null"]
        json_type = next((kind for kind in json_type if kind != "null"), None)
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    enum = schema.get("enum")
    if minimum is None and maximum is None and enum and all(isinstance(value, int) for value in enum):
        minimum, maximum = min(enum), max(enum)
    return PageParam(name, location, required or location is Location.PATH, json_type, minimum, maximum)


def _rate_limit(raw: Any) -> RateLimit | None:
    if not isinstance(raw, dict) or not raw:
        return None
    return RateLimit(per_second=raw.get("per_second"), per_minute=raw.get("per_minute"))
