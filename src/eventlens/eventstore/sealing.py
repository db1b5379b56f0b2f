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
from typing import Protocol

from eventlens.domain.personal import SubjectKey, seal, split_personal
from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.eventstore.port import EventStore, StoreUnavailable
from eventlens.eventstore.subject_keys import SubjectKeys


class PersonalFields(Protocol):
    """Which properties of a schema's event types are personal, as the catalog says."""

    @property
    def schemas(self) -> frozenset[str]:
        """The schemas with any personal property."""

    def personal(self, schema_id: str, event_type: str) -> frozenset[str]: ...


class SealingStore:
    def __init__(
        self,
        inner: EventStore,
        keys: SubjectKeys,
        fields: PersonalFields,
    ) -> None:
        self.inner = inner
        self.keys = keys
        self._fields = fields

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()
        await self.keys.close()

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        missing = self._unsealed(events)
        if missing is None:
            return self.inner.append_tracked(events)
        return self._when_keyed(
            missing, lambda keys: self.inner.append_tracked([self._seal(e, keys) for e in events])
        )

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]:
        missing = self._unsealed([r.event for r in events])
        if missing is None:
            return self.inner.append_rejected(events)

        def sealed(keys: dict[str, SubjectKey]) -> list[RejectedEvent]:
            return [RejectedEvent(self._seal(r.event, keys), r.reasons, r.origin) for r in events]

        return self._when_keyed(missing, lambda keys: self.inner.append_rejected(sealed(keys)))

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
                append(loaded.result()).add_done_callback(recorded)
            except Exception as failure:
                appended.set_exception(failure)

        def recorded(inner: asyncio.Future[None]) -> None:
            error = None if inner.cancelled() else inner.exception()
            if appended.done():
                return
            if inner.cancelled():
                appended.cancel()
            elif error is not None:
                appended.set_exception(error)
            else:
                appended.set_result(None)

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
