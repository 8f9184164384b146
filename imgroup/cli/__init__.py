"""The ``imgroup`` command: every operation of the three vendors, their error catalogues, the emulator
and bulk jobs, from the shell.

Subcommands are imported when they run, so ``imgroup --help`` does not load a vendor client or a server.
"""

from __future__ import annotations

from typing import Any

import click
from imgroup_registry import TITLES

from ._boundary import BoundaryGroup
from ._lazy import LazyCommand

COMMANDS = {
    "feishu": LazyCommand(
        "imgroup.cli._operations:vendor_group",
        f"{TITLES['feishu']}: list, read, create and change chats, their members and managers; disband.",
        args=("feishu",),
    ),
    "tencent": LazyCommand(
        "imgroup.cli._operations:vendor_group",
        f"{TITLES['tencent']}: list, read, create and change groups and members; destroy.",
        args=("tencent",),
    ),
    "yunxin": LazyCommand(
        "imgroup.cli._operations:vendor_group",
        f"{TITLES['yunxin']}: list, read, create and change teams, members and managers; dismiss.",
        args=("yunxin",),
    ),
    "errors": LazyCommand("imgroup.cli._errors:errors", "What an error code means and what to do about it."),
    "bulk": LazyCommand(
        "imgroup.bulk.cli:bulk",
        "Run one operation over many groups from a file, resumably.",
        unavailable="bulk is unavailable: this installation has no imgroup.bulk package.",
    ),
    "offboard": LazyCommand(
        "imgroup.plans.cli:offboard", "Plan taking users out of every group they own, manage or belong to."
    ),
    "sweep": LazyCommand("imgroup.plans.cli:sweep", "Plan disbanding stale groups (by name, size, age)."),
    "plan": LazyCommand(
        "imgroup.plans.cli:plan_group",
        "Summarise a plan, or write a page to review it in a browser; follow one applied on workers.",
    ),
    "apply": LazyCommand("imgroup.plans.cli:apply", "Carry out a reviewed plan, resumably, each step at most once."),
    "worker": LazyCommand("imgroup.workers.cli:worker", "Carry out plans queued with apply --queue, on PostgreSQL."),
    "inventory": LazyCommand(
        "imgroup.inventory.cli:inventory",
        "A local record of every group: sync it, ask who is in or owns what, see how fresh it is.",
    ),
    "emulator": LazyCommand("imgroup.cli._emulator:emulator", "Run a local emulator of the three vendors."),
    "events": LazyCommand(
        "imgroup.cli._events:events", "Receive the vendors' group events: verified, logged durably, processed."
    ),
    "tenants": LazyCommand("imgroup.cli._tenants:tenants", "List the tenants a Feishu store app knows."),
    "completion": LazyCommand("imgroup.cli._completion:completion", "Print a shell completion script."),
}

HELP = """Administer Feishu, Tencent Cloud Chat and NetEase Yunxin groups from the shell.

Credentials come from options, then the environment (FEISHU_APP_ID, TENCENT_IM_SDKAPPID, YUNXIN_APP_KEY, ...),
then a profile of ~/.config/imgroup/config.toml. Secrets are never printed.

Exit status: 0 done; 1 the vendor answered with an error or not at all (one line on stderr: the code, the
vendor's message, what to do); 2 a usage error (a bad argument, a missing setting, a file that cannot be read).
--json on a command prints its outcome as JSON on stdout; --debug shows a failure's traceback.
"""

EPILOG = """\b
Examples:
  imgroup feishu disband-chat oc_abc
  imgroup yunxin dismiss-team 1001 --team-type 1 --operator-id acc_owner --json
  imgroup errors explain feishu 232009
  imgroup offboard tencent:alice --successor tencent:bob --plan alice.jsonl
  imgroup apply alice.jsonl --journal alice.journal --report alice.csv
  eval "$(imgroup completion bash)"
"""


@click.group(
    name="imgroup",
    cls=BoundaryGroup,
    lazy_commands=COMMANDS,
    help=HELP,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="imgroup", prog_name="imgroup")
@click.option("--debug", is_flag=True, help="On a failure, show the traceback instead of one line.")
def cli(debug: bool) -> None:
    """The root group (its help is HELP); BoundaryGroup reads --debug when a command fails."""


def main(args: list[str] | None = None) -> Any:
    """The console script: ``imgroup``."""
    return cli.main(args=args, prog_name="imgroup")


__all__ = ["cli", "main"]
