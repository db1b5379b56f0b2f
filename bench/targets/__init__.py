"""Systems under test: each a context manager that starts a system, sets it up and yields a
`Target` (where to send events, how to check they arrived, which processes to measure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.procstats import PidSource
from bench.verify import EventCounter


@dataclass
class Target:
    name: str
    description: str
    base_url: str
    container_id: str
    counter: EventCounter
    batch: bool  # serves POST /api/events/batch
    cpu_groups: dict[str, PidSource] = field(default_factory=dict)
    memory_groups: dict[str, PidSource] = field(default_factory=dict)
    database_url: str | None = None  # the PostgreSQL database it writes, if any

    @property
    def ingest_url(self) -> str:
        return self.base_url + "/api/events/ingest"

    @property
    def batch_url(self) -> str:
        return self.base_url + "/api/events/batch"
