"""How ``shipscreen rules check`` grows with the number of rules, against the bundled set.

Run from the repository root (figures to stdout; ``--json`` also writes them to a file)::

    python benchmarks/rules_scale.py                  # 100, 300 and 1,000 rules, 3 rounds

Two kinds of rule set of N rules are made (``--kinds``), every rule valid and its tests passing:

- ``copies``: copies of the bundled rules, each with its own id (and file) and the inline tests
  of the rule it copies.  Copies of one rule open one another's gates (a copy's test shipment
  opens every copy), as rules written from one template do: the worst case for screening each
  test shipment with the whole rule set;
- ``distinct``: rules that each look for one goods category going to one country, with a test
  shipment that hits and one that does not; a test shipment opens its own rule's gate only.

Each round runs ``rules check`` (the click command, in this process) on the bundled rules
and on each generated set, and times its two steps apart as the command takes them: loading
(``Screener.load``: the rule files, the catalogue, the compiled screener) and running the
inline tests (``run_inline_tests``).  The report gives medians of ``--runs`` rounds, seconds per
rule and the ratio of that to the bundled set's (1.0 is linear; N/bundled is quadratic), and the
growth exponent between sizes (1 is linear, 2 quadratic).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from click.testing import CliRunner  # noqa: E402

from cli import main as shipscreen  # noqa: E402
from engine import Screener, load_catalogue, run_inline_tests  # noqa: E402
from engine.catalogue.bundled import bundled_dir  # noqa: E402

BUNDLED = "bundled"
KINDS = ("copies", "distinct")


def make_rules(count: int, folder: Path, kind: str = "copies") -> Path:
    """A folder of ``count`` valid rules of a kind (see the module's docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    rules = _copies(count) if kind == "copies" else _distinct(count)
    for rule in rules:
        text = yaml.safe_dump(rule, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"{rule['id']}.yaml").write_text(text, encoding="utf-8")
    return folder


def _copies(count: int) -> list[dict[str, Any]]:
    sources = sorted(bundled_dir("rules").glob("*.yaml"))
    rules = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sources]
    return [
        {**rules[i % len(rules)], "id": f"{rules[i % len(rules)]['id']}-{i:04d}"}
        for i in range(count)
    ]


def _distinct(count: int) -> list[dict[str, Any]]:
    catalogue = load_catalogue(bundled_dir("entities"))
    categories = sorted((c for c in catalogue.categories.values() if c.hs), key=lambda c: c.id)
    # Countries the catalogue gives no role, so that no bundled signal is involved.
    codes = sorted({"DE", "FR", "IT", "ES", "PL", "NL", "BE", "SE", "AT", "DK", "FI", "PT", "IE",
                    "CZ", "HU", "RO", "GR", "NO", "CH", "JP", "KR", "AU", "CA", "BR", "MX", "AR",
                    "CL", "ZA", "EG", "NG", "KE", "MA", "TH", "VN", "ID", "MY", "PH", "SG", "NZ",
                    "IS"} - set(catalogue.countries))  # fmt: skip
    rules = []
    for i in range(count):
        category = categories[i % len(categories)]
        code = codes[(i // len(categories)) % len(codes)]
        other = codes[(i // len(categories) + 1) % len(codes)]
        hs = category.hs[0]
        written = f"{hs[:4]}.{hs[4:]}" if len(hs) > 4 else hs
        rules.append(
            {
                "id": f"goods-to-country-{i:04d}",
                "title": f"{category.title} to {code}",
                "status": "experimental",
                "severity": "medium",
                "weight": 0.5,
                "description": "Generated for benchmarks/rules_scale.py.",
                "references": [],
                "when": {
                    "all": [
                        {"goods_in": {"categories": [category.id]}},
                        {"country_in": {"fields": ["destination_country"], "countries": [code]}},
                    ]
                },
                "message": "Goods: {goods}. Destination: {country}.",
                "falsepositives": ["None: generated."],
                "tags": [],
                "tests": {
                    "hits": [{"hs_code": written, "destination_country": code}],
                    "passes": [{"hs_code": written, "destination_country": other}],
                },
            }
        )
    return rules


def _command_seconds(folder: Path) -> float:
    start = time.perf_counter()
    result = CliRunner().invoke(shipscreen, ["rules", "check", str(folder)])
    seconds = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"rules check {folder} failed ({result.exit_code}):\n{result.output}")
    return seconds


def _step_seconds(folder: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    screener = Screener.load(rules=folder)
    loaded = time.perf_counter()
    tests = len(run_inline_tests(screener))
    return loaded - start, time.perf_counter() - loaded, tests


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100, 300, 1000], help="rule counts"
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="kinds of rule set"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    bundled = bundled_dir("rules")
    base_count = len(list(bundled.glob("*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        folders = {BUNDLED: bundled}
        counts = {BUNDLED: base_count}
        for kind in args.kinds:
            for size in args.sizes:
                name = f"{kind} {size}"
                folders[name] = make_rules(size, Path(tmp) / name.replace(" ", "-"), kind)
                counts[name] = size
        times: dict[str, dict[str, list[float]]] = {
            name: {"command": [], "load": [], "inline_tests": []} for name in folders
        }
        tests: dict[str, int] = {}
        _command_seconds(bundled)  # imports and first-use caches, outside the rounds
        for _ in range(args.runs):
            for name, folder in folders.items():
                times[name]["command"].append(_command_seconds(folder))
                load, inline, tests[name] = _step_seconds(folder)
                times[name]["load"].append(load)
                times[name]["inline_tests"].append(inline)

    medians = {n: {k: statistics.median(v) for k, v in t.items()} for n, t in times.items()}
    figures: dict[str, Any] = {"runs": args.runs, "sets": {}}
    previous: str | None = None
    for name in folders:
        if previous is not None and name.split()[0] != previous.split()[0]:
            previous = None  # the growth exponent is between sizes of one kind
        row: dict[str, Any] = {"rules": counts[name], "tests": tests[name]}
        for step, seconds in medians[name].items():
            per_rule = seconds / counts[name]
            base = medians[BUNDLED][step] / base_count
            extra = counts[name] - base_count
            marginal = (seconds - medians[BUNDLED][step]) / extra if extra > 0 else None
            row[step] = {
                "seconds_median": round(seconds, 4),
                "ms_per_rule": round(per_rule * 1000, 3),
                "per_rule_to_bundled": round(per_rule / base, 2) if base > 0 else None,
                # What each rule beyond the bundled set costs: constant if the step is linear.
                "marginal_ms_per_rule": None if marginal is None else round(marginal * 1000, 3),
                "growth_exponent": _exponent(medians, counts, previous, name, step),
            }
        figures["sets"][name] = row
        previous = name
    _print(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def _exponent(
    medians: dict[str, dict[str, float]],
    counts: dict[str, int],
    previous: str | None,
    name: str,
    step: str,
) -> float | None:
    """How time grows from the previous set to this one: t ~ rules ** exponent."""
    if previous is None or counts[name] == counts[previous]:
        return None
    before, after = medians[previous][step], medians[name][step]
    if before <= 0 or after <= 0:
        return None
    return round(math.log(after / before) / math.log(counts[name] / counts[previous]), 2)


def _print(figures: dict[str, Any]) -> None:
    print(
        f"rules check, medians of {figures['runs']} rounds. x bundled: seconds per rule against the"
        " bundled set's;\nmarginal: ms per rule beyond the bundled set (constant if linear, growing"
        " with the size if not);\nexp: growth from the previous size (1 linear, 2 quadratic)"
    )
    print(f"{'set':<14}{'rules':>6}{'tests':>7}  {'step':<13}{'median s':>9}{'ms/rule':>9}"
          f"{'x bundled':>10}{'marginal':>9}{'exp':>6}")  # fmt: skip
    for name, row in figures["sets"].items():
        for step in ("command", "load", "inline_tests"):
            cell = row[step]
            exponent = "" if cell["growth_exponent"] is None else f"{cell['growth_exponent']:.2f}"
            ratio = "" if cell["per_rule_to_bundled"] is None else f"{cell['per_rule_to_bundled']}"
            first = f"{name:<14}{row['rules']:>6}{row['tests']:>7}"
            first = first if step == "command" else " " * len(first)
            marginal = cell["marginal_ms_per_rule"]
            marginal_text = "" if marginal is None else f"{marginal:.2f}"
            print(f"{first}  {step:<13}{cell['seconds_median']:>9.3f}{cell['ms_per_rule']:>9.2f}"
                  f"{ratio:>10}{marginal_text:>9}{exponent:>6}")  # fmt: skip


if __name__ == "__main__":
    main()
