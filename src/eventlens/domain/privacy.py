"""The catalog's privacy records: erasures (who asked, and which pseudonymous subject) and
the server-side opt-out list. Neither holds a user id: an erasure names the subject's random
pseudonym, an opt-out the keyed hash of the user id."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventlens.domain.errors import Conflict


class Erasure(Aggregate):
    """A subject's key was deleted at `requested_by`'s request. The projections blank the
    subject's plaintext in the read models when they see it."""

    @classmethod
    def record(cls, subject: str, requested_by: str) -> Erasure:
        return cls(subject=subject, requested_by=requested_by)

    @event("Recorded")
    def __init__(self, subject: str, requested_by: str) -> None:
        self.subject = subject
        self.requested_by = requested_by


def opt_out_id_for(lookup: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventlens:opt-out:{lookup}")


class OptOut(Aggregate):
    """A user id whose events are refused at ingest (`opted_out`), by its keyed hash."""

    @staticmethod
    def create_id(lookup: str, **_: Any) -> UUID:
        return opt_out_id_for(lookup)

    @classmethod
    def add(cls, lookup: str, requested_by: str) -> OptOut:
        return cls(lookup=lookup, requested_by=requested_by)

    @event("Added")
    def __init__(self, lookup: str, requested_by: str) -> None:
        self.lookup = lookup
        self.requested_by = requested_by
        self.active = True

    def renew(self, requested_by: str) -> None:
        if self.active:
            raise Conflict("this user id is already on the opt-out list")
        self._renewed(requested_by=requested_by)

    @event("Renewed")
    def _renewed(self, requested_by: str) -> None:
        self.requested_by = requested_by
        self.active = True

    def withdraw(self, requested_by: str) -> None:
        if not self.active:
            raise Conflict("this user id is not on the opt-out list")
        self._withdrawn(requested_by=requested_by)

    @event("Withdrawn")
    def _withdrawn(self, requested_by: str) -> None:
        self.requested_by = requested_by
        self.active = False
