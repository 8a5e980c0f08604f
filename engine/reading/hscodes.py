"""HS codes found in a cell, in any common notation and through spreadsheet damage.

A code is a run of digits, whole ("854231") or in groups joined by dots, dashes or spaces
("8542.31", "8542-31", "8542 31 90"), wherever it stands in the cell: after a prefix written
apart or glued ("HS code: 8542.31", "HS8542.31"), before words ("8542.31 (ICs)"), several in one
cell (separated by ";", ",", "|", "/", newlines or words).  What spreadsheets do to codes is undone
and said in a note: the apostrophe that keeps a code as text ("'854231"), a number written as a
decimal ("85423100.0": never chapter 08) or in scientific notation ("8.54231E+5"), a leading zero
dropped ("10121" for 0101.21), a decimal comma ("8542,31").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from engine.reading import caches
from engine.reading.text import normalise

# The names of code systems, and a code's digits: a digit run, or digit groups joined by one dot
# or dash, or by a space before a group of three digits at most ("8542 31 900 0"; "8542.31 8541.29"
# is two codes), taken whole (no letter or digit may touch it: "8542.31a" is no code).
# Turkey's GTİP, its İ also lower-cased to i with a combining dot (U+0307).
_NAMED = r"hs|hts|htsus|taric|tn\s*ved|тн\s*вэд|tnved|тнвэд|gt[iİı]\u0307?p"
_SYSTEMS = rf"{_NAMED}|cn"  # in free text, "CN" is more often China
_DIGITS = r"(?>\d+(?:[.\-]\d+| \d{1,3}(?!\d))*)(?![\w])"
# A system's name glued to the digits ("HS8542.31").
_PREFIX = re.compile(rf"(?<![^\W\d_])({_SYSTEMS})(?=\d)", re.IGNORECASE)
# A number in scientific notation, as a spreadsheet writes a long one ("8.54231E+5").
_SCIENTIFIC = re.compile(r"(?<![\w.])(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})(?![\w.])")
# A number written as a decimal, one zero after the point ("85423100.0"; "0409.00" is a code).
_FLOAT = re.compile(r"(?<![\w.,])(\d{3,10})[.,]0(?![\w.,])")
# A decimal comma between a heading and its subheading ("8542,31").
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d{4}),(\d{2}(?:\.\d{2,4})?)(?![\w,])")
_CODE = re.compile(rf"(?<![\w.]){_DIGITS}")
# Words that introduce an HS code in free text ("HS code: 8542.31", "код ТН ВЭД 8542310000").
_INTRODUCED = re.compile(
    rf"(?<![^\W\d_])(?:{_NAMED}|(?:tariff|commodity|customs)\s+code)"
    r"(?:\s*(?:code|no\.?|number|№|#|еаэс))*\s*[:.#№=-]?\s*"
    rf"({_DIGITS})",
    re.IGNORECASE,
)
# A code written plainly: digits alone, or a heading with its groups after dots.
_TIDY = re.compile(r"\d{2,10}|\d{4}(?:\.\d{2}){1,2}|\d{4}\.\d{2}\.\d{4}")
_DIGIT = re.compile(r"\d")
# A subheading written after a slash, for the code before it ("8542.31/39").
_CONTINUED = re.compile(r"\s*/\s*(\d{2})(?![\w.])")


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


def _ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in text
    )


def _clean(value: str) -> str:
    text = value.replace("\r", ";").replace("\n", ";")  # a line of its own is a code of its own
    return normalise(text).strip().lstrip("'’`").strip()


def _scientific(match: re.Match[str], damage: dict[str, str]) -> str:
    """The digits a number in scientific notation certainly begins with, as a code."""
    written = match.group(0)
    mantissa = match.group(1) + (match.group(2) or "")
    length = int(match.group(3)) + 1  # the number's digits
    if len(mantissa) > length:  # not a whole number: no code
        return written
    digits, certain = mantissa.ljust(length, "0"), len(mantissa)
    if length % 2:  # a leading zero dropped as well
        digits, certain = "0" + digits, certain + 1
    if certain < len(digits):  # only the digits written are certain: read to the last whole group
        digits = digits[: max(2, certain - certain % 2)]
        damage[digits] = (
            f"read '{written}' (scientific notation) as {digits}: the spreadsheet kept only "
            f"{len(mantissa)} digits of the code"
        )
    else:
        damage[digits] = f"read '{written}' (scientific notation) as {digits}"
    return digits


def _number(match: re.Match[str], damage: dict[str, str]) -> str:
    damage[match.group(1)] = f"read '{match.group(0)}' (a number) as {match.group(1)}"
    return match.group(1)


@lru_cache(maxsize=caches.VALUES)
def parse_hs(value: str) -> tuple[tuple[HsCode, ...], tuple[HsProblem, ...]]:
    """Find the HS codes of a cell (cached: trade files repeat their codes), with the parts of
    it that look like codes but cannot be read as one."""
    if not value.isascii():  # digits of other scripts ("٨٥٤٢٣٩", full-width "８５４２") as ASCII
        value = _ascii_digits(value)
    if _TIDY.fullmatch(value):  # most cells: one code, written plainly
        return _tidy(value)
    text = _clean(value)
    damage: dict[str, str] = {}  # digits a spreadsheet's damage was undone to, and how
    if "e" in text or "E" in text:
        text = _SCIENTIFIC.sub(lambda m: _scientific(m, damage), text)
    text = _FLOAT.sub(lambda m: _number(m, damage), text)
    text = _DECIMAL_COMMA.sub(r"\1.\2", text)
    text = _PREFIX.sub(r"\1 ", text)
    codes: list[HsCode] = []
    problems: list[HsProblem] = []
    taken = 0  # the end of the text read so far (a subheading after a slash is read with its code)
    for match in _CODE.finditer(text):
        if match.start() < taken:
            continue
        code = _code(match.group(0), damage, problems)
        if code is None:
            continue
        codes.append(code)
        after = _CONTINUED.match(text, match.end())
        if after and len(code.digits) >= 4:  # "8542.31/39": 8542.31 and 8542.39
            taken = after.end()
            base = code.digits[:4] if len(code.digits) == 4 else code.digits[:-2]
            more = _code(base + after.group(1), {}, problems, f"{code.written}/{after.group(1)}")
            if more is not None and len(code.digits) == 4:
                codes[-1] = more  # "8542/31" is 8542.31
            elif more is not None:
                codes.append(more)
    if not codes and not problems:
        problems.append(HsProblem(value.strip(), "no HS code in it (a code is 2 to 10 digits)"))
    return _unique(codes), tuple(problems)


def _tidy(value: str) -> tuple[tuple[HsCode, ...], tuple[HsProblem, ...]]:
    problems: list[HsProblem] = []
    code = _code(value, {}, problems)
    return ((code,) if code else ()), tuple(problems)


def _code(
    written: str, damage: dict[str, str], problems: list[HsProblem], shown: str = ""
) -> HsCode | None:
    """The code a match spells, or None with the problem recorded.  A code of digit groups with
    a stray number after it ("8542.31 2 pcs") is read without it."""
    continued = bool(shown)
    shown = shown or written
    while True:
        digits = re.sub(r"\D", "", written)
        if len(digits) in {2, 4, 6, 8, 10, 12} or " " not in written:
            break
        written = written.rsplit(" ", 1)[0]
    note = damage.get(digits)
    if len(digits) in {5, 7, 9} and digits.isdecimal() and written.isdecimal():
        # Spreadsheets drop the leading zero of chapters 01-09 ("10121" for 0101.21).
        digits = "0" + digits
        note = f"read '{shown}' as {digits}: a leading zero was restored"
    if len(digits) == 12:
        # A national tariff line of twelve digits (Turkey's GTİP): its first ten hold the HS code.
        digits = digits[:10]
        note = f"read '{shown}' as {digits}: a 12-digit national tariff line, its first 10 digits"
    if len(digits) not in {2, 4, 6, 8, 10}:
        problems.append(HsProblem(shown, f"{len(digits)} digits; HS codes have 2 to 10"))
        return None
    if not 1 <= int(digits[:2]) <= 97:
        problems.append(HsProblem(shown, f"chapter {digits[:2]} does not exist"))
        return None
    return HsCode(shown if continued else written, digits, note)


def hs_in_text(text: str) -> tuple[HsCode, ...]:
    """The HS codes a free text names as such ("HS code 8542.31", "ТН ВЭД 8542310000"): a
    description's other numbers (quantities, models) are no codes.  (Not cached: descriptions
    are long and seldom repeat.)"""
    if _DIGIT.search(text) is None:
        return ()
    return _unique([c for m in _INTRODUCED.finditer(_clean(text)) for c in parse_hs(m.group(1))[0]])


def _unique(codes: list[HsCode]) -> tuple[HsCode, ...]:
    """The codes, each once (as first written), in order."""
    first: dict[str, HsCode] = {}
    for code in codes:
        first.setdefault(code.digits, code)
    return tuple(first.values())
