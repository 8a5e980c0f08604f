"""The input's encoding told by charset-normalizer after the byte-order mark and UTF-8 checks
(issue 15, item 7): the encodings trade files come in are read right, Windows-1252 rather than
Latin-1, and an unsure detection is recorded and warned about, naming --encoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine.decoding import detect
from tests.test_benchmarks import _script

FILES = _script("encodings").files(rows=3)


@pytest.mark.parametrize("encoding", sorted(FILES))
def test_each_encoding_reads_back(encoding: str) -> None:
    text, data = FILES[encoding]
    found = detect(data)
    assert data.decode(found.encoding) == text, found.describe()


def test_the_detection_says_how_sure_it_is() -> None:
    assert detect(b"plain ascii\n").method == "ASCII"
    assert detect("\ufeffa,b\n".encode("utf-8")).method == "byte-order mark"
    russian = FILES["cp1251"][1]
    assert not detect(russian).low
    # A short Latin file that Windows-1250 reads otherwise is a guess, and says so.
    latin = FILES["latin_1"][1]
    guess = detect(latin)
    assert guess.encoding == "cp1252"
    assert guess.low
    assert guess.alternatives


def test_the_previous_heuristic_fails_where_the_detection_does_not() -> None:
    """The benchmark's baseline reads the Chinese, Japanese and Korean files as Windows-1251 or
    Latin-1: the comparison it reports is a real one."""
    previous = _script("encodings").previous
    for encoding in ("gb18030", "shift_jis", "euc_kr"):
        text, data = FILES[encoding]
        assert data.decode(previous(data), errors="replace") != text


def test_an_unsure_detection_is_warned_about_and_recorded(tmp_path: Path) -> None:
    _, data = FILES["latin_1"]
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "-o", f"{out}.html"])
    assert result.exit_code == 0, result.stderr
    assert "encoding was guessed: read as cp1252" in result.stderr
    assert "--encoding" in result.stderr
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    detection = manifest["input"]["encoding_detection"]
    assert detection["method"] == "charset-normalizer"
    assert detection["confidence"] < 0.6
    assert "encoding was guessed" in Path(f"{out}.html").read_text(encoding="utf-8")
    given = CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "--encoding", "latin-1"])
    assert "encoding was guessed" not in given.stderr
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["input"]["encoding_detection"]["method"] == "--encoding"


def test_the_benchmark_runs() -> None:
    module = _script("encodings")
    assert sum(module.previous(d) is not None for _, d in module.files(2).values()) == 10
