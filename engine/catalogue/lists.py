"""Sanctions lists loaded at screening time, mapped onto the catalogue's party model.

Formats, recognised from the file itself:

- OFAC ``sdn.csv``: no header, 12 columns, ``-0-`` for empty; aliases in the remarks as
  ``a.k.a. '...'`` (also ``f.k.a.``/``n.k.a.``), programs as ``A] [B``; an ``alt.csv`` beside it (or
  given as its own list) adds alternate names by entity number;
- OpenSanctions ``targets.simple.csv``: a header with ``id, schema, name, aliases, ..., countries,
  sanctions, dataset``; aliases separated by ``;``;
- the project's own entity YAML (a file or a directory): its parties.

Each entry becomes a :class:`~engine.catalogue.entities.Party` with the list's dataset tag, its
programs as a designation and its remarks as notes; individuals, vessels and aircraft keep their
kind.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pycountry

from engine.catalogue.entities import (
    SANCTIONED,
    Designation,
    Party,
    PartyKind,
    Source,
    load_catalogue,
    load_catalogue_files,
)
from engine.errors import CatalogueError, Problem

OFAC_SDN = "ofac-sdn"
OPENSANCTIONS = "opensanctions"

_EMPTY = "-0-"
# Where an alias in OFAC remarks begins, and the quotes that can close one: a quote followed by ';',
# by '.' and a space or the end, or by the end (aliases may hold quotes).
_AKA_MARK = re.compile(r"\b[afn]\.k\.a\.\s++'")
_AKA_CLOSE = re.compile(r"'(?=;|\.(?:\s|$)|$)")
# Where an alias whose quote is left open ends: at the next ';' or full stop.
_AKA_OPEN_END = re.compile(r";|\.(?:\s|$)")

_OFAC_KINDS: dict[str, PartyKind] = {
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_OS_KINDS: dict[str, PartyKind] = {
    "person": "person",
    "company": "company",
    "organization": "organisation",
    "legalentity": "company",
    "publicbody": "government-body",
    "vessel": "vessel",
    "airplane": "aircraft",
}


@dataclass(frozen=True)
class LoadedList:
    """A list read from a file: what it is, its digest, and its parties."""

    name: str
    path: str
    format: str
    digest: str
    parties: tuple[Party, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def entries(self) -> int:
        """The number of entries read."""
        return len(self.parties)


def _digest(paths: Iterable[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                sha.update(chunk)
    return sha.hexdigest()


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == _EMPTY else value


def _first_line(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        for row in csv.reader(fh):
            if row and any(c.strip() for c in row):
                return row
    return []


def detect_format(path: Path) -> str:
    """'yaml', 'ofac-sdn', 'ofac-alt' or 'opensanctions', from the path and the first line."""
    if path.is_dir() or path.suffix.lower() in {".yaml", ".yml"}:
        return "yaml"
    first = _first_line(path)
    header = {c.strip().lower() for c in first}
    if {"id", "schema", "name"} <= header:
        return OPENSANCTIONS
    if len(first) == 12 and first[0].strip().isdigit():
        return OFAC_SDN
    if len(first) == 5 and first[0].strip().isdigit() and first[1].strip().isdigit():
        return "ofac-alt"
    raise CatalogueError(
        f"{path}: not a list format shipscreen reads (OFAC sdn.csv or alt.csv, OpenSanctions "
        "targets.simple.csv, or entity YAML)"
    )


def remark_aliases(remarks: str) -> list[str]:
    """The names in ``a.k.a. '...'`` (``f.k.a.``, ``n.k.a.``) of OFAC remarks, in one pass.

    An alias ends at the first quote after it that is followed by ';', by '.' and a space or the
    end, or by the end; left open (no such quote before the next alias), it ends at the next ';'
    or full stop, or where the next alias begins (remarks cut off inside an alias keep what
    there is of it).  Aliases without a letter or digit are left out.
    """
    marks = list(_AKA_MARK.finditer(remarks))
    closes = [m.start() for m in _AKA_CLOSE.finditer(remarks)]
    aliases: list[str] = []
    c = 0
    for i, mark in enumerate(marks):
        begin = mark.end()
        limit = marks[i + 1].start() if i + 1 < len(marks) else len(remarks)
        # Both lists are in order: each is walked once, whatever the quotes left open.
        while c < len(closes) and closes[c] <= begin:  # an alias has at least one character
            c += 1
        if c < len(closes) and closes[c] < limit:
            alias = remarks[begin : closes[c]]
        else:
            end = _AKA_OPEN_END.search(remarks, begin, limit)
            alias = remarks[begin : end.start() if end else limit].strip().strip("'")
        alias = alias.strip()
        if any(ch.isalnum() for ch in alias):  # not a stray quote or a cut-off '@'
            aliases.append(alias)
    return aliases


def _person_names(name: str) -> list[str]:
    """'LAST, First Middle' also as 'First Middle LAST'."""
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if last and first:
            return [name, f"{first} {last}"]
    return [name]


def _ofac_rows(path: Path, width: int, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of an OFAC CSV file; rows of the wrong width become problems."""
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for line, row in enumerate(csv.reader(fh), start=1):
            if not row or not any(c.strip().strip("\x1a") for c in row):
                continue  # blank lines and the DOS end-of-file mark OFAC's files end with
            if len(row) != width:
                message = f"line {line}: {len(row)} columns, expected {width}"
                problems.append(Problem(file=str(path), message=message))
                continue
            yield line, row


def _read_alt(path: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks -> names by entity number."""
    names: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for _, row in _ofac_rows(path, 5, problems):
        ent_num, _, _, alt_name = (_cell(c) for c in row[:4])
        if ent_num and alt_name:
            names.setdefault(ent_num, []).append(alt_name)
    return names, problems


def _alt_beside(path: Path) -> Path | None:
    """The alt.csv that belongs to an sdn.csv, if it lies beside it."""
    candidates = [path.with_name("alt.csv"), path.with_name("ALT.CSV")]
    if "sdn" in path.name.lower():
        candidates.append(path.with_name(re.sub("sdn", "alt", path.name, flags=re.IGNORECASE)))
    return next((c for c in candidates if c != path and c.is_file()), None)


def read_ofac_sdn(path: Path, alt: Path | None = None) -> LoadedList:
    """Read OFAC's sdn.csv (and its alt.csv) into parties tagged ``sanctioned`` and ``ofac-sdn``."""
    alt = alt or _alt_beside(path)
    alt_names, problems = _read_alt(alt) if alt else ({}, [])
    parties: list[Party] = []
    for line, row in _ofac_rows(path, 12, problems):
        ent_num, name, sdn_type, programs = (_cell(c) for c in row[:4])
        remarks = _cell(row[11])
        if not ent_num or not name:
            problems.append(
                Problem(file=str(path), message=f"line {line}: no entity number or name")
            )
            continue
        kind = _OFAC_KINDS.get(sdn_type.lower(), "company")
        aliases = remark_aliases(remarks)
        aliases += alt_names.get(ent_num, [])
        if kind == "person":
            # One-word aliases of individuals are nicknames (OFAC's "weak" a.k.a.s): not
            # screened.
            aliases = [a for a in aliases if len(a.split()) > 1]
            names = _person_names(name) + [n for a in aliases for n in _person_names(a)]
        else:
            names = [name, *aliases]
        program_list = [p.strip() for p in programs.strip("[]").split("] [") if p.strip()]
        source = Source(public=f"OFAC SDN list, entry {ent_num} ({path.name})")
        parties.append(
            Party(
                id=f"{OFAC_SDN}-{ent_num}",
                name=name,
                aliases=list(dict.fromkeys(n for n in names[1:] if n != name)),
                kind=kind,
                tags=[SANCTIONED, OFAC_SDN],
                designations=[
                    Designation(
                        authority="OFAC",
                        list="SDN",
                        programs=program_list,
                        list_id=ent_num,
                        blocking=True,
                        source=source,
                    )
                ],
                notes=remarks or None,
                dataset=OFAC_SDN,
                sources=[source],
            )
        )
    files = [path, alt] if alt else [path]
    return LoadedList(
        name=OFAC_SDN,
        path=str(path),
        format=OFAC_SDN + (" + alt.csv" if alt else ""),
        digest=_digest(files),
        parties=tuple(parties),
        problems=tuple(problems),
    )


def _country_code(text: str) -> str | None:
    text = text.strip()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text.upper()):
        return text.upper()
    return None


def read_opensanctions(path: Path) -> LoadedList:
    """Read OpenSanctions targets.simple.csv; entries with sanctions are tagged ``sanctioned``."""
    parties: list[Party] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = {f.strip().lower(): f for f in reader.fieldnames or []}
        for line, row in enumerate(reader, start=2):

            def get(column: str, row: dict[str, str] = row) -> str:
                key = fields.get(column)
                return (row.get(key) or "").strip() if key else ""

            entity_id, name = get("id"), get("name")
            if not entity_id or not name:
                problems.append(Problem(file=str(path), message=f"line {line}: no id or name"))
                continue
            schema = get("schema")
            kind = _OS_KINDS.get(schema.lower(), "organisation")
            aliases = [a.strip() for a in get("aliases").split(";") if a.strip()]
            countries = [c for c in get("countries").split(";") if c.strip()]
            sanctions = [s.strip() for s in get("sanctions").split(";") if s.strip()]
            datasets = get("dataset")
            source = Source(public=f"OpenSanctions entity {entity_id} ({datasets or path.name})")
            tags = [OPENSANCTIONS]
            designations = []
            if sanctions:
                tags.insert(0, SANCTIONED)
                designations.append(
                    Designation(
                        authority="OpenSanctions",
                        list=datasets or "targets",
                        programs=sanctions[:20],
                        list_id=entity_id,
                        blocking=True,
                        source=source,
                    )
                )
            if kind == "person":
                aliases = [a for a in aliases if len(a.split()) > 1]
            safe_id = re.sub(r"[^a-z0-9]+", "-", entity_id.lower()).strip("-") or str(line)
            parties.append(
                Party(
                    id=f"{OPENSANCTIONS}-{safe_id}"[:80].rstrip("-"),
                    name=name,
                    aliases=list(dict.fromkeys(a for a in aliases if a != name)),
                    kind=kind,
                    country=_country_code(countries[0]) if countries else None,
                    tags=tags,
                    designations=designations,
                    identifiers={"opensanctions": entity_id},
                    notes=get("identifiers") or None,
                    dataset=OPENSANCTIONS,
                    sources=[source],
                )
            )
    return LoadedList(
        name=OPENSANCTIONS,
        path=str(path),
        format=OPENSANCTIONS,
        digest=_digest([path]),
        parties=tuple(parties),
        problems=tuple(problems),
    )


def read_yaml_list(path: Path) -> LoadedList:
    """Parties from the project's own entity YAML (a file or a directory of files)."""
    if path.is_dir():
        catalogue = load_catalogue(path)
        files = sorted(Path(f) for f in catalogue.files)
    else:
        catalogue = load_catalogue_files([path], root=path.parent)
        files = [path]
    name = path.stem
    parties = tuple(
        p.model_copy(update={"dataset": name}) if p.dataset == "shipscreen-catalogue" else p
        for p in catalogue.parties.values()
    )
    return LoadedList(
        name=name, path=str(path), format="yaml", digest=_digest(files), parties=parties
    )


def load_lists(paths: Iterable[str | Path]) -> list[LoadedList]:
    """Read each list file; an alt.csv given on its own joins the sdn.csv given with it."""
    given = [Path(p) for p in paths]
    problems: list[Problem] = []
    formats: dict[Path, str] = {}
    for path in given:
        if not path.exists():
            problems.append(Problem(file=str(path), message="no such file or directory"))
            continue
        try:
            formats[path] = detect_format(path)
        except CatalogueError as exc:
            problems.append(Problem(file=str(path), message=str(exc).split(": ", 1)[-1]))
    alts = [p for p, f in formats.items() if f == "ofac-alt"]
    sdns = [p for p, f in formats.items() if f == OFAC_SDN]
    if alts and len(sdns) != 1:
        problems.append(
            Problem(file=str(alts[0]), message="an alt.csv needs exactly one sdn.csv given with it")
        )
    if problems:
        raise CatalogueError("lists cannot be loaded", problems=problems)
    loaded: list[LoadedList] = []
    for path, fmt in formats.items():
        if fmt == OFAC_SDN:
            loaded.append(read_ofac_sdn(path, alts[0] if alts else None))
        elif fmt == OPENSANCTIONS:
            loaded.append(read_opensanctions(path))
        elif fmt == "yaml":
            loaded.append(read_yaml_list(path))
    # Screening against a list read only in part would look complete and is not: refuse it.
    broken = [problem for lst in loaded for problem in lst.problems]
    if broken:
        raise CatalogueError("lists with unreadable entries cannot be used", problems=broken)
    return loaded


def iter_parties(lists: Iterable[LoadedList]) -> Iterator[Party]:
    """Every party of the lists, in order."""
    for loaded in lists:
        yield from loaded.parties
