"""``imgroup emulator``: run the local emulator of the three vendors in the foreground."""

from __future__ import annotations

import click

from . import _extras


@click.command(
    epilog="\b\nExample:\n  imgroup emulator --port 8765          # then paste the export lines it prints\n"
    "  imgroup feishu disband-chat oc_demo_1  # in the shell you pasted them into"
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless --allow-remote)."
)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option(
    "--seed",
    default="demo",
    show_default=True,
    metavar="demo|empty|FILE",
    help="The world it starts with: the demo seed (whose credentials it prints), nothing, or a JSON seed file.",
)
@click.option(
    "--allow-remote", is_flag=True, help="Allow a --host beyond loopback (it accepts the seed's credentials)."
)
def emulator(host: str, port: int, seed: str, allow_remote: bool) -> None:
    """Run a local emulator of Feishu, Tencent Cloud Chat and NetEase Yunxin until Ctrl-C.

    It prints `export` lines that point the command line at it (FEISHU_BASE_URL, TENCENT_IM_BASE_URL,
    YUNXIN_BASE_URL and the seed's credentials). POST /_emulator/reset?seed=demo brings the demo world back.
    """
    # The server stack (starlette, uvicorn) is imported only here, and a plain install has none.
    _extras.require("emulator", "imgroup emulator")
    from imgroup.emulator import RemoteBindRefused, SeedError, SeedFileError, serve

    try:
        serve(host, port, seed, allow_remote=allow_remote)
    except (SeedFileError, SeedError) as error:
        raise click.BadParameter(str(error), param_hint="--seed") from None
    except RemoteBindRefused as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except KeyboardInterrupt:
        pass
