"""Hostile rule and entity files: a clear error, in bounded memory; nothing runs."""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import shutil
import socket
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import CatalogueError, InputError, RuleSetError, load_catalogue, load_rules
from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_clearances
from engine.io.header import load_column_map
from engine.reading.record import FIELDS
from engine.rules.ruleset import RULE_KEYS
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
            "the tag !!python/object/apply:os.system is not allowed",
        ),
        "python-name": (b"id: !!python/name:os.system\n", "the tag !!python/name:os.system is not"),
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


# --------------------------------------------------------------------- values that are not data
#
# YAML that PyYAML's safe loader reads into odd types (issue 13, item 12): each loader refuses it
# with its own error, the file and the line, or reads it as the text it is; never a traceback.

_RULE = (REPO / "rules" / "sanctioned-party.yaml").read_text(encoding="utf-8")
assert "\nweight: 0.95\n" in _RULE

# One file of each kind with a slot where a value goes that its model reads as a number (a rule's
# weight, an owner's share), a date (a clearance's) or a field name (a column map's); and a key
# kind's key goes at the top of the file.
TEMPLATES = {
    "rules": _RULE.replace("\nweight: 0.95\n", "\nweight: {value}\n"),
    "entities": (
        "parties:\n"
        "  - id: acme\n"
        "    name: Acme Trading\n"
        "    kind: company\n"
        "    sources: [{public: fixture}]\n"
        "    owners:\n"
        "      - owner: acme\n"
        "        share: {value}\n"
        "        source: {public: fixture}\n"
    ),
    "allow": (
        "cleared:\n"
        "  - party: Acme Trading\n"
        "    entry: acme\n"
        "    reason: not the listed firm\n"
        "    reviewer: A. Analyst\n"
        "    date: {value}\n"
    ),
    "columns": "Buyer: consignee\nConsignee: {value}\n",
}


def _fill(loader: str, value: str) -> str:
    """The loader's file with the value in its slot."""
    return TEMPLATES[loader].replace("{value}", value)


VALUE_LINE = {"rules": 5, "entities": 8, "allow": 6, "columns": 2}

_SAME = "-"  # the loader refuses the value itself, whatever the model
VALUE_KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "huge-int": ("9" * 5000, {_SAME: "integer of 5000 characters; the limit is 64 bits"}),
    "huge-hex": ("0x" + "f" * 5000, {_SAME: "integer of 5002 characters"}),
    "int-over-64-bits": ("9223372036854775808", {_SAME: "is beyond 64 bits"}),
    "binary": ("!!binary aGVsbG8=", {_SAME: "the tag !!binary is not allowed"}),
    "set": ("!!set {a: null, b: null}", {_SAME: "the tag !!set is not allowed"}),
    "omap": ("!!omap [{a: 1}]", {_SAME: "the tag !!omap is not allowed"}),
    "pairs": ("!!pairs [{a: 1}]", {_SAME: "the tag !!pairs is not allowed"}),
    "timestamp-tag": ("!!timestamp 2024-01-01", {_SAME: "the tag !!timestamp is not allowed"}),
    "local-tag": ("!thing x", {_SAME: "the tag !thing is not allowed"}),
    "python-tuple": ("!!python/tuple [a, b]", {_SAME: "the tag !!python/tuple is not allowed"}),
    "int-tag-on-text": ("!!int abc", {_SAME: "'abc' is not a number (!!int)"}),
    "float-tag-on-text": ("!!float abc", {_SAME: "'abc' is not a number (!!float)"}),
    "bool-tag-on-text": ("!!bool maybe", {_SAME: "'maybe' is not a boolean (!!bool)"}),
    "nan": (".nan", {_SAME: ".nan is not a finite number"}),
    "inf": ("-.inf", {_SAME: "-.inf is not a finite number"}),
    "overflowing-float": ("1e999", {_SAME: "1e999 is not a finite number"}),
    "invalid-date": (
        "2024-02-30",
        {
            "rules": "Input should be a valid number, not the text '2024-02-30'",
            "entities": "Input should be a valid number, not the text '2024-02-30'",
            "allow": "'2024-02-30' is not a date: day is out of range for month",
            "columns": "'Consignee' maps to '2024-02-30', which is not a field",
        },
    ),
    "date-and-time": (
        "2024-01-31 10:00:00",
        {
            "rules": "not the text '2024-01-31 10:00:00'",
            "entities": "not the text '2024-01-31 10:00:00'",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to '2024-01-31 10:00:00', which is not a field",
        },
    ),
    "unix-time-for-a-date": (
        "1706659200",
        {
            "rules": "Input should be less than or equal to 1",
            "entities": "Input should be less than or equal to 100",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to 1706659200, which is not a field",
        },
    ),
    **{
        f"yaml-1.1-{word}": (
            word,
            {
                "rules": f"Input should be a valid number, not the text '{word}'",
                "entities": f"Input should be a valid number, not the text '{word}'",
                "allow": "a date is written YYYY-MM-DD",
                "columns": f"'Consignee' maps to '{word}', which is not a field",
            },
        )
        for word in ("yes", "on", "no", "off", "y", "n", "Yes", "ON")
    },
    "true": (
        "true",
        {
            "rules": "Input should be a valid number, not true",
            "entities": "Input should be a valid number, not true",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to true, which is not a field",
        },
    ),
    "quoted-number": (
        '"0.5"',
        {
            "rules": "Input should be a valid number, not the text '0.5'",
            "entities": "Input should be a valid number, not the text '0.5'",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to '0.5', which is not a field",
        },
    ),
    "octal-looking": (
        "0701",
        {
            "rules": "not the text '0701'",
            "entities": "not the text '0701'",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to '0701', which is not a field",
        },
    ),
    "sexagesimal": (
        "1:30",
        {
            "rules": "not the text '1:30'",
            "entities": "not the text '1:30'",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to '1:30', which is not a field",
        },
    ),
    "a-list": (
        "[a, b]",
        {
            "rules": "Input should be a valid number",
            "entities": "Input should be a valid number",
            "allow": "a date is written YYYY-MM-DD",
            "columns": "'Consignee' maps to a list, which is not a field",
        },
    ),
}
KEY_KINDS: dict[str, tuple[str, str]] = {
    "complex-key-list": ("? [a, b]\n: 1\n", "a key must be text, not a list"),
    "complex-key-mapping": ("? {a: 1}\n: 1\n", "a key must be text, not a mapping"),
    "number-key": ("1: shipper\n", "the key 1 reads as a number; put it in quotes"),
    "float-key": ("1.5: shipper\n", "the key 1.5 reads as a number"),
    "boolean-key": ("true: shipper\n", "the key true reads as a boolean"),
    "empty-key": ("~: shipper\n", "a key is missing"),
    "binary-key": ("? !!binary aGk=\n: shipper\n", "the tag !!binary is not allowed on a key"),
    "merge-key": ("<<: {a: 1}\n", "<<"),  # no merge: the text '<<', which no model has
}
FILE_KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "empty": (
        "",
        {
            "rules": "a rule file holds one mapping (id, title, ...); the file is empty",
            "entities": "an entity file is a mapping of parties, categories",
            "allow": "an allow-list file holds 'cleared:' only; the file is empty",
            "columns": "a columns file maps input headers to field names; it is empty",
        },
    ),
    "only-a-comment": ("# nothing here\n", {}),
    "top-level-list": (
        "- a\n- b\n",
        {
            "rules": "a rule file holds one mapping (id, title, ...); found a list",
            "entities": "an entity file is a mapping of parties, categories",
            "allow": "an allow-list file holds 'cleared:' only",
            "columns": "a columns file maps input headers to field names; it holds no mapping",
        },
    ),
    "top-level-text": ("just words\n", {}),
}
FILE_KINDS["only-a-comment"] = ("# nothing here\n", FILE_KINDS["empty"][1])
FILE_KINDS["top-level-text"] = (
    "just words\n",
    {
        **FILE_KINDS["top-level-list"][1],
        "rules": "a rule file holds one mapping (id, title, ...); found the value 'just words'",
    },
)

LOADERS: dict[str, tuple[Callable[[Path], object], type[Exception]]] = {
    "rules": (lambda f: load_rules(f.parent, CATALOGUE), RuleSetError),
    "entities": (lambda f: load_catalogue(f.parent), CatalogueError),
    "allow": (load_clearances, CatalogueError),
    "columns": (load_column_map, InputError),
}


def _refused(loader: str, path: Path) -> str:
    """What the loader says about the file (which it must refuse with its own error)."""
    load, error = LOADERS[loader]
    with pytest.raises(error) as caught:
        load(path)
    return str(caught.value)


def _data_file(tmp_path: Path, loader: str, text: str) -> Path:
    folder = tmp_path / loader
    folder.mkdir()
    # A rule's id must match its file name; the file of another loader can be called anything.
    path = folder / ("sanctioned-party.yaml" if loader == "rules" else "data.yaml")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("loader", list(LOADERS))
@pytest.mark.parametrize("kind", list(VALUE_KINDS))
def test_a_value_that_is_not_plain_data_is_refused_with_its_line(
    tmp_path: Path, kind: str, loader: str
) -> None:
    value, expected = VALUE_KINDS[kind]
    path = _data_file(tmp_path, loader, _fill(loader, value))
    message = _refused(loader, path)
    assert expected.get(loader, expected.get(_SAME, "?")) in message
    line = VALUE_LINE[loader]
    # The file and the line of the value: `file:line:column: ...`, `file:line: ...` (a columns
    # file's InputError) or `file: at line L, column C: ...` (refused while reading).
    assert re.search(
        rf"{re.escape(str(path))}(:{line}(:\d+)?: |: at line {line}, column \d+: )", message
    ), message


@pytest.mark.parametrize("loader", list(LOADERS))
@pytest.mark.parametrize("kind", list(KEY_KINDS))
def test_a_key_that_is_not_text_is_refused_with_its_line(
    tmp_path: Path, kind: str, loader: str
) -> None:
    key, expected = KEY_KINDS[kind]
    path = _data_file(tmp_path, loader, key + _fill(loader, "1"))
    message = _refused(loader, path)
    assert expected in message
    assert re.search(rf"{re.escape(str(path))}(:1(:\d+)?: |: at line [12], column \d+: )", message)


@pytest.mark.parametrize("loader", list(LOADERS))
@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_a_file_that_holds_no_mapping_is_refused(tmp_path: Path, kind: str, loader: str) -> None:
    text, expected = FILE_KINDS[kind]
    path = _data_file(tmp_path, loader, text)
    message = _refused(loader, path)
    assert f"{path}: {expected[loader]}" in message


def test_weight_yes_is_no_weight_and_a_binary_title_no_title(tmp_path: Path) -> None:
    # Before: `weight: yes` loaded as 1.0 and `title: !!binary ...` as the bytes' text.
    folder = tmp_path / "rules"
    folder.mkdir()
    path = folder / "sanctioned-party.yaml"
    path.write_text(_fill("rules", "yes"), encoding="utf-8")
    message = _refused("rules", path)
    assert (
        f"{path}:5:9: rule 'sanctioned-party': weight: Input should be a valid number, "
        "not the text 'yes'"
    ) in message
    path.write_text(_RULE.replace("title: ", "title: !!binary ", 1), encoding="utf-8")
    assert "the tag !!binary is not allowed" in _refused("rules", path)


def test_words_yaml_1_1_took_for_booleans_are_text(tmp_path: Path) -> None:
    # `NO` is Norway, and `no` a phrase: YAML 1.1 read them as false.
    folder = tmp_path / "entities"
    folder.mkdir()
    (folder / "countries.yaml").write_text(
        "countries:\n"
        "  - {code: NO, name: Norway, spellings: [Norge, no], sources: [{public: fixture}]}\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(folder)
    assert catalogue.countries["NO"].spellings == ["Norge", "no"]


def test_a_clearance_date_is_read_from_its_text(tmp_path: Path) -> None:
    path = _data_file(tmp_path, "allow", _fill("allow", "2024-02-29"))
    [clearance] = load_clearances(path)
    assert clearance.date == dt.date(2024, 2, 29)


def test_an_inline_test_value_is_text_or_a_number(tmp_path: Path) -> None:
    # `consignee: true` was screened as the cell "1".
    folder = tmp_path / "rules"
    folder.mkdir()
    path = folder / "sanctioned-party.yaml"
    text = _RULE.replace("    - consignee: ", "    - consignee: true\n      shipper: ", 1)
    path.write_text(text, encoding="utf-8")
    message = _refused("rules", path)
    assert "tests.hits[0].consignee: a shipment field holds text or a number, not a boolean" in (
        message
    )


def test_two_column_map_keys_for_one_header_are_refused(tmp_path: Path) -> None:
    # Headers are matched without case: one of the two was dropped without a word.
    path = _data_file(tmp_path, "columns", "Buyer: consignee\n' BUYER': shipper\n")
    message = _refused("columns", path)
    assert f"{path}:2: ' BUYER' and 'Buyer' name the same column" in message


def test_a_column_map_that_is_good_loads(tmp_path: Path) -> None:
    path = _data_file(tmp_path, "columns", "Buyer: consignee\n'2024': shipper\n")
    assert load_column_map(path) == {"Buyer": "consignee", "2024": "shipper"}


# ------------------------------------------------------------- folder entries that are not files


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "missing.yaml")


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError as exc:  # a path too long for a socket's address
        pytest.skip(f"cannot make a socket here: {exc}")
    finally:
        server.close()


def _device(path: Path) -> None:
    path.symlink_to("/dev/null")


def _folder_with_rules(path: Path) -> None:
    path.mkdir()


def _subfolder(path: Path) -> None:
    sub = path.parent / "more"
    sub.mkdir()
    (sub / "deeper").mkdir()
    (sub / "deeper" / path.name).write_text("id: x\n", encoding="utf-8")


ENTRY_KINDS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    # kind: (make it, the entry named in the error, why)
    "fifo": (_fifo, "{path}", "cannot read: a FIFO (named pipe), not a regular file"),
    "dangling-symlink": (_dangling, "{path}", "cannot read: a symlink to a missing file"),
    "socket": (_socket, "{path}", "cannot read: a socket, not a regular file"),
    "device": (_device, "{path}", "cannot read: a device, not a regular file"),
    "folder-named-yaml": (_folder_with_rules, "{path}", "a folder: files in subfolders are not"),
    "subfolder-with-yaml": (_subfolder, "{folder}/more", "a folder: files in subfolders are not"),
}


@pytest.mark.parametrize("loader", ["rules", "entities"])
@pytest.mark.parametrize("kind", list(ENTRY_KINDS))
def test_a_folder_entry_that_is_no_file_is_refused_by_name(
    tmp_path: Path, kind: str, loader: str
) -> None:
    folder = tmp_path / loader
    shutil.copytree(bundled_dir(loader), folder)
    make, named, why = ENTRY_KINDS[kind]
    entry = folder / "zz-odd.yaml"
    make(entry)
    load, error = LOADERS[loader]
    outcome: list[Exception | None] = []
    # A FIFO must not be opened (that would wait for a writer for good): load in a thread and
    # wait for it with a deadline, so that a regression fails rather than hangs.
    worker = threading.Thread(target=lambda: outcome.append(_catch(load, folder / "x")))
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():
        with open(entry, "wb"):  # release the loader
            pass
        worker.join(timeout=60)
        pytest.fail("the loader waited on the folder entry")
    [caught] = outcome
    assert isinstance(caught, error), caught
    assert f"{named.format(path=entry, folder=folder)}: {why}" in str(caught)


def _catch(load: Callable[[Path], object], path: Path) -> Exception | None:
    try:
        load(path)
    except Exception as exc:  # what it was is the test's to judge
        return exc
    return None


@pytest.mark.parametrize("loader", ["rules", "entities"])
def test_an_unreadable_file_is_refused_by_name(
    tmp_path: Path, loader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / loader
    shutil.copytree(bundled_dir(loader), folder)
    locked = sorted(folder.glob("*.yaml"))[-1]
    real_open = os.open

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        # Tests run as root, who may read anything: refuse the one file as its owner would.
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert f"{locked}: cannot read: Permission denied" in _refused(loader, folder / "x")


def test_a_folder_without_yaml_inside_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(bundled_dir("rules"), folder)
    (folder / "notes").mkdir()
    (folder / "notes" / "README.md").write_text("not rules\n", encoding="utf-8")
    (folder / "README.md").write_text("not rules\n", encoding="utf-8")
    assert len(load_rules(folder, CATALOGUE).rules) == len(list(folder.glob("*.yaml")))


# ---------------------------------------------------------------------------- fuzzing the loaders

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    # Beyond 64 bits, within what yaml.dump can write (5,000 digits are tested above).
    st.integers(min_value=-(10**4000), max_value=10**4000),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "NO",
            "0701",
            "1:30",
            "2024-02-30",
            "2024-01-31",
            "1e5",
            ".nan",
            "~",
            "<<",
            "=",
            "0x1F",
            "0o17",
            "1_000",
            "!",
            "&a",
            "*a",
            "- x",
            ": x",
            "? x",
        ]
    ),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(),
    st.frozensets(st.integers(), max_size=3),
    st.tuples(st.integers(), st.text(max_size=3)),
)
_KEYS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(list(FIELDS) + list(RULE_KEYS) + ["parties", "cleared", "when", "weight"]),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.tuples(st.integers(), st.text(max_size=3)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


def _dumped(value: Any) -> str:
    """The value as YAML with its tags (yaml.dump, not safe_dump: !!binary, !!set, Python tags)."""
    return yaml.dump(value, allow_unicode=True, sort_keys=False)


# YAML written by hand: plain (unquoted) tokens, which yaml.dump would quote, in flow style, with
# any node as a key (`? [a, b] : 1`).
_TOKENS = st.sampled_from(
    ["2024-02-30", "2024-01-31", "2024-01-31 10:00:00", "2024-13-01", "yes", "no", "on", "off",
     "y", "NO", "true", "~", "null", "", "12", "-3", "1.5", "1e5", "1e999", ".nan", "-.inf",
     "0701", "0x1F", "0o17", "1:30", "1_000", "9" * 5000, "0x" + "f" * 5000,
     "9223372036854775808", "plain text", "'quoted'", '"0.5"', "!!binary aGVsbG8=",
     "!!set {a: null}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]", "!!timestamp 2024-01-01",
     "!!int abc", "!!float x", "!!bool maybe", "!!null x", "!!str 12", "!!int 12", "!foo x",
     "!!python/tuple [1, 2]", "!!merge <<", "<<", "=", "consignee", "shipper", "sanctioned"]
)  # fmt: skip
_FLOW = st.recursive(
    _TOKENS,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
        | st.lists(st.tuples(inner, inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"? {k} : {v}" for k, v in pairs) + "}"
        )
    ),
    max_leaves=8,
)
_SLOT = "shipscreen-fuzz-slot"


def _into(good: dict[str, Any], loader: str, how: str, place: int, value: Any) -> Any:
    """A copy of a good document of the loader with one of its values (at the top, or inside the
    rule's condition or first inline test, or the file's first entry) replaced."""
    if how == "whole":
        return value
    document = copy.deepcopy(good)
    inner = document
    if how == "one-entry-value" and loader == "rules":
        # The condition's parameters (min_similarity, tags...) or the inline tests.
        inner = document["when"]["party_matches"] if place % 2 else document["tests"]["hits"][0]
    elif how == "one-entry-value" and loader != "columns":
        inner = document["parties" if loader == "entities" else "cleared"][0]
    keys = list(inner)
    inner[keys[place % len(keys)]] = value
    return document


_GOOD = {
    "rules": yaml.safe_load(_RULE),
    "entities": yaml.safe_load(_fill("entities", "50")),
    "allow": {"cleared": [yaml.safe_load(_fill("allow", "2024-01-31"))["cleared"][0]]},
    "columns": {"Buyer": "consignee", "Seller": "shipper"},
}


def _check_loader(tmp_path: Path, loader: str, text: str) -> None:
    path = _data_file(tmp_path, loader, text)
    load, error = LOADERS[loader]
    caught = _catch(load, path)
    assert caught is None or (isinstance(caught, error) and str(path) in str(caught)), caught


_FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_WHERE = st.sampled_from(["whole", "one-value", "one-entry-value"])


@_FUZZ
@given(
    value=_VALUES,
    loader=st.sampled_from(list(LOADERS)),
    how=_WHERE,
    place=st.integers(min_value=0, max_value=20),
)
def test_fuzz_python_values_each_loader_loads_or_refuses_with_its_error(
    tmp_path_factory: pytest.TempPathFactory, value: Any, loader: str, how: str, place: int
) -> None:
    document = _into(_GOOD[loader], loader, how, place, value)
    _check_loader(tmp_path_factory.mktemp("fuzz"), loader, _dumped(document))


@_FUZZ
@given(
    value=_FLOW,
    loader=st.sampled_from(list(LOADERS)),
    how=_WHERE,
    place=st.integers(min_value=0, max_value=20),
)
def test_fuzz_hand_written_yaml_each_loader_loads_or_refuses_with_its_error(
    tmp_path_factory: pytest.TempPathFactory, value: str, loader: str, how: str, place: int
) -> None:
    text = yaml.safe_dump(_into(_GOOD[loader], loader, how, place, _SLOT), sort_keys=False)
    _check_loader(tmp_path_factory.mktemp("fuzz"), loader, text.replace(_SLOT, value, 1))


_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=8)
    | st.floats(allow_nan=True, allow_infinity=True)
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(value=st.dictionaries(st.text(max_size=6), _JSON_VALUES, max_size=4), comment=st.booleans())
def test_a_json_document_reads_as_the_yaml_reader_reads_it(
    tmp_path_factory: pytest.TempPathFactory, value: dict[str, Any], comment: bool
) -> None:
    """The fast path for JSON documents (the generated legal-form table) gives what the YAML
    reader gives, or leaves the document to it: out-of-range numbers are still refused."""
    import json

    from engine.catalogue import yamlio

    text = ("# a table\n\n" if comment else "") + json.dumps(value, ensure_ascii=False) + "\n"
    path = tmp_path_factory.mktemp("json") / "table.yaml"
    path.write_text(text, encoding="utf-8")
    fast = yamlio.load_yaml(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlio, "_as_json", lambda text: None)
        slow = yamlio.load_yaml(path)
    assert fast == slow


def test_a_duplicate_key_in_a_json_document_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "table.yaml"
    path.write_text('# generated\n{"legal_forms": [],\n "legal_forms": []}\n', encoding="utf-8")
    from engine.catalogue.yamlio import load_yaml

    data, problems = load_yaml(path)
    assert data is None
    assert "line 3" in problems[0].message
    assert "duplicate" in problems[0].message


@pytest.mark.parametrize("char", ["\x01", "\x7f", "\ufffe"])
def test_a_control_character_is_refused_with_its_line_and_column(tmp_path: Path, char: str) -> None:
    (tmp_path / "parties.yaml").write_text(f"parties:\n  - id: x{char}\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert "line 2, column 10" in str(caught.value)
    assert f"U+{ord(char):04X}" in str(caught.value)
