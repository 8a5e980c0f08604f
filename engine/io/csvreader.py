"""Streaming CSV input: one row at a time, never the whole file in memory, and no row lost."""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import stat
import sys
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from engine.decoding import (
    MAX_LINE_BYTES,
    SAMPLE_BYTES,
    Detection,
    Line,
    detect,
    detect_delimiter,
    detect_encoding,
    iter_lines,
    single_byte,
    splits_on_newline_bytes,
)
from engine.errors import InputError
from engine.io.header import Header
from engine.reading.caches import SALTED_HASH64, fingerprint
from engine.reading.record import InputRow

# csv refuses fields over 128 KiB by default; a shipment file may legitimately hold long fields.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# A record as read: first line number, cells (None if unreadable), problem, text (or None).
RawRecord = tuple[int, list[str] | None, str | None, str | None]


class _Tap(io.RawIOBase):
    """A byte stream that counts and hashes what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        # What the stream has (at most one read of it), so that a pipe or a terminal is read as
        # its data comes rather than a buffer's worth at a time.
        self._read: Callable[[int], bytes] = getattr(raw, "read1", raw.read)
        self.count = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        self.sha256.update(data)
        return n

    def close(self) -> None:
        if self.raw is not sys.stdin.buffer:
            self.raw.close()
        super().close()


class _Joined(io.RawIOBase):
    """Bytes already read, then the rest of a stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest
        self._read: Callable[[int], bytes] = getattr(rest, "read1", rest.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _RunawayRecordError(Exception):
    """A record has gone on for more lines than a quoted field can reasonably span."""


class _Feeder:
    """Feeds decoded lines to the CSV parser and remembers the lines of the current record."""

    def __init__(self, lines: Iterator[Line], max_lines: int) -> None:
        self.lines = lines
        self._max = max_lines
        self.pending: deque[Line] = deque()
        self.current: list[Line] = []

    def __iter__(self) -> _Feeder:
        return self

    def __next__(self) -> str:
        if len(self.current) >= self._max:
            raise _RunawayRecordError
        line = self.pending.popleft() if self.pending else next(self.lines)
        self.current.append(line)
        return line.text


_MASK64 = 0xFFFF_FFFF_FFFF_FFFF


@dataclass(frozen=True, slots=True)
class FilePart:
    """A part of a CSV file to read on its own, as a cluster reads a large file: the header
    (the file's first ``head`` bytes), then the bytes from ``start`` to ``end``, whose first line
    is line ``first_line`` of the file.  Line numbers are the file's."""

    head: int
    start: int
    end: int
    first_line: int


class SeenIds:
    """Shipment ids already read, as 64-bit fingerprints (about 9 bytes an id, however long the
    ids), to flag duplicates without holding the ids.

    The fingerprints are spread by their top bits over 4096 sorted arrays: an id is looked up by
    bisection and inserted in place, so memory grows with the ids, a few bytes at a time.
    """

    _SHARD_BITS = 12

    def __init__(self) -> None:
        self._shards = [array("Q") for _ in range(1 << self._SHARD_BITS)]
        self._shift = 64 - self._SHARD_BITS

    def add(self, shipment_id: str) -> bool:
        """Record an id; True if it was seen before."""
        key = (hash(shipment_id) & _MASK64 | 1) if SALTED_HASH64 else fingerprint(shipment_id)
        shard = self._shards[key >> self._shift]
        i = bisect.bisect_left(shard, key)
        if i < len(shard) and shard[i] == key:
            return True
        shard.insert(i, key)
        return False


class ShipmentReader:
    """Reads a shipment CSV file (or standard input, ``-``) row by row; no row is ever lost.

    The encoding and the delimiter are detected unless given.  Every physical line ends up in a row
    that is screened or in one reported with its line number and the reason: a quote left open
    costs only the line it opened on (the lines after it are read again as rows), and a row with
    bytes the encoding does not allow, NUL bytes, a field too long to screen, or more cells than the
    header is reported, not mangled.  While it reads it counts the bytes (``bytes_read``, for
    progress) and hashes them (``sha256()``, for the run manifest); ``size`` is the file's size,
    or None for a stream.

    With ``part``, only that part of the file is read (after its header), in the ``encoding``
    the whole file was read in, which must be given; rows keep the file's line numbers.

    A file in a detected single-byte encoding (Windows-1251, Latin-1...) is read line by line, and
    a line that is valid UTF-8 beyond ASCII is read as UTF-8, with a note on its row
    (``utf8_lines``, on by default for such files, says whether; ``utf8_lines_read`` counts them):
    files are pasted together from many hands, and such a line read as Windows-1251 is mojibake.
    """

    #: A quoted field may span lines, but a record of more lines than this is a quote left open.
    MAX_RECORD_LINES = 1000
    #: Fields longer than this (in characters) are not screened.
    MAX_FIELD = 100_000
    #: Clean text is read this many bytes (and the rest of a line) at a time.
    BLOCK_BYTES = 1 << 18

    def __init__(
        self,
        path: str | Path,
        *,
        columns: Mapping[str, str] | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        part: FilePart | None = None,
        utf8_lines: bool | None = None,
    ) -> None:
        self.path = str(path)
        self.size: int | None = None
        if part is not None and encoding is None:
            raise ValueError("a part of a file is read in the encoding of the whole file: give it")
        header_bytes = b""
        try:
            if self.path == "-":
                raw: BinaryIO = sys.stdin.buffer
            elif part is not None:
                with open(path, "rb") as whole:
                    header_bytes = whole.read(part.head)
                    whole.seek(part.start)
                    raw = io.BytesIO(whole.read(part.end - part.start))
                self.size = part.end - part.start
            else:
                raw = open(path, "rb")  # noqa: SIM115 - closed by __exit__
                status = os.fstat(raw.fileno())
                # A regular file's size; a pipe or a device has none to judge progress by.
                self.size = status.st_size if stat.S_ISREG(status.st_mode) else None
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", file=self.path) from exc
        self._tap = _Tap(raw)
        self._bytes: io.BufferedReader[Any] = io.BufferedReader(self._tap, SAMPLE_BYTES)
        try:
            self.encoding = _text_encoding(encoding) if encoding else None
            if delimiter is not None:
                _check_delimiter(delimiter)
        except ValueError as exc:
            self.close()
            raise InputError(str(exc), file=self.path) from None
        head = self._bytes.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
        if part is None and (what := not_text(head)) is not None:
            self.close()
            raise InputError(what, file=self.path)
        #: "CR" for a file whose lines end in a carriage return alone (old Mac exports): it is
        #: read as if they ended in line feeds.
        self.line_ends: str | None = None
        # (A part of a file is read as the whole file was: a plan cuts such a file into one part.)
        cr_only = part is None and b"\r" in head and b"\n" not in head
        if cr_only and splits_on_newline_bytes(self.encoding or detect_encoding(head)):
            self.line_ends = "CR"
            self._bytes = io.BufferedReader(_CrAsLf(self._bytes), SAMPLE_BYTES)
        detected = self.encoding is None
        #: How the encoding was told (given with --encoding: confidence 1).
        self.detection = Detection(self.encoding or "", 1.0, "--encoding")
        if self.encoding is None:
            self.detection = detect(head)
            self.encoding = self.detection.encoding
        if utf8_lines is None:
            utf8_lines = detected and single_byte(self.encoding)
        self.utf8_lines = utf8_lines
        self.utf8_lines_read = 0
        #: Notes on how lines were read, by the first line of their record, for the rows to carry.
        self.line_notes: dict[int, str] = {}
        lines = iter_lines(self._bytes, self.encoding, utf8_lines=utf8_lines)
        if part is not None:  # the header, then the part's lines numbered as in the file
            lines = itertools.chain(
                iter_lines(io.BytesIO(header_bytes), self.encoding, utf8_lines=utf8_lines),
                iter_lines(
                    self._bytes, self.encoding, start=part.first_line, utf8_lines=utf8_lines
                ),
            )
        self._feeder = _Feeder(lines, self.MAX_RECORD_LINES)
        self._seen = SeenIds()
        self.duplicates = 0
        self.blank_lines = 0
        #: The delimiter an Excel "sep=;" first line named, if the file has one.
        self.sep_line: str | None = None
        try:
            first = self._first_line()
            if first is not None and (named := _SEP_LINE.match(first.text)) is not None:
                self.sep_line = named.group(1)
                first = self._first_line()
        except (UnicodeDecodeError, ValueError) as exc:
            self.close()
            raise InputError(f"cannot read as {self.encoding}: {exc}", file=self.path) from exc
        if first is None:
            self.close()
            raise InputError("empty file: no header row", file=self.path, line=1)
        if first.problem is not None:
            self.close()
            raise InputError(f"the header row {first.problem}", file=self.path, line=first.number)
        self.delimiter = delimiter or self.sep_line or detect_delimiter(first.text)
        self._feeder.pending.append(first)
        self._reader = self._parser()
        header = next(self._records(), None)
        if header is None or header[1] is None:
            self.close()
            raise InputError("the header row is not valid CSV", file=self.path, line=first.number)
        self.header = Header.read(header[1], columns)
        self.shaper = RowShaper(self.header, self.MAX_FIELD)
        self._resume = self._feeder.current[-1].number + 1 if self._feeder.current else 2
        if part is not None:
            self._resume = part.first_line
        if (message := self.header.no_field_message("header")) is not None:
            self.close()
            if delimiter is not None and len(self.header.columns) == 1:
                others = [d for d in (",", ";", "\t", "|") if d != delimiter and d in first.text]
                if others:
                    message = (
                        f"with the delimiter {delimiter!r} the header is one column, and it holds "
                        f"{others[0]!r}: is the file {others[0]!r}-separated? ({message})"
                    )
            raise InputError(message, file=self.path, line=first.number)

    def _first_line(self) -> Line | None:
        for line in self._feeder.lines:
            if line.text.strip():
                return line
            self.blank_lines += 1
        return None

    def _parser(self) -> Iterator[list[str]]:
        return csv.reader(self._feeder, delimiter=self.delimiter, strict=True)

    def _body(self, id_only: bool = False) -> Iterator[RawRecord]:
        """The records after the header: a block at a time while the text is clean."""
        name = codecs.lookup(self.encoding or "utf-8").name
        blocks = "utf-8" if name == "utf-8-sig" else name
        if self._feeder.pending or self.utf8_lines or not splits_on_newline_bytes(blocks):
            return self._records()
        return self._block_records(self._resume, blocks, id_only)

    def _runaway(self, number: int) -> str:
        return (
            f"a quoted field opened on line {number} is not closed within "
            f"{self.MAX_RECORD_LINES} lines; the lines after it are read as rows"
        )

    def _block_records(
        self, number: int, encoding: str, id_only: bool = False
    ) -> Iterator[RawRecord]:
        """As :meth:`_records`, reading blocks of lines that decode whole and hold no NUL byte.

        Records, blank lines, quotes left open and invalid CSV come out exactly as line by line;
        at the first block that does not decode or holds a NUL byte, the line-by-line reading
        takes over from that block's first line (with any record still open before it).  With
        ``id_only``, a record on a line of its own that holds no quote comes with its cells up
        to the shipment id's only (the last of them holding the rest of the line).
        """
        limit = self.MAX_RECORD_LINES
        delimiter = self.delimiter
        # How many cells to split an unquoted line into, with id_only: those up to the id's.
        cut = (self.shaper.id_column or 0) + 1 if id_only else -1
        source = self._bytes
        carry: list[str] = []  # the lines of a record still open at the end of the last block
        while True:
            block = source.read(self.BLOCK_BYTES)
            if block and not block.endswith(b"\n"):
                block += source.readline(MAX_LINE_BYTES)
            start = number - len(carry)  # the number of lines[0]
            if block:
                try:
                    if b"\0" in block:
                        raise ValueError("NUL byte")
                    if len(block) >= MAX_LINE_BYTES and not block.endswith(b"\n"):
                        raise ValueError("a line too long to hold")
                    text = block.decode(encoding)
                except ValueError:  # UnicodeDecodeError included
                    yield from self._by_line(carry, start, block, number)
                    return
                number += block.count(b"\n") + (not block.endswith(b"\n"))
                lines = carry + io.StringIO(text, newline="\n").readlines()
            else:
                lines = carry
            carry = []
            pos = 0
            while pos < len(lines):
                if id_only:  # lines without a quote (nor a carriage return but at their end)
                    for line in itertools.islice(lines, pos, None):
                        if '"' in line or (
                            "\r" in line and not (line.endswith("\r\n") and line.count("\r") == 1)
                        ):
                            break
                        body = line.rstrip("\r\n")
                        if body:
                            yield start + pos, body.split(delimiter, cut), None, line
                        else:
                            self.blank_lines += 1
                        pos += 1
                    if pos == len(lines):
                        break
                reader = csv.reader(
                    itertools.islice(lines, pos, None), delimiter=self.delimiter, strict=True
                )
                done = 0  # lines of lines[pos:] that complete records took
                try:
                    for cells in reader:
                        end = reader.line_num
                        if end - done > limit:
                            break
                        if cells:
                            first = pos + done
                            text = (
                                lines[first]
                                if end - done == 1
                                else "".join(lines[first : pos + end])
                            )
                            yield start + first, cells, None, text
                        else:
                            self.blank_lines += end - done
                        done = end
                        if id_only:
                            break
                    else:
                        break
                    if id_only and done:  # one record read: back to the lines without a quote
                        pos += done
                        continue
                    yield start + pos + done, None, self._runaway(start + pos + done), None
                except csv.Error as exc:
                    open_lines = reader.line_num - done
                    if open_lines > limit:
                        yield start + pos + done, None, self._runaway(start + pos + done), None
                    elif (
                        block
                        and pos + reader.line_num == len(lines)
                        and (str(exc) == "unexpected end of data")
                    ):
                        carry = lines[pos + done :]  # continued in the next block
                        break
                    else:
                        yield start + pos + done, None, f"not valid CSV ({exc})", None
                # Only the first line is lost to the error; the others are read again as rows.
                pos += done + 1
            if not block:
                return

    def _by_line(
        self, carry: list[str], start: int, block: bytes, number: int
    ) -> Iterator[RawRecord]:
        """Continue line by line from a block that is not clean text (the block may end inside
        a line, which then goes on in the input)."""
        feeder = self._feeder
        feeder.pending.extend(Line(start + i, text) for i, text in enumerate(carry))
        rest = io.BufferedReader(_Joined(block, self._bytes), buffer_size=SAMPLE_BYTES)
        # (never a file of utf8_lines: such a file is read line by line from the start)
        feeder.lines = iter_lines(rest, self.encoding or "utf-8", start=number)
        self._reader = self._parser()
        yield from self._records()

    def _records(self) -> Iterator[RawRecord]:
        """Each record read line by line, blank lines skipped (its text is not kept)."""
        feeder = self._feeder
        while True:
            feeder.current = []
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except (_RunawayRecordError, csv.Error) as exc:
                lines = feeder.current
                first = lines[0] if lines else Line(0, "")
                if isinstance(exc, _RunawayRecordError):
                    problem = self._runaway(first.number)
                else:
                    problem = f"not valid CSV ({exc})"
                # Only the first line is lost to the error; the others are read again as rows.
                feeder.pending.extendleft(reversed(lines[1:]))
                self._reader = self._parser()
                yield first.number, None, problem, None
                continue
            lines = feeder.current
            if not cells:
                self.blank_lines += len(lines)
                continue
            # A problem on a later line of a multi-line row says which line it is on.
            start = lines[0].number
            problems = [
                item.problem if item.number == start else f"(line {item.number}) {item.problem}"
                for item in lines
                if item.problem
            ]
            if self.utf8_lines and (notes := [item.note for item in lines if item.note]):
                self.utf8_lines_read += len(notes)
                self.line_notes[start] = "; ".join(notes)
            yield lines[0].number, cells, "; ".join(problems) or None, None

    @property
    def first_data_line(self) -> int:
        """The number of the line after the header (the first that may hold a record)."""
        return self._resume

    @property
    def bytes_read(self) -> int:
        """How many bytes of the input have been read so far."""
        return self._tap.count

    def changed(self) -> str | None:
        """Once the input is read whole: what says the file changed while it was read (it was
        truncated, or grew, after it was opened), or None.  A stream has no size to judge by."""
        if self.size is None or self.bytes_read == self.size:
            return None
        return (
            f"the file was {self.size:,} bytes when opened and {self.bytes_read:,} bytes were "
            "read: it changed while it was read (truncated or written to); screen it again once "
            "it is complete"
        )

    def sha256(self) -> str:
        """The SHA-256 of the bytes read (of the whole input once it has been read)."""
        return self._tap.sha256.hexdigest()

    def close(self) -> None:
        """Close the input."""
        self._bytes.close()

    def __enter__(self) -> ShipmentReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def records(self, *, id_only: bool = False) -> Iterator[RawRecord]:
        """The data records as read: (first line number, cells or None, problem or None, the
        record's text or None); :meth:`__iter__` makes rows of them.

        With ``id_only``, a record that comes with its text may come with only its cells up to
        the shipment id's (enough for :meth:`duplicate`): for one who parses the text again.
        """
        return self._body(id_only)

    def duplicate(self, cells: Sequence[str]) -> str | None:
        """The note for a record whose shipment id an earlier record used, else None."""
        shipment_id = self.shaper.shipment_id(cells)
        if shipment_id and self._seen.add(shipment_id):
            self.duplicates += 1
            return duplicate_note(shipment_id)
        return None

    def line_note(self, line: int) -> str | None:
        """The note on how the record starting at ``line`` was read, if it needs one (once)."""
        return self.line_notes.pop(line, None) if self.line_notes else None

    def __iter__(self) -> Iterator[InputRow]:
        shape = self.shaper.shape
        duplicate = self.duplicate
        for line, cells, problem, _ in self._body():
            row = shape(line, cells, problem)
            if (note := self.line_note(line)) is not None:
                row = row.with_note(note)
            if cells is not None and (note := duplicate(cells)) is not None:
                row = row.with_note(note)
            yield row


# Excel's first line naming the delimiter ("sep=;"), written by Excel and read by it.
_SEP_LINE = re.compile(r"\Asep=([^\r\n])\r?\n?\Z", re.IGNORECASE)

# What the start of a file that is not text says it is, and what to do about it.
_NOT_TEXT: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed: decompress it first (gunzip -k FILE), or pipe it in: "
     "gunzip -c FILE | shipscreen screen - -o ..."),
    (b"BZh", "bzip2-compressed: decompress it first (bunzip2 -k FILE)"),
    (b"\xfd7zXZ\x00", "xz-compressed: decompress it first (unxz -k FILE)"),
    (b"(\xb5/\xfd", "zstd-compressed: decompress it first (unzstd FILE)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (or another OLE file): "
     "save it as CSV (File > Save As > CSV UTF-8)"),
    (b"%PDF-", "a PDF document, not a table"),
)  # fmt: skip


def not_text(head: bytes) -> str | None:
    """What a file is, if its first bytes show it is no text table (a compressed file, a
    workbook, a PDF), with what to do; None for anything that may be text."""
    if head.startswith(b"PK\x03\x04"):
        if b"xl/" in head or b"[Content_Types].xml" in head:
            return "an XLSX workbook (a ZIP file): save it as CSV (File > Save As > CSV UTF-8)"
        return "a ZIP archive: unpack it and screen the CSV file inside"
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            return f"this file is {what}"
    return None


class _CrAsLf(io.RawIOBase):
    """A byte stream whose carriage returns read as line feeds (a file of CR line ends)."""

    _TABLE = bytes.maketrans(b"\r", b"\n")

    def __init__(self, raw: io.BufferedReader[Any]) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read1(len(buffer)).translate(self._TABLE)
        buffer[: len(data)] = data
        return len(data)


def _text_encoding(encoding: str) -> str:
    """The codec's name for a character encoding, or ValueError for an unknown name or a codec
    that is not one (rot13, base64, zlib... transform bytes or text, not bytes into text)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(
            f"{encoding!r} is not a character encoding (it transforms bytes or text); give the "
            "file's encoding, e.g. utf-8, cp1251, cp1252 or utf-16"
        )
    return info.name


def _check_delimiter(delimiter: str) -> None:
    """ValueError unless ``delimiter`` can separate fields: one character, not the quote
    character, not a line break."""
    if len(delimiter) != 1:
        raise ValueError(f"the delimiter is one character, not {delimiter!r}")
    if delimiter in '"\r\n':
        what = "the quote character" if delimiter == '"' else "a line break"
        raise ValueError(f"the delimiter cannot be {delimiter!r}: it is {what}")


def duplicate_note(shipment_id: str) -> str:
    """The note on a row whose shipment id an earlier row used."""
    return f"shipment_id '{shipment_id}' is used by an earlier row too"


class RowShaper:
    """Makes an input row of a record: cells fitted to the header, errors and notes on its shape.

    A row with more cells than the header is an error; one with fewer is padded (and noted); a
    field longer than ``max_field`` characters is an error.  Picklable, so worker processes can
    shape the records they parse.
    """

    def __init__(self, header: Header, max_field: int) -> None:
        self.fields = list(header.fields)
        self.width = len(header.columns)
        self.max_field = max_field
        self._id = self.fields.index("shipment_id") if "shipment_id" in self.fields else None

    @property
    def id_column(self) -> int | None:
        """The column of the shipment id, if the header has one."""
        return self._id

    def shipment_id(self, cells: Sequence[str]) -> str:
        """The shipment id a record's cells give ('' if none)."""
        i = self._id
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def shape(self, line: int, cells: list[str] | None, problem: str | None) -> InputRow:
        """The row of a record read at ``line`` (``cells`` None: it could not be parsed)."""
        if cells is None:
            return InputRow(line=line, cells=[], error=f"line {line}: {problem}")
        width = self.width
        notes: tuple[str, ...] = ()
        error = f"line {line}: {problem}" if problem else None
        if len(cells) > width:
            extra = len(cells) - width
            error = error or (
                f"line {line}: {len(cells)} cells but the header has {width} columns; "
                f"the last {extra} cell(s) have no column: "
                + ", ".join(repr(c[:40]) for c in cells[width:])
            )
            cells = cells[:width]
        elif len(cells) < width:
            notes = (
                f"row has {len(cells)} cells, the header {width}; missing cells read as empty",
            )
            cells = cells + [""] * (width - len(cells))
        if error is None and max(map(len, cells)) > self.max_field:
            long = [
                (f, c)
                for f, c in zip(self.fields, cells, strict=False)
                if f is not None and len(c) > self.max_field
            ]
            if long:
                error = (
                    f"line {line}: {long[0][0]} holds {len(long[0][1]):,} characters; fields "
                    f"longer than {self.max_field:,} are not screened"
                )
        return InputRow(line, cells, self.fields, error, notes)
