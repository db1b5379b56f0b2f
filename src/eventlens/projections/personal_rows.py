"""Personal data in the master log: a sealed event's user id is written in plaintext while
its subject's key exists, and blanked (replaced by the subject's pseudonym) when the subject
is erased. The personal properties stay sealed in `event_logs.sealed`: no read model needs
them in plaintext (the subject's export decrypts them).

The keys are read under a lock an erasure waits for (`keys_of_subjects`): every row written
with a key is committed before the key's erasure is, and the blanking that follows it sees
them all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventlens.domain.personal import unseal
from eventlens.eventstore.subject_keys import keys_of_subjects
from eventlens.projections.event_rows import COLUMNS, EventRow, copy_text

log = logging.getLogger(__name__)

USER_ID_COLUMN = COLUMNS.index("user_id")

BLANK_ERASED = """
UPDATE event_logs SET user_id = subject_id
WHERE subject_id = ANY(%s) AND user_id IS DISTINCT FROM subject_id
"""


def erased_subject(notification: Mapping[str, Any]) -> str | None:
    """The subject a catalog notification erases, if it records an erasure."""
    if not str(notification["topic"]).endswith("Erasure.Recorded"):
        return None
    subject = notification["state"].get("subject")
    return str(subject) if subject else None


def plaintext_lines(
    conn: psycopg.Connection, rows: Sequence[EventRow], lines: list[str]
) -> list[str]:
    """The rows' COPY lines, those of sealed events with their subject's user id in
    plaintext where the subject still has a key."""
    sealed = [i for i, row in enumerate(rows) if row.personal[1] is not None]
    if not sealed:
        return lines
    keys = keys_of_subjects(conn, {rows[i].personal[0] or "" for i in sealed})
    if not keys:
        return lines
    ciphers = {subject: _cipher(subject, key) for subject, key in keys.items()}
    out = list(lines)
    for i in sealed:
        row = rows[i]
        subject, blob = row.personal
        cipher = ciphers.get(subject or "")
        if cipher is None or blob is None:
            continue
        try:
            fields = unseal(cipher, UUID(row.event_id), blob)
        except (InvalidTag, ValueError):
            log.warning(
                "event %s: its personal fields do not open with its subject's key", row.event_id
            )
            continue
        out[i] = _with_user_id(lines[i], fields.get("user_id"))
    return out


def _with_user_id(line: str, user_id: str | None) -> str:
    """The row's COPY line with `user_id` in its user id's column (the fifth): the line is
    not made again, its JSON columns encoded again (docs/BENCHMARKS.md, "Sealing cost")."""
    head = line.split("\t", USER_ID_COLUMN + 1)
    head[USER_ID_COLUMN] = copy_text(user_id)
    return "\t".join(head)


_CIPHERS: dict[str, AESGCM] = {}  # by subject: made once, used while the key exists
_MAX_CIPHERS = 50_000


def _cipher(subject: str, key: bytes) -> AESGCM:
    cipher = _CIPHERS.get(subject)
    if cipher is None:
        if len(_CIPHERS) >= _MAX_CIPHERS:
            _CIPHERS.clear()
        cipher = _CIPHERS[subject] = AESGCM(key)
    return cipher


def blank_erased(conn: psycopg.Connection, subjects: Sequence[str]) -> None:
    """The erased subjects' rows keep their pseudonym as user id: counts stay, names go."""
    if subjects:
        conn.execute(BLANK_ERASED, (list(subjects),))
