"""The installed ``imgroup`` script in real processes: the emulator in the foreground, commands against it."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgroup.settings import FIELDS

SCRIPT = Path(sys.executable).with_name("imgroup")
STARTUP_DEADLINE_S = 20.0
SECRETS = ("demo-feishu-app-secret", "demo-tencent-secret-key", "demo-yunxin-app-secret")


def _clean_environment(home: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("IMGROUP_", "XDG_STATE_HOME"))}
    for fields in FIELDS.values():
        for field in fields:
            environ.pop(field.variable, None)
    environ["HOME"] = str(home)
    return environ


@pytest.fixture
def foreground_emulator(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``imgroup emulator --port 0`` as a child process, and the base URL its banner announces."""
    process = subprocess.Popen(
        [str(SCRIPT), "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_clean_environment(tmp_path),
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        url = None
        while url is None and time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                line = process.stdout.readline()
                if "listening on " in line:
                    url = line.split("listening on ")[1].strip()
        assert url is not None, "the emulator did not announce itself"
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(SCRIPT), *args], check=False, capture_output=True, text=True, env=env, timeout=60)
    for secret in SECRETS:
        assert secret not in result.stdout and secret not in result.stderr
    return result


def test_installed_script_against_the_foreground_emulator(
    foreground_emulator: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    process, url = foreground_emulator
    env = {
        **_clean_environment(tmp_path),
        "FEISHU_BASE_URL": url,
        "FEISHU_APP_ID": "cli_demo",
        "FEISHU_APP_SECRET": "demo-feishu-app-secret",
        "TENCENT_IM_BASE_URL": url,
        "TENCENT_IM_SDKAPPID": "1400000000",
        "TENCENT_IM_SECRET_KEY": "demo-tencent-secret-key",
        "YUNXIN_BASE_URL": url,
        "YUNXIN_APP_KEY": "demo_app_key",
        "YUNXIN_APP_SECRET": "demo-yunxin-app-secret",
    }

    removed = run("feishu", "remove-chat-members", "oc_demo_3", "ou_alice", "ou_nobody", env=env)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.splitlines()[0] == "feishu remove-chat-members oc_demo_3: done"
    assert "  invalid id list: ou_nobody" in removed.stdout.splitlines()

    done = run("tencent", "destroy-group", "@TGS#demo2", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True

    again = run("tencent", "destroy-group", "@TGS#demo2", env=env)
    assert again.returncode == 1
    assert again.stderr.startswith("imgroup tencent destroy-group: [10010] ") and again.stderr.count("\n") == 1

    gone = run("yunxin", "dismiss-team", "1999", "--team-type", "1", "--operator-id", "acc_owner", env=env)
    assert gone.returncode == 1
    assert "[108404]" in gone.stderr

    usage = run("yunxin", "dismiss-team", "1001", "--operator-id", "acc_owner", env=env)
    assert usage.returncode == 2
    assert "Missing option '--team-type'" in usage.stderr

    explained = run("errors", "explain", "yunxin", "108404", env=env)
    assert explained.returncode == 0 and "already_gone" in explained.stdout

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0


def test_root_help_is_quick(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run("--help", env=_clean_environment(tmp_path))
    elapsed = time.monotonic() - started
    assert result.returncode == 0 and "Usage: imgroup" in result.stdout
    # Lazy subcommands: no client or server stack is imported (measured about 0.1 s; the bound is loose).
    assert elapsed < 2.0


def test_a_listing_piped_into_a_bulk_job(
    foreground_emulator: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    _, url = foreground_emulator
    env = {
        **_clean_environment(tmp_path),
        "TENCENT_IM_BASE_URL": url,
        "TENCENT_IM_SDKAPPID": "1400000000",
        "TENCENT_IM_SECRET_KEY": "demo-tencent-secret-key",
    }
    listed = run("tencent", "list-groups", "--jsonl", env=env)
    groups = [json.loads(line)["GroupId"] for line in listed.stdout.splitlines()]
    assert "@TGS#demo1" in groups and listed.stderr == ""

    pipeline = f"'{SCRIPT}' tencent list-groups --jsonl | '{SCRIPT}' bulk disband --vendor tencent --input -"
    piped = subprocess.run(
        pipeline, shell=True, check=False, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert f"disband (tencent): {len(groups)} items, {len(groups)} to run" in piped.stdout, piped.stderr
    left = run("tencent", "list-groups", "--jsonl", env=env).stdout.splitlines()
    assert len(left) < len(groups)
    assert piped.returncode == (1 if left else 0)
    # Standard input's journal is kept in the user's state directory, not the working directory.
    assert list((tmp_path / ".local" / "state" / "imgroup" / "journals").glob("stdin-*.journal.sqlite"))
    assert not list(tmp_path.glob("stdin-*.journal.sqlite"))
