"""The hand-written specs under specs/ keep the contract in specs/README.md and match the vendor pages.

The page checks read the seed pages with plain regular expressions (the doc-drift checker in
generator/docdrift/ parses them properly): the project's own pages in the seeds' layouts, and the captured
pages in ../shared/seeds as well where a developer's checkout has them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from seed_dirs import SEED_DIRS, folder_id

from generator.spec import load_yaml

ROOT = Path(__file__).resolve().parents[1]
SPECS_DIR = ROOT / "specs"

# The contract of specs/README.md and issue 2: file -> (x-imgroup vendor, package, operationIds).
EXPECTED = {
    "feishu.yaml": (
        "feishu",
        "feishu_im",
        {
            "disband_chat",
            "remove_chat_members",
            "unbind_meeting_chat",
            "get_tenant_access_token",
            "get_app_access_token",
            "get_store_tenant_access_token",
            "resend_app_ticket",
            "get_chat",
            "list_chats",
            "search_chats",
            "create_chat",
            "update_chat",
            "list_chat_members",
            "add_chat_members",
            "is_in_chat",
            "add_chat_managers",
            "remove_chat_managers",
            "create_meeting_chat",
            "get_user",
        },
    ),
    "tencent_im.yaml": (
        "tencent",
        "tencent_im",
        {
            "destroy_group",
            "create_group",
            "account_check",
            "get_group_info",
            "get_appid_group_list",
            "get_group_member_info",
            "add_group_member",
            "delete_group_member",
            "change_group_owner",
            "modify_group_base_info",
            "get_joined_group_list",
        },
    ),
    "yunxin.yaml": (
        "yunxin",
        "yunxin_im",
        {
            "dismiss_team",
            "dismiss_team_v2",
            "create_team",
            "get_team",
            "get_teams",
            "update_team",
            "transfer_team_owner",
            "add_team_managers",
            "remove_team_managers",
            "list_team_members",
            "add_team_members",
            "remove_team_members",
            "list_joined_teams",
        },
    ),
}
TAGS = {"feishu.yaml": "feishu", "tencent_im.yaml": "tencent_im", "yunxin.yaml": "yunxin"}
SPEC_FILES = sorted(EXPECTED)

CATEGORIES = {
    "invalid_argument",
    "unauthenticated",
    "permission_denied",
    "not_found",
    "already_gone",
    "failed_precondition",
    "rate_limited",
    "internal",
    "unavailable",
}
SIGNERS = {"feishu_tenant_token", "feishu_user_token", "tencent_usersig", "yunxin_checksum"}
ROW_FIELDS = {
    "code": int,
    "http_status": int,
    "message": str,
    "description": str,
    "action": str,
    "retryable": bool,
    "category": str,
}
X_IMGROUP_FIELDS = {
    "vendor",
    "package",
    "client",
    "error_root",
    "envelope",
    "success_codes",
    "request_id_headers",
    "default_base_url",
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# "The group no longer exists": the answers to a repeated disband (vendor-facts.md), and Yunxin's v1 form
# of 108404. Nothing else may claim already_gone: a deleted calendar or event is not a gone group.
ALREADY_GONE = {232009, 10010, 108404, 803}
DISBAND_ALREADY_DONE = {
    "disband_chat": 232009,
    "destroy_group": 10010,
    "dismiss_team": 108404,
    "dismiss_team_v2": 108404,
}

# Codes that are worth retrying as they are (vendor-facts.md and the pages); every other row is not.
TENCENT_TRANSIENT = {10002, 60008, 70169, 70202, 70500}
FEISHU_RETRYABLE = {99991400, 232019, 190003, 190004, 190005, 190010}
YUNXIN_RETRYABLE = {416, 449, 500, 503, 514}


@cache
def load_spec(name: str) -> dict[str, Any]:
    with (SPECS_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation)."""
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                found[operation["operationId"]] = (path, method, operation)
    return found


def catalogues(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every x-error-codes list of a spec, by owner: "<root>" or the operationId."""
    lists = {"<root>": spec["x-error-codes"]}
    for operation_id, (_, _, operation) in operations(spec).items():
        lists[operation_id] = operation["x-error-codes"]
    return lists


def all_rows(name: str) -> list[dict[str, Any]]:
    return [row for rows in catalogues(load_spec(name)).values() for row in rows]


@pytest.mark.parametrize("name", SPEC_FILES)
def test_spec_is_valid_openapi_3_1(name: str) -> None:
    spec = load_spec(name)
    assert spec["openapi"] == "3.1.0"
    validate(spec)


@pytest.mark.parametrize("name", SPEC_FILES)
def test_spec_declares_its_vendor_package_and_operations(name: str) -> None:
    spec = load_spec(name)
    vendor, package, operation_ids = EXPECTED[name]
    block = spec["x-imgroup"]
    assert X_IMGROUP_FIELDS <= set(block)
    assert (block["vendor"], block["package"]) == (vendor, package)
    assert set(operations(spec)) == operation_ids
    assert block["envelope"] in {"code_msg_data", "action_status"}
    assert 0 in block["success_codes"]
    assert spec["info"]["version"] == "1.0.0"
    assert block["default_base_url"] in {server["url"] for server in spec["servers"]}


def test_tencent_keeps_all_seven_regions_and_serves_each() -> None:
    spec = load_spec("tencent_im.yaml")
    regions = spec["x-imgroup"]["regions"]
    assert set(regions) == {"china", "singapore", "seoul", "tokyo", "frankfurt", "silicon_valley", "jakarta"}
    assert set(regions.values()) == {server["url"] for server in spec["servers"]}
    assert spec["x-imgroup"]["default_base_url"] == regions["china"] == "https://console.tim.qq.com"


def test_yunxin_accepts_both_success_codes() -> None:
    assert load_spec("yunxin.yaml")["x-imgroup"]["success_codes"] == [200, 0]


@pytest.mark.parametrize("name", SPEC_FILES)
def test_every_operation_carries_the_extensions(name: str) -> None:
    for operation_id, (_, _, operation) in operations(load_spec(name)).items():
        assert operation.get("summary") and operation.get("description"), operation_id
        assert operation["tags"] == [TAGS[name]], operation_id
        limit = operation["x-rate-limit"]
        assert set(limit) <= {"per_second", "per_minute"}, operation_id
        assert all(isinstance(value, int) and value > 0 for value in limit.values()), operation_id
        assert operation["x-doc-page"].startswith("https://"), operation_id
        assert isinstance(operation["x-error-codes"], list), operation_id


def test_documented_rate_limits() -> None:
    feishu = operations(load_spec("feishu.yaml"))
    for operation_id in ("disband_chat", "remove_chat_members", "unbind_meeting_chat"):
        assert feishu[operation_id][2]["x-rate-limit"] == {"per_second": 50, "per_minute": 1000}
    assert operations(load_spec("tencent_im.yaml"))["destroy_group"][2]["x-rate-limit"] == {"per_second": 200}
    # No documented limit on the Yunxin seed page (the older route); its 416 code must then be in the catalogue.
    yunxin = operations(load_spec("yunxin.yaml"))
    older = yunxin["dismiss_team_v2"][2]
    assert older["x-rate-limit"] == {}
    assert 416 in {row["code"] for row in older["x-error-codes"]}
    # The current route has the API overview's default for every API.
    assert yunxin["dismiss_team"][2]["x-rate-limit"] == {"per_second": 100}


@pytest.mark.parametrize("name", SPEC_FILES)
def test_every_catalogue_row_is_complete_and_codes_are_unique(name: str) -> None:
    for owner, rows in catalogues(load_spec(name)).items():
        codes = [row["code"] for row in rows]
        assert len(codes) == len(set(codes)), f"{name} {owner}: duplicate codes"
        for row in rows:
            where = f"{name} {owner} {row.get('code')}"
            assert set(row) - {"review", "x-evidence"} == set(ROW_FIELDS), where
            for field, kind in ROW_FIELDS.items():
                assert type(row[field]) is kind, f"{where}: {field}"
            assert row["category"] in CATEGORIES, where
            assert 100 <= row["http_status"] <= 599, where
            assert row["message"].strip() and row["description"].strip() and row["action"].strip(), where


@pytest.mark.parametrize("name", ["tencent_im.yaml", "yunxin.yaml"])
def test_vendors_that_always_answer_200_say_so_in_every_row(name: str) -> None:
    assert {row["http_status"] for row in all_rows(name)} == {200}


@pytest.mark.parametrize("name", SPEC_FILES)
def test_already_gone_means_only_the_group_is_gone(name: str) -> None:
    for row in all_rows(name):
        assert (row["category"] == "already_gone") == (row["code"] in ALREADY_GONE), row["code"]


def test_each_disband_operation_knows_its_already_done_code() -> None:
    for name in SPEC_FILES:
        for operation_id, (_, _, operation) in operations(load_spec(name)).items():
            if operation_id in DISBAND_ALREADY_DONE:
                rows = {row["code"]: row for row in operation["x-error-codes"]}
                assert rows[DISBAND_ALREADY_DONE[operation_id]]["category"] == "already_gone"


@pytest.mark.parametrize(
    ("name", "is_retryable"),
    [
        ("feishu.yaml", lambda row: row["code"] in FEISHU_RETRYABLE),
        (
            "tencent_im.yaml",
            lambda row: row["code"] in TENCENT_TRANSIENT or row["category"] == "rate_limited",
        ),
        ("yunxin.yaml", lambda row: row["code"] in YUNXIN_RETRYABLE or row["code"] % 1000 == 449),
    ],
)
def test_retryable_flags_follow_the_vendor_rules(name: str, is_retryable: Any) -> None:
    for row in all_rows(name):
        assert row["retryable"] is is_retryable(row), row["code"]
        if row["category"] == "rate_limited":
            assert row["retryable"], row["code"]


def test_a_code_on_two_lists_means_the_same_thing() -> None:
    for name in SPEC_FILES:
        seen: dict[int, dict[str, Any]] = {}
        for row in all_rows(name):
            first = seen.setdefault(row["code"], row)
            assert (first["category"], first["retryable"], first["http_status"]) == (
                row["category"],
                row["retryable"],
                row["http_status"],
            ), (name, row["code"])


@pytest.mark.parametrize("name", SPEC_FILES)
def test_auth_is_a_security_scheme_with_a_signer_not_a_parameter(name: str) -> None:
    spec = load_spec(name)
    schemes = spec["components"]["securitySchemes"]
    assert schemes and all(scheme["x-imgroup-signer"] in SIGNERS for scheme in schemes.values())
    assert spec["security"] and all(set(requirement) <= set(schemes) for requirement in spec["security"])
    auth_names = {"authorization", "usersig", "sdkappid", "identifier", "random", "appkey", "nonce", "curtime"}
    auth_names |= {"checksum"}
    for operation_id, (_, _, operation) in operations(spec).items():
        for parameter in operation.get("parameters", []):
            assert parameter["name"].lower() not in auth_names, (operation_id, parameter["name"])


def test_security_schemes_per_vendor() -> None:
    feishu = load_spec("feishu.yaml")["components"]["securitySchemes"]
    assert {key: (scheme["type"], scheme["scheme"], scheme["x-imgroup-signer"]) for key, scheme in feishu.items()} == {
        "tenant_access_token": ("http", "bearer", "feishu_tenant_token"),
        "user_access_token": ("http", "bearer", "feishu_user_token"),
    }
    tencent = load_spec("tencent_im.yaml")["components"]["securitySchemes"]["usersig"]
    assert (tencent["type"], tencent["in"], tencent["name"]) == ("apiKey", "query", "usersig")
    for added in ("sdkappid", "identifier", "usersig", "random", "contenttype=json"):
        assert added in tencent["description"]
    yunxin = load_spec("yunxin.yaml")["components"]["securitySchemes"]["checksum"]
    assert (yunxin["type"], yunxin["in"], yunxin["name"]) == ("apiKey", "header", "CheckSum")
    for header in ("AppKey", "Nonce", "CurTime", "CheckSum"):
        assert header in yunxin["description"]
    token = operations(load_spec("feishu.yaml"))["get_tenant_access_token"][2]
    assert token["security"] == []


def schema_ref(content_holder: dict[str, Any]) -> str:
    return content_holder["content"]["application/json"]["schema"]["$ref"]


@pytest.mark.parametrize("name", SPEC_FILES)
def test_bodies_and_responses_use_named_schemas(name: str) -> None:
    spec = load_spec(name)
    schemas = spec["components"]["schemas"]
    prefix = "#/components/schemas/"
    for operation_id, (_, _, operation) in operations(spec).items():
        assert set(operation["responses"]) == {"200", "default"}, operation_id
        refs = [schema_ref(response) for response in operation["responses"].values()]
        if "requestBody" in operation:
            refs.append(schema_ref(operation["requestBody"]))
        for ref in refs:
            assert ref.startswith(prefix) and ref[len(prefix) :] in schemas, (operation_id, ref)


def walk_properties(schema: dict[str, Any], where: str):
    for prop_name, prop in schema.get("properties", {}).items():
        yield f"{where}.{prop_name}", prop
        yield from walk_properties(prop, f"{where}.{prop_name}")
        if "items" in prop:
            yield f"{where}.{prop_name}[]", prop["items"]


@pytest.mark.parametrize("name", SPEC_FILES)
def test_every_property_and_parameter_has_a_description_and_an_example(name: str) -> None:
    spec = load_spec(name)
    for schema_name, schema in spec["components"]["schemas"].items():
        assert schema.get("description"), schema_name
        for where, prop in walk_properties(schema, schema_name):
            assert prop.get("description"), where
            assert "example" in prop, where
    for operation_id, (_, _, operation) in operations(spec).items():
        for parameter in operation.get("parameters", []):
            assert parameter.get("description") and "example" in parameter, (operation_id, parameter["name"])


def body_schema(name: str, operation_id: str) -> dict[str, Any]:
    spec = load_spec(name)
    ref = schema_ref(operations(spec)[operation_id][2]["requestBody"])
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_page_constraints_are_in_the_schemas() -> None:
    members = body_schema("feishu.yaml", "remove_chat_members")
    assert members["required"] == ["id_list"] and members["properties"]["id_list"]["minItems"] == 1
    parameters = {p["name"]: p for p in operations(load_spec("feishu.yaml"))["remove_chat_members"][2]["parameters"]}
    assert parameters["member_id_type"]["schema"]["enum"] == ["open_id", "union_id", "user_id", "app_id"]
    assert parameters["member_id_type"]["required"] is False
    unbind = {p["name"]: p for p in operations(load_spec("feishu.yaml"))["unbind_meeting_chat"][2]["parameters"]}
    assert unbind["meeting_chat_id"]["in"] == "query" and unbind["meeting_chat_id"]["required"] is True

    group = body_schema("tencent_im.yaml", "destroy_group")
    assert group["required"] == ["GroupId"] and group["properties"]["GroupId"]["example"] == "@TGS#2J4SZEAEL"

    team = body_schema("yunxin.yaml", "dismiss_team_v2")
    assert set(team["required"]) == {"team_type", "operator_id"}
    team_type = team["properties"]["team_type"]
    assert (team_type["type"], team_type["minimum"], team_type["maximum"]) == ("integer", 1, 2)
    assert team["properties"]["extension"]["maxLength"] == 512
    trace = {p["name"]: p for p in operations(load_spec("yunxin.yaml"))["dismiss_team_v2"][2]["parameters"]}
    assert trace["X-custom-traceid"]["in"] == "header" and trace["X-custom-traceid"]["required"] is False


def test_dismiss_team_is_the_current_route_and_the_seed_form_its_older_route() -> None:
    yunxin = operations(load_spec("yunxin.yaml"))
    path, method, current = yunxin["dismiss_team"]
    assert (method, path, "requestBody" in current) == ("delete", "/im/v2.1/teams/{team_id}", False)
    query = {p["name"]: p for p in current["parameters"] if p["in"] == "query"}
    assert {name: p["required"] for name, p in query.items()} == {
        "team_type": True,
        "operator_id": True,
        "extension": False,
    }
    assert query["extension"]["schema"]["maxLength"] == 512
    path, method, older = yunxin["dismiss_team_v2"]
    assert (method, path) == ("delete", "/im/v2/teams/{team_id}")
    assert older["deprecated"] is True and older["x-older-route-of"] == "dismiss_team"
    assert older["x-doc-page"] == "https://yunxin-im.apifox.cn/api-147233908"


# --- the captured vendor pages ---------------------------------------------------------------------------

FEISHU_ROW = re.compile(r"^(\d{3}) \| (\d+) \| ([^|\n]+?) \|", re.MULTILINE)
TENCENT_TABLE = re.compile(r"^Error Code\nDescription\n(.*?)(?:\n\n|\Z)", re.MULTILINE | re.DOTALL)
TENCENT_ROW = re.compile(r"^(\d+)\n([^\n]+)$", re.MULTILINE)


def page_rows(text: str) -> list[tuple[int, int, str]]:
    """(code, http_status, message) of every row of a page's error table, in page order."""
    rows = [(int(code), int(status), message.strip()) for status, code, message in FEISHU_ROW.findall(text)]
    table = TENCENT_TABLE.search(text)
    if table:
        # Tencent: "always 200 unless a network error occurs"; the description is the only text.
        rows += [(int(code), 200, message.strip()) for code, message in TENCENT_ROW.findall(table.group(1))]
    return rows


def pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def page_operation(text: str) -> tuple[str, str]:
    """The (spec, operationId) whose method and path the page documents; the longest matching path wins."""
    normalised = re.sub(r":(\w+)", r"{\1}", text)
    # One path serves several methods (GET, PUT, DELETE /chats/{chat_id}): the page names its own.
    methods = set(re.findall(r"\b(GET|PUT|POST|DELETE|PATCH)\b", text))
    matches = [
        (len(path), name, operation_id)
        for name in SPEC_FILES
        for operation_id, (path, method, _) in operations(load_spec(name)).items()
        if (path in normalised or path.lstrip("/") in normalised) and (not methods or method.upper() in methods)
    ]
    assert matches, "the page documents none of our operations"
    _, name, operation_id = max(matches)
    return name, operation_id


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_every_page_maps_to_an_operation_and_every_page_operation_is_covered(folder: Path) -> None:
    # The seeds cover the first operations; later ones were written from pages found with the search tool.
    found = {page_operation(path.read_text(encoding="utf-8")) for path in pages(folder)}
    documented = {(name, op) for name in SPEC_FILES for op in operations(load_spec(name))}
    # Operations written from pages beyond the seeds (issue 10) name those pages in x-doc-page instead.
    assert found <= documented - {("feishu.yaml", "get_tenant_access_token")}
    assert {("tencent_im.yaml", "destroy_group"), ("yunxin.yaml", "dismiss_team_v2")} <= found


@pytest.mark.parametrize(
    "page",
    [pytest.param(path, id=f"{folder_id(folder)}-{path.name[:3]}") for folder in SEED_DIRS for path in pages(folder)],
)
def test_every_page_row_is_in_the_operation_catalogue_in_page_order(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    name, operation_id = page_operation(text)
    catalogue = operations(load_spec(name))[operation_id][2]["x-error-codes"]
    rows = page_rows(text)
    if "错误码" in text or "Error Codes" in text:
        assert rows, f"{page} has an error table the regex did not read"
    if not rows:
        return
    by_code = {row["code"]: row for row in catalogue}
    for code, status, message in rows:
        assert code in by_code, f"{page}: {code} missing from {operation_id}"
        assert (by_code[code]["http_status"], by_code[code]["message"]) == (status, message), code
    assert [row["code"] for row in catalogue] == [code for code, _, _ in rows]


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_doc_page_is_the_pages_source_url(folder: Path) -> None:
    for path in pages(folder):
        text = path.read_text(encoding="utf-8")
        source = re.search(r"^source_url: (\S+)$", text, re.MULTILINE)
        if source:
            name, operation_id = page_operation(text)
            assert operations(load_spec(name))[operation_id][2]["x-doc-page"] == source.group(1)


def vendor_section(facts: str, heading: str) -> str:
    section = facts.split(f"## {heading}", 1)[1]
    return section.split("\n## ", 1)[0]


def bullet(section: str, opening: str) -> str:
    start = section.index(f"- {opening}")
    end = section.find("\n- ", start + 1)
    return section[start : end if end != -1 else None]


@pytest.mark.parametrize("folder", SEED_DIRS, ids=folder_id)
def test_vendor_wide_codes_from_vendor_facts_are_in_the_root_lists(folder: Path) -> None:
    facts = (folder / "vendor-facts.md").read_text(encoding="utf-8")
    feishu = vendor_section(facts, "Feishu")
    feishu_codes = {int(code) for code in re.findall(r"\b9999\d{4}\b", feishu)}
    assert feishu_codes and feishu_codes <= {row["code"] for row in load_spec("feishu.yaml")["x-error-codes"]}

    tencent = bullet(vendor_section(facts, "Tencent"), "Common error codes")
    tencent_codes = {int(code) for code in re.findall(r"\b[1-7]\d{4}\b", tencent)}
    assert len(tencent_codes) > 20
    assert tencent_codes <= {row["code"] for row in load_spec("tencent_im.yaml")["x-error-codes"]}

    yunxin = bullet(vendor_section(facts, "NetEase Yunxin"), "Codes (v2 form")
    yunxin_codes = {int(code) for code in re.findall(r"\b\d{3,6}\b", yunxin)}
    assert {108404, 109449, 803, 804} <= yunxin_codes
    assert yunxin_codes <= {row["code"] for row in all_rows("yunxin.yaml")}


@pytest.mark.parametrize("spec", sorted(SPECS_DIR.glob("*.yaml")) + [ROOT / "tests" / "golden" / "spec.yaml"], ids=str)
def test_the_fast_yaml_loader_reads_every_spec_as_the_safe_loader_does(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)
