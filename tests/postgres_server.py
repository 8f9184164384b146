"""A throwaway PostgreSQL server for the tests, started from the machine's server binaries.

As pytest-postgresql does: ``initdb`` a fresh cluster in a temporary folder, ``pg_ctl start`` it on a free
loopback port with its socket in the same folder, and stop it when the session ends. ``initdb`` refuses to run
as root, so as root the server runs as the ``postgres`` user, in a folder under /tmp that user can enter.

A machine without the binaries fails the tests that need them, with what to install: a test of our code
fails, never skips (``.ci/run`` installs Debian's ``postgresql`` where it is missing).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_USER = "postgres"


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, then Debian's versioned folders."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    versioned = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if versioned:
        return Path(versioned[-1]).parent
    raise RuntimeError(
        "PostgreSQL's server binaries (initdb, pg_ctl) are not on this machine: install them "
        "(Debian: apt-get install postgresql) to run the tests that need a real server"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One running cluster; ``database()`` makes a fresh empty database and returns its URL."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="imgroup-pg-", dir="/tmp"))
        self.data = self.folder / "data"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            server_user = pwd.getpwnam(SERVER_USER)
            os.chmod(self.folder, 0o755)
            os.chown(self.folder, server_user.pw_uid, server_user.pw_gid)

    def _run(self, *argv: str) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self._as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new empty database on this server; its ``postgresql://`` URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SERVER_USER, name)
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server per test process (each xdist worker starts its own)."""
    server = PostgresServer(find_bindir())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh empty database for one test: ``postgresql://postgres@127.0.0.1:PORT/t_…``."""
    return postgres_server.database()
