"""A full sync of one app: list every group it can see, read each whole (facts, members, roles), record it.

The reads run on ``concurrency`` workers through the app's async client, whose limiter paces every operation
at its documented limits: Feishu reads a chat with two operations (get_chat, then its members), each with a
limit of its own, so with several workers both run at their full rate at once. Each batch of reads is one
transaction with its place in the sync's queue (``_syncs``), so a sync killed at any moment resumes where it was.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from attrs import frozen

from imgroup.groups import Adapter, GroupRef
from imgroup.groups._flow import run_async

from ._store import Inventory

if TYPE_CHECKING:
    from imgroup.runtime import AsyncClient

DEFAULT_CONCURRENCY = 16


@frozen
class SyncResult:
    """What one app's sync did: groups listed, read in this run, seen but unreadable, removed at the end."""

    listed: int
    read: int
    unreadable: dict[str, str]
    removed: int
    resumed: bool


async def sync_app(
    inventory: Inventory,
    adapter: Adapter,
    client: AsyncClient,
    app: str,
    *,
    tenant: str = "",
    concurrency: int = DEFAULT_CONCURRENCY,
    on_read: Callable[[int], None] = lambda count: None,
) -> SyncResult:
    """Sync every group ``app`` sees into ``inventory``, resuming a sync under way; ``on_read(n)`` after each
    batch. The vendor's errors propagate (what was read stays recorded, for the next run to resume)."""
    vendor, book = adapter.vendor, inventory.syncs
    run = book.begin(vendor, app, tenant)
    if not run.listed:
        refs = await run_async(client, adapter.entry, adapter.list_group_refs())
        # A group listed twice (a listing paging while groups come and go) is read once.
        book.save_listing(vendor, app, tenant, list(dict.fromkeys(str(ref) for ref in refs)))
    pending = book.pending(vendor, app, tenant)
    listed, _ = book.listed(vendor, app, tenant)
    size = adapter.roster_batch
    batches = iter([pending[start : start + size] for start in range(0, len(pending), size)])
    unreadable: dict[str, str] = {}

    async def worker() -> None:
        # Taking the next batch never awaits, so no two workers take the same one.
        while (batch := next(batches, None)) is not None:
            refs = [GroupRef.parse(ref) for _, ref in batch]
            read_at = time.time()
            survey = await run_async(client, adapter.entry, adapter.read_rosters(refs))
            seen = [ref for ref in refs if str(ref) in survey.unreadable]
            inventory.record_reads(
                vendor,
                app,
                tenant,
                [(roster.group, roster.members) for roster in survey.found],
                read_at,
                seen=seen,
                positions=[position for position, _ in batch],
            )
            unreadable.update(survey.unreadable)
            on_read(len(batch))

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, min(concurrency, len(pending)))):
                group.create_task(worker())
    except ExceptionGroup as failed:  # the first worker's failure, as a sequential read would raise it
        raise failed.exceptions[0] from None
    removed = book.finish(vendor, app, tenant)
    return SyncResult(listed, len(pending), unreadable, removed, resumed=run.listed)
