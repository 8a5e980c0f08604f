"""The Dask path against the single-machine one: the same file screened by one process, by
``--workers 2``, and by ``--engine dask`` on local clusters of one and two workers.

Run from the repository root (figures to stdout; ``--json`` also writes them to a file)::

    python benchmarks/cluster.py

The shipment file is the one ``benchmarks/scale.py`` uses (``benchmarks/shipments_gen.py``, kept
in ``--data``; 1M rows by default).  Each scenario runs in its own process, ``--runs`` rounds of
all scenarios in turn, so a shared, noisy machine weighs on each alike:

- ``single``: ``shipscreen screen FILE -o OUT.csv --workers 1``;
- ``local, --workers 2``: the same with two worker processes;
- ``dask, N worker(s)``: ``shipscreen screen FILE -o FOLDER --engine dask --workers N --format
  csv``, which starts a local cluster of N worker processes, plans the file's parts (one read of
  it in this process), screens them on the cluster and writes a CSV part each (N of
  ``--dask-workers``: 1 and 2 by default).

All write CSV and a manifest.  Wall time (from the command's start to its exit: cluster start-up
and planning included) and the peak memory of the whole process tree (workers and nannies
included) are taken as in scale.py; the report gives medians, rows per second and ratios to the
single process.  Separately, in this process: the time to plan the file's parts, and to start and
stop a local cluster of each size (the median of ``--starts`` times).  Every round checks that
the Dask parts, joined, are the single-process output byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import _dataset, _listed, machine, measure  # noqa: E402

from engine.scale.cluster import PART_ROWS, plan  # noqa: E402


def _digest_single(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest_parts(folder: Path) -> str:
    """The SHA-256 of the parts joined as one CSV file (the first header, every part's rows)."""
    sha = hashlib.sha256()
    for i, part in enumerate(sorted(folder.glob("part-*.csv"))):
        with part.open("rb") as fh:
            header = fh.readline()
            if i == 0:
                sha.update(header)
            for block in iter(lambda fh=fh: fh.read(1 << 22), b""):  # type: ignore[misc]
                sha.update(block)
    return sha.hexdigest()


def _cluster_start(workers: int) -> float:
    """Seconds to start and stop a local cluster of ``workers`` processes, and connect to it."""
    import distributed

    start = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster),
    ):
        pass
    return time.perf_counter() - start


def _summary(runs: list[dict[str, float]], rows: int, single: float) -> dict[str, Any]:
    seconds = statistics.median(r["seconds"] for r in runs)
    return {
        "runs": [{k: round(v, 3) for k, v in r.items()} for r in runs],
        "seconds_median": round(seconds, 3),
        "rows_per_second": round(rows / seconds),
        "speedup_over_single": round(single / seconds, 2),
        "peak_mb_median": round(statistics.median(r["peak_mb"] for r in runs), 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--partition-rows", type=int, default=PART_ROWS)
    parser.add_argument("--data", type=Path, default=REPO / "benchmarks" / ".data")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--dask-workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="the local cluster sizes to screen on and to time the start of (default 1 2)",
    )
    parser.add_argument(
        "--starts", type=int, default=3, help="times to start each cluster size (default 3)"
    )
    args = parser.parse_args(argv)

    args.data.mkdir(parents=True, exist_ok=True)
    path = _dataset(args.data, args.rows, _listed(None), "bundled")
    out = args.data / "cluster-out.csv"
    folder = args.data / "cluster-out"
    engine = [sys.executable, str(REPO / "cli.py"), "screen", str(path), "-q"]
    scenarios: dict[str, list[str]] = {
        "single": ["-o", str(out), "--workers", "1"],
        "local, --workers 2": ["-o", str(out), "--workers", "2"],
    }
    for workers in args.dask_workers:
        scenarios[f"dask, {workers} worker{'s' if workers > 1 else ''}"] = [
            "-o", str(folder), "--engine", "dask", "--workers", str(workers), "--format", "csv",
            "--partition-rows", str(args.partition_rows),
        ]  # fmt: skip
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in scenarios}
    agree: list[bool] = []
    for round_ in range(args.runs):
        print(f"{args.rows:,} rows, round {round_ + 1} of {args.runs}", file=sys.stderr, flush=True)
        reference = None
        for name, extra in scenarios.items():
            shutil.rmtree(folder, ignore_errors=True)
            runs[name].append(measure([*engine, *extra]))
            if name == "single":
                reference = _digest_single(out)
            elif name.startswith("dask"):
                agree.append(_digest_parts(folder) == reference)
    clock = time.perf_counter()
    the_plan = plan([str(path)], part_rows=args.partition_rows)
    planning = time.perf_counter() - clock
    starts = {
        w: statistics.median(_cluster_start(w) for _ in range(args.starts))
        for w in args.dask_workers
    }
    out.unlink(missing_ok=True)
    out.with_name(out.name + ".manifest.json").unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)

    single = statistics.median(r["seconds"] for r in runs["single"])
    figures: dict[str, Any] = {
        "machine": machine(),
        "rows": args.rows,
        "path": str(path),
        "bytes": path.stat().st_size,
        "partitions": len(the_plan.parts),
        "partition_rows": args.partition_rows,
        "plan_seconds": round(planning, 3),
        "cluster_start_seconds": {str(w): round(s, 3) for w, s in starts.items()},
        "dask_parts_equal_single_output": all(agree),
        "scenarios": {name: _summary(r, args.rows, single) for name, r in runs.items()},
    }
    _print(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def _print(figures: dict[str, Any]) -> None:
    print(
        f"{figures['rows']:,} rows ({figures['bytes'] / 1e6:.0f} MB), "
        f"{figures['partitions']} parts of {figures['partition_rows']:,} rows; "
        f"{figures['machine']['cores_usable']} usable cores"
    )
    print(f"{'scenario':<22}{'median s':>10}{'rows/s':>10}{'x single':>10}{'peak MB':>10}")
    for name, s in figures["scenarios"].items():
        print(
            f"{name:<22}{s['seconds_median']:>10.1f}{s['rows_per_second']:>10,}"
            f"{s['speedup_over_single']:>10.2f}{s['peak_mb_median']:>10.0f}"
        )
    starts = figures["cluster_start_seconds"]
    started = ", ".join(f"{w} workers {s:.1f} s" for w, s in starts.items())
    print(f"planning (one read of the file): {figures['plan_seconds']:.1f} s")
    print(f"local cluster start and stop: {started}")
    same = figures["dask_parts_equal_single_output"]
    print(f"Dask parts joined equal the single-process output: {same}")


if __name__ == "__main__":
    main()
