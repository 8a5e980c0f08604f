"""Where outputs go: checked before the first row is read, and written whole with their manifests
or not at all, whatever fails (a full disk, a read-only file system, a rename) and wherever."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from engine.errors import OutputError
from engine.io import targets
from engine.io.atomic import AtomicFile
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "shipments.csv"
FORMATS = ("csv", "jsonl", "html", "parquet")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["screen", *args])
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stderr


def test_an_output_that_is_the_input_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    shutil.copy(EXAMPLE, src)
    before = src.read_bytes()
    code, err = run(str(src), "-o", str(src))
    assert code == 2
    assert "it is the input" in err
    link = tmp_path / "link.csv"
    link.symlink_to(src)  # the same file under another name
    code, err = run(str(src), "-o", str(link))
    assert code == 2
    assert "it is the input" in err
    assert src.read_bytes() == before


def test_outputs_that_collide_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    code, err = run(str(EXAMPLE), "-o", str(out), "-o", str(out))
    assert code == 2
    assert "given twice" in err
    code, err = run(str(EXAMPLE), "-o", str(out), "-o", str(tmp_path / "a.csv.manifest.json"))
    assert code == 2
    assert "given twice" in err
    assert list(tmp_path.iterdir()) == []
    # Without manifests, an output may bear such a name.
    code, _ = run(str(EXAMPLE), "-o", str(out), "-o", f"{out}.manifest.json", "--no-manifest")
    assert code == 0


@pytest.mark.parametrize(
    ("where", "expected"),
    [("folder", "it is a folder"), ("missing/out.csv", "does not exist")],
)
def test_an_output_that_cannot_be_a_file_is_refused_before_loading(
    tmp_path: Path, where: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "folder").mkdir()
    loaded: list[object] = []
    monkeypatch.setattr("cli._load", lambda *a, **k: loaded.append(a))  # must not be reached
    code, err = run(str(EXAMPLE), "-o", str(tmp_path / where))
    assert code == 2
    assert expected in err
    assert loaded == []


@contextlib.contextmanager
def _small_fs(folder: Path, size: str, *options: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (root, Linux), or skip saying why not."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounts need root")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_read_only_target_is_refused_before_screening(tmp_path: Path, fmt: str) -> None:
    with _small_fs(tmp_path / "ro", "1m", "ro") as folder:
        code, err = run(str(EXAMPLE), "-o", str(folder / f"out.{fmt}"))
    assert code == 2
    assert "the file system is read-only; nothing was written" in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounts need root")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_leaves_nothing_and_says_so(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "in.csv"
    rows = "".join(
        f"S{i},2024-01-01,Acme Trading {i} GmbH,DE,Orion LLC,RU,,,,,,,8542.31,Integrated circuits\n"
        for i in range(3000)
    )
    src.write_text(EXAMPLE.read_text("utf-8").splitlines()[0] + "\n" + rows, encoding="utf-8")
    with _small_fs(tmp_path / "small", "64k") as folder:
        code, err = run(str(src), "-o", str(folder / f"out.{fmt}"), "--workers", "1")
        left = sorted(p.name for p in folder.iterdir())
    assert code == 2
    assert "the disk is full" in err
    assert "nothing was written" in err
    assert left == []  # no output, no manifest, no temporary file


def _steps(tmp_path: Path) -> list[tuple[str, Any]]:
    """Two outputs written out, as the command has them before moving them into place."""
    outputs = []
    for name in ("a.csv", "b.csv"):
        atomic = AtomicFile(tmp_path / name)
        atomic.file.write("x\n")
        outputs.append((str(tmp_path / name), atomic))
    manifests = [(targets.manifest_path(name), "{}\n") for name, _ in outputs]
    return targets.write_out(outputs, manifests)


def test_a_manifest_that_cannot_be_written_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(atomic: AtomicFile, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(targets, "_fill", full)
    with pytest.raises(OutputError, match="the disk is full; nothing was written"):
        _steps(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_rename_that_fails_says_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = _steps(tmp_path)
    real = AtomicFile.commit

    def second_fails(self: AtomicFile) -> None:
        if self.path.name == "b.csv":
            raise OSError(errno.EIO, "Input/output error")
        real(self)

    monkeypatch.setattr(AtomicFile, "commit", second_fails)
    with pytest.raises(OutputError) as caught:
        targets.move_into_place(steps)
    assert caught.value.written == (str(tmp_path / "a.csv"),)
    assert "written all the same: " in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]  # the rest removed


def test_the_manifest_is_written_with_its_output(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _ = run(str(EXAMPLE), "-o", str(out))
    assert code == 0
    manifest = json.loads((tmp_path / "out.csv.manifest.json").read_text("utf-8"))
    assert manifest["outputs"] == [{"path": str(out), "format": "csv"}]
