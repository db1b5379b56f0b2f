"""An in-memory view of the catalog for the ingest path, kept current from the catalog's log.

Each API process follows the catalog application's notification log (woken by the log's
NOTIFY), so a change made through any process reaches the others within milliseconds; a
lookup that misses triggers an immediate catch-up.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
import time
from collections.abc import Callable, Sequence
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    Notification,
    OperationalError,
)
from psycopg import sql

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.alerts import AlertRule
from eventlens.domain.credentials import ApiKey, SharedLink, secret_digest
from eventlens.domain.email_reports import EmailReport
from eventlens.domain.json_schema import PropertyCheck, compile_property_check
from eventlens.domain.personal import personal_properties
from eventlens.domain.privacy import Erasure, OptOut
from eventlens.domain.schema import Schema
from eventlens.domain.user import User
from eventlens.eventstore.catalog import Catalog
from eventlens.eventstore.port import StoreUnavailable

log = logging.getLogger(__name__)

PAGE = 500
FOLLOW_TIMEOUT = 1.0  # seconds: look even without a notification (and check for stop)
MIN_MISS_INTERVAL = 0.05  # seconds between catch-ups forced by misses (hostile input bound)
SYNC_WAIT = 2.0  # seconds a request waits for a refresh under way before serving from memory

# What a database that is away raises: psycopg's own error on the follower's connection, the
# recorder's wrapping of it (a refused or timed-out connection from its pool) elsewhere.
DATABASE_AWAY = (psycopg.OperationalError, OperationalError, InterfaceError)

PageReader = Callable[[ApplicationRecorder, int], Sequence[Notification]]


_NONE: frozenset[str] = frozenset()


class PersonalFieldIndex:
    """The properties each schema's event types mark personal (`x-personal`)."""

    def __init__(self) -> None:
        self.schemas: frozenset[str] = frozenset()  # those with any personal property
        self._fields: dict[str, dict[str, frozenset[str]]] = {}

    def personal(self, schema_id: str, event_type: str) -> frozenset[str]:
        fields = self._fields.get(schema_id)
        return _NONE if fields is None else fields.get(event_type, _NONE)

    def index(self, schema: Schema) -> None:
        fields = {
            event_type: marked
            for event_type, json_schema in schema.event_types.items()
            if (marked := personal_properties(json_schema))
        }
        others = {name: f for name, f in self._fields.items() if name != schema.name}
        self._fields = {**others, schema.name: fields} if fields else others
        self.schemas = frozenset(self._fields)


class CatalogCache:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._lock = threading.Lock()
        self._last_id = 0
        self._last_forced = 0.0
        self._schemas: dict[str, Schema] = {}
        self._adaptors: dict[str, Adaptor] = {}
        self._users: dict[str, User] = {}
        # Credential digests -> (owner, credential id): a user's name or a site's container id.
        self._api_keys: dict[str, tuple[str, str]] = {}
        self._shared_links: dict[str, tuple[str, str]] = {}
        self._checks: dict[tuple[str, int, str], PropertyCheck] = {}
        self.personal_fields = PersonalFieldIndex()
        self._opted_out: frozenset[str] = frozenset()  # the keyed hashes of user ids, hex
        # Set once the subjects' lookup secret is known: a user id's keyed hash.
        self.lookup: Callable[[str], bytes] | None = None
        self.erasure_listeners: list[Callable[[str], None]] = []
        # Whether the database answered the last look (the follower's, or a request's). While
        # it does not, requests are served from the cache as it is, instead of each waiting
        # out the recorder's retries.
        self.reachable = True
        self._alert_rules: dict[UUID, AlertRule] = {}
        self._email_reports: dict[str, EmailReport] = {}

    # CatalogLookup
    def schema(self, name: str) -> Schema | None:
        return self._schemas.get(name)

    def adaptor(self, container_id: str) -> Adaptor | None:
        return self._adaptors.get(container_id)

    def property_check(self, schema: Schema, event_type: str) -> PropertyCheck | None:
        json_schema = schema.event_types.get(event_type)
        if json_schema is None:
            return None
        key = (schema.name, schema.schema_version, event_type)
        check = self._checks.get(key)
        if check is None:
            check = compile_property_check(json_schema)
            self._checks[key] = check
        return check

    def personal(self, schema: Schema, event_type: str) -> frozenset[str]:
        return self.personal_fields.personal(schema.name, event_type)

    def opted_out(self, user_id: str) -> bool:
        if not self._opted_out or self.lookup is None:
            return False
        return self.lookup(user_id).hex() in self._opted_out

    async def catch_up(self) -> None:
        if not self.reachable:  # a lookup that missed cannot be answered now: not "unknown"
            raise StoreUnavailable("the catalog cannot be read while the database is away")
        now = time.monotonic()
        if now - self._last_forced < MIN_MISS_INTERVAL:
            return
        self._last_forced = now
        await asyncio.to_thread(self.refresh)

    # Reads for the API
    def schemas(self) -> list[Schema]:
        return sorted(self._schemas.values(), key=lambda s: s.name)

    def adaptors(self) -> list[Adaptor]:
        return sorted(self._adaptors.values(), key=lambda a: a.container_id)

    def user(self, username: str) -> User | None:
        return self._users.get(username.lower())

    def users(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.username)

    def alert_rules(self, container_id: str) -> list[AlertRule]:
        """The site's rules (deleted ones left out), oldest first."""
        rules = [r for r in self._alert_rules.values() if r.container_id == container_id]
        return sorted(rules, key=lambda r: (r.created_on, str(r.id)))

    def alert_rule(self, rule_id: UUID) -> AlertRule | None:
        return self._alert_rules.get(rule_id)

    def email_report(self, container_id: str) -> EmailReport | None:
        return self._email_reports.get(container_id)

    # Credentials, found by the digest of the secret presented (never by the secret itself)
    def api_key(self, secret: str) -> tuple[User, ApiKey] | None:
        digest = secret_digest(secret)
        username, key_id = self._api_keys.get(digest, ("", ""))
        user = self._users.get(username)
        key = user.api_keys.get(key_id) if user is not None else None
        if user is None or key is None or not hmac.compare_digest(key.digest, digest):
            return None
        return user, key

    def shared_link(self, token: str) -> tuple[Adaptor, SharedLink] | None:
        digest = secret_digest(token)
        container_id, link_id = self._shared_links.get(digest, ("", ""))
        adaptor = self._adaptors.get(container_id)
        link = adaptor.shared_links.get(link_id) if adaptor is not None else None
        if adaptor is None or link is None or not hmac.compare_digest(link.digest, digest):
            return None
        return adaptor, link

    def sync(self) -> None:
        """Read what other processes recorded until now (a request reads its own writes),
        unless the database is away: then the cache serves as it is.

        A request neither queues behind a refresh under way for longer than `SYNC_WAIT` nor
        waits out the recorder's ten attempts: with the database just gone, that is twenty
        seconds or more, and one look tells as much as ten.
        """
        if not self.reachable or not self._lock.acquire(timeout=SYNC_WAIT):
            return
        try:
            self._catch_up(_select_once)
        except DATABASE_AWAY as problem:
            self.reachable = False
            log.warning("the catalog is served from memory: the database is away (%s)", problem)
        finally:
            self._lock.release()

    def refresh(self) -> int:
        """Apply catalog changes recorded since the last refresh; returns how many."""
        with self._lock:
            return self._catch_up(_select_with_retries)

    def _catch_up(self, select: PageReader) -> int:
        seen = 0
        while True:
            notes = select(self._catalog.recorder, self._last_id)
            if not notes:
                return seen
            changed = list(dict.fromkeys(UUID(str(n.originator_id)) for n in notes))
            for aggregate_id in changed:
                self._store(self._catalog.aggregate(aggregate_id))
            self._last_id = notes[-1].id
            seen += len(notes)

    def _store(self, aggregate: object) -> None:
        if isinstance(aggregate, Schema):
            self._schemas = {**self._schemas, aggregate.name: aggregate}
            self.personal_fields.index(aggregate)
        elif isinstance(aggregate, Adaptor):
            self._adaptors = {**self._adaptors, aggregate.container_id: aggregate}
            links = {link.digest: link.id for link in aggregate.shared_links.values()}
            self._shared_links = _reindexed(self._shared_links, aggregate.container_id, links)
        elif isinstance(aggregate, AlertRule):
            rules = {k: v for k, v in self._alert_rules.items() if k != aggregate.id}
            self._alert_rules = rules if aggregate.deleted else {**rules, aggregate.id: aggregate}
        elif isinstance(aggregate, EmailReport):
            self._email_reports = {**self._email_reports, aggregate.container_id: aggregate}
        elif isinstance(aggregate, User):
            username = aggregate.username.lower()
            self._users = {**self._users, username: aggregate}
            keys = {key.digest: key.id for key in aggregate.api_keys.values()}
            self._api_keys = _reindexed(self._api_keys, username, keys)
        elif isinstance(aggregate, OptOut):
            others = self._opted_out - {aggregate.lookup}
            self._opted_out = others | {aggregate.lookup} if aggregate.active else others
        elif isinstance(aggregate, Erasure):
            for listener in self.erasure_listeners:
                listener(aggregate.subject)


def _select_with_retries(recorder: ApplicationRecorder, after: int) -> Sequence[Notification]:
    """The page of notifications after `after`, as many attempts as the recorder makes."""
    return recorder.select_notifications(start=after, limit=PAGE, inclusive_of_start=False)


def _select_once(recorder: ApplicationRecorder, after: int) -> Sequence[Notification]:
    """The page of notifications after `after`, one attempt: the recorder's method without
    the library's retry decorator (which keeps the undecorated function as `__wrapped__`)."""
    once = getattr(type(recorder).select_notifications, "__wrapped__", None)
    if once is None:
        return _select_with_retries(recorder, after)
    page: Sequence[Notification] = once(recorder, start=after, limit=PAGE, inclusive_of_start=False)
    return page


def _reindexed(
    index: dict[str, tuple[str, str]], owner: str, current: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """`index` with `owner`'s credentials replaced by `current` (digest -> credential id)."""
    kept = {digest: entry for digest, entry in index.items() if entry[0] != owner}
    return {**kept, **{digest: (owner, cid) for digest, cid in current.items()}}


class CatalogFollower:
    """Refreshes a cache whenever the catalog's log announces a change (LISTEN), in a thread."""

    def __init__(self, cache: CatalogCache, conninfo: str, channel: str) -> None:
        self._cache = cache
        self._conninfo = conninfo
        self._channel = channel
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="catalog-follower", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=FOLLOW_TIMEOUT + 1)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=2) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    while not self._stopping.is_set():
                        self._cache.refresh()
                        if not self._cache.reachable:
                            self._cache.reachable = True
                            log.warning("the catalog is read from the database again")
                        for _ in conn.notifies(timeout=FOLLOW_TIMEOUT, stop_after=1):
                            pass
            except DATABASE_AWAY as problem:
                if self._cache.reachable:
                    self._cache.reachable = False
                    log.warning("catalog follower lost the database (%s); retrying", problem)
                self._stopping.wait(1.0)
            except Exception:
                log.exception("catalog follower failed; retrying")
                self._stopping.wait(1.0)
