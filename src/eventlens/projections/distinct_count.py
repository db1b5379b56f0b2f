"""Mergeable distinct counts for unique sessions and users (a HyperLogLog with a sparse start).

A sketch holds the exact set of 64-bit hashes until it has more than `SPARSE_LIMIT` of them, so
small counts (and unions of small sketches) are exact. Beyond that it is a HyperLogLog with
2^12 registers: standard error 1.04 / sqrt(4096) = 1.6 %. Sketches per day merge into counts
for any range without scanning events; the read side merges them with numpy.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import numpy as np

P = 12
M = 1 << P
SPARSE_LIMIT = 512
_SPARSE = 0
_DENSE = 1
_ALPHA = 0.7213 / (1 + 1.079 / M)
STANDARD_ERROR = 1.04 / math.sqrt(M)


def hash64(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


def _register(h: int) -> tuple[int, int]:
    index = h >> (64 - P)
    rest = (h << P) & ((1 << 64) - 1)
    rank = 64 - P + 1 if rest == 0 else 65 - rest.bit_length()
    return index, min(rank, 64 - P + 1)


class Sketch:
    __slots__ = ("hashes", "registers")

    def __init__(self) -> None:
        self.hashes: set[int] | None = set()
        self.registers: bytearray | None = None

    @classmethod
    def decode(cls, data: bytes | None) -> Sketch:
        sketch = cls()
        if not data:
            return sketch
        if data[0] == _SPARSE:
            sketch.hashes = {int.from_bytes(data[i : i + 8], "big") for i in range(1, len(data), 8)}
        else:
            sketch.hashes = None
            sketch.registers = bytearray(data[1:])
        return sketch

    def encode(self) -> bytes:
        if self.hashes is not None:
            return bytes([_SPARSE]) + b"".join(h.to_bytes(8, "big") for h in sorted(self.hashes))
        assert self.registers is not None
        return bytes([_DENSE]) + bytes(self.registers)

    def add_hash(self, h: int) -> None:
        if self.hashes is not None:
            self.hashes.add(h)
            if len(self.hashes) > SPARSE_LIMIT:
                self._densify()
            return
        assert self.registers is not None
        index, rank = _register(h)
        self.registers[index] = max(self.registers[index], rank)

    def add(self, value: str) -> None:
        self.add_hash(hash64(value))

    def add_all(self, values: Iterable[str]) -> None:
        """`add` for each value."""
        self.add_hashes([hash64(value) for value in values])

    def add_hashes(self, hashes: Collection[int]) -> None:
        """`add_hash` for each hash; a dense sketch's registers are updated with numpy at once
        (the projection adds a batch's sessions and users, thousands, to each day's)."""
        if self.hashes is not None:
            self.hashes.update(hashes)
            if len(self.hashes) > SPARSE_LIMIT:
                self._densify()
            return
        self._raise_registers(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))

    def merge(self, other: Sketch) -> None:
        if other.hashes is not None:
            for h in other.hashes:
                self.add_hash(h)
            return
        if self.hashes is not None:
            self._densify()
        assert self.registers is not None and other.registers is not None
        self.registers = bytearray(map(max, self.registers, other.registers))

    def _densify(self) -> None:
        hashes, self.hashes = self.hashes or set(), None
        self.registers = bytearray(M)
        self._raise_registers(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))

    def _raise_registers(self, hashes: np.ndarray[Any, np.dtype[np.uint64]]) -> None:
        """Each dense register to the highest rank among the hashes that fall in it."""
        assert self.registers is not None
        if len(hashes):
            index, rank = _registers(hashes)
            np.maximum.at(np.frombuffer(self.registers, dtype=np.uint8), index, rank)

    def count(self) -> int:
        if self.hashes is not None:
            return len(self.hashes)
        assert self.registers is not None
        return _estimate(np.frombuffer(bytes(self.registers), dtype=np.uint8))


class Mergeable:
    """A stored sketch made ready to merge: its registers, and its hashes while sparse (a
    union of sparse sketches small enough is counted exactly). The read side keeps these,
    so a query merges what it holds without decoding it again."""

    __slots__ = ("hashes", "registers")

    def __init__(self, data: bytes | None) -> None:
        self.hashes: np.ndarray[Any, np.dtype[np.uint64]] | None = None
        if data and data[0] != _SPARSE:
            self.registers = np.frombuffer(data, dtype=np.uint8, offset=1)
            return
        self.registers = np.zeros(M, dtype=np.uint8)
        self.hashes = (
            np.frombuffer(data, dtype=">u8", offset=1).astype(np.uint64)
            if data
            else np.empty(0, dtype=np.uint64)
        )
        if len(self.hashes):
            index, rank = _registers(self.hashes)
            np.maximum.at(self.registers, index, rank)

    def __len__(self) -> int:
        """Bytes held."""
        return self.registers.nbytes + (self.hashes.nbytes if self.hashes is not None else 0)


def merged_count(encoded: Iterable[bytes | None]) -> int:
    """The distinct count of the union of many stored sketches."""
    return union_count([Mergeable(data) for data in encoded if data])


def union_count(sketches: Sequence[Mergeable]) -> int:
    """The distinct count of the union of many sketches (the read side's hot path): the
    register-wise maximum, vectorised with numpy, not one Python loop per sketch or hash."""
    if not sketches:
        return 0
    registers = np.maximum.reduce([sketch.registers for sketch in sketches])
    estimate = _estimate(registers)
    if estimate <= 2 * SPARSE_LIMIT and all(sketch.hashes is not None for sketch in sketches):
        # Possibly small enough to be counted exactly, as a sparse sketch is: sorting the
        # hashes is worth it only here (at this size the estimate is within a few percent).
        exact = len(np.unique(np.concatenate([s.hashes for s in sketches if s.hashes is not None])))
        if exact <= SPARSE_LIMIT:
            return exact
    return estimate


def _registers(
    hashes: np.ndarray[Any, np.dtype[np.uint64]],
) -> tuple[np.ndarray[Any, np.dtype[np.intp]], np.ndarray[Any, np.dtype[np.uint8]]]:
    """`_register` for many hashes at once: each one's register and rank.

    The rank is one more than the leading zeros of the hash's low 64 - P bits. Those bits are
    below 2^53, so a float64 holds them exactly and `frexp`'s exponent is their bit length.
    """
    index = (hashes >> np.uint64(64 - P)).astype(np.intp)
    low = hashes & np.uint64((1 << (64 - P)) - 1)
    _, bit_length = np.frexp(low.astype(np.float64))
    return index, (64 - P + 1 - bit_length).astype(np.uint8)


def _estimate(registers: np.ndarray[Any, np.dtype[np.uint8]]) -> int:
    inverse_sum = float(np.ldexp(1.0, -registers.astype(np.int32)).sum())
    estimate = _ALPHA * M * M / inverse_sum
    zeros = int(np.count_nonzero(registers == 0))
    if estimate <= 2.5 * M and zeros:
        estimate = M * math.log(M / zeros)
    return round(estimate)
