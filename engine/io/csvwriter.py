"""CSV output: the input cells, neutralised against spreadsheet formulas, then the results."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from engine.io.atomic import TextOutput
from engine.io.header import Header
from engine.results import Quiet, QuietSource, Screened, ScreenResult

# How a cell that spreadsheets run as a formula starts: = + - @, in their ASCII or fullwidth
# forms (which spreadsheets read alike), after any spaces (no-break and other Unicode spaces
# included, which some spreadsheets skip); or a tab or a carriage return.
_FORMULA = (
    "[\\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]*[=+\\-@\uff1d\uff0b\uff0d\uff20]|[\t\r]"
)
_FORMULA_AT_START = re.compile(_FORMULA)


def neutralise(cell: str) -> str:
    """Make a cell that a spreadsheet would evaluate inert by prefixing an apostrophe (a number
    such as -12.5 stays as it is)."""
    if _FORMULA_AT_START.match(cell):
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell


_MAYBE_FORMULA = re.compile(f"\x1f(?:{_FORMULA})")


def neutralised(cells: list[str]) -> list[str]:
    """The cells with :func:`neutralise` applied (the same list when none needs it)."""
    # One search of the joined cells finds a cell that may start a formula.
    if _MAYBE_FORMULA.search("\x1f" + "\x1f".join(cells)) is None:
        return cells
    return [neutralise(c) for c in cells]


def result_cells(result: ScreenResult) -> list[str]:
    """The result columns for one shipment."""
    if result.error is not None:
        return ["", "", "", "", result.error, ""]
    if not result.hits and not result.notes:
        return [f"{result.score:.1f}", str(result.band), "", "", "", ""]
    reasons = " | ".join(
        [*(f"{h.rule_id}: {h.message}" for h in result.hits), *(f"note: {n}" for n in result.notes)]
    )
    unread = ";".join(result.unread)
    return [f"{result.score:.1f}", str(result.band), ";".join(result.rule_ids), reasons, "", unread]


class ScreenedBatch:
    """Screened rows, in order, as a worker keeps them: a row the quiet lane passed is kept as
    its cells and line number, and its :class:`Quiet` is made only when a renderer asks.

    Iterating gives (cells, result) as :data:`Screened` does; the CSV renderer reads the lists
    themselves, and writes a quiet row that has a reusable input line (``lines``) as that line.
    """

    def __init__(self, screener: QuietSource, shipment_id: Callable[[list[str], int], str]) -> None:
        self.cells: list[list[str]] = []
        self.results: list[ScreenResult | Quiet | None] = []  # None: quiet, no Quiet made yet
        self.numbers: list[int] = []
        # Each row's input line (without its line end) where it is what the CSV output writes
        # the row's cells as (see writes_as) and the row is quiet, else None.
        self.lines: list[str | None] = []
        self.screener = screener
        self._shipment_id = shipment_id

    def add(
        self, cells: list[str], result: ScreenResult | Quiet | None, number: int, line: str | None
    ) -> None:
        """Add a row: ``result`` None for a row the quiet lane passed."""
        self.cells.append(cells)
        self.results.append(result)
        self.numbers.append(number)
        self.lines.append(line)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[tuple[Sequence[str], ScreenResult | Quiet]]:
        screener, shipment_id = self.screener, self._shipment_id
        for cells, result, number in zip(self.cells, self.results, self.numbers, strict=True):
            if result is None:
                result = Quiet(shipment_id(cells, number), number, screener)
            yield cells, result


class CsvRenderer:
    """Renders screened rows as CSV text: the input cells, neutralised, then the result columns.

    A row with fewer cells than ``width`` (one that could not be parsed has none) is padded with
    empty cells, so that every line has the header's columns.
    """

    def __init__(self, width: int = 0) -> None:
        self.width = width

    def _cells(self, cells: Sequence[str]) -> list[str]:
        cells = neutralised(list(cells))
        if len(cells) < self.width:
            cells += [""] * (self.width - len(cells))
        return cells

    def render(self, rows: Screened | ScreenedBatch) -> str:
        """The CSV lines of ``rows`` (cells, result), in order.  A :class:`ScreenedBatch` writes
        a quiet row whose input line writes as its cells do as that line and the result columns,
        without writing its cells again."""
        if isinstance(rows, ScreenedBatch):
            return self._render_batch(rows)
        buffer = io.StringIO()
        write = csv.writer(buffer).writerow
        for cells, result in rows:
            tail = result.cells if isinstance(result, Quiet) else result_cells(result)
            write(self._cells(cells) + tail)
        return buffer.getvalue()

    def _render_batch(self, batch: ScreenedBatch) -> str:
        buffer = io.StringIO()
        write = csv.writer(buffer).writerow
        quiet = batch.screener._quiet_cells
        tail = _csv_line(["", *quiet])
        for cells, result, line in zip(batch.cells, batch.results, batch.lines, strict=True):
            if line is not None:
                buffer.write(line + tail)
            elif result is None:
                write(self._cells(cells) + quiet)
            elif isinstance(result, Quiet):
                write(self._cells(cells) + result.cells)
            else:
                write(self._cells(cells) + result_cells(result))
        return buffer.getvalue()


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


_FORMULA_AFTER_COMMA = re.compile(f",(?:{_FORMULA})")


def writes_as(line: str) -> bool:
    """Whether ``line`` (an input line without its line end) is exactly how the CSV output writes
    the cells it holds: comma-separated, no quote, no cell a spreadsheet would run as a formula.
    Its cells are then ``line.split(",")``."""
    return '"' not in line and _FORMULA_AFTER_COMMA.search("," + line) is None


class ResultWriter(TextOutput):
    """Writes screened rows to a CSV file atomically: a temporary file renamed when complete.

    Input cells a spreadsheet would evaluate are neutralised; the JSON Lines output keeps them as
    they were.  ``path`` may be an open text stream (standard output), written as it goes.
    """

    renderer: CsvRenderer

    def __init__(self, path: str | Path | IO[str], header: Header) -> None:
        super().__init__(path)
        self.renderer = CsvRenderer(len(header.columns))
        # The header's cells come from the input too: neutralised like any other.
        csv.writer(self._stream).writerow(neutralised(header.output_columns))

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
