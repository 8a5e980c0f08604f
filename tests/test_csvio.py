"""Streaming CSV input and output: every row comes back, screened or with its error."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from engine import InputError, Screener
from engine.io.csvreader import ShipmentReader
from engine.io.csvwriter import ResultWriter, neutralise
from engine.io.header import Header
from engine.results import RESULT_COLUMNS


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def screen_file(screener: Screener, src: Path, dst: Path) -> list[dict[str, str]]:
    with ShipmentReader(src) as reader, ResultWriter(dst, reader.header) as writer:
        for row in reader:
            writer.write(row.cells, screener.screen_input_row(row))
    with dst.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_header_variants_and_pass_through_columns(screener: Screener, tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.csv",
        [
            ["Reference", "Consignee Name", "Country of Destination", "HS Code", "Our Notes"],
            ["A1", "OOO Kamatorg", "Russian Federation", "8542.31", "keep me"],
        ],
    )
    [row] = screen_file(screener, src, tmp_path / "out.csv")
    assert row["Reference"] == "A1"
    assert row["Our Notes"] == "keep me"
    assert row["risk_band"] == "high"
    assert row["rule_ids"] == "controlled-goods-to-russia-belarus"
    assert "HS 8542.31" in row["reasons"]
    assert "Russian Federation" in row["reasons"]


def test_every_row_comes_back_with_its_error(screener: Screener, tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.csv",
        [
            ["shipment_id", "consignee", "hs_code"],
            ["1", "Rostec", "0901.21"],
            ["2", "", ""],
            ["3", "Acme", "8542.31", "an extra cell"],
            ["4", "Acme"],
        ],
    )
    rows = screen_file(screener, src, tmp_path / "out.csv")
    assert [r["shipment_id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["risk_band"] == "critical"
    assert rows[0]["error"] == ""
    assert rows[1]["error"].startswith("line 3: no party or goods field")
    assert rows[1]["risk_band"] == ""
    assert rows[1]["risk_score"] == ""
    assert rows[2]["error"].startswith("line 4: 4 cells but the header has 3 columns")
    assert "an extra cell" in rows[2]["error"]
    assert rows[3]["risk_band"] == "low"
    assert "missing cells read as empty" in rows[3]["reasons"]


def test_line_numbers_count_multiline_cells(screener: Screener, tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.csv",
        [["consignee", "description"], ["Acme", "two\nlines"], ["", ""]],
    )
    rows = screen_file(screener, src, tmp_path / "out.csv")
    assert rows[1]["error"].startswith("line 4:")


def test_output_column_clash_is_renamed(screener: Screener, tmp_path: Path) -> None:
    header = Header.read(["consignee", "risk_band"])
    assert header.output_columns == ["consignee", "input_risk_band", *RESULT_COLUMNS]


def test_duplicate_meanings_pass_through_with_a_warning() -> None:
    header = Header.read(["Consignee", "Buyer", "HS Code"])
    assert header.fields == ["consignee", None, "hs_code"]
    assert "also means consignee" in header.warnings[0]


def test_a_columns_map_names_other_headers() -> None:
    header = Header.read(
        ["Empfänger", "Zolltarifnummer"], {"Empfänger": "consignee", "Zolltarifnummer": "hs_code"}
    )
    assert header.fields == ["consignee", "hs_code"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file: no header row"),
        ("colour,size\nred,1\n", "no column names a shipment field"),
    ],
)
def test_unusable_files(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        ShipmentReader(src)
    assert str(src) in str(err.value)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        ShipmentReader(tmp_path / "absent.csv")


def test_a_bom_is_not_part_of_the_first_header(screener: Screener, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("\ufeffconsignee,hs_code\nRostec,01\n".encode())
    results = list(screener.screen_csv(src))
    assert results[0].band == "critical"


def test_formulas_are_neutralised() -> None:
    assert neutralise('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-12.5") == "-12.5"
    assert neutralise("Acme") == "Acme"
    # Fullwidth forms, and spaces before the sign (no-break ones too), start a formula as well.
    for cell in ("＝cmd|' /C calc'!A0", "＋1", "＠SUM(A1)", " =1+2", "\u00a0=cmd", "\u3000-x"):
        assert neutralise(cell) == "'" + cell
    assert neutralise(" -5") == " -5"  # a number with a space is a number
    assert neutralise("a=b") == "a=b"


def test_header_cells_are_neutralised(screener: Screener) -> None:
    header = Header.read(["consignee", '=HYPERLINK("http://x")', "＠notes"])
    out = io.StringIO()
    writer = ResultWriter(out, header)
    writer.write(["Acme", "a", "b"], screener.screen({"consignee": "Acme"}))
    writer.finish()
    first = next(csv.reader(io.StringIO(out.getvalue())))
    assert first[:3] == ["consignee", '\'=HYPERLINK("http://x")', "'＠notes"]


def test_an_interrupted_write_leaves_no_output(screener: Screener, tmp_path: Path) -> None:
    dst = tmp_path / "out.csv"
    header = Header.read(["consignee"])

    def interrupted_run() -> None:
        with ResultWriter(dst, header) as writer:
            writer.write(["Acme"], screener.screen({"consignee": "Acme"}))
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_run()
    assert not dst.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_output_gets_ordinary_permissions(screener: Screener, tmp_path: Path) -> None:
    dst = tmp_path / "out.csv"
    old = os.umask(0o022)
    try:
        with ResultWriter(dst, Header.read(["consignee"])) as writer:
            writer.write(["Acme"], screener.screen({"consignee": "Acme"}))
    finally:
        os.umask(old)
    assert dst.stat().st_mode & 0o777 == 0o644


def test_the_reader_streams(screener: Screener, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["consignee", "hs_code"])
        for i in range(2000):
            writer.writerow([f"Firm {i}", "0901.21"])
    results = screener.screen_csv(src)
    first = next(results)  # a generator: the first result comes before the file is read whole
    assert first.shipment_id == "row-2"
    assert sum(1 for _ in results) == 1999
