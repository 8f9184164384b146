"""The generated tables' types: what a vendor's spec says about its events and their verification."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Protocol, Self, TypeVar

from attrs import field, frozen


class EventModel(Protocol):
    """A generated model: built from the event's JSON."""

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


EventT_co = TypeVar("EventT_co", bound=EventModel, covariant=True)


@frozen
class SecretFacts:
    """A secret the verifier needs: read from an environment ``variable``, or from the clients' ``setting``."""

    name: str
    variable: str | None = None
    setting: str | None = None


@frozen
class VerifierFacts:
    """How one vendor's events are verified and answered (``x-imgroup-verifier``)."""

    vendor: str
    scheme: str
    app_setting: str
    secrets: tuple[SecretFacts, ...]
    replay_window_seconds: int
    answer_status: int
    answer_body: Mapping[str, Any] = field(factory=dict)
    doc_page: str = ""


@frozen
class EventFacts(Generic[EventT_co]):
    """One event: the key its envelope names it by, and the model of its body."""

    key: str
    name: str
    model: type[EventT_co]
    envelope: str
    doc_page: str

    def parse(self, payload: Mapping[str, Any]) -> EventT_co:
        """The typed event; KeyError or TypeError or ValueError when a required field is missing or malformed."""
        return self.model.from_dict(payload)
