"""A field the engine could not read is never a silent low (issue 15, item 8): every output
carries it, the summary, manifest and report count such rows, ``--fail-on-unread`` stops a
pipeline on them, and columns and ``--columns`` entries that were not used are counted."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine import Screener
from engine.io.header import Header
from engine.reading.record import lost_text

SCREENER = Screener.default()
HEADER = "shipment_id,consignee,consignee_country,hs_code,description,destination_country,end_use\n"


@pytest.mark.parametrize(
    ("row", "unread"),
    [
        ({"consignee": "#REF!", "hs_code": "8542.31"}, ["consignee"]),
        ({"consignee": "#N/A", "hs_code": "8542.31"}, ["consignee"]),
        ({"consignee": "???? ??????????", "hs_code": "8542.31"}, ["consignee"]),
        ({"consignee": "\ufffd\ufffd\ufffd \ufffd\ufffd", "hs_code": "8542.31"}, ["consignee"]),
        ({"consignee": "12345", "hs_code": "8542.31"}, ["consignee"]),
        ({"consignee": "Orion LLC", "destination_country": "Narnia"}, ["destination_country"]),
        ({"consignee": "Orion LLC", "hs_code": "abc"}, ["hs_code"]),
        ({"consignee": "Orion LLC", "end_use": "#VALUE!"}, ["end_use"]),
        ({"consignee": "Orion LLC", "value_usd": "12 apples"}, ["value_usd"]),
        ({"consignee": "Orion LLC", "transit_countries": "KZ; Narnia"}, ["transit_countries"]),
        # Read, or a placeholder for none: nothing unread.
        ({"consignee": "Orion LLC (Moscow)?", "hs_code": "8542.31"}, []),
        ({"consignee": "Orion LLC", "notify_party": "-"}, []),
        ({"consignee": "Orion LLC", "description": "Is it? Yes."}, []),
        (
            {
                "consignee": "Orion LLC",
                "hs_code": "8542.31",
                "destination_country": "Moscow, Russia",
            },
            [],
        ),
    ],
)
def test_unread_fields(row: dict[str, str], unread: list[str]) -> None:
    result = SCREENER.screen(row)
    assert result.unread == unread
    assert all(any(field in note for note in result.notes) for field in unread)


def test_lost_text() -> None:
    assert lost_text("#DIV/0!") is not None
    assert lost_text("  #NAME?  ") is not None
    assert lost_text("No. #12 Street") is None
    assert lost_text("???") is not None
    assert lost_text("Tea?") is None


def test_the_quiet_lane_sends_unread_rows_the_full_path() -> None:
    """The lane and the full path agree on rows with unread cells (they are never quiet)."""
    from engine.reading.record import InputRow

    fields = ["shipment_id", "consignee", "consignee_country", "hs_code", "description"]
    for cells in (
        ["S1", "#REF!", "DE", "0901.21", "Roasted coffee"],
        ["S2", "????", "DE", "0901.21", "Roasted coffee"],
        ["S3", "Orion GmbH", "DE", "0901.21", "#N/A"],
        ["S4", "Orion GmbH", "DE", "6307.90", "thermal rifle scope"],
    ):
        row = InputRow(line=2, cells=cells, fields=fields)
        fast = SCREENER.screen_input_row(row)
        assert not hasattr(fast, "screener"), cells  # not a Quiet
        assert fast.notes, cells


def _screen(tmp_path: Path, data: str, *args: str) -> tuple[int, str, Path]:
    src = tmp_path / "in.csv"
    src.write_text(data, encoding="utf-8")
    out = tmp_path / "out"
    outputs = ["-o", f"{out}.csv", "-o", f"{out}.jsonl", "-o", f"{out}.html"]
    result = CliRunner().invoke(main, ["screen", str(src), *outputs, *args])
    return result.exit_code, result.stderr, out


def test_every_output_carries_the_unread_fields(tmp_path: Path) -> None:
    data = HEADER + (
        "S1,#REF!,RU,8542.31,Integrated circuits,RU,\n"
        "S2,Orion LLC,Narnia,0901.21,Roasted coffee,Narnia,\n"
        "S3,Orion LLC,DE,0901.21,Roasted coffee,DE,\n"
    )
    code, err, out = _screen(tmp_path, data)
    assert code == 0, err
    with open(f"{out}.csv", encoding="utf-8", newline="") as fh:
        rows = {r["shipment_id"]: r for r in csv.DictReader(fh)}
    assert rows["S1"]["unread"] == "consignee"
    assert rows["S2"]["unread"] == "consignee_country;destination_country"
    assert rows["S3"]["unread"] == ""
    records = [json.loads(line) for line in Path(f"{out}.jsonl").read_text().splitlines()]
    assert [r["unread"] for r in records] == [
        ["consignee"],
        ["consignee_country", "destination_country"],
        [],
    ]
    html = Path(f"{out}.html").read_text(encoding="utf-8")
    assert "2 shipments were screened without a field they fill" in html
    assert (
        "Not read (the band does not account for them): consignee_country, destination_country"
        in html
    )
    manifest = json.loads(Path(f"{out}.csv.manifest.json").read_text())
    assert manifest["rows"]["unread"] == 2
    assert manifest["rows"]["unread_by_field"] == {
        "consignee": 1,
        "consignee_country": 1,
        "destination_country": 1,
    }
    assert "2 rows were screened without a field they fill" in err


def test_fail_on_unread(tmp_path: Path) -> None:
    data = HEADER + "S1,#REF!,RU,8542.31,Integrated circuits,RU,\n"
    code, err, _ = _screen(tmp_path, data, "--fail-on-unread")
    assert code == 1
    assert "1 rows have fields that could not be read (--fail-on-unread)" in err
    clean = HEADER + "S1,Orion LLC,DE,0901.21,Roasted coffee,DE,\n"
    assert _screen(tmp_path, clean, "--fail-on-unread")[0] == 0


def test_a_misspelt_column_map_entry_is_counted_and_can_stop_the_run(tmp_path: Path) -> None:
    """A German file whose --columns file misspells the HS code's header: the header named
    nowhere is said, the column left unread is counted, and --fail-on-unread stops the run."""
    data = (
        "Sendungsnummer,Empfänger,Empfängerland,Zolltarifnummer,Warenbeschreibung\n"
        "D1,Orion LLC,Russland,8542.31,Integrierte Schaltungen\n"
    )
    columns = tmp_path / "columns.yaml"
    columns.write_text(
        "Sendungsnummer: shipment_id\nEmpfänger: consignee\nEmpfängerland: consignee_country\n"
        "Zolltarifnumer: hs_code\nWarenbeschreibung: description\n",
        encoding="utf-8",
    )
    code, err, out = _screen(tmp_path, data, "--columns", str(columns))
    assert code == 0, err
    assert "'Zolltarifnumer' (hs_code) names no column of the input" in err
    assert "did you mean 'Zolltarifnummer'?" in err
    assert "'Zolltarifnummer'" in err
    assert "passed through unscreened" in err
    manifest = json.loads(Path(f"{out}.csv.manifest.json").read_text())
    assert manifest["input"]["column_map_unmatched"] == ["Zolltarifnumer"]
    assert manifest["input"]["columns_unrecognised"] == ["Zolltarifnummer"]
    code, err, _ = _screen(tmp_path, data, "--columns", str(columns), "--fail-on-unread")
    assert code == 1
    assert "--columns entries name no column: Zolltarifnumer" in err


def test_header_counts() -> None:
    header = Header.read(["Consignee", "Notes", "HS"], {"Warenbeschreibung": "description"})
    assert header.unrecognised == ["Notes"]
    assert header.unmatched_map == ["Warenbeschreibung"]
