"""Holds the analyst role to its time limit, which its sessions could otherwise lift."""

from __future__ import annotations

import logging
import threading

import psycopg

from eventlens.analyst_role import TIME_LIMIT, stop_overrunning_sessions

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0  # seconds: a statement runs at most this much past the limit


class AnalystWatch:
    """A thread of the process that owns the embedded database, checking every few seconds."""

    def __init__(
        self, database_url: str, limit: float = TIME_LIMIT, every: float = CHECK_EVERY
    ) -> None:
        self._database_url = database_url
        self._limit = limit
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analyst-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._every + 5)

    def _run(self) -> None:
        conn: psycopg.Connection | None = None
        while not self._stop.wait(self._every):
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self._database_url, autocommit=True)
                stopped = stop_overrunning_sessions(conn, self._limit)
                if stopped:
                    log.info("stopped %d analyst sessions past the time limit", stopped)
            except psycopg.Error as problem:
                log.warning("cannot check the analyst's sessions: %s", problem)
                conn = None
        if conn is not None:
            conn.close()
