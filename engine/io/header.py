"""The header of a shipment table: which field each column is, and the columns of the outputs."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.catalogue.yamlio import read_yaml
from engine.errors import InputError
from engine.reading.record import FIELDS, canonical_field
from engine.results import RESULT_COLUMNS


@dataclass
class Header:
    """The input header and what each column means."""

    columns: list[str]
    fields: list[str | None]  # canonical field per column, or None to pass through
    warnings: list[str] = field(default_factory=list)
    #: Named columns that are no shipment field (passed through, not screened).
    unrecognised: list[str] = field(default_factory=list)
    #: The entries of the columns map (--columns) that named no column of the header.
    unmatched_map: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, columns: Sequence[str], mapping: Mapping[str, str] | None = None) -> Header:
        """Map headers to canonical fields; the first column naming a field wins."""
        original = dict(mapping or {})
        mapping = {k.strip().casefold(): v for k, v in original.items()}
        fields: list[str | None] = []
        taken: dict[str, str] = {}
        warnings: list[str] = []
        for column in columns:
            name = mapping.get(column.strip().lstrip("\ufeff").casefold()) or canonical_field(
                column
            )
            if name is not None and name in taken:
                warnings.append(
                    f"column '{column}' also means {name} (first given by '{taken[name]}'); "
                    "it is passed through unread"
                )
                name = None
            if name is not None:
                taken[name] = column
            fields.append(name)
        given = {c.strip().lstrip("\ufeff").casefold() for c in columns}
        unmatched = [k for k in original if k.strip().casefold() not in given]
        named = [c for c in columns if c.strip().lstrip("\ufeff")]
        unrecognised = [c for c, f in zip(columns, fields, strict=True) if f is None and c in named]
        for key in unmatched:
            close = difflib.get_close_matches(key, named, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            warnings.append(
                f"the columns map's '{key}' ({original[key]}) names no column of the input{hint}: "
                f"{original[key]} is not read from it"
            )
        if unrecognised:
            shown = ", ".join(f"'{c}'" for c in unrecognised[:10])
            more = f" and {len(unrecognised) - 10} more" if len(unrecognised) > 10 else ""
            warnings.append(
                f"{len(unrecognised)} column(s) name no shipment field and are passed through "
                f"unscreened: {shown}{more} (map them with --columns)"
            )
        return cls(
            columns=list(columns),
            fields=fields,
            warnings=warnings,
            unrecognised=unrecognised,
            unmatched_map=unmatched,
        )

    def no_field_message(self, label: str = "columns") -> str | None:
        """Why rows of this header cannot be screened (no column names a shipment field), or
        None if some column does."""
        if any(self.fields):
            return None
        return (
            "no column names a shipment field (e.g. shipper, consignee, hs_code, description); "
            f"{label}: {', '.join(self.columns)}"
        )

    @property
    def keys(self) -> list[str]:
        """The column names made unique, for keyed outputs (JSON Lines): a name given again gets
        " (2)", " (3)"..., never one that another column of the header has itself."""
        return _unique(self.columns, taken=set(self.columns))

    @property
    def table_keys(self) -> list[str]:
        """The input columns' names in a table that has the result columns beside them (Parquet):
        unique, and "input_X" for a column named like a result column (a scored file screened
        again), never a name another column has."""
        renamed = [f"input_{c}" if c in RESULT_COLUMNS else c for c in self.columns]
        return _unique(renamed, taken={*self.columns, *renamed, *RESULT_COLUMNS})

    @property
    def output_columns(self) -> list[str]:
        """The input columns (renamed where they clash with result columns), then the results."""
        out = [f"input_{c}" if c in RESULT_COLUMNS else c for c in self.columns]
        return [*out, *RESULT_COLUMNS]


def _unique(names: Sequence[str], *, taken: set[str]) -> list[str]:
    """``names`` with each one given again made unique with " (n)", avoiding ``taken``."""
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        if name not in used:
            out.append(name)
            used.add(name)
            continue
        n = 2
        while f"{name} ({n})" in taken or f"{name} ({n})" in used:
            n += 1
        out.append(f"{name} ({n})")
        used.add(out[-1])
    return out


def load_column_map(path: str | Path) -> dict[str, str]:
    """Read a columns file (YAML mapping of input header -> canonical field); InputError, with
    the line, for anything else."""
    name = str(path)
    document, problems = read_yaml(Path(path))
    if document is None:
        raise InputError("; ".join(p.message for p in problems), file=name)
    data = document.data
    if not isinstance(data, dict) or not data:
        found = "it is empty" if data is None or data == {} else "it holds no mapping"
        raise InputError(f"a columns file maps input headers to field names; {found}", file=name)
    out: dict[str, str] = {}
    first: dict[str, str] = {}  # the header as Header.read compares it -> the key that gave it
    for key, value in data.items():
        where = document.where((key,), key=True)
        line = where[0] if where else None
        if not isinstance(value, str) or value not in FIELDS:
            shown = repr(value) if isinstance(value, str) else f"{_kind(value)}"
            raise InputError(
                f"'{key}' maps to {shown}, which is not a field; fields: {', '.join(FIELDS)}",
                file=name,
                line=line,
            )
        # Header.read matches headers stripped and case-folded: two keys that fold alike would
        # leave one of them unused without a word.
        folded = key.strip().casefold()
        if folded in first:
            raise InputError(
                f"'{key}' and '{first[folded]}' name the same column (headers are compared "
                "without case and surrounding spaces); keep one",
                file=name,
                line=line,
            )
        first[folded] = key
        out[key] = value
    return out


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, int | float):
        return str(value)
    return "a list" if isinstance(value, list) else "a mapping"
