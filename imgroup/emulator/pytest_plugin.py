"""pytest plugin: the ``imgroup_emulator`` fixture, a demo-seeded emulator that is fresh for every test.

One server runs per test session (started on first use); before each test it is reset and seeded with
DEMO_SEED. The server stack is imported only when a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer


@pytest.fixture(scope="session")
def imgroup_emulator_server() -> Iterator[EmulatorServer]:
    """The session's emulator server, seeded with DEMO_SEED; prefer ``imgroup_emulator``."""
    from imgroup.emulator import DEMO_SEED, EmulatorServer

    with EmulatorServer(seed=DEMO_SEED) as server:
        yield server


@pytest.fixture
def imgroup_emulator(imgroup_emulator_server: EmulatorServer) -> EmulatorServer:
    """The emulator, reset and seeded with DEMO_SEED: ``base_url``, ``credentials`` and admin helpers."""
    imgroup_emulator_server.reset("demo")
    return imgroup_emulator_server
