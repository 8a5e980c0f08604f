"""The reading every list file shares: strict CSV records, problems by file and line, digests.

A list read in part looks complete and is not, so the readers of :mod:`engine.catalogue.lists`
read strictly: each problem names the file and the line, and a list with any is refused.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import deque
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from engine.catalogue.entities import Party
from engine.decoding import Line, detect_file_encoding, iter_checked_lines
from engine.errors import CatalogueError, Problem

# A file with more problems than this shows these and counts the others.
MAX_PROBLEMS = 50
# A quoted field running on over more lines than this is taken for a quote left open.
MAX_FIELD_LINES = 100

# RFC 4180 fields, each matched without backtracking: quoted (its quotes doubled) or plain.
_FIELD = r'(?>"[^"]*+(?:""[^"]*+)*+"|[^",\r\n]*+)'
_ONE_LINE_RECORD = re.compile(rf"{_FIELD}(?:,{_FIELD})*+(?:\r\n|\n|\r)?")
_PLAIN = re.compile(r'[^",\r\n]*+')
_QUOTED_BODY = re.compile(r'[^"]*+(?:""[^"]*+)*+')
_LINE_ENDS = ("", "\r", "\n")
_BLANK = " \t\r\n\x0b\x0c\x1a"
# Only the last line of a file can end without a line break; ending in a comma, it looks cut off
# (the field after the comma, lost, would read as empty).
_CUT_OFF = (
    "the file ends right after a comma, as if cut off (a whole list ends its last line with a "
    "line break)"
)


@dataclass(frozen=True)
class LoadedList:
    """A list read from a file: what it is, its digest, its encoding, and its parties."""

    name: str
    path: str
    format: str
    digest: str
    encoding: str  # as Python names it ("utf-8", "cp1252"...), with an alt.csv's if it differs
    parties: tuple[Party, ...]
    problems: tuple[Problem, ...] = ()
    published: str | None = None  # the list's own date (YYYY-MM-DD), where the file states it

    @property
    def entries(self) -> int:
        """The number of entries read."""
        return len(self.parties)


class Problems:
    """The problems of one file: the first MAX_PROBLEMS kept, the others counted."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        self.kept: list[Problem] = []
        self.more = 0
        self.undecoded = 0  # how many are bytes that do not decode (the others are of the CSV)

    def add(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        decoding: bool = False,
    ) -> None:
        """One problem, at its line (and column) when it has one."""
        self.undecoded += decoding
        if len(self.kept) >= MAX_PROBLEMS:
            self.more += 1
            return
        where = ""
        if line is not None:
            where = f"line {line}, column {column}: " if column else f"line {line}: "
        self.kept.append(Problem(file=self.file, message=where + message))

    def all(self) -> tuple[Problem, ...]:
        """The problems kept, and how many more there are."""
        if not self.more:
            return tuple(self.kept)
        more = f"and {self.more} more problems (the first {MAX_PROBLEMS} are shown)"
        return (*self.kept, Problem(file=self.file, message=more))

    @property
    def of_csv(self) -> int:
        """How many problems are in the CSV itself (not in the decoding of its bytes)."""
        return len(self.kept) + self.more - self.undecoded


def digest(paths: Iterable[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        with open_list(path) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                sha.update(chunk)
    return sha.hexdigest()


def has_content(cells: list[str]) -> bool:
    # Blank lines, rows of empty cells and the DOS end-of-file mark OFAC's files end with hold
    # nothing.
    return any(c.strip(_BLANK) for c in cells)


def known_encoding(encoding: str) -> str:
    """Python's name for a text encoding (``"latin1"`` -> ``"iso8859-1"``), else CatalogueError."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    # Codecs such as base64 or rot13 are not text encodings.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise CatalogueError(f"'{encoding}' is not a text encoding shipscreen knows")
    return info.name


def file_encoding(path: Path, encoding: str | None) -> str:
    """The encoding given, else the file's own."""
    if encoding is not None:
        return known_encoding(encoding)
    with open_list(path) as raw:
        return detect_file_encoding(raw)


class _OneLine:
    """The lines a csv.reader pulls: the one set, once (so a record it cannot end on that line
    ends the reading there, rather than taking the next)."""

    def __init__(self) -> None:
        self.line: str | None = None

    def __iter__(self) -> _OneLine:
        return self

    def __next__(self) -> str:
        line, self.line = self.line, None
        if line is None:
            raise StopIteration
        return line


def csv_records(
    lines: Iterable[Line], problems: Problems, *, multiline: bool
) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record of a CSV file read strictly (RFC 4180).

    A quote inside a plain field, a quoted field followed by anything but a comma or the end of
    its line, a quote not closed (on its line, unless ``multiline``; before the end of the file;
    within MAX_FIELD_LINES lines), a line that does not decode: each is a problem on its line,
    its record is left out, and the reading goes on, so that every problem is reported.  A quoted
    field that runs on over lines and does not end right is reported where its quote opened, and
    the lines after that one are read again: a stray quote there is the likeliest accident, and
    it would hide them.  A last line ending in a comma (no line break after it) is a file cut
    off.  Records holding nothing are skipped.
    """
    source = iter(lines)
    pending: deque[Line] = deque()  # lines to read again, before those still in the source
    decoded_to = 0  # the last line whose decoding problem is reported
    cells: list[str] = []
    field: list[str] | None = None  # the pieces of an open quoted field
    held: list[Line] = []  # the lines of the record so far, when it runs over several
    start = opened_line = opened_column = 0
    feed = _OneLine()
    reader = csv.reader(feed, strict=True)

    while True:
        line = pending.popleft() if pending else next(source, None)
        if line is None:
            if field is None:
                return
            problems.add(
                "a quote opens a field that is not closed before the end of the file",
                opened_line,
                opened_column,
            )
            pending.extend(held[1:])
            cells, field, held = [], None, []
            continue
        if line.problem and line.number > decoded_to:
            problems.add(line.problem, line.number, decoding=True)
            decoded_to = line.number
        text = line.text
        if field is None and not cells:
            start = line.number
            if '"' not in text:
                cells = text.rstrip("\r\n").split(",")
            else:
                # A whole record on its line, as nearly every one is: the C reader takes it,
                # unless its quotes are not all around fields (which it does not check) or it
                # fails (a quote left open, a field over its size limit): read below then.
                feed.line = text
                try:
                    cells = next(reader)
                except (csv.Error, StopIteration):
                    cells = []
                if '"' in "".join(cells) and not _ONE_LINE_RECORD.fullmatch(text):
                    cells = []
            if cells:
                if text.endswith(","):
                    problems.add(_CUT_OFF, line.number)
                elif has_content(cells):
                    yield start, cells
                cells = []
                continue
        pos = 0
        while True:
            if field is not None:
                body = _QUOTED_BODY.match(text, pos)
                assert body is not None  # it matches the empty string
                field.append(body.group())
                pos = body.end()
                if pos == len(text):  # the field runs on past this line
                    held.append(line)
                    if not multiline or len(held) > MAX_FIELD_LINES:
                        problems.add(
                            f"a quote opens a field that runs on for more than {MAX_FIELD_LINES}"
                            " lines (a quote left open?)"
                            if multiline
                            else "a quote opens a field that is not closed on its line",
                            opened_line,
                            opened_column,
                        )
                        pending.extendleft(reversed(held[1:]))
                        cells, field, held = [], None, []
                    break
                pos += 1  # past the closing quote
                cells.append("".join(field).replace('""', '"'))
                field = None
                after = text[pos : pos + 1]
                if after == ",":
                    pos += 1
                    continue
                if after in _LINE_ENDS:
                    if has_content(cells):
                        yield start, cells
                elif held:
                    problems.add(
                        "a quote opens a field that is not closed on its line: the next quote, "
                        f"on line {line.number} at column {pos}, is followed by {after!r} "
                        "(a stray quote, or one left open?)",
                        opened_line,
                        opened_column,
                    )
                    pending.extendleft(reversed([*held[1:], line]))
                else:
                    problems.add(
                        f"a quote ends the quoted field begun at column {opened_column} and is "
                        f"followed by {after!r}, not a comma (a quote inside a quoted field is "
                        "written twice)",
                        line.number,
                        pos,
                    )
                cells, held = [], []
                break
            if text.startswith('"', pos):
                field, opened_line, opened_column = [], line.number, pos + 1
                pos += 1
                continue
            plain = _PLAIN.match(text, pos)
            assert plain is not None  # it matches the empty string
            cells.append(plain.group())
            pos = plain.end()
            after = text[pos : pos + 1]
            if after == ",":
                pos += 1
                continue
            if after == '"':
                problems.add(
                    "a quote inside a field that does not begin with one (a field holding "
                    "quotes is put in quotes whole, its own quotes doubled)",
                    line.number,
                    pos + 1,
                )
            elif text.endswith(","):
                problems.add(_CUT_OFF, line.number)
            elif has_content(cells):
                yield start, cells
            cells, held = [], []
            break


def read_records(
    path: Path, encoding: str, problems: Problems, *, multiline: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV list file, decoded strictly in ``encoding``."""
    with open_list(path) as raw:
        yield from csv_records(iter_checked_lines(raw, encoding), problems, multiline=multiline)


def make_party(line: int, problems: Problems, **fields: object) -> Party | None:
    """The party of a list entry, or None and a problem on its line if it cannot be one."""
    try:
        return Party.model_validate(fields)
    except ValidationError as exc:
        what = "; ".join(
            f"{' '.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        problems.add(f"the entry cannot be used ({what})", line)
        return None


def unreadable(path: Path, exc: OSError) -> Problem:
    """A file the system would not let be read (the list's, or the alt.csv beside it)."""
    return Problem(
        file=str(exc.filename or path), message=f"cannot be read ({exc.strerror or exc})"
    )


# The lists given as pipes, read whole by load_lists while it loads them.
SPOOLED: ContextVar[dict[Path, bytes] | None] = ContextVar("shipscreen_lists", default=None)


def open_list(path: Path) -> BinaryIO:
    """A list file's bytes, from the start (read again, or from what load_lists spooled)."""
    data = (SPOOLED.get() or {}).get(path)
    return io.BytesIO(data) if data is not None else path.open("rb")


def person_names(name: str) -> list[str]:
    """'LAST, First Middle' also as 'First Middle LAST'."""
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if last and first:
            return [name, f"{first} {last}"]
    return [name]
