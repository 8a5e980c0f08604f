"""Safe YAML loading for every data file (rules, entities, allow-lists, column maps).

A file is read as plain data only, and anything else is refused with its line and column:

- scalars follow the YAML 1.2 core schema: ``true``/``false`` are booleans, ``~``/``null``/empty is
  null, decimal (no leading zero), ``0o`` and ``0x`` integers and decimal floats are numbers;
  everything else is text (``yes``, ``no``, ``on``, ``NO`` for Norway, ``2024-01-31``, ``0701``,
  ``1:30``), so a model that wants a number, a date or a boolean says whether the text is one;
- integers beyond 64 bits, and floats that are not finite (``.nan``, ``.inf``, ``1e999``), are
  refused: no field of shipscreen holds them, and Python cannot even print an integer of more than
  4,300 digits;
- a key is text: a list or mapping as a key (``? [a, b]``), a number, boolean or empty key is
  refused, and so are duplicate keys;
- an explicit tag other than ``!!str``, ``!!seq`` and ``!!map`` (and ``!!int``, ``!!float``,
  ``!!bool``, ``!!null`` on text that reads as such anyway) is refused: ``!!binary``,
  ``!!timestamp``, ``!!set``, ``!!omap``, ``!!pairs``, Python tags, local tags;
- aliases, nesting deeper than 64 levels and files over 8 MB are refused;
- a folder entry that is not a regular file (a FIFO, socket, device, dangling symlink) is
  refused by name without being opened.

:func:`read_yaml` also gives each value's line and column, for errors the models find later.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import Problem

# A rule or entity file is written by hand; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 8 * 1024 * 1024

# Rules and entities are a few levels deep; deeper nesting is a mistake or an attack.
MAX_DEPTH = 64

# The largest integer a file may hold (int64); beyond it is a mistake.
MAX_INT = 2**63 - 1

SUFFIXES = (".yaml", ".yml")

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"

# The YAML 1.2 core schema's scalars, less the forms that lose what was written: a decimal with a
# leading zero (0701, which YAML 1.1 reads as octal 449) stays text.
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_PLAIN = {_NULL: _NULL_RE, _BOOL: _BOOL_RE, _INT: _INT_RE, _FLOAT: _FLOAT_RE}
_WHAT = {_NULL: "null", _BOOL: "a boolean", _INT: "a number", _FLOAT: "a number"}


class _DataError(yaml.MarkedYAMLError):
    """A value that is valid YAML but not plain data of a shipscreen file."""


def _refuse(problem: str, node: Node) -> _DataError:
    return _DataError(None, None, problem, node.start_mark)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that reads plain data only (see the module's docstring)."""

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
        if not isinstance(node, MappingNode):
            raise _refuse(f"expected a mapping, found {_kind(node)}", node)
        seen: set[str] = set()
        for key_node, _ in node.value:
            key = _key_text(key_node)
            if key in seen:
                raise _DataError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_plain_int(self, node: Any) -> int:
        """An integer in the core schema's forms, within 64 bits."""
        text = _scalar_text(node, _INT)
        digits = text.lstrip("+-")
        # Refused before converting: Python will not convert (or print) 4,300 digits and more.
        if len(digits) > 24:
            raise _refuse(f"integer of {len(digits)} characters; the limit is 64 bits", node)
        if digits.startswith("0x"):
            value = int(digits[2:], 16)
        elif digits.startswith("0o"):
            value = int(digits[2:], 8)
        else:
            value = int(digits)
        value = -value if text.startswith("-") else value
        if abs(value) > MAX_INT:
            raise _refuse(f"integer {text} is beyond 64 bits", node)
        return value

    def construct_plain_float(self, node: Any) -> float:
        """A finite float in the core schema's forms."""
        text = _scalar_text(node, _FLOAT)
        special = text.lower().lstrip("+-")
        value = math.nan if special in {".inf", ".nan"} else float(text)
        if not math.isfinite(value):
            raise _refuse(f"{text} is not a finite number", node)
        return value

    def construct_plain_bool(self, node: Any) -> bool:
        """true or false."""
        return _scalar_text(node, _BOOL).lower() == "true"

    def construct_plain_null(self, node: Any) -> None:
        """~, null or nothing."""
        _scalar_text(node, _NULL)

    def construct_refused(self, node: Any) -> Any:
        """Any other tag: refused, saying which."""
        raise _refuse(
            f"the tag {_short_tag(node.tag)} is not allowed: shipscreen files hold plain text, "
            "numbers, true/false, lists and mappings",
            node,
        )


# Only the core schema is resolved; nothing is a timestamp, a merge key or a YAML 1.1 word.
_StrictLoader.yaml_implicit_resolvers = {}
# Each resolver with the first characters its scalars can start with; ints before floats.
for _tag, _firsts in (
    (_NULL, ["~", "n", "N", ""]),
    (_BOOL, list("tTfF")),
    (_INT, list("-+0123456789")),
    (_FLOAT, list("-+.0123456789")),
):
    _StrictLoader.add_implicit_resolver(_tag, _PLAIN[_tag], _firsts)
_StrictLoader.yaml_constructors = {
    _STR: yaml.SafeLoader.construct_yaml_str,
    _SEQ: yaml.SafeLoader.construct_yaml_seq,
    _MAP: yaml.SafeLoader.construct_yaml_map,
    _INT: _StrictLoader.construct_plain_int,
    _FLOAT: _StrictLoader.construct_plain_float,
    _BOOL: _StrictLoader.construct_plain_bool,
    _NULL: _StrictLoader.construct_plain_null,
    None: _StrictLoader.construct_refused,
}


# The bundled files, which the engine ships and every run reads, are parsed by libyaml where
# PyYAML has it (five times as fast), with the same constructors and resolvers: their aliases and
# depth need no checking, and a file of the user's always goes through _StrictLoader.
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_BundledLoader: Any = None
if _CParser is not None:

    class _BundledLoaderC(_CParser, _StrictLoader):  # type: ignore[misc]
        """libyaml's parser and composer, _StrictLoader's constructors."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _BundledLoader = _BundledLoaderC


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a value"


def _scalar_text(node: Node, tag: str) -> str:
    """The text of a scalar node that must read as ``tag`` (also when the tag is explicit)."""
    if not isinstance(node, ScalarNode):
        raise _refuse(f"{_short_tag(tag)} is given to {_kind(node)}", node)
    text = str(node.value)
    if not _PLAIN[tag].match(text):
        raise _refuse(f"{text!r} is not {_WHAT[tag]} ({_short_tag(tag)})", node)
    return text


def _key_text(node: Node) -> str:
    """A mapping key, which must be text."""
    if not isinstance(node, ScalarNode):
        raise _refuse(
            f"a key must be text, not {_kind(node)} (complex keys with '?' are not allowed)", node
        )
    if node.tag != _STR:
        if node.tag == _NULL:
            raise _refuse("a key is missing (the key is empty or ~)", node)
        if node.tag in _WHAT:
            raise _refuse(
                f"the key {node.value} reads as {_WHAT[node.tag]}; put it in quotes if it is text",
                node,
            )
        raise _refuse(f"the tag {_short_tag(node.tag)} is not allowed on a key", node)
    return str(node.value)


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


Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class YamlDocument:
    """One file's data, with where each value (and each key) was written."""

    data: Any
    values: dict[Loc, tuple[int, int]]
    keys: dict[Loc, tuple[int, int]]

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int] | None:
        """(line, column), from 1, of the value at ``loc`` (of its key if ``key``), or of the
        nearest enclosing value written in the file; None if there is none."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        for end in range(len(loc), -1, -1):
            found = self.values.get(loc[:end])
            if found is not None:
                return found
        return None

    def label(self, file: str, loc: Loc, *, key: bool = False) -> str:
        """``file:line:column`` of the value at ``loc`` (see :meth:`where`), or ``file``."""
        found = self.where(loc, key=key)
        return f"{file}:{found[0]}:{found[1]}" if found else file


def _positions(root: Node) -> tuple[dict[Loc, tuple[int, int]], dict[Loc, tuple[int, int]]]:
    values: dict[Loc, tuple[int, int]] = {}
    keys: dict[Loc, tuple[int, int]] = {}
    stack: list[tuple[Loc, Node]] = [((), root)]
    while stack:
        loc, node = stack.pop()
        values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                child = (*loc, str(key_node.value))
                keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                stack.append((child, value_node))
        elif isinstance(node, SequenceNode):
            stack.extend(((*loc, i), item) for i, item in enumerate(node.value))
    return values, keys


def _describe_mode(mode: int) -> str | None:
    """Why a folder entry of this mode is not a file that can be read; None if it is one."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def _read_text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """A regular file's text; a FIFO, socket or device is refused without waiting on it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        missing = "a symlink to a missing file" if path.is_symlink() else "no such file"
        return None, [Problem(file=name, message=f"cannot read: {missing}")]
    except OSError as exc:
        return None, [Problem(file=name, message=f"cannot read: {exc.strerror or exc}")]
    if (kind := _describe_mode(mode)) is not None:
        return None, [Problem(file=name, message=f"cannot read: {kind}")]
    try:
        # O_NONBLOCK: should the file have become a FIFO since, opening it does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, [Problem(file=name, message=f"cannot read: {exc.strerror or exc}")]
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if (kind := _describe_mode(info.st_mode)) is not None:
            return None, [Problem(file=name, message=f"cannot read: {kind}")]
        if info.st_size > MAX_FILE_BYTES:
            message = f"file is {info.st_size} bytes; the limit is {MAX_FILE_BYTES}"
            return None, [Problem(file=name, message=message)]
        try:
            blob = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            return None, [Problem(file=name, message=f"cannot read: {exc.strerror or exc}")]
    if len(blob) > MAX_FILE_BYTES:
        message = f"file is over {MAX_FILE_BYTES} bytes; the limit is {MAX_FILE_BYTES}"
        return None, [Problem(file=name, message=message)]
    try:
        return blob.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Problem(file=name, message=f"cannot read as UTF-8: {exc}")]


# Documents of the bundled data files, by file and version: a process that loads the bundled
# catalogue or rules again (a worker, a test, a second Screener) reads each file once.
_READ: dict[tuple[str, str, int, int, int], tuple[YamlDocument | None, list[Problem]]] = {}


def read_yaml(
    path: Path, *, label: str | None = None, cache: bool = False
) -> tuple[YamlDocument | None, list[Problem]]:
    """Read one YAML document as plain data, with positions; never raise on bad content.

    Returns (document, problems): the document is None when there are problems; its data is None
    for a file that is empty or holds only comments.  With ``cache``, for the bundled files that
    do not change, a regular file read before with the same inode, size and modification time
    gives the document read then (which callers must not change).
    """
    if cache:
        try:
            st = os.stat(path)
        except OSError:
            return _read_yaml(path, label)
        if not stat.S_ISREG(st.st_mode):
            return _read_yaml(path, label)
        key = (str(path), label or "", st.st_ino, st.st_size, st.st_mtime_ns)
        found = _READ.get(key)
        if found is None:
            found = _READ[key] = _read_yaml(path, label, bundled=True)
        return found[0], list(found[1])
    return _read_yaml(path, label)


def _read_yaml(
    path: Path, label: str | None, *, bundled: bool = False
) -> tuple[YamlDocument | None, list[Problem]]:
    name = label or str(path)
    text, problems = _read_text(path, name)
    if text is None:
        return None, problems
    if (depth := _flow_depth(text)) > MAX_DEPTH:
        message = f"nested deeper than {MAX_DEPTH} levels ({depth} brackets deep)"
        return None, [Problem(file=name, message=f"invalid YAML: {message}")]
    if (data := _as_json(text)) is not None:
        return YamlDocument(data, {}, {}), []
    try:
        loader = (_BundledLoader if bundled and _BundledLoader else _StrictLoader)(text)
    except yaml.reader.ReaderError as exc:
        # A control character: YAML refuses the whole text before reading it.
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - before.rfind("\n")
        message = f"invalid YAML at line {line}, column {column}: the control character "
        message += f"U+{exc.character:04X} is not allowed in a YAML file"
        return None, [Problem(file=name, message=message)]
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(data=None, values={}, keys={}), []
        data = loader.construct_document(root)
        return YamlDocument(data, *_positions(root)), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        # Valid YAML that is not plain data is refused as such, not called invalid.
        what = "at" if isinstance(exc, _DataError) else "invalid YAML at"
        return None, [Problem(file=name, message=f"{what} {where}: {exc.problem}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file=name, message=f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [Problem(file=name, message="YAML nested too deeply")]
    finally:
        loader.dispose()


_LEADING_COMMENTS = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*")


_NOT_JSON_ALIKE = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern + "|[\x85\u2028\u2029]")


class _NotPlainJsonError(ValueError):
    pass


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _NotPlainJsonError("duplicate key")
    return data


def _json_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_INT:
        raise _NotPlainJsonError("integer out of range")
    return value


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotPlainJsonError("float out of range")
    return value


def _json_constant(text: str) -> Any:
    raise _NotPlainJsonError(text)


def _as_json(text: str) -> Any:
    """The data of a document written as one JSON object after its comment lines (YAML 1.2 reads
    JSON as JSON does), read by the fast JSON parser; None for any other document, and for JSON
    that the YAML reader would refuse or report on (a duplicate key, a number out of range),
    which then reads it with positions.  Generated tables (entities/legal_forms.yaml) are
    written so."""
    body = text[_LEADING_COMMENTS.match(text).end() :]  # type: ignore[union-attr]
    # Characters YAML reads otherwise than JSON (refused, or line breaks: NEL, LS, PS).
    if not body.startswith("{") or _NOT_JSON_ALIKE.search(body):
        return None
    try:
        return json.loads(
            body,
            object_pairs_hook=_json_pairs,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except (ValueError, RecursionError):
        return None


def load_yaml(
    path: Path, *, label: str | None = None, cache: bool = False
) -> tuple[Any, list[Problem]]:
    """Read one YAML document as plain data; return (data, problems) and never raise on bad
    content (``cache`` as for :func:`read_yaml`)."""
    document, problems = read_yaml(path, label=label, cache=cache)
    return (None if document is None else document.data), problems


def _holds_yaml(folder: Path) -> bool:
    """Whether a folder holds a YAML file at some depth (symlinked folders are not followed)."""
    return any(n.endswith(SUFFIXES) for _, _, names in os.walk(folder) for n in names)


def _entries(directory: Path) -> Iterator[os.DirEntry[str]]:
    with os.scandir(directory) as scan:
        yield from scan


def yaml_files(directory: Path) -> tuple[list[Path], list[Problem]] | None:
    """The ``*.yaml`` / ``*.yml`` entries of a folder in name order, and its problems; None if it
    is no folder.

    Entries that are not regular files (a FIFO, a socket, a device, a dangling symlink) are
    returned too, for :func:`read_yaml` to refuse by name; subfolders are not read, so one that
    holds YAML files is a problem (its files would be left out silently), as is a folder named
    like a YAML file.  Other files (README.md...) and folders without YAML are ignored.
    """
    if not directory.is_dir():
        return None
    files: list[Path] = []
    problems: list[Problem] = []
    try:
        entries = sorted(_entries(directory), key=lambda e: e.name)
    except OSError as exc:
        return [], [Problem(file=str(directory), message=f"cannot list: {exc.strerror or exc}")]
    for entry in entries:
        path = Path(entry.path)
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder and (entry.name.endswith(SUFFIXES) or _holds_yaml(path)):
            problems.append(
                Problem(
                    file=str(path),
                    message="a folder: files in subfolders are not read; move them into "
                    f"{directory} or out of it",
                )
            )
        elif not is_folder and entry.name.endswith(SUFFIXES):
            files.append(path)
    return files, problems
