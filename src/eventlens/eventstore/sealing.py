"""An event store that seals personal fields before the store it wraps sees them.

Every writer (ingest, the Plausible Events API, imports, re-processing) appends through it,
so no backend ever holds a user id or a property marked personal in plaintext: not in a
PostgreSQL row, not in a Kafka message (whose key is the session or visitor, never the user
id). Events without a user id and of schemas without personal properties pass through
untouched, at the cost of one check each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from eventlens.domain.personal import SubjectKey, seal, split_personal
from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.eventstore.port import EventStore, StoreUnavailable
from eventlens.eventstore.subject_keys import KeyRow, KeyTaken, SubjectKeys


class PersonalFields(Protocol):
    """Which properties of a schema's event types are personal, as the catalog says."""

    @property
    def schemas(self) -> frozenset[str]:
        """The schemas with any personal property."""

    def personal(self, schema_id: str, event_type: str) -> frozenset[str]: ...


class KeyedStore(Protocol):
    """A store in the keys' database, which makes new subjects' keys with the events sealed
    under them (the PostgreSQL event store)."""

    def use_keys(self) -> None: ...

    def append_keyed(
        self,
        tracked: Sequence[TrackedEvent],
        rejected: Sequence[RejectedEvent],
        keys: Sequence[KeyRow],
    ) -> asyncio.Future[None]: ...


Sealed = tuple[list[TrackedEvent], list[RejectedEvent]]


class SealingStore:
    """`keys_with_events`: `inner` is a `KeyedStore`. A new subject's key is then made in the
    statement that appends its events, instead of a round trip first (docs/BENCHMARKS.md,
    "Sealing cost"). Otherwise (Kafka) keys are made before the events are handed over."""

    def __init__(
        self,
        inner: EventStore,
        keys: SubjectKeys,
        fields: PersonalFields,
        *,
        keys_with_events: bool = False,
    ) -> None:
        self.inner = inner
        self.keys = keys
        self._fields = fields
        self._keyed = cast(KeyedStore, inner) if keys_with_events else None

    async def start(self) -> None:
        if self._keyed is not None:
            self._keyed.use_keys()
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()
        await self.keys.close()

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        missing = self._unsealed(events)
        if missing is None:
            return self.inner.append_tracked(events)

        def sealed(keys: dict[str, SubjectKey]) -> Sealed:
            return [self._seal(e, keys) for e in events], []

        return self._keyed_append(missing, sealed, lambda s: self.inner.append_tracked(s[0]))

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]:
        missing = self._unsealed([r.event for r in events])
        if missing is None:
            return self.inner.append_rejected(events)

        def sealed(keys: dict[str, SubjectKey]) -> Sealed:
            return [], [
                RejectedEvent(self._seal(r.event, keys), r.reasons, r.origin) for r in events
            ]

        return self._keyed_append(missing, sealed, lambda s: self.inner.append_rejected(s[1]))

    def _keyed_append(
        self,
        missing: list[str],
        sealed: Callable[[dict[str, SubjectKey]], Sealed],
        append: Callable[[Sealed], asyncio.Future[None]],
    ) -> asyncio.Future[None]:
        if not missing or self._keyed is None:
            return self._when_keyed(missing, lambda keys: append(sealed(keys)))
        proposals = [self.keys.propose(user_id) for user_id in missing]
        rows = [row for _, row in proposals]
        tracked, rejected = sealed({row.user_id: key for key, row in proposals})
        appended = self._keyed.append_keyed(tracked, rejected, rows)
        outcome: asyncio.Future[None] = appended.get_loop().create_future()

        def recorded(inner: asyncio.Future[None]) -> None:
            error = None if inner.cancelled() else inner.exception()
            if isinstance(error, KeyTaken):  # seal again with the keys that were made first
                self.keys.withdraw(rows)
                if not outcome.done():
                    _chain(self._when_keyed(missing, lambda keys: append(sealed(keys))), outcome)
                return
            if error is None and not inner.cancelled():
                self.keys.confirm(proposals)
            _chain(inner, outcome)

        appended.add_done_callback(recorded)
        return outcome

    def _unsealed(self, events: Sequence[TrackedEvent]) -> list[str] | None:
        """None when no event has anything to seal; else the user ids whose keys are not
        in memory yet (often none)."""
        schemas = self._fields.schemas
        for event in events:
            if event.user_id is not None or event.schema_id in schemas:
                break
        else:
            return None
        cached = self.keys.cached
        return list({e.user_id for e in events if e.user_id is not None and not cached(e.user_id)})

    def _when_keyed(
        self,
        missing: list[str],
        append: Callable[[dict[str, SubjectKey]], asyncio.Future[None]],
    ) -> asyncio.Future[None]:
        if not missing:
            return append({})
        # Chained by callbacks, not awaited in a task of the request's own: most requests
        # of a site's new visitors come this way (docs/BENCHMARKS.md, "Sealing cost").
        loading = self.keys.loading(missing)
        appended: asyncio.Future[None] = loading.get_loop().create_future()

        def keyed(loaded: asyncio.Future[dict[str, SubjectKey]]) -> None:
            if appended.done():  # the request gave up waiting
                return
            error = None if loaded.cancelled() else loaded.exception()
            if loaded.cancelled() or error is not None:
                appended.set_exception(error or StoreUnavailable("the subjects' keys closed"))
                return
            try:
                _chain(append(loaded.result()), appended)
            except Exception as failure:
                appended.set_exception(failure)

        loading.add_done_callback(keyed)
        return appended

    def _seal(self, event: TrackedEvent, loaded: dict[str, SubjectKey]) -> TrackedEvent:
        personal = (
            self._fields.personal(event.schema_id, event.event_type)
            if event.schema_id in self._fields.schemas
            else frozenset()
        )
        properties, private = split_personal(event.properties, personal)
        user_id = event.user_id
        if user_id is None:
            # Judged already: an event with personal properties and no user id is rejected,
            # and kept without them (there is no key to encrypt them under).
            return event.revised(properties=properties) if private else event
        key = loaded.get(user_id) or self.keys.cached(user_id)
        assert key is not None, "loaded with the batch or in memory"
        fields = {"user_id": user_id, "properties": private} if private else {"user_id": user_id}
        return event.revised(
            user_id=None, properties=properties, sealed=seal(key, event.event_id, fields)
        )


def _chain(source: asyncio.Future[None], target: asyncio.Future[None]) -> None:
    """`target` gets `source`'s outcome when it has one (unless it was given up on)."""

    def copy(done: asyncio.Future[None]) -> None:
        error = None if done.cancelled() else done.exception()
        if target.done():
            return
        if done.cancelled():
            target.cancel()
        elif error is not None:
            target.set_exception(error)
        else:
            target.set_result(None)

    source.add_done_callback(copy)
