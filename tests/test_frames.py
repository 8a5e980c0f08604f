"""Screening a pandas DataFrame gives, row for row, what screening the same rows as CSV gives."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from engine import Screener
from engine.io.csvreader import ShipmentReader
from engine.io.csvwriter import ResultWriter
from tests.conftest import shared_path

pd = pytest.importorskip("pandas", reason="pandas is in the test extra")

RESULTS = ["risk_score", "risk_band", "rule_ids", "reasons", "error", "unread"]


def _csv_results(screener: Screener, path: Path) -> list[dict[str, str]]:
    out = io.StringIO()
    with ShipmentReader(path) as reader:
        writer = ResultWriter(out, reader.header)
        for row in reader:
            writer.write(row.cells, screener.screen_input_row(row))
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _frame_results(screened: object) -> list[dict[str, str]]:
    rows = []
    for record in screened.to_dict("records"):  # type: ignore[attr-defined]
        score = record["risk_score"]
        rows.append(
            {
                "risk_score": "" if pd.isna(score) else f"{score:.1f}",
                "risk_band": record["risk_band"] or "",
                "rule_ids": record["rule_ids"],
                "reasons": record["reasons"],
                "error": record["error"] or "",
                "unread": record["unread"],
            }
        )
    return rows


def _agree(screener: Screener, path: Path) -> int:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    screened = screener.screen_frame(frame)
    assert list(screened.columns) == [*frame.columns, *RESULTS]
    assert screened.index.equals(frame.index)
    expected = [{k: r[k] for k in RESULTS} for r in _csv_results(screener, path)]
    assert _frame_results(screened) == expected
    return len(expected)


def test_the_example_screens_alike(screener: Screener, repo: Path) -> None:
    assert _agree(screener, repo / "examples" / "shipments.csv") == 19


def test_the_dev_set_screens_alike(screener: Screener) -> None:
    assert _agree(screener, shared_path("dev-set", "shipments.csv")) == 600


def test_typed_cells_mapped_columns_and_hits(screener: Screener) -> None:
    frame = pd.DataFrame(
        {
            "Shipment ID": ["A1", "A2", "A1", None],
            "Consignee Name": ["Rosoboronexport", "Lyon Ceramics SARL", "Acme", None],
            "Country of Destination": ["RU", "FR", "DE", None],
            "HS Code": ["8542.31", "6911.10", "0901.21", None],
            "Value": [1500.0, float("nan"), 12, None],
        },
        index=[10, 20, 30, 40],
    )
    screened = screener.screen_frame(frame, columns={"Value": "value_usd"}, hits=True)
    assert list(screened.index) == [10, 20, 30, 40]
    assert screened.loc[10, "risk_band"] == "critical"
    assert "sanctioned-party" in screened.loc[10, "rule_ids"].split(";")
    hits = json.loads(screened.loc[10, "hits"])
    assert hits[0]["rule_id"] == "sanctioned-party"
    assert hits[0]["evidence"]
    assert screened.loc[20, "risk_band"] == "low"
    assert json.loads(screened.loc[20, "hits"]) == []
    assert "used by an earlier row" in screened.loc[30, "reasons"]
    assert screened.loc[40, "error"].startswith("line 5: no party or goods field")
    assert pd.isna(screened.loc[40, "risk_score"])
    assert screened["risk_score"].dtype == "float64"


def test_unusable_frames_are_refused(screener: Screener) -> None:
    with pytest.raises(ValueError, match="no column names a shipment field"):
        screener.screen_frame(pd.DataFrame({"colour": ["red"]}))
    with pytest.raises(ValueError, match="result columns already: risk_band"):
        screener.screen_frame(pd.DataFrame({"consignee": ["Acme"], "risk_band": ["low"]}))
