"""What reading HS codes as real files write them costs a row, against a reader of tidy codes.

Run from the repository root (figures to stdout; ``--json`` also writes them to a file)::

    python benchmarks/hs_reading.py

Cells: every notation ``engine.testing.hs_notation_list`` gives for random codes (dots, spaces,
dashes, prefixes, words around the code, spreadsheet damage), each distinct cell read once with
the cache cleared before each run.  Baseline, in the same run: the tidy-code reader the engine had
before (a prefix taken off, then only digits, spaces, dots and dashes allowed), on the same cells.
Also: ``Screener.screen`` on rows whose HS code is tidy and on rows written the damaged ways, and
on rows whose code column is empty and whose description names the code.  Medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.reading.hscodes import parse_hs
from engine.screener import Screener
from engine.testing import hs_notation_list

_TIDY_PREFIX = re.compile(r"^\s*(?:hs|hts|htsus|cn|taric|code)\b[\s:.#-]*", re.IGNORECASE)
_TIDY = re.compile(r"^[\d\s.\-/]+$")


def tidy_reader(value: str) -> list[str]:
    """The baseline: codes separated by ';', ',' or '|', each only digits and separators."""
    out = []
    for part in re.split(r"[;,|]+", value):
        body = _TIDY_PREFIX.sub("", part.strip())
        if body and _TIDY.match(body):
            out.append(re.sub(r"\D", "", body))
    return out


def median_rate(runs: int, count: int, fn: Callable[[], None]) -> float:
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rnd = random.Random(2026)
    codes = [
        f"{rnd.randint(1, 97):02d}" + "".join(rnd.choices("0123456789", k=rnd.choice([2, 4, 6, 8])))
        for _ in range(args.codes)
    ]
    cells = sorted({form for code in codes for form in hs_notation_list(code)})
    right = sum(
        [c.digits for c in parse_hs(form)[0]] == [code]
        for code in codes
        for form in hs_notation_list(code)
    )
    total = sum(len(hs_notation_list(code)) for code in codes)

    def ours() -> None:
        parse_hs.cache_clear()
        for cell in cells:
            parse_hs(cell)

    def baseline() -> None:
        for cell in cells:
            tidy_reader(cell)

    out: dict[str, object] = {
        "cells": len(cells),
        "read_right": round(right / total, 4),
        "baseline_read_right": round(
            sum(tidy_reader(form) == [code] for code in codes for form in hs_notation_list(code))
            / total,
            4,
        ),
        "cells_per_second": round(median_rate(args.runs, len(cells), ours)),
        "baseline_cells_per_second": round(median_rate(args.runs, len(cells), baseline)),
    }
    screener = Screener.default()
    base_row = {"consignee": "Alfa Trading LLC", "consignee_country": "AE", "description": "parts"}
    sample = codes[: args.rows]
    kinds = {
        "tidy": [{**base_row, "hs_code": f"{c[:4]}.{c[4:]}"} for c in sample],
        "damaged": [{**base_row, "hs_code": hs_notation_list(c)[-1]} for c in sample],
        "in_description": [
            {**base_row, "description": f"parts, HS code: {c[:4]}.{c[4:]}, 10 pcs"} for c in sample
        ],
    }
    for kind, rows in kinds.items():

        def screen(rows: list[dict[str, str]] = rows) -> None:
            parse_hs.cache_clear()
            for row in rows:
                screener.screen(row)

        out[f"rows_per_second_{kind}"] = round(median_rate(args.runs, len(rows), screen))
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
