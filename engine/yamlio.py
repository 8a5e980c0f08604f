"""Safe YAML loading for rule and entity files: no object tags, no duplicate keys, bounded size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem

# A rule or entity file is written by hand; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 8 * 1024 * 1024


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (as Sigma's loader does) and YAML aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Aliases (`*name`) allow "billion laughs" expansions; hand-written rules never need them.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases are not allowed in shipscreen files", event.start_mark
            )
        return super().compose_node(parent, index)

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
