"""``imgroup emulator``: run the local emulator of the three vendors in the foreground."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import _extras


@click.command(
    epilog="\b\nExample:\n  imgroup emulator --port 8765 &\n"
    "  FEISHU_BASE_URL=http://127.0.0.1:8765 FEISHU_APP_ID=cli_demo FEISHU_APP_SECRET=demo-feishu-app-secret \\\n"
    "    imgroup feishu disband-chat oc_demo_1"
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless --allow-remote)."
)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON seed file of apps and groups (default: the demo seed, whose credentials it prints).",
)
@click.option(
    "--allow-remote", is_flag=True, help="Allow a --host beyond loopback (it accepts the seed's credentials)."
)
def emulator(host: str, port: int, seed: Path | None, allow_remote: bool) -> None:
    """Run a local emulator of Feishu, Tencent Cloud Chat and NetEase Yunxin until Ctrl-C.

    Point a command at it with --base-url or FEISHU_BASE_URL / TENCENT_IM_BASE_URL / YUNXIN_BASE_URL.
    """
    # The server stack (starlette, uvicorn) is imported only here, and a plain install has none.
    _extras.require("emulator", "imgroup emulator")
    from imgroup.emulator import RemoteBindRefused, serve

    if seed is not None:
        try:
            json.loads(seed.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise click.BadParameter(f"{seed} is not a JSON document ({error})", param_hint="--seed") from None
    try:
        serve(host, port, seed, allow_remote=allow_remote)
    except RemoteBindRefused as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except KeyboardInterrupt:
        pass
