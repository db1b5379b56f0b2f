"""The PostgreSQL event store: the embedded, single-node default.

Appends are group-committed: concurrent requests queue their events and one writer task
records everything queued in a single transaction, so many single-event ingests share one
fsync. A request is answered only after the transaction holding its events has committed.

A small group may wait a bounded window for more requests before it is sent: with a few
clients, each waiting for its answer before it sends again, groups would otherwise be two to
four events, each paying PostgreSQL's per-commit work (docs/BENCHMARKS.md, "A small group
commit waits for the clients it answered").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg import sql

from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.eventstore.codec import encode_rejected, encode_tracked
from eventlens.eventstore.port import (
    REJECTED_STREAM,
    TRACKED_STREAM,
    StoreUnavailable,
)
from eventlens.eventstore.postgres_append import (
    APPEND_TYPES,
    BYTEA_OID,
    STATEMENT,
    AppendConnection,
    Prepared,
    text_array,
    uuid_array,
)
from eventlens.eventstore.postgres_schema import (
    LOG_TABLE,
    create_event_store_schema,
)
from eventlens.eventstore.subject_keys import KEY_TAKEN, KeyRow, KeyTaken

log = logging.getLogger(__name__)

MAX_GROUP = 5000  # events per group commit
DEFAULT_WINDOW_US = 1000
DEFAULT_APPEND_TIMEOUT_MS = 2000
# Failures that say the database is away or not answering, not that a request is bad.
UNAVAILABLE = (psycopg.OperationalError, TimeoutError, OSError)
# A group of this many events spreads the per-commit work thin enough: a larger one is sent at
# once, and no group waits for more requests than this.
SMALL_GROUP = 16

# A duplicate (a client's retry) is recorded once: the function skips ids already in the stream.
APPEND = sql.SQL("SELECT {}($1, $2, $3, $4)").format(sql.Identifier(f"{LOG_TABLE}_append"))
_TRACKED = TRACKED_STREAM.encode()
_REJECTED = REJECTED_STREAM.encode()

# With the subjects' keys the events were sealed under (`append_keyed`), made in its statement.
APPEND_KEYED = Prepared(
    b"eventlens_append_keyed",
    f"{APPEND_TYPES}, bytea[], text[], bytea[]",
    sql.SQL("SELECT eventlens_keys.append_keyed($1, $2, $3, $4, $5, $6, $7)"),
)

Row = tuple[bytes, UUID, bytes, bytes]  # stream, event id, partition key, payload (UTF-8)


@dataclass
class _Pending:
    rows: list[Row]
    done: asyncio.Future[None]
    keys: Sequence[KeyRow] = ()  # made with the rows (`append_keyed`)


class PostgresEventStore:
    def __init__(
        self,
        conninfo: str,
        max_group: int = MAX_GROUP,
        window_us: int = DEFAULT_WINDOW_US,
        connect_timeout_ms: int = DEFAULT_APPEND_TIMEOUT_MS,
        statement_timeout_ms: int = DEFAULT_APPEND_TIMEOUT_MS,
    ) -> None:
        self._conninfo = conninfo
        # A database that stops answering (stalled, or gone without closing the connection)
        # fails the group it holds instead of holding it.
        self._statement_timeout = max(1, statement_timeout_ms) / 1000
        # libpq counts whole seconds (at least 2): a database that does not answer fails the
        # group's requests (503) instead of holding them.
        self._connect_timeout = max(2, -(-connect_timeout_ms // 1000))
        self._max_group = max_group
        self._window = max(0, window_us) / 1_000_000
        # The requests a group may expect: those the last group answered (their clients may
        # send again at once) and those already queued when it did.
        self._expected = 1
        self._gathering: asyncio.Future[bool] | None = None  # set while a small group waits
        self._wanted = 0  # queued requests that end the wait
        # Bounded: when the database falls behind, requests wait here (back-pressure).
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue(maxsize=10_000)
        self._writer: asyncio.Task[None] | None = None
        self._waiting_for_room: set[asyncio.Task[None]] = set()  # kept until queued
        self._conn: AppendConnection | None = None
        # Kept, not looked up per append: on Python 3.11 asyncio.get_running_loop() makes a
        # getpid() system call (see "The event stores keep their event loop" in BENCHMARKS).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._keyed = False  # `append_keyed` in use: its statement is prepared too

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(create_event_store_schema, self._conninfo)
        self._writer = asyncio.create_task(self._write_forever(), name="eventstore-writer")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        for waiting in list(self._waiting_for_room):
            waiting.cancel()
        closed = StoreUnavailable("the event store closed before recording the events")
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if not item.done.done():
                item.done.set_exception(closed)
        await self._reset()

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        return self._append(
            [(_TRACKED, e.event_id, e.partition_key.encode(), encode_tracked(e)) for e in events]
        )

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]:
        return self._append(
            [
                (_REJECTED, r.event_id, r.event.partition_key.encode(), encode_rejected(r))
                for r in events
            ]
        )

    def use_keys(self) -> None:
        """Prepare `append_keyed` too (the subjects' keys are set up in this database);
        called before `start`."""
        self._keyed = True

    def append_keyed(
        self,
        tracked: Sequence[TrackedEvent],
        rejected: Sequence[RejectedEvent],
        keys: Sequence[KeyRow],
    ) -> asyncio.Future[None]:
        """Append events sealed under `keys`, new subjects' keys made in the same statement,
        so a key is in the database exactly when the events that need it are. Fails with
        `KeyTaken` (nothing recorded) when a key was made elsewhere first for a user id."""
        rows = [
            (_TRACKED, e.event_id, e.partition_key.encode(), encode_tracked(e)) for e in tracked
        ]
        rows += [
            (_REJECTED, r.event_id, r.event.partition_key.encode(), encode_rejected(r))
            for r in rejected
        ]
        return self._append(rows, keys)

    def _append(self, rows: list[Row], keys: Sequence[KeyRow] = ()) -> asyncio.Future[None]:
        loop = self._loop or asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if not rows:
            done.set_result(None)
        elif self._writer is None or self._writer.done():
            done.set_exception(StoreUnavailable("the event store is not running"))
        else:
            pending = _Pending(rows, done, keys)
            try:
                self._queue.put_nowait(pending)
            except asyncio.QueueFull:  # the database is behind: wait for room (back-pressure)
                waiting = loop.create_task(self._queue_when_room(pending))
                self._waiting_for_room.add(waiting)
                waiting.add_done_callback(self._waiting_for_room.discard)
            else:
                if self._gathering is not None and self._queue.qsize() >= self._wanted:
                    self._end_gathering(True)
        return done

    async def _queue_when_room(self, pending: _Pending) -> None:
        try:
            await self._queue.put(pending)
        except asyncio.CancelledError:
            _fail(pending, StoreUnavailable("the event store closed"))
            raise

    async def _write_forever(self) -> None:
        while True:
            group = [await self._queue.get()]
            gathered = True
            try:
                size = self._take_queued(group, len(group[0].rows))
                expected = min(self._expected, SMALL_GROUP)
                if self._window and len(group) < expected and size < SMALL_GROUP:
                    gathered = await self._gather(expected - len(group))
                    self._take_queued(group, size)
                await self._record(group)
            except asyncio.CancelledError:  # the store is closing: nobody is left to answer
                closed = StoreUnavailable("the event store closed while recording the events")
                for item in group:
                    if not item.done.done():
                        item.done.set_exception(closed)
                raise
            # After a wait that ran out, the next group goes at once: requests are not coming
            # back as fast as they are answered, and each group would wait the whole window.
            self._expected = len(group) + self._queue.qsize() if gathered else 0

    def _take_queued(self, group: list[_Pending], size: int) -> int:
        while size < self._max_group and not self._queue.empty():
            item = self._queue.get_nowait()
            group.append(item)
            size += len(item.rows)
        return size

    async def _gather(self, wanted: int) -> bool:
        """Wait until `wanted` more requests are queued (True) or the window has passed."""
        loop = self._loop or asyncio.get_running_loop()
        self._gathering, self._wanted = loop.create_future(), wanted
        timer = loop.call_later(self._window, self._end_gathering, False)
        try:
            return await self._gathering
        finally:
            timer.cancel()
            self._gathering = None

    def _end_gathering(self, gathered: bool) -> None:
        if self._gathering is not None and not self._gathering.done():
            self._gathering.set_result(gathered)

    async def _record(self, group: list[_Pending]) -> None:
        """Commit the group's events together and answer each request."""
        try:
            await self._commit(
                [row for item in group for row in item.rows],
                [key for item in group for key in item.keys],
            )
        except Exception as error:
            if _refused(error):  # the connection is usable; only some keys were refused
                if await self._without_refused(group, error):
                    return
            else:
                await self._reset()
            if len(group) == 1 or isinstance(error, UNAVAILABLE):
                # The database away or not answering: each request on its own would wait as
                # long again. All are refused now (503), and each may be sent again.
                log.warning("event store append failed: %s", error)
                for item in group:
                    _fail(item, error, logged=True)
                return
            # One request's events must not fail the others: commit each on its own.
            log.warning("group append failed (%s); retrying requests one by one", error)
            for item in group:
                try:
                    await self._commit(item.rows, item.keys)
                except Exception as single_error:
                    if not _refused(single_error):
                        await self._reset()
                    _fail(item, single_error)
                else:
                    _succeed(item)
        else:
            for item in group:
                _succeed(item)

    async def _without_refused(self, group: list[_Pending], error: Exception) -> bool:
        """Answer the requests whose proposed keys were refused (`KeyTaken`) and record the
        others; False when the error names none of the group's keys."""
        taken = _taken(error)
        refused = [item for item in group if any(key.lookup in taken for key in item.keys)]
        if not refused:
            return False
        for item in refused:
            _fail(item, error)
        answered = {id(item) for item in refused}
        rest = [item for item in group if id(item) not in answered]
        if rest:
            await self._record(rest)
        return True

    async def _commit(self, rows: list[Row], made: Sequence[KeyRow] = ()) -> None:
        if self._conn is None or self._conn.closed:  # not yet, or broken (also while idle)
            await self._reset()
            self._conn = await AppendConnection.connect(
                self._conninfo,
                APPEND,
                self._connect_timeout,
                statements=[APPEND_KEYED] if self._keyed else [],
            )
        streams, event_ids, keys, payloads = zip(*rows, strict=True)
        params = [
            text_array(streams),
            uuid_array(event_ids),
            text_array(keys),
            text_array(payloads),
        ]
        if made:
            unique = list({key.lookup: key for key in made}.values())
            params += [
                text_array([key.lookup for key in unique], BYTEA_OID),
                text_array([key.subject for key in unique]),
                text_array([key.key for key in unique], BYTEA_OID),
            ]
        # One statement in autocommit mode: its own transaction, committed when it returns.
        try:
            await asyncio.wait_for(
                self._conn.execute(params, APPEND_KEYED.name if made else STATEMENT),
                self._statement_timeout,
            )
        except asyncio.CancelledError:  # the statement is still in flight: the connection goes
            await self._reset()
            raise
        except TimeoutError:  # likewise; it may still commit, so the outcome is unknown
            await self._reset()
            raise TimeoutError(
                f"the database did not answer within {self._statement_timeout:g} s; whether "
                "the events were recorded is unknown: send them again with the same event ids"
            ) from None

    async def _reset(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn = None


def _succeed(item: _Pending) -> None:
    if not item.done.done():
        item.done.set_result(None)


def _taken(error: Exception) -> set[bytes]:
    """The lookups whose keys a refused statement names (hex, comma-separated)."""
    detail = getattr(getattr(error, "diag", None), "message_detail", None) or ""
    return {bytes.fromhex(lookup) for lookup in detail.split(",") if lookup}


def _refused(error: Exception) -> bool:
    """The database refused the statement (it rolled back; the connection is fine)."""
    return isinstance(error, psycopg.Error) and error.sqlstate == KEY_TAKEN


def _fail(item: _Pending, error: Exception, logged: bool = False) -> None:
    if _refused(error):  # not a failure: the request is sealed again with the key made first
        if not item.done.done():
            item.done.set_exception(KeyTaken(str(error)))
        return
    if not logged:
        log.warning("event store append failed: %s", error)
    if not item.done.done():
        item.done.set_exception(
            StoreUnavailable(f"the event store could not record events: {error}")
        )
