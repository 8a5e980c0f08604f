"""The shipment record: canonical fields, header variants, and parsing one row into typed values."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from engine.reading import caches
from engine.reading.countries import CountryResolver
from engine.reading.hscodes import HsCode, hs_in_text, parse_hs
from engine.reading.phrases import EXAMINED_LENGTH, clip, examined_span, examined_windows

PARTY_ROLES: tuple[str, ...] = ("shipper", "consignee", "end_user", "intermediary", "notify_party")
PARTY_COUNTRY_FIELDS: tuple[str, ...] = tuple(f"{role}_country" for role in PARTY_ROLES)
#: Optional columns for a party's identifiers (INN, OGRN, USCC, LEI, IMO, tax number...).
PARTY_ID_FIELDS: tuple[str, ...] = tuple(f"{role}_id" for role in PARTY_ROLES)
COUNTRY_FIELDS: tuple[str, ...] = (
    *PARTY_COUNTRY_FIELDS,
    "origin_country",
    "destination_country",
    "payment_country",
)
LIST_COUNTRY_FIELDS: tuple[str, ...] = ("transit_countries",)
TEXT_FIELDS: tuple[str, ...] = ("description", "end_use", "unit")
#: The fields phrase lists may be looked for in (and goods keywords, in the description).
SEARCHED_FIELDS: tuple[str, ...] = (*TEXT_FIELDS, *PARTY_ROLES)
NUMERIC_FIELDS: tuple[str, ...] = ("quantity", "value_usd")
#: The fields whose cells are read for what they say (names, countries, codes, wording): a cell
#: of them whose text was lost (a spreadsheet error value, letters written "?") is unread.
READ_FIELDS = frozenset(
    (*PARTY_ROLES, *COUNTRY_FIELDS, *LIST_COUNTRY_FIELDS, "hs_code", "description", "end_use")
)

# The canonical columns, in the order the design gives them.
FIELDS: tuple[str, ...] = (
    "shipment_id",
    "date",
    "shipper",
    "shipper_country",
    "consignee",
    "consignee_country",
    "end_user",
    "end_user_country",
    "intermediary",
    "intermediary_country",
    "notify_party",
    "notify_party_country",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "value_usd",
    "origin_country",
    "transit_countries",
    "destination_country",
    "payment_country",
    "end_use",
    *PARTY_ID_FIELDS,
)

# Named groups of country fields that rules may use in place of a list of fields.
COUNTRY_GROUPS: dict[str, tuple[str, ...]] = {
    "parties": PARTY_COUNTRY_FIELDS,
    "receiving_parties": PARTY_COUNTRY_FIELDS[1:],
    "route": ("destination_country", "transit_countries"),
    "touch_points": ("destination_country", "transit_countries", *PARTY_COUNTRY_FIELDS),
}

# Header spellings seen in bills of lading, EEI/AES filings, EU SAD and commercial invoices, folded
# as by header_key().  Anything else can be mapped with a columns file.
_VARIANTS: dict[str, tuple[str, ...]] = {
    "shipment_id": ("id", "shipmentno", "shipmentnumber", "reference", "referenceno", "ref",
                    "blno", "billoflading", "billofladingno", "bolnumber", "declarationno",
                    "declarationnumber", "recordid"),
    "date": ("shipmentdate", "exportdate", "shipdate", "declarationdate", "dateofshipment"),
    "shipper": ("shippername", "exporter", "exportername", "consignor", "consignorname", "seller",
                "sellername", "supplier", "suppliername", "usppi"),
    "shipper_country": ("exportercountry", "consignorcountry", "sellercountry", "suppliercountry",
                        "countryofshipper", "shippercountrycode"),
    "consignee": ("consigneename", "importer", "importername", "buyer", "buyername",
                  "ultimateconsignee", "ultimateconsigneename"),
    "consignee_country": ("importercountry", "buyercountry", "consigneecountrycode",
                          "countryofconsignee", "ultimateconsigneecountry"),
    "end_user": ("endusername", "ultimateenduser", "finaluser", "finalenduser"),
    "end_user_country": ("endusercountrycode", "countryofenduser"),
    "intermediary": ("intermediaryname", "intermediateconsignee", "freightforwarder", "forwarder",
                     "forwardingagent", "forwardername"),
    "intermediary_country": ("intermediateconsigneecountry", "forwardercountry",
                             "freightforwardercountry"),
    "notify_party": ("notify", "notifypartyname"),
    "notify_party_country": ("notifycountry",),
    "hs_code": ("hs", "hscode6", "commoditycode", "tariffcode", "htscode", "hts", "htsus",
                "scheduleb", "schedulebcode", "cncode", "taric", "taricode", "tnved", "customscode",
                "harmonizedcode", "harmonisedcode", "harmonizedsystemcode", "harmonisedsystemcode"),
    "description": ("goodsdescription", "descriptionofgoods", "productdescription", "commodity",
                    "commoditydescription", "product", "goods", "item", "itemdescription"),
    "quantity": ("qty",),
    "unit": ("units", "uom", "unitofmeasure"),
    "value_usd": ("value", "usdvalue", "declaredvalue", "invoicevalue", "totalvalue", "valueinusd",
                  "amountusd", "valueusd"),
    "origin_country": ("countryoforigin", "origin", "coo", "madein"),
    "transit_countries": ("transit", "transitcountry", "via", "routing", "route", "transshipment",
                          "transshipmentcountries"),
    "destination_country": ("countryofdestination", "destination", "destcountry",
                            "countryofultimatedestination", "ultimatedestination",
                            "finaldestination", "destinationcountrycode"),
    "payment_country": ("countryofpayment", "payercountry", "paymentorigin", "paymentfrom",
                        "payingbankcountry", "payerbankcountry"),
    "end_use": ("intendeduse", "purpose", "enduse", "enduseofgoods"),
    # A party's identifiers, as trade files head them (the role as above, then the scheme).
    **{
        f"{role}_id": tuple(
            f"{who}{scheme}"
            for who in names
            for scheme in ("id", "inn", "taxid", "taxno", "taxnumber", "vat", "vatno", "regno",
                           "registrationno", "registrationnumber", "ogrn", "uscc", "lei", "ein",
                           "identifier", "identifiers")
        )
        for role, names in (
            ("shipper", ("shipper", "exporter", "consignor", "seller", "supplier", "usppi")),
            ("consignee", ("consignee", "importer", "buyer", "ultimateconsignee")),
            ("end_user", ("enduser", "ultimateenduser", "finaluser")),
            ("intermediary", ("intermediary", "forwarder", "freightforwarder")),
            ("notify_party", ("notifyparty", "notify")),
        )
    },
}  # fmt: skip


def header_key(header: str) -> str:
    """Fold a header for lookup: case, spaces, '_', '-', '.', '/' and brackets ignored."""
    return re.sub(r"[\s_\-./()\[\]#:]+", "", header.strip().lstrip("\ufeff")).casefold()


HEADER_TABLE: dict[str, str] = {header_key(f): f for f in FIELDS}
for _canonical, _variants in _VARIANTS.items():
    for _variant in _variants:
        HEADER_TABLE.setdefault(header_key(_variant), _canonical)


@lru_cache(maxsize=4096)
def canonical_field(header: str) -> str | None:
    """The canonical field a header names, or None for a pass-through column."""
    return HEADER_TABLE.get(header_key(header))


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_number(text: str) -> float | None:
    """Read "12,000", "$12 000.50", "12000 USD"; None if it is not a number."""
    if text.isascii() and text.isdigit():
        return float(text)
    cleaned = re.sub(r"(?i)\b(usd|us\$|dollars?)\b|[$\s\u00a0\u202f]", "", text).replace(",", "")
    return float(cleaned) if _NUMBER.match(cleaned) else None


@dataclass(slots=True)
class Record:
    """One shipment: the raw text of its fields, and typed values where they could be read."""

    shipment_id: str
    raw: dict[str, str]
    countries: dict[str, str] = field(default_factory=dict)
    transit: tuple[str, ...] = ()
    hs_codes: tuple[HsCode, ...] = ()
    numbers: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The fields the row fills but that could not be read (a country no resolver knows, an HS
    #: code cell with no code, a party cell with no letters left, a spreadsheet error value).
    unread: tuple[str, ...] = ()

    def text(self, name: str) -> str:
        """The raw text of a field ('' when absent)."""
        return self.raw.get(name, "")

    def country_codes(self, name: str) -> tuple[str, ...]:
        """The country codes a country field or the transit list resolved to."""
        if name == "transit_countries":
            return self.transit
        code = self.countries.get(name)
        return (code,) if code else ()


class RecordError(ValueError):
    """A row that cannot be screened at all."""


_FIELD_SET = frozenset(FIELDS)


def cell_text(value: Any) -> str:
    """A value as the text of a cell: stripped; None and NaN (data frames' missing) empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from data frames
        return ""
    return str(value).strip()


# A row needs at least one of these to be screened.
NEEDS_ONE = frozenset((*PARTY_ROLES, "hs_code", "description"))


def read_record(values: Mapping[str, Any], resolver: CountryResolver, *, default_id: str) -> Record:
    """Read a mapping of canonical field names to values into a Record.

    Unknown keys are ignored here (the caller passes them through).  Unreadable countries, HS codes
    and numbers become notes; a row with no party and no goods field raises RecordError.
    """
    raw = {
        name: text
        for name, value in values.items()
        if name in _FIELD_SET and (text := cell_text(value))
    }
    return read_raw(raw, resolver, default_id=default_id)


# Half of a UTF-16 surrogate pair, alone: no character, and not encodable (a str built by a
# program, or read with surrogateescape; never from a file this engine decodes).
SURROGATE = re.compile("[\ud800-\udfff]")


def read_raw(raw: dict[str, str], resolver: CountryResolver, *, default_id: str) -> Record:
    """As :func:`read_record`, for values already stripped, non-empty and keyed by field."""
    if NEEDS_ONE.isdisjoint(raw):
        raise RecordError(
            "no party or goods field: a row needs at least one of "
            + ", ".join((*PARTY_ROLES, "hs_code", "description"))
        )
    notes: list[str] = []
    unread: list[str] = []
    # Most rows are plain text: the whole row is looked at once before any cell is.
    whole = "\0".join(raw.values())
    if not whole.isascii() or "#" in whole or "?" in whole:
        for name, value in raw.items():
            if not value.isascii() and SURROGATE.search(value):
                raw[name] = SURROGATE.sub("\ufffd", value)
                notes.append(f"{name} holds lone surrogates (no characters): read as U+FFFD")
            if name in READ_FIELDS and (lost := lost_text(value)) is not None:
                unread.append(name)
                notes.append(f"{name} '{clip(value, 60)}' cannot be read: {lost}")
    for role in PARTY_ROLES:
        name_cell = raw.get(role)
        if name_cell and role not in unread and no_name(name_cell):
            unread.append(role)
            notes.append(f"{role} '{clip(name_cell, 60)}' holds no letters: no name to screen")
    countries: dict[str, str] = {}
    read_country = resolver.read
    for name in COUNTRY_FIELDS:
        if country := raw.get(name):
            code, place = read_country(country)
            if code:
                countries[name] = code
                if place is not None:
                    notes.append(f"{name} '{country}' {place}")
            elif name not in unread:
                unread.append(name)
                why = place or "is not a country the engine knows"
                notes.append(f"{name} '{country}' {why}")
    transit: tuple[str, ...] = ()
    if text := raw.get("transit_countries"):
        transit, bad = resolver.resolve_list(text)
        notes.extend(f"transit_countries '{b}' is not a country the engine knows" for b in bad)
        if bad and "transit_countries" not in unread:
            unread.append("transit_countries")
    hs_codes: tuple[HsCode, ...] = ()
    if text := raw.get("hs_code"):
        hs_codes, hs_notes = read_hs(text)
        notes.extend(hs_notes)
        # A cell with a part no code could be read from is not read whole.
        if any("cannot be read" in n for n in hs_notes) and "hs_code" not in unread:
            unread.append("hs_code")
    elif description := raw.get("description"):
        hs_codes = hs_in_text(examined_windows(description)[0])
        notes.extend(f"hs_code {c} read from the description ('{c.written}')" for c in hs_codes)
    numbers: dict[str, float] = {}
    for name in NUMERIC_FIELDS:
        if amount := raw.get(name):
            number = parse_number(amount)
            if number is None:
                if name not in unread:
                    unread.append(name)
                    notes.append(f"{name} '{amount}' is not a number")
            else:
                numbers[name] = number
    for name in SEARCHED_FIELDS:
        if (text := raw.get(name)) is not None and len(text) > EXAMINED_LENGTH:
            notes.append(long_text_note(name, text))
    return Record(
        raw.get("shipment_id") or default_id,
        raw,
        countries,
        transit,
        hs_codes,
        numbers,
        notes,
        tuple(sorted(unread, key=lambda n: _FIELD_ORDER.get(n, len(_FIELD_ORDER)))),
    )


_FIELD_ORDER = {name: i for i, name in enumerate(FIELDS)}
# What a spreadsheet writes in a cell whose formula failed.
_SPREADSHEET_ERROR = re.compile(
    r"#(?:REF!|NAME\?|VALUE!|N/A|NA|DIV/0!|NUM!|NULL!|SPILL!|CALC!|FIELD!|BLOCKED!|"
    r"CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA|ERROR!?)",
    re.IGNORECASE,
)
# Characters that stand where others were lost: "?" written by a system that could not store a
# letter (Cyrillic saved as Latin-1), U+FFFD by a decoder that could not read bytes.
_LOST = frozenset("?\ufffd")
# A cell that says "none" in punctuation ("-", "—", "/", ".").
_PLACEHOLDER = re.compile(r"[-–—/.\s]+")


_A_LETTER = re.compile(r"[^\W\d_]")


def no_name(cell: str) -> bool:
    """Whether a party cell holds no name: no letter, and not a dash or the like for none."""
    return _A_LETTER.search(cell) is None and not _PLACEHOLDER.fullmatch(cell)


def lost_text(value: str) -> str | None:
    """Why a cell's text cannot be read (a spreadsheet error value, letters lost to "?" or
    U+FFFD), or None when it can."""
    if "#" in value and _SPREADSHEET_ERROR.fullmatch(value.strip()):
        return "a spreadsheet error value, not data"
    if "?" in value or "\ufffd" in value:
        shown = [ch for ch in value if not ch.isspace()]
        lost = sum(1 for ch in shown if ch in _LOST)
        if lost * 2 >= len(shown):
            return "its letters were lost (written '?' or U+FFFD where they could not be stored)"
    return None


def long_text_note(name: str, text: str) -> str:
    """What the note on a field too long to be searched whole says: which of its characters
    were searched for phrases (and goods keywords), which were not."""
    head, tail = examined_span(text)
    what = "phrases and goods keywords" if name == "description" else "phrases"
    return (
        f"{name} is {len(text):,} characters long: only its first {head:,} and last "
        f"{len(text) - tail:,} characters were searched for {what}; characters {head + 1:,} to "
        f"{tail:,} were not searched"
    )


@lru_cache(maxsize=caches.VALUES)
def read_hs(text: str) -> tuple[tuple[HsCode, ...], tuple[str, ...]]:
    """The HS codes of an hs_code cell, and the notes on it (cached: files repeat their codes)."""
    codes, problems = parse_hs(text)
    notes = [c.note for c in codes if c.note]
    notes.extend(f"hs_code '{p.written}' cannot be read: {p.reason}" for p in problems)
    return codes, tuple(notes)


@dataclass(frozen=True, slots=True)
class InputRow:
    """One data row: its line number, its cells, the field each cell is, and any error."""

    line: int
    cells: list[str]
    fields: Sequence[str | None] = ()  # the canonical field of each column, None to pass through
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def values(self) -> dict[str, str]:
        """The cells of the columns that name a field, by field name, as written."""
        return {f: c for f, c in zip(self.fields, self.cells, strict=False) if f is not None}

    def raw(self) -> dict[str, str]:
        """The fields with a value, stripped (what the engine reads)."""
        stripped = map(str.strip, self.cells)
        return {f: t for f, t in zip(self.fields, stripped, strict=False) if t and f}

    def with_note(self, note: str) -> InputRow:
        """This row with one more note (e.g. that its shipment id is used by an earlier row)."""
        return dataclasses.replace(self, notes=(*self.notes, note))


def row_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """Map a record given with any header spelling to canonical field names."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = canonical_field(str(key))
        if name is not None and name not in out:
            out[name] = value
    return out
