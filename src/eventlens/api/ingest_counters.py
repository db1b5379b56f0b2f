"""Ingest outcome counters shared by the API processes of one `eventlens up`.

Each process counts into its own slot of a small shared memory block, so counting costs no
lock; `/metrics`, whichever process answers it, sums every slot. The block is an anonymous
memory file that the first process creates and hands to the others as a file descriptor.
"""

from __future__ import annotations

import mmap
import os

OUTCOMES = ("accepted", "rejected", "refused")
_WIDTH = 8  # bytes per counter: a signed 64-bit integer


class IngestCounters:
    def __init__(self, fd: int | None, slots: int, slot: int) -> None:
        if not 0 <= slot < slots:
            raise ValueError(f"slot {slot} is outside 0..{slots - 1}")
        size = slots * len(OUTCOMES) * _WIDTH
        self.fd = fd
        self.slots = slots
        if fd is None:
            self._memory = mmap.mmap(-1, size)  # this process only
        else:
            self._memory = mmap.mmap(fd, size)
        self._values = memoryview(self._memory).cast("q")
        self._base = slot * len(OUTCOMES)
        self._index = {outcome: i for i, outcome in enumerate(OUTCOMES)}

    @classmethod
    def create(cls, slots: int) -> IngestCounters:
        """A new block for `slots` processes; this process counts in slot 0. Its descriptor
        is inheritable, for the processes this one starts."""
        fd = os.memfd_create("eventlens-ingest-counters", 0)
        os.ftruncate(fd, slots * len(OUTCOMES) * _WIDTH)
        os.set_inheritable(fd, True)
        return cls(fd, slots, 0)

    @classmethod
    def local(cls) -> IngestCounters:
        return cls(None, 1, 0)

    def add(self, outcome: str, count: int = 1) -> None:
        self._values[self._base + self._index[outcome]] += count

    def totals(self) -> dict[str, int]:
        width = len(OUTCOMES)
        return {
            outcome: sum(self._values[s * width + i] for s in range(self.slots))
            for i, outcome in enumerate(OUTCOMES)
        }
