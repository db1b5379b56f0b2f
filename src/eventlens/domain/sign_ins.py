"""Sign-ins and sign-outs, recorded for the audit log.

Each sign-in is a Session aggregate of its own, identified by its refresh-token family, and a
refused attempt is one too (a fresh id). Recording them never contends with changes to the
user, and the user's own history does not grow with every sign-in.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event


class Session(Aggregate):
    """Who signed in (or tried to), and whether they signed out. No address is recorded."""

    def __init__(self, username: str | None) -> None:
        self.username = username
        self.signed_out = False

    class SignedIn(Aggregate.Created):
        username: str

    class SignInFailed(Aggregate.Created):
        """`username` only when it names an existing user: what anyone typed is not kept."""

        username: str | None

    @classmethod
    def signed_in(cls, session_id: UUID, username: str) -> Session:
        return cls._create(cls.SignedIn, id=session_id, username=username)

    @classmethod
    def sign_in_failed(cls, username: str | None) -> Session:
        session = cls._create(cls.SignInFailed, id=uuid4(), username=username)
        return session

    def sign_out(self) -> None:
        if not self.signed_out:
            self._signed_out()

    @event("SignedOut")
    def _signed_out(self) -> None:
        self.signed_out = True
