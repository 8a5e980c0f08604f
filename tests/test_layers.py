"""The engine's layers: a layer imports only the layers below it, and no modules import each other.

The layers are those of ``engine/__init__.py``'s docstring (and DESIGN.md), lowest first.  Imports
are read from the source with ``ast``: module-level imports (those under ``if TYPE_CHECKING:``
included, since a type checker follows them) must go to the same layer or a lower one and form no
circle; an import inside a function may reach a higher layer only where ``LAZY_UPWARD`` says why.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

# Lowest first: each entry's modules are those named, and the modules inside them.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("engine.errors", "engine.results", "engine.version", "engine.decoding")),
    ("catalogue", ("engine.catalogue",)),
    ("reading", ("engine.reading",)),
    ("facts", ("engine.facts",)),
    ("rules", ("engine.rules",)),
    ("screener", ("engine.screener",)),
    ("io", ("engine.io",)),
    ("scale", ("engine.scale",)),
    ("testing", ("engine.testing",)),
    ("api", ("engine",)),
)

# Imports inside a function that reach a higher layer, each a thin convenience of the public API.
LAZY_UPWARD: dict[tuple[str, str], str] = {
    ("engine.screener", "engine.io.csvreader"): "Screener.screen_csv reads a file with the io "
    "layer's reader; screening a mapping never imports it",
    ("engine.screener", "engine.scale.frames"): "Screener.screen_frame hands a DataFrame to the "
    "pandas path",
    ("engine.screener", "engine.scale.cluster"): "Screener.screen_dask hands a Dask DataFrame to "
    "the cluster path",
}


@dataclass(frozen=True)
class Import:
    """One import of an engine module by another."""

    source: str
    target: str
    line: int
    lazy: bool  # inside a function


def layer_of(module: str) -> int:
    """The rank of a module's layer (0 the lowest)."""
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    if rank < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return rank


def modules(root: Path) -> dict[str, Path]:
    """The modules of the package at ``root`` (its ``engine/`` folder), by name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    """The engine modules ``module`` imports, and where."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def targets(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if sub in known else base
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value

    def walk(node: ast.AST, lazy: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            for target in targets(child):
                if target == "engine" or target.startswith("engine."):
                    yield Import(module, target, getattr(child, "lineno", 0), inner)
            yield from walk(child, inner)

    yield from walk(tree, False)


def problems(root: Path) -> list[str]:
    """Every import that breaks the layering, and every circle of module-level imports."""
    found = modules(root)
    known = set(found)
    out: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in found}
    for module, path in found.items():
        for imp in imports(module, path, known):
            if imp.target not in known:
                out.append(f"{module}:{imp.line} imports {imp.target}, which does not exist")
                continue
            up = layer_of(imp.target) > layer_of(module)
            if up and not (imp.lazy and (module, imp.target) in LAZY_UPWARD):
                below = LAYERS[layer_of(module)][0]
                above = LAYERS[layer_of(imp.target)][0]
                how = "inside a function" if imp.lazy else "at module level"
                out.append(
                    f"{module}:{imp.line} ({below}) imports {imp.target} ({above}) {how}: "
                    "a lower layer imports a higher one"
                )
            if not imp.lazy and imp.target != module:
                graph[module].add(imp.target)
    out.extend(f"import circle: {' -> '.join(c)}" for c in circles(graph))
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected group of modules that has one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [[*group, group[0]] for group in groups]


def test_the_engine_keeps_its_layers() -> None:
    assert problems(REPO / "engine") == []


def test_every_module_is_in_a_layer() -> None:
    for module in modules(REPO / "engine"):
        layer_of(module)  # raises for a module no layer holds


def test_the_allowed_upward_imports_are_still_needed() -> None:
    root = REPO / "engine"
    known = set(modules(root))
    lazy = {
        (imp.source, imp.target)
        for module, path in modules(root).items()
        for imp in imports(module, path, known)
        if imp.lazy
    }
    assert set(LAZY_UPWARD) <= lazy


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "engine"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            (root / parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # the catalogue reaching up to the screener
            {"catalogue/entities.py": "from engine.screener import Screener\n", "screener.py": ""},
            "engine.catalogue.entities:1 (catalogue) imports engine.screener (screener) at module",
        ),
        (  # ... even only for type checking
            {
                "reading/record.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from engine.rules import gates\n",
                "rules/gates.py": "",
            },
            "engine.reading.record:3 (reading) imports engine.rules.gates (rules)",
        ),
        (  # ... or lazily, where no reason is given
            {"io/csvreader.py": "def f():\n    import engine.scale.pool\n", "scale/pool.py": ""},
            "engine.io.csvreader:2 (io) imports engine.scale.pool (scale) inside a function",
        ),
        (  # two modules of one layer importing each other
            {
                "rules/conditions.py": "from engine.rules import gates\n",
                "rules/gates.py": "from engine.rules.conditions import X\n",
            },
            "import circle: engine.rules.conditions -> engine.rules.gates -> engine.rules.condit",
        ),
        (  # a module named as a string
            {
                "facts.py": "import importlib\nimportlib.import_module('engine.screener')\n",
                "screener.py": "",
            },
            "engine.facts:2 (facts) imports engine.screener (screener)",
        ),
    ],
)
def test_the_check_finds_what_breaks_the_layers(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    found = problems(_tree(tmp_path, files))
    assert any(p.startswith(expected) for p in found), found


def test_the_check_passes_a_tree_that_keeps_its_layers(tmp_path: Path) -> None:
    files = {
        "errors.py": "",
        "catalogue/entities.py": "from engine.errors import X\n",
        "screener.py": "from engine.catalogue.entities import Y\n"
        "def screen_csv():\n    from engine.io.csvreader import ShipmentReader\n",
        "io/csvreader.py": "from engine.screener import Screener\n",
    }
    assert problems(_tree(tmp_path, files)) == []


def test_screening_a_mapping_needs_no_file_reading() -> None:
    # A fresh interpreter, so that what other tests imported does not count.
    code = (
        "import sys\n"
        "from engine import Screener\n"
        "result = Screener.default().screen({'consignee': 'Rosoboroneksport OAO'})\n"
        "assert result.band == 'critical', result\n"
        "print(sorted(m for m in sys.modules if m.startswith(('engine.io', 'engine.scale'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"
