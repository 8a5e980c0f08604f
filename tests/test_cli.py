"""The shipscreen command, end to end."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine.results import RESULT_COLUMNS
from tests.conftest import REPO
from tests.test_rules import LIST_ONLY


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_screen_the_example(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    code, _, err = run("screen", str(repo / "examples" / "shipments.csv"), "-o", str(out))
    assert code == 0, err
    with (repo / "examples" / "shipments.csv").open(encoding="utf-8") as fh:
        inputs = list(csv.DictReader(fh))
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["shipment_id"] for r in rows] == [r["shipment_id"] for r in inputs]
    assert list(rows[0])[-6:] == list(RESULT_COLUMNS)
    bands = {r["risk_band"] for r in rows}
    assert {"low", "medium", "high", "critical"} <= bands
    fired = {rule for r in rows for rule in r["rule_ids"].split(";") if rule}
    rules = {p.stem for p in (repo / "rules").glob("*.yaml")}
    # every kind of finding the catalogue allows (the others need lists loaded at screening time)
    assert fired == rules - set(LIST_ONLY)
    assert any(r["error"] for r in rows)
    assert "screened 19 rows" in err


def test_unusable_input_exits_2(tmp_path: Path) -> None:
    code, _, err = run("screen", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 2
    assert "absent.csv: cannot open" in err
    assert not (tmp_path / "o.csv").exists()


def test_unusable_rules_exit_2(repo: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(repo / "rules", rules)
    path = rules / "controlled-goods-to-hub.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["when"]["all"][0] = {"goods_inside": {"tags": ["chpl"]}}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, _, err = run(
        "screen",
        str(repo / "examples" / "shipments.csv"),
        "-o",
        str(tmp_path / "o.csv"),
        "--rules",
        str(rules),
    )
    assert code == 2
    assert "rule 'controlled-goods-to-hub': when.all[0]: unknown condition 'goods_inside'" in err
    assert "(did you mean 'goods_in'?)" in err


def test_rules_check_passes_on_the_bundled_rules() -> None:
    code, out, err = run("rules", "check")
    assert code == 0, err
    assert f"{len(list((REPO / 'rules').glob('*.yaml')))} rules valid" in out
    assert "inline tests passed" in out


def test_rules_check_fails_precisely(repo: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(repo / "rules", rules)
    path = rules / "forwarder-end-user-in-hub.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["when"]["all"][0]["text_has_phrase"]["phrases"] = ["logistic-companies"]
    data["when"]["all"][1]["country_in"]["fields"] = ["end_users_country"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, _, err = run("rules", "check", str(rules))
    assert code == 2
    assert (
        "when.all[0].text_has_phrase.phrases[0]: unknown phrase list 'logistic-companies' "
        "(did you mean 'logistics-companies'?)"
    ) in err
    assert (
        "when.all[1].country_in.fields[0]: unknown country field 'end_users_country' "
        "(did you mean 'end_user_country'?)"
    ) in err


def test_rules_check_reports_failing_inline_tests(repo: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(repo / "rules", rules)
    path = rules / "heavy-machinery-to-russia-belarus.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tests"]["passes"].append(
        {"consignee": "Baikalsnab JSC", "destination_country": "RU", "hs_code": "8429.52"}
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, _, err = run("rules", "check", str(rules))
    assert code == 1
    assert "heavy-machinery-to-russia-belarus: tests.passes[1]: expected the rule to not hit" in err


def test_columns_map(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "Empfänger,Zolltarifnummer,Bestimmungsland\nOOO Kamatorg,8542.31,RU\n", encoding="utf-8"
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "Empfänger: consignee\nZolltarifnummer: hs_code\nBestimmungsland: destination_country\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    code, _, err = run("screen", str(src), "-o", str(out), "--columns", str(mapping))
    assert code == 0, err
    with out.open(encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["rule_ids"] == "controlled-goods-to-russia-belarus"
    bad = tmp_path / "bad.yaml"
    bad.write_text("Empfänger: consignees\n", encoding="utf-8")
    code, _, err = run("screen", str(src), "-o", str(out), "--columns", str(bad))
    assert code == 2
    assert "'consignees', which is not a field" in err


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert "shipscreen" in out


LISTS = Path(__file__).parent / "fixtures" / "lists"


def test_match_in_text_and_json() -> None:
    code, out, _ = run("match", "ZAO Kontur", "--list", str(LISTS / "sdn.csv"))
    assert code == 0
    assert "100.0%  AKTSIONERNOE OBSHCHESTVO KONTUR  [ofac-sdn ofac-sdn-9003; company;" in out
    assert "legal forms set aside: jsc vs jsc" in out
    assert "source: OFAC SDN 9003 (RUSSIA-EO14024, UKRAINE-EO13662)" in out
    code, out, _ = run("match", "Rosoboroneksport", "--format", "json")
    assert code == 0
    [first, *_] = json.loads(out)
    assert first["entry_id"] == "rosoboronexport"
    assert first["alignment"][0]["kind"] == "exact"
    code, out, _ = run("match", "Bremer Textiles GmbH")
    assert code == 0
    assert "no entry reaches 70% similarity" in out


def test_screen_with_a_list_and_an_allow_list(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "shipment_id,consignee,consignee_country\n"
        "1,Kontur Trading GmbH,DE\n"
        "2,Sibir Trade OOO,RU\n"
        "3,Bremer Textiles GmbH,DE\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    args = ["screen", str(src), "-o", str(out), "--list", str(LISTS / "sdn.csv")]
    code, _, err = run(*args)
    assert code == 0, err
    assert "11 entries (ofac-sdn + alt.csv)" in err
    with out.open(encoding="utf-8") as fh:
        assert [r["risk_band"] for r in csv.DictReader(fh)] == ["critical", "critical", "low"]
    code, _, err = run(*args, "--allow", str(LISTS / "allow.yaml"))
    assert code == 0, err
    with out.open(encoding="utf-8") as fh:
        assert [r["risk_band"] for r in csv.DictReader(fh)] == ["low", "critical", "low"]


def test_an_unusable_list_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "list.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run("match", "X", "--list", str(bad))
    assert code == 2
    assert "not a list format shipscreen reads" in err


def test_rules_test_with_properties() -> None:
    code, out, _ = run("rules", "test", "--properties", "--examples", "10")
    assert code == 0
    assert re.search(r"(\d+) of \1 inline tests passed", out)
    assert "ok      not-inverts" in out
    assert "FAILED" not in out


def test_rules_test_prints_a_failing_example_to_paste(repo: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(repo / "rules", rules)
    (rules / "big-value.yaml").write_text(
        "id: big-value\ntitle: High value\nstatus: experimental\nseverity: low\nweight: 0.1\n"
        "description: Any shipment worth more than 100,000 USD.\nreferences: []\n"
        "when:\n  field_compare: {field: value_usd, op: gt, value: 100000}\n"
        "message: 'Value: {value}.'\nfalsepositives: [Large orders.]\ntags: []\n"
        "tests:\n  hits: [{shipper: Acme, value_usd: '250000'}]\n  passes: []\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "rules", "test", str(rules), "--properties", "--property", "no-indicator-no-score",
        "--examples", "60",
    )  # fmt: skip
    assert code == 1
    assert "FAILED  no-indicator-no-score" in out
    assert "paste into a rule's tests: - {" in out
    assert "value_usd: '100001'" in out  # shrunk to the boundary
    assert out.count("  ok  ") + out.count("  FAILED  ") == 1  # that property alone


def test_rules_test_names_an_unknown_property() -> None:
    code, _, err = run("rules", "test", "--properties", "--property", "no-such-thing")
    assert code == 2
    assert "no property no-such-thing" in err
    assert "no-indicator-no-score" in err  # the properties there are
    code, _, err = run("rules", "test", "--property", "deterministic")
    assert code == 2
    assert "--property goes with --properties" in err


def test_workers_write_what_one_process_writes(repo: Path, tmp_path: Path) -> None:
    example = str(repo / "examples" / "shipments.csv")
    outputs = {}
    for workers in ("1", "2"):
        csv_out, jsonl_out = tmp_path / f"w{workers}.csv", tmp_path / f"w{workers}.jsonl"
        args = ("screen", example, "-o", str(csv_out), "-o", str(jsonl_out), "--no-manifest")
        code, _, err = run(*args, "--workers", workers)
        assert code == 0, err
        assert "screened 19 rows" in err
        outputs[workers] = (csv_out.read_text(encoding="utf-8"), jsonl_out.read_text("utf-8"))
    assert outputs["1"] == outputs["2"]
    code, _, err = run("screen", example, "-o", str(tmp_path / "x.csv"), "--workers", "0")
    assert code == 2
    assert "--workers" in err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_a_worker_that_dies_exits_2_and_writes_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.scale import pool as engine_run

    def dying(segment: object, delimiter: str) -> list[object]:
        os.kill(os.getpid(), signal.SIGKILL)  # a worker killed (out of memory, say)
        return []

    monkeypatch.setattr(engine_run, "_parse", dying)
    out = tmp_path / "scored.csv"
    example = str(repo / "examples" / "shipments.csv")
    code, _, err = run("screen", example, "-o", str(out), "--workers", "2", "--no-manifest")
    assert code == 2
    assert "worker process stopped unexpectedly" in err
    assert list(tmp_path.iterdir()) == []


def test_a_list_encoding_can_be_given(tmp_path: Path) -> None:
    """An OFAC list in Windows-1252, read as detected and as given; the manifest names it."""
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(
        '7001,"SOCIÉTÉ GÉNÉRALE DES ARMEMENTS","-0-","RUSSIA-EO14024",-0-,-0-,-0-,-0-,-0-,-0-,'
        "-0-,-0-\n".encode("cp1252")
    )
    src = tmp_path / "in.csv"
    src.write_text("shipment_id,consignee\nS1,Societe Generale des Armements\n", encoding="utf-8")
    for given in ((), ("--list-encoding", "cp1252")):
        out = tmp_path / "out.csv"
        code, _, err = run("screen", str(src), "-o", str(out), "--list", str(sdn), *given)
        assert code == 0, err
        assert "critical" in out.read_text("utf-8")
        manifest = json.loads((tmp_path / "out.csv.manifest.json").read_text("utf-8"))
        assert manifest["lists"][0]["encoding"] == "cp1252"
    code, _, err = run("screen", str(src), "-o", str(out), "--list", str(sdn),
                       "--list-encoding", "utf-8")  # fmt: skip
    assert code == 2
    assert "not valid utf-8" in err
