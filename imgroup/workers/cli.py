"""``imgroup worker``: carry out the partitions of the plans queued with ``imgroup apply --queue``."""

from __future__ import annotations

import click


@click.command(
    epilog="\b\nExamples:\n  imgroup worker --queue postgresql://db/imgroup\n"
    "  imgroup worker --queue postgresql://db/imgroup --concurrency 8 --profile acme"
)
@click.option("--queue", "queue_url", metavar="URL", required=True, help="The PostgreSQL the plans are queued in.")
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
    help="Partitions (vendor apps) this process runs at once, each on a thread of its own.",
)  # fmt: skip
@click.option("--profile", help="Profile of the config file to take credentials from (others by app).")
@click.option("--base-url", help="Send to this URL instead of the vendors' (an emulator).")
@click.option(
    "--stalled-after", type=click.FloatRange(min=1.0), default=10.0, show_default=True, metavar="SECONDS",
    help="A partition whose worker sent no heartbeat for this long is taken up by another (heartbeats, looks "
    "for such partitions and polls for new ones every fifth of it).",
)  # fmt: skip
def worker(queue_url: str, concurrency: int, profile: str | None, base_url: str | None, stalled_after: float) -> None:
    """Carry out queued plans, one partition (vendor, app, tenant) at a time each, until Ctrl-C or SIGTERM.

    Start as many as wanted, on as many machines: a partition runs on one worker at a time, and one whose
    worker died is taken up by another within about 16 seconds (1.6 times --stalled-after). Credentials come
    from this machine's settings (the environment, --profile, or the config file's profile naming the
    partition's app), never from the queue. On Ctrl-C or SIGTERM the running partitions finish first.
    """
    import asyncio

    from imgroup.cli._extras import require

    require("workers", "imgroup worker")
    import psycopg

    from ._queue import WorkerOptions, run_worker
    from ._store import connect, ensure_schema
    from ._url import queue_failure, shown_url

    options = WorkerOptions(queue_url, profile, base_url, stalled_after)
    try:
        with connect(queue_url) as db:
            ensure_schema(db)
    except psycopg.Error as error:
        click.echo(f"imgroup worker: {queue_failure(queue_url, error)}", err=True)
        click.get_current_context().exit(2)
        return
    click.echo(f"worker on {shown_url(queue_url)}: up to {concurrency} partitions at once", err=True)
    asyncio.run(run_worker(options, concurrency=concurrency))
