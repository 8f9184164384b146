"""``python -m bench.readme [RESULTS.json]``: put the figures of docs/benchmarks.md in step with a saved run
(default: the newest full one).

The section shows the run's table as saved, what it ran on, how to reproduce it, and how each figure is
measured; nothing in it is typed in by hand after a run. The page's opening lines above it are hand-written and
kept. (The module keeps its old name: the section used to live in the project README.)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._rows import Row
from ._table import render

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PAGE = BENCH_DIR.parent / "docs" / "benchmarks.md"
HEADING = "## Figures of record"

REPRODUCE = (
    "Reproduce with `make bench` (or `.venv/bin/python -m bench`; one measurement alone: "
    "`.venv/bin/python -m bench.import_cost`); each run is saved under `bench/results/`, and "
    "`.venv/bin/python -m bench.readme` rewrites this section from the newest."
)
METHOD = """\
How each figure is measured (medians of repeated runs, min – max beside; every ratio is against a reference
measured in the same run; the scripts are under `bench/`, one per measurement, each runnable alone):

1. **Import** (`bench/import_cost.py`): a fresh interpreter per run times one import statement and reports its
   peak RSS; separate runs trace the import with tracemalloc. Every child reads bytecode from one cache outside
   the tree, filled by an untimed run first, as an installed package would. `import feishu_im, tencent_im,
   yunxin_im` is lazy; the target applies to importing the six client classes.
2. **Per call** (`bench/call_overhead.py`): process CPU time per call with `rate_limit=False`, over an
   `httpx.MockTransport` answering a canned success envelope. "Raw httpx" is a hand-written call sending the
   same request (method, path, query, JSON body, signature) and parsing the JSON, with the token or UserSig
   cached as our clients cache them. lark-oapi runs with `requests`' adapter `send` patched to answer the same
   envelopes, so everything above the socket runs as for a user.
3. **Signing** (`bench/signing.py`): operations per CPU second. `tls-sig-api-v2` is the official UserSig
   package; "signing a request" runs the client's `httpx.Auth` flow on one request, which is what each call pays.
4. **Throughput** (`bench/throughput.py`): Feishu `disband_chat` on the emulator, which runs in its own process
   (the machine has 2 cores: one for the emulator, one for the client), with its rate limits lifted and our
   limiter off. lark-oapi's sync client opens a connection per call; its async client builds an
   `httpx.AsyncClient` (and a TLS context, about 30 ms of CPU) per call, so its async rate is CPU-bound.
5. **Bulk** (`bench/bulk.py`): `imgroup bulk disband --vendor tencent --rate-limit L` in its own process against
   the emulator enforcing L (Tencent: 200/s, no per-minute cap). The rate is the emulator's accepted calls over
   the time between the first and the last (the target is judged on the long job, where a start-up burst
   weighs least); the rate-limit answers are the emulator's count, over every run; peak RSS and CPU time are
   the job process's own, read through a small launcher process (on Linux a child's peak RSS includes its
   parent's, so the bench's own memory would otherwise be counted). The job's CPU per item is set against one
   plain `await client.destroy_group(...)` at a time on the same emulator, limiter off.
6. **Generation** (`bench/generation.py`): `python -m generator generate --out <scratch>` (what `make generate`
   runs), in a fresh interpreter each time; `generated/` is not touched.
7. **Iteration** (`bench/iteration.py`): `TencentIMClient.iter_groups()` with its defaults (the documented
   1 call/s, 10,000 ids a page) through 60,000 groups held by the emulator, which enforces that limit in its
   own process. The rate is taken between the first page's arrival and the last one's, the span the limit
   governs; the reference is what the limit allows, 1 call/s × 10,000 ids.
8. **Plans** (`bench/plans.py`): `imgroup apply` of a plan of 3,000 disband steps per vendor (each a re-read and
   a disband), the three vendors at once, with its defaults, in its own process against the emulator enforcing
   every documented limit. The floor is the least time those limits allow for the calls the vendors accepted:
   per vendor its slowest operation, each call as early as the per-second and per-minute windows let it be;
   the even-pace floor spaces each operation's calls at its tightest rate. CPU per step is the apply process's
   own (`wait4`), against the plain async clients making the same calls unpaced, both net of start-up.
9. **Bulk memory** (`bench/bulk_memory.py`): measurement 5's job and launcher at 1,000 and 100,000 items, unpaced
   (the emulator's limits lifted, the job's limiter off: `--rate-limit 0`), the sizes alternating within each
   round. "Flat" is the long job's peak RSS within 5% of the short job's: a job that
   held its items would take about 0.4 KB more for each.
10. **Review page** (`bench/review_page.py`): `imgroup plan review`'s page of a 10,000-step plan over the three
   vendors, opened from its file five times in headless Chromium (Debian's `chromium`, driven by Playwright).
   First render runs from navigation start to the first frame after the first rows were drawn (the page's own
   clock); a filter (a search word, a vendor, an action) from setting it to the next frame after the redraw,
   timed inside the page.
11. **Events** (`bench/events.py`): Feishu events, encrypted and signed, each distinct, with the same Encrypt Key
   and Verification Token: our verifier and typed parser against lark-oapi's `EventDispatcherHandler.do`, per
   CPU second of the process; then through HTTP, each server in a process of its own (starlette and uvicorn for
   both), per CPU second of that server: our receiver, which writes each event to its SQLite log (fsynced) before
   answering and processes it after, against lark-oapi's dispatcher storing nothing, 8 connections posting at
   once as a vendor pushes a burst; the two servers run side by side and take their rounds in turn, so that the
   shared machine's load meets both alike. Tencent's and Yunxin's callbacks through our verifier and receiver,
   with no peer to compare with.
12. **Workers** (`bench/workers.py`): a plan of 20 partitions × 500 disbands (20 tenants of a Feishu store app
   on the emulator, in its own process, each limited to 50 calls a second; runs before 2026-12-05T07:00Z used 20
   Tencent apps) applied through PostgreSQL by 1 and by 2 `imgroup worker`
   processes, in steps a second against the sum of the partitions' limits; the CPU a worker spends a step (its
   journal in PostgreSQL) against the local apply's (SQLite); PostgreSQL's commits a step and a second.
13. **Inventory** (`bench/inventory.py`): planning one user's offboarding (in one chat in 50) among 25,000 Feishu
   chats from a SQLite inventory, in process and as the whole `imgroup offboard --from-inventory` command; the
   live plan's time at 25,000 chats computed from the documented limits (25,000 `list_chat_members` calls at
   50/s and 1,000/min), beside a live plan measured on 3,000 chats against the emulator enforcing those limits;
   and `imgroup inventory sync` of Feishu chats against those limits (`IMGROUP_BENCH_SYNC_CHATS`, 25,000 by
   default), its floor computed as measurement 8's from the calls the vendor accepted.
"""


def newest_full_run(results_dir: Path) -> Path:
    runs = sorted(path for path in results_dir.glob("*.json") if not path.stem.endswith(("-quick", "-partial")))
    if not runs:
        raise FileNotFoundError(f"no full run in {results_dir}: run `make bench` first")
    return runs[-1]


def machine_line(document: dict[str, Any]) -> str:
    machine, versions = document["machine"], document["versions"]
    # Other work on the machine skews every figure: say how busy it was.
    loads = {when: machine.get(f"load_average_at_{when}") for when in ("start", "end")}
    load = ", ".join(f"{value[0]:.1f} at {when}" for when, value in loads.items() if value) or "unknown"
    tools = ", ".join(
        f"{name} {versions[name]}" for name in ("httpx", "attrs", "lark-oapi", "tls-sig-api-v2") if versions.get(name)
    )
    commit = (document.get("commit") or "unknown")[:12]
    if document.get("commit_at_end", document.get("commit")) != document.get("commit"):
        commit += f" (the tree moved to {(document['commit_at_end'] or 'unknown')[:12]} during the run)"
    return (
        f"Run of {document['date']} at commit {commit}: {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['platform']}, Python {versions['python']}; {tools}; "
        f"1-minute load average {load}."
    )


def section(document: dict[str, Any], source: str) -> str:
    rows = [Row.from_json(row) for row in document["rows"]]
    missed = [row for row in rows if row.met is False]
    verdict = (
        "Targets missed: "
        + "; ".join(f"{row.measurement} {row.subject}, {row.metric}" for row in missed)
        + ". Under the table, for each, what the profile shows."
        if missed
        else "Every target was met."
    )
    return "\n".join(
        [
            HEADING,
            "",
            REPRODUCE,
            "",
            machine_line(document) + f" Figures from `{source}`.",
            "",
            render(rows),
            "",
            verdict,
            "",
            METHOD,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme", description=__doc__)
    parser.add_argument("results", nargs="?", type=Path, help="a saved run (default: the newest full one)")
    parser.add_argument(
        "--out", type=Path, default=PAGE, help="the Markdown file whose section to replace (- for stdout)"
    )
    args = parser.parse_args(argv)
    path = args.results or newest_full_run(RESULTS_DIR)
    document = json.loads(path.read_text(encoding="utf-8"))
    source = path.relative_to(BENCH_DIR.parent) if path.is_relative_to(BENCH_DIR.parent) else path
    text = section(document, str(source))
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        existing = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        args.out.write_text(replace_section(existing, text), encoding="utf-8")
    return 0


def replace_section(document: str, section_text: str) -> str:
    """``document`` with its benchmarks section (up to the next ``## `` heading) replaced, or appended."""
    start = document.find(HEADING + "\n")
    if start < 0:
        return (document.rstrip() + "\n\n" if document.strip() else "") + section_text.rstrip() + "\n"
    end = document.find("\n## ", start + len(HEADING))
    rest = document[end + 1 :] if end >= 0 else ""
    return document[:start] + section_text.rstrip() + "\n" + ("\n" + rest if rest else "")


if __name__ == "__main__":
    raise SystemExit(main())
