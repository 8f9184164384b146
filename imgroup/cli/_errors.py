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
AMBIGUOUS_EXIT = 2


def catalogue(vendor: str) -> Mapping[int, ErrorInfo]:
    """``vendor``'s error codes: code -> ErrorInfo."""
    return imgroup_registry.vendor(vendor).error_codes()


@click.group(
    epilog="\b\nExample:\n  imgroup errors explain 232009\n  imgroup errors list tencent --category rate_limited"
)
def errors() -> None:
    """Look up what a vendor's error code means, whether to retry and what to do."""


def _complete_word(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    typed = ctx.params.get("words") or ()
    if not typed:
        return [vendor for vendor in VENDORS if vendor.startswith(incomplete)]
    if len(typed) == 1 and typed[0] in VENDORS:
        return [str(code) for code in catalogue(typed[0]) if str(code).startswith(incomplete)]
    return []


@errors.command(epilog="\b\nExample:\n  imgroup errors explain 232009\n  imgroup errors explain yunxin 108404 --json")
@click.argument("words", nargs=-1, required=True, metavar="[VENDOR] CODE", shell_complete=_complete_word)
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
def explain(words: tuple[str, ...], as_json: bool) -> None:
    """Explain one error CODE (of VENDOR, needed only when several vendors have the code).

    Prints what the code means, its category, whether another try may succeed and what to do.
    Exits 1 when the code is not in the catalogue, 2 when several vendors have it and none was named.
    """
    vendor, code = _vendor_and_code(words)
    vendors = [vendor] if vendor is not None else [name for name in VENDORS if code in catalogue(name)]
    found = [(name, info) for name in vendors if (info := catalogue(name).get(code)) is not None]
    if not found:
        if as_json:
            click.echo(json.dumps({"vendor": vendor, "code": code, "known": False}))
        whose = f"{vendor} error {code} is not in the catalogue" if vendor else f"error {code} is in no catalogue"
        hint = f"imgroup errors list {vendor or 'VENDOR'} lists the known codes"
        click.echo(f"imgroup errors explain: {whose}; {hint}", err=True)
        raise click.exceptions.Exit(NOT_FOUND_EXIT)
    if len(found) > 1:
        if as_json:
            click.echo(json.dumps({"code": code, "known": True, "vendors": [name for name, _ in found]}))
        click.echo(f"imgroup errors explain: {len(found)} vendors have error {code}; name one:", err=True)
        for name, info in found:
            click.echo(f"  imgroup errors explain {name} {code}  # {info.message}", err=True)
        raise click.exceptions.Exit(AMBIGUOUS_EXIT)
    [(vendor, info)] = found
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
        lines.append("  note:        not yet reviewed by a person against the vendor's current page")
    click.echo("\n".join(lines))


def _vendor_and_code(words: tuple[str, ...]) -> tuple[str | None, int]:
    """``CODE`` or ``VENDOR CODE``, checked as click checks a choice and an integer."""
    if len(words) > 2:
        raise click.UsageError(f"expected [VENDOR] CODE, got {len(words)} words")
    *named, code = words
    if named and named[0] not in VENDORS:
        raise click.BadParameter(f"{named[0]!r} is not one of {', '.join(VENDORS)}", param_hint="VENDOR")
    try:
        return (named[0] if named else None), int(code)
    except ValueError:
        raise click.BadParameter(f"{code!r} is not an integer", param_hint="CODE") from None


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
