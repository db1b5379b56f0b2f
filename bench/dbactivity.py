"""What a PostgreSQL database is busy with: `pg_stat_activity` sampled in a thread.

A poor man's profiler for the database side: each sample records, for every active backend
of the database, the statement it runs and what it waits for (if anything).
"""

from __future__ import annotations

import re
import threading
from collections import Counter

import psycopg

SAMPLE = """
SELECT query, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS waiting
FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
"""


def _normalise(query: str, width: int = 90) -> str:
    return re.sub(r"\s+", " ", query).strip()[:width]


class ActivitySampler:
    def __init__(self, database_url: str, interval: float = 0.05) -> None:
        self.url = database_url
        self.interval = interval
        self.samples = 0
        self.statements: Counter[tuple[str, str]] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-activity", daemon=True)

    def start(self) -> ActivitySampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(self.interval):
                self.samples += 1
                for query, waiting in conn.execute(SAMPLE).fetchall():
                    self.statements[(_normalise(query), waiting)] += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self, top: int = 15) -> str:
        lines = [f"database: active backends over {self.samples} samples (1.00 = one busy)"]
        for (query, waiting), count in self.statements.most_common(top):
            lines.append(f"  {count / max(self.samples, 1):5.2f}  [{waiting}] {query}")
        return "\n".join(lines)
