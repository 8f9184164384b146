"""The offboarding part of ``make demo``: a plan made, a group changed after review, the plan applied."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from imgroup._demo_offboarding import show_offboarding
from imgroup.emulator import EmulatorServer


def test_the_demo_plans_and_applies_an_offboarding_skipping_the_group_that_grew(
    imgroup_emulator: EmulatorServer, tmp_path: Path
) -> None:
    recording = Console(record=True, width=200)
    page = tmp_path / "ivy.review.html"
    show_offboarding(imgroup_emulator, recording, review_page=page)
    text = recording.export_text()
    assert "$ imgroup offboard feishu:ou_ivy tencent:ivy yunxin:ivy" in text
    assert "11 steps: 10 done (0 already done), 1 skipped (changed since plan), 0 failed" in text
    assert "skipped      disband        tencent:@TGS#offboard2" in text
    assert "the group grew to 2 members (planned on 1)" in text
    assert "demo-feishu-app-secret" not in text and "demo-tencent-secret-key" not in text
    state = imgroup_emulator.state()
    assert state["tencent"]["groups"]["@TGS#offboard1"]["owner"] == "jack"
    assert state["yunxin"]["teams"]["3001"]["owner"] == "jack"
    assert f"wrote {page}: the 11 steps of ivy.jsonl to review in a browser" in text
    assert '"source":"ivy.jsonl"' in page.read_text(encoding="utf-8")
