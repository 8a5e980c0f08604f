"""The entity catalogue: who and what is risky, each entry with its source.

A catalogue directory holds YAML files whose top-level keys say what they contain:

- ``parties``: firms and other parties (names, aliases, native-script names, owners, designations);
- ``categories``: goods categories (HS codes or prefixes, description keywords, CHPL tier, tags);
- ``countries``: country roles (``sanctioned-destination``, ``diversion-hub``...) and spellings;
- ``phrase_lists``: named lists of red-flag phrases;
- ``name_words``: words that matter when comparing names (legal forms, generic words, places);
  a catalogue that does not define them uses the bundled ones;
- ``cleared``: the allow-list: party names cleared against a list entry, with reason, reviewer,
  date and expiry.

Files may be split or merged freely; ids must be unique across the whole directory.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from engine.catalogue.yamlio import Loc, YamlDocument, load_yaml, read_yaml, yaml_files
from engine.errors import CatalogueError, ConfigError, Problem

# Text and numbers are strict: a number is not taken as text, nor text, a boolean or a date as a
# number (YAML reads `weight: yes` as the text 'yes', and that is no weight).
Text = Annotated[str, Strict()]
Number = Annotated[float, Strict()]  # an int or a float; not a boolean, not text
Count = Annotated[int, Strict()]  # an int; not 2.0, not a boolean, not text

ID_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
TAG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[str, Strict(), Field(pattern=ID_PATTERN, max_length=80)]
Tag = Annotated[str, Strict(), Field(pattern=TAG_PATTERN, max_length=60)]
NonEmpty = Annotated[str, Strict(), Field(min_length=1, max_length=2000)]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(value: Any) -> Any:
    """A date written YYYY-MM-DD (the YAML loader leaves dates as text), or a date object."""
    if isinstance(value, dt.datetime):
        raise ValueError("a date is a day (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a date: {exc}") from None
    raise ValueError("a date is written YYYY-MM-DD, e.g. 2024-01-31")


Day = Annotated[dt.date, BeforeValidator(_day)]

# The tag that marks a party as under blocking sanctions; kept consistent with its designations.
SANCTIONED = "sanctioned"

# What a listing means for a shipment (DESIGN.md, "Risk policy"): an asset freeze, export
# privileges denied, a licence needed to export, sectoral restrictions, an end use not verified,
# a debarment from defence trade, or anything else.
Consequence = Literal[
    "blocking", "export-denied", "export-licence", "sectoral", "unverified", "debarred", "other"
]
# The tag each consequence gives the parties listed with it, for rules to test; a blocking
# listing's is ``sanctioned``.
CONSEQUENCE_TAGS: dict[str, str] = {
    "blocking": SANCTIONED,
    "export-denied": "export-denied",
    "export-licence": "export-licence",
    "sectoral": "sectoral",
    "unverified": "unverified",
    "debarred": "debarred",
    "other": "listed-other",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where a fact comes from: a seed document with a short quote, or a public source."""

    document: Text | None = None
    quote: Text | None = None
    public: Text | None = None
    url: Text | None = None

    @model_validator(mode="after")
    def _complete(self) -> Source:
        if self.document is not None and not self.quote:
            raise ValueError("a document source needs a quote")
        if self.document is None and not self.public:
            raise ValueError("a source needs either document and quote, or public")
        return self

    def cite(self) -> str:
        """The full citation: document and quote, or the public source."""
        if self.document is not None:
            return f'{self.document}: "{self.quote}"'
        return self.public or ""

    def short(self) -> str:
        """A short citation for one-line messages."""
        if self.document is not None:
            return self.document
        text = self.public or ""
        return text if len(text) <= 70 else text[:67].rstrip() + "..."


Sources = Annotated[list[Source], Field(min_length=1)]


class Designation(_Model):
    """A listing of a party by an authority, e.g. OFAC's SDN list under RUSSIA-EO14024."""

    authority: NonEmpty
    list: NonEmpty
    programs: builtins.list[NonEmpty] = []
    date: Day | None = None
    list_id: Text | None = None
    consequence: Consequence = Field(description="what the listing means (see CONSEQUENCE_TAGS)")
    source: Source

    @model_validator(mode="before")
    @classmethod
    def _from_blocking(cls, data: Any) -> Any:
        # Catalogues written before consequences say ``blocking: true`` (an asset freeze) or
        # ``false`` (anything else); with ``consequence`` given too, the two must agree.
        if not isinstance(data, dict) or "blocking" not in data:
            return data
        data = dict(data)
        blocking = data.pop("blocking")
        if not isinstance(blocking, bool):
            raise ValueError("blocking must be true or false")
        said = data.setdefault("consequence", "blocking" if blocking else "other")
        if (said == "blocking") != blocking:
            raise ValueError(f"blocking: {str(blocking).lower()} contradicts consequence {said}")
        return data

    @property
    def blocking(self) -> bool:
        """An asset freeze (SDN, FSE, an EU, UK or UN freeze)."""
        return self.consequence == "blocking"


class Ownership(_Model):
    """A link from a party to one of its owners."""

    owner: Id
    share: Number | None = Field(default=None, ge=0, le=100, description="percent; None if unknown")
    date: Day | None = None
    source: Source


class Statement(_Model):
    """A claim or a dispute about a party, recorded with who made it."""

    by: NonEmpty
    statement: NonEmpty
    source: Source


PartyKind = Literal[
    "company",
    "state-corporation",
    "research-institute",
    "government-body",
    "organisation",
    "person",
    "vessel",
    "aircraft",
]


class Party(_Model):
    """A firm or other party that rules can match shipment parties against."""

    id: Id
    name: NonEmpty
    aliases: list[NonEmpty] = []
    native_names: list[NonEmpty] = []
    country: Text | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    kind: PartyKind
    tags: list[Tag] = []
    owners: list[Ownership] = []
    designations: list[Designation] = []
    identifiers: dict[Text, Text] = {}
    claims: list[Statement] = []
    disputes: list[Statement] = []
    notes: Text | None = None
    dataset: Text = "shipscreen-catalogue"
    sources: Sources

    def all_names(self) -> list[str]:
        """The legal name, aliases and native-script names, without repeats."""
        return list(dict.fromkeys([self.name, *self.aliases, *self.native_names]))

    @property
    def listing_tags(self) -> frozenset[str]:
        """The party's tags and the tags of its listings' consequences (CONSEQUENCE_TAGS)."""
        if not self.designations:
            return frozenset(self.tags)
        return frozenset(self.tags) | {CONSEQUENCE_TAGS[d.consequence] for d in self.designations}


ChplTier = Literal["1", "2", "3A", "3B", "4A", "4B"]


class GoodsCategory(_Model):
    """A kind of goods, recognised by HS code prefix or, failing that, by description keywords."""

    id: Id
    title: NonEmpty
    hs: list[Annotated[str, Strict(), Field(pattern=r"^(\d\d){1,5}$")]] = []
    chpl_tier: ChplTier | None = None
    tags: list[Tag] = []
    keywords: list[NonEmpty] = []
    exclude: list[NonEmpty] = []
    notes: Text | None = None
    sources: Sources

    @model_validator(mode="after")
    def _recognisable(self) -> GoodsCategory:
        if not self.hs and not self.keywords:
            raise ValueError("a category needs HS codes or keywords to be recognised by")
        return self


class Country(_Model):
    """A country's roles in the risk policy and the spellings shipments use for it."""

    code: Annotated[str, Strict(), Field(pattern=r"^[A-Z]{2}$")]
    name: NonEmpty
    tags: list[Tag] = []
    spellings: list[NonEmpty] = []
    #: Free zones, special economic zones and industrial parks of the country, as trade files
    #: write them in place of the country ("JAFZA", "Poti FIZ", "ОЭЗ Алабуга"): a cell naming
    #: one is the country's, and the row's notes say so.
    zones: list[NonEmpty] = []
    sources: Sources


class PhraseList(_Model):
    """A named list of phrases; ``word*`` matches any word starting with ``word``.

    ``negations`` are words that cancel the phrase they govern: one standing right before it, or
    before at most three ``negation_bridges`` words ("not intended for military use" is no
    military end use; "price without VAT, for military use" is).  ``never_negated`` names the
    phrases no negation cancels.  ``stemmed`` matches the phrases' words by their stems too
    ("operations" for "operation"); a list of firm-name words sets it false, where the stem is
    another word ("Forward" is no "forwarding" firm).
    """

    id: Id
    title: NonEmpty
    description: NonEmpty
    phrases: Annotated[list[NonEmpty], Field(min_length=1)]
    negations: list[NonEmpty] = []
    negation_bridges: list[NonEmpty] = []
    never_negated: list[NonEmpty] = []
    stemmed: bool = True
    #: A list of words that name a firm's trade ("Cargo", "Logistics"): a one-word phrase counts
    #: only where it does, as the name's last word or before a legal form, a generic or place
    #: word of the names catalogue, or another of the list's words ("Silk Road Cargo LLC",
    #: "Cargo Services FZE"; not "Cargo Pants Outlet").  Read in Latin-letter names only, where
    #: the trade word comes last.
    names_trade: bool = False
    #: More words that may follow a trade word of a ``names_trade`` list ("Shipping Line").
    trade_followers: list[NonEmpty] = []
    #: Phrases that do not count right after a number, where they name something else ("254
    #: SMO" and "654 SMO" are stainless-steel grades).
    not_after_number: list[NonEmpty] = []
    #: Negations that follow the phrase they govern, in languages that write them after it
    #: (Turkish "askeri amaçlı değildir", Kazakh "әскери мақсатта емес"): right after it, or after
    #: one of ``negation_bridges``.
    negations_after: list[NonEmpty] = []
    sources: Sources

    @model_validator(mode="after")
    def _never_negated_are_phrases(self) -> PhraseList:
        for name in ("never_negated", "not_after_number"):
            unknown = sorted(set(getattr(self, name)) - set(self.phrases))
            if unknown:
                raise ValueError(f"{name} names phrases the list does not hold: {unknown}")
        if (self.negation_bridges or self.never_negated or self.negations_after) and not (
            self.negations or self.negations_after
        ):
            raise ValueError("negation_bridges and never_negated need negations")
        return self


class LegalForm(_Model):
    """A legal form and its spellings across languages; ``family`` groups equivalents."""

    id: Id
    family: Id
    title: NonEmpty
    forms: Annotated[list[NonEmpty], Field(min_length=1)]
    sources: list[Source] = Field(default=[], description="defaults to the name_words sources")


class NameWords(_Model):
    """Words that weigh less when names are compared, and abbreviations to expand."""

    legal_forms: list[LegalForm] = []
    generic: list[NonEmpty] = []
    places: list[NonEmpty] = []
    stopwords: list[NonEmpty] = []
    abbreviations: dict[Text, Text] = {}
    # Each group is one given name as languages and romanisations write it (Cyrillic spellings
    # are romanised by the matcher in every common system).
    given_names: list[list[NonEmpty]] = []
    sources: Sources


class Clearance(_Model):
    """A cleared false positive: a party name that does not belong to a list entry.

    A shipment party whose normalised name equals ``party`` is not matched to ``entry`` (a party id
    of ``list``); the match is still shown, marked as suppressed.  Past ``expires`` it no longer
    applies.
    """

    party: NonEmpty
    entry: NonEmpty
    list: NonEmpty = "shipscreen-catalogue"
    reason: NonEmpty
    reviewer: NonEmpty
    date: Day
    expires: Day | None = None

    def active(self, on: dt.date) -> bool:
        """Whether the clearance applies on a given day."""
        return self.date <= on and (self.expires is None or on <= self.expires)

    def describe(self) -> str:
        """One line for explanations."""
        until = f" until {self.expires}" if self.expires else ""
        return (
            f"cleared by {self.reviewer} on {self.date}{until}: '{self.party}' is not "
            f"{self.entry} ({self.list}): {self.reason}"
        )


ENTITY_KEYS = (
    "parties",
    "categories",
    "countries",
    "phrase_lists",
    "name_words",
    "legal_forms",
    "cleared",
)


class _CatalogueFile(_Model):
    parties: list[Party] = []
    categories: list[GoodsCategory] = []
    countries: list[Country] = []
    phrase_lists: list[PhraseList] = []
    name_words: NameWords | None = None
    # More legal forms, added to name_words' own (a table imported from a public source).
    legal_forms: list[LegalForm] = []
    cleared: list[Clearance] = []

    @field_validator(
        "parties",
        "categories",
        "countries",
        "phrase_lists",
        "legal_forms",
        "cleared",
        mode="before",
    )
    @classmethod
    def _list(cls, value: Any) -> Any:
        return [] if value is None else value


@dataclass(frozen=True)
class Catalogue:
    """A validated entity catalogue: parties, goods categories, countries, phrases, name words."""

    parties: Mapping[str, Party]
    categories: Mapping[str, GoodsCategory]
    countries: Mapping[str, Country]
    phrase_lists: Mapping[str, PhraseList]
    name_words: NameWords
    files: tuple[str, ...] = field(default=())
    cleared: tuple[Clearance, ...] = ()

    @cached_property
    def party_tags(self) -> frozenset[str]:
        """Every tag some party carries, with those of the consequences of listings (known
        whether or not a list loaded at screening time holds such a listing)."""
        tags = {t for p in self.parties.values() for t in p.listing_tags}
        return frozenset(tags | set(CONSEQUENCE_TAGS.values()))

    @cached_property
    def goods_tags(self) -> frozenset[str]:
        """Every tag some goods category carries."""
        return frozenset(t for c in self.categories.values() for t in c.tags)

    @cached_property
    def country_tags(self) -> frozenset[str]:
        """Every tag some country carries."""
        return frozenset(t for c in self.countries.values() for t in c.tags)

    @cached_property
    def datasets(self) -> frozenset[str]:
        """The datasets (lists) the parties come from."""
        return frozenset(p.dataset for p in self.parties.values())

    def digest(self) -> str:
        """A SHA-256 of the catalogue's content, independent of file layout and order."""
        payload = {
            "parties": [self.parties[k].model_dump(mode="json") for k in sorted(self.parties)],
            "categories": [
                self.categories[k].model_dump(mode="json") for k in sorted(self.categories)
            ],
            "countries": [
                self.countries[k].model_dump(mode="json") for k in sorted(self.countries)
            ],
            "phrase_lists": [
                self.phrase_lists[k].model_dump(mode="json") for k in sorted(self.phrase_lists)
            ],
            "name_words": self.name_words.model_dump(mode="json"),
            "cleared": [c.model_dump(mode="json") for c in self.cleared],
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def with_parties(self, extra: Iterable[Party], cleared: Iterable[Clearance] = ()) -> Catalogue:
        """A copy with more parties (e.g. from a sanctions list) and more clearances."""
        parties = dict(self.parties)
        clashes = []
        for party in extra:
            if party.id in parties:
                clashes.append(party.id)
            parties[party.id] = party
        if clashes:
            raise CatalogueError(
                f"{len(clashes)} list entries reuse catalogue ids: {', '.join(clashes[:5])}"
            )
        return Catalogue(
            parties=parties,
            categories=self.categories,
            countries=self.countries,
            phrase_lists=self.phrase_lists,
            name_words=self.name_words,
            files=self.files,
            cleared=(*self.cleared, *cleared),
        )


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_NUMBER_ERRORS = frozenset(
    {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float", "bool_type",
     "bool_parsing", "finite_number"}
)  # fmt: skip


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_message(err: ErrorDetails) -> str:
    """A pydantic error in plain words, saying what YAML read when a type was wrong."""
    message = err["msg"].removeprefix("Value error, ")
    kind, value = err["type"], err.get("input")
    if kind in {"string_type", "literal_error"} and isinstance(value, bool | int | float):
        what = "a boolean" if isinstance(value, bool) else "a number"
        message += f"; {_shown(value)} reads as {what}: put it in quotes if it is text"
    elif kind in _NUMBER_ERRORS and isinstance(value, str | bool):
        what = f"the text {_shown(value)}" if isinstance(value, str) else _shown(value)
        message += f", not {what}"
    return message


def located(file: str, document: YamlDocument | None, loc: Loc, *, key: bool = False) -> str:
    """``file:line:column`` of the value at ``loc`` in the document (of its key if ``key``), for
    a problem's file; ``file`` alone where no line is known."""
    return document.label(file, loc, key=key) if document is not None else file


def _item_label(data: Any, loc: tuple[int | str, ...]) -> tuple[str | None, tuple[int | str, ...]]:
    """Name the entry an error is in (e.g. "party 'rostec'") and the path inside it."""
    kinds = {
        "parties": "party",
        "categories": "category",
        "countries": "country",
        "phrase_lists": "phrase list",
    }
    if len(loc) >= 2 and loc[0] in kinds and isinstance(loc[1], int) and isinstance(data, dict):
        entries = data.get(loc[0])
        if isinstance(entries, list) and loc[1] < len(entries):
            entry = entries[loc[1]]
            key = entry.get("id", entry.get("code")) if isinstance(entry, dict) else None
            label = f"{kinds[str(loc[0])]} '{key}'" if key else f"{kinds[str(loc[0])]} #{loc[1]}"
            return label, loc[2:]
    return None, loc


def _file_problems(exc: ValidationError, document: YamlDocument, file: str) -> list[Problem]:
    """One problem per validation error of an entity or allow-list file, with its position."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        item, rest = _item_label(document.data, loc)
        where = located(file, document, loc, key=err["type"] == "extra_forbidden")
        message = error_message(err)
        problems.append(Problem(file=where, item=item, path=_loc(rest) or None, message=message))
    return problems


def _check_sanctioned(party: Party, file: str) -> list[Problem]:
    blocking = [d for d in party.designations if d.blocking]
    label = f"party '{party.id}'"
    if SANCTIONED in party.tags and not blocking:
        msg = f"tagged '{SANCTIONED}' but has no blocking designation"
        return [Problem(file=file, item=label, path="tags", message=msg)]
    if blocking and SANCTIONED not in party.tags:
        msg = f"has a blocking designation but is not tagged '{SANCTIONED}'"
        return [Problem(file=file, item=label, path="tags", message=msg)]
    return []


def load_catalogue(directory: str | Path) -> Catalogue:
    """Load and validate every YAML file in ``directory``; CatalogueError lists all problems.

    Only the folder's own ``*.yaml``/``*.yml`` files are read; a subfolder holding YAML files, and
    an entry that is not a regular file (a FIFO, a dangling symlink...), are problems.
    """
    root = Path(directory)
    found = yaml_files(root)
    if found is None:
        raise CatalogueError(f"{root}: not a directory of entity files")
    files, folder_problems = found
    if not files and not folder_problems:
        raise CatalogueError(f"{root}: no entity files (*.yaml) found")
    return load_catalogue_files(files, root=root, problems=folder_problems)


def load_catalogue_files(
    files: list[Path], *, root: Path, problems: Iterable[Problem] = ()
) -> Catalogue:
    """Load and validate the given entity files as one catalogue (``root`` names it in errors;
    ``problems`` already found are reported with the files' own)."""
    problems = list(problems)
    parties: dict[str, Party] = {}
    categories: dict[str, GoodsCategory] = {}
    countries: dict[str, Country] = {}
    phrase_lists: dict[str, PhraseList] = {}
    name_words: list[NameWords] = []
    legal_forms: list[LegalForm] = []
    cleared: list[Clearance] = []
    # Where each entry was written: its file's document, the file, and its place in the file.
    origin: dict[tuple[str, str], tuple[YamlDocument, str, Loc]] = {}

    bundled = _bundled_root()
    for path in files:
        label = str(path)
        document, file_problems = read_yaml(
            path, label=label, cache=bundled is not None and path.parent.resolve() == bundled
        )
        problems.extend(file_problems)
        if document is None:
            continue
        data = document.data
        if not isinstance(data, dict):
            # An emptied file would otherwise take its entries away without a word.
            found = "the file is empty" if data is None else "it holds no mapping"
            message = f"an entity file is a mapping of {', '.join(ENTITY_KEYS)}; {found}"
            problems.append(Problem(file=label, message=message))
            continue
        try:
            parsed = _CatalogueFile.model_validate(data)
        except ValidationError as exc:
            problems.extend(_file_problems(exc, document, label))
            continue
        groups: list[tuple[str, str, Iterable[Any], dict[str, Any]]] = [
            ("party", "parties", parsed.parties, parties),
            ("category", "categories", parsed.categories, categories),
            ("phrase list", "phrase_lists", parsed.phrase_lists, phrase_lists),
            ("country", "countries", parsed.countries, countries),
        ]
        for kind, section, entries, into in groups:
            for i, entry in enumerate(entries):
                key = (kind, entry.code if kind == "country" else entry.id)
                if key in origin:
                    first = origin[key]
                    msg = f"duplicate {kind} '{key[1]}' (also in {first[0].label(*first[1:])})"
                    problems.append(Problem(file=document.label(label, (section, i)), message=msg))
                    continue
                origin[key] = (document, label, (section, i))
                into[key[1]] = entry
        if parsed.name_words is not None:
            name_words.append(parsed.name_words)
        legal_forms.extend(parsed.legal_forms)
        cleared.extend(parsed.cleared)
        for i, party in enumerate(parsed.parties):
            problems.extend(_check_sanctioned(party, document.label(label, ("parties", i, "tags"))))

    for party in parties.values():
        document, label, loc = origin[("party", party.id)]
        for i, link in enumerate(party.owners):
            if link.owner not in parties:
                problems.append(
                    Problem(
                        file=document.label(label, (*loc, "owners", i, "owner")),
                        item=f"party '{party.id}'",
                        path=f"owners[{i}].owner",
                        message=f"unknown party '{link.owner}'",
                        suggestion=_nearest(link.owner, parties),
                    )
                )
    if len(name_words) > 1:
        problems.append(Problem(file=str(root), message="name_words is defined in several files"))
    words = name_words[0] if name_words else _bundled_name_words(root)
    if legal_forms:
        words = words.model_copy(update={"legal_forms": [*words.legal_forms, *legal_forms]})
    seen_forms: set[str] = set()
    for form in words.legal_forms:
        if form.id in seen_forms:
            problems.append(Problem(file=str(root), message=f"duplicate legal form '{form.id}'"))
        seen_forms.add(form.id)
    if problems:
        raise CatalogueError(
            f"{root}: {len(problems)} problem(s) in the entity catalogue", problems=problems
        )
    return Catalogue(
        parties=parties,
        categories=categories,
        countries=countries,
        phrase_lists=phrase_lists,
        name_words=words,
        files=tuple(str(p) for p in files),
        cleared=tuple(cleared),
    )


def _bundled_root() -> Path | None:
    """The bundled entities folder, if this installation has one."""
    from engine.catalogue.bundled import bundled_dir

    try:
        return bundled_dir("entities").resolve()
    except ConfigError:
        return None


def _bundled_name_words(root: Path) -> NameWords:
    """The bundled legal forms and name words, for a catalogue that does not define its own."""
    from engine.catalogue.bundled import bundled_dir

    bundled = bundled_dir("entities")
    if bundled.resolve() == root.resolve():
        return NameWords(sources=[Source(public="no name words defined")])
    data, problems = load_yaml(bundled / "names.yaml", cache=True)
    if problems or not isinstance(data, dict) or "name_words" not in data:
        raise CatalogueError(f"{bundled / 'names.yaml'}: the bundled name words cannot be read")
    words = NameWords.model_validate(data["name_words"])
    table = bundled / "legal_forms.yaml"
    if table.is_file():
        more, problems = load_yaml(table, cache=True)
        if problems or not isinstance(more, dict):
            raise CatalogueError(f"{table}: the bundled legal forms cannot be read")
        forms = [LegalForm.model_validate(f) for f in more.get("legal_forms") or ()]
        words = words.model_copy(update={"legal_forms": [*words.legal_forms, *forms]})
    return words


def _nearest(name: str, choices: Iterable[str]) -> str | None:
    from rapidfuzz import fuzz, process

    found = process.extractOne(
        name, list(choices), scorer=fuzz.ratio, processor=None, score_cutoff=60
    )
    return None if found is None else str(found[0])


@dataclass(frozen=True)
class Holding:
    """One owner's stake in a party, as the 50 % rule counts it: the largest figure recorded
    (every figure kept, for the evidence).  ``share`` is None when no record gives one."""

    owner: str
    share: float | None
    figures: tuple[float, ...]


@dataclass(frozen=True)
class Owned:
    """The stakes that owners counted as blocked hold in a party, and their sum (percent)."""

    total: float
    stakes: tuple[Holding, ...]

    @property
    def owners(self) -> list[str]:
        """The ids of the owners that make up the total."""
        return [h.owner for h in self.stakes]


def holdings(party: Party) -> list[Holding]:
    """A party's owners, one stake each: records of one holding that disagree (48, 50 and 51 %)
    are resolved conservatively, the largest figure deciding."""
    figures: dict[str, list[float]] = {}
    for link in party.owners:
        shares = figures.setdefault(link.owner, [])
        if link.share is not None:
            shares.append(link.share)
    return [
        Holding(owner, max(shares) if shares else None, tuple(sorted(set(shares))))
        for owner, shares in figures.items()
    ]


def owned_share(catalogue: Catalogue, tags: frozenset[str]) -> dict[str, Owned]:
    """For each party, the share (percent) held by tagged owners, directly or through a chain.

    A party counts as a tagged owner if it carries one of ``tags`` (its listings' consequence
    tags included) or is itself owned 50 % or more by tagged owners (OFAC's 50 percent rule,
    applied through chains, cycles included: a party is added once, and the sums are taken
    again until nothing changes).  A stake of unknown size counts as 0.  Returns party id ->
    :class:`Owned`, for the parties some tagged owner holds a known stake in.
    """
    parties = catalogue.parties
    blocked = {pid for pid, p in parties.items() if tags & p.listing_tags}
    owned = {pid: holdings(p) for pid, p in parties.items() if p.owners}
    changed = True
    while changed:
        changed = False
        for pid, stakes in owned.items():
            if pid in blocked:
                continue
            total = sum(h.share or 0.0 for h in stakes if h.owner in blocked)
            if total >= 50.0:
                blocked.add(pid)
                changed = True
    shares: dict[str, Owned] = {}
    for pid, stakes in owned.items():
        counted = tuple(
            sorted(
                (h for h in stakes if h.owner in blocked and h.share),
                key=lambda h: -(h.share or 0.0),
            )
        )
        if counted:
            shares[pid] = Owned(sum(h.share or 0.0 for h in counted), counted)
    return shares


def ownership_chain(
    catalogue: Catalogue,
    shares: Mapping[str, Owned],
    tags: frozenset[str],
    pid: str,
    seen: frozenset[str] = frozenset(),
) -> str:
    """How tagged owners hold a party, drawn as a chain: ``LLC CST ← 51 % A. Zakharov
    (sanctioned: SDN; records say 48, 50, 51 %) + 49 % Kalashnikov Concern (sanctioned: SDN)``;
    an owner held in turn shows its own owners in brackets."""
    parties = catalogue.parties
    held = shares.get(pid)
    name = parties[pid].name
    if held is None:
        return name
    parts = []
    for stake in held.stakes:
        owner = parties[stake.owner]
        also = ""
        if len(stake.figures) > 1:
            also = f"records say {', '.join(f'{x:g}' for x in stake.figures)} %"
        listed = sorted(tags & owner.listing_tags)
        if listed:
            lists = list(dict.fromkeys(d.list for d in owner.designations if d.blocking))[:3]
            why = f"{', '.join(listed)}" + (f": {', '.join(lists)}" if lists else "")
            said = "; ".join(x for x in (why, also) if x)
            parts.append(f"{stake.share:g} % {owner.name} ({said})")
        elif stake.owner in shares and stake.owner not in seen:
            inner = ownership_chain(catalogue, shares, tags, stake.owner, seen | {pid})
            parts.append(f"{stake.share:g} % [{inner}]" + (f" ({also})" if also else ""))
        else:
            parts.append(f"{stake.share:g} % {owner.name}")
    return f"{name} ← " + " + ".join(parts)


KEBAB = re.compile(TAG_PATTERN)


def load_clearances(path: str | Path) -> list[Clearance]:
    """Read an allow-list file (a YAML mapping with ``cleared:``); CatalogueError on problems."""
    path = Path(path)
    document, problems = read_yaml(path, label=str(path))
    if document is not None:
        data = document.data
        if not isinstance(data, dict) or set(data) - {"cleared"}:
            extra = [k for k in data if k != "cleared"] if isinstance(data, dict) else []
            found = f"; found {', '.join(extra)}" if extra else ""
            found = "; the file is empty" if data is None else found
            where = document.label(str(path), (extra[0],), key=True) if extra else str(path)
            message = f"an allow-list file holds 'cleared:' only{found}"
            problems.append(Problem(file=where, message=message))
        else:
            try:
                return _CatalogueFile.model_validate(data).cleared
            except ValidationError as exc:
                problems.extend(_file_problems(exc, document, str(path)))
    raise CatalogueError(f"{path}: the allow-list cannot be used", problems=problems)
