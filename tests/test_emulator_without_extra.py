"""The emulator and its pytest fixture on an installation without the ``emulator`` extra: an ImportError naming it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from uninstalled import BLOCK_MODULES

from imgroup.emulator._stack import SERVER_DISTRIBUTIONS

ROOT = Path(__file__).resolve().parents[1]
HINT = "the imgroup emulator needs the emulator extra (no module named '{}'): pip install 'imgroup[emulator]'"

# A fresh interpreter where the named modules cannot be imported, as without the extra (none imported yet).
WITHOUT_MODULES = BLOCK_MODULES + "exec(sys.argv[2])\n"

START_A_SERVER = """
from imgroup.emulator import DEMO_SEED, EmulatorServer
try:
    EmulatorServer(seed=DEMO_SEED).start()
except ImportError as error:
    print(type(error).__name__, error.name, error, sep="|")
"""

RUN_A_TEST_WITH_THE_FIXTURE = """
import pytest
raise SystemExit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:xdist", sys.argv[3]]))
"""


def run_without(modules: list[str], program: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", WITHOUT_MODULES, ",".join(modules), program, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("missing", [["uvicorn"], ["starlette"], ["starlette", "uvicorn"]])
def test_starting_a_server_without_the_extra_raises_an_import_error_naming_it(missing: list[str]) -> None:
    result = run_without(missing, START_A_SERVER)
    assert result.returncode == 0, result.stderr
    first = "starlette" if "starlette" in missing else "uvicorn"
    assert result.stdout.strip() == f"ModuleNotFoundError|{first}|{HINT.format(first)}"


def test_the_pytest_fixture_without_the_extra_fails_the_test_with_the_extra_named(tmp_path: Path) -> None:
    test_file = tmp_path / "test_uses_fixture.py"
    test_file.write_text("def test_it(imgroup_emulator):\n    pass\n", encoding="utf-8")
    result = run_without(["uvicorn"], RUN_A_TEST_WITH_THE_FIXTURE, str(test_file))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert "ModuleNotFoundError: " + HINT.format("uvicorn") in result.stdout


def test_the_server_distributions_are_those_of_the_emulator_extra() -> None:
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    distributions = {re.split(r"[<>=!~\[; ]", requirement)[0] for requirement in optional["emulator"]}
    assert set(SERVER_DISTRIBUTIONS) == distributions
