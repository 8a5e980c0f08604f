"""Sanctions lists loaded at screening time, mapped onto the catalogue's party model.

Formats, recognised from the file itself:

- OFAC ``sdn.csv``: no header, 12 columns, ``-0-`` for empty; aliases in the remarks as
  ``a.k.a. '...'`` (also ``f.k.a.``/``n.k.a.``), programs as ``A] [B``; an ``alt.csv`` beside it (or
  given as its own list) adds alternate names by entity number;
- OpenSanctions ``targets.simple.csv``: a header with ``id, schema, name, aliases, ..., countries,
  sanctions, dataset``; several values in a cell separated by ``;``;
- the project's own entity YAML (a file or a directory): its parties.

Each entry becomes a :class:`~engine.catalogue.entities.Party` with the list's dataset tag, its
programs as a designation and its remarks as notes; individuals, vessels and aircraft keep their
kind.

The CSV lists are read strictly, since a list read in part looks complete and is not.  The bytes
are decoded in the encoding given, else the file's own (its byte-order mark's, else UTF-8, else
Windows-1252: :func:`engine.decoding.detect_file_encoding`), with no replacement characters; the
CSV is RFC 4180's (a field holding quotes is quoted whole, its own quotes doubled), and an OFAC
record is one line.  A quote left open or stray, a row of the wrong width, bytes the encoding does
not allow, NUL bytes, a header the reader cannot use, a file with no entries: each is a problem
naming the file and the line, and :func:`load_lists` refuses a list with any, reporting them all
(up to MAX_PROBLEMS a file).
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pycountry

from engine.catalogue.entities import (
    SANCTIONED,
    Party,
    PartyKind,
    Source,
    load_catalogue,
    load_catalogue_files,
)
from engine.catalogue.listfiles import (
    MAX_PROBLEMS,
    SPOOLED,
    LoadedList,
    Problems,
    csv_records,
    digest,
    file_encoding,
    has_content,
    known_encoding,
    make_party,
    open_list,
    person_names,
    read_records,
    unreadable,
)
from engine.catalogue.listformats import (
    CSL,
    DPL,
    FTM,
    UN,
    is_csl_header,
    is_dpl_header,
    is_ftm_line,
    read_csl,
    read_dpl,
    read_ftm,
    read_un,
)
from engine.decoding import Line, iter_checked_lines
from engine.errors import CatalogueError, Problem

__all__ = ["MAX_PROBLEMS", "LoadedList", "known_encoding", "load_lists", "read_ofac_sdn"]

OFAC_SDN = "ofac-sdn"
OFAC_CONS = "ofac-cons"  # OFAC's consolidated non-SDN list: sdn.csv's columns, other meanings
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
# The columns an OpenSanctions list cannot be read without, and what each says.
_OS_NEEDED = {
    "id": "which entity an entry is",
    "schema": "what kind of entity it is",
    "name": "the name screened",
    "sanctions": "which entries are sanctioned",
}

# A first line that does not read as CSV still shows an OFAC file by how it starts.
_OFAC_ALT_START = re.compile(r"\s*\d+\s*,\s*\d+\s*,")
_OFAC_START = re.compile(r"\s*\d+\s*,")


def _first_record(path: Path, encoding: str) -> tuple[Line, list[str]] | None:
    """The first line holding anything and its cells (as far as they read), or None if none."""
    with open_list(path) as raw:
        for line in iter_checked_lines(raw, encoding):
            if not has_content([line.text]):
                continue
            record = next(csv_records([line], Problems(path), multiline=False), None)
            if record is not None:
                return line, record[1]
            # A broken first line (the reader reports it): the format shown by how it starts.
            if _OFAC_ALT_START.match(line.text):
                return line, ["0"] * 5
            if _OFAC_START.match(line.text):
                return line, ["0"] + [""] * 11
            return line, []
    return None


def _is_yaml(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() in {".yaml", ".yml"}


def detect_format(path: Path, encoding: str | None = None) -> str:
    """'yaml', 'ofac-sdn', 'ofac-alt' or 'opensanctions', from the path and the first line."""
    if _is_yaml(path):
        return "yaml"
    found = _first_record(path, file_encoding(path, encoding))
    if found is None:
        raise CatalogueError(f"{path}: the file is empty (or holds only blank lines)")
    line, first = found
    text = line.text.strip().lstrip("\ufeff")
    if text.startswith("<"):
        return _xml_format(path, line)
    if text.startswith("{") and is_ftm_line(text):
        return FTM
    if is_dpl_header(text):
        return DPL
    header = {c.strip().lower() for c in first}
    if {"id", "schema", "name"} <= header:
        return OPENSANCTIONS
    if is_csl_header(first):
        return CSL
    if len(first) == 12 and first[0].strip().isdigit():
        return OFAC_CONS if _is_non_sdn(path) else OFAC_SDN
    if len(first) == 5 and first[0].strip().isdigit() and first[1].strip().isdigit():
        return "ofac-alt"
    raise CatalogueError(
        f"{path}: line {line.number}: {line.problem + '; ' if line.problem else ''}not a list "
        f"format shipscreen reads ({_FORMATS})"
    )


_FORMATS = (
    "OFAC sdn.csv or alt.csv, OFAC cons_prim.csv or cons_alt.csv, the Consolidated Screening "
    "List CSV, the BIS Denied Persons List, the UN consolidated list XML, OpenSanctions "
    "targets.simple.csv or FollowTheMoney JSON lines, or entity YAML"
)


def _xml_format(path: Path, line: Line) -> str:
    """The format of an XML list, from its root element."""
    with open_list(path) as fh:
        head = fh.read(1 << 16)
    if b"<CONSOLIDATED_LIST" in head:
        return UN
    raise CatalogueError(
        f"{path}: line {line.number}: an XML file, but not a list format shipscreen reads "
        f"({_FORMATS})"
    )


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == _EMPTY else value


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


def _ofac_rows(
    path: Path, encoding: str, width: int, problems: Problems
) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of an OFAC CSV file; rows of the wrong width become problems."""
    rows = 0
    for line, row in read_records(path, encoding, problems):
        rows += 1
        if len(row) != width:
            problems.add(f"{len(row)} columns, expected {width}", line)
            continue
        yield line, row
    if not rows and not problems.kept:
        problems.add("no entries (an empty list would screen nothing)")


def _read_alt(path: Path, encoding: str, problems: Problems) -> dict[str, list[str]]:
    """alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks -> names by entity number."""
    names: dict[str, list[str]] = {}
    for line, row in _ofac_rows(path, encoding, 5, problems):
        ent_num, _, _, alt_name = (_cell(c) for c in row[:4])
        if not ent_num.isdigit():
            problems.add(f"the entity number {ent_num!r} is not a number", line)
        elif alt_name:
            names.setdefault(ent_num, []).append(alt_name)
    return names


def _alt_beside(path: Path, non_sdn: bool = False) -> Path | None:
    """The alt.csv that belongs to an sdn.csv (cons_alt.csv to a cons_prim.csv), if it lies
    beside it."""
    if non_sdn:
        candidates = [path.with_name("cons_alt.csv"), path.with_name("CONS_ALT.CSV")]
        mark = "prim"
    else:
        candidates = [path.with_name("alt.csv"), path.with_name("ALT.CSV")]
        mark = "sdn"
    if mark in path.name.lower():
        candidates.append(path.with_name(re.sub(mark, "alt", path.name, flags=re.IGNORECASE)))
    return next((c for c in candidates if c != path and c.is_file()), None)


# Programs of OFAC's non-SDN lists and what their listings mean: Foreign Sanctions Evaders are
# blocked; UKRAINE-EO13662 is the Sectoral Sanctions Identifications list, RUSSIA-EO14024 on it
# the menu-based (sectoral) sanctions; the others (PLC, CMIC, CAPTA's 561-Related, ISA) restrict
# other dealings.  A listing under several programs takes the gravest.
_NON_SDN_PROGRAMS = (("FSE-", "blocking"), ("UKRAINE-EO13662", "sectoral"),
                     ("RUSSIA-EO14024", "sectoral"))  # fmt: skip
_GRAVITY = ("blocking", "sectoral", "other")
# Programs only the non-SDN list uses: an OFAC file under another name holding them is that
# list, not sdn.csv.
_NON_SDN_ONLY = re.compile(
    rb'"(?:[^"\r\n]*\] \[)?(?:CMIC-EO13959|561-Related|FSE-[A-Z]+|NS-ISA|NS-MBS)\b'
)


def non_sdn_consequence(programs: list[str]) -> str:
    """The consequence of a non-SDN listing under ``programs``."""
    found = {c for p in programs for prefix, c in _NON_SDN_PROGRAMS if p.startswith(prefix)}
    return next((c for c in _GRAVITY if c in found), "other")


def _is_non_sdn(path: Path) -> bool:
    """An OFAC primary file that is the consolidated non-SDN list: named so (cons_prim.csv),
    or holding programs only that list uses."""
    name = path.name.lower()
    if "cons" in name or "non_sdn" in name or "non-sdn" in name:
        return True
    if "sdn" in name:
        return False
    with open_list(path) as fh:
        return any(_NON_SDN_ONLY.search(line) for line in fh)


def read_ofac_sdn(
    path: Path, alt: Path | None = None, encoding: str | None = None, *, non_sdn: bool = False
) -> LoadedList:
    """Read OFAC's sdn.csv (and its alt.csv) into parties tagged ``sanctioned`` and ``ofac-sdn``;
    with ``non_sdn``, the consolidated non-SDN list (cons_prim.csv and cons_alt.csv), each
    listing's consequence by its programs (:func:`non_sdn_consequence`), tagged ``ofac-cons``.

    ``encoding`` is that of both files; by default each file's own.  What cannot be read is in
    the list's ``problems``.
    """
    alt = alt or _alt_beside(path, non_sdn)
    dataset = OFAC_CONS if non_sdn else OFAC_SDN
    problems = Problems(path)
    sdn_encoding = file_encoding(path, encoding)
    alt_names: dict[str, list[str]] = {}
    alt_problems: tuple[Problem, ...] = ()
    list_encoding = sdn_encoding
    if alt:
        alt_encoding = file_encoding(alt, encoding)
        collected = Problems(alt)
        alt_names = _read_alt(alt, alt_encoding, collected)
        alt_problems = collected.all()
        if alt_encoding != sdn_encoding:
            list_encoding = f"{sdn_encoding} ({alt.name}: {alt_encoding})"
    parties: list[Party] = []
    for line, row in _ofac_rows(path, sdn_encoding, 12, problems):
        ent_num, name, sdn_type, programs = (_cell(c) for c in row[:4])
        remarks = _cell(row[11])
        if not ent_num or not name:
            problems.add("no entity number or name", line)
            continue
        if not ent_num.isdigit():
            problems.add(f"the entity number {ent_num!r} is not a number", line)
            continue
        kind = _OFAC_KINDS.get(sdn_type.lower(), "company")
        aliases = remark_aliases(remarks)
        aliases += alt_names.get(ent_num, [])
        if kind == "person":
            # One-word aliases of individuals are nicknames (OFAC's "weak" a.k.a.s): not
            # screened.
            aliases = [a for a in aliases if len(a.split()) > 1]
            names = person_names(name) + [n for a in aliases for n in person_names(a)]
        else:
            names = [name, *aliases]
        program_list = [p.strip() for p in programs.strip("[]").split("] [") if p.strip()]
        consequence = non_sdn_consequence(program_list) if non_sdn else "blocking"
        what = "non-SDN consolidated list" if non_sdn else "SDN list"
        source = Source(public=f"OFAC {what}, entry {ent_num} ({path.name})")
        party = make_party(
            line,
            problems,
            id=f"{dataset}-{ent_num}",
            name=name,
            aliases=list(dict.fromkeys(n for n in names[1:] if n != name)),
            kind=kind,
            tags=[SANCTIONED, dataset] if consequence == "blocking" else [dataset],
            designations=[
                {
                    "authority": "OFAC",
                    "list": "non-SDN" if non_sdn else "SDN",
                    "programs": program_list,
                    "list_id": ent_num,
                    "consequence": consequence,
                    "source": source,
                }
            ],
            notes=remarks or None,
            dataset=dataset,
            sources=[source],
        )
        if party is not None:
            parties.append(party)
    files = [path, alt] if alt else [path]
    return LoadedList(
        name=dataset,
        path=str(path),
        format=dataset + (f" + {alt.name}" if alt else ""),
        digest=digest(files),
        encoding=list_encoding,
        parties=tuple(parties),
        problems=(*problems.all(), *alt_problems),
    )


def _country_code(text: str) -> str | None:
    text = text.strip()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text.upper()):
        return text.upper()
    return None


def _values(cell: str) -> list[str]:
    """The values of an OpenSanctions cell: ';'-separated, each quoted as CSV if it holds a ';'
    or a quote (as OpenSanctions writes them); a cell not written so is split at its ';'s."""
    parts = cell.split(";")
    if '"' in cell:
        with contextlib.suppress(csv.Error):  # a quote as it stands, in a hand-made cell
            parts = next(csv.reader((cell,), delimiter=";", strict=True), [])
    return [v.strip() for v in parts if v.strip()]


def read_opensanctions(path: Path, encoding: str | None = None) -> LoadedList:
    """Read OpenSanctions targets.simple.csv; entries with sanctions are tagged ``sanctioned``.

    ``encoding`` is the file's; by default its own.  What cannot be read is in the list's
    ``problems``.
    """
    list_encoding = file_encoding(path, encoding)
    parties: list[Party] = []
    problems = Problems(path)
    records = read_records(path, list_encoding, problems, multiline=True)
    first = next(records, None)
    header_line, header = first if first is not None else (0, [])
    columns = [c.strip().lower() for c in header]
    index = {c: i for i, c in reversed(list(enumerate(columns)))}
    # After a broken line the first record is not the header: the rows are not read then.
    usable = first is not None and not problems.of_csv
    missing = [c for c in _OS_NEEDED if c not in index]
    if usable and missing:
        names = ", ".join(f"'{c}'" for c in missing)
        saying = "; ".join(_OS_NEEDED[c] for c in missing)
        problems.add(
            f"the header has no {names} column{'s' if len(missing) > 1 else ''} (saying "
            f"{saying}); its columns are: {', '.join(header)}",
            header_line,
        )
        usable = False
    doubled = sorted(c for c, n in Counter(columns).items() if c and n > 1)
    if usable and doubled:
        problems.add(
            f"the header names {', '.join(repr(c) for c in doubled)} more than once", header_line
        )
        usable = False
    entries = 0
    for line, row in records:
        entries += 1
        if not usable:
            continue
        if len(row) != len(header):
            problems.add(f"{len(row)} columns, expected {len(header)} (as the header has)", line)
            continue

        def get(column: str, row: list[str] = row) -> str:
            i = index.get(column)
            return row[i].strip() if i is not None else ""

        entity_id, name = get("id"), get("name")
        if not entity_id or not name:
            problems.add("no id or name", line)
            continue
        schema = get("schema")
        kind = _OS_KINDS.get(schema.lower(), "organisation")
        aliases = _values(get("aliases"))
        countries = _values(get("countries"))
        sanctions = _values(get("sanctions"))
        datasets = get("dataset")
        source = Source(public=f"OpenSanctions entity {entity_id} ({datasets or path.name})")
        tags = [OPENSANCTIONS]
        designations = []
        if sanctions:
            tags.insert(0, SANCTIONED)
            designations.append(
                {
                    "authority": "OpenSanctions",
                    "list": datasets or "targets",
                    "programs": sanctions[:20],
                    "list_id": entity_id,
                    "blocking": True,
                    "source": source,
                }
            )
        if kind == "person":
            aliases = [a for a in aliases if len(a.split()) > 1]
        safe_id = re.sub(r"[^a-z0-9]+", "-", entity_id.lower()).strip("-") or str(line)
        party = make_party(
            line,
            problems,
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
        if party is not None:
            parties.append(party)
    if first is None:
        problems.add("no header and no entries")
    elif usable and not entries:
        problems.add("a header and no entries (an empty list would screen nothing)", header_line)
    return LoadedList(
        name=OPENSANCTIONS,
        path=str(path),
        format=OPENSANCTIONS,
        digest=digest([path]),
        encoding=list_encoding,
        parties=tuple(parties),
        problems=problems.all(),
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
        name=name,
        path=str(path),
        format="yaml",
        digest=digest(files),
        encoding="utf-8",  # as entity YAML always is
        parties=parties,
    )


def load_lists(paths: Iterable[str | Path], encoding: str | None = None) -> list[LoadedList]:
    """Read each list file; an alt.csv given on its own joins the sdn.csv given with it.

    ``encoding`` is that of every CSV list given (and of an alt.csv beside an sdn.csv); by default
    each file's own (its byte-order mark's, else UTF-8, else Windows-1252).  Entity YAML is always
    UTF-8.  A list that cannot be read whole is refused: CatalogueError, with every problem.
    """
    given = [Path(p) for p in paths]
    # A list given as a pipe (--list <(gunzip -c sdn.csv.gz), /dev/stdin) can be read only once,
    # and a list is read several times (its format, encoding, entries, digest): read it whole now.
    spooled = {p: p.read_bytes() for p in given if p.exists() and not (p.is_file() or p.is_dir())}
    token = SPOOLED.set(spooled)
    try:
        return _load_lists(given, encoding)
    finally:
        SPOOLED.reset(token)


def _load_lists(given: list[Path], encoding: str | None) -> list[LoadedList]:
    if encoding is not None:
        encoding = known_encoding(encoding)
    problems: list[Problem] = []
    formats: dict[Path, str] = {}
    encodings: dict[Path, str] = {}
    for path in given:
        if not path.exists():
            problems.append(Problem(file=str(path), message="no such file or directory"))
            continue
        try:
            if not _is_yaml(path):
                encodings[path] = file_encoding(path, encoding)
            formats[path] = detect_format(path, encodings.get(path))
        except CatalogueError as exc:
            problems.append(Problem(file=str(path), message=str(exc).split(": ", 1)[-1]))
        except OSError as exc:
            problems.append(unreadable(path, exc))
    alt_of: dict[str, Path] = {}  # the alt file given for each OFAC list
    for kind, primary in ((OFAC_CONS, "cons_prim.csv"), (OFAC_SDN, "sdn.csv")):
        alts = [
            p
            for p, f in formats.items()
            if f == "ofac-alt" and _is_cons_alt(p) == (kind == OFAC_CONS)
        ]
        primaries = [p for p, f in formats.items() if f == kind]
        if alts and (len(primaries) != 1 or len(alts) > 1):
            problems.append(
                Problem(
                    file=str(alts[0]),
                    message=f"{alts[0].name} needs exactly one {primary} given with it",
                )
            )
        elif alts:
            alt_of[kind] = alts[0]
    if problems:
        raise CatalogueError("lists cannot be loaded", problems=problems)
    loaded: list[LoadedList] = []
    for path, fmt in formats.items():
        try:
            if fmt in (OFAC_SDN, OFAC_CONS):
                non_sdn = fmt == OFAC_CONS
                loaded.append(read_ofac_sdn(path, alt_of.get(fmt), encoding, non_sdn=non_sdn))
            elif fmt == OPENSANCTIONS:
                loaded.append(read_opensanctions(path, encodings[path]))
            elif fmt in _READERS:
                loaded.append(_READERS[fmt](path, encodings[path]))
            elif fmt == UN:
                loaded.append(read_un(path))
            elif fmt == "yaml":
                loaded.append(read_yaml_list(path))
        except OSError as exc:
            problems.append(unreadable(path, exc))
    # Screening against a list read only in part would look complete and is not: refuse it.
    broken = problems + [problem for lst in loaded for problem in lst.problems]
    if broken:
        raise CatalogueError("lists with unreadable entries cannot be used", problems=broken)
    return loaded


def _is_cons_alt(path: Path) -> bool:
    """An alt file of the non-SDN list (cons_alt.csv), not of the SDN list."""
    return "cons" in path.name.lower()


_READERS = {CSL: read_csl, DPL: read_dpl, FTM: read_ftm}


def iter_parties(lists: Iterable[LoadedList]) -> Iterator[Party]:
    """Every party of the lists, in order."""
    for loaded in lists:
        yield from loaded.parties
