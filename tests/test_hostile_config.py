"""Hostile rule and entity files: a clear error, quickly, in bounded memory; nothing runs."""

from __future__ import annotations

import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import CatalogueError, RuleSetError, load_catalogue, load_rules
from engine.catalogue.bundled import bundled_dir

CATALOGUE = load_catalogue(bundled_dir("entities"))

BOMB = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)


def hostile_files(marker: Path) -> dict[str, tuple[bytes, str]]:
    """(content, the error expected) for each kind of hostile file."""
    return {
        "alias-bomb": (BOMB.encode(), "YAML aliases are not allowed"),
        "python-tag": (
            f"id: !!python/object/apply:os.system ['touch {marker}']\n".encode(),
            "could not determine a constructor",
        ),
        "python-name": (b"id: !!python/name:os.system\n", "could not determine a constructor"),
        "deep-flow": (("x: " + "[" * 200_000 + "]" * 200_000).encode(), "nested deeper than 64"),
        "deep-block": (
            "".join("  " * i + "a:\n" for i in range(200)).encode(),
            "nested deeper than 64",
        ),
        "huge": (b"# padding\n" * 900_000, "the limit is 8388608"),
        "duplicate-keys": (b"id: a\nid: b\n", "duplicate key 'id'"),
        "binary": (bytes(range(256)) * 100, "cannot read as UTF-8"),
    }


def _load_rules(directory: Path) -> None:
    load_rules(directory, CATALOGUE)


@pytest.mark.parametrize(
    ("kind", "loader", "error"),
    [
        (kind, loader, error)
        for kind in hostile_files(Path("x"))
        for loader, error in ((_load_rules, RuleSetError), (load_catalogue, CatalogueError))
    ],
    ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", ""),
)
def test_a_hostile_file_fails_fast_and_clearly(
    tmp_path: Path, kind: str, loader: Callable[[Path], object], error: type[Exception]
) -> None:
    marker = tmp_path / "pwned"
    content, expected = hostile_files(marker)[kind]
    directory = tmp_path / "data"
    if loader is _load_rules:
        shutil.copytree(bundled_dir("rules"), directory)
    else:
        shutil.copytree(bundled_dir("entities"), directory)
    bad = directory / f"{kind}.yaml"
    bad.write_bytes(content)
    started = time.perf_counter()
    with pytest.raises(error) as caught:
        loader(directory)
    seconds = time.perf_counter() - started
    tracemalloc.start()  # memory measured on a second run: tracing slows everything down
    with pytest.raises(error):
        loader(directory)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    message = str(caught.value)
    assert f"{bad}: " in message
    assert expected in message
    assert seconds < 2.0
    assert peak < 64 * 1024 * 1024
    assert not marker.exists()  # nothing was executed
