"""The benchmark scripts run (on a small fixture) and report what they promise."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from engine import Screener
from tests.conftest import REPO


def _script(name: str) -> Any:
    """A benchmark script of benchmarks/, loaded as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_match_speed_runs_on_a_small_list(tmp_path: Path) -> None:
    module = _script("match_speed")
    out = tmp_path / "figures.json"
    figures = module.main(
        [
            "--sdn", str(REPO / "tests" / "fixtures" / "lists" / "sdn.csv"),
            "--names", "120", "--runs", "1", "--baseline-sample", "10",
            "--recall-sample", "20", "--json", str(out),
        ]
    )  # fmt: skip
    assert out.is_file()
    assert figures["list"]["entries"] == 11
    assert figures["throughput"]["names_per_second_median"] > 0
    assert figures["throughput"]["speedup_over_baseline"] > 0
    assert figures["recall"]["recall_at_floor"] == 1.0
    assert figures["quality"]["unrelated_matched_at_threshold"] == 0.0
    # every variant kind and decoy kind of party_variants.py is measured and reported
    cells = figures["cells"]
    assert set(cells["recall_per_kind"]) == set(_script("party_variants").KINDS)
    assert set(cells["decoys_per_kind"]) == set(_script("party_variants").DECOYS)
    assert 0.0 <= cells["decoys_false_match_rate"] <= cells["recall_all_kinds"] <= 1.0


def test_scale_runs_on_small_files(tmp_path: Path) -> None:
    module = _script("scale")
    out = tmp_path / "figures.json"
    figures = module.main(
        [
            "--rows", "1500", "3000", "--runs", "1", "--workers", "2",
            "--sdn", str(REPO / "tests" / "fixtures" / "lists" / "sdn.csv"),
            "--data", str(tmp_path / "data"), "--json", str(out),
        ]
    )  # fmt: skip
    assert out.is_file()
    assert sorted(figures["sizes"]) == ["1500", "3000"]
    for size in figures["sizes"].values():
        assert size["distinct_party_names"] > 100
        for name in ("floor", "bundled, --workers 2", "sdn, --workers 2"):
            assert size[name]["seconds_median"] > 0
            assert size[name]["peak_mb_max"] > 0
        assert size["floor"]["floor_ratio"] == 1.0
    assert [t["target"] for t in figures["targets"]] == [
        "bundled rows per second",
        "bundled time / floor time",
        "bundled peak memory, MB",
        "peak memory, largest / smallest size",
        "with the list: rows per second",
        "with the list: peak memory, MB",
    ]
    # The generated file holds the rows asked for, after its header.
    assert (tmp_path / "data" / "shipments-3000-sdn.csv").read_text().count("\n") >= 3001


def test_cluster_benchmark_runs_on_a_small_file(tmp_path: Path) -> None:
    module = _script("cluster")
    out = tmp_path / "figures.json"
    figures = module.main(
        [
            "--rows", "3000", "--runs", "1", "--partition-rows", "1000", "--dask-workers", "1",
            "--starts", "1", "--data", str(tmp_path / "data"), "--json", str(out),
        ]
    )  # fmt: skip
    assert out.is_file()
    assert figures["partitions"] == 3
    assert figures["dask_parts_equal_single_output"] is True
    assert list(figures["scenarios"]) == ["single", "local, --workers 2", "dask, 1 worker"]
    assert list(figures["cluster_start_seconds"]) == ["1"]
    for scenario in figures["scenarios"].values():
        assert scenario["seconds_median"] > 0
        assert scenario["peak_mb_median"] > 0
    assert figures["scenarios"]["single"]["speedup_over_single"] == 1.0


def test_hostile_config_benchmark_runs(tmp_path: Path) -> None:
    module = _script("hostile_config")
    out = tmp_path / "figures.json"
    figures = module.main(["--runs", "1", "--kinds", "duplicate-keys", "--json", str(out)])
    assert out.is_file()
    for loader in ("rules", "entities"):
        rows = figures["loaders"][loader]
        assert list(rows) == ["baseline", "duplicate-keys"]
        assert rows["baseline"]["to_baseline"] == 1.0
        assert rows["duplicate-keys"]["seconds_median"] > 0


def test_rules_scale_benchmark_runs_on_small_rule_sets(tmp_path: Path) -> None:
    module = _script("rules_scale")
    out = tmp_path / "figures.json"
    bundled_rules = Screener.default().ruleset.rules
    n = len(bundled_rules)
    figures = module.main(["--sizes", str(n + 1), "25", "--runs", "1", "--json", str(out)])
    assert out.is_file()
    assert list(figures["sets"]) == ["bundled", f"copies {n + 1}", "copies 25",
                                     f"distinct {n + 1}", "distinct 25"]  # fmt: skip
    bundled = figures["sets"]["bundled"]
    assert bundled["rules"] == n
    assert bundled["tests"] == sum(len(r.tests.hits) + len(r.tests.passes) for r in bundled_rules)
    for step in ("command", "load", "inline_tests"):
        assert bundled[step]["per_rule_to_bundled"] == 1.0
        assert figures["sets"]["copies 25"][step]["seconds_median"] > 0
        assert figures["sets"][f"copies {n + 1}"][step]["growth_exponent"] is None
        assert figures["sets"]["copies 25"][step]["growth_exponent"] is not None
    # Each generated rule is valid and its tests pass (the command would have failed otherwise).
    assert figures["sets"]["copies 25"]["tests"] > figures["sets"][f"copies {n + 1}"]["tests"]
    assert figures["sets"]["distinct 25"]["tests"] == 50


def test_rules_scale_makes_valid_rules_of_each_kind(tmp_path: Path) -> None:
    from engine import Screener, run_inline_tests

    module = _script("rules_scale")
    for kind in module.KINDS:
        folder = module.make_rules(30, tmp_path / kind, kind)
        screener = Screener.load(rules=folder)
        assert len(screener.ruleset.rules) == 30
        outcomes = run_inline_tests(screener)
        assert outcomes
        assert all(o.passed for o in outcomes), [o.describe() for o in outcomes if not o.passed]
