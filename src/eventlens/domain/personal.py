"""Personal data: which fields identify a person, and how they are sealed under the
person's own key (crypto-shredding: deleting the key erases them everywhere at once).

`user_id` is always personal; a schema marks other properties personal with
`"x-personal": true` in their JSON Schema. The cookieless visitor id is not personal (its
salt is deleted after 48 hours). Pure: the keys come from the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PERSONAL_MARK = "x-personal"
KEY_BYTES = 32  # AES-256-GCM
NONCE_BYTES = 12
SUBJECT_PREFIX = "s-"  # a pseudonymous subject id: "s-" and 32 hex digits


def personal_properties(json_schema: Mapping[str, Any]) -> frozenset[str]:
    """The top-level properties an event type's JSON Schema marks `"x-personal": true`."""
    properties = json_schema.get("properties")
    if not isinstance(properties, Mapping):
        return frozenset()
    return frozenset(
        name
        for name, definition in properties.items()
        if isinstance(definition, Mapping) and definition.get(PERSONAL_MARK) is True
    )


def split_personal(
    properties: dict[str, Any], personal: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the properties that are not personal, the personal ones)."""
    if not personal or personal.isdisjoint(properties):
        return properties, {}
    kept = {name: value for name, value in properties.items() if name not in personal}
    return kept, {name: value for name, value in properties.items() if name in personal}


def subject_lookup(secret: bytes, user_id: str) -> bytes:
    """Where a user id's key is found: a keyed hash, so the key table names nobody."""
    return hmac.digest(secret, user_id.encode(), hashlib.sha256)


def new_subject() -> str:
    """A pseudonymous subject id, random: nothing derives it from the user id, so once the
    key row that links them is deleted, the id names nobody."""
    return SUBJECT_PREFIX + os.urandom(16).hex()


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class SubjectKey(NamedTuple):
    """A subject's pseudonymous id and its cipher."""

    subject: str
    cipher: AESGCM

    @classmethod
    def of(cls, subject: str, key: bytes) -> SubjectKey:
        return cls(subject, AESGCM(key))


class Sealed(NamedTuple):
    """An event's personal fields, encrypted under its subject's key (base64 of the nonce
    and the ciphertext); the event id is the associated data, so a sealed value cannot be
    moved to another event."""

    subject: str
    blob: str


def seal(key: SubjectKey, event_id: UUID, personal: Mapping[str, Any]) -> Sealed:
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = key.cipher.encrypt(nonce, orjson.dumps(personal), event_id.bytes)
    return Sealed(key.subject, base64.b64encode(nonce + ciphertext).decode())


def unseal(cipher: AESGCM, event_id: UUID, blob: str) -> dict[str, Any]:
    """The personal fields sealed in `blob` (`user_id` and the personal properties).
    Raises `cryptography.exceptions.InvalidTag` if the blob was not sealed by this key for
    this event."""
    raw = base64.b64decode(blob)
    plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], event_id.bytes)
    data: dict[str, Any] = orjson.loads(plain)
    return data
