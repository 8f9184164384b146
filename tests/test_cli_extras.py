"""A command that needs an optional extra, on an installation without it: one line naming the extra, exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from uninstalled import BLOCK_MODULES

from imgroup.cli._extras import EXTRAS

ROOT = Path(__file__).resolve().parents[1]

# Runs the command line in a fresh interpreter where the named modules cannot be imported, as on an
# installation without the extra.
WITHOUT_MODULES = (
    BLOCK_MODULES
    + """
if sys.argv[2] == "-m":
    import runpy

    sys.argv = [sys.argv[3], *sys.argv[4:]]
    runpy.run_module(sys.argv[0], run_name="__main__")
else:
    from imgroup.cli import main
    main(sys.argv[2:])
"""
)


def run_without(modules: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", WITHOUT_MODULES, ",".join(modules), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_python_m_emulator_without_its_extra_says_how_to_install_it_in_one_line() -> None:
    result = run_without(["starlette", "uvicorn"], "-m", "imgroup.emulator", "--port", "0")
    assert (result.returncode, result.stdout) == (2, "")
    expected = (
        "error: python -m imgroup.emulator needs the emulator extra (no module named 'starlette'): "
        "pip install 'imgroup[emulator]'"
    )
    assert result.stderr.splitlines() == [expected]


@pytest.mark.parametrize("missing", [["uvicorn"], ["starlette"], ["starlette", "uvicorn"]])
def test_emulator_without_its_extra_says_how_to_install_it_in_one_line(missing: list[str]) -> None:
    result = run_without(missing, "emulator", "--port", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: imgroup emulator needs the emulator extra")
    assert "pip install 'imgroup[emulator]'" in lines[0]


def test_emulator_help_still_works_without_the_extra() -> None:
    result = run_without(["starlette", "uvicorn"], "emulator", "--help")
    assert result.returncode == 0
    assert "Run a local emulator" in result.stdout


def test_commands_that_need_no_extra_run_without_the_emulators_modules() -> None:
    result = run_without(["starlette", "uvicorn"], "errors", "explain", "feishu", "232009")
    assert result.returncode == 0, result.stderr
    assert "232009" in result.stdout


def test_the_extras_table_names_every_distribution_of_pyprojects_extras() -> None:
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    for extra, modules in EXTRAS.items():
        distributions = {re.split(r"[<>=!~\[; ]", requirement)[0] for requirement in optional[extra]}
        assert set(modules) == distributions
