"""Hostile rule and entity files: a clear error, in bounded memory; nothing runs."""

from __future__ import annotations

import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import CatalogueError, RuleSetError, load_catalogue, load_rules
from engine.catalogue.bundled import bundled_dir
from tests.conftest import REPO

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
def test_a_hostile_file_fails_clearly_in_bounded_memory(
    tmp_path: Path, kind: str, loader: Callable[[Path], object], error: type[Exception]
) -> None:
    marker = tmp_path / "pwned"
    content, expected = hostile_files(marker)[kind]
    directory = tmp_path / "data"
    directory.mkdir()
    # Beside a good file of the kind (how long refusing takes is benchmarks/hostile_config.py's).
    good = "rules/sanctioned-party.yaml" if loader is _load_rules else "entities/phrases.yaml"
    shutil.copy(REPO / good, directory)
    bad = directory / f"{kind}.yaml"
    bad.write_bytes(content)
    with pytest.raises(error) as caught:
        loader(directory)
    tracemalloc.start()
    with pytest.raises(error):
        loader(directory)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    message = str(caught.value)
    assert f"{bad}: " in message
    assert expected in message
    assert peak < 64 * 1024 * 1024
    assert not marker.exists()  # nothing was executed
