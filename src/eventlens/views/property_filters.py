"""The index that serves property filters (`properties @> '{"key": "value"}'`) on event_logs.

Without it, a filter on properties reads every row of the range asked. `jsonb_path_ops` indexes
each path-and-value pair once, which is all containment needs, and is smaller than the default
operator class. The events projection creates it with its tables.
"""

from __future__ import annotations

PROPERTY_FILTER_INDEX = (
    "CREATE INDEX IF NOT EXISTS event_logs_properties "
    "ON event_logs USING gin (properties jsonb_path_ops)"
)
