"""Screening in worker processes: the same outputs in the same order, and failures that show."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Screener
from engine.io.csvreader import ShipmentReader
from engine.io.outputs import open_writer
from engine.reading.caches import Fingerprints
from engine.scale import pool
from engine.scale.pool import WorkerError, screen_rows
from tests.conftest import DEADLINE, REPO, Spawn, fifo_writer, wait_for

sys.path.insert(0, str(REPO / "benchmarks"))
from shipments_gen import generate

fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")


@pytest.fixture(scope="module")
def shipments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "shipments.csv"
    listed = sorted(n for p in Screener.default().catalogue.parties.values() for n in p.all_names())
    generate(path, 3000, listed=listed)
    with path.open("a", encoding="utf-8", newline="") as fh:  # rows the lane leaves alone
        fh.write('S99,2024-01-01,"Quote, Inc.",DE,"Two\nLines",RU,,,,,,,8542.31,Chips\n')
        fh.write('S98,2024-01-01,Acme Pipes,DE,Orion,KZ,,,,,,,7304.19,12" steel pipe\n')  # an inch
        fh.write('S97,2024-01-01,Acme "Best" Pipes,DE,Orion,KZ,,,,,,,7304.19,"3"" pipe"\n')
        fh.write("S00000001,2024-01-01,=cmd,DE,Acme,FR,,,,,,,6911.10,Plates\n")
        fh.write("S100,bad row\n")
    return path


def _screen(
    path: Path, workers: int, formats: tuple[str, ...], batch: int | None = None
) -> list[str]:
    run = {"input": "x", "version": "0", "ruleset_digest": "r", "catalogue_digest": "c"}
    run["lists"] = []
    with ShipmentReader(path) as reader:
        streams = [io.StringIO() for _ in formats]
        writers = [
            open_writer(s, f, reader.header, run=run)  # type: ignore[arg-type]
            for s, f in zip(streams, formats, strict=True)
        ]
        screen_rows(Screener.default(), reader, writers, workers=workers, batch_size=batch)
    return [s.getvalue() for s in streams]


@fork_only
def test_workers_write_what_one_process_writes(shipments: Path) -> None:
    formats = ("csv", "jsonl", "html")
    one = _screen(shipments, 1, formats)
    two = _screen(shipments, 2, formats, batch=97)  # many batches, finishing out of order
    assert two[0] == one[0]
    assert two[1] == one[1]
    drop_time = [line for line in one[2].splitlines() if "generated" not in line]
    assert [line for line in two[2].splitlines() if "generated" not in line] == drop_time
    assert one[0].count("\n") > 3000


@fork_only
def test_a_worker_that_dies_fails_the_run(
    shipments: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pool._parse

    def dying(segment: Any, delimiter: str) -> Iterator[Any]:
        for record in real(segment, delimiter):
            if record[0] > 2500:  # a worker killed mid-run (out of memory, say)
                os.kill(os.getpid(), signal.SIGKILL)
            yield record

    monkeypatch.setattr(pool, "_parse", dying)
    out = tmp_path / "scored.csv"
    with ShipmentReader(shipments) as reader:
        writer = open_writer(out, "csv", reader.header)
        with pytest.raises(WorkerError, match="stopped unexpectedly"):
            screen_rows(Screener.default(), reader, [writer], workers=2, batch_size=50)
    assert list(tmp_path.iterdir()) == []  # nothing that looks complete, no temporary left


def _group(pgid: int) -> list[int]:
    """The processes of a process group (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@fork_only
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_stops_the_workers_too(tmp_path: Path, spawn: Spawn) -> None:
    source = tmp_path / "in.csv"
    os.mkfifo(source)
    out = tmp_path / "scored.csv"
    process = spawn("-m", "cli", "screen", str(source), "-o", str(out), "--workers", "2")
    with fifo_writer(source, process) as write:
        write(b"shipment_id,consignee,hs_code\nS1,Acme GmbH,0901.21\n")
        # The main process and its two workers; the command waits for more rows.
        wait_for(lambda: len(_group(process.pid)) >= 3, "the workers to start", process)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 143, err
    assert "interrupted by SIGTERM" in err
    assert "Traceback" not in err
    wait_for(lambda: not _group(process.pid), "the workers to end")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@fork_only
def test_the_clear_name_table_is_shared_with_forks() -> None:
    table = Fingerprints(10)
    table.add("before")
    table.share()
    assert "before" in table
    pid = os.fork()
    if pid == 0:  # the child adds; the parent must see it
        table.add("Atlas Trading GmbH")
        os._exit(0)
    os.waitpid(pid, 0)
    assert "Atlas Trading GmbH" in table
    assert "Nordic Ceramics AB" not in table


def test_fingerprints_forget_only_what_two_later_strings_displace() -> None:
    table = Fingerprints(16)
    names = [f"Firm {i} Trading" for i in range(13_000)]  # a fifth of the slots
    for name in names:
        table.add(name)
    kept = sum(name in table for name in names)
    # A string is lost only if two later ones share its bucket: about 1 in 45 at this load (a
    # table of one-slot buckets would lose 1 in 11).
    assert kept > 0.96 * len(names)
    assert not any(f"Other {i}" in table for i in range(13_000))
    table.add(names[0])  # added again: remembered again
    assert names[0] in table


def _pipe_max() -> int:
    try:
        return int(Path("/proc/sys/fs/pipe-max-size").read_text())
    except (OSError, ValueError):
        return 0


@fork_only
@pytest.mark.skipif(_pipe_max() < 1 << 20, reason="needs Linux pipes of 1 MiB")
def test_batches_cross_wide_pipes(shipments: Path) -> None:
    import fcntl

    from engine.scale.pool import WorkerPool

    with ShipmentReader(shipments) as reader:
        writer = open_writer(io.StringIO(), "csv", reader.header)
        with WorkerPool(Screener.default(), reader, [writer.renderer], 2) as pool:
            executor = pool._pool
            for queue in (executor._call_queue, executor._result_queue):  # type: ignore[union-attr]
                assert fcntl.fcntl(queue._reader.fileno(), 1032) == 1 << 20  # F_GETPIPE_SZ


@fork_only
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path: Path, spawn: Spawn) -> None:
    """SIGKILL gives the main process no chance to stop its workers: they end by themselves."""
    source = tmp_path / "in.csv"
    os.mkfifo(source)
    process = spawn("-m", "cli", "screen", str(source), "-o", str(tmp_path / "o.csv"),
                    "--workers", "2")  # fmt: skip
    with fifo_writer(source, process) as write:
        write(b"shipment_id,consignee,hs_code\nS1,Acme GmbH,0901.21\n")
        wait_for(lambda: len(_group(process.pid)) >= 3, "the workers to start", process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=DEADLINE)
        wait_for(lambda: not _group(process.pid), "the workers to end once the main process died")


@fork_only
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_stopped_worker_fails_the_run_instead_of_hanging_it(
    shipments: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.scale.pool import WorkerPool

    monkeypatch.setattr(WorkerPool, "WATCH_SECONDS", 0.05)
    monkeypatch.setattr(WorkerPool, "STOPPED_SECONDS", 0.2)
    out = tmp_path / "scored.csv"
    stopped: list[int] = []
    with ShipmentReader(shipments) as reader:
        writer = open_writer(out, "csv", reader.header)
        with WorkerPool(Screener.default(), reader, [writer.renderer], 2) as workers:

            def stop_all(rows: int, done: int) -> None:
                # Every worker, so that some batch is sure to wait on a stopped one (with one
                # stopped, the other may take all the work left, and the run end well).
                if not stopped:
                    for pid in list(workers._pool._processes):  # type: ignore[union-attr]
                        os.kill(pid, signal.SIGSTOP)
                        stopped.append(pid)

            with pytest.raises(WorkerError, match=r"has been stopped \(SIGSTOP"):
                screen_rows(Screener.default(), reader, [writer], pool=workers, batch_size=50,
                            progress=stop_all)  # fmt: skip
    assert stopped
    for pid in stopped:
        proc = Path(f"/proc/{pid}")
        wait_for(lambda: not proc.exists(), "the stopped worker to be ended")  # noqa: B023
    assert list(tmp_path.iterdir()) == []


@fork_only
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_worker_stopped_when_the_work_is_done_does_not_hold_the_run(
    shipments: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every result is in when a worker is stopped: the run ends well and the stopped worker is
    killed, where waiting for it to end by itself would wait for good."""
    from engine.scale.pool import WorkerPool

    with ShipmentReader(shipments) as reader:
        total = screen_rows(Screener.default(), reader, [], commit=False).rows
    monkeypatch.setattr(WorkerPool, "WATCH_SECONDS", 0.05)
    monkeypatch.setattr(WorkerPool, "STOPPED_SECONDS", 0.2)
    out = tmp_path / "scored.csv"
    stopped: list[int] = []
    ended = threading.Event()
    with ShipmentReader(shipments) as reader:
        writer = open_writer(out, "csv", reader.header)
        workers = WorkerPool(Screener.default(), reader, [writer.renderer], 2)

        def stop_at_the_end(rows: int, done: int) -> None:
            if rows == total and not stopped:  # the last batch's result (not the summing up)
                stopped.extend(workers._pool._processes)  # type: ignore[union-attr]
                os.kill(stopped[0], signal.SIGSTOP)

        def run() -> None:
            screen_rows(Screener.default(), reader, [writer], pool=workers, batch_size=50,
                        progress=stop_at_the_end)  # fmt: skip
            ended.set()

        running = threading.Thread(target=run, daemon=True)
        running.start()
        try:
            assert ended.wait(DEADLINE), "the run waited for a stopped worker"
        finally:
            for pid in stopped:  # whatever happened, nothing is left stopped
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            running.join(DEADLINE)
    assert stopped
    for pid in stopped:
        proc = Path(f"/proc/{pid}")
        wait_for(lambda: not proc.exists(), "the workers to be ended")  # noqa: B023
    assert len(out.read_text(encoding="utf-8").splitlines()) > 3000
