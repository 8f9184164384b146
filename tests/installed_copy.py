"""imgroup as a user gets it: an sdist built from the checkout, a wheel built from that sdist, installed into a
fresh virtual environment, and ``mypy --strict`` run from outside the checkout against what was installed.

Building offline takes the development environment's setuptools (no build isolation, so no download); the
fresh environment sees the development environment's third-party packages through a ``.pth`` line, the way a
user's environment holds imgroup's dependencies, but only its own copy of imgroup and the generated packages.

One copy serves a whole test run: ``install_once`` builds it under a lock in a folder the run's processes (the
xdist workers) share, and the first to ask builds it; its mypy runs share one cache, taking the lock in turn. The
cache starts as a copy of the checkout's, which ``make test`` has just filled with ``make typecheck``: mypy reuses
an entry only for a file of the same content, wherever that file now lies, so the first run does not check the
standard library, httpx and attrs from scratch (18 s of CPU, 8 s with the copy), while imgroup is still found
where the environment installed it (a module the wheel lacks, or a missing ``py.typed``, still fails).
(``fcntl``: the suite is POSIX-only already, it SIGKILLs processes and runs PostgreSQL's pg_ctl.)
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What the sdist is made from; the build itself decides what of it ships.
SOURCES = ("pyproject.toml", "README.md", "imgroup", "generated")
BUILD = "import sys; from setuptools import build_meta; print(build_meta.build_{kind}(sys.argv[1]))"
BUILD_TIMEOUT_S = 300


@dataclass(frozen=True)
class InstalledCopy:
    """A virtual environment with imgroup installed from its wheel, and the distributions it was built from."""

    python: Path
    sdist: Path
    wheel: Path
    mypy_cache: Path

    def mypy(self, files: Sequence[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
        """``mypy --strict`` on ``files`` from ``cwd``, finding imgroup where the environment installed it."""
        command = [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(self.python)]
        command += ["--cache-dir", str(self.mypy_cache), "--no-color-output", *map(str, files)]
        environ = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}  # no MYPYPATH, no PYTHONPATH: the checkout is unseen
        with _locked(self.mypy_cache.with_name("mypy-cache.lock")):
            return subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True, check=False)


def install_once(workdir: Path) -> InstalledCopy:
    """``install(workdir)``, or the copy another process of this run installed there."""
    workdir.mkdir(parents=True, exist_ok=True)
    made = workdir / "installed.json"
    with _locked(workdir / "install.lock"):
        if made.exists():
            return InstalledCopy(**{name: Path(path) for name, path in json.loads(made.read_text()).items()})
        copy = install(workdir)
        made.write_text(json.dumps({name: str(path) for name, path in asdict(copy).items()}))
        return copy


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def install(workdir: Path) -> InstalledCopy:
    """Build the sdist and the wheel under ``workdir`` and install the wheel into a fresh environment there."""
    source = workdir / "checkout"
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    dist = workdir / "dist"
    sdist = dist / _build("sdist", source, dist)
    with tarfile.open(sdist) as archive:
        archive.extractall(workdir / "unpacked", filter="data")
    unpacked = workdir / "unpacked" / sdist.name.removesuffix(".tar.gz")
    wheel = dist / _build("wheel", unpacked, dist)

    environment = workdir / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(environment)], cwd=workdir)
    python = environment / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], cwd=workdir)
    site_packages = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=workdir)
    )
    (site_packages / "imgroup-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    mypy_cache = checkout_mypy_cache(workdir / "mypy-cache")
    return InstalledCopy(python=python, sdist=sdist, wheel=wheel, mypy_cache=mypy_cache)


def checkout_mypy_cache(target: Path) -> Path:
    """``target``, a copy of the checkout's mypy cache where ``make typecheck`` left one (else mypy starts it):
    mypy reuses an entry only for a file of the same content, wherever that file now lies."""
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", target)
    return target


def _build(kind: str, source: Path, dist: Path) -> str:
    return _run([sys.executable, "-c", BUILD.format(kind=kind), str(dist)], cwd=source).splitlines()[-1]


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()
