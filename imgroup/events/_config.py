"""Which vendors the receiver listens for, and with what: the clients' settings plus the event secrets.

Our app is named by the setting the spec's verifier names (Feishu's app_id, Tencent's sdkappid, Yunxin's
app_key); the secrets come from their environment variables (FEISHU_VERIFICATION_TOKEN, FEISHU_ENCRYPT_KEY,
TENCENT_IM_CALLBACK_TOKEN) or from a client setting (Yunxin signs with its app_secret). A vendor without
settings is not listened for; its path answers 404. A Feishu store app (``app_type = "store"``) also gets its
ticket store, the one its clients read (the ``tickets`` setting, as ``open_ticket_store`` reads it), where the
receiver puts each app_ticket.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import feishu_im.events
import tencent_im.events
import yunxin_im.events
from attrs import field, frozen

from imgroup.runtime.signers.feishu_tickets import TicketStore, open_ticket_store
from imgroup.runtime.verifiers import EventFacts, EventModel, Verifier, VerifierFacts, make_verifier
from imgroup.settings import SettingsError, load_settings

# Each vendor's generated event tables: how its events are verified, and the events it sends.
EVENT_TABLES: Mapping[str, tuple[VerifierFacts, Mapping[str, EventFacts[EventModel]]]] = {
    "feishu": (feishu_im.events.VERIFIER, feishu_im.events.EVENTS),
    "tencent": (tencent_im.events.VERIFIER, tencent_im.events.EVENTS),
    "yunxin": (yunxin_im.events.VERIFIER, yunxin_im.events.EVENTS),
}


@frozen
class VendorEvents:
    """One vendor the receiver listens for: our app, the verifier, the events it knows, and how it answers."""

    vendor: str
    app: str
    verifier: Verifier
    events: Mapping[str, EventFacts[EventModel]] = field(repr=False)
    facts: VerifierFacts = field(repr=False)
    tickets: TicketStore | None = None  # a Feishu store app's ticket store: each app_ticket is put there


def vendor_events(
    vendor: str, *, app: str, secrets: Mapping[str, str | None], tickets: TicketStore | None = None
) -> VendorEvents:
    """``vendor``'s receiver for our ``app`` with ``secrets`` by name (verification_token, encrypt_key, ...);
    ``tickets``, for a Feishu store app, the store each of its app_tickets is put in."""
    if tickets is not None and vendor != "feishu":
        raise ValueError("tickets are for a Feishu store app only")
    facts, events = EVENT_TABLES[vendor]
    verifier = make_verifier(facts, app=app, secrets=secrets)
    return VendorEvents(vendor=vendor, app=app, verifier=verifier, events=events, facts=facts, tickets=tickets)


def from_settings(
    *, profile: str | None = None, config_path: Path | None = None, environ: Mapping[str, str] | None = None
) -> tuple[list[VendorEvents], list[str]]:
    """Every vendor whose settings are complete, and a line for each one left out (naming what to set)."""
    environ = os.environ if environ is None else environ
    found, skipped = [], []
    for vendor, (facts, _) in EVENT_TABLES.items():
        try:
            settings = load_settings(vendor, profile=profile, config_path=config_path, environ=environ)
        except SettingsError as error:
            skipped.append(f"{vendor}: {error}")
            continue
        app = settings.credentials.get(facts.app_setting)
        secrets: dict[str, str | None] = {}
        for secret in facts.secrets:
            if secret.variable is not None:
                secrets[secret.name] = environ.get(secret.variable) or None
            elif secret.setting is not None:
                value = settings.credentials.get(secret.setting)
                secrets[secret.name] = None if value is None else str(value)
        tickets = None
        if settings.credentials.get("app_type") == "store":
            location = settings.credentials.get("tickets")
            try:
                tickets = open_ticket_store(None if location is None else str(location))
            except (OSError, sqlite3.Error) as error:
                skipped.append(f"{vendor}: cannot open the ticket store {location or 'at its default path'}: {error}")
                continue
        try:
            found.append(vendor_events(vendor, app=str(app), secrets=secrets, tickets=tickets))
        except ValueError as error:
            skipped.append(f"{vendor}: {error}")
    return found, skipped
