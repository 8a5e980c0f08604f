"""Ctrl-C and SIGTERM during ``screen --engine dask`` on a local cluster: one line, exit code 130
or 143, nothing written, no hidden ``.partial`` folder, no process left.

A terminal's Ctrl-C goes to every process of the foreground group: the command, and the cluster's
worker processes with it.  The tests send the signals so (to the group), and to the command
alone as ``kill PID`` does; they wait for what shows the cluster is screening (a part written
in the hidden folder), never for a fixed time.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.conftest import DEADLINE, Spawn, wait_for

pytest.importorskip("distributed", reason="the Dask tests need shipscreen[dask]")
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

HEADER = "shipment_id,shipper,consignee,consignee_country,hs_code,description\n"
ROWS = 60_000  # 60 parts of 1,000: seconds of screening after the first part is written


def group_members(group: int) -> list[int]:
    """The processes of the process group ``group`` (from /proc: no process is signalled)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command's name, which may hold spaces
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@pytest.mark.parametrize(
    ("sig", "to_group"),
    [
        pytest.param(signal.SIGINT, True, id="ctrl-c"),
        pytest.param(signal.SIGTERM, True, id="SIGTERM-to-the-group"),
        pytest.param(signal.SIGTERM, False, id="SIGTERM-to-the-command"),
    ],
)
def test_a_signal_while_the_cluster_screens(
    tmp_path: Path, spawn: Spawn, sig: int, to_group: bool
) -> None:
    source = tmp_path / "in.csv"
    rows = (f"S{i},Acme {i},Orion LLC,RU,8542.31,Integrated circuits\n" for i in range(ROWS))
    source.write_text(HEADER + "".join(rows), encoding="utf-8")
    out = tmp_path / "results"
    process = spawn(
        "-m", "cli", "screen", str(source), "-o", str(out), "--engine", "dask", "--workers", "2",
        "--partition-rows", "1000", "--format", "csv", "-q",
    )  # fmt: skip

    def screening() -> bool:
        return any(tmp_path.glob(".results.*.partial/part-*.csv"))

    wait_for(screening, "a part in the hidden folder", process)
    workers = [pid for pid in group_members(process.pid) if pid != process.pid]
    assert workers  # the cluster's worker processes are in the command's group, as in a terminal
    if to_group:
        os.killpg(process.pid, sig)
    else:
        process.send_signal(sig)
    _, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 128 + sig, err
    assert err.splitlines() == [
        f"shipscreen: interrupted by {signal.Signals(sig).name}; no output was written"
    ], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no folder, no .partial
    wait_for(lambda: not group_members(process.pid), "the cluster's processes to end")
