"""Screening a pandas DataFrame: each row screened by the code that screens a CSV row.

pandas is an optional dependency (``pip install 'shipscreen[pandas]'``); this module imports it
only when a frame is screened.  Column names are read as a CSV header is (canonical names, common
variants, or a ``columns`` map), cells are read as text (missing values as empty), and a shipment id
an earlier row used gets the same note as in a file.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from engine.io.csvreader import RowShaper, ShipmentReader, duplicate_note
from engine.io.csvwriter import result_cells
from engine.io.header import Header
from engine.io.outputs import full
from engine.results import RESULT_COLUMNS

if TYPE_CHECKING:
    from engine.screener import Screener


def cell_of(value: Any, isna: Callable[[Any], Any] | None = None) -> str:
    """A value of a table as the text of a cell, as the engine reads it: missing values (None,
    NaN, and what ``isna``, e.g. pandas.isna, calls missing) empty; a whole float as an integer
    (1500.0, as pandas reads a number column with gaps, is "1500")."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
        return str(value)
    if isna is not None:
        try:
            if bool(isna(value)):
                return ""
        except (TypeError, ValueError):  # a list or other container in a cell
            pass
    return str(value)


def screen_frame(
    screener: Screener,
    frame: Any,
    *,
    columns: Mapping[str, str] | None = None,
    hits: bool = False,
) -> Any:
    """A copy of the DataFrame ``frame`` with the result columns added after its own.

    ``risk_score`` (a float, missing for a row that could not be screened), ``risk_band``,
    ``rule_ids`` (``;``-separated), ``reasons`` (as in the CSV output) and ``error``; with
    ``hits``, also ``hits``: each hit with its evidence, as JSON.  Rows are numbered (in messages
    and default shipment ids) as the lines of a CSV file with a header: the first is line 2.
    Raises ValueError if no column names a shipment field, or if the frame has a result column
    already.
    """
    pandas = importlib.import_module("pandas")
    isna = pandas.isna
    names = [str(c) for c in frame.columns]
    added = [*RESULT_COLUMNS, *(["hits"] if hits else [])]
    if clash := sorted(set(names) & set(added)):
        raise ValueError(f"the frame has result columns already: {', '.join(clash)}")
    header = Header.read(names, columns)
    if (message := header.no_field_message()) is not None:
        raise ValueError(message)
    shaper = RowShaper(header, ShipmentReader.MAX_FIELD)  # as a file's rows are shaped
    seen: set[str] = set()
    out: dict[str, list[Any]] = {name: [] for name in added}
    # Rows are numbered as the lines of a CSV file with a header: the first row is line 2.
    for line, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        row = shaper.shape(line, [cell_of(v, isna) for v in values], None)
        if shipment_id := shaper.shipment_id(row.cells):
            if shipment_id in seen:
                row = row.with_note(duplicate_note(shipment_id))
            seen.add(shipment_id)
        result = full(screener.screen_row(row))
        _, _, rule_ids, reasons, _, unread = result_cells(result)
        out["risk_score"].append(result.score if result.error is None else None)
        out["risk_band"].append(str(result.band) if result.band is not None else None)
        out["rule_ids"].append(rule_ids)
        out["reasons"].append(reasons)
        out["error"].append(result.error)
        out["unread"].append(unread)
        if hits:
            out["hits"].append(json.dumps([h.model_dump(mode="json") for h in result.hits]))
    screened = frame.copy()
    for name in added:
        dtype = "float64" if name == "risk_score" else "object"
        screened[name] = pandas.Series(out[name], index=frame.index, dtype=dtype)
    return screened
