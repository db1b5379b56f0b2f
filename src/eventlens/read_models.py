"""The documented columns the read side and the projections share (names only)."""

from __future__ import annotations

# `event_logs`' web-analytics columns, derived from what an event was recorded with.
WEB_COLUMNS = (
    "visitor_id",
    "url",
    "hostname",
    "path",
    "referrer",
    "source",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "browser",
    "browser_version",
    "os",
    "os_version",
    "device",
    "screen_width",
    "country",
    "region",
    "city",
)
