"""The generated registry: which vendors exist, their settings and operations, and typed handles mypy checks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import imgroup_registry
import pytest
import yaml
from installed_copy import checkout_mypy_cache
from mypy import api as mypy_api

from imgroup.runtime import SyncClient

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
GENERATED = ROOT / "generated"
# What a generated package may hold: what differs by vendor, never a copy of the runtime.
PACKAGE_FILES = {
    "__init__.py",
    "calls",
    "error_codes.py",
    "errors.py",
    "facade.py",
    "events.py",
    "models",
    "operations.py",
    "py.typed",
    "registry.py",
    "types.py",
    "vendor.py",
}


def test_the_registry_lists_every_spec_in_order() -> None:
    metas = [yaml.safe_load(path.read_text(encoding="utf-8"))["x-imgroup"] for path in SPECS]
    assert imgroup_registry.VENDORS == tuple(meta["vendor"] for meta in metas)
    assert dict(imgroup_registry.PACKAGES) == {meta["vendor"]: meta["package"] for meta in metas}
    entries = imgroup_registry.vendors()
    assert [entry.name for entry in entries] == list(imgroup_registry.VENDORS)
    for entry in entries:
        assert issubclass(entry.client, SyncClient)
        assert entry.title == imgroup_registry.TITLES[entry.name]


def test_an_unknown_vendor_is_named_with_the_known_ones() -> None:
    with pytest.raises(imgroup_registry.UnknownVendorError, match="feishu, tencent, yunxin"):
        imgroup_registry.vendor("slack")


@pytest.mark.parametrize("vendor", imgroup_registry.VENDORS)
def test_each_entry_holds_every_operation_of_its_spec(vendor: str) -> None:
    entry = imgroup_registry.vendor(vendor)
    package = __import__(entry.package)
    assert set(entry.operations) == set(package.operations.OPERATIONS)
    for name, facts in entry.operations.items():
        assert facts.info is package.operations.OPERATIONS[name]
        assert facts.operation.name == name
        assert facts.operation.sync_method is getattr(entry.client, name)
        assert facts.operation.async_method is getattr(entry.async_client, name)
        assert (facts.listing is None) == (facts.info.iterator is None)
        # Path parameters are positional in the method; x-cli adds positional ones for the command line only.
        assert all(a.positional for a in facts.arguments if a.location == "path")


def test_settings_and_positional_arguments_come_from_the_specs() -> None:
    tencent = imgroup_registry.vendor("tencent")
    assert [(f.name, f.variable, f.secret, f.integer) for f in tencent.settings] == [
        ("sdkappid", "TENCENT_IM_SDKAPPID", False, True),
        ("secret_key", "TENCENT_IM_SECRET_KEY", True, False),
        ("identifier", "TENCENT_IM_IDENTIFIER", False, False),
        ("region", "TENCENT_IM_REGION", False, False),
        ("base_url", "TENCENT_IM_BASE_URL", False, False),
    ]
    assert tencent.alternatives == ()
    change_owner = tencent.operations["change_group_owner"]
    assert [a.name for a in change_owner.arguments if a.positional] == ["group_id", "new_owner_account"]
    assert change_owner.example and change_owner.example.startswith("imgroup tencent change-group-owner ")
    feishu = imgroup_registry.vendor("feishu")
    assert feishu.required == (("app_id", "app_secret"), ("user_access_token",))
    assert feishu.operations["list_chats"].listing is not None
    assert feishu.operations["list_chats"].listing.name == "iter_chats"


def test_no_generated_package_holds_the_tools_endpoint_layer_or_a_runtime_copy() -> None:
    for entry in imgroup_registry.vendors():
        folder = GENERATED / entry.package
        assert {path.name for path in folder.iterdir() if path.name != "__pycache__"} <= PACKAGE_FILES
        package = __import__(entry.package)
        for name in ("Client", "AuthenticatedClient", "UnexpectedStatus"):
            assert name not in package.__all__ and not hasattr(package, name)


def test_mypy_checks_a_tools_call_against_the_generated_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An editable install's import hook is invisible to mypy: point it at the sources, as `make typecheck` does.
    monkeypatch.setenv("MYPYPATH", f"{GENERATED}:{ROOT}")
    program = tmp_path / "tool.py"
    program.write_text(
        textwrap.dedent(
            """
            from tencent_im import registry as tencent
            from feishu_im import registry as feishu

            ok = tencent.change_group_owner.bind(group_id="@TGS#1", new_owner_account="u2")
            listing = feishu.iter_chat_members.bind("oc_1", member_id_type="open_id")
            renamed_argument = tencent.change_group_owner.bind(group="@TGS#1", new_owner_account="u2")
            wrong_type = feishu.disband_chat.bind(42)
            renamed_operation = tencent.change_owner
            """
        ),
        encoding="utf-8",
    )
    # Incremental from a copy of the checkout's cache: the standard library and the generated packages are not
    # checked again.
    cache = checkout_mypy_cache(tmp_path / "mypy-cache")
    out, _err, status = mypy_api.run(["--strict", f"--cache-dir={cache}", "--config-file=", str(program)])
    assert status == 1
    problems = {line.split(":")[1] for line in out.splitlines() if ": error:" in line}
    assert problems == {"7", "8", "9"}, out  # each broken line, and only those
