"""EventLens: self-hosted, privacy-first, real-time event analytics on an event-sourced core."""

__version__ = "0.1.0"
