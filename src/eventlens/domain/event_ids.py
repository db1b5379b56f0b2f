"""Event ids: UUID version 7 (RFC 9562), time-ordered.

An id starts with the millisecond it was made, so ids of events made close together are
close together: the read models' primary-key index takes them at its right edge instead of
at random pages (docs/BENCHMARKS.md, "Event ids are time-ordered (UUIDv7)").
Clients may send any UUID; the snippet sends version 7 too.
"""

from __future__ import annotations

import secrets
import time
from uuid import UUID


def new_event_id(unix_ms: int | None = None) -> UUID:
    """A version-7 UUID for the given Unix time in milliseconds (default: now)."""
    ms = time.time_ns() // 1_000_000 if unix_ms is None else unix_ms
    random_bits = secrets.randbits(74)
    value = (ms & (2**48 - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (random_bits >> 62) << 64  # 12 random bits
    value |= 0b10 << 62  # variant
    value |= random_bits & (2**62 - 1)
    return UUID(int=value)
