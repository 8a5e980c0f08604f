"""Readers of the lists compliance teams download, each listing mapped to its consequence.

Formats (recognised from the file by :func:`engine.catalogue.lists.detect_format`):

- the US **Consolidated Screening List** CSV (trade.gov), with or without its ``_id`` column:
  one row per listing, ``source`` naming the list;
- the BIS **Denied Persons List** (tab-separated, a quoted header);
- the **UN Security Council consolidated list** XML;
- OpenSanctions **FollowTheMoney** JSON lines (``entities.ftm.json``): parties, their
  ``Sanction`` records and ``Ownership`` records.

Each listing becomes a :class:`~engine.catalogue.entities.Designation` whose ``consequence``
says what it means (DESIGN.md, "Risk policy"):

=============  ===========================================================================
blocking       OFAC SDN, Foreign Sanctions Evaders (FSE); UN, EU, UK and other asset freezes
export-denied  BIS Denied Persons List
export-licence BIS Entity List, BIS Military End-User list (and the export-control entity
               lists of other authorities in OpenSanctions: Japan's METI, Taiwan's SHTC)
sectoral       OFAC Sectoral Sanctions Identifications (SSI)
unverified     BIS Unverified List
debarred       ITAR debarred (State Department DTC)
other          anything else (ISN nonproliferation, PLC, CAPTA, CMIC, debarments from
               procurement, director disqualifications, travel bans...)
=============  ===========================================================================

Listed parties keep their identifiers (INN, OGRN, USCC, LEI, IMO, tax and registration numbers)
under the keys of :data:`IDENTIFIER_KEYS`' values, and their country where the list gives one.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pycountry

from engine.catalogue.entities import SANCTIONED, Party, PartyKind, Source
from engine.catalogue.listfiles import (
    LoadedList,
    Problems,
    digest,
    file_encoding,
    make_party,
    open_list,
    person_names,
    read_records,
)
from engine.decoding import iter_checked_lines

CSL = "us-csl"
DPL = "bis-dpl"
UN = "un-sc"
FTM = "opensanctions-ftm"

# The list a CSL row is on (the code in brackets in its ``source``), and what it means.
CSL_CONSEQUENCES: dict[str, str] = {
    "SDN": "blocking",
    "FSE": "blocking",
    "SSI": "sectoral",
    "EL": "export-licence",
    "MEU": "export-licence",
    "DPL": "export-denied",
    "UVL": "unverified",
    "DTC": "debarred",
}
_CSL_CODE = re.compile(r"\(([A-Z]{2,5})\)")
_CSL_NEEDED = {"source": "which list an entry is on", "name": "the name screened"}

_CSL_KINDS: dict[str, PartyKind] = {
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "aircraft",
}

# Identifier types as the lists write them -> the key a party keeps them under.
IDENTIFIER_KEYS: dict[str, str] = {
    "tax id no.": "tax",
    "tax identification number": "tax",
    "inn": "inn",
    "registration number": "registration",
    "registration id": "registration",
    "business registration number": "registration",
    "business registration document #": "registration",
    "ogrn": "ogrn",
    "unified social credit code (uscc)": "uscc",
    "uscc": "uscc",
    "legal entity number": "lei",
    "lei": "lei",
    "imo": "imo",
    "vessel registration identification": "imo",
    "passport": "passport",
    "national id no.": "national-id",
    "national identification number": "national-id",
    "swift/bic": "swift",
}
_KEYS = frozenset(IDENTIFIER_KEYS.values())
_IMO = re.compile(r"^(?:IMO\s*)?(\d{7})$", re.IGNORECASE)

# Legal forms that show a Denied Persons List entry (which has no type) to be a firm.
_FIRM_WORDS = re.compile(
    r"\b(?:LTD|LIMITED|INC|INCORPORATED|CORP|CORPORATION|CO|COMPANY|LLC|L\.L\.C|GMBH|AG|SA|S\.A|"
    r"SRL|BV|NV|OOO|ZAO|OAO|AO|PAO|JSC|PJSC|PLC|FZE|FZCO|LLP|LP|GROUP|TRADING|INDUSTRIES|"
    r"ENTERPRISES?|INTERNATIONAL|TECHNOLOGY|TECHNOLOGIES|SYSTEMS|SERVICES|SUPPLY|IMPORT|EXPORT)\b\.?",
    re.IGNORECASE,
)


def country_code(text: str) -> str | None:
    """An ISO 3166 alpha-2 code for a code or an English country name, else None."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 2:
        found = pycountry.countries.get(alpha_2=text.upper())
        return found.alpha_2 if found else None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def _split(cell: str, sep: str = ";") -> list[str]:
    return [v.strip() for v in cell.split(sep) if v.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _day(text: str) -> str | None:
    """An ISO day from ``YYYY-MM-DD`` (or a timestamp starting so) or ``MM/DD/YYYY``."""
    text = text.strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text[:10]).isoformat()
        if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text):
            return dt.date(int(m[3]), int(m[1]), int(m[2])).isoformat()
    except ValueError:
        return None
    return None


def _identifiers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(type as the list writes it, number) -> {key: number}; a second number of one type under
    ``key-2`` and so on.  Types that are not identifiers (websites, gender...) are left out."""
    out: dict[str, str] = {}
    for kind, number in pairs:
        said = kind.strip().lower().rstrip(":")
        key = IDENTIFIER_KEYS.get(said) or (said if said in _KEYS else None)
        number = number.strip()
        if key is None or not any(c.isdigit() for c in number):
            continue
        if key == "imo" and (m := _IMO.match(number)):
            number = m[1]
        if number in out.values():
            continue
        slot, n = key, 1
        while slot in out:
            n += 1
            slot = f"{key}-{n}"
        out[slot] = number
    return out


def _csl_ids(cell: str) -> list[tuple[str, str]]:
    """The ``ids`` of a CSL row: ``;``-separated "country, number, type" (or "type, number,
    country", as newer exports write them)."""
    pairs = []
    for item in _split(cell):
        parts = [p.strip() for p in item.split(",")]
        if len(parts) == 2:  # "IMO 9123453, Vessel Registration Identification"
            pairs.append((parts[1], parts[0]))
            continue
        if len(parts) < 3:
            continue
        if len(parts[0]) == 2 and parts[0].isupper():
            pairs.append((", ".join(parts[2:]), parts[1]))
        else:
            pairs.append((parts[0], ", ".join(parts[1:-1])))
    return pairs


def _address_country(addresses: str) -> str | None:
    """The country of a CSL row's first address that names one (its last part, a code)."""
    for address in _split(addresses):
        code = country_code(address.rsplit(",", 1)[-1])
        if code:
            return code
    return None


def _aliases(kind: str, names: list[str]) -> list[str]:
    """Aliases as screened: a person's one-word aliases (nicknames) left out, and 'LAST, First'
    also as 'First LAST'."""
    if kind != "person":
        return names
    return [n for a in names if len(a.split()) > 1 for n in person_names(a)]


def _listed(
    line: int,
    problems: Problems,
    *,
    id: str,
    name: str,
    aliases: list[str],
    kind: PartyKind,
    dataset: str,
    designations: list[dict[str, Any]],
    source: Source,
    **fields: Any,
) -> Party | None:
    names = person_names(name) if kind == "person" else [name]
    aliases = [*names[1:], *_aliases(kind, aliases)]
    tags = [dataset]
    if any(d["consequence"] == "blocking" for d in designations):
        tags.insert(0, SANCTIONED)
    return make_party(
        line,
        problems,
        id=id[:80].rstrip("-"),
        name=name,
        aliases=list(dict.fromkeys(a for a in aliases if a != name)),
        kind=kind,
        tags=tags,
        designations=designations,
        dataset=dataset,
        sources=[source],
        **fields,
    )


def _loaded(
    name: str, path: Path, encoding: str, parties: list[Party], problems: Problems, **extra: Any
) -> LoadedList:
    return LoadedList(
        name=name,
        path=str(path),
        format=name,
        digest=digest([path]),
        encoding=encoding,
        parties=tuple(parties),
        problems=problems.all(),
        **extra,
    )


# ------------------------------------------------------------------------------------------ CSL


def is_csl_header(cells: list[str]) -> bool:
    """A first line that is the Consolidated Screening List's header."""
    header = {c.strip().lower() for c in cells}
    return {"source", "name", "alt_names"} <= header


def csl_consequence(source: str) -> tuple[str, str]:
    """(list code, consequence) of a CSL ``source`` such as 'Entity List (EL) - Bureau of ...'."""
    m = _CSL_CODE.search(source)
    code = m[1] if m else source.split(" - ")[0].strip()
    return code, CSL_CONSEQUENCES.get(code, "other")


def read_csl(path: Path, encoding: str | None = None) -> LoadedList:
    """Read the trade.gov Consolidated Screening List CSV (with or without ``_id``)."""
    list_encoding = file_encoding(path, encoding)
    problems = Problems(path)
    records = read_records(path, list_encoding, problems, multiline=True)
    first = next(records, None)
    parties: list[Party] = []
    if first is None:
        problems.add("no header and no entries")
        return _loaded(CSL, path, list_encoding, parties, problems)
    header_line, header = first
    index = {c.strip().lower(): i for i, c in reversed(list(enumerate(header)))}
    missing = [c for c in _CSL_NEEDED if c not in index]
    if missing or problems.of_csv:
        if missing:
            saying = "; ".join(f"'{c}' ({_CSL_NEEDED[c]})" for c in missing)
            problems.add(f"the header has no {saying} column", header_line)
        return _loaded(CSL, path, list_encoding, parties, problems)
    entries = 0
    for line, row in records:
        entries += 1
        if len(row) != len(header):
            problems.add(f"{len(row)} columns, expected {len(header)} (as the header has)", line)
            continue

        def get(column: str, row: list[str] = row) -> str:
            i = index.get(column)
            return row[i].strip() if i is not None else ""

        name, source_text = get("name"), get("source")
        if not name or not source_text:
            problems.add("no name or no source", line)
            continue
        code, consequence = csl_consequence(source_text)
        number = get("entity_number") or get("_id")
        key = number or f"line-{line}"
        kind = _CSL_KINDS.get(get("type").lower(), "company")
        source = Source(
            public=f"US Consolidated Screening List, {code}"
            + (f" entry {number}" if number else "")
            + f" ({path.name}, line {line})",
            url=get("source_list_url") or None,
        )
        designation = {
            "authority": source_text.split(" - ", 1)[-1].strip() or source_text,
            "list": code,
            "programs": _split(get("programs"))[:20],
            "date": _day(get("start_date")),
            "list_id": number or None,
            "consequence": consequence,
            "source": source,
        }
        country = _address_country(get("addresses"))
        for cell in ("nationalities", "citizenships"):
            country = country or next(
                (c for v in _split(get(cell), ",") if (c := country_code(v))), None
            )
        notes = "; ".join(
            x
            for x in (
                get("title"),
                get("addresses"),
                get("license_requirement"),
                get("remarks"),
            )
            if x
        )
        party = _listed(
            line,
            problems,
            id=f"{CSL}-{_slug(code)}-{_slug(key)}",
            name=name,
            aliases=_split(get("alt_names")),
            kind=kind,
            dataset=CSL,
            designations=[designation],
            source=source,
            country=country,
            identifiers=_identifiers(_csl_ids(get("ids"))),
            notes=notes[:2000] or None,
        )
        if party is not None:
            parties.append(party)
    if not entries:
        problems.add("a header and no entries (an empty list would screen nothing)", header_line)
    return _loaded(CSL, path, list_encoding, _merged(parties), problems)


def _merged(parties: list[Party]) -> list[Party]:
    """One party per id: rows that repeat an entry (another address) join the first."""
    seen: dict[str, Party] = {}
    for party in parties:
        kept = seen.get(party.id)
        if kept is None:
            seen[party.id] = party
            continue
        aliases = [a for a in party.all_names() if a not in kept.all_names()]
        notes = "; ".join(n for n in (kept.notes, party.notes) if n)[:2000] or None
        seen[party.id] = kept.model_copy(
            update={"aliases": [*kept.aliases, *aliases], "notes": notes}
        )
    return list(seen.values())


# ------------------------------------------------------------------------------------------ DPL

DPL_COLUMNS = (
    "name",
    "street_address",
    "city",
    "state",
    "country",
    "postal_code",
    "effective_date",
    "expiration_date",
    "standard_order",
    "last_update",
    "action",
    "fr_citation",
)


def is_dpl_header(text: str) -> bool:
    """A first line that is the Denied Persons List's header."""
    cells = [c.strip().strip('"').strip().lower() for c in text.split("\t")]
    return "\t" in text and {"name", "effective_date", "fr_citation"} <= set(cells)


def _dpl_rows(
    path: Path, encoding: str, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    header: list[str] | None = None
    with open_list(path) as raw:
        for line in iter_checked_lines(raw, encoding):
            if line.problem:
                problems.add(line.problem, line.number, decoding=True)
                continue
            text = line.text.rstrip("\r\n")
            if not text.strip(" \t\x1a"):
                continue
            try:
                cells = next(csv.reader([text], delimiter="\t", strict=True))
            except csv.Error as exc:
                problems.add(f"the line does not read as tab-separated values ({exc})", line.number)
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
                missing = [c for c in ("name", "country") if c not in header]
                if missing:
                    problems.add(f"the header has no {', '.join(missing)} column", line.number)
                    return
                continue
            if len(cells) != len(header):
                problems.add(f"{len(cells)} columns, expected {len(header)}", line.number)
                continue
            yield line.number, dict(zip(header, (c.strip() for c in cells), strict=True))


def read_dpl(path: Path, encoding: str | None = None) -> LoadedList:
    """Read the BIS Denied Persons List; every entry is ``export-denied``.  An entry listed at
    several addresses (one row each) is one party."""
    list_encoding = file_encoding(path, encoding)
    problems = Problems(path)
    parties: list[Party] = []
    for line, row in _dpl_rows(path, list_encoding, problems):
        name = row.get("name", "")
        if not name:
            problems.add("no name", line)
            continue
        kind: PartyKind = "company" if _FIRM_WORDS.search(name) else "person"
        source = Source(public=f"BIS Denied Persons List ({path.name}, line {line})")
        address = ", ".join(
            row[c]
            for c in ("street_address", "city", "state", "postal_code", "country")
            if row.get(c)
        )
        order = f"denied {row.get('effective_date', '')} to {row.get('expiration_date', '')}"
        designation = {
            "authority": "US Department of Commerce (BIS)",
            "list": "DPL",
            "programs": [row["fr_citation"]] if row.get("fr_citation") else [],
            "date": _day(row.get("effective_date", "")),
            "consequence": "export-denied",
            "source": source,
        }
        party = _listed(
            line,
            problems,
            id=f"{DPL}-{_slug(name)}",
            name=name,
            aliases=[],
            kind=kind,
            dataset=DPL,
            designations=[designation],
            source=source,
            country=country_code(row.get("country", "")),
            notes=f"{address}; {order}"[:2000],
        )
        if party is not None:
            parties.append(party)
    if not parties and not problems.kept:
        problems.add("no entries (an empty list would screen nothing)")
    return _loaded(DPL, path, list_encoding, _merged(parties), problems)


# ------------------------------------------------------------------------------------------- UN


def _xml(path: Path, problems: Problems) -> ET.Element | None:
    """The root of an XML list, or None and a problem at the line where it breaks.  Documents
    declaring entities are refused (they can expand without bound)."""
    with open_list(path) as fh:
        data = fh.read()
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        problems.add("the XML declares a document type or entities, which lists never do")
        return None
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        problems.add(f"the XML does not parse ({str(exc).split(':')[0]})", line, column + 1)
        return None


def _text(element: ET.Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _values(element: ET.Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in element.findall(path) if (e.text or "").strip()]


def read_un(path: Path) -> LoadedList:
    """Read the UN Security Council consolidated list XML: every entry is an asset freeze
    (``blocking``).  Aliases of quality 'Low' are left out, as the list's own guidance says they
    may not identify the party."""
    problems = Problems(path)
    parties: list[Party] = []
    root = _xml(path, problems)
    published = None
    if root is not None:
        published = _day(root.get("dateGenerated", ""))
        for kind, tag in (("person", "INDIVIDUALS/INDIVIDUAL"), ("company", "ENTITIES/ENTITY")):
            for element in root.findall(tag):
                party = _un_entry(element, kind, path, problems)  # type: ignore[arg-type]
                if party is not None:
                    parties.append(party)
        if not parties and not problems.kept:
            problems.add("no INDIVIDUAL or ENTITY entries (an empty list would screen nothing)")
    return _loaded(UN, path, "utf-8", parties, problems, published=published)


def _un_entry(element: ET.Element, kind: PartyKind, path: Path, problems: Problems) -> Party | None:
    parts = [_text(element, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    reference = _text(element, "REFERENCE_NUMBER") or _text(element, "DATAID")
    if not name or not reference:
        problems.add(f"an entry without a name or a reference number ({reference or name!r})")
        return None
    alias_tag = "INDIVIDUAL_ALIAS" if kind == "person" else "ENTITY_ALIAS"
    aliases = [
        _text(a, "ALIAS_NAME")
        for a in element.findall(alias_tag)
        if _text(a, "ALIAS_NAME") and _text(a, "QUALITY").lower() != "low"
    ]
    countries = [
        *_values(element, "NATIONALITY/VALUE"),
        *_values(element, "INDIVIDUAL_ADDRESS/COUNTRY"),
        *_values(element, "ENTITY_ADDRESS/COUNTRY"),
    ]
    documents = [
        (_text(d, "TYPE_OF_DOCUMENT"), _text(d, "NUMBER"))
        for d in element.findall("INDIVIDUAL_DOCUMENT")
    ]
    source = Source(public=f"UN Security Council consolidated list, {reference} ({path.name})")
    designation = {
        "authority": "UN Security Council",
        "list": "Consolidated List",
        "programs": [p for p in [_text(element, "UN_LIST_TYPE")] if p],
        "date": _day(_text(element, "LISTED_ON")),
        "list_id": reference,
        "consequence": "blocking",
        "source": source,
    }
    native = _text(element, "NAME_ORIGINAL_SCRIPT")
    return _listed(
        0,
        problems,
        id=f"{UN}-{_slug(reference)}",
        name=name,
        aliases=aliases,
        kind=kind,
        dataset=UN,
        designations=[designation],
        source=source,
        native_names=[native] if native and native != name else [],
        country=next((c for v in countries if (c := country_code(v))), None),
        identifiers=_identifiers(documents),
        notes=_text(element, "COMMENTS1")[:2000] or None,
    )


# -------------------------------------------------------------------------- FollowTheMoney JSON

_FTM_KINDS: dict[str, PartyKind] = {
    "Person": "person",
    "Company": "company",
    "Organization": "organisation",
    "LegalEntity": "company",
    "PublicBody": "government-body",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
_FTM_IDENTIFIERS = {
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "leiCode": "lei",
    "imoNumber": "imo",
    "taxNumber": "tax",
    "registrationNumber": "registration",
    "swiftBic": "swift",
    "passportNumber": "passport",
    "uscCode": "uscc",
}
# OpenSanctions datasets -> the consequence of their listings (where a Sanction record's
# provisions do not say "asset freeze" or "block" themselves).
FTM_DATASETS: dict[str, str] = {
    "us_ofac_sdn": "blocking",
    "un_sc_sanctions": "blocking",
    "eu_fsf": "blocking",
    "gb_fcdo_sanctions": "blocking",
    "gb_hmt_sanctions": "blocking",
    "ch_seco_sanctions": "blocking",
    "ca_dfatd_sema_sanctions": "blocking",
    "au_dfat_sanctions": "blocking",
    "nz_russia_sanctions": "blocking",
    "jp_mof_sanctions": "blocking",
    "fr_tresor_gels_avoir": "blocking",
    "mc_fund_freezes": "blocking",
    "be_fod_sanctions": "blocking",
    "ua_nsdc_sanctions": "blocking",
    "us_bis_denied": "export-denied",
    "us_trade_csl": "other",  # decided per record by the CSL list it names
    "jp_meti_ru": "export-licence",
    "jp_meti_eul": "export-licence",
    "tw_shtc": "export-licence",
    "us_ddtc_debarred": "debarred",
}
_FREEZE = re.compile(r"asset freeze|\bblock|gel des avoirs|gels? d'avoirs|блокування активів", re.I)


def is_ftm_line(text: str) -> bool:
    """A first line that is a FollowTheMoney entity."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and {"id", "schema", "properties"} <= set(data)


def _ftm_consequence(dataset: str, record: dict[str, list[str]]) -> str:
    said = " ".join([*record.get("provisions", []), *record.get("program", [])])
    if dataset == "us_trade_csl":
        codes = [
            csl_consequence(t)[1] for t in record.get("authority", []) + record.get("program", [])
        ]
        return next((c for c in codes if c != "other"), "other")
    if _FREEZE.search(said):
        return "blocking"
    return FTM_DATASETS.get(dataset, "other")


def _percent(values: list[str]) -> float | None:
    for value in values:
        try:
            share = float(value.strip().rstrip("%").replace(",", "."))
        except ValueError:
            continue
        return share
    return None


def read_ftm(path: Path, encoding: str | None = None) -> LoadedList:
    """Read an OpenSanctions FollowTheMoney export (JSON lines).

    Every party (person, company, organisation, public body, vessel, aircraft) is kept, listed
    or not, so that the ownership rule can reach firms that blocked owners hold.  A listed
    party's designations come from its ``Sanction`` records, one per dataset and consequence;
    a target without records takes them from its datasets (FTM_DATASETS).  ``Ownership``
    records become the asset's owners, every figure kept (the 50 % rule takes the largest).
    """
    list_encoding = file_encoding(path, encoding)
    problems = Problems(path)
    entities: dict[str, tuple[int, dict[str, Any]]] = {}
    sanctions: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    holdings: list[tuple[int, dict[str, Any]]] = []
    last_change = ""
    with open_list(path) as raw:
        for line in iter_checked_lines(raw, list_encoding):
            if line.problem:
                problems.add(line.problem, line.number, decoding=True)
                continue
            text = line.text.strip()
            if not text:
                continue
            try:
                data = json.loads(text)
            except ValueError as exc:
                problems.add(f"the line is not JSON ({exc})", line.number)
                continue
            if not isinstance(data, dict) or not isinstance(data.get("properties"), dict):
                problems.add("the line is not a FollowTheMoney entity (no properties)", line.number)
                continue
            props = data["properties"]
            if not all(isinstance(v, list) for v in props.values()):
                problems.add("a property that is not a list of values", line.number)
                continue
            last_change = max(last_change, str(data.get("last_change") or ""))
            schema = data.get("schema")
            if schema == "Sanction":
                for entity in props.get("entity", []):
                    sanctions.setdefault(str(entity), []).append((line.number, data))
            elif schema == "Ownership":
                holdings.append((line.number, data))
            elif schema in _FTM_KINDS and data.get("id"):
                entities[str(data["id"])] = (line.number, data)
    ids = {eid: f"opensanctions-{_slug(eid)}"[:80].rstrip("-") for eid in entities}
    owners: dict[str, list[dict[str, Any]]] = {}
    for at, data in holdings:
        props = data["properties"]
        share = _percent(props.get("percentage", []))
        if share is not None and not 0 <= share <= 100:
            problems.add(f"an ownership share of {share:g} %, outside 0-100", at)
            continue
        for owner in props.get("owner", []):
            for asset in props.get("asset", []):
                if owner not in ids or asset not in ids:
                    continue  # a party not in the file: its share cannot be followed
                start = _day((props.get("startDate") or [""])[0])
                owners.setdefault(asset, []).append(
                    {
                        "owner": ids[owner],
                        "share": share,
                        "date": start,
                        "source": Source(
                            public=f"OpenSanctions ownership record {data.get('id')} "
                            f"({', '.join(data.get('datasets') or []) or path.name})"
                        ),
                    }
                )
    parties: list[Party] = []
    for eid, (at, data) in entities.items():
        party = _ftm_party(eid, at, data, ids[eid], sanctions.get(eid, []), owners, problems)
        if party is not None:
            parties.append(party)
    if not parties and not problems.kept:
        problems.add("no parties (an empty list would screen nothing)")
    return _loaded(FTM, path, list_encoding, parties, problems, published=_day(last_change) or None)


def _ftm_party(
    eid: str,
    line: int,
    data: dict[str, Any],
    pid: str,
    records: list[tuple[int, dict[str, Any]]],
    owners: dict[str, list[dict[str, Any]]],
    problems: Problems,
) -> Party | None:
    props: dict[str, list[str]] = data["properties"]
    kind = _FTM_KINDS[str(data["schema"])]
    names = [n.strip() for n in props.get("name", []) if n.strip()]
    caption = str(data.get("caption") or "").strip()
    name = caption if caption in names or not names else names[0]
    names = [name, *(n for n in names if n != name)]
    if not name:
        problems.add(f"the entity {eid} has no name", line)
        return None
    source = Source(public=f"OpenSanctions entity {eid} ({path_datasets(data)})")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for _, record in records:
        rprops: dict[str, list[str]] = record["properties"]
        for dataset in record.get("datasets") or ["opensanctions"]:
            consequence = _ftm_consequence(str(dataset), rprops)
            kept = found.setdefault(
                (str(dataset), consequence),
                {
                    "authority": (rprops.get("authority") or [str(dataset)])[0][:200],
                    "list": str(dataset),
                    "programs": [],
                    "consequence": consequence,
                    "list_id": eid,
                    "source": Source(public=f"OpenSanctions {dataset}, entity {eid}"),
                },
            )
            for program in rprops.get("programId", []) + rprops.get("program", [])[:1]:
                if program not in kept["programs"] and len(kept["programs"]) < 10:
                    kept["programs"].append(program[:200])
    if not records and data.get("target") and "sanction" in props.get("topics", []):
        for dataset in data.get("datasets") or []:
            listed = FTM_DATASETS.get(str(dataset))
            if listed and listed != "other":
                found.setdefault(
                    (str(dataset), listed),
                    {
                        "authority": str(dataset),
                        "list": str(dataset),
                        "consequence": listed,
                        "list_id": eid,
                        "source": Source(
                            public=f"OpenSanctions {dataset}, entity {eid} (datasets)"
                        ),
                    },
                )
    country = next(
        (
            c
            for v in props.get("country", []) + props.get("jurisdiction", [])
            if (c := country_code(v))
        ),
        None,
    )
    identifiers = _identifiers(
        (key, value) for prop, key in _FTM_IDENTIFIERS.items() for value in props.get(prop, [])
    )
    topics = ", ".join(props.get("topics", []))
    return _listed(
        line,
        problems,
        id=pid,
        name=name,
        aliases=[n for n in [*names[1:], *props.get("alias", [])] if n.strip()],
        kind=kind,
        dataset=FTM,
        designations=sorted(found.values(), key=_first_shown),
        source=source,
        country=country,
        identifiers={"opensanctions": eid, **identifiers},
        owners=owners.get(eid, []),
        notes=(f"topics: {topics}" if topics else None),
    )


# Listings shown first: the gravest, and among those the lists compliance teams know best.
_SHOWN_FIRST = ("us_ofac_sdn", "un_sc_sanctions", "eu_fsf", "gb_fcdo_sanctions", "us_trade_csl")
_GRAVEST_FIRST = (
    "blocking", "export-denied", "export-licence", "sectoral", "unverified", "debarred", "other"
)  # fmt: skip


def _first_shown(designation: dict[str, Any]) -> tuple[int, int, str]:
    dataset = str(designation["list"])
    known = _SHOWN_FIRST.index(dataset) if dataset in _SHOWN_FIRST else len(_SHOWN_FIRST)
    return _GRAVEST_FIRST.index(designation["consequence"]), known, dataset


def path_datasets(data: dict[str, Any]) -> str:
    """The datasets an FtM entity comes from, shortly."""
    datasets = [str(d) for d in data.get("datasets") or []]
    shown = ", ".join(datasets[:4])
    return shown + (f" and {len(datasets) - 4} more" if len(datasets) > 4 else "")


__all__ = [
    "CSL",
    "DPL",
    "FTM",
    "UN",
    "read_csl",
    "read_dpl",
    "read_ftm",
    "read_un",
]
