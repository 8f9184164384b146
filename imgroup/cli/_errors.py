"""``imgroup errors``: what a vendor's error code means and what to do about it, from the catalogue.

The catalogue is the generated ``error_codes`` table of each vendor's package (written from its spec), which
the vendor's registry entry hands out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import click
import imgroup_registry
from imgroup_registry import VENDORS

from imgroup.errors import CATEGORIES, ErrorInfo

NOT_FOUND_EXIT = 1


def catalogue(vendor: str) -> Mapping[int, ErrorInfo]:
    """``vendor``'s error codes: code -> ErrorInfo."""
    return imgroup_registry.vendor(vendor).error_codes()


@click.group(
    epilog="\b\nExample:\n  imgroup errors explain feishu 232009\n  imgroup errors list tencent --category rate_limited"
)
def errors() -> None:
    """Look up what a vendor's error code means, whether to retry and what to do."""


def _complete_code(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    vendor = ctx.params.get("vendor")
    if vendor not in VENDORS:
        return []
    return [str(code) for code in catalogue(vendor) if str(code).startswith(incomplete)]


@errors.command(
    epilog="\b\nExample:\n  imgroup errors explain feishu 232009\n  imgroup errors explain yunxin 108404 --json"
)
@click.argument("vendor", type=click.Choice(VENDORS))
@click.argument("code", type=int, shell_complete=_complete_code)
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
def explain(vendor: str, code: int, as_json: bool) -> None:
    """Explain one error CODE of VENDOR.

    Prints what the code means, its category, whether another try may succeed and what to do.
    Exits 1 when the code is not in the catalogue.
    """
    info = catalogue(vendor).get(code)
    if info is None:
        if as_json:
            click.echo(json.dumps({"vendor": vendor, "code": code, "known": False}))
        click.echo(
            f"{vendor} error {code} is not in the catalogue; `imgroup errors list {vendor}` lists the known codes.",
            err=True,
        )
        raise click.exceptions.Exit(NOT_FOUND_EXIT)
    if as_json:
        click.echo(json.dumps({"vendor": vendor, "known": True, **_entry(info)}, ensure_ascii=False, indent=2))
        return
    retry = "retryable: another try may succeed" if info.retryable else "not retryable"
    lines = [
        f"{vendor} error {info.code}: {info.message}",
        f"  meaning:     {info.description}",
        f"  category:    {info.category} ({retry})",
        f"  what to do:  {info.action}",
        f"  HTTP status: {info.http_status}",
        f"  operations:  {', '.join(info.operations) or 'every operation (vendor-wide code)'}",
    ]
    if info.review:
        lines.append("  note:        added from a changed documentation page; not yet reviewed by a person")
    click.echo("\n".join(lines))


@errors.command(name="list", epilog="\b\nExample:\n  imgroup errors list feishu --category already_gone")
@click.argument("vendor", type=click.Choice(VENDORS))
@click.option("--category", type=click.Choice(CATEGORIES), help="Only codes of this category.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as a JSON list.")
def list_codes(vendor: str, category: str | None, as_json: bool) -> None:
    """List VENDOR's error codes.

    One line per code: the code, its category, "retry" when another try may succeed, the vendor's message.
    """
    entries = [info for info in catalogue(vendor).values() if category is None or info.category == category]
    entries.sort(key=lambda info: info.code)
    if as_json:
        click.echo(json.dumps([_entry(info) for info in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"{vendor} has no error codes of category {category}.", err=True)
        return
    width = max(len(info.category) for info in entries)
    for info in entries:
        retry = "retry" if info.retryable else "     "
        click.echo(f"{info.code:>9}  {info.category:<{width}}  {retry}  {info.message}")


def _entry(info: ErrorInfo) -> dict[str, object]:
    entry: dict[str, object] = dict(info._asdict())
    entry["operations"] = list(info.operations)
    return entry
