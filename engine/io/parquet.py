"""Parquet output: the input columns as text and the result columns typed, through pyarrow.

pyarrow is an optional dependency (``pip install 'shipscreen[parquet]'``), imported only when a
Parquet file is written.  Rows are written a batch at a time (one row group a batch), to a
temporary file beside the target that is renamed when complete, as the other outputs are.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from engine.io.atomic import AtomicFile
from engine.io.csvwriter import result_cells
from engine.io.header import Header
from engine.results import RESULT_COLUMNS, Quiet, Screened, ScreenResult


def parquet_available() -> bool:
    """Whether pyarrow is installed."""
    return importlib.util.find_spec("pyarrow") is not None


class ParquetRenderer:
    """Renders screened rows as columns (lists by column name), ready to become a table."""

    def __init__(self, keys: list[str]) -> None:
        self._keys = keys

    def render(self, rows: Screened) -> dict[str, list[Any]]:
        """The columns of ``rows`` (cells, result), in order."""
        columns: dict[str, list[Any]] = {k: [] for k in [*self._keys, *RESULT_COLUMNS]}
        inputs = [columns[k] for k in self._keys]
        scores, bands, rule_ids, reasons, errors, unread = (columns[k] for k in RESULT_COLUMNS)
        width = len(self._keys)
        for cells, quiet_or_result in rows:
            padded = [*cells, *[""] * (width - len(cells))]
            for column, cell in zip(inputs, padded, strict=False):
                column.append(cell)
            result = (
                quiet_or_result.result() if isinstance(quiet_or_result, Quiet) else quiet_or_result
            )
            _, _, ids, why, _, fields = result_cells(result)
            scores.append(result.score if result.error is None else None)
            bands.append(str(result.band) if result.band is not None else None)
            rule_ids.append(ids)
            reasons.append(why)
            errors.append(result.error)
            unread.append(fields)
        return columns


class ParquetWriter:
    """Writes screened rows to a Parquet file atomically (a temporary file renamed when done)."""

    def __init__(self, path: str | Path, header: Header) -> None:
        pa = importlib.import_module("pyarrow")
        parquet = importlib.import_module("pyarrow.parquet")
        self._pa = pa
        self.path = Path(path)
        self.name = str(path)
        keys = header.table_keys
        self.renderer = ParquetRenderer(keys)
        self._schema = pa.schema(
            [
                *((k, pa.string()) for k in keys),
                ("risk_score", pa.float64()),
                *((k, pa.string()) for k in RESULT_COLUMNS[1:]),
            ]
        )
        self._atomic = AtomicFile(path, binary=True)
        self._writer = parquet.ParquetWriter(self._atomic.file, self._schema)

    def write(self, cells: list[str], result: ScreenResult) -> None:
        """Write one input row with its result."""
        self.write_rendered(self.renderer.render([(cells, result)]))

    def write_rendered(self, columns: dict[str, list[Any]]) -> None:
        """Write rows rendered by :attr:`renderer` (one row group)."""
        if columns["risk_score"]:
            self._writer.write_table(self._pa.table(columns, schema=self._schema))

    def finish(self) -> None:
        """Write the file's footer and close it (under its temporary name)."""
        self._writer.close()
        self._atomic.finish()

    def commit(self) -> None:
        """Finish the file and move it into place."""
        self.finish()
        self._atomic.commit()

    def abort(self) -> None:
        """Discard the partial file."""
        try:
            self._writer.close()
        except OSError:
            pass  # a full disk fails the footer's write: the file goes all the same
        finally:
            self._atomic.abort()
