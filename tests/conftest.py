"""Shared fixtures. The emulator's fixture (``imgroup_emulator``) comes from imgroup.emulator.pytest_plugin."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import os
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cli_environment import emulator_variables
from installed_copy import InstalledCopy, install_once

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

# ``postgres_server`` (one throwaway cluster per test process) and ``postgres_url`` (a fresh database);
# ``browser`` (headless Chromium, one per test module) and ``browser_page`` (a fresh page, its requests recorded).
pytest_plugins = ["postgres_server", "browser"]


def pytest_configure(config: pytest.Config) -> None:
    # The plugin is registered by its pytest11 entry point once the project is reinstalled; until then
    # (and in a clone that was never installed) register it here, exactly once.
    if not config.pluginmanager.has_plugin("imgroup_emulator"):
        plugin = importlib.import_module("imgroup.emulator.pytest_plugin")
        if not config.pluginmanager.is_registered(plugin):
            config.pluginmanager.register(plugin, "imgroup_emulator")


@pytest.fixture(scope="session", autouse=True)
def one_tls_context_per_ca_file() -> Iterator[None]:
    """An httpx client builds its SSL context when made, parsing the whole CA bundle: ~50 ms of CPU. imgroup's
    clients share one (``imgroup.runtime.tls_context``), but the tests' own httpx clients (``httpx.post``
    and the like, 47 in the CLI failure and facade files) each made another, all talking plain HTTP on loopback.
    In the test processes, contexts for the same CA file or folder are built once and handed out again."""
    build = ssl.create_default_context
    built: dict[tuple[object, ...], ssl.SSLContext] = {}

    def shared(
        purpose: ssl.Purpose = ssl.Purpose.SERVER_AUTH,
        *,
        cafile: str | None = None,
        capath: str | None = None,
        cadata: str | bytes | None = None,
    ) -> ssl.SSLContext:
        if cadata is not None or (cafile is None and capath is None):
            return build(purpose, cafile=cafile, capath=capath, cadata=cadata)
        key = (purpose, cafile, capath)
        if key not in built:
            built[key] = build(purpose, cafile=cafile, capath=capath)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ssl, "create_default_context", shared)
        yield


@pytest.fixture(scope="session")
def installed_imgroup(tmp_path_factory: pytest.TempPathFactory) -> InstalledCopy:
    """imgroup built (sdist, then wheel) and installed into a fresh environment, once per test run."""
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker's folder is in the run's, which they share
        run_folder = run_folder.parent
    return install_once(run_folder / "installed-imgroup")


# Minimal signers written for the emulator's tests from the vendors' algorithms, independent of the
# generated clients and of the emulator's own checks.


@pytest.fixture
def tencent_usersig() -> Callable[..., str]:
    """``tencent_usersig(sdkappid, key, identifier, expire=3600, now=None)``: a TLS sig v2 UserSig."""

    def sign(sdkappid: int, key: str, identifier: str, expire: int = 3600, now: int | None = None) -> str:
        signed_at = int(time.time()) if now is None else now
        content = f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{signed_at}\nTLS.expire:{expire}\n"
        sig = base64.b64encode(hmac.new(key.encode(), content.encode(), hashlib.sha256).digest()).decode()
        document: dict[str, Any] = {
            "TLS.ver": "2.0",
            "TLS.identifier": identifier,
            "TLS.sdkappid": sdkappid,
            "TLS.expire": expire,
            "TLS.time": signed_at,
            "TLS.sig": sig,
        }
        encoded = base64.b64encode(zlib.compress(json.dumps(document).encode())).decode()
        return encoded.translate(str.maketrans("+/=", "*-_"))

    return sign


@pytest.fixture
def yunxin_headers() -> Callable[..., dict[str, str]]:
    """``yunxin_headers(app_key, app_secret, nonce="n", curtime=None)``: the four signed headers."""

    def sign(app_key: str, app_secret: str, nonce: str = "nonce-1", curtime: int | None = None) -> dict[str, str]:
        now = str(int(time.time()) if curtime is None else curtime)
        checksum = hashlib.sha1((app_secret + nonce + now).encode()).hexdigest()
        return {"AppKey": app_key, "Nonce": nonce, "CurTime": now, "CheckSum": checksum}

    return sign


@pytest.fixture
def tencent_query(imgroup_emulator: Any, tencent_usersig: Callable[..., str]) -> dict[str, Any]:
    """The signed query of a Tencent call to the emulator, as its demo app's admin."""
    creds = imgroup_emulator.credentials["tencent"]
    return {
        "sdkappid": creds["sdkappid"],
        "identifier": creds["identifier"],
        "usersig": tencent_usersig(creds["sdkappid"], creds["secret_key"], creds["identifier"]),
        "random": 4294967295,
        "contenttype": "json",
    }


@pytest.fixture(scope="session")
def closed_base_url() -> str:
    """A loopback URL nothing listens on: a port the system handed out, then closed (connecting is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def emulator_environment(
    imgroup_emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The emulator's demo credentials and base URL for every vendor, as a command's environment; no config
    file, and the current directory is the test's own."""
    from imgroup import settings

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for fields in settings.FIELDS.values():
        for field in fields:
            monkeypatch.delenv(field.variable, raising=False)
    for name in ("IMGROUP_CONFIG", "IMGROUP_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return emulator_variables(imgroup_emulator)
