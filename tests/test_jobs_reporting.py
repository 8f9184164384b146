"""The job kernel's words for a run's end: failures by cause, when to stop early, counts in plain English."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imgroup._plural import counted, some_of
from imgroup.jobs import UNREACHABLE, Entry, Outcome, Stopper, failure_lines, why_stopped

REFUSED = Outcome("failed", category=UNREACHABLE, message="destroy_group: no answer (ConnectError: refused)")
DENIED = Outcome("failed", code=232017, category="permission_denied", message="No Permission")


def entry(key: str, outcome: Outcome) -> Entry:
    return Entry(key, 1, outcome.status, outcome)


def test_failures_are_grouped_by_cause_commonest_first_naming_a_few_items() -> None:
    entries = [entry(f"g{n}", DENIED) for n in range(5)] + [entry("h", REFUSED), entry("ok", Outcome("done"))]
    assert failure_lines(entries) == [
        "6 items failed:",
        "  [232017] permission_denied: No Permission (5 items): g0, g1, g2 and 2 more",
        f"  unreachable: {REFUSED.message} (1 item): h",
    ]


def test_no_failure_gives_no_lines_and_messages_are_scrubbed() -> None:
    assert failure_lines([entry("ok", Outcome("done")), entry("p", Outcome("pending"))]) == []
    leaky = Outcome("failed", code=70009, category="unauthenticated", message="bad key=s3cret")
    lines = failure_lines([entry("a", leaky)], noun="step", scrub=lambda text: text.replace("s3cret", "[redacted]"))
    assert lines == ["1 step failed:", "  [70009] unauthenticated: bad key=[redacted] (1 step): a"]


def test_refused_credentials_stop_at_once_and_an_unreachable_host_after_three_in_a_row() -> None:
    assert Stopper().note(Outcome("failed", code=70009, category="unauthenticated"))
    stopper = Stopper()
    sequence = [REFUSED, REFUSED, Outcome("done"), REFUSED, REFUSED]
    assert [stopper.note(outcome) for outcome in sequence] == [False] * 5  # a call got through between
    assert stopper.note(REFUSED) and stopper.stopped_by is REFUSED
    assert stopper.note(Outcome("done"))  # stopped stays stopped
    assert "could not be reached" in why_stopped(REFUSED, "tencent")


@given(st.lists(st.text(min_size=1, max_size=5), max_size=8), st.integers(min_value=1, max_value=4))
def test_some_of_names_at_most_the_first_few_and_counts_the_rest(names: list[str], shown: int) -> None:
    text = some_of(names, shown=shown)
    assert text.startswith(", ".join(names[:shown]))
    hidden = len(names) - shown
    assert text.endswith(f" and {hidden} more") == (hidden > 0)


def test_counted_says_one_of_a_thing() -> None:
    assert [counted(count, "item") for count in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert counted(2, "entry", "entries") == "2 entries"
