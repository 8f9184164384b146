"""`make demo` lists, reads, transfers and disbands on the emulator, explains a typed error, shows a pushed event
keeping the inventory current, offboards a user, and ends with the offboarding plan's review page."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from imgroup import _demo_offboarding, demo


def test_demo_runs_its_walkthrough_and_explains_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    recording = Console(record=True, width=200)
    monkeypatch.setattr(demo, "console", recording)
    page = tmp_path / "ivy.review.html"
    monkeypatch.setattr(_demo_offboarding, "REVIEW_PAGE", page)
    assert demo.main() == 0
    text = recording.export_text()
    assert text.count("  ok ") == 10
    assert "'Demo team' owned by user1" in text and "'Demo team' owned by user3" in text
    assert "['@TGS#demo1', '@TGS#demo2', '@TGS#demo3', '@TGS#demo_team']" in text
    assert "AlreadyGoneError code 232009" in text and "what to do: Nothing to do" in text
    assert "ValidationError: dismiss_team: team_type must be at most 2" in text
    for effect in ("disbanded", "removed:1", "unbound"):
        assert effect in text
    assert "demo-feishu-app-secret" not in text
    events = text[text.index("Events keep an inventory current") : text.index("Offboarding ivy")]
    assert "received Group.CallbackAfterChangeGroupOwner" in events
    owned = events[events.index("inventory groups --db imgroup.db --owner tencent:user2") :]
    assert "tencent:@TGS#roadmap  Roadmap  user2" in owned and "1 group" in owned
    assert "demo-encrypt-key" not in text and "demo-callback-token" not in text
    assert text.rstrip().endswith(f"open {page.as_uri()} to see the review page of the plan above")
    assert page.exists()
