"""Outputs: JSON Lines, HTML and CSV agree; the manifest records the run; the terminal side."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from engine import Screener
from engine.io.csvreader import ShipmentReader
from engine.io.outputs import ScreenRecord, open_writer, record_schema
from engine.scale.pool import screen_rows
from tests.conftest import REPO, shared_path

EXAMPLE = REPO / "examples" / "shipments.csv"
LISTS = Path(__file__).parent / "fixtures" / "lists"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def bands_in_csv(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["shipment_id"]: r["risk_band"] or "error" for r in csv.DictReader(fh)}


def bands_in_jsonl(path: Path) -> dict[str, str]:
    records = [
        ScreenRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()
    ]
    return {r.input["shipment_id"]: r.band or "error" for r in records}


def bands_in_html(path: Path) -> dict[str, str]:
    html = path.read_text(encoding="utf-8")
    found = re.findall(
        r'<article class="shipment [a-z]+" data-band="([a-z]+)".*?<span class="id">(.*?)</span>',
        html,
        re.DOTALL,
    )
    return {ident: band for band, ident in found}


def screen_all_formats(src: Path, tmp: Path, *extra: str) -> tuple[Path, Path, Path, str]:
    out = tmp / "scored.csv", tmp / "scored.jsonl", tmp / "report.html"
    code, _, err = run("screen", str(src), *(f"-o{o}" for o in out), *extra)
    assert code == 0, err
    return (*out, err)


def test_the_formats_agree_on_the_example(tmp_path: Path) -> None:
    csv_out, jsonl_out, html_out, _ = screen_all_formats(EXAMPLE, tmp_path)
    bands = bands_in_csv(csv_out)
    assert len(bands) == 19
    assert bands == bands_in_jsonl(jsonl_out) == bands_in_html(html_out)
    assert set(bands.values()) == {"critical", "high", "medium", "low", "error"}


def test_the_formats_agree_on_the_dev_set(tmp_path: Path) -> None:
    src = shared_path("dev-set", "shipments.csv")
    csv_out, jsonl_out, html_out, _ = screen_all_formats(src, tmp_path)
    bands = bands_in_csv(csv_out)
    assert len(bands) == 600
    assert bands == bands_in_jsonl(jsonl_out) == bands_in_html(html_out)


def test_formats_written_separately_agree(tmp_path: Path) -> None:
    one = tmp_path / "a.csv"
    two = tmp_path / "b.out"
    assert run("screen", str(EXAMPLE), "-o", str(one))[0] == 0
    assert run("screen", str(EXAMPLE), "-o", str(two), "--format", "jsonl")[0] == 0
    assert bands_in_csv(one) == bands_in_jsonl(two)


def test_jsonl_records_carry_everything(tmp_path: Path) -> None:
    _, jsonl_out, _, _ = screen_all_formats(EXAMPLE, tmp_path)
    records = [json.loads(line) for line in jsonl_out.read_text("utf-8").splitlines()]
    ex002 = next(r for r in records if r["shipment_id"] == "EX-002")
    hit = ex002["hits"][0]
    assert set(hit) >= {
        "rule_id",
        "title",
        "severity",
        "weight",
        "contribution",
        "message",
        "evidence",
    }
    evidence = hit["evidence"][0]
    assert set(evidence) >= {
        "field",
        "value",
        "matched",
        "list",
        "similarity",
        "source",
        "alignment",
    }
    assert evidence["alignment"][0]["kind"] == "exact"
    assert ex002["ruleset_digest"]
    error = next(r for r in records if r["error"])
    assert error["score"] is None
    assert error["band"] is None


def test_the_schema_describes_the_records() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema == json.loads(json.dumps(record_schema()))
    assert {"shipment_id", "input", "score", "band", "hits", "error"} <= set(schema["properties"])
    assert "Evidence" in schema["$defs"]


def test_spreadsheet_formulas_are_inert_in_csv_and_kept_in_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'shipment_id,consignee,description\n=1+1,"=HYPERLINK(""http://x/"",""y"")",@SUM(A1)\n'
        "-2,+Acme,\tTabbed\n",
        encoding="utf-8",
    )
    csv_out, jsonl_out, _, _ = screen_all_formats(src, tmp_path)
    with csv_out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["shipment_id"] == "'=1+1"
    assert rows[0]["consignee"] == '\'=HYPERLINK("http://x/","y")'
    assert rows[0]["description"] == "'@SUM(A1)"
    assert rows[1]["shipment_id"] == "-2"  # a number stays a number
    assert rows[1]["consignee"] == "'+Acme"
    assert rows[1]["description"] == "'\tTabbed"
    records = [json.loads(line) for line in jsonl_out.read_text("utf-8").splitlines()]
    assert records[0]["input"]["consignee"] == '=HYPERLINK("http://x/","y")'
    assert records[1]["input"]["description"] == "\tTabbed"


def test_the_manifest_records_the_run(tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    code, _, err = run("screen", str(EXAMPLE), "-o", str(out), "--list", str(LISTS / "sdn.csv"))
    assert code == 0, err
    manifest = json.loads((tmp_path / "scored.csv.manifest.json").read_text("utf-8"))
    assert manifest["input"]["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert manifest["input"]["bytes"] == EXAMPLE.stat().st_size
    assert manifest["rows"]["total"] == 19
    assert manifest["rows"]["errors"] == 1
    assert sum(manifest["rows"]["by_band"].values()) == 18
    assert manifest["rules"]["digest"] == Screener.default().ruleset_digest
    [listed] = manifest["lists"]
    assert listed["entries"] == 11
    assert (
        listed["sha256"]
        == hashlib.sha256(
            (LISTS / "sdn.csv").read_bytes() + (LISTS / "alt.csv").read_bytes()
        ).hexdigest()
    )
    assert manifest["outputs"] == [{"path": str(out), "format": "csv"}]
    assert manifest["command"]
    assert manifest["started"] <= manifest["finished"]
    assert "engine_version" in manifest
    code, _, _ = run("screen", str(EXAMPLE), "-o", str(tmp_path / "x.csv"), "--no-manifest")
    assert not (tmp_path / "x.csv.manifest.json").exists()


def test_fail_on(tmp_path: Path) -> None:
    out = str(tmp_path / "o.csv")
    assert run("screen", str(EXAMPLE), "-o", out, "--fail-on", "critical")[0] == 1
    assert run("screen", str(EXAMPLE), "-o", out, "--fail-on", "medium")[0] == 1
    quiet = tmp_path / "quiet.csv"
    quiet.write_text("consignee,hs_code,destination_country\nAcme,0901.21,FR\n", encoding="utf-8")
    assert run("screen", str(quiet), "-o", out, "--fail-on", "low")[0] == 1
    assert run("screen", str(quiet), "-o", out, "--fail-on", "medium")[0] == 0


def test_standard_input_and_output() -> None:
    code, out, _ = run("screen", "-", "-o", "-", "-q", input="consignee,hs_code\nRostec,0901.21\n")
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert rows[0]["risk_band"] == "critical"
    code, out, _ = run(
        "screen", "-", "-o", "-", "--format", "jsonl", "-q", input="consignee\nRostec\n"
    )
    assert json.loads(out)["band"] == "critical"


def test_quiet_and_usage_errors(tmp_path: Path) -> None:
    code, _, err = run("screen", str(EXAMPLE), "-o", str(tmp_path / "o.csv"), "-q")
    assert code == 0
    assert err == ""
    code, _, err = run("screen", str(EXAMPLE), "-o", "a.csv", "-o", "b.csv", "--format", "csv")
    assert code == 2
    assert "--format applies to a single output" in err


def test_the_summary(tmp_path: Path) -> None:
    code, _, err = run("screen", str(EXAMPLE), "-o", str(tmp_path / "o.csv"))
    assert code == 0
    assert "screened 19 rows" in err
    assert "3 critical, 6 high, 6 medium, 3 low, 1 with errors" in err
    assert "by rule" in err
    assert "sanctioned-party" in err
    assert "error: line 17: no party or goods field" in err


def test_explain_one_shipment() -> None:
    code, out, _ = run("explain", str(EXAMPLE), "--id", "EX-007")
    assert code == 0
    assert "line 8" in out
    assert "shipper: HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD." in out
    assert "Shipment EX-007: high risk" in out
    assert "named-supplier-controlled-goods" in out
    assert "US Department of Commerce (BIS) Entity List" in out
    assert "source: BIS, Common High Priority List" in out
    code, _, err = run("explain", str(EXAMPLE), "--id", "NOPE")
    assert code == 2
    assert "no shipment with id 'NOPE'" in err


def test_rules_list() -> None:
    code, out, _ = run("rules", "list")
    assert code == 0
    for path in (REPO / "rules").glob("*.yaml"):
        assert path.stem in out
    assert "looks at" in out
    assert out.index("sanctioned-party") < out.index("heavy-machinery-to-russia-belarus")


class _BoomError(Exception):
    pass


def test_an_interrupted_run_leaves_no_output(tmp_path: Path) -> None:
    screener = Screener.default()
    calls = {"n": 0}
    real = screener.screen_input_row

    def failing(row: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise _BoomError
        return real(row)

    screener.screen_input_row = failing  # type: ignore[method-assign]
    outputs = [
        (tmp_path / "o.csv", "csv"),
        (tmp_path / "o.jsonl", "jsonl"),
        (tmp_path / "o.html", "html"),
    ]
    with ShipmentReader(EXAMPLE) as reader:
        writers = [open_writer(path, fmt, reader.header) for path, fmt in outputs]  # type: ignore[arg-type]
        with pytest.raises(_BoomError):
            screen_rows(screener, reader, writers)
    assert list(tmp_path.iterdir()) == []


def test_json_lines_keeps_every_cell_of_columns_named_alike(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "consignee,consignee,consignee (2),hs_code\nRostec,second,third,8542.31\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(out.read_text("utf-8"))
    assert sorted(record["input"].values()) == ["8542.31", "Rostec", "second", "third"]
    assert record["input"]["consignee (2)"] == "third"  # the column's own name kept


def test_a_scored_file_screens_again_into_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    scored = tmp_path / "scored.csv"
    example = Path(__file__).resolve().parent.parent / "examples" / "shipments.csv"
    assert (
        CliRunner().invoke(main, ["screen", str(example), "-o", str(scored), "-q"]).exit_code == 0
    )
    again = tmp_path / "again.parquet"
    result = CliRunner().invoke(main, ["screen", str(scored), "-o", str(again), "-q"])
    assert result.exit_code == 0, result.stderr
    names = pq.read_table(again).column_names
    assert "input_risk_band" in names
    assert names[-6:] == ["risk_score", "risk_band", "rule_ids", "reasons", "error", "unread"]
