"""The index that serves property filters (`properties @> '{"key": "value"}'`) on event_logs.

Without it, a filter on properties reads every row of the range asked. `jsonb_path_ops` indexes
each path-and-value pair once, which is all containment needs, and is smaller than the default
operator class. The events projection creates it with its tables. New entries wait in the
index's pending list until it holds 32 MB (PostgreSQL's default is 4 MB), so they are merged
into the index in larger, cheaper steps: a filter reads the pending list besides the index.
"""

from __future__ import annotations

PROPERTY_FILTER_INDEX = (
    "CREATE INDEX IF NOT EXISTS event_logs_properties "
    "ON event_logs USING gin (properties jsonb_path_ops) WITH (gin_pending_list_limit = 32768)"
)
