"""The read side's queries over the read models, shared by REST and GraphQL."""

from eventlens.views.catalog import adaptor_activity, replay_runs, schema_versions
from eventlens.views.clauses import decode_cursor, encode_cursor
from eventlens.views.events import EventFilter, events, rejected, rejected_to_retry
from eventlens.views.ranges import (
    EARLIEST,
    LATEST,
    StatsFilter,
    as_utc,
    ceil,
    check_moment,
    floor,
    split_range,
    stats_filter,
)
from eventlens.views.stats import MAX_POINTS, RESOLUTIONS, Stats, stats, time_series, top_values

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_POINTS",
    "RESOLUTIONS",
    "EventFilter",
    "Stats",
    "StatsFilter",
    "adaptor_activity",
    "as_utc",
    "ceil",
    "check_moment",
    "decode_cursor",
    "encode_cursor",
    "events",
    "floor",
    "rejected",
    "rejected_to_retry",
    "replay_runs",
    "schema_versions",
    "split_range",
    "stats",
    "stats_filter",
    "time_series",
    "top_values",
]
