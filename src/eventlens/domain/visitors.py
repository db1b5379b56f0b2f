"""Who sent an event and from which page, without anything kept in the visitor's browser.

A visitor is a keyed hash of the day's salt, the site, the client's address and its
User-Agent. The salt is random, changes at 00:00 UTC and is deleted 48 hours after it came
into use, so a stored visitor id can no longer be tied to an address, and the same person on
two days is two visitors. The address itself is only ever an input to the hash (and to the
geo lookup): it is never part of an event.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import NamedTuple

SALT_BYTES = 32  # BLAKE2b's largest key
VISITOR_ID_BYTES = 8  # 64 bits, as Plausible's user ids: collisions stay rare per site and day


class Location(NamedTuple):
    """Where an address is, as an offline geo database places it (parts may be unknown)."""

    country: str | None  # ISO 3166-1 alpha-2
    region: str | None
    city: str | None


class ClientContext(NamedTuple):
    """What ingest derived from the request an event came in: kept on the event."""

    visitor_id: str | None
    user_agent: str | None
    location: Location | None


class PageContext(NamedTuple):
    """What the page said about itself when it sent the event: kept on the event."""

    url: str | None = None
    referrer: str | None = None
    screen_width: int | None = None
    automated: bool = False  # sent by a browser under automation (navigator.webdriver)


def visitor_id(salt: bytes, site: str, address: str, user_agent: str | None) -> str:
    """The day's id of one visitor on one site: hex, `VISITOR_ID_BYTES` long."""
    digest = hashlib.blake2b(digest_size=VISITOR_ID_BYTES, key=salt)
    # Separated by NUL, which none of the parts may hold, so no two inputs run together.
    digest.update(f"{site}\0{address}\0{user_agent or ''}".encode())
    return digest.hexdigest()


class Requester:
    """The client behind one ingest request. Hashes it once per site the request names."""

    __slots__ = ("_address", "_ids", "_location", "_salt", "_user_agent")

    def __init__(
        self,
        address: str,
        user_agent: str | None,
        salt: bytes | None,
        location: Location | None,
    ) -> None:
        self._address = address
        self._user_agent = user_agent
        self._salt = salt
        self._location = location
        self._ids: dict[str, ClientContext] = {}

    @property
    def user_agent(self) -> str | None:
        return self._user_agent

    def context(self, site: str) -> ClientContext:
        """The client as an event on `site` records it (no salt yet: no visitor id)."""
        known = self._ids.get(site)
        if known is None:
            salt = self._salt
            visitor = (
                visitor_id(salt, site, self._address, self._user_agent)
                if salt is not None
                else None
            )
            known = self._ids[site] = ClientContext(visitor, self._user_agent, self._location)
        return known


def salt_days(today: date) -> tuple[date, date, date]:
    """The days whose salts exist on `today`: yesterday's (kept until 48 hours after it came
    into use), today's, and tomorrow's (made ahead, so midnight needs no write)."""
    return today - timedelta(days=1), today, today + timedelta(days=1)


def salt_expired(day: date, today: date) -> bool:
    """Is the salt that served `day` to be deleted on `today`? (48 hours after its start.)"""
    return day < today - timedelta(days=1)
