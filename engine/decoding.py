"""Bytes to lines: detect an input's encoding and delimiter, and decode it line by line.

Shipment files come from many hands: UTF-8 with or without a byte-order mark, UTF-16 from
spreadsheets, Windows-1251 from Russian systems, Latin-1 from older European ones.  The encoding is
taken from a byte-order mark, else the file is read as UTF-8 if its start is valid UTF-8, else as
Windows-1251 or Latin-1, whichever reads the high-byte letters as whole words (Cyrillic words in
Windows-1251; accented letters inside Latin words in Latin-1).  ``--encoding`` overrides it.

Lines are decoded one at a time and strictly: a line that is not valid in the encoding, or that
holds NUL bytes, is marked, so the row it belongs to is reported as an error rather than screened
with mangled text.  A file is judged by its start, and files are sometimes pasted together: in a
file read in a single-byte encoding (Windows-1251, Latin-1...), a later line whose bytes are valid
UTF-8 (with letters beyond ASCII, which text in those encodings almost never is) can be read as
UTF-8, with a note saying so, rather than as mojibake.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

SAMPLE_BYTES = 1 << 16
#: A physical line longer than this is not read (it is reported on its row): no shipment row is
#: anywhere near it (the reader does not screen a field over 100,000 characters), and a file of
#: junk without line ends (2 GB of NUL bytes) must not be read into memory as one line.
MAX_LINE_BYTES = 1 << 24
# A character no decoder produces from valid input: marks the bytes a UTF-16 stream could not
# decode (a plane-15 private-use character, which shipment files do not hold).
_BAD = "\U000fffbd"
_DELIMITERS = (",", ";", "\t", "|")
_WORD = re.compile(r"[^\W\d_]+")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line of the input: its number, its text, and what is wrong with it, if any."""

    number: int
    text: str
    problem: str | None = None
    note: str | None = None  # how the line was read, where that is not the file's way


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file, judged from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16's: FF FE
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4:
        # ASCII text in UTF-16 without a mark: every other byte is zero, and the others are not
        # (a run of NUL bytes, zero at every position, is not text of any kind).
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Valid multi-byte UTF-8 sequences outnumbering the invalid bytes: UTF-8 with a few bad lines
    # (reported line by line), not a single-byte encoding that would mangle every other line.
    valid = len(_UTF8_SEQUENCE.findall(sample))
    text = sample.decode("utf-8", errors="replace")
    if valid and valid >= text.count("\ufffd"):
        return "utf-8"
    words = _WORD.findall(sample.decode("cp1251", errors="replace"))
    high = [w for w in words if not w.isascii()]
    if not high:
        return "latin-1"
    cyrillic = sum(1 for w in high if all("\u0400" <= ch <= "\u04ff" for ch in w))
    return "cp1251" if cyrillic / len(high) > 0.5 else "latin-1"


def detect_delimiter(header: str) -> str:
    """The field delimiter of a header line: the most frequent of , ; tab | outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@lru_cache(maxsize=64)
def single_byte(encoding: str) -> bool:
    """Whether ``encoding`` reads every byte as one character (Windows-125x, ISO 8859...), so that
    UTF-8 text read in it comes out as mojibake instead of failing."""
    try:
        text = bytes(range(256)).decode(encoding, "replace")
    except (LookupError, TypeError, ValueError):
        return False
    # One character a byte, and nearly every byte a character of its own (Windows-1252 leaves
    # five undefined; UTF-8 and the ISO 2022 encodings leave the 128 high bytes undefined).
    return len(text) == 256 and text.count("\ufffd") <= 16


def iter_lines(
    raw: BinaryIO, encoding: str, *, start: int = 1, utf8_lines: bool = False
) -> Iterator[Line]:
    """Decoded physical lines, each checked; line endings are kept for the CSV parser.

    ``start`` is the number of the first line (when reading resumes inside a file).  With
    ``utf8_lines`` (for a file read in a single-byte encoding), a line beyond ASCII that is valid
    UTF-8 is read as UTF-8, with a note.
    """
    if encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32")):
        yield from _wide_lines(raw, encoding, start)
        return
    sig = codecs.lookup(encoding).name == "utf-8-sig"
    # The byte-order mark opens the file only; after it the text is plain UTF-8.
    decode = codecs.getdecoder("utf-8" if sig else encoding)
    for number, (data, overlong) in enumerate(_physical_lines(raw), start=start):
        if overlong:
            yield _overlong(number, overlong, "bytes")
            continue
        if number == 1 and sig and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        if utf8_lines and not data.isascii() and _UTF8_SEQUENCE.search(data):
            try:
                line = data.decode("utf-8", "strict")
            except UnicodeDecodeError:
                pass
            else:
                if "\x00" not in line:
                    note = f"line {number} is UTF-8 in a file read as {encoding}: read as UTF-8"
                    yield Line(number, line, note=note)
                    continue
        try:
            line = decode(data, "strict")[0]
        except UnicodeDecodeError as exc:
            bad = data[exc.start : exc.end].hex(" ")
            yield Line(
                number,
                decode(data, "replace")[0],
                f"bytes {bad} at position {exc.start} are not valid {encoding}",
            )
            continue
        if "\x00" in line:
            yield Line(number, line.replace("\x00", "\ufffd"), "holds NUL bytes")
            continue
        yield Line(number, line)


def _physical_lines(raw: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """Each line's bytes, and 0; for a line over MAX_LINE_BYTES, no bytes and its length (the
    line is read through, in pieces, and dropped)."""
    while data := raw.readline(MAX_LINE_BYTES):
        if len(data) < MAX_LINE_BYTES or data.endswith(b"\n"):
            yield data, 0
            continue
        size = len(data)
        while (more := raw.readline(MAX_LINE_BYTES)) and not more.endswith(b"\n"):
            size += len(more)
        yield b"", size + len(more)


def _overlong(number: int, size: int, unit: str) -> Line:
    # Read as a row of one empty cell ('""'), so that the row reports it (an empty line would be
    # skipped as blank).
    return Line(
        number,
        '""\n',
        f"is {size:,} {unit} long, over the {MAX_LINE_BYTES:,} a line may hold; it is not read",
    )


def _wide_lines(raw: BinaryIO, encoding: str, start: int) -> Iterator[Line]:
    """The lines of a UTF-16 or UTF-32 stream (not ASCII-compatible: decoded as a whole), with
    what cannot be decoded (an odd byte at the end, a lone surrogate) marked on its line."""
    text = io.TextIOWrapper(raw, encoding=encoding, errors=_MARK, newline="")
    number = start
    while line := text.readline(MAX_LINE_BYTES):
        if len(line) == MAX_LINE_BYTES and not line.endswith("\n"):
            size = len(line)
            while (more := text.readline(MAX_LINE_BYTES)) and not more.endswith("\n"):
                size += len(more)
            yield _overlong(number, size + len(more), "characters")
        elif _BAD in line:
            yield Line(
                number, line.replace(_BAD, "\ufffd"), f"holds bytes that are not valid {encoding}"
            )
        elif "\x00" in line:
            yield Line(number, line, "holds NUL characters")
        else:
            yield Line(number, line)
        number += 1


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return _BAD, error.end


_MARK = "shipscreen-mark-undecodable"
codecs.register_error(_MARK, _mark_undecodable)


def splits_on_newline_bytes(encoding: str) -> bool:
    """Whether text in ``encoding`` can be cut into lines at its b"\\n" bytes and decoded a block
    at a time: an ASCII-compatible, stateless encoding (UTF-8, Windows-125x, ISO 8859...)."""
    name = codecs.lookup(encoding).name
    if name.startswith(("utf-16", "utf-32", "utf-7", "iso2022", "hz")):
        return False
    return '\n,"'.encode(name) == b'\n,"'
