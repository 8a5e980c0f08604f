"""How long a hostile rule or entity file takes to be refused, against loading the good ones.

Run from the repository root (figures to stdout; ``--json`` also writes them to a file)::

    python benchmarks/hostile_config.py

Each kind of hostile file the loaders must refuse (``tests/test_hostile_config.py``: an alias
bomb, Python tags, flow and block nesting 200,000 and 200 levels deep, a 9 MB file, duplicate
keys, binary junk) is put beside a copy of the bundled rules (for the rule loader) or entities
(for the catalogue loader), and the load is timed until it fails; the baseline, in the same
rounds, is loading the copy without it.  The report gives medians of ``--runs`` rounds, the ratio
to the baseline, and whether each refusal took under two seconds (the target: a hostile file
fails fast, whatever it holds).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine import ConfigError, load_catalogue, load_rules  # noqa: E402
from engine.catalogue.bundled import bundled_dir  # noqa: E402
from tests.test_hostile_config import hostile_files  # noqa: E402

TARGET_SECONDS = 2.0


def _seconds(load: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(ConfigError):
        load()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--kinds", nargs="+", help="only these kinds of hostile file")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    catalogue = load_catalogue(bundled_dir("entities"))
    loaders: dict[str, Callable[[Path], object]] = {
        "rules": lambda d: load_rules(d, catalogue),
        "entities": load_catalogue,
    }
    figures: dict[str, Any] = {"runs": args.runs, "target_seconds": TARGET_SECONDS, "loaders": {}}
    with tempfile.TemporaryDirectory() as tmp:
        kinds = hostile_files(Path(tmp) / "marker")
        names = args.kinds or list(kinds)
        for loader_name, load in loaders.items():
            folder = Path(tmp) / loader_name
            shutil.copytree(bundled_dir(loader_name), folder)
            times: dict[str, list[float]] = {"baseline": [], **{k: [] for k in names}}
            for _ in range(args.runs):
                times["baseline"].append(_seconds(lambda f=folder, ld=load: ld(f)))
                for kind in names:
                    bad = folder / f"{kind}.yaml"
                    bad.write_bytes(kinds[kind][0])
                    times[kind].append(_seconds(lambda f=folder, ld=load: ld(f)))
                    bad.unlink()
            baseline = statistics.median(times["baseline"])
            figures["loaders"][loader_name] = {
                name: {
                    "seconds_median": round(statistics.median(values), 4),
                    "to_baseline": round(statistics.median(values) / baseline, 2),
                    "under_target": name == "baseline"
                    or statistics.median(values) < TARGET_SECONDS,
                }
                for name, values in times.items()
            }
    _print(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def _print(figures: dict[str, Any]) -> None:
    print(f"medians of {figures['runs']} rounds; target: refused in under {TARGET_SECONDS:g} s")
    for loader, rows in figures["loaders"].items():
        print(f"{loader:<10}{'median s':>10}{'x good':>8}  met")
        for name, row in rows.items():
            met = "yes" if row["under_target"] else "NO"
            print(f"  {name:<16}{row['seconds_median']:>8.3f}{row['to_baseline']:>8.2f}  {met}")


if __name__ == "__main__":
    main()
