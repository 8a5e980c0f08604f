"""An interrupted run (SIGTERM, Ctrl-C) leaves no output that looks complete, and says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO


def _big_input(path: Path, rows: int = 400_000) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("shipment_id,consignee,consignee_country,hs_code,description\n")
        for i in range(rows):
            fh.write(f"S{i},Firm {i % 5000} Trading GmbH,DE,0901.21,Roasted coffee\n")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupted_run_writes_nothing(tmp_path: Path, sig: int, code: int) -> None:
    src = tmp_path / "big.csv"
    _big_input(src)
    out = tmp_path / "scored.csv"
    (tmp_path / "old.csv").write_text("a complete earlier output\n", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "screen",
            str(src),
            "-o",
            str(out),
            "-o",
            str(tmp_path / "r.html"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3.0)  # loading takes about a second; the 400,000 rows several more
    assert process.poll() is None, process.communicate()
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "interrupted after" in err
    assert "no output was written" in err
    rows = int(err.split("interrupted after ")[1].split()[0])
    assert 0 < rows < 400_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "old.csv"]  # no partial files
