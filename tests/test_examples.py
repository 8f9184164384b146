"""Every example in README.md and docs/ works as written, against the emulator.

Python blocks are whole programs: together they pass one ``mypy --strict`` run against an installed copy of
imgroup, and each runs against the emulator's demo world (a block of ``test_`` functions runs under pytest
with the ``imgroup_emulator`` fixture). They read the emulator's address and credentials from the variables
the command line reads, as the README says, set here from the ``export`` lines ``imgroup emulator`` prints.

Console blocks are walkthroughs: each ``$`` command runs in bash, in order, one document at a time in its own
directory and on a demo world made afresh for it, with the emulator's ``export`` lines pasted first. A command
passes when it exits 0, or 1 when the output shown under it is its own one-line failure (``imgroup yunxin
dismiss-team: [108404] …``) or an ``Error:``. The docs' port 8765 stands for
the emulator's own port (a fixed port cannot be shared by test runs); a walkthrough that starts
``imgroup emulator ... &`` itself gets that emulator, on a free port, and it is stopped after the document.

A block that must not run says so in an HTML comment on the line before it, ``<!-- not-run: why -->``; they
are counted and kept few.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from installed_copy import InstalledCopy

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[\w-]*)\s*$")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run:(?P<reason>.*?)-->\s*$")
RUN_KINDS = ("python", "console")
MAX_NOT_RUN = 6
DOCS_PORT = "8765"
EMULATOR_COMMAND = re.compile(r"^(imgroup emulator|python -m imgroup\.emulator)\b")
BACKGROUND = re.compile(r"^(?P<command>.*[^&])&\s*(#.*)?$")
COMMAND_TIMEOUT_S = 120
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Block:
    """A fenced block of a document: where it starts, its info string, its text, and why not run (if marked)."""

    document: Path
    line: int
    info: str
    text: str
    not_run: str | None

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


@dataclass(frozen=True)
class Command:
    """A ``$`` command of a walkthrough, with the output shown under it."""

    block: Block
    text: str
    shown: tuple[str, ...]

    @property
    def exit_status(self) -> int:
        """1 when the output shown is the command's own one-line failure (``imgroup yunxin dismiss-team: [108404]
        …``, the command's words before the colon) or an ``Error:``; 0 otherwise."""
        if not self.shown:
            return 0
        first = self.shown[0]
        named, colon, _ = first.partition(": ")
        command = re.sub(r"^(\w+=\S*\s+)*", "", self.text)  # after any VAR=value the command is run with
        failed = colon and named.startswith("imgroup ") and (command + " ").startswith(named + " ")
        return 1 if failed or first.startswith("Error:") else 0


def read_blocks(document: Path) -> list[Block]:
    blocks = []
    lines = document.read_text(encoding="utf-8").splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if opening is None:
            number += 1
            continue
        indent, start = opening["indent"], number
        number += 1
        body = []
        while not lines[number].startswith(indent + "```"):
            body.append(lines[number].removeprefix(indent))
            number += 1
        number += 1
        marked = NOT_RUN.match(lines[start - 1]) if start else None
        reason = marked["reason"].strip() if marked else None
        blocks.append(Block(document, start + 1, opening["info"], "\n".join(body) + "\n", reason))
    return blocks


BLOCKS = [block for document in DOCUMENTS for block in read_blocks(document)]
PYTHON = [block for block in BLOCKS if block.info == "python" and block.not_run is None]
CONSOLE = [block for block in BLOCKS if block.info == "console" and block.not_run is None]


def commands(block: Block) -> list[Command]:
    found: list[Command] = []
    lines = iter(block.text.splitlines())
    for line in lines:
        if not line.startswith("$ "):
            if found:
                found[-1] = Command(block, found[-1].text, (*found[-1].shown, line))
            continue
        text = line.removeprefix("$ ")
        while text.endswith("\\"):
            text += "\n" + next(lines)
        found.append(Command(block, text, ()))
    return found


# --- what is run, and what is marked ------------------------------------------------------------------


def test_blocks_that_are_not_run_are_marked_with_a_reason_and_few() -> None:
    marked = [block for block in BLOCKS if block.not_run is not None]
    assert all(block.not_run for block in marked), [block.name for block in marked if not block.not_run]
    assert all(block.info in RUN_KINDS for block in marked), [block.name for block in marked]
    assert len(marked) <= MAX_NOT_RUN, [block.name for block in marked]
    assert len(PYTHON) >= 10 and len(CONSOLE) >= 15


def test_every_walkthrough_has_commands_and_starts_the_emulator_only_in_the_background() -> None:
    without_commands = [block.name for block in CONSOLE if not commands(block)]
    assert without_commands == [], "write $ commands, or mark the block <!-- not-run: why -->"
    foreground = [
        f"{command.block.name}: {command.text}"
        for block in CONSOLE
        for command in commands(block)
        if EMULATOR_COMMAND.match(command.text) and not BACKGROUND.match(command.text)
    ]
    assert foreground == [], "an emulator in the foreground never returns: end the command with &"


# --- Python ---------------------------------------------------------------------------------------------


def _is_pytest_module(block: Block) -> bool:
    return re.search(r"^def test_", block.text, re.MULTILINE) is not None


def _write_python_examples(directory: Path) -> dict[Path, Block]:
    directory.mkdir()
    files = {}
    for number, block in enumerate(PYTHON):
        prefix = "test_example" if _is_pytest_module(block) else "example"
        path = directory / f"{prefix}_{number:02}.py"
        path.write_text(block.text, encoding="utf-8")
        files[path] = block
    return files


def test_every_python_example_passes_mypy_strict_against_an_installed_copy(
    installed_imgroup: InstalledCopy, tmp_path: Path
) -> None:
    files = _write_python_examples(tmp_path / "examples")
    result = installed_imgroup.mypy(list(files), cwd=tmp_path / "examples")
    named = "\n".join(f"{path.name}: {block.name}" for path, block in files.items())
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\n{named}"


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[str, str]]:
    """``imgroup emulator --port 0`` (the demo seed), and the ``export`` lines it printed."""
    process = subprocess.Popen(
        [str(BIN / "imgroup"), "emulator", "--port", "0", "--seed", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_clean_environment(),
    )
    try:
        url, exports = _banner(process)
        yield url, exports
    finally:
        process.kill()
        process.wait(timeout=10)


def _clean_environment() -> dict[str, str]:
    """A user's shell: the venv's commands on the PATH, and no setting of imgroup's inherited from this one."""
    keep = {name: os.environ[name] for name in ("LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return {**keep, "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}


def _banner(process: subprocess.Popen[str]) -> tuple[str, str]:
    assert process.stdout is not None
    lines = [process.stdout.readline()]
    while not lines[-1].startswith("  Admin API"):
        line = process.stdout.readline()
        assert line, "the emulator's banner ended early:\n" + "".join(lines)
        lines.append(line)
    url = lines[0].split()[-1]
    return url, "".join(line for line in lines if line.startswith("export "))


def _environment_of(exports: str) -> dict[str, str]:
    """The variables the ``export`` lines set, read by bash (so they are shown to paste as printed)."""
    script = exports + "env -0"
    result = subprocess.run(["bash", "-c", script], env={}, capture_output=True, text=True, check=True)
    return dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)


# Runs each example file as a script against the emulator's demo world, made afresh before each.
RUNNER = """
import json, runpy, sys, traceback
import httpx

failures = {}
for path in sys.argv[2:]:
    httpx.post(sys.argv[1] + "/_emulator/reset", params={"seed": "demo"}).raise_for_status()
    try:
        runpy.run_path(path, run_name="__main__")
    except BaseException:
        failures[path] = traceback.format_exc()
print(json.dumps(failures))
"""


def test_every_python_example_runs_against_the_emulator(emulator: tuple[str, str], tmp_path: Path) -> None:
    url, exports = emulator
    files = _write_python_examples(tmp_path / "examples")
    environ = {**_clean_environment(), **_environment_of(exports), "HOME": str(tmp_path)}
    scripts = [str(path) for path in files if not path.name.startswith("test_")]
    ran = subprocess.run(
        [sys.executable, "-c", RUNNER, url, *scripts],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT_S * 2,
    )
    assert ran.returncode == 0, ran.stderr
    failures = {files[Path(path)].name: trace for path, trace in json.loads(ran.stdout.splitlines()[-1]).items()}
    assert failures == {}
    tests = [str(path) for path in files if path.name.startswith("test_")]
    pytest_run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *tests],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT_S * 2,
    )
    assert pytest_run.returncode == 0, pytest_run.stdout + pytest_run.stderr
    assert f"{len(tests)} passed" in pytest_run.stdout


# --- console walkthroughs -------------------------------------------------------------------------------


class Walkthrough:
    """One document's commands, run in order in one directory, each in bash with the variables set so far."""

    def __init__(self, directory: Path, exports: str, port: str) -> None:
        self.directory = directory
        self.state = directory.parent / f"{directory.name}.env"
        self.state.write_text(exports, encoding="utf-8")
        self.port = port
        self.started: list[subprocess.Popen[str]] = []
        self.environ = {**_clean_environment(), "HOME": str(directory)}

    def run(self, command: Command) -> None:
        text = command.text.replace(DOCS_PORT, self.port)
        background = BACKGROUND.match(text)
        if background is not None:
            self._start_emulator(command, background["command"])
            return
        state = shlex.quote(str(self.state))
        # The variables a command exports carry over to the next, as in one shell.
        script = f"source {state}\n{text}\nstatus=$?\nexport -p > {state}\nexit $status\n"
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=self.directory,
            env=self.environ,
            capture_output=True,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT_S,
        )
        assert result.returncode == command.exit_status, (
            f"{command.block.name}: $ {command.text}\nexit {result.returncode}, expected {command.exit_status}\n"
            f"{result.stdout}{result.stderr}"
        )

    def _start_emulator(self, command: Command, text: str) -> None:
        assert EMULATOR_COMMAND.match(text), f"{command.block.name}: only the emulator is run in the background"
        # Its own free port: the docs' port may be taken on this machine; later commands are pointed at it.
        text = re.sub(r"--port\s+\d+", "--port 0", text)
        script = f"source {shlex.quote(str(self.state))}\nexec {text}\n"
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=self.directory,
            env=self.environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.started.append(process)
        url, _ = _banner(process)
        self.port = url.rsplit(":", 1)[1]

    def stop(self) -> None:
        for process in self.started:
            process.kill()
            process.wait(timeout=10)


WALKTHROUGHS = sorted({block.document for block in CONSOLE})


@pytest.mark.parametrize("document", WALKTHROUGHS, ids=[str(d.relative_to(ROOT)) for d in WALKTHROUGHS])
def test_every_walkthrough_runs_as_written(document: Path, emulator: tuple[str, str], tmp_path: Path) -> None:
    url, exports = emulator
    httpx.post(url + "/_emulator/reset", params={"seed": "demo"}, timeout=10).raise_for_status()
    walkthrough = Walkthrough(tmp_path / "work", exports, url.rsplit(":", 1)[1])
    walkthrough.directory.mkdir()
    try:
        for block in CONSOLE:
            if block.document == document:
                for command in commands(block):
                    walkthrough.run(command)
    finally:
        walkthrough.stop()
