"""HS codes in any common notation: "8542.31", "854231", "8542 31 90", "HS 8482.10"..."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.reading import caches

_PREFIX = re.compile(
    r"^\s*(?:hs|hts|htsus|cn|taric|tn\s*ved|тн\s*вэд|code)\b[\s:.#-]*", re.IGNORECASE
)
_ALLOWED = re.compile(r"^[\d\s.\-/]+$")
_SPLIT = re.compile(r"[;,|]+")


@dataclass(frozen=True, slots=True)
class HsCode:
    """One HS code read from a shipment: its digits, and how it was written."""

    written: str
    digits: str
    note: str | None = None  # e.g. a leading zero restored

    def __str__(self) -> str:
        d = self.digits
        return d if len(d) <= 4 else f"{d[:4]}.{d[4:6]}" + (f".{d[6:]}" if len(d) > 6 else "")


@dataclass(frozen=True, slots=True)
class HsProblem:
    """A value in the HS code field that is not a readable HS code."""

    written: str
    reason: str


@lru_cache(maxsize=caches.VALUES)
def parse_hs(value: str) -> tuple[tuple[HsCode, ...], tuple[HsProblem, ...]]:
    """Read one or more HS codes (separated by ';', ',' or '|') from a cell (cached: trade files
    repeat their codes)."""
    codes: list[HsCode] = []
    problems: list[HsProblem] = []
    for part in _SPLIT.split(value):
        written = part.strip()
        if not written:
            continue
        body = _PREFIX.sub("", written)
        if not body or not _ALLOWED.match(body):
            problems.append(
                HsProblem(written, "not an HS code (only digits, spaces, dots and dashes)")
            )
            continue
        digits = re.sub(r"\D", "", body)
        note = None
        if len(digits) in {5, 7, 9}:
            # Spreadsheets drop the leading zero of chapters 01-09 ("10121" for 0101.21).
            digits = "0" + digits
            note = f"read '{written}' as {digits}: a leading zero was restored"
        if len(digits) not in {2, 4, 6, 8, 10}:
            problems.append(HsProblem(written, f"{len(digits)} digits; HS codes have 2 to 10"))
            continue
        if not 1 <= int(digits[:2]) <= 97:
            problems.append(HsProblem(written, f"chapter {digits[:2]} does not exist"))
            continue
        codes.append(HsCode(written, digits, note))
    return tuple(codes), tuple(problems)
