"""Safe YAML loading for rule and entity files: no object tags, no duplicate keys, bounded size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem

# A rule or entity file is written by hand; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 8 * 1024 * 1024


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


# Rules and entities are a few levels deep; deeper nesting is a mistake or an attack.
MAX_DEPTH = 64


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (as Sigma's loader does), aliases and deep nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        # Aliases (`*name`) allow "billion laughs" expansions; hand-written rules never need them.
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases are not allowed in shipscreen files", mark
            )
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKeyError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen[key] = True
        return super().construct_mapping(node, deep=deep)


_QUOTED = re.compile(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*")
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    """How deep brackets nest outside quotes and comments: a linear check before parsing, since
    the YAML scanner slows down on thousands of nested brackets."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_QUOTED.sub("", text)):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def load_yaml(path: Path, *, label: str | None = None) -> tuple[Any, list[Problem]]:
    """Read one YAML document; return (data, problems) and never raise on bad content."""
    name = label or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(file=name, message=f"cannot read: {exc.strerror or exc}")]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(file=name, message=f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        ]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file=name, message=f"cannot read as UTF-8: {exc}")]
    if (depth := _flow_depth(text)) > MAX_DEPTH:
        message = f"nested deeper than {MAX_DEPTH} levels ({depth} brackets deep)"
        return None, [Problem(file=name, message=f"invalid YAML: {message}")]
    try:
        return yaml.load(text, Loader=_StrictLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        return None, [Problem(file=name, message=f"invalid YAML at {where}: {exc.problem}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file=name, message=f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [Problem(file=name, message="YAML nested too deeply")]


def yaml_files(directory: Path) -> list[Path] | None:
    """The ``*.yaml`` / ``*.yml`` files of a directory in name order; None if it is no directory."""
    if not directory.is_dir():
        return None
    return sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
