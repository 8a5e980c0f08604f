"""Bytes to lines: detect an input's encoding and delimiter, and decode it line by line.

Shipment files come from many hands: UTF-8 with or without a byte-order mark, UTF-16 from
spreadsheets, Windows-1251 from Russian systems, Latin-1 from older European ones.  The encoding is
taken from a byte-order mark, else the file is read as UTF-8 if its start is valid UTF-8, else in
the encoding charset-normalizer finds most plausible (GB18030, Shift-JIS, Windows-1251, KOI8-R,
Windows-1252 rather than Latin-1...); :func:`detect` says how sure it is, and the run's manifest
and a warning say so when it is unsure.  ``--encoding`` overrides it.

Lines are decoded one at a time and strictly: a line that is not valid in the encoding, or that
holds NUL bytes, is marked, so the row it belongs to is reported as an error rather than screened
with mangled text.  A file is judged by its start, and files are sometimes pasted together: in a
file read in a single-byte encoding (Windows-1251, Latin-1...), a later line whose bytes are valid
UTF-8 (with letters beyond ASCII, which text in those encodings almost never is) can be read as
UTF-8, with a note saying so, rather than as mojibake.

Sanctions lists are read the same way, with two differences (:func:`detect_file_encoding`,
:func:`iter_checked_lines`): the encoding is judged from the whole file and falls back to
Windows-1252, what Western publishers' lists are in when not UTF-8; and a lone CR ends a line too,
as in files saved on an old Mac.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO, ClassVar

SAMPLE_BYTES = 1 << 16
#: A physical line longer than this is not read (it is reported on its row): no shipment row is
#: anywhere near it (the reader does not screen a field over 100,000 characters), and a file of
#: junk without line ends (2 GB of NUL bytes) must not be read into memory as one line.
MAX_LINE_BYTES = 1 << 24
_CHUNK_BYTES = 1 << 20
_DELIMITERS = (",", ";", "\t", "|")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Where a lone CR ends a line: after it, unless an LF follows.
_AFTER_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")
# What the decoders of iter_checked_lines put for bytes that do not decode: a lone surrogate, which
# no strict decoding of UTF-16 or UTF-32 can produce, so it marks the bad bytes unambiguously.
_INVALID_MARK = "\udcff"
_MARK_INVALID = "shipscreen-mark-invalid"


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return _INVALID_MARK, exc.end


codecs.register_error(_MARK_INVALID, _mark_invalid)


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line of the input: its number, its text, and what is wrong with it, if any."""

    number: int
    text: str
    problem: str | None = None
    note: str | None = None  # how the line was read, where that is not the file's way


@dataclass(frozen=True, slots=True)
class Detection:
    """How a file's encoding was told: the encoding, how sure (0 to 1), by what ("byte-order
    mark", "UTF-16 pattern", "valid UTF-8", "charset-normalizer", "ASCII"), and the encodings
    that read the sample as plausibly but differently."""

    encoding: str
    confidence: float
    method: str
    alternatives: tuple[str, ...] = ()

    #: Below this a detection is said to be unsure (a warning names --encoding).
    LOW: ClassVar[float] = 0.6

    @property
    def low(self) -> bool:
        """Whether the detection is unsure."""
        return self.confidence < self.LOW

    def describe(self) -> str:
        """E.g. "cp1252 (charset-normalizer, confidence 0.49; cp1250 reads it otherwise)"."""
        text = f"{self.encoding} ({self.method}, confidence {self.confidence:.2f}"
        if self.alternatives:
            text += f"; {', '.join(self.alternatives)} read it otherwise"
        return text + ")"


# Where charset-normalizer finds several encodings equally plausible (a short sample of Latin
# text), the code pages trade files are written in come first, the Windows ones before ISO and Mac
# ones (Windows-1252 before Latin-1, which it extends with the € and typographic quotes).
_PREFERRED = (
    "cp1252", "cp1251", "cp1250", "cp1254", "cp1253", "cp1257", "cp1255", "cp1256", "koi8_r",
    "gb18030", "gbk", "gb2312", "cp932", "shift_jis", "euc_jp", "big5", "cp949", "euc_kr",
)  # fmt: skip
_ICELANDIC = frozenset("ÝýÞþÐð")
# The letters beyond ASCII of the Latin alphabets the single-byte code pages are made for.  A
# word whose letters no one of them holds ("Dęț": Polish ę, Romanian ț) is a misreading.
_ALPHABETS = tuple(
    frozenset(letters + letters.upper())
    for letters in (
        "äöüß", "àâæçéèêëîïôœùûüÿ", "áéíñóúü", "ãõáâàçéêíóôú", "àèéìòù", "çğıöşüİ", "ąćęłńóśźż",
        "áčďéěíňóřšťúůýžäĺľôŕ", "áéíóöőúüű", "ăâîșțşţ", "åäöæøé", "āčēģīķļņšūž", "ąčęėįšųūž",
        "čćđšž", "õäöüšž",
    )
)  # fmt: skip
_LETTERS = re.compile(r"[^\W\d_]+")


def _coherent(text: str) -> int:
    """How many of the words with letters beyond ASCII the one alphabet that holds most of them
    holds whole: a text is written in one language, and its misreadings in several."""
    covered = [0] * len(_ALPHABETS)
    for word in set(_LETTERS.findall(text)):
        if word.isascii():
            continue
        high = {ch for ch in word if not ch.isascii()}
        for k, alphabet in enumerate(_ALPHABETS):
            if high <= alphabet:
                covered[k] += 1
    return max(covered)


# How much more chaotic (charset-normalizer's mess ratio) than the best a reading may be and still
# count as equally plausible.
_TIED = 0.011


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file, judged from its first bytes (see :func:`detect`)."""
    return detect(sample).encoding


def detect(sample: bytes) -> Detection:
    """How a file's first bytes tell its encoding: a byte-order mark; UTF-16 without one; valid
    UTF-8 (or UTF-8 with a few bad lines); else charset-normalizer's reading, the plausible
    readings tied broken by language coherence and then by the code pages trade files use."""
    if sample.startswith(codecs.BOM_UTF8):
        return Detection("utf-8-sig", 1.0, "byte-order mark")
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16's: FF FE
        return Detection("utf-32", 1.0, "byte-order mark")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Detection("utf-16", 1.0, "byte-order mark")
    if len(sample) >= 4:
        # ASCII text in UTF-16 without a mark: every other byte is zero, and the others are not
        # (a run of NUL bytes, zero at every position, is not text of any kind).
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return Detection("utf-16-le", 0.9, "UTF-16 pattern")
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return Detection("utf-16-be", 0.9, "UTF-16 pattern")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return Detection("utf-8", 1.0, "ASCII" if sample.isascii() else "valid UTF-8")
    except UnicodeDecodeError:
        pass
    # Valid multi-byte UTF-8 sequences outnumbering the invalid bytes: UTF-8 with a few bad lines
    # (reported line by line), not a single-byte encoding that would mangle every other line.
    valid = len(_UTF8_SEQUENCE.findall(sample))
    text = sample.decode("utf-8", errors="replace")
    if valid and valid >= text.count("\ufffd"):
        return Detection("utf-8", 0.8, "mostly valid UTF-8")
    return _normalizer(sample)


def _utf8_line(line: bytes) -> bool:
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _normalizer(sample: bytes) -> Detection:
    from charset_normalizer import from_bytes

    # A sample cut inside a multi-byte character would count against the encodings that have
    # them: up to the last line end.
    cut = sample.rfind(b"\n")
    if cut > len(sample) // 2:
        sample = sample[: cut + 1]
    # Lines valid as UTF-8 with letters beyond ASCII are read as UTF-8 one by one (see
    # iter_lines): the encoding is that of the others.
    kept = [line for line in sample.splitlines(keepends=True) if not _utf8_line(line)]
    if kept and len(kept) < sample.count(b"\n") + 1:
        sample = b"".join(kept)
    # UTF-16 and UTF-32 are told by their marks and zero bytes above; what is left is read in an
    # encoding that keeps ASCII's bytes (a line ends at b"\n").
    matches = [m for m in from_bytes(sample) if splits_on_newline_bytes(m.encoding)]
    if not matches:
        return Detection("cp1252", 0.1, "charset-normalizer found no reading; Windows-1252 assumed")
    best = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= best + _TIED]
    rank = {name: i for i, name in enumerate(_PREFERRED)}
    windows = [m for m in tied if m.encoding in rank]
    pool = windows or tied

    def order(m: Any) -> tuple[bool, int, float, int]:
        text = sample.decode(m.encoding, errors="replace")
        # Icelandic letters are what Windows-1252 makes of Turkish ones (İ ı Ş ş Ğ ğ), and
        # Türkiye trades far more than Iceland: a reading that shows them comes last.
        icelandic = any(ch in _ICELANDIC for ch in text)
        return (icelandic, -_coherent(text), -round(m.coherence, 2), rank.get(m.encoding, 99))

    chosen = min(pool, key=order)
    encoding = "cp1252" if chosen.encoding in ("latin_1", "iso8859_1", "ascii") else chosen.encoding
    reading = sample.decode(encoding, errors="replace")
    # Of the encodings that give the same text, the code page trade files use most.
    for preferred in _PREFERRED[: rank.get(encoding, len(rank))]:
        try:
            if sample.decode(preferred) == reading:
                encoding = preferred
                break
        except UnicodeDecodeError:
            continue
    others = []
    for m in tied:
        if (
            m.encoding not in (chosen.encoding, encoding)
            and m.encoding not in others
            and sample.decode(m.encoding, errors="replace") != reading
        ):
            others.append(m.encoding)
    confidence = max(0.0, 1.0 - chosen.chaos)
    if others:  # equally plausible readings that differ: a guess between them
        confidence = min(confidence, 0.5)
    return Detection(
        codecs.lookup(encoding).name, round(confidence, 2), "charset-normalizer", tuple(others[:3])
    )


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
        yield _decoded(number, data, decode, encoding)


def _decoded(
    number: int, data: bytes, decode: Callable[[bytes, str], tuple[str, int]], encoding: str
) -> Line:
    """Line ``number`` decoded strictly: bytes the encoding does not allow, or NUL bytes, make
    it a line with a problem (its text with replacement characters)."""
    try:
        line = decode(data, "strict")[0]
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.end].hex(" ")
        return Line(
            number,
            decode(data, "replace")[0],
            f"bytes {bad} at position {exc.start} are not valid {encoding}",
        )
    if "\x00" in line:
        return Line(number, line.replace("\x00", "\ufffd"), "holds NUL bytes")
    return Line(number, line)


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


def _wide_lines(raw: BinaryIO, encoding: str, start: int = 1) -> Iterator[Line]:
    """The lines of a UTF-16 or UTF-32 stream (not ASCII-compatible: decoded as a whole), each
    checked: what cannot be decoded (an odd byte at the end, a lone surrogate) marks its line, a
    line over MAX_LINE_BYTES characters is read through and reported.  The stream stays open."""
    text = io.TextIOWrapper(raw, encoding=encoding, errors=_MARK_INVALID, newline="")
    number = start
    try:
        while line := text.readline(MAX_LINE_BYTES):
            if number == 1:
                line = line.removeprefix("\ufeff")
            if len(line) >= MAX_LINE_BYTES and not line.endswith("\n"):
                size = len(line)
                while (more := text.readline(MAX_LINE_BYTES)) and not more.endswith("\n"):
                    size += len(more)
                yield _overlong(number, size + len(more), "characters")
            elif _INVALID_MARK in line:
                position = line.index(_INVALID_MARK) + 1
                yield Line(
                    number,
                    line.replace(_INVALID_MARK, "\ufffd"),
                    f"bytes at character {position} are not valid {encoding}",
                )
            elif "\x00" in line:
                yield Line(number, line.replace("\x00", "\ufffd"), "holds NUL characters")
            else:
                yield Line(number, line)
            number += 1
    finally:
        with contextlib.suppress(ValueError):  # the caller closed it first
            text.detach()  # the caller's stream stays open, as it is in the other encodings


def splits_on_newline_bytes(encoding: str) -> bool:
    """Whether text in ``encoding`` can be cut into lines at its b"\\n" bytes and decoded a block
    at a time: an ASCII-compatible, stateless encoding (UTF-8, Windows-125x, ISO 8859...)."""
    name = codecs.lookup(encoding).name
    if name.startswith(("utf-16", "utf-32", "utf-7", "iso2022", "hz")):
        return False
    return '\n,"'.encode(name) == b'\n,"'


def detect_file_encoding(raw: BinaryIO, fallback: str = "cp1252") -> str:
    """The encoding of a whole file, read from its start to its end (``raw`` must be seekable).

    A byte-order mark's (UTF-8, UTF-16, UTF-32), else UTF-8 if the file decodes as UTF-8, or if
    its valid multi-byte sequences outnumber its invalid bytes (UTF-8 with a few bad bytes, which
    :func:`iter_checked_lines` then reports on their lines), else ``fallback``.
    """
    raw.seek(0)
    head = raw.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    strict = codecs.getincrementaldecoder("utf-8")()
    try:
        chunk = head
        while chunk:
            strict.decode(chunk)
            chunk = raw.read(_CHUNK_BYTES)
        strict.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    raw.seek(0)
    lenient = codecs.getincrementaldecoder("utf-8")(errors="replace")
    valid = invalid = 0
    for chunk in iter(lambda: raw.read(_CHUNK_BYTES), b""):
        text = lenient.decode(chunk)
        bad = text.count("\ufffd")
        invalid += bad
        valid += len(text) - len(text.encode("ascii", "ignore")) - bad
    return "utf-8" if valid and valid >= invalid else fallback


def iter_checked_lines(raw: BinaryIO, encoding: str) -> Iterator[Line]:
    """Decoded lines, each checked strictly in any encoding; line endings are kept.

    Unlike :func:`iter_lines`, a line ends at LF, CRLF or a lone CR (as a file opened with
    ``newline=""`` reads), a UTF-8 byte-order mark opening the file is dropped under any UTF-8
    name, and no line is too long (a list is read whole, its lines judged one by one).
    """
    if not splits_on_newline_bytes(encoding):
        yield from _wide_lines(raw, encoding)
        return
    name = codecs.lookup(encoding).name
    # The byte-order mark opens the file only; after it the text is plain UTF-8.
    decode = codecs.getdecoder("utf-8" if name == "utf-8-sig" else encoding)
    number = 0
    for data in raw:
        lone_cr = data.count(b"\r") > data.endswith(b"\r\n")
        pieces = _AFTER_LONE_CR.split(data) if lone_cr else [data]
        for piece in pieces:
            if not piece:
                continue
            number += 1
            if number == 1 and name.startswith("utf-8") and piece.startswith(codecs.BOM_UTF8):
                piece = piece[len(codecs.BOM_UTF8) :]
            yield _decoded(number, piece, decode, encoding)
