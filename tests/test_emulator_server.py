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
        assert f"export FEISHU_BASE_URL={base_url}\n" in banner
        assert (
            "export FEISHU_APP_ID=cli_demo\n" in banner
            and "export FEISHU_APP_SECRET=demo-feishu-app-secret\n" in banner
        )
        assert "export TENCENT_IM_SDKAPPID=1400000000\n" in banner and "export YUNXIN_APP_KEY=demo_app_key\n" in banner
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
        banner = banner_of(process)
        assert "export YUNXIN_APP_KEY=mine\n" in banner and "my-real-secret" not in "".join(banner)
        assert not any(line.startswith("export YUNXIN_APP_SECRET") for line in banner)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "my-real-secret" not in stderr


def test_the_export_lines_point_the_command_line_at_the_emulator(tmp_path: Path) -> None:
    process = run_module("--port", "0")
    try:
        exports = "".join(line for line in banner_of(process) if line.startswith("export "))
        # Pasted into a shell as printed: the command line then finds the emulator and its demo credentials.
        script = exports + 'imgroup tencent get-group-info "@TGS#demo_alice" --json\n'
        environ = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
        result = subprocess.run(
            ["bash", "-c", script], check=False, capture_output=True, text=True, env=environ, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["result"]["GroupInfo"][0]["Owner_Account"] == "alice"
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.mark.parametrize(
    ("seed", "vendors"), [("demo", {"feishu", "tencent", "yunxin"}), ("empty", set()), ("file", {"yunxin"})]
)
def test_a_seed_is_named_or_a_file(seed: str, vendors: set[str], tmp_path: Path) -> None:
    if seed == "file":
        seed = str(tmp_path / "seed.json")
        Path(seed).write_text(json.dumps({"yunxin": {"apps": [{"app_key": "mine", "app_secret": "s"}]}}))
    process = run_module("--port", "0", "--seed", seed)
    try:
        base_url = banner_of(process)[0].split()[-1]
        state = httpx.get(base_url + "/_emulator/state", timeout=5).json()
        assert {vendor for vendor in ("feishu", "tencent", "yunxin") if state[vendor]["apps"]} == vendors
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "is neither a file nor one of the seeds demo, empty"),
        ("{not json", "is not a JSON document"),
        ('{"mars": {}}', "unknown vendor keys in seed"),
    ],
)
def test_a_seed_it_cannot_load_is_a_usage_error(content: str | None, message: str, tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    if content is not None:
        path.write_text(content)
    process = run_module("--port", "0", "--seed", str(path))
    stdout, stderr = process.communicate(timeout=30)
    assert (process.returncode, stdout) == (2, "")
    assert message in stderr


def test_a_reset_can_bring_back_a_named_seed_or_load_one_sent_as_its_body() -> None:
    with EmulatorServer(seed=DEMO_SEED) as emu:
        emu.reset("empty")
        assert emu.state()["tencent"]["groups"] == {}
        emu.reset("demo")
        assert emu.state()["tencent"]["groups"]["@TGS#demo_alice"]["owner"] == "alice"
        emu.reset({"yunxin": {"apps": [{"app_key": "k", "app_secret": "s"}]}})
        assert emu.state()["yunxin"]["apps"] == ["k"] and emu.state()["feishu"]["apps"] == []
        emu.reset()
        assert emu.state()["yunxin"]["apps"] == []


@pytest.mark.parametrize(
    ("query", "body", "message"),
    [
        ("?seed=mars", b"", "unknown seed 'mars'"),
        ("?seed=demo", b"{}", "not both"),
        ("", b"{not json", "not a JSON seed document"),
        ("", b'{"mars": {}}', "unknown vendor keys"),
    ],
)
def test_a_reset_with_a_seed_it_cannot_load_is_refused_and_forgets_nothing(
    query: str, body: bytes, message: str
) -> None:
    with EmulatorServer(seed=DEMO_SEED) as emu:
        before = emu.state()
        answer = httpx.post(emu.base_url + "/_emulator/reset" + query, content=body, timeout=5)
        assert answer.status_code == 400 and message in answer.json()["error"]
        assert emu.state() == before


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
