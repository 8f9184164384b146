"""What cProfile shows for a missed target: which packages and functions the time of a call goes to."""

from __future__ import annotations

import cProfile
import pstats
from collections import Counter
from collections.abc import Callable
from pathlib import PurePath

TOP_FUNCTIONS = 5
TOP_PACKAGES = 5
# Where installed and generated packages live; anything else with a path is the standard library.
PACKAGE_ROOTS = ("site-packages", "generated")


def package_of(filename: str) -> str:
    """The top-level package a profiled function belongs to."""
    if filename == "~":
        return "built-ins"
    parts = PurePath(filename).parts
    if "runtime" in parts[:-1] and "imgroup" in parts[:-1]:  # the generated packages' shared runtime
        return "imgroup.runtime"
    for root in PACKAGE_ROOTS:
        if root in parts[:-1]:
            return parts[parts.index(root) + 1].removesuffix(".py")
    return "stdlib"


def _where(filename: str, function: str) -> str:
    if filename == "~":
        return function
    path = PurePath(filename)
    return f"{path.parent.name}/{path.name}:{function}"


def hot_spots(call: Callable[[int], object], calls: int) -> str:
    """What cProfile shows over ``calls`` calls of ``call``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(calls):
        call(index)
    profiler.disable()
    return summarize(pstats.Stats(profiler))


def summarize(stats: pstats.Stats) -> str:
    """Own time by package, and the functions with the most own time, as shares of the profiled total."""
    # pstats keeps its table in an attribute it does not document: {(file, line, function): (cc, nc, tt, ct, callers)}
    entries = stats.stats  # type: ignore[attr-defined]
    own = {(filename, function): entry[2] for (filename, _line, function), entry in entries.items()}
    total = sum(own.values()) or 1.0
    packages: Counter[str] = Counter()
    for (filename, _function), seconds in own.items():
        packages[package_of(filename)] += seconds
    by_package = ", ".join(f"{name} {seconds / total:.0%}" for name, seconds in packages.most_common(TOP_PACKAGES))
    ranked = sorted(own.items(), key=lambda item: item[1], reverse=True)[:TOP_FUNCTIONS]
    by_function = ", ".join(f"{_where(*where)} {seconds / total:.0%}" for where, seconds in ranked)
    return f"cProfile own time by package: {by_package}; top functions: {by_function}"
