"""A local emulator of Feishu, Tencent Cloud Chat and NetEase Yunxin group administration, over real HTTP.

>>> from imgroup.emulator import EmulatorServer, DEMO_SEED
>>> with EmulatorServer(seed=DEMO_SEED) as emu:  # doctest: +SKIP
...     print(emu.base_url, emu.credentials["feishu"]["app_id"])

Importing this package is cheap: starlette and uvicorn are imported when a server starts.
"""

from ._seed import DEMO_SEED, SeedFileError, read_seed
from ._server import EmulatorServer, RemoteBindRefused, environment_lines, serve
from ._state import SeedError

__all__ = [
    "DEMO_SEED",
    "EmulatorServer",
    "RemoteBindRefused",
    "SeedError",
    "SeedFileError",
    "environment_lines",
    "read_seed",
    "serve",
]
