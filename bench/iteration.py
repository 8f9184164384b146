"""Measurement 7: ids per second when iter_groups pages through Tencent's group list at its documented limit.

Tencent documents 1 call/s for get_appid_group_list and up to 10,000 ids a page, so 10,000 ids/s is the most
its limit allows. The emulator (its own process) holds the groups and enforces the documented limit; a
``TencentIMClient`` with its default limiter and page size iterates them all. The rate is taken between the
first page's arrival and the last one's, the span the limit governs (the first page waits for nothing).
"""

from __future__ import annotations

import time
from typing import Any

from tencent_im import TencentIMClient
from tencent_im.operations import OPERATIONS

from ._cli import main
from ._emulator import EmulatorAdmin, emulator_process
from ._rows import Row, Summary

MEASUREMENT = "7. iteration"
OPERATION = "get_appid_group_list"
SDKAPPID = 1400000000
SECRET_KEY = "bench-tencent-secret"
ADMIN = "administrator"
GOAL = 0.95


def seed(count: int) -> dict[str, Any]:
    groups = [{"group_id": f"@TGS#bench{i:06d}", "type": "Public", "owner": "owner1"} for i in range(count)]
    app = {"sdkappid": SDKAPPID, "secret_key": SECRET_KEY, "admin": ADMIN}
    return {"tencent": {"apps": [app], "groups": groups}}


def ids_per_second(admin: EmulatorAdmin, count: int, page_size: int | None) -> float:
    """Iterate every group once; the rate between the first page's arrival and the last page's."""
    admin.restart_with(seed(count), rate_limits={})
    arrivals: list[float] = []
    seen = 0
    with TencentIMClient(sdkappid=SDKAPPID, secret_key=SECRET_KEY, identifier=ADMIN, base_url=admin.base_url) as client:
        size = page_size or client_page_size()
        for seen, _group in enumerate(client.iter_groups(page_size=page_size), start=1):
            if seen % size == 1 or size == 1:
                arrivals.append(time.perf_counter())
    if seen != count:
        raise RuntimeError(f"iter_groups yielded {seen} groups of {count}")
    if len(arrivals) < 2:
        raise RuntimeError("the run needs at least two pages")
    return (len(arrivals) - 1) * size / (arrivals[-1] - arrivals[0])


def client_page_size() -> int:
    from tencent_im.calls.get_appid_group_list import PAGING

    if PAGING.max_page_size is None:
        raise RuntimeError("the spec gives get_appid_group_list no largest page")
    return PAGING.max_page_size


def run(quick: bool) -> list[Row]:
    per_second = OPERATIONS[OPERATION].rate_limit_per_second or 0
    page = 10 if quick else client_page_size()
    pages = 3 if quick else 6
    allowed = per_second * page
    with emulator_process() as admin:
        rates = [ids_per_second(admin, page * pages, page if quick else None) for _ in range(1 if quick else 3)]
    summary = Summary.of(rates)
    return [
        Row(
            MEASUREMENT,
            f"TencentIMClient.iter_groups ({pages} pages of {page})",
            "ids per second",
            "ids/s",
            summary,
            reference=f"the documented limit: {per_second} call/s × {page} ids",
            ratio=summary.median / allowed,
            target=f"≥ {GOAL:.0%} of {allowed:,} ids/s",
            met=summary.median >= GOAL * allowed,
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
