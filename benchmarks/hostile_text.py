"""How long a row whose free text repeats a red-flag phrase takes, and how much memory, against an
ordinary row with the phrase.

Run from the repository root (figures to stdout; ``--json`` also writes them to a file)::

    python benchmarks/hostile_text.py

Cases (``tests/test_hostile_text.py`` checks what they screen to):

- ``normal``: "Corrugated cartons for the special military operation" to Russia, the baseline;
- ``repeat-5k`` and ``repeat-25k``: "for the special military operation " 5,000 and 25,000 times
  (175,000 and 875,000 characters), through ``Screener.screen``;
- ``mapping-10mb``: the same phrase repeated to 10,000,000 characters, through ``Screener.screen``;
- ``csv-normal`` and ``csv-100k``: the command ``shipscreen screen`` writing JSON Lines, CSV and
  HTML, on one row with the ordinary description and on one whose description repeats the phrase
  to just under the CSV reader's field limit (100,000 characters).

Each case runs in a fresh process, once per round, limited to ``--limit-gb`` of address space and
``--timeout`` seconds (a case that runs out of either is reported as such, not waited for).  The
screening call alone is timed (the command, whole, for the CSV cases); its memory is the process's
peak resident set during it less the resident set before it (the result's JSON, whose size is
reported too, is made after; for the CSV cases, the JSON Lines output's size, input included).
The report gives medians of ``--runs`` rounds and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

PHRASE = "for the special military operation "
ROW = {"shipment_id": "S1", "consignee": "OOO Nevatorg", "consignee_country": "RU"}

# The child: screens one case and prints its figures as JSON.
_CHILD = r"""
import json, sys, time
from pathlib import Path

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # kB to MB
    return 0.0

case, arg = sys.argv[1], sys.argv[2]
sys.path.insert(0, arg)
from engine import Screener
screener = Screener.default()
row = dict(json.loads(sys.argv[3]))
screener.screen({**row, "description": "Corrugated cartons for the special military operation"})
if case.startswith("csv"):
    from cli import main
    src, out = sys.argv[4], sys.argv[5]
    before = status("VmRSS")
    start = time.perf_counter()
    try:
        main(["screen", src, "-o", out + ".jsonl", "-o", out + ".csv", "-o", out + ".html", "-q"],
             standalone_mode=False)
    except SystemExit:
        pass
    seconds = time.perf_counter() - start
    peak = status("VmHWM") - before
    result = json.loads(Path(out + ".jsonl").read_text("utf-8").splitlines()[0])
    size = len(Path(out + ".jsonl").read_bytes())
    band = result["band"]
else:
    description = sys.argv[4] if case == "normal" else sys.argv[4] * int(sys.argv[5])
    before = status("VmRSS")
    start = time.perf_counter()
    result = screener.screen({**row, "description": description})
    seconds = time.perf_counter() - start
    peak = status("VmHWM") - before
    size = len(result.model_dump_json())
    band = result.band
print(json.dumps({"seconds": seconds, "peak_mb": peak, "band": band, "json_bytes": size}))
"""


def _cases(tmp: Path) -> dict[str, list[str]]:
    """Each case's child arguments after the repository path and the row."""
    header = "shipment_id,consignee,consignee_country,description\n"
    cases: dict[str, list[str]] = {
        "normal": ["Corrugated cartons for the special military operation"],
        "repeat-5k": [PHRASE, "5000"],
        "repeat-25k": [PHRASE, "25000"],
        "mapping-10mb": [PHRASE, str(10_000_000 // len(PHRASE))],
    }
    for name, description in (
        ("csv-normal", "Corrugated cartons for the special military operation"),
        ("csv-100k", PHRASE * (99_999 // len(PHRASE))),
    ):
        src = tmp / f"{name}.csv"
        src.write_text(header + f"S1,OOO Nevatorg,RU,{description}\n", "utf-8")
        cases[name] = [str(src), str(tmp / f"{name}-out")]
    return cases


def _run(case: str, args: list[str], limit_gb: float, timeout: float) -> dict[str, Any]:
    limit = int(limit_gb * 1024**3)

    def _limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, "-c", _CHILD, case, str(REPO), json.dumps(ROW), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, preexec_fn=_limit, env=env
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"still running after {timeout:g} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"failed": f"exit {done.returncode}: {last[:200]}"}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--cases", nargs="+", help="only these cases")
    parser.add_argument("--limit-gb", type=float, default=8.0, help="address space of a case")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a case may take")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {"runs": args.runs, "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        cases = _cases(Path(tmp))
        chosen = args.cases or list(cases)
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in chosen}
        for _ in range(args.runs):
            for case in chosen:
                runs[case].append(_run(case, cases[case], args.limit_gb, args.timeout))
    for case, results in runs.items():
        good = [r for r in results if "failed" not in r]
        entry: dict[str, Any] = {"failed": [r["failed"] for r in results if "failed" in r]}
        if good:
            entry.update(
                seconds_median=statistics.median(r["seconds"] for r in good),
                peak_mb_median=statistics.median(r["peak_mb"] for r in good),
                bands=sorted({r["band"] for r in good}),
                json_bytes=max(r["json_bytes"] for r in good),
            )
        figures["cases"][case] = entry
    for case, entry in figures["cases"].items():
        base = figures["cases"].get("csv-normal" if case.startswith("csv") else "normal", {})
        if "seconds_median" in entry:
            ratio = ""
            if base.get("seconds_median"):
                ratio = f" ({entry['seconds_median'] / base['seconds_median']:.1f}x baseline)"
            print(
                f"{case:>13}: {entry['seconds_median']:8.3f} s{ratio}, "
                f"peak {entry['peak_mb_median']:8.1f} MB, band {'/'.join(entry['bands'])}, "
                f"result JSON {entry['json_bytes']:,} bytes"
            )
        for failure in entry["failed"]:
            print(f"{case:>13}: failed: {failure}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return figures


if __name__ == "__main__":
    main()
