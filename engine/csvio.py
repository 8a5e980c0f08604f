"""Streaming CSV input and output: one row at a time, never the whole file in memory."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO

from engine.atomic import AtomicFile
from engine.errors import InputError
from engine.record import FIELDS, canonical_field
from engine.results import ScreenResult

RESULT_COLUMNS: tuple[str, ...] = ("risk_score", "risk_band", "rule_ids", "reasons", "error")
# A cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# csv refuses fields over 128 KiB by default; a shipment file may legitimately hold long fields.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True, slots=True)
class InputRow:
    """One data row: its line number, its cells by header, the canonical values, and any error."""

    line: int
    cells: list[str]
    values: dict[str, str]
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass
class Header:
    """The input header and what each column means."""

    columns: list[str]
    fields: list[str | None]  # canonical field per column, or None to pass through
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, columns: Sequence[str], mapping: Mapping[str, str] | None = None) -> Header:
        """Map headers to canonical fields; the first column naming a field wins."""
        mapping = {k.strip().casefold(): v for k, v in (mapping or {}).items()}
        fields: list[str | None] = []
        taken: dict[str, str] = {}
        warnings: list[str] = []
        for column in columns:
            name = mapping.get(column.strip().lstrip("\ufeff").casefold()) or canonical_field(
                column
            )
            if name is not None and name in taken:
                warnings.append(
                    f"column '{column}' also means {name} (first given by '{taken[name]}'); "
                    "it is passed through unread"
                )
                name = None
            if name is not None:
                taken[name] = column
            fields.append(name)
        return cls(columns=list(columns), fields=fields, warnings=warnings)

    @property
    def output_columns(self) -> list[str]:
        """The input columns (renamed where they clash with result columns), then the results."""
        out = [f"input_{c}" if c in RESULT_COLUMNS else c for c in self.columns]
        return [*out, *RESULT_COLUMNS]


def load_column_map(path: str | Path) -> dict[str, str]:
    """Read a columns file (YAML mapping of input header -> canonical field)."""
    from engine.yamlio import load_yaml

    data, problems = load_yaml(Path(path))
    if problems:
        raise InputError("; ".join(p.message for p in problems), file=str(path))
    if not isinstance(data, dict):
        raise InputError("a columns file maps input headers to field names", file=str(path))
    out: dict[str, str] = {}
    for key, value in data.items():
        if value not in FIELDS:
            raise InputError(
                f"'{key}' maps to '{value}', which is not a field; fields: {', '.join(FIELDS)}",
                file=str(path),
            )
        out[str(key)] = str(value)
    return out


class _Tap(io.RawIOBase):
    """A byte stream that counts and hashes what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        self.sha256.update(data)
        return n

    def close(self) -> None:
        if self.raw is not sys.stdin.buffer:
            self.raw.close()
        super().close()


class ShipmentReader:
    """Reads a shipment CSV file (or standard input, ``-``) row by row.

    While it reads it counts the bytes (``bytes_read``, for progress) and hashes them
    (``sha256()``, for the run manifest); ``size`` is the file's size, or None for a stream.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        columns: Mapping[str, str] | None = None,
        encoding: str = "utf-8-sig",
    ) -> None:
        self.path = str(path)
        self.size: int | None = None
        try:
            if self.path == "-":
                raw: BinaryIO = sys.stdin.buffer
            else:
                raw = open(path, "rb")  # noqa: SIM115 - closed by __exit__
                self.size = os.fstat(raw.fileno()).st_size
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", file=self.path) from exc
        self._tap = _Tap(raw)
        self._file: IO[str] = io.TextIOWrapper(
            io.BufferedReader(self._tap), encoding=encoding, newline=""
        )
        self._reader = csv.reader(self._file)
        try:
            first = next(self._reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            self._file.close()
            raise InputError(f"cannot read the header: {exc}", file=self.path, line=1) from exc
        if first is None or not any(c.strip() for c in first):
            self._file.close()
            raise InputError("empty file: no header row", file=self.path, line=1)
        self.header = Header.read(first, columns)
        if not any(self.header.fields):
            self._file.close()
            raise InputError(
                "no column names a shipment field (e.g. shipper, consignee, hs_code, description); "
                f"header: {', '.join(first)}",
                file=self.path,
                line=1,
            )

    @property
    def bytes_read(self) -> int:
        """How many bytes of the input have been read so far."""
        return self._tap.count

    def sha256(self) -> str:
        """The SHA-256 of the bytes read (of the whole input once it has been read)."""
        return self._tap.sha256.hexdigest()

    def __enter__(self) -> ShipmentReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()

    def __iter__(self) -> Iterator[InputRow]:
        width = len(self.header.columns)
        fields = self.header.fields
        while True:
            line = self._reader.line_num + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                yield InputRow(line=line, cells=[], values={}, error=f"unreadable row: {exc}")
                continue
            if not cells:
                continue  # a blank line is not a row
            notes: tuple[str, ...] = ()
            error = None
            if len(cells) > width:
                extra = len(cells) - width
                error = (
                    f"line {line}: {len(cells)} cells but the header has {width} columns; "
                    f"the last {extra} cell(s) have no column: "
                    + ", ".join(repr(c) for c in cells[width:])
                )
            elif len(cells) < width:
                notes = (
                    f"row has {len(cells)} cells, the header {width}; missing cells read as empty",
                )
                cells = cells + [""] * (width - len(cells))
            values = {f: c for f, c in zip(fields, cells, strict=False) if f is not None}
            yield InputRow(line=line, cells=cells[:width], values=values, error=error, notes=notes)


def neutralise(cell: str) -> str:
    """Make a cell that a spreadsheet would evaluate inert by prefixing an apostrophe."""
    if cell.startswith(_FORMULA_START):
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell


def result_cells(result: ScreenResult) -> list[str]:
    """The result columns for one shipment."""
    if result.error is not None:
        return ["", "", "", "", result.error]
    reasons = " | ".join(
        [*(f"{h.rule_id}: {h.message}" for h in result.hits), *(f"note: {n}" for n in result.notes)]
    )
    return [f"{result.score:.1f}", str(result.band), ";".join(result.rule_ids), reasons, ""]


class ResultWriter:
    """Writes screened rows to a CSV file atomically: a temporary file renamed when complete.

    Input cells a spreadsheet would evaluate are neutralised; the JSON Lines output keeps them as
    they were.  ``path`` may be an open text stream (standard output), written as it goes.
    """

    def __init__(self, path: str | Path | IO[str], header: Header) -> None:
        if isinstance(path, str | Path):
            self._atomic: AtomicFile | None = AtomicFile(path)
            stream = self._atomic.file
        else:
            self._atomic, stream = None, path
        self._writer = csv.writer(stream)
        self._writer.writerow(header.output_columns)

    def write(self, cells: Sequence[str], result: ScreenResult) -> None:
        """Write one input row with its result."""
        self._writer.writerow([*(neutralise(c) for c in cells), *result_cells(result)])

    def commit(self) -> None:
        """Finish the file and move it into place."""
        if self._atomic is not None:
            self._atomic.commit()

    def abort(self) -> None:
        """Discard the partial file."""
        if self._atomic is not None:
            self._atomic.abort()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def row_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """Map a record given with any header spelling to canonical field names."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = canonical_field(str(key))
        if name is not None and name not in out:
            out[name] = value
    return out
