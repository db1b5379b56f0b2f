"""The group-commit writer's connection: one prepared append at a time, on libpq's
asynchronous API, straight from the event loop. The subjects' keys are read and made on one
too (`eventstore/subject_keys.py`), with statements of their own.

An append is the API's one query under ingest, and psycopg's `AsyncConnection.execute` does
work on every call that it does not need: a cursor, the query's conversion, an array dumper
looked up and run per column, and two waits that each register and unregister the socket
with the event loop. So psycopg only makes the connection (and prepares its statement); after
that each append is one `send_query_prepared` of four binary arrays encoded here, and the
answer is read by a reader callback that stays registered (docs/BENCHMARKS.md, "The append
on libpq's asynchronous API").
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

import psycopg
from psycopg import pq, sql

BYTEA_OID = 17
TEXT_OID = 25
UUID_OID = 2950
_ARRAY_HEADER = struct.Struct("!iiIii")  # dimensions, has nulls, element type, length, lower bound
_UUID_LENGTH = (16).to_bytes(4, "big")
STATEMENT = b"eventlens_append"
APPEND_TYPES = "text[], uuid[], text[], text[]"


class Prepared(NamedTuple):
    """A statement prepared on the connection: its name, parameter types and query."""

    name: bytes
    types: str
    query: sql.Composable


def text_array(items: Sequence[bytes], element: int = TEXT_OID) -> bytes:
    """`text[]` (or `bytea[]` with `element=BYTEA_OID`) in PostgreSQL's binary format, from
    UTF-8 items (none may be NULL)."""
    return _ARRAY_HEADER.pack(1, 0, element, len(items), 1) + b"".join(
        [len(item).to_bytes(4, "big") + item for item in items]
    )


def uuid_array(items: Sequence[UUID]) -> bytes:
    """`uuid[]` in PostgreSQL's binary format."""
    return _ARRAY_HEADER.pack(1, 0, UUID_OID, len(items), 1) + b"".join(
        [_UUID_LENGTH + item.bytes for item in items]
    )


class AppendConnection:
    """A connection that runs one statement at a time, prepared as `STATEMENT` from `query`
    (which takes text[], uuid[], text[], text[]) or as one of `statements`: `execute` is
    called again only once the previous call's future is done. When the connection breaks
    it is `closed` (also while idle: its socket is watched); a statement the database
    refuses fails its future and leaves the connection usable. A caller that stops waiting
    for a statement (cancellation) closes the connection, since the statement is still in
    flight."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], loop: asyncio.AbstractEventLoop):
        self._conn = conn
        self._pgconn = conn.pgconn
        self._loop = loop
        self._socket = self._pgconn.socket
        self._pending: asyncio.Future[pq.abc.PGresult] | None = None
        self._result: pq.abc.PGresult | None = None
        self._writing = False
        self.closed = False

    @classmethod
    async def connect(
        cls,
        conninfo: str,
        query: sql.Composable | None,
        timeout: int | None = None,
        *,
        statements: Sequence[Prepared] = (),
        settings: Sequence[str] = (),
    ) -> AppendConnection:
        """`settings`: statements run once first (e.g. `SET ...`)."""
        conn = await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, connect_timeout=timeout
        )
        prepared = list(statements)
        if query is not None:
            prepared.append(Prepared(STATEMENT, APPEND_TYPES, query))
        try:
            # Binary text parameters are read in the connection's encoding: make it UTF-8.
            await conn.execute("SET client_encoding TO 'UTF8'")
            for setting in settings:
                await conn.execute(sql.SQL(setting))
            for name, types, body in prepared:
                await conn.execute(
                    sql.SQL("PREPARE {} ({}) AS {}").format(
                        sql.Identifier(name.decode()), sql.SQL(types), body
                    )
                )
            append = cls(conn, asyncio.get_running_loop())
            append._pgconn.nonblocking = 1
            append._loop.add_reader(append._socket, append._readable)
        except BaseException:
            await conn.close()
            raise
        return append

    def execute(
        self, params: Sequence[bytes], statement: bytes = STATEMENT
    ) -> asyncio.Future[pq.abc.PGresult]:
        """Send the statement with these binary parameters; the future holds its result (in
        binary), or the error (a `psycopg.Error`) it failed with."""
        assert self._pending is None, "one statement at a time"
        future: asyncio.Future[pq.abc.PGresult] = self._loop.create_future()
        if self.closed:
            future.set_exception(psycopg.OperationalError("the append connection is closed"))
            return future
        self._pending = future
        self._result = None
        try:
            self._pgconn.send_query_prepared(
                statement, params, param_formats=[1] * len(params), result_format=1
            )
            self._flush()
        except psycopg.Error as error:
            self._fail(error)
        return future

    def _flush(self) -> None:
        # A large group does not fit the socket's buffer at once: the rest is sent as the
        # socket drains.
        if self._pgconn.flush() == 0:
            if self._writing:
                self._loop.remove_writer(self._socket)
                self._writing = False
        elif not self._writing:
            self._loop.add_writer(self._socket, self._writable)
            self._writing = True

    def _writable(self) -> None:
        try:
            self._flush()
        except psycopg.Error as error:
            self._fail(error)

    def _readable(self) -> None:
        try:
            self._pgconn.consume_input()
            while not self._pgconn.is_busy():
                result = self._pgconn.get_result()
                if result is None:  # the statement's results are all in
                    self._answer()
                    return
                self._result = result
        except psycopg.Error as error:  # the connection broke (also when idle)
            self._fail(error)

    def _answer(self) -> None:
        future, result = self._pending, self._result
        self._pending = self._result = None
        if future is None or future.done():
            return
        if result is None:
            future.set_exception(psycopg.OperationalError("the append returned no result"))
        elif result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
            future.set_result(result)
        else:
            future.set_exception(psycopg.errors.error_from_result(result, "utf-8"))

    def _fail(self, error: psycopg.Error) -> None:
        future, self._pending = self._pending, None
        self._stop_watching()
        self.closed = True
        if future is not None and not future.done():
            future.set_exception(error)

    def _stop_watching(self) -> None:
        if self._socket >= 0:
            self._loop.remove_reader(self._socket)
            if self._writing:
                self._loop.remove_writer(self._socket)
                self._writing = False
            self._socket = -1

    async def close(self) -> None:
        future, self._pending = self._pending, None
        self._stop_watching()
        self.closed = True
        if future is not None and not future.done():
            future.set_exception(psycopg.OperationalError("the append connection was closed"))
        await self._conn.close()
