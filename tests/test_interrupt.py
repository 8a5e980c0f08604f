"""An interrupted run (SIGTERM, Ctrl-C) leaves no output that looks complete, and says so.

The command handles both signals from its start, before anything is loaded.  These tests do not
guess when the command has reached a step: they wait for what shows it (a FIFO opened by the
command, a temporary output with rows in it), or send the signal from inside the command after a
given number of function calls, so that every step is reached whatever the machine's speed.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import DEADLINE, REPO, Spawn, fifo_writer, wait_for

HEADER = "shipment_id,consignee,consignee_country,hs_code,description\n"
SIGNALS = [
    pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
    pytest.param(signal.SIGINT, 130, id="SIGINT"),
]

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


def _rows(start: int, count: int) -> str:
    return "".join(f"S{i},Firm {i % 500} Trading GmbH,DE,0901.21,Roasted coffee\n"
                   for i in range(start, start + count))  # fmt: skip


def _finish(process: subprocess.Popen[str], sig: int, *, again: bool = False) -> str:
    """Send the signal and wait for the command to end (failing after DEADLINE seconds).

    ``again``: send it again each 10 s while the command has not ended, for a command blocked
    reading a FIFO it has just opened.  CPython runs a signal's handler between bytecodes, or
    when a system call fails with EINTR: a signal that arrives as the FIFO's ``open`` returns,
    before the ``read`` that follows begins, waits for that read to end, and the test would wait
    for a line that never comes; a second signal interrupts the read.  Nowhere else: once the
    command has handled the first, a second could arrive after the command has put the previous
    handlers back, on its way out.
    """
    deadline = time.monotonic() + DEADLINE
    while True:
        process.send_signal(sig)
        try:
            _, err = process.communicate(timeout=10.0 if again else DEADLINE)
            break
        except subprocess.TimeoutExpired:
            if not again or time.monotonic() > deadline:
                raise
    assert "Traceback" not in err, err
    return err


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(("sig", "code"), SIGNALS)
def test_a_signal_while_loading(tmp_path: Path, spawn: Spawn, sig: int, code: int) -> None:
    sdn = tmp_path / "sdn.csv"
    os.mkfifo(sdn)
    out = tmp_path / "scored.csv"
    example = str(REPO / "examples" / "shipments.csv")
    process = spawn("-m", "cli", "screen", example, "-o", str(out), "--list", str(sdn))
    with fifo_writer(sdn, process):  # the command is loading the list, and waits for its lines
        err = _finish(process, sig, again=True)
    assert process.returncode == code, err
    assert "interrupted by " + signal.Signals(sig).name in err
    assert "no output was written" in err
    assert _left(tmp_path) == ["sdn.csv"]


@pytest.mark.parametrize(("sig", "code"), SIGNALS)
def test_a_signal_while_screening(tmp_path: Path, spawn: Spawn, sig: int, code: int) -> None:
    source = tmp_path / "in.csv"
    os.mkfifo(source)
    (tmp_path / "old.csv").write_text("a complete earlier output\n", encoding="utf-8")
    out, report = tmp_path / "scored.csv", tmp_path / "r.html"
    process = spawn("-m", "cli", "screen", str(source), "-o", str(out), "-o", str(report))
    with fifo_writer(source, process) as write:
        # More than the reader takes at a time (256 KiB), so that some rows are screened and
        # written while it waits for the rest of a block.
        write((HEADER + _rows(0, 20_000)).encode())

        def screened() -> bool:  # rows are in the unfinished output: screening is under way
            return any(p.stat().st_size > 0 for p in tmp_path.glob(".scored.csv.*.part"))

        wait_for(screened, "rows in the unfinished output", process)
        err = _finish(process, sig)  # while the command waits for more rows
    assert process.returncode == code, err
    assert f"interrupted by {signal.Signals(sig).name} after " in err
    assert "no output was written" in err
    rows = int(err.split(" after ")[1].split()[0])
    assert 0 < rows < 20_000
    assert _left(tmp_path) == ["in.csv", "old.csv"]  # no partial files, the old file kept


# Run the command with a profile hook that, from the first call of a function of the command
# (``-``: from the start), counts calls and, at the given count, sends the signal to the command
# itself: the signal then arrives at that step of the run, whatever the machine's speed.
_DRIVER = """
import os, signal, sys
anchor, calls, sig = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
count = 0
started = anchor == "-"
def hook(frame, event, arg):
    global count, started
    if not started:
        started = event == "call" and frame.f_code.co_name == anchor
        return
    count += 1
    if count == calls:
        sys.setprofile(None)
        sys.stderr.write("driver: signal sent\\n")
        os.kill(os.getpid(), sig)
import cli
sys.setprofile(hook)
cli.main(sys.argv[4:], prog_name="shipscreen")
"""


@pytest.mark.parametrize(
    ("anchor", "calls", "sig"),
    [
        ("-", 2_000, signal.SIGTERM),  # reading the command line
        ("load_catalogue", 20_000, signal.SIGINT),  # loading the entities
        ("screen_batch", 3_000, signal.SIGTERM),  # screening
        ("write_out", 30, signal.SIGINT),  # writing out the outputs and their manifests
        ("move_into_place", 1, signal.SIGTERM),  # renaming them all into place
    ],
)
def test_a_signal_at_any_moment(
    tmp_path: Path, spawn: Spawn, anchor: str, calls: int, sig: int
) -> None:
    names = ("scored.csv", "scored.jsonl", "report.html", "scored.parquet")
    outputs = [tmp_path / name for name in names]
    example = str(REPO / "examples" / "shipments.csv")
    args = ["screen", example, *(a for o in outputs for a in ("-o", str(o)))]
    process = spawn("-c", _DRIVER, anchor, str(calls), str(sig), *args)
    _, err = process.communicate(timeout=DEADLINE)
    assert "driver: signal sent" in err, err  # the step was reached
    assert "Traceback" not in err, err
    assert process.returncode == 128 + sig, err
    assert f"shipscreen: interrupted by {signal.Signals(sig).name}" in err
    left = _left(tmp_path)
    assert not [name for name in left if name.endswith(".part")], left  # nothing half-written
    if any(output.exists() for output in outputs):  # interrupted once the outputs were written
        assert "after the outputs were written with their manifests" in err
        assert left == sorted(n for o in outputs for n in (o.name, o.name + ".manifest.json"))
        with outputs[0].open(encoding="utf-8", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == 19  # whole
    else:
        assert "no output was written" in err
        assert left == []


def test_once_interrupted_the_signals_stay_ignored_on_the_way_out() -> None:
    """After the first signal the command is on its way out: a second Ctrl-C during the
    interpreter's shutdown (joining a worker pool's threads) must find the signals still
    ignored, not the default handler that raises KeyboardInterrupt and prints a traceback."""
    import cli

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(cli.Interrupted), cli._interruptible():
            signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
        with cli._interruptible():  # a run that is not interrupted puts the handlers back
            pass
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN  # as they were before it
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    with cli._interruptible():
        pass
    assert signal.getsignal(signal.SIGINT) == previous[signal.SIGINT]
