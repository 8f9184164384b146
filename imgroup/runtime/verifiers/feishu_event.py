"""Feishu's events: the Verification Token, and with an Encrypt Key, the signature and AES-256-CBC.

With an Encrypt Key every request body is ``{"encrypt": "<base64>"}`` (IV = the first 16 bytes of the decoded
text, key = SHA-256 of the Encrypt Key, PKCS#7 padding) and an event carries ``X-Lark-Signature``, the hex
SHA-256 of ``X-Lark-Request-Timestamp`` + ``X-Lark-Request-Nonce`` + Encrypt Key followed by the raw body. The
challenge Feishu sends when the URL is saved is checked by its token alone (lark-oapi checks no signature on
it either): answering it records nothing and reveals nothing but the challenge. Feishu's SDKs check no
timestamp; we refuse one further than the replay window from our clock. Without an Encrypt Key, the token in
the body is all there is to check, and nothing binds a request to a time: set an Encrypt Key.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import threading
from typing import Any

from ._request import InboundRequest, Refused, Verified, fresh, json_object, same

SIGNATURE = "X-Lark-Signature"
TIMESTAMP = "X-Lark-Request-Timestamp"
NONCE = "X-Lark-Request-Nonce"
CHALLENGE = "url_verification"


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """Hex SHA-256 of timestamp + nonce + Encrypt Key (UTF-8), followed by the raw body bytes."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def aes_key(encrypt_key: str) -> bytes:
    """The AES-256 key: SHA-256 of the Encrypt Key."""
    return hashlib.sha256(encrypt_key.encode()).digest()


def decrypt(encrypted: str, encrypt_key: str) -> bytes:
    """The plaintext of an ``encrypt`` field; ValueError when it is not one made with this key."""
    return AesCbc(aes_key(encrypt_key)).decrypt(encrypted)


class AesCbc:
    """AES-256-CBC decryption of ``encrypt`` fields under one key: a verifier makes one and keeps it.

    CBC decryption is each block decrypted alone (ECB) and XORed with the block before it, the IV before the
    first. One ECB context serves every event, where a CBC context must be made for each event's IV, which costs
    more than the decryption itself (about 8 µs of 20 here). ECB carries nothing from one call to the next
    when given whole blocks; the lock keeps two threads out of the one context.
    """

    def __init__(self, key: bytes) -> None:
        cipher, algorithms, modes = _cipher()
        self._blocks = cipher(algorithms.AES(key), modes.ECB()).decryptor()
        self._lock = threading.Lock()

    def decrypt(self, encrypted: str) -> bytes:
        """The plaintext; ValueError when ``encrypted`` is not base64 of an IV and blocks made with this key."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("encrypt is not base64") from None
        if len(raw) < 32 or len(raw) % 16:
            raise ValueError("encrypt is not an IV followed by whole AES blocks")
        with self._lock:
            blocks = self._blocks.update(raw[16:])
        chained = int.from_bytes(blocks, "big") ^ int.from_bytes(raw[:-16], "big")
        padded = chained.to_bytes(len(blocks), "big")
        pad = padded[-1]
        if not 1 <= pad <= 16 or padded[-pad:] != bytes([pad]) * pad:
            raise ValueError("encrypt does not end in PKCS#7 padding: another key, or altered")
        return padded[:-pad]


@functools.cache
def _cipher() -> tuple[Any, Any, Any]:
    """cryptography's Cipher, algorithms and modes, imported on the first encrypted event (the [events] extra)."""
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:  # pragma: no cover - the [events] extra is in dev
        raise RuntimeError(
            "Feishu's encrypted events need the cryptography package: pip install 'imgroup[events]'"
        ) from None
    return Cipher, algorithms, modes


def encrypt(plaintext: bytes, encrypt_key: str, iv: bytes) -> str:
    """The ``encrypt`` field Feishu would send for ``plaintext`` with this 16-byte ``iv`` (tests, the emulator)."""
    cipher, algorithms, modes = _cipher()
    pad = 16 - len(plaintext) % 16
    encryptor = cipher(algorithms.AES(aes_key(encrypt_key)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(plaintext + bytes([pad]) * pad) + encryptor.finalize()).decode()


class FeishuEventVerifier:
    """Verifies Feishu's event requests for one app."""

    def __init__(
        self, *, app_id: str, verification_token: str | None, encrypt_key: str | None, replay_window: float
    ) -> None:
        if not verification_token and not encrypt_key:
            raise ValueError("Feishu events need a Verification Token or an Encrypt Key (or both) to be verified")
        self._app_id = app_id
        self._token = verification_token or None
        self._key = encrypt_key or None
        self._cbc: AesCbc | None = None  # made on the first encrypted event (it imports cryptography)
        self._window = replay_window

    def __repr__(self) -> str:
        return f"FeishuEventVerifier(app_id={self._app_id!r}, encrypted={self._key is not None})"

    def verify(self, request: InboundRequest, now: float) -> Verified:
        signed = request.header(SIGNATURE) is not None
        if self._key is not None and signed:
            self._check_signature(request, now)
        plaintext = self._plaintext(request.body)
        payload = json_object(plaintext, "the event")
        if payload.get("type") == CHALLENGE:
            self._check_token(payload.get("token"))
            return Verified(
                key=CHALLENGE,
                payload=payload,
                plaintext=plaintext,
                dedup_id="",
                app=self._app_id,
                challenge=str(payload.get("challenge", "")),
            )
        if self._key is not None and not signed:
            raise Refused(401, f"an event without {SIGNATURE}, while an Encrypt Key is set")
        if payload.get("schema") == "2.0":
            return self._schema_2(payload, plaintext)
        if payload.get("type") == "event_callback":
            return self._schema_1(payload, plaintext)
        raise Refused(400, "neither a schema 2.0 event, a v1 event_callback nor the URL challenge")

    def _check_signature(self, request: InboundRequest, now: float) -> None:
        timestamp, nonce = request.header(TIMESTAMP), request.header(NONCE)
        if timestamp is None or nonce is None:
            raise Refused(401, f"{SIGNATURE} without {TIMESTAMP} and {NONCE}")
        expected = signature(timestamp, nonce, self._key or "", request.body)
        if not same(expected, str(request.header(SIGNATURE))):
            raise Refused(401, f"{SIGNATURE} does not match the body")
        try:
            sent_at = float(int(timestamp))
        except ValueError:
            raise Refused(401, f"{TIMESTAMP} is not a number of seconds") from None
        fresh(sent_at, now, self._window, TIMESTAMP)

    def _plaintext(self, body: bytes) -> bytes:
        outer = json_object(body, "the body")
        if "encrypt" not in outer:
            if self._key is not None:
                raise Refused(401, "a plaintext event, while an Encrypt Key is set")
            return body
        if self._key is None:
            raise Refused(401, "an encrypted event, but no Encrypt Key is set (FEISHU_ENCRYPT_KEY)")
        try:
            if self._cbc is None:
                self._cbc = AesCbc(aes_key(self._key))
            return self._cbc.decrypt(str(outer["encrypt"]))
        except ValueError as error:
            raise Refused(401, f"cannot decrypt the event: {error}") from None

    def _check_token(self, token: Any) -> None:
        if self._token is not None and not same(str(token or ""), self._token):
            raise Refused(401, "the Verification Token does not match")

    def _check_app(self, app_id: Any) -> None:
        if app_id != self._app_id:
            raise Refused(403, "the event is for another app")

    def _schema_2(self, payload: dict[str, Any], plaintext: bytes) -> Verified:
        header = payload.get("header")
        if not isinstance(header, dict) or not header.get("event_id") or not header.get("event_type"):
            raise Refused(400, "a schema 2.0 event without header.event_id and header.event_type")
        self._check_token(header.get("token"))
        self._check_app(header.get("app_id"))
        return Verified(
            key=str(header["event_type"]),
            payload=payload,
            plaintext=plaintext,
            dedup_id=str(header["event_id"]),
            app=self._app_id,
            tenant=str(header.get("tenant_key") or ""),
        )

    def _schema_1(self, payload: dict[str, Any], plaintext: bytes) -> Verified:
        event = payload.get("event")
        if not isinstance(event, dict) or not payload.get("uuid") or not event.get("type"):
            raise Refused(400, "a v1 event without uuid and event.type")
        self._check_token(payload.get("token"))
        if "app_id" in event:
            self._check_app(event.get("app_id"))
        return Verified(
            key=str(event["type"]),
            payload=payload,
            plaintext=plaintext,
            dedup_id=str(payload["uuid"]),
            app=self._app_id,
            tenant=str(event.get("tenant_key") or ""),
        )
