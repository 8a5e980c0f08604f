"""Detection on shipments written as real files and diverters write them, and what the reading
costs: the corpus of tests/fixtures/messy (countries, HS codes, wording and goods written messily,
each row labelled with the band the risk policy gives it), screened row by row.

    python benchmarks/messy_reading.py [--engine-root DIR] [--runs 5] [--corpus CSV]

``--engine-root`` screens with the engine of another checkout (a baseline tree, e.g. a git
worktree of an earlier commit), so that two readings are compared on the same rows in the same
run; ``--corpus`` measures another corpus with the same columns (one held out from the work
the engine was fitted by).  Prints per class: positives (the policy gives medium or above)
found, benign rows raised (false alarms), exact bands, and the median time per row over the
runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CORPUS = HERE / "tests" / "fixtures" / "messy" / "rows.csv"
LABELS = ("class", "expected_band")


def rows(path: Path = CORPUS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def figures(screen: object, corpus: list[dict[str, str]]) -> dict[str, dict[str, object]]:
    """Per class and over all: positives found, benign rows raised, exact bands."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missed: dict[str, list[str]] = defaultdict(list)
    for row in corpus:
        shipment = {k: v for k, v in row.items() if k not in LABELS}
        band = screen(shipment).band  # type: ignore[operator]
        expected = row["expected_band"]
        for name in (row["class"], "all"):
            c = counts[name]
            if expected == "low":
                c["benign"] += 1
                c["false_alarms"] += band != "low"
            else:
                c["positive"] += 1
                c["found"] += band != "low"
            c["exact"] += band == expected
        if band != expected:
            missed[row["class"]].append(f"{row['shipment_id']}: {expected} -> {band}")
    out: dict[str, dict[str, object]] = {}
    for name, c in counts.items():
        out[name] = {
            "rows": c["positive"] + c["benign"],
            "recall": round(c["found"] / c["positive"], 4) if c["positive"] else None,
            "false_alarm_rate": round(c["false_alarms"] / c["benign"], 4) if c["benign"] else None,
            "exact": round(c["exact"] / (c["positive"] + c["benign"]), 4),
            "wrong_band": missed.get(name, []) if name != "all" else [],
        }
    return out


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--engine-root", type=Path, default=HERE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="another corpus with the same columns"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.engine_root))
    from engine import Screener

    screener = Screener.default()
    corpus = rows(args.corpus)
    report: dict[str, object] = {"engine_root": str(args.engine_root), "corpus": str(args.corpus)}
    report["figures"] = figures(screener.screen, corpus)
    times = []
    for _ in range(args.runs):
        fresh = Screener.default()  # no cache of an earlier run's texts
        start = time.perf_counter()
        for row in corpus:
            fresh.screen({k: v for k, v in row.items() if k not in LABELS})
        times.append((time.perf_counter() - start) / len(corpus))
    report["median_us_per_row"] = round(1e6 * statistics.median(times), 1)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
