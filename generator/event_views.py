"""What the ``events.py`` template needs: each event the spec's ``webhooks`` document, bound to its model,
and the verifier's facts (``x-imgroup-verifier``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import attrs
from openapi_python_client import strings

from .spec import SecretSpec, SpecError, VendorSpec


@attrs.frozen
class EventView:
    key: str
    name: str
    model: str  # the model class openapi-python-client rendered for the event's body
    envelope: str
    summary: str
    doc_page: str


@attrs.frozen
class EventsView:
    vendor: str
    title: str
    scheme: str
    app_setting: str
    secrets: tuple[SecretSpec, ...]
    replay_window_seconds: int
    answer_status: int
    answer_body: dict[str, Any]
    doc_page: str
    events: tuple[EventView, ...]

    @property
    def models(self) -> tuple[str, ...]:
        """Each event model once, sorted (several events may share one, as Tencent's do not but could)."""
        return tuple(sorted({event.model for event in self.events}))


def build_events_view(spec: VendorSpec, model_classes: Collection[str]) -> EventsView | None:
    """The view of ``spec``'s events, or None when it documents none."""
    if not spec.events or spec.verifier is None:
        return None
    events = []
    for event in spec.events:
        model = str(strings.ClassName(event.schema, ""))
        if model not in model_classes:
            raise SpecError(f"{spec.path.name}: webhook {event.key!r} names schema {event.schema!r}, rendered no model")
        events.append(EventView(event.key, event.name, model, event.envelope, event.summary, event.doc_page))
    verifier = spec.verifier
    return EventsView(
        vendor=spec.vendor,
        title=spec.title,
        scheme=verifier.scheme,
        app_setting=verifier.app_setting,
        secrets=verifier.secrets,
        replay_window_seconds=verifier.replay_window_seconds,
        answer_status=verifier.answer_status,
        answer_body=verifier.answer_body,
        doc_page=verifier.doc_page,
        events=tuple(events),
    )
