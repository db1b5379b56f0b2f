"""In-memory stand-ins for the ingest path's ports: the catalog and the event store.

The catalog is the real one (the eventsourcing application with its in-memory recorder,
read through the real `CatalogCache`); the store keeps what it was given in lists. The
contract suite covers the real stores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.update_adaptor import UpdateAdaptor, update_adaptor
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.eventstore.catalog import Catalog
from eventlens.eventstore.port import StoreUnavailable
from eventlens.projections.catalog_cache import CatalogCache


@dataclass
class InMemoryStore:
    """Appends resolve at once, or fail with `StoreUnavailable` while `down` is set."""

    tracked: list[TrackedEvent] = field(default_factory=list)
    rejected: list[RejectedEvent] = field(default_factory=list)
    down: bool = False

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        return self._append(self.tracked, events)

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]:
        return self._append(self.rejected, events)

    def _append(self, into: list[object], events: Sequence[object]) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.down:
            done.set_exception(StoreUnavailable("the event store could not record events"))
        else:
            known = {getattr(e, "event_id", None) for e in into}
            into.extend(e for e in events if getattr(e, "event_id", None) not in known)
            done.set_result(None)
        return done


class Site:
    """A catalog with one schema and one adaptor, as a site owner sets it up."""

    def __init__(self, event_types: dict[str, object], origins: list[str]) -> None:
        self.catalog = Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.cache = CatalogCache(self.catalog)
        register_schema(RegisterSchema(SYSTEM, "site", None, event_types), self.catalog)
        self.adaptor: Adaptor = create_adaptor(
            CreateAdaptor(SYSTEM, "My site", "site", website_urls=origins), self.catalog
        )
        self.cache.refresh()

    @property
    def container_id(self) -> str:
        return self.adaptor.container_id

    def allow(self, origins: list[str]) -> None:
        update_adaptor(UpdateAdaptor(SYSTEM, self.container_id, website_urls=origins), self.catalog)
        self.cache.refresh()
