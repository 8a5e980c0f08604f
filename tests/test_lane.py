"""The fast paths give exactly what the full path gives.

The quiet lane (engine.rules.gates.QuietLane) screens rows from their cells, and a worker process
(engine.scale.pool) parses runs of clean records again and reuses an input line as its output; for
any row, the result and every output format must be what screening the row in full and writing it
cell by cell give.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Screener
from engine.io.csvreader import ShipmentReader
from engine.io.csvwriter import ResultWriter, writes_as
from engine.io.outputs import JsonlWriter, full
from engine.reading.record import FIELDS, read_raw
from engine.rules.gates import FULL, QUIET
from engine.scale import pool as engine_run
from engine.testing import any_shipments, country_spellings

SCREENER = Screener.default()
CATALOGUE = SCREENER.catalogue
PHRASES = sorted({p for pl in CATALOGUE.phrase_lists.values() for p in pl.phrases})
COLUMNS = [*FIELDS, "comment"]

# Values that make a row noteworthy or awkward to read and write.
_ODD = st.sampled_from(
    ["", "  ", " DE ", "Atlantis", "12 boxes", "=1+2", "-5", "+7", "@home", "a,b", 'say "hi"',
     "two\nlines", "two\r\nlines", "HS 8542.31", "854231", "99x", "TR; Narnia", "\t tab",
     " =1+2", "\u00a0=cmd", "＝cmd", "＋7", " -5"]
)  # fmt: skip


@st.composite
def _rows(draw: Any) -> dict[str, str]:
    row = {k: str(v) for k, v in draw(any_shipments(catalogue=CATALOGUE)).items()}
    for _ in range(draw(st.integers(0, 3))):
        row[draw(st.sampled_from(COLUMNS))] = draw(_ODD)
    if draw(st.booleans()):
        field = draw(st.sampled_from(["description", "end_use", "end_user"]))
        row[field] = " ".join(draw(st.lists(st.sampled_from([*PHRASES, "goods"]), max_size=3)))
    if draw(st.booleans()):
        row["transit_countries"] = draw(country_spellings(catalogue=CATALOGUE))
    return row


def _write(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.get(c, "") for c in COLUMNS])


def _full_path(path: Path) -> tuple[list[Any], str, str]:
    """Every row screened in full and written cell by cell: the reference."""
    csv_out, jsonl_out = io.StringIO(), io.StringIO()
    with ShipmentReader(path) as reader:
        writers = [ResultWriter(csv_out, reader.header), JsonlWriter(jsonl_out, reader.header)]
        results = []
        for row in reader:
            result = SCREENER.screen_input_row(row)
            results.append(result)
            for writer in writers:
                writer.write(row.cells, result)
    return results, csv_out.getvalue(), jsonl_out.getvalue()


def _worker_path(path: Path, batch: int) -> tuple[str, str]:
    """The rows as the main process sends them to workers and the workers screen them."""
    csv_out, jsonl_out = io.StringIO(), io.StringIO()
    with ShipmentReader(path) as reader:
        writers = [ResultWriter(csv_out, reader.header), JsonlWriter(jsonl_out, reader.header)]
        engine_run.set_worker(
            SCREENER, [w.renderer for w in writers], reader.shaper, reader.delimiter
        )
        for segments, _ in engine_run._work(reader, batch):
            done = engine_run._screen_in_worker(segments)
            for writer, piece in zip(writers, done.pieces, strict=True):
                writer.write_rendered(piece)
    return csv_out.getvalue(), jsonl_out.getvalue()


@settings(max_examples=40)
@given(
    rows=st.lists(_rows(), min_size=1, max_size=25),
    repeat=st.booleans(),
    batch=st.integers(1, 9),
    delimiter=st.sampled_from([",", ";"]),
)
def test_fast_paths_give_what_the_full_path_gives(
    rows: list[dict[str, str]], repeat: bool, batch: int, delimiter: str
) -> None:
    if repeat:  # duplicate shipment ids
        rows = rows + rows[: len(rows) // 2]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shipments.csv"
        _write(path, rows, delimiter=delimiter)
        results, csv_text, jsonl_text = _full_path(path)
        with ShipmentReader(path) as reader:
            lane = [full(SCREENER.screen_row(row)) for row in reader]
        assert lane == results
        assert _worker_path(path, batch) == (csv_text, jsonl_text)


def test_the_lane_takes_ordinary_rows_and_leaves_the_rest(tmp_path: Path) -> None:
    ordinary = {"shipment_id": "A1", "consignee": "Lyon Ceramics SARL", "consignee_country": "FR",
                "hs_code": "6911.10", "description": "Porcelain tableware"}  # fmt: skip
    others = [
        {**ordinary, "consignee_country": "Atlantis"},  # a note
        {**ordinary, "destination_country": "RU", "hs_code": "8542.31"},  # a gate opens
        {**ordinary, "consignee": "Rosoboronexport"},  # a listed name
        {**ordinary, "value_usd": "lots"},  # a note
    ]
    path = tmp_path / "rows.csv"
    _write(path, [ordinary, *others])
    with ShipmentReader(path) as reader:
        kinds = [type(SCREENER.screen_row(row)).__name__ for row in reader]
    assert kinds == ["Quiet", "ScreenResult", "ScreenResult", "ScreenResult", "ScreenResult"]


def test_an_input_line_stands_for_its_cells_only_when_written_alike() -> None:
    assert writes_as("A1,Lyon Ceramics SARL,FR,, 6911.10 ")
    assert not writes_as('A1,"Lyon, Ceramics",FR')
    assert not writes_as("A1,=HYPERLINK(1),FR")
    assert not writes_as("-5,x")
    assert writes_as("A-5,x-1")


@settings(max_examples=60)
@given(rows=st.lists(_rows(), min_size=1, max_size=10))
def test_the_lane_opens_the_gates_the_record_opens(rows: list[dict[str, str]]) -> None:
    """For every row the lane does not send the full path, it names the rules whose gates the
    row's record opens (none for a quiet row)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shipments.csv"
        _write(path, rows)
        with ShipmentReader(path) as reader:
            lane = SCREENER.quiet_lane(reader.shaper.fields)
            for row in reader:
                if row.error is not None or row.notes or lane.verdict(row.cells) == FULL:
                    continue
                record = read_raw(row.raw(), SCREENER._knowledge.resolver, default_id="x")
                expected = SCREENER._gates.open_rules(record)
                assert lane.open_rules(row.cells) == expected
                assert (lane.verdict(row.cells) == QUIET) == (not expected)
