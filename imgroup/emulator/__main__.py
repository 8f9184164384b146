"""``python -m imgroup.emulator [--host H] [--port P] [--seed demo|empty|FILE] [--allow-remote]``."""

from __future__ import annotations

import argparse

from imgroup.cli._extras import MissingExtraError, require

from ._seed import SeedFileError
from ._server import RemoteBindRefused, serve
from ._state import SeedError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m imgroup.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--seed", default="demo", metavar="demo|empty|FILE", help="the world it starts with (default: demo)"
    )
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    args = parser.parse_args(argv)
    try:
        require("emulator", parser.prog)
    except MissingExtraError as error:
        parser.exit(error.exit_code, f"error: {error.message}\n")
    try:
        serve(args.host, args.port, args.seed, allow_remote=args.allow_remote)
    except (RemoteBindRefused, SeedFileError, SeedError) as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
