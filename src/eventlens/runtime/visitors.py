"""The daily salts and the geo database behind cookieless visitor ids.

The salts live in PostgreSQL so that every API process (and every replica in Kafka mode)
hashes a visitor alike. Each process keeps them in memory and looks again every minute:
yesterday's, today's and tomorrow's exist (tomorrow's made ahead, so the rotation at
00:00 UTC needs no write), and any older one is deleted 48 hours after its day began.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg

from eventlens.domain.visitors import SALT_BYTES, Location, Requester, salt_days, salt_expired

log = logging.getLogger(__name__)

SALT_TABLE = "visitor_salts"
SALT_DDL = f"""
CREATE TABLE IF NOT EXISTS {SALT_TABLE} (
    day   date PRIMARY KEY,
    salt  bytea NOT NULL
)
"""
REFRESH_INTERVAL = 60.0  # seconds


def rotate_salts(database_url: str, today: date) -> dict[date, bytes]:
    """Make the salts `today` needs (if another process has not), delete the expired ones,
    and return those that exist now."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SALT_DDL)
        for day in salt_days(today):
            conn.execute(
                f"INSERT INTO {SALT_TABLE} (day, salt) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (day) DO NOTHING",
                (day, secrets.token_bytes(SALT_BYTES)),
            )
        rows = conn.execute(f"SELECT day, salt FROM {SALT_TABLE}").fetchall()  # noqa: S608
        expired = [day for day, _ in rows if salt_expired(day, today)]
        if expired:
            conn.execute(
                f"DELETE FROM {SALT_TABLE} WHERE day = ANY(%s)",  # noqa: S608
                (expired,),
            )
        return {day: bytes(salt) for day, salt in rows if day not in expired}


class DailySalts:
    """The salts of the days around today, in memory, refreshed from the database."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._salts: dict[date, bytes] = {}
        self._task: asyncio.Task[None] | None = None

    def salt(self, day: date) -> bytes | None:
        return self._salts.get(day)

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.create_task(self._keep_fresh(), name="visitor salts")

    async def refresh(self, today: date | None = None) -> None:
        day = today or datetime.now(UTC).date()
        self._salts = await asyncio.to_thread(rotate_salts, self._database_url, day)

    async def _keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_INTERVAL)
            try:
                await self.refresh()
            except psycopg.Error as problem:  # kept serving: tomorrow's salt already exists
                log.warning("could not refresh the visitor salts: %s", problem)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class GeoDatabase:
    """An offline IP-to-city database in MaxMind's format (DB-IP Lite by default): one file,
    or a directory of them (DB-IP's IPv4 and IPv6 files)."""

    def __init__(self, path: Path) -> None:
        import maxminddb

        files = sorted(path.glob("*.mmdb")) if path.is_dir() else [path]
        if not files:
            raise FileNotFoundError(f"no .mmdb file in {path}")
        self.files = files
        self._readers = [maxminddb.open_database(str(file)) for file in files]

    def locate(self, address: str) -> Location | None:
        # The reader parses the address itself, in C: a private or malformed one finds
        # nothing (ValueError for text that is no address, or an IPv6 one in an IPv4 file).
        for reader in self._readers:
            try:
                record: Any = reader.get(address)
            except ValueError:
                continue
            if isinstance(record, dict):
                return _location(record)
        return None

    def close(self) -> None:
        for reader in self._readers:
            reader.close()


def _location(record: dict[str, Any]) -> Location:
    """DB-IP's fields (`country_code`, `state1`, `city`) or GeoIP2's (`country.iso_code`…)."""
    if "country_code" in record:
        return Location(
            record.get("country_code") or None,
            record.get("state1") or None,
            record.get("city") or None,
        )
    country = (record.get("country") or {}).get("iso_code")
    subdivisions = record.get("subdivisions") or [{}]
    region = (subdivisions[0].get("names") or {}).get("en")
    city = ((record.get("city") or {}).get("names") or {}).get("en")
    return Location(country, region, city)


class Visitors:
    """Turns a request's client into what its events record (`Requester`)."""

    def __init__(self, salts: DailySalts, geo: GeoDatabase | None) -> None:
        self.salts = salts
        self.geo = geo

    def requester(self, address: str, user_agent: str | None, day: date) -> Requester:
        geo = self.geo
        location = geo.locate(address) if geo is not None else None
        return Requester(address, user_agent, self.salts.salt(day), location)
