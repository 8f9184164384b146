"""A re-run counts work found done as done, by the spec's codes: x-already-done always, x-done-on-retry only for
an item whose call an earlier, killed run may have made. On the emulator, over loopback HTTP."""

from __future__ import annotations

from pathlib import Path

import feishu_im
import pytest

from imgroup.bulk._jobs import UNBIND_MEETING_CHAT
from imgroup.bulk._runner import run_items
from imgroup.emulator import EmulatorServer
from imgroup.jobs import Item, Journal, Outcome

CALENDAR = "feishu.cn_rerun@group.calendar.feishu.cn"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def meeting(event: str, line: int) -> Item:
    arguments = {"calendar_id": CALENDAR, "event_id": event, "meeting_chat_id": f"oc_{event}"}
    return Item(f"{CALENDAR}/{event}", line, arguments)


@pytest.mark.anyio
async def test_an_interrupted_unbind_found_unbound_is_done_but_a_fresh_one_is_not(
    imgroup_emulator: EmulatorServer, tmp_path: Path
) -> None:
    events = ("evt_lost_answer", "evt_untouched", "evt_unbound_before")
    imgroup_emulator.seed(
        {
            "feishu": {
                "meeting_chats": [
                    {"calendar_id": CALENDAR, "event_id": event, "chat_id": f"oc_{event}", "owner": "cli_demo"}
                    for event in events
                ]
            }
        }
    )
    credentials = {**imgroup_emulator.credentials["feishu"], "base_url": imgroup_emulator.base_url}
    with feishu_im.FeishuClient(**credentials) as feishu:
        # A killed run's call that reached the vendor (its answer was lost), and an unbind done outside the job.
        for event in ("evt_lost_answer", "evt_unbound_before"):
            feishu.unbind_meeting_chat(CALENDAR, event, meeting_chat_id=f"oc_{event}")
    work = [meeting(event, line) for line, event in enumerate(events, start=1)]
    outcomes: dict[str, Outcome] = {}
    with Journal.open(tmp_path / "j.sqlite", UNBIND_MEETING_CHAT.name, work) as journal:
        journal.start(work[0].key)  # the killed run had it in flight
        async with feishu_im.AsyncFeishuClient(**credentials) as client:
            await run_items(
                UNBIND_MEETING_CHAT, client, journal, work, on_outcome=lambda i, o: outcomes.update({i.key: o})
            )
    lost, untouched, before = (outcomes[item.key] for item in work)
    assert (lost.status, lost.already_gone, lost.code) == ("done", True, 195108)
    assert (untouched.status, untouched.already_gone) == ("done", False)
    # Never sent by the job: 195108 may as well mean a wrong chat id, so it stays a failure to look at.
    assert (before.status, before.code) == ("failed", 195108)
    assert feishu_im.operations.OPERATIONS["unbind_meeting_chat"].done_on_retry_codes == (195108,)
