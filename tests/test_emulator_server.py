"""Running the emulator: loopback only by default, the foreground command, the pytest fixture, throughput."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from imgroup.emulator import DEMO_SEED, EmulatorServer, RemoteBindRefused, serve


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_a_non_loopback_host_is_refused_unless_asked(host: str) -> None:
    with pytest.raises(RemoteBindRefused):
        EmulatorServer(host=host)
    with pytest.raises(RemoteBindRefused):
        serve(host=host, port=0)
    EmulatorServer(host=host, allow_remote=True)  # constructing is allowed; nothing is bound yet


def test_localhost_names_are_loopback() -> None:
    with EmulatorServer(seed=DEMO_SEED, host="localhost") as emu:
        assert emu.base_url.startswith("http://127.0.0.1:")
        assert emu.state()["calls"] == 0
    EmulatorServer(host="127.0.0.2")
    EmulatorServer(host="::1")


def test_an_emulator_server_stops_and_frees_its_port() -> None:
    emu = EmulatorServer(seed={}).start()
    url = emu.base_url
    assert emu.credentials == {}
    emu.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/_emulator/state", timeout=1.0)
    with pytest.raises(RuntimeError):
        emu.state()


def run_module(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "imgroup.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def banner_of(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines = [process.stdout.readline()]
    while not lines[-1].startswith("  Admin API"):
        line = process.stdout.readline()
        assert line, "the banner ended early"
        lines.append(line)
    return lines


def test_the_module_runs_in_the_foreground_and_prints_the_demo_credentials() -> None:
    process = run_module("--port", "0")
    try:
        banner = banner_of(process)
        base_url = banner[0].split()[-1]
        assert base_url.startswith("http://127.0.0.1:")
        text = "".join(banner)
        assert "app_id=cli_demo" in text and "app_secret=demo-feishu-app-secret" in text
        assert "sdkappid=1400000000" in text and "app_key=demo_app_key" in text
        assert "demo values" in text
        assert httpx.get(base_url + "/_emulator/state", timeout=5).json()["feishu"]["apps"][0] == "cli_demo"
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_the_module_keeps_a_seed_files_secrets_to_itself(tmp_path: Path) -> None:
    seed = {"yunxin": {"apps": [{"app_key": "mine", "app_secret": "my-real-secret"}]}}
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    process = run_module("--port", "0", "--seed", str(tmp_path / "seed.json"))
    try:
        text = "".join(banner_of(process))
        assert "app_key=mine" in text and "my-real-secret" not in text
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "my-real-secret" not in stderr


def test_the_module_refuses_a_remote_host_with_a_usage_error() -> None:
    process = run_module("--host", "0.0.0.0", "--port", "0")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2 and "allow-remote" in stderr


def test_importing_the_plugin_does_not_import_the_server_stack() -> None:
    code = (
        "import sys, imgroup.emulator.pytest_plugin, imgroup.emulator;"
        "print(sorted(m for m in ('uvicorn', 'starlette') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_the_fixture_hands_out_the_demo_seed_and_helpers(imgroup_emulator: EmulatorServer) -> None:
    assert set(imgroup_emulator.credentials) == {"feishu", "tencent", "yunxin"}
    assert imgroup_emulator.credentials["tencent"]["identifier"] == "administrator"
    assert imgroup_emulator.state()["calls"] == 0
    imgroup_emulator.faults({"error_rate": 1.0})
    httpx.delete(imgroup_emulator.base_url + "/open-apis/im/v1/chats/oc_demo_1")
    assert imgroup_emulator.state()["calls"] == 1


def test_the_fixture_is_fresh_for_every_test(imgroup_emulator: EmulatorServer) -> None:
    # Runs after the test above, which left a fault plan and a call behind.
    state = imgroup_emulator.state()
    assert state["calls"] == 0 and state["faults"]["error_rate"] == 0.0
    assert state["feishu"]["chats"]["oc_demo_1"]["dissolved"] is False


def test_throughput_of_a_concurrent_burst(imgroup_emulator: EmulatorServer) -> None:
    creds = imgroup_emulator.credentials["feishu"]
    imgroup_emulator.faults({"rate_limits": {"disband_chat": 100_000}})
    token_url = imgroup_emulator.base_url + "/open-apis/auth/v3/tenant_access_token/internal"
    token = httpx.post(token_url, json=creds).json()["tenant_access_token"]
    per_worker, workers = 500, 4

    def burst(worker: int) -> list[int]:
        with httpx.Client(base_url=imgroup_emulator.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
            return [client.delete(f"/open-apis/im/v1/chats/oc_w{worker}_{i}").json()["code"] for i in range(per_worker)]

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        codes = [code for worker_codes in pool.map(burst, range(workers)) for code in worker_codes]
    elapsed = time.perf_counter() - started
    assert codes == [232006] * (per_worker * workers)
    assert len(imgroup_emulator.calls(since=1)) == per_worker * workers
    # The clients share this process (and its GIL) with the server, on a machine other jobs share too: the bar
    # is a floor that catches a per-call stall (a 40 ms Nagle wait gives 25 calls/s), not the speed.
    assert per_worker * workers / elapsed > 100, f"{per_worker * workers / elapsed:.0f} calls/s"


def test_the_public_names_are_sorted_and_importable() -> None:
    import imgroup.emulator as package

    assert package.__all__ == sorted(package.__all__)
    assert all(getattr(package, name) is not None for name in package.__all__)
