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
from typing import NamedTuple

import psycopg
from psycopg import pq, sql

from eventlens.domain.personal import SubjectKey, new_key, new_subject, subject_lookup
from eventlens.eventstore.port import StoreUnavailable
from eventlens.eventstore.postgres_append import BYTEA_OID, AppendConnection, Prepared, text_array

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
# The PostgreSQL event store's append with the keys its events were sealed under, made in the
# same statement (one transaction): each key is inserted unless its lookup has one; a lookup
# holding another key (made by another process, or before this one kept it) refuses the whole
# statement (`KEY_TAKEN`, the lookups in its detail): the requests that proposed them are
# sealed again with the keys made first, and the group's others are sent again without them.
# PL/pgSQL: the log's append function may not exist yet when this is created.
KEY_TAKEN = "EL409"
APPEND_KEYED = """
CREATE OR REPLACE FUNCTION eventlens_keys.append_keyed(
    streams text[], event_ids uuid[], partition_keys text[], payloads text[],
    lookups bytea[], subjects text[], keys bytea[]
) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    taken text;
BEGIN
    INSERT INTO eventlens_keys.subject_keys (lookup, subject, key)
    SELECT * FROM unnest(lookups, subjects, keys) ON CONFLICT (lookup) DO NOTHING;
    SELECT string_agg(encode(sent.lookup, 'hex'), ',') INTO taken
    FROM eventlens_keys.subject_keys AS made
    JOIN unnest(lookups, keys) AS sent(lookup, key) USING (lookup)
    WHERE made.key <> sent.key;
    IF taken IS NOT NULL THEN  -- the lookups (keyed hashes) refused, for the writer
        RAISE EXCEPTION 'a subject''s key was made elsewhere first'
            USING ERRCODE = 'EL409', DETAIL = taken;
    END IF;
    RETURN eventstore_log_append(streams, event_ids, partition_keys, payloads);
END
$$;
"""
_SECRET = """
INSERT INTO eventlens_keys.lookup_secret VALUES (1, %s) ON CONFLICT DO NOTHING;
"""
# One round trip: the keys made now, and those that existed (the SELECT's snapshot is taken
# before the INSERT, so none is both). A key another process makes concurrently is in
# neither: it is read again (`_BY_LOOKUP`) once that process has committed. Both are prepared
# on the ingest path's key connection and take binary arrays: lookups, subjects, keys.
_LOAD = sql.SQL("""
WITH made AS (
    INSERT INTO eventlens_keys.subject_keys (lookup, subject, key)
    SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[])
    ON CONFLICT (lookup) DO NOTHING
    RETURNING lookup, subject, key
)
SELECT lookup, subject, key FROM made
UNION ALL
SELECT lookup, subject, key FROM eventlens_keys.subject_keys WHERE lookup = ANY($1)
""")
_BY_LOOKUP = sql.SQL(
    "SELECT lookup, subject, key FROM eventlens_keys.subject_keys WHERE lookup = ANY($1)"
)
_STATEMENTS = (
    Prepared(b"eventlens_keys_load", "bytea[], text[], bytea[]", _LOAD),
    Prepared(b"eventlens_keys_by_lookup", "bytea[]", _BY_LOOKUP),
)
# Projections that decrypt hold this lock shared until their batch commits; an erasure holds
# it exclusively while it deletes the key: it waits for the batches that decrypted with the
# key to commit (so the blanking after it sees their rows), and no batch decrypts with the
# key meanwhile. An advisory lock lives in memory: a row lock would be written to the table.
_DECRYPTING = "SELECT pg_advisory_xact_lock_shared(hashtext('eventlens-subject-keys-in-use'))"
_ERASING = "SELECT pg_advisory_xact_lock(hashtext('eventlens-subject-keys-in-use'))"
_BY_SUBJECT = "SELECT subject, key FROM eventlens_keys.subject_keys WHERE subject = ANY(%b)"


def setup_subject_keys(conn: psycopg.Connection) -> bytes:
    """Create the key schema (idempotent) and return the lookup secret."""
    import os

    conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-subject-keys'))")
    try:
        conn.execute(DDL)
        conn.execute(APPEND_KEYED)
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
    rows = conn.execute(_BY_SUBJECT, (list(subjects),), binary=True).fetchall()
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


class KeyTaken(StoreUnavailable):
    """Keys proposed with the events were refused: another key was made for a user id."""


class KeyRow(NamedTuple):
    """A key proposed for a user id, made in the database with the events sealed under it."""

    user_id: str  # kept in memory only: the row holds its keyed hash
    lookup: bytes
    subject: bytes  # UTF-8
    key: bytes


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
        self._durable_with_events = durable_with_events
        self._secret = secret
        self._capacity = capacity
        self._keys: OrderedDict[str, SubjectKey] = OrderedDict()
        self._conn: AppendConnection | None = None
        self._connecting = asyncio.Lock()
        self._pending: set[str] = set()  # user ids waiting for the next round trip
        self._next: asyncio.Future[dict[str, SubjectKey]] | None = None  # its answer
        self._flight: asyncio.Future[dict[str, SubjectKey]] | None = None  # the round trip
        # Keys made here, not yet in the database: sent with the events sealed under them.
        self._proposed: dict[str, tuple[SubjectKey, KeyRow]] = {}

    def lookup(self, user_id: str) -> bytes:
        return subject_lookup(self._secret, user_id)

    def cached(self, user_id: str) -> SubjectKey | None:
        return self._keys.get(user_id)

    def propose(self, user_id: str) -> tuple[SubjectKey, KeyRow]:
        """A key for a user id whose key is not in memory, to be made with the events sealed
        under it (`confirm` once they are recorded, `withdraw` if it is `KeyTaken`). Requests
        of one user id share its proposal until then."""
        proposal = self._proposed.get(user_id)
        if proposal is None:
            subject, key = new_subject(), new_key()
            row = KeyRow(user_id, self.lookup(user_id), subject.encode(), key)
            if len(self._proposed) >= self._capacity:  # refused ones are proposed again
                self._proposed.clear()
            proposal = self._proposed[user_id] = (SubjectKey.of(subject, key), row)
        return proposal

    def confirm(self, proposals: Iterable[tuple[SubjectKey, KeyRow]]) -> None:
        """These proposed keys are in the database now: keep them in memory."""
        made = {}
        for key, row in proposals:
            made[row.user_id] = key
            current = self._proposed.get(row.user_id)
            if current is not None and current[1] == row:
                del self._proposed[row.user_id]
        self._remember(made)

    def withdraw(self, rows: Iterable[KeyRow]) -> None:
        """These proposed keys were refused (`KeyTaken`): the next request loads the key."""
        for row in rows:
            proposal = self._proposed.get(row.user_id)
            if proposal is not None and proposal[1] == row:
                del self._proposed[row.user_id]

    def _remember(self, loaded: dict[str, SubjectKey]) -> None:
        self._keys.update(loaded)
        while len(self._keys) > self._capacity:
            self._keys.popitem(last=False)

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
        """Bring the users' keys into memory, creating those that do not exist."""
        wanted = set(user_ids)
        if not wanted:
            return {}
        # Shielded: the answer is shared with the other requests of its round trip.
        loaded = await asyncio.shield(self.loading(wanted))
        return {user_id: loaded[user_id] for user_id in wanted}

    def loading(self, user_ids: Iterable[str]) -> asyncio.Future[dict[str, SubjectKey]]:
        """The users' keys (among others), once in memory; those that do not exist are made.

        Loads coalesce: while one round trip is in flight, the user ids asked for meanwhile
        wait and go together in the next one, so many requests seeing new users at once cost
        one statement (and one commit), not one each. A future, not a coroutine: a request
        with a new user pays no task of its own (docs/BENCHMARKS.md, "Sealing cost")."""
        self._pending.update(user_ids)
        answer = self._next
        if answer is None:
            answer = self._next = asyncio.get_running_loop().create_future()
        if self._flight is None:
            self._launch()
        return answer

    def _launch(self) -> None:
        batch, self._pending = self._pending, set()
        answer, self._next = self._next, None
        assert answer is not None

        def landed(fetch: asyncio.Future[dict[str, SubjectKey]]) -> None:
            self._flight = None
            if fetch.cancelled():  # closing
                error: BaseException | None = StoreUnavailable("the subjects' keys closed")
            else:
                error = fetch.exception()
            if answer.done():
                pass
            elif error is None:
                answer.set_result(fetch.result())
            else:
                answer.set_exception(error)
            if self._pending:
                self._launch()

        self._flight = asyncio.ensure_future(self._fetch(batch))
        self._flight.add_done_callback(landed)

    async def _fetch(self, user_ids: set[str]) -> dict[str, SubjectKey]:
        wanted = {self.lookup(user_id): user_id for user_id in user_ids}
        lookups = text_array(list(wanted), BYTEA_OID)
        try:
            conn = await self._connection()
            result = await conn.execute(
                [
                    lookups,
                    text_array([new_subject().encode() for _ in wanted]),
                    text_array([new_key() for _ in wanted], BYTEA_OID),
                ],
                _STATEMENTS[0].name,
            )
            if result.ntuples < len(wanted):  # made concurrently by another process
                result = await conn.execute([lookups], _STATEMENTS[1].name)
        except (psycopg.Error, OSError) as error:
            await self.close()
            raise StoreUnavailable(f"the subjects' keys could not be read: {error}") from None
        loaded = {
            wanted[lookup]: SubjectKey.of(subject.decode(), key)
            for lookup, subject, key in _rows(result)
        }
        if len(loaded) < len(wanted):
            raise StoreUnavailable("the subjects' keys could not be made")
        self._remember(loaded)
        return loaded

    async def _connection(self) -> AppendConnection:
        async with self._connecting:
            if self._conn is None or self._conn.closed:
                # In the PostgreSQL event store, the commit of the events sealed with a new
                # key flushes the log up to them, the key's insert included: the key need not
                # wait for a flush of its own.
                settings = ["SET synchronous_commit = off"] if self._durable_with_events else []
                self._conn = await AppendConnection.connect(
                    self._database_url, None, 2, statements=_STATEMENTS, settings=settings
                )
            return self._conn

    async def close(self) -> None:
        if self._flight is not None:
            self._flight.cancel()
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


def _rows(result: pq.abc.PGresult) -> list[tuple[bytes, bytes, bytes]]:
    """(lookup, subject in UTF-8, key) of each row of a binary result."""
    value = result.get_value
    return [
        (bytes(value(i, 0) or b""), bytes(value(i, 1) or b""), bytes(value(i, 2) or b""))
        for i in range(result.ntuples)
    ]


def open_subject_keys(database_url: str, *, durable_with_events: bool = False) -> SubjectKeys:
    """The key schema made if need be, and the ingest path's keys over it.
    `durable_with_events`: the events are stored in this database (PostgreSQL event store)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        secret = setup_subject_keys(conn)
    return SubjectKeys(database_url, secret, durable_with_events=durable_with_events)
