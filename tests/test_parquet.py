"""Parquet output: the CSV output's rows, with the result columns typed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine.io.csvreader import ShipmentReader
from engine.io.parquet import ParquetWriter

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is in the test extra")


def _rows_as_text(path: Path) -> list[list[str]]:
    table = pq.read_table(path).to_pylist()
    out = []
    for row in table:
        score = row["risk_score"]
        values = ["" if v is None else v for k, v in row.items() if k != "risk_score"]
        values.insert(len(values) - 5, "" if score is None else f"{score:.1f}")
        out.append(values)
    return out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_parquet_holds_what_the_csv_holds(repo: Path, tmp_path: Path, workers: str) -> None:
    example = repo / "examples" / "shipments.csv"
    parquet, text = tmp_path / "scored.parquet", tmp_path / "scored.csv"
    args = ["screen", str(example), "-o", str(parquet), "-o", str(text), "--workers", workers]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    with text.open(encoding="utf-8", newline="") as fh:
        expected = list(csv.reader(fh))
    schema = pq.read_schema(parquet)
    assert schema.names == expected[0]
    assert str(schema.field("risk_score").type) == "double"
    # The CSV neutralises formula-like cells; Parquet keeps every input cell as it was.
    got = _rows_as_text(parquet)
    assert len(got) == len(expected) - 1 == 19
    for row, want in zip(got, expected[1:], strict=True):
        assert row[-6:] == want[-6:]
        assert [c.lstrip("'") for c in row[:-6]] == [c.lstrip("'") for c in want[:-6]]
    assert (tmp_path / "scored.parquet.manifest.json").is_file()


def test_an_aborted_parquet_file_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("shipment_id,consignee,consignee\n1,Acme,Acme again\n", encoding="utf-8")
    with ShipmentReader(src) as reader:
        writer = ParquetWriter(tmp_path / "out.parquet", reader.header)
        writer.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_repeated_headers_get_unique_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("shipment_id,consignee,consignee\n1,Acme,Acme again\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "--no-manifest"])
    assert result.exit_code == 0, result.stderr
    row = pq.read_table(out).to_pylist()[0]
    assert (row["consignee"], row["consignee (2)"]) == ("Acme", "Acme again")


def test_parquet_cannot_go_to_standard_output(repo: Path) -> None:
    example = str(repo / "examples" / "shipments.csv")
    result = CliRunner().invoke(main, ["screen", example, "-o", "-", "--format", "parquet"])
    assert result.exit_code == 2
    assert "Parquet output goes to a file" in result.stderr
