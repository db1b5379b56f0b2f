"""EraseSubject: forget a person by deleting their key (crypto-shredding).

The history stays as it was, immutable: the person's events keep counting, but their
sealed user id and personal properties can no longer be read by anyone. The erasure is
recorded in the catalog (who asked, and the subject's pseudonym, never the user id), and
the projections blank the subject's plaintext in the read models when they see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.errors import InvalidInput, NotFound
from eventlens.domain.privacy import Erasure
from eventlens.eventstore.catalog import Catalog
from eventlens.eventstore.subject_keys import SubjectKeys

MAX_USER_ID = 200  # as at ingest


@dataclass(frozen=True, slots=True)
class EraseSubject:
    actor: Actor
    user_id: str


def check_user_id(user_id: str) -> str:
    if not user_id or len(user_id) > MAX_USER_ID:
        raise InvalidInput(f"user_id must be 1 to {MAX_USER_ID} characters", field="user_id")
    return user_id


def erase_subject(command: EraseSubject, catalog: Catalog, keys: SubjectKeys) -> str:
    """Erase the subject; returns its pseudonym. `NotFound` when the user id has no key:
    nothing is held for it under encryption, and nothing changes."""
    require_admin(command.actor, "erase subjects")
    user_id = check_user_id(command.user_id)

    def record(subject: str) -> None:
        who = command.actor.username
        catalog.record(Erasure.record(subject, who), actor=who)

    subject = keys.erase(user_id, record)
    if subject is None:
        raise NotFound(
            "no personal data is held under a key for this user id (it never sent an event "
            "since encryption began, or it was erased already)"
        )
    return subject
