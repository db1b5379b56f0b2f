"""Events seen by a baseline, counted per load-generator run (the first 8 hex digits of the
event id), so the harness can check that every event arrived exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

COUNTS_PATH = "/_bench/counts"
INGEST_PATH = "/api/events/ingest"
BATCH_PATH = "/api/events/batch"

seen: Counter[str] = Counter()


def count(event_id: Any) -> None:
    if isinstance(event_id, str):
        seen[event_id[:8]] += 1
    else:
        seen[str(event_id)[:8]] += 1


def counts_json() -> bytes:
    return orjson.dumps(dict(seen))
