"""How many values each per-value cache keeps: memory stays flat however long the input.

Trade files repeat their parties, goods, wording and countries, so the engine remembers what it
worked out for each value it has seen.  Every such cache is bounded (least recently used values
go first), at sizes a few hundred thousand rows fill, so a file of a million rows or a billion
takes the same memory.  A name or word the cache has forgotten is worked out again (the word
filter in engine.reading.matching makes that cheap for the names no list resembles).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sys
from array import array

#: Party names that resemble a list entry (or were seen lately); the many that resemble none are
#: kept apart, as fingerprints (NAMES_CLEAR_LOG2: 2**20 slots, 8 MB, shared by worker processes).
NAMES = 4096
NAMES_CLEAR_LOG2 = 20
#: Words of party names (skeletons, tokens, vocabulary look-ups), for the names the word filter
#: lets through.  A name holding a common list word ("Trading", "LLC") passes it, so these are
#: most of a file's words; a cache smaller than that vocabulary (some tens of thousands of
#: words) is emptied by every pass over the file, as a benchmark of 10,000 names showed.
WORDS = 32768
#: Words of party names, as the word filter reads them (a word and a small value each).  A trade
#: file's names are made of some tens of thousands of words, the common ones most of the time.
FILTER_WORDS = 16384
#: Free text: goods descriptions, declared end uses.
TEXTS = 4096
#: Short coded values: countries as written, HS code cells.
VALUES = 16384


class Fingerprints:
    """A fixed-size set of strings, kept as 64-bit fingerprints in a table of two-slot buckets.

    ``text in fingerprints`` is True if ``text`` was added and not pushed out since by two other
    strings of its bucket (a string added goes first in its bucket, the one there moves to second
    place); a string never added is mistaken for one that was only if its 64-bit keyed hash equals
    one in its bucket, a chance of 1 in 2**63 a look-up.  Memory is 8 bytes a slot, taken on the
    first use, whatever is added later.
    """

    def __init__(self, slots_log2: int) -> None:
        self._mask = (1 << slots_log2) - 1
        self._slots: array[int] | memoryview = array("Q")
        self._shared: mmap.mmap | None = None

    def share(self) -> None:
        """Keep the table in memory shared with the processes forked from now on, so that what
        one of them adds the others see.  Slots are written whole (8 aligned bytes), and a slot
        read while another process writes it can only fail to match."""
        if self._shared is None:
            self._shared = mmap.mmap(-1, 8 * (self._mask + 1))
            table = memoryview(self._shared).cast("Q")
            if self._slots:
                table[:] = self._slots
            self._slots = table

    def __contains__(self, text: str) -> bool:
        key = (hash(text) & _MASK64 | 1) if SALTED_HASH64 else fingerprint(text)
        slots = self._slots
        if not slots:
            return False
        bucket = key & self._mask & ~1
        return slots[bucket] == key or slots[bucket + 1] == key

    def add(self, text: str) -> None:
        """Remember ``text`` (forgetting the older string of its bucket if both slots are taken)."""
        if not self._slots:
            self._slots = array("Q", bytes(8 * (self._mask + 1)))
        key = fingerprint(text)
        slots = self._slots
        bucket = key & self._mask & ~1
        first = slots[bucket]
        if first != key:
            slots[bucket + 1] = first
            slots[bucket] = key


_KEY = os.urandom(16)
_MASK64 = 0xFFFF_FFFF_FFFF_FFFF
#: Whether the string hash is a salted 64-bit hash, fit to be a fingerprint (see fingerprint()).
SALTED_HASH64 = bool(sys.flags.hash_randomization) and sys.hash_info.width >= 64


def fingerprint(text: str) -> int:
    """A 64-bit fingerprint of a string, never 0, that differs between strings as a random one
    would: the string hash, salted per process, or a keyed BLAKE2b digest where that hash is
    shorter or its salting switched off (PYTHONHASHSEED=0)."""
    if SALTED_HASH64:
        return (hash(text) & 0xFFFF_FFFF_FFFF_FFFF) | 1
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, key=_KEY)
    return int.from_bytes(digest.digest(), "little") | 1
