"""Streaming CSV input and output: one row at a time, never the whole file in memory."""

from __future__ import annotations

import csv
import os
import secrets
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

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


class ShipmentReader:
    """Reads a shipment CSV file row by row."""

    def __init__(
        self,
        path: str | Path,
        *,
        columns: Mapping[str, str] | None = None,
        encoding: str = "utf-8-sig",
    ) -> None:
        self.path = str(path)
        try:
            self._file: IO[str] = open(path, encoding=encoding, newline="")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", file=self.path) from exc
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
    """Writes screened rows to a CSV file atomically: a temporary file renamed when complete."""

    def __init__(self, path: str | Path, header: Header) -> None:
        self.path = Path(path)
        # A temporary name beside the output (so the final rename stays on one file system), created
        # with the user's umask like any file they write, not mkstemp's private 0600.
        self._tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(header.output_columns)

    def write(self, cells: Sequence[str], result: ScreenResult) -> None:
        """Write one input row with its result."""
        self._writer.writerow([*(neutralise(c) for c in cells), *result_cells(result)])

    def commit(self) -> None:
        """Finish the file and move it into place."""
        self._file.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Discard the partial file."""
        self._file.close()
        self._tmp.unlink(missing_ok=True)

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
