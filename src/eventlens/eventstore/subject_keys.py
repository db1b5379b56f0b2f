"""The subjects' keys: one AES-256-GCM key per user id, in a schema of their own that the
analyst role cannot even look into (no USAGE on it, whatever grants its tables get).

A key row links the keyed hash of a user id (`lookup`) to the subject's random pseudonym
(`subject`) and its key. Erasure deletes the row: the sealed fields become unreadable and
the pseudonym names nobody. The ingest path keeps the keys it uses in memory, a bounded
number (`SubjectKeys`); a key is created once per subject, by whichever process first sees
the user id.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable

import psycopg

from eventlens.domain.personal import SubjectKey, new_key, new_subject, subject_lookup
from eventlens.eventstore.port import StoreUnavailable

KEY_SCHEMA = "eventlens_keys"
KEY_TABLE = f"{KEY_SCHEMA}.subject_keys"
CACHE_SIZE = 50_000  # subjects whose keys one process keeps in memory

DDL = """
CREATE SCHEMA IF NOT EXISTS eventlens_keys;
REVOKE ALL ON SCHEMA eventlens_keys FROM PUBLIC;
CREATE TABLE IF NOT EXISTS eventlens_keys.subject_keys (
    lookup      bytea PRIMARY KEY,
    subject     text NOT NULL UNIQUE,
    key         bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS eventlens_keys.lookup_secret (
    id          integer PRIMARY KEY CHECK (id = 1),
    secret      bytea NOT NULL
);
"""
_SECRET = """
INSERT INTO eventlens_keys.lookup_secret VALUES (1, %s) ON CONFLICT DO NOTHING;
"""
# One round trip: the keys made now, and those that existed (the SELECT's snapshot is taken
# before the INSERT, so none is both). A key another process makes concurrently is in
# neither: it is read again once that process has committed.
_LOAD = """
WITH made AS (
    INSERT INTO eventlens_keys.subject_keys (lookup, subject, key)
    SELECT * FROM unnest(%(lookups)s::bytea[], %(subjects)s::text[], %(keys)s::bytea[])
    ON CONFLICT (lookup) DO NOTHING
    RETURNING lookup, subject, key
)
SELECT lookup, subject, key FROM made
UNION ALL
SELECT lookup, subject, key FROM eventlens_keys.subject_keys WHERE lookup = ANY(%(lookups)s)
"""
_BY_LOOKUP = "SELECT lookup, subject, key FROM eventlens_keys.subject_keys WHERE lookup = ANY(%s)"
# Projections that decrypt hold this lock shared until their batch commits; an erasure holds
# it exclusively while it deletes the key: it waits for the batches that decrypted with the
# key to commit (so the blanking after it sees their rows), and no batch decrypts with the
# key meanwhile. An advisory lock lives in memory: a row lock would be written to the table.
_DECRYPTING = "SELECT pg_advisory_xact_lock_shared(hashtext('eventlens-subject-keys-in-use'))"
_ERASING = "SELECT pg_advisory_xact_lock(hashtext('eventlens-subject-keys-in-use'))"
_BY_SUBJECT = "SELECT subject, key FROM eventlens_keys.subject_keys WHERE subject = ANY(%s)"


def setup_subject_keys(conn: psycopg.Connection) -> bytes:
    """Create the key schema (idempotent) and return the lookup secret."""
    import os

    conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-subject-keys'))")
    try:
        conn.execute(DDL)
        conn.execute(_SECRET, (os.urandom(32),))
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-subject-keys'))")
    row = conn.execute("SELECT secret FROM eventlens_keys.lookup_secret").fetchone()
    assert row is not None
    return bytes(row[0])


def keys_of_subjects(conn: psycopg.Connection, subjects: Iterable[str]) -> dict[str, bytes]:
    """The keys of those subjects that still have one; no erasure completes until the
    caller's transaction ends."""
    conn.execute(_DECRYPTING)
    rows = conn.execute(_BY_SUBJECT, (list(subjects),)).fetchall()
    return {subject: bytes(key) for subject, key in rows}


def find_subject(conn: psycopg.Connection, lookup: bytes) -> tuple[str, bytes] | None:
    """The subject and key of a user id's lookup, if it has a key."""
    row = conn.execute(
        "SELECT subject, key FROM eventlens_keys.subject_keys WHERE lookup = %s", (lookup,)
    )
    found = row.fetchone()
    return None if found is None else (found[0], bytes(found[1]))


def lock_subject(conn: psycopg.Connection, lookup: bytes) -> str | None:
    """Lock a user id's key row for deletion (waiting for those decrypting with it);
    its subject, or None when it has no key."""
    row = conn.execute(
        "SELECT subject FROM eventlens_keys.subject_keys WHERE lookup = %s FOR UPDATE", (lookup,)
    ).fetchone()
    return None if row is None else str(row[0])


def delete_subject(conn: psycopg.Connection, lookup: bytes) -> None:
    conn.execute("DELETE FROM eventlens_keys.subject_keys WHERE lookup = %s", (lookup,))


class SubjectKeys:
    """The ingest path's keys: the last `capacity` loaded stay in memory; the others are
    read (or created) in one round trip per batch that needs them."""

    def __init__(
        self,
        database_url: str,
        secret: bytes,
        capacity: int = CACHE_SIZE,
        *,
        durable_with_events: bool = False,
    ) -> None:
        self._database_url = database_url
        # In the PostgreSQL event store (the same database), the commit of the events sealed
        # with a new key flushes the log up to them, the key's insert included: the key need
        # not wait for a flush of its own.
        self._durable_with_events = durable_with_events
        self._secret = secret
        self._capacity = capacity
        self._keys: OrderedDict[str, SubjectKey] = OrderedDict()
        self._conn: psycopg.AsyncConnection | None = None
        self._connecting = asyncio.Lock()
        self._pending: set[str] = set()  # user ids waiting for the next round trip
        self._flight: asyncio.Future[dict[str, SubjectKey]] | None = None

    def lookup(self, user_id: str) -> bytes:
        return subject_lookup(self._secret, user_id)

    def cached(self, user_id: str) -> SubjectKey | None:
        return self._keys.get(user_id)

    def forget(self, subject: str) -> None:
        """Drop an erased subject's key from memory."""
        for user_id in [u for u, key in self._keys.items() if key.subject == subject]:
            del self._keys[user_id]

    def find(self, user_id: str) -> tuple[str, bytes] | None:
        """The user id's subject and key (None: it has none); creates nothing."""
        with psycopg.connect(self._database_url, autocommit=True) as conn:
            return find_subject(conn, self.lookup(user_id))

    def erase(self, user_id: str, record: Callable[[str], None]) -> str | None:
        """Delete the user id's key, once `record(subject)` has recorded the erasure (in
        one transaction with the lock on the key: if recording fails, nothing changes).
        The subject, or None when the user id has no key."""
        lookup = self.lookup(user_id)
        with psycopg.connect(self._database_url) as conn, conn.transaction():
            conn.execute(_ERASING)
            subject = lock_subject(conn, lookup)
            if subject is None:
                return None
            record(subject)
            delete_subject(conn, lookup)
        return subject

    async def load(self, user_ids: Iterable[str]) -> dict[str, SubjectKey]:
        """Bring the users' keys into memory, creating those that do not exist.

        Loads coalesce: while one round trip is in flight, the user ids asked for meanwhile
        wait and go together in the next one, so many requests seeing new users at once cost
        one statement (and one commit), not one each."""
        wanted = set(user_ids)
        got: dict[str, SubjectKey] = {}
        if not wanted:
            return got
        self._pending |= wanted
        while True:
            flight = self._flight
            if flight is None:
                batch, self._pending = self._pending, set()
                flight = self._flight = asyncio.ensure_future(self._fetch(batch))
            loaded = await asyncio.shield(flight)
            got.update({user_id: loaded[user_id] for user_id in wanted if user_id in loaded})
            if len(got) == len(wanted):
                return got

    async def _fetch(self, user_ids: set[str]) -> dict[str, SubjectKey]:
        try:
            wanted = {self.lookup(user_id): user_id for user_id in user_ids}
            fresh = [(lookup, new_subject(), new_key()) for lookup in wanted]
            conn = await self._connection()
            cursor = await conn.execute(
                _LOAD,
                {
                    "lookups": [f[0] for f in fresh],
                    "subjects": [f[1] for f in fresh],
                    "keys": [f[2] for f in fresh],
                },
            )
            rows = await cursor.fetchall()
            if len(rows) < len(wanted):  # made concurrently by another process
                cursor = await conn.execute(_BY_LOOKUP, (list(wanted),))
                rows = await cursor.fetchall()
        except psycopg.Error as error:
            self._conn = None
            raise StoreUnavailable(f"the subjects' keys could not be read: {error}") from None
        finally:
            self._flight = None
        loaded = {
            wanted[bytes(lookup)]: SubjectKey.of(subject, bytes(key))
            for lookup, subject, key in rows
        }
        if len(loaded) < len(wanted):
            raise StoreUnavailable("the subjects' keys could not be made")
        self._keys.update(loaded)
        while len(self._keys) > self._capacity:
            self._keys.popitem(last=False)
        return loaded

    async def _connection(self) -> psycopg.AsyncConnection:
        async with self._connecting:
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._database_url, autocommit=True, connect_timeout=2
                )
                if self._durable_with_events:
                    await self._conn.execute("SET synchronous_commit = off")
            return self._conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


def open_subject_keys(database_url: str, *, durable_with_events: bool = False) -> SubjectKeys:
    """The key schema made if need be, and the ingest path's keys over it.
    `durable_with_events`: the events are stored in this database (PostgreSQL event store)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        secret = setup_subject_keys(conn)
    return SubjectKeys(database_url, secret, durable_with_events=durable_with_events)
