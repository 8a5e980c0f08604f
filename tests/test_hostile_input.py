"""Broken and hostile input: every row is screened or reported with its line and the reason."""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from engine import InputError, Screener
from engine.decoding import detect_encoding
from engine.io.csvreader import ShipmentReader

HEADER = "shipment_id,consignee,consignee_country,hs_code,description\n"
SCREENER = Screener.default()


def screen(tmp_path: Path, data: bytes, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    out = tmp_path / "out.jsonl"
    args_ = ["screen", str(src), "-o", str(out), "-o", str(tmp_path / "out.csv"), *args]
    result = CliRunner().invoke(main, args_)
    records = []
    if out.exists():
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return result.exit_code, records, result.stderr


def errors(records: list[dict[str, Any]]) -> list[str]:
    return [r["error"] for r in records if r["error"]]


def test_an_empty_file_is_unusable(tmp_path: Path) -> None:
    for data in (b"", b"\n\n  \n"):
        code, records, err = screen(tmp_path, data)
        assert code == 2
        assert "empty file: no header row" in err
        assert records == []


def test_a_header_only_file_screens_nothing(tmp_path: Path) -> None:
    code, records, err = screen(tmp_path, HEADER.encode())
    assert code == 0
    assert records == []
    assert "screened 0 rows" in err
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text("utf-8"))
    assert manifest["rows"]["total"] == 0


def test_ragged_rows(tmp_path: Path) -> None:
    data = HEADER + "1,Acme,DE,0901.21,Coffee,EXTRA,MORE\n2,Acme\n3,Acme,DE,0901.21,Coffee\n"
    code, records, _ = screen(tmp_path, data.encode())
    assert code == 0
    assert [r["shipment_id"] for r in records] == ["1", "2", "3"]
    assert records[0]["error"].startswith("line 2: 7 cells but the header has 5 columns")
    assert records[1]["band"] == "low"
    assert "missing cells read as empty" in records[1]["notes"][0]
    assert records[2]["error"] is None


@pytest.mark.parametrize(
    ("body", "expected_ids", "bad_line"),
    [
        # a quote opened in the middle of the file and never closed
        (
            '1,"Acme,DE,0901.21,Coffee\n2,Rostec,RU,0901.21,Tea\n3,Acme,DE,0901.21,Toys\n',
            ["2", "3"],
            2,
        ),
        # ... on the last line
        ('1,Acme,DE,0901.21,Coffee\n2,"Acme,DE,0901.21,Tea\n', ["1"], 3),
        # garbage after a closing quote
        ('1,"Acme"x,DE,0901.21,Coffee\n2,Rostec,RU,0901.21,Tea\n', ["2"], 2),
    ],
)
def test_unbalanced_quotes_cost_one_line(
    tmp_path: Path, body: str, expected_ids: list[str], bad_line: int
) -> None:
    code, records, _ = screen(tmp_path, (HEADER + body).encode())
    assert code == 0
    screened = [r["shipment_id"] for r in records if not r["error"]]
    assert screened == expected_ids
    [error] = errors(records)
    assert error.startswith(f"line {bad_line}: ")
    assert len(records) == body.count("\n")  # every line is a row, screened or reported


def test_a_quote_left_open_for_more_than_the_limit(tmp_path: Path) -> None:
    rows = "".join(f"{i},Acme {i},DE,0901.21,Coffee\n" for i in range(2, 1500))
    data = HEADER + '1,"runaway,DE,0901.21,x\n' + rows
    code, records, _ = screen(tmp_path, data.encode())
    assert code == 0
    assert len(records) == 1499
    assert "is not closed within 1000 lines" in records[0]["error"]
    assert all(r["error"] is None for r in records[1:])


def test_legitimate_multiline_fields_are_kept(tmp_path: Path) -> None:
    data = HEADER + '1,"Acme\nWarehouse 7",DE,0901.21,"Roasted\ncoffee"\n2,Acme,DE,0901.21,Tea\n'
    code, records, _ = screen(tmp_path, data.encode())
    assert code == 0
    assert errors(records) == []
    assert records[0]["input"]["consignee"] == "Acme\nWarehouse 7"
    assert records[1]["row"] == 5  # the first row spans lines 2 to 4


def test_nul_bytes(tmp_path: Path) -> None:
    data = (HEADER + "1,Ac\x00me,DE,0901.21,Coffee\n2,Acme,DE,0901.21,Tea\n").encode()
    code, records, _ = screen(tmp_path, data)
    assert code == 0
    assert records[0]["error"] == "line 2: holds NUL bytes"
    assert records[1]["error"] is None
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == 3  # the CSV output reads back


def test_a_ten_megabyte_field(tmp_path: Path) -> None:
    big = "x" * (10 * 1024 * 1024)
    data = (HEADER + f"1,{big},DE,0901.21,Coffee\n2,Rostec,RU,0901.21,Tea\n").encode()
    code, records, _ = screen(tmp_path, data)
    assert code == 0
    assert records[0]["error"] == (
        "line 2: consignee holds 10,485,760 characters; fields longer than 100,000 are not screened"
    )
    assert records[1]["band"] == "critical"


def test_binary_junk(tmp_path: Path) -> None:
    junk = bytes(range(256)) * 64
    code, records, err = screen(tmp_path, junk)
    assert code == 2  # nothing there names a shipment field
    assert "in.csv" in err
    code, records, _ = screen(tmp_path, HEADER.encode() + junk + b"\n9,Acme,DE,0901.21,Tea\n")
    assert code == 0
    assert records[-1]["shipment_id"] == "9"
    assert records[-1]["error"] is None
    assert all(r["error"] or r["band"] for r in records)


RUSSIAN = HEADER + "1,АО «Рособоронэкспорт»,Россия,8526.91,Навигационные приёмники\n"
GERMAN = HEADER + "1,Müller Kaffeerösterei GmbH,Österreich,0901.21,Röstkaffee für Köln\n"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (RUSSIAN, "utf-8", "utf-8"),
        (RUSSIAN, "utf-8-sig", "utf-8-sig"),
        (RUSSIAN, "utf-16", "utf-16"),
        (RUSSIAN, "cp1251", "cp1251"),
        (GERMAN, "latin-1", "cp1252"),  # Windows-1252 extends Latin-1: the safer reading
        (GERMAN, "utf-8", "utf-8"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, text: str, encoding: str, expected: str) -> None:
    data = text.encode(encoding)
    assert (
        detect_encoding(data) == codecs.lookup(expected).name or detect_encoding(data) == expected
    )
    code, records, err = screen(tmp_path, data)
    assert code == 0, err
    [record] = records
    assert record["input"]["consignee"] == text.splitlines()[1].split(",")[1]  # not mangled
    if text is RUSSIAN:
        assert record["band"] == "critical"


def test_utf16_tab_separated_as_spreadsheets_save_it(tmp_path: Path) -> None:
    text = RUSSIAN.replace(",", "\t")
    code, records, err = screen(tmp_path, text.encode("utf-16"))
    assert code == 0, err
    assert records[0]["band"] == "critical"
    assert "delimiter '\\t'" in err


def test_an_encoding_can_be_chosen(tmp_path: Path) -> None:
    data = GERMAN.encode("latin-1")
    code, records, _ = screen(tmp_path, data, "--encoding", "cp1252")
    assert code == 0
    assert records[0]["input"]["consignee"] == "Müller Kaffeerösterei GmbH"
    code, _, err = screen(tmp_path, data, "--encoding", "klingon")
    assert code == 2
    assert "unknown encoding 'klingon'" in err


def test_bytes_the_encoding_does_not_allow_are_reported_not_mangled(tmp_path: Path) -> None:
    good = (HEADER + "1,Müller Röstkaffee GmbH,DE,0901.21,Kaffee\n").encode()
    data = good + b"2,Ac\xffme,DE,0901.21,Tea\n" + b"3,Acme,DE,0901.21,Toys\n"
    code, records, err = screen(tmp_path, data)
    assert code == 0
    assert "read as utf-8" in err  # one bad line does not turn the file into Latin-1
    assert records[0]["input"]["consignee"] == "Müller Röstkaffee GmbH"
    assert records[1]["error"] == "line 3: bytes ff at position 4 are not valid utf-8"
    assert records[2]["error"] is None
    # a file that is ASCII but for one byte reads as Latin-1, unless told otherwise
    ascii_file = (HEADER + "1,Ac\xffme,DE,0901.21,Tea\n").encode("latin-1")
    code, records, _ = screen(tmp_path, ascii_file)
    assert records[0]["input"]["consignee"] == "Acÿme"
    code, records, _ = screen(tmp_path, ascii_file, "--encoding", "utf-8")
    assert records[0]["error"] == "line 2: bytes ff at position 4 are not valid utf-8"


def test_duplicate_headers_keep_both_columns(tmp_path: Path) -> None:
    data = "shipment_id,consignee,consignee,hs_code\n1,Acme GmbH,Rostec,0901.21\n"
    code, records, err = screen(tmp_path, data.encode())
    assert code == 0
    assert records[0]["input"] == {
        "shipment_id": "1",
        "consignee": "Acme GmbH",
        "consignee (2)": "Rostec",
        "hs_code": "0901.21",
    }
    assert "also means consignee" in err
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh))[:3] == ["shipment_id", "consignee", "consignee"]


def test_duplicate_shipment_ids_are_flagged(tmp_path: Path) -> None:
    data = HEADER + "A1,Acme,DE,0901.21,Coffee\nA2,Acme,DE,0901.21,Tea\nA1,Acme,DE,0901.21,Toys\n"
    code, records, err = screen(tmp_path, data.encode())
    assert code == 0
    assert [r["notes"] for r in records] == [
        [],
        [],
        ["shipment_id 'A1' is used by an earlier row too"],
    ]
    assert "1 duplicate shipment ids" in err
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text("utf-8"))
    assert manifest["rows"]["duplicate_ids"] == 1


def test_formula_and_script_text(tmp_path: Path) -> None:
    data = HEADER + '1,"=HYPERLINK(""http://x/"")",DE,0901.21,<script>alert(1)</script>\n'
    code, records, _ = screen(tmp_path, data.encode())
    assert code == 0
    assert records[0]["input"]["consignee"] == '=HYPERLINK("http://x/")'
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["consignee"].startswith("'=")


def test_many_duplicate_ids_stay_cheap() -> None:
    from engine.io.csvreader import SeenIds

    seen = SeenIds()
    assert not any(seen.add(f"ID-{i}") for i in range(200_000))
    assert all(seen.add(f"ID-{i}") for i in range(0, 200_000, 997))


def test_the_reader_accounts_for_every_line(tmp_path: Path) -> None:
    lines = [HEADER.strip()]
    for i in range(1, 200):
        lines.append(
            f'{i},"Acme {i}",DE,0901.21,Tea' if i % 7 else f'{i},"open quote,DE,0901.21,Tea'
        )
    src = tmp_path / "in.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with ShipmentReader(src) as reader:
        rows = list(reader)
    assert sorted(r.line for r in rows) == list(range(2, 201))


def test_unreadable_header(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b"shipment_id,consig\xffnee\n1,x\n")
    with pytest.raises(InputError):
        ShipmentReader(src, encoding="utf-8")


def test_every_output_line_has_the_header_s_columns(tmp_path: Path) -> None:
    data = HEADER + '1,Acme,DE,0901.21,Tea\n2,"open,DE\n3,Bolt,DE,0901.21,Tea,extra\n4,Zed\n'
    code, records, _ = screen(tmp_path, data.encode())
    assert code == 0
    assert [r["row"] for r in records] == [2, 3, 4, 5]
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    assert {len(line) for line in lines} == {len(lines[0])}
    assert "not valid CSV" in lines[2][-2]  # the error column, before unread
    assert records[1]["input"] == {}  # nothing could be read of it


def test_utf8_lines_in_a_windows_1251_file_are_read_as_utf8(tmp_path: Path) -> None:
    """A file that starts in Windows-1251 and goes on in UTF-8 after the part its encoding is
    judged by: the UTF-8 rows are read as UTF-8, each says so, and the summary counts them."""
    start = "".join(
        f"S{i},ООО «Ромашка» № {i},RU,0901.21,Кофе жареный; ёмкость 1 кг\n" for i in range(1500)
    ).encode("cp1251")
    assert len(start) > 1 << 16  # beyond the sample the encoding is judged by
    later = "X1,АО «Рособоронэкспорт»,RU,8526.91,Навигационное оборудование\n".encode()
    code, records, err = screen(tmp_path, HEADER.encode() + start + later)
    assert code == 0
    by_id = {r["shipment_id"]: r for r in records}
    assert by_id["X1"]["input"]["consignee"] == "АО «Рособоронэкспорт»"
    assert by_id["X1"]["band"] == "critical"
    assert by_id["X1"]["notes"] == [
        f"line {len(records) + 1} is UTF-8 in a file read as cp1251: read as UTF-8"
    ]
    assert by_id["S7"]["input"]["consignee"] == "ООО «Ромашка» № 7"  # the Windows-1251 rows
    assert not any(r["notes"] for r in records if r["shipment_id"] != "X1")
    assert "1 lines are UTF-8 in a file read as cp1251" in err
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text("utf-8"))
    assert manifest["input"]["utf8_lines"] == 1
    # With the encoding given, the file is read as the user says.
    code, records, _ = screen(tmp_path, HEADER.encode() + start + later, "--encoding", "cp1251")
    assert records[-1]["input"]["consignee"] != "АО «Рособоронэкспорт»"
    assert records[-1]["notes"] == []


def test_workers_read_mixed_encodings_as_one_process_does(tmp_path: Path) -> None:
    start = "".join(f"S{i},ООО «Ромашка» {i},RU,0901.21,Кофе\n" for i in range(2000))
    later = "".join(f"U{i},АО Рособоронэкспорт {i},RU,8526.91,Приборы\n" for i in range(50))
    data = HEADER.encode() + start.encode("cp1251") + later.encode()
    outputs = []
    for workers in ("1", "2"):
        code, records, _ = screen(tmp_path, data, "--workers", workers, "--no-manifest")
        assert code == 0
        outputs.append((tmp_path / "out.csv").read_bytes())
    assert outputs[0] == outputs[1]
    assert sum(1 for r in records if r["notes"]) == 50


def test_a_file_of_nul_bytes_without_line_ends_is_read_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Megabytes of NUL bytes (or any junk) with no line end after a valid header: one row
    reported with the line's length, read through in pieces, never held whole."""
    from engine import decoding
    from engine.io import csvreader

    limit = 1 << 16
    monkeypatch.setattr(decoding, "MAX_LINE_BYTES", limit)  # the line limit, made small
    monkeypatch.setattr(csvreader, "MAX_LINE_BYTES", limit)
    src = tmp_path / "nul.csv"
    size = 1024 * limit  # 64 MiB
    with src.open("wb") as fh:
        fh.write(HEADER.encode() + b"1,Acme,DE,0901.21,Coffee\n")
        fh.write(bytes(size))
        fh.write(b"\n2,Rostec,RU,0901.21,Tea\n")
    tracemalloc.start()
    with csvreader.ShipmentReader(src) as reader:
        rows = list(reader)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[1].error == (
        f"line 3: is {size + 1:,} bytes long, over the {limit:,} a line may hold; it is not read"
    )
    assert rows[0].error is None
    assert rows[2].error is None
    assert peak < size // 16  # never the whole line: a few blocks of the reader's


def test_a_file_of_nul_bytes_on_the_command_line(tmp_path: Path) -> None:
    data = HEADER.encode() + bytes(3 << 20) + b"\n2,Rostec,RU,0901.21,Tea\n"
    code, records, err = screen(tmp_path, data)
    assert code == 0, err
    assert records[0]["error"] == "line 2: holds NUL bytes"
    assert records[1]["band"] == "critical"


def test_utf16_with_an_odd_trailing_byte(tmp_path: Path) -> None:
    body = (
        HEADER + "1,Acme,DE,0901.21,Coffee\n2,Rostec,RU,0901.21,Tea\n3,Lyon SARL,FR,6911.10,Plates"
    )
    data = body.encode("utf-16") + b"\x41"  # one byte of a character that never comes
    code, records, err = screen(tmp_path, data)
    assert code == 0, err
    assert [r["error"] for r in records] == [
        None,
        None,
        "line 4: bytes at character 30 are not valid utf-16",
    ]
    assert records[1]["band"] == "critical"
    # A cluster's part of such a file (one part: UTF-16 is not cut) reads it the same way.
    from engine.scale.cluster import plan, screen_part

    src = tmp_path / "in.csv"
    (folder := tmp_path / "parts").mkdir()
    for part in plan([str(src)]).parts:
        screen_part(part, screener=SCREENER, folder=str(folder), fmt="csv", columns=None)
    text = (folder / "part-00000.csv").read_text("utf-8")
    assert text.count("are not valid utf-16") == 1


def test_utf16_without_a_mark_is_told_from_a_run_of_nul_bytes() -> None:
    text = HEADER + "1,Acme,DE,0901.21,Coffee\n"
    assert detect_encoding(text.encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding(text.encode("utf-16-be")) == "utf-16-be"
    assert detect_encoding(HEADER.encode() + bytes(5000)) == "utf-8"


def test_lines_ended_by_carriage_returns_alone(tmp_path: Path) -> None:
    """A file saved as 'CSV (Macintosh)': every line ends in CR; it is read as lines."""
    body = HEADER + '1,Acme,DE,0901.21,Coffee\n2,Rostec,RU,0901.21,"Tea\nbags"\n'
    code, records, err = screen(tmp_path, body.replace("\n", "\r").encode())
    assert code == 0, err
    assert [r["shipment_id"] for r in records] == ["1", "2"]
    assert records[1]["band"] == "critical"
    assert records[1]["input"]["description"] == "Tea\nbags"
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text("utf-8"))
    assert manifest["input"]["line_ends"] == "CR"


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    body = "sep=;\n" + HEADER.replace(",", ";") + "1;Rostec;RU;0901.21;Tea, green\n"
    code, records, err = screen(tmp_path, body.encode())
    assert code == 0, err
    assert records[0]["input"]["description"] == "Tea, green"
    assert records[0]["band"] == "critical"
    assert records[0]["row"] == 3  # the file's own line numbers


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (gzip.compress(HEADER.encode()), "gzip-compressed: decompress it first"),
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml xl/workbook.xml", "an XLSX workbook"),
        (b"PK\x03\x04\x14\x00\x00\x00data.csv", "a ZIP archive: unpack it"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an Excel 97-2003 workbook"),
        (bz2.compress(HEADER.encode()), "bzip2-compressed"),
        (b"%PDF-1.7\n", "a PDF document"),
    ],
    ids=["gzip", "xlsx", "zip", "xls", "bzip2", "pdf"],
)
def test_a_file_that_is_not_text_is_named_for_what_it_is(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    code, records, err = screen(tmp_path, data)
    assert code == 2
    assert expected in err
    assert "in.csv" in err
    assert records == []


def test_utf32_with_a_byte_order_mark(tmp_path: Path) -> None:
    body = HEADER + "1,Rostec,RU,0901.21,Tea\n"
    for encoding in ("utf-32", "utf-32-be"):
        data = body.encode(encoding)
        if encoding == "utf-32-be":
            data = codecs.BOM_UTF32_BE + data
        code, records, err = screen(tmp_path, data)
        assert code == 0, err
        assert records[0]["band"] == "critical"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--encoding", "rot13", "'rot13' is not a character encoding"),
        ("--encoding", "zlib", "'zlib' is not a character encoding"),
        ("--delimiter", '"', "the delimiter cannot be '\"': it is the quote character"),
        ("--delimiter", ";", "with the delimiter ';' the header is one column, and it holds ','"),
    ],
)
def test_an_unusable_encoding_or_delimiter_is_named(
    tmp_path: Path, option: str, value: str, expected: str
) -> None:
    code, _, err = screen(tmp_path, (HEADER + "1,Acme,DE,0901.21,Coffee\n").encode(), option, value)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err


def test_an_input_truncated_while_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program truncates the file mid-run: the run says so, exits 2, and the manifest
    records it; the outputs hold the rows that were read."""
    from engine.scale import pool

    src = tmp_path / "in.csv"
    rows = "".join(f"S{i},Acme Trading {i} GmbH,DE,0901.21,Roasted coffee\n" for i in range(8000))
    src.write_text(HEADER + rows, encoding="utf-8")
    real = pool.screen_batch
    calls = []

    def truncating(*args: Any, **kwargs: Any) -> Any:
        if not calls:
            os.truncate(src, src.stat().st_size // 2)
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pool, "screen_batch", truncating)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert "it changed while it was read" in result.stderr
    manifest = json.loads((tmp_path / "out.csv.manifest.json").read_text("utf-8"))
    assert "changed while it was read" in manifest["input"]["changed_while_read"]
    assert 0 < out.read_text("utf-8").count("\n") < 8001


@pytest.mark.parametrize("kind", ["mixed-encodings", "cr-only", "sep-line"])
def test_cluster_parts_read_awkward_files_as_one_pass_does(tmp_path: Path, kind: str) -> None:
    """The parts a cluster screens give what one pass over the file gives, byte for byte."""
    from engine.io.csvreader import ShipmentReader as Reader
    from engine.io.csvwriter import ResultWriter
    from engine.scale.cluster import part_name, plan, screen_part
    from engine.scale.pool import screen_rows

    rows = [f"S{i},ООО Ромашка {i},RU,0901.21,Кофе\n" for i in range(300)]
    if kind == "mixed-encodings":
        data = (HEADER + "".join(rows[:200])).encode("cp1251") + "".join(rows[200:]).encode()
    elif kind == "cr-only":
        data = (HEADER + "".join(rows)).replace("\n", "\r").encode()
    else:
        data = ("sep=,\n" + HEADER + "".join(rows)).encode()
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    whole = tmp_path / "whole.csv"
    with Reader(src) as reader:
        screen_rows(SCREENER, reader, [ResultWriter(whole, reader.header)])
    (folder := tmp_path / "parts").mkdir()
    the_plan = plan([str(src)], part_rows=70)
    for part in the_plan.parts:
        screen_part(part, screener=SCREENER, folder=str(folder), fmt="csv", columns=None)
    texts = [(folder / part_name(p.number, "csv")).read_text("utf-8") for p in the_plan.parts]
    joined = texts[0] + "".join(t.split("\n", 1)[1] for t in texts[1:])
    assert joined == whole.read_text("utf-8")
    if kind == "mixed-encodings":
        assert joined.count("is UTF-8 in a file read as cp1251") == 100
