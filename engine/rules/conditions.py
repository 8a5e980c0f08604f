"""Rule conditions: a tree of plain data, never an expression string.

A condition is a mapping with exactly one key, from a closed registry:

- combinators: ``all: [...]``, ``any: [...]``, ``not: {...}``, ``at_least: {n, of: [...]}``;
- predicates: ``party_matches``, ``party_owned_by``, ``goods_in``, ``country_in``,
  ``text_has_phrase``, ``field_present``, ``field_compare``, ``fields_differ``.

Each node is a pydantic model (``extra="forbid"``) selected by its key; after validation,
:func:`check_references` resolves every tag, category, phrase list, party and field against the
catalogue.  Evaluation returns ``None`` when the condition is false, else
``(strength, evidence)``: a party match contributes its similarity as strength, other predicates 1;
``all`` takes the weakest of its parts.  A validated condition never raises on data: a missing
value is simply no match.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from engine.catalogue.entities import (
    Catalogue,
    Count,
    Number,
    Party,
    PartyKind,
    Text,
    ownership_chain,
)
from engine.facts import Facts
from engine.reading.matching import MATCH_FLOOR, PartyMatch
from engine.reading.phrases import clip, excerpt, locate, words_excerpt
from engine.reading.record import (
    COUNTRY_FIELDS,
    COUNTRY_GROUPS,
    FIELDS,
    LIST_COUNTRY_FIELDS,
    NUMERIC_FIELDS,
    PARTY_ROLES,
    TEXT_FIELDS,
)
from engine.reading.text import reading_notes
from engine.results import Evidence, TokenAlignment
from engine.rules.signals import (
    COUNTRY,
    COUNTRY_TAG,
    DIFFERS,
    GOODS_CATEGORY,
    GOODS_TAG,
    NUMBER,
    OPEN,
    PARTY,
    PARTY_ID,
    PARTY_TAG,
    PHRASE,
    PRESENT,
    Gate,
    both,
    clause,
    either,
)

Outcome = tuple[float, list[Evidence]] | None
# (path, message, suggestion-candidates) reported by reference checks.
Report = Callable[[str, str, list[str] | None], None]

Role = Literal["shipper", "consignee", "end_user", "intermediary", "notify_party"]
DEFAULT_MIN_SIMILARITY = 0.88
#: A field's text up to this long is quoted whole in evidence; a longer one by an excerpt (around
#: what matched, where that is known), so that evidence stays small however long the field.
QUOTE_LIMIT = 500


def quoted(text: str) -> str:
    """A field's text as evidence quotes it: whole when short, else its start and its length."""
    if len(text) <= QUOTE_LIMIT:
        return text
    return f"{excerpt(text, 0, 0, width=120)} ({len(text):,} characters)"


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # The message variable this node's evidence fills, if it is a predicate.
    variable: ClassVar[str | None] = None

    def evaluate(self, facts: Facts) -> Outcome:
        """None if false, else (strength, evidence)."""
        raise NotImplementedError

    def children(self) -> Iterator[tuple[str, _Node]]:
        """(relative path, child) for combinators; nothing for predicates."""
        return iter(())

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        """Report references that the catalogue does not define."""

    def summary(self) -> str:
        """What the condition looks at, in a few words (for rule listings)."""
        raise NotImplementedError

    def gate(self) -> Gate:
        """Signals a shipment must show for the condition to be able to hold (see
        :mod:`engine.rules.gates`)."""
        raise NotImplementedError


# ---------------------------------------------------------------------------------- combinators


class AllNode(_Node):
    """True when every part is true."""

    all: Annotated[list[Condition], Field(min_length=1)]

    def evaluate(self, facts: Facts) -> Outcome:
        strength = 1.0
        evidence: list[Evidence] = []
        for part in self.all:
            outcome = part.evaluate(facts)
            if outcome is None:
                return None
            strength = min(strength, outcome[0])
            evidence.extend(outcome[1])
        return strength, evidence

    def children(self) -> Iterator[tuple[str, _Node]]:
        return ((f"all[{i}]", c) for i, c in enumerate(self.all))

    def summary(self) -> str:
        return ", and ".join(c.summary() for c in self.all)

    def gate(self) -> Gate:
        return both([c.gate() for c in self.all])


class AnyNode(_Node):
    """True when some part is true; the first true part gives the evidence."""

    any: Annotated[list[Condition], Field(min_length=1)]

    def evaluate(self, facts: Facts) -> Outcome:
        for part in self.any:
            outcome = part.evaluate(facts)
            if outcome is not None:
                return outcome
        return None

    def children(self) -> Iterator[tuple[str, _Node]]:
        return ((f"any[{i}]", c) for i, c in enumerate(self.any))

    def summary(self) -> str:
        return "either " + ", or ".join(c.summary() for c in self.any)

    def gate(self) -> Gate:
        return either([c.gate() for c in self.any])


class NotNode(_Node):
    """True when its part is false; gives no evidence."""

    not_: Condition = Field(alias="not")

    def evaluate(self, facts: Facts) -> Outcome:
        return (1.0, []) if self.not_.evaluate(facts) is None else None

    def children(self) -> Iterator[tuple[str, _Node]]:
        yield "not", self.not_

    def summary(self) -> str:
        return f"not ({self.not_.summary()})"

    def gate(self) -> Gate:
        return OPEN  # true exactly when its part is false: nothing is required


class AtLeastSpec(_Node):
    """Parameters of ``at_least``."""

    n: Annotated[Count, Field(ge=1)]
    of: Annotated[list[Condition], Field(min_length=1)]

    @model_validator(mode="after")
    def _reachable(self) -> AtLeastSpec:
        if self.n > len(self.of):
            raise ValueError(f"n is {self.n} but there are only {len(self.of)} conditions")
        return self


class AtLeastNode(_Node):
    """True when at least ``n`` of its parts are true (escalation when indicators combine)."""

    at_least: AtLeastSpec

    def evaluate(self, facts: Facts) -> Outcome:
        true = [o for part in self.at_least.of if (o := part.evaluate(facts)) is not None]
        if len(true) < self.at_least.n:
            return None
        strongest = sorted((o[0] for o in true), reverse=True)[: self.at_least.n]
        return min(strongest), [e for o in true for e in o[1]]

    def children(self) -> Iterator[tuple[str, _Node]]:
        return ((f"at_least.of[{i}]", c) for i, c in enumerate(self.at_least.of))

    def summary(self) -> str:
        parts = "; ".join(c.summary() for c in self.at_least.of)
        return f"at least {self.at_least.n} of ({parts})"

    def gate(self) -> Gate:
        return either([c.gate() for c in self.at_least.of])


# ----------------------------------------------------------------------------------- predicates


def _check_names(
    values: list[str], known: set[str] | frozenset[str], what: str, path: str, report: Report
) -> None:
    for i, value in enumerate(values):
        if value not in known:
            report(f"{path}[{i}]", f"unknown {what} '{value}'", sorted(known))


def party_source(party: Party) -> str:
    """A party's source in a few words: its first designation, or its first source."""
    if party.designations:
        d = party.designations[0]
        source = f"{d.authority} {d.list}" + (f" {d.list_id}" if d.list_id else "")
        return source + (f" ({', '.join(d.programs)})" if d.programs else "")
    return party.sources[0].short()


def _party_evidence(
    role: str, match: PartyMatch, facts: Facts, predicate: str, extra: str
) -> Evidence:
    party = facts.knowledge.catalogue.parties[match.party_id]
    source = party_source(party)
    on = "" if match.matched_name == match.entry_name else f" on '{match.matched_name}'"
    detail = (
        f"{role} '{match.query}' matches {match.entry_name} "
        f"({match.similarity:.0%}{on}; {match.dataset}; {source}){extra}"
    )
    return Evidence(
        predicate=predicate,
        field=role,
        value=match.query,
        matched=match.entry_name,
        list=match.dataset,
        similarity=match.similarity,
        source=source,
        detail=detail,
        how=match.detail(),
        alignment=[
            TokenAlignment(
                query=p.query, candidate=p.candidate, kind=p.kind, similarity=p.similarity
            )
            for p in match.pairs
        ],
    )


def _matches(
    facts: Facts, roles: list[Role], min_similarity: float
) -> Iterator[tuple[str, PartyMatch]]:
    """(role, match) for each party match at or above ``min_similarity`` in the given roles."""
    for role in roles:
        for match in facts.party_matches(role):
            if match.similarity < min_similarity:
                break  # matches come best first
            yield role, match


class PartyMatches(_Node):
    """Parameters of ``party_matches``."""

    roles: list[Role] = list(PARTY_ROLES)  # type: ignore[arg-type]
    tags: list[Text] = []
    parties: list[Text] = []
    kinds: list[PartyKind] = Field(default=[], description="party kinds to match; all if empty")
    min_similarity: Annotated[Number, Field(ge=MATCH_FLOOR, le=1.0)] = DEFAULT_MIN_SIMILARITY

    @model_validator(mode="after")
    def _selects(self) -> PartyMatches:
        if not self.tags and not self.parties:
            raise ValueError("give tags or parties to match against")
        return self

    @cached_property
    def tag_set(self) -> frozenset[str]:
        """The tags as a set."""
        return frozenset(self.tags)

    @cached_property
    def id_set(self) -> frozenset[str]:
        """The party ids as a set."""
        return frozenset(self.parties)

    @cached_property
    def kind_set(self) -> frozenset[str]:
        """The party kinds as a set (empty: any kind)."""
        return frozenset(self.kinds)


class PartyMatchesNode(_Node):
    """A party in the given roles matches a catalogue party with one of the tags (or ids)."""

    variable: ClassVar[str | None] = "party"
    party_matches: PartyMatches

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.party_matches
        tags_of = facts.knowledge.party_tags
        best = 0.0
        evidence: list[Evidence] = []
        kinds = facts.knowledge.party_kinds
        for role, match in _matches(facts, spec.roles, spec.min_similarity):
            if spec.kind_set and kinds[match.party_id] not in spec.kind_set:
                continue
            tags = spec.tag_set & tags_of[match.party_id]
            if tags or match.party_id in spec.id_set:
                extra = f", tagged {', '.join(sorted(tags))}" if tags else ""
                evidence.append(_party_evidence(role, match, facts, "party_matches", extra))
                best = max(best, match.similarity)
        return (best, evidence) if evidence else None

    def summary(self) -> str:
        spec = self.party_matches
        what = "/".join([*spec.tags, *spec.parties])
        return f"{'/'.join(spec.roles)} matches a party {what} (≥{spec.min_similarity:.0%})"

    def gate(self) -> Gate:
        spec = self.party_matches
        return clause(
            [
                *((PARTY_TAG, role, tag) for role in spec.roles for tag in spec.tags),
                *((PARTY_ID, role, pid) for role in spec.roles for pid in spec.parties),
            ]
        )

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        spec = self.party_matches
        _check_names(spec.tags, catalogue.party_tags, "party tag", f"{path}.tags", report)
        _check_names(spec.parties, set(catalogue.parties), "party", f"{path}.parties", report)


class PartyOwnedBy(_Node):
    """Parameters of ``party_owned_by``."""

    roles: list[Role] = list(PARTY_ROLES)  # type: ignore[arg-type]
    tags: Annotated[list[Text], Field(min_length=1)]
    min_share: Annotated[Number, Field(gt=0, le=100)] = 50.0
    min_similarity: Annotated[Number, Field(ge=MATCH_FLOOR, le=1.0)] = DEFAULT_MIN_SIMILARITY

    @cached_property
    def tag_set(self) -> frozenset[str]:
        """The tags as a set."""
        return frozenset(self.tags)


class PartyOwnedByNode(_Node):
    """A party matches a catalogue party owned ``min_share`` % or more by parties with the tags."""

    variable: ClassVar[str | None] = "owner"
    party_owned_by: PartyOwnedBy

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.party_owned_by
        shares = facts.knowledge.ownership(spec.tag_set)
        catalogue = facts.knowledge.catalogue
        best = 0.0
        evidence: list[Evidence] = []
        for role, match in _matches(facts, spec.roles, spec.min_similarity):
            held = shares.get(match.party_id)
            if held is None or held.total < spec.min_share:
                continue
            chain = ownership_chain(catalogue, shares, spec.tag_set, match.party_id)
            total = f"{min(held.total, 100.0):g} %"
            if held.total > 100.0:
                total += f" (the records add up to {held.total:g} %)"
            extra = f", owned {total} by owners {'/'.join(spec.tags)}: {chain}"
            evidence.append(_party_evidence(role, match, facts, "party_owned_by", extra))
            best = max(best, match.similarity)
        return (best, evidence) if evidence else None

    def summary(self) -> str:
        spec = self.party_owned_by
        return f"{'/'.join(spec.roles)} owned ≥{spec.min_share:g}% by {'/'.join(spec.tags)}"

    def gate(self) -> Gate:
        return clause((PARTY, role) for role in self.party_owned_by.roles)

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        spec = self.party_owned_by
        _check_names(spec.tags, catalogue.party_tags, "party tag", f"{path}.tags", report)


class GoodsIn(_Node):
    """Parameters of ``goods_in``."""

    categories: list[Text] = []
    tags: list[Text] = []

    @model_validator(mode="after")
    def _selects(self) -> GoodsIn:
        if not self.categories and not self.tags:
            raise ValueError("give categories or tags")
        return self

    @cached_property
    def category_set(self) -> frozenset[str]:
        """The category ids as a set."""
        return frozenset(self.categories)

    @cached_property
    def tag_set(self) -> frozenset[str]:
        """The tags as a set."""
        return frozenset(self.tags)


class GoodsInNode(_Node):
    """The goods fall in one of the categories, or in a category with one of the tags."""

    variable: ClassVar[str | None] = "goods"
    goods_in: GoodsIn

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.goods_in
        evidence = [
            Evidence(
                predicate="goods_in",
                field="hs_code" if f.code is not None else "description",
                value=f.code.written if f.code is not None else _keyword_quote(facts, f.at),
                matched=f.category.title,
                list=f.category.id,
                source=f.category.sources[0].cite(),
                detail=f.describe(),
            )
            for f in facts.goods
            if f.category.id in spec.category_set or spec.tag_set.intersection(f.category.tags)
        ]
        return (1.0, evidence) if evidence else None

    def summary(self) -> str:
        spec = self.goods_in
        return "goods " + " or ".join(
            [*(f"tagged {t}" for t in spec.tags), *(f"in {c}" for c in spec.categories)]
        )

    def gate(self) -> Gate:
        spec = self.goods_in
        return clause(
            [*((GOODS_TAG, t) for t in spec.tags), *((GOODS_CATEGORY, c) for c in spec.categories)]
        )

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        spec = self.goods_in
        _check_names(spec.categories, set(catalogue.categories), "goods category",
                     f"{path}.categories", report)  # fmt: skip
        _check_names(spec.tags, catalogue.goods_tags, "goods tag", f"{path}.tags", report)


def _keyword_quote(facts: Facts, at: tuple[int, int] | None) -> str:
    """The description as goods evidence quotes it: whole when short, else around the keyword."""
    text = facts.record.text("description")
    if len(text) <= QUOTE_LIMIT or at is None:
        return quoted(text)
    return _phrase_excerpt(facts, "description", *at)[1]


_COUNTRY_NAMES = frozenset((*COUNTRY_FIELDS, *LIST_COUNTRY_FIELDS, *COUNTRY_GROUPS))


def _expand_fields(fields: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in fields:
        for f in COUNTRY_GROUPS.get(name, (name,)):
            if f not in out:
                out.append(f)
    return tuple(out)


class CountryIn(_Node):
    """Parameters of ``country_in``."""

    fields: Annotated[list[Text], Field(min_length=1)]
    tags: list[Text] = []
    countries: list[Text] = []

    @model_validator(mode="after")
    def _selects(self) -> CountryIn:
        if not self.tags and not self.countries:
            raise ValueError("give tags or countries")
        return self

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        """The fields, with groups (route, parties...) expanded."""
        return _expand_fields(self.fields)

    @cached_property
    def tag_set(self) -> frozenset[str]:
        """The tags as a set."""
        return frozenset(self.tags)

    @cached_property
    def code_set(self) -> frozenset[str]:
        """The country codes as a set."""
        return frozenset(self.countries)


class CountryInNode(_Node):
    """A country field (or group: route, parties, receiving_parties, touch_points) is in the set."""

    variable: ClassVar[str | None] = "country"
    country_in: CountryIn

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.country_in
        record = facts.record
        country_tags = facts.knowledge.country_tags
        resolver = facts.knowledge.resolver
        evidence: list[Evidence] = []
        for name in spec.field_names:
            for code in record.country_codes(name):
                tags = spec.tag_set & country_tags.get(code, frozenset())
                if not tags and code not in spec.code_set:
                    continue
                why = ", ".join(sorted(tags)) if tags else "listed"
                country = resolver.name(code)
                evidence.append(
                    Evidence(
                        predicate="country_in",
                        field=name,
                        value=record.text(name),
                        matched=country,
                        list=why,
                        source=_country_source(facts, code),
                        detail=f"{name} '{record.text(name)}' is {country} ({why})",
                    )
                )
        return (1.0, evidence) if evidence else None

    def summary(self) -> str:
        spec = self.country_in
        return f"{'/'.join(spec.fields)} in {'/'.join([*spec.tags, *spec.countries])}"

    def gate(self) -> Gate:
        spec = self.country_in
        return clause(
            [
                *((COUNTRY_TAG, f, t) for f in spec.field_names for t in spec.tags),
                *((COUNTRY, f, c) for f in spec.field_names for c in spec.countries),
            ]
        )

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        spec = self.country_in
        _check_names(spec.fields, _COUNTRY_NAMES, "country field", f"{path}.fields", report)
        _check_names(spec.tags, catalogue.country_tags, "country tag", f"{path}.tags", report)
        import pycountry

        codes = {c.alpha_2 for c in pycountry.countries}
        _check_names(spec.countries, codes, "country code", f"{path}.countries", report)


def _phrase_excerpt(facts: Facts, name: str, start: int, end: int) -> tuple[int | None, str]:
    """Where in a field's text its examined words ``start:end`` stand (the character, from 1, or
    None where they stand for no exact characters), and an excerpt around them."""
    text, words = facts.record.text(name), facts.words(name)
    span = locate(text, words, start, end)
    if span is None:
        return None, words_excerpt(words, start, end)
    return span[0] + 1, excerpt(text, *span)


def _phrase_detail(
    facts: Facts, name: str, at: tuple[int, int], times: int, matched: str, title: str
) -> tuple[str, str]:
    """The value and the detail of one wording's evidence (first matched at words ``at``): a
    short text is quoted whole, a long one by an excerpt around the first match."""
    text = facts.record.text(name)
    if len(text) <= QUOTE_LIMIT:
        detail = f"{name} '{text}' contains '{matched}' ({title})"
        detail += f", {times:,} times" if times > 1 else ""
        # How the text was read, where it was not read as written ("СВO" with a Latin O).
        notes = reading_notes(text)
        return text, detail + (f" ({'; '.join(notes)})" if notes else "")
    character, shown = _phrase_excerpt(facts, name, *at)
    where = f"at character {character:,}" if character is not None else "in"
    if times > 1:
        where = f"{times:,} times, first {where}"
    return shown, f"{name} contains '{clip(matched, 100)}' ({title}), {where}: '{shown}'"


def _country_source(facts: Facts, code: str) -> str | None:
    country = facts.knowledge.catalogue.countries.get(code)
    return country.sources[0].cite() if country else None


_TEXT_NAMES = frozenset((*TEXT_FIELDS, *PARTY_ROLES))


class TextHasPhrase(_Node):
    """Parameters of ``text_has_phrase``."""

    fields: Annotated[list[Text], Field(min_length=1)]
    phrases: Annotated[list[Text], Field(min_length=1)]


class TextHasPhraseNode(_Node):
    """A text field (description, end use, a party's name...) contains a phrase of the lists.

    Each wording matched is one piece of evidence, saying how many times it matched and, in a
    long text, where it first did, with an excerpt around it; at most :attr:`KEPT` of them are
    kept, and the last says how many matches were left out.
    """

    variable: ClassVar[str | None] = "phrase"
    #: How many wordings a condition keeps as evidence.
    KEPT: ClassVar[int] = 5
    text_has_phrase: TextHasPhrase

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.text_has_phrase
        knowledge = facts.knowledge
        evidence: list[Evidence] = []
        left_out = [0, 0]  # wordings, matches
        for name in spec.fields:
            if not facts.record.text(name):
                continue
            words = facts.words(name)
            for list_id in spec.phrases:
                # Each wording once: (phrase, words) -> [first word, end word, times matched].
                wordings: dict[tuple[str, str], list[int]] = {}
                for start, end, phrase in knowledge.phrase_matchers[list_id].matches(words):
                    key = (phrase, " ".join(words[start:end]))
                    if key in wordings:
                        wordings[key][2] += 1
                    else:
                        wordings[key] = [start, end, 1]
                plist = knowledge.catalogue.phrase_lists[list_id]
                for (phrase, matched), (start, end, times) in wordings.items():
                    if len(evidence) == self.KEPT:
                        left_out[0] += 1
                        left_out[1] += times
                        continue
                    value, detail = _phrase_detail(
                        facts, name, (start, end), times, matched, plist.title
                    )
                    evidence.append(
                        Evidence(
                            predicate="text_has_phrase",
                            field=name,
                            value=value,
                            matched=phrase,
                            list=list_id,
                            source=plist.sources[0].cite(),
                            detail=detail,
                        )
                    )
        if left_out[0]:
            wordings_left = f"{left_out[0]} other wording" + ("s" if left_out[0] > 1 else "")
            matches_left = f"{left_out[1]:,} more match" + ("es" if left_out[1] > 1 else "")
            last = evidence[-1]
            detail = (
                f"{last.detail}; {matches_left} ({wordings_left}) not kept as evidence: "
                f"a condition keeps {self.KEPT} wordings"
            )
            evidence[-1] = last.model_copy(update={"detail": detail})
        return (1.0, evidence) if evidence else None

    def summary(self) -> str:
        spec = self.text_has_phrase
        return f"{'/'.join(spec.fields)} says {'/'.join(spec.phrases)}"

    def gate(self) -> Gate:
        spec = self.text_has_phrase
        return clause((PHRASE, f, p) for f in spec.fields for p in spec.phrases)

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        spec = self.text_has_phrase
        _check_names(spec.fields, _TEXT_NAMES, "text field", f"{path}.fields", report)
        _check_names(spec.phrases, set(catalogue.phrase_lists), "phrase list",
                     f"{path}.phrases", report)  # fmt: skip


class FieldPresent(_Node):
    """Parameters of ``field_present``."""

    field: Text


class FieldPresentNode(_Node):
    """A field has a value."""

    variable: ClassVar[str | None] = "field"
    field_present: FieldPresent

    def evaluate(self, facts: Facts) -> Outcome:
        name = self.field_present.field
        value = facts.record.text(name)
        if not value:
            return None
        value = quoted(value)
        ev = Evidence(predicate="field_present", field=name, value=value,
                      detail=f"{name} is '{value}'")  # fmt: skip
        return 1.0, [ev]

    def summary(self) -> str:
        return f"{self.field_present.field} given"

    def gate(self) -> Gate:
        return clause([(PRESENT, self.field_present.field)])

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        _check_names([self.field_present.field], set(FIELDS), "field", f"{path}.field", report)


_OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "eq": operator.eq,
    "ne": operator.ne,
}
_OP_WORDS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "=", "ne": "!="}


class FieldCompare(_Node):
    """Parameters of ``field_compare``."""

    field: Text
    op: Literal["gt", "ge", "lt", "le", "eq", "ne"]
    value: Number


class FieldCompareNode(_Node):
    """A numeric field compares with a value (false when the field is missing or not a number)."""

    variable: ClassVar[str | None] = "value"
    field_compare: FieldCompare

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.field_compare
        number = facts.record.numbers.get(spec.field)
        if number is None or not _OPS[spec.op](number, spec.value):
            return None
        detail = f"{spec.field} {number:g} {_OP_WORDS[spec.op]} {spec.value:g}"
        ev = Evidence(predicate="field_compare", field=spec.field,
                      value=facts.record.text(spec.field), detail=detail)  # fmt: skip
        return 1.0, [ev]

    def summary(self) -> str:
        spec = self.field_compare
        return f"{spec.field} {_OP_WORDS[spec.op]} {spec.value:g}"

    def gate(self) -> Gate:
        return clause([(NUMBER, self.field_compare.field)])

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        name = self.field_compare.field
        _check_names([name], set(NUMERIC_FIELDS), "numeric field", f"{path}.field", report)


_COMPARABLE = frozenset((*COUNTRY_FIELDS, *PARTY_ROLES, *TEXT_FIELDS))


class FieldsDiffer(_Node):
    """Parameters of ``fields_differ``."""

    field: Text
    from_: Annotated[list[Text], Field(alias="from", min_length=1)]


class FieldsDifferNode(_Node):
    """A field has a value equal to none of the other fields' values (countries compared by code).

    False when the field is empty, when none of the other fields has a value to compare with, or
    when one of the countries compared is written but cannot be read.
    """

    variable: ClassVar[str | None] = "difference"
    fields_differ: FieldsDiffer

    def evaluate(self, facts: Facts) -> Outcome:
        spec = self.fields_differ
        record = facts.record
        # A country written but not read is no absent one: it may be the same country, so
        # nothing is compared (the row's notes say it was not read).
        if any(
            f in COUNTRY_FIELDS and record.text(f).strip() and f not in record.countries
            for f in (spec.field, *spec.from_)
        ):
            return None
        mine = _comparable(facts, spec.field)
        if mine is None:
            return None
        others = [(f, v) for f in spec.from_ if (v := _comparable(facts, f)) is not None]
        if not others or any(v == mine for _, v in others):
            return None
        versus = " nor ".join(f"{f} '{quoted(record.text(f))}'" for f, _ in others)
        value = quoted(record.text(spec.field))
        detail = f"{spec.field} '{value}' is neither {versus}"
        if len(others) == 1:
            detail = f"{spec.field} '{value}' is not {versus}"
        ev = Evidence(predicate="fields_differ", field=spec.field,
                      value=value, detail=detail)  # fmt: skip
        return 1.0, [ev]

    def summary(self) -> str:
        spec = self.fields_differ
        return f"{spec.field} differs from {'/'.join(spec.from_)}"

    def gate(self) -> Gate:
        spec = self.fields_differ
        if all(f in COUNTRY_FIELDS for f in (spec.field, *spec.from_)):
            # Countries compare by code, which the gates know: the signal is the predicate.
            return clause([(DIFFERS, spec.field, *spec.from_)])
        return both([clause([(PRESENT, spec.field)]), clause((PRESENT, f) for f in spec.from_)])

    def check(self, catalogue: Catalogue, path: str, report: Report) -> None:
        spec = self.fields_differ
        _check_names([spec.field], _COMPARABLE, "field", f"{path}.field", report)
        _check_names(spec.from_, _COMPARABLE, "field", f"{path}.from", report)


def _comparable(facts: Facts, name: str) -> str | None:
    if name in COUNTRY_FIELDS:
        return facts.record.countries.get(name)
    text = facts.record.text(name)
    return facts.knowledge.normaliser.key(text).text if text else None


# --------------------------------------------------------------------------------- the registry

NODE_TYPES: dict[str, type[_Node]] = {
    "all": AllNode,
    "any": AnyNode,
    "not": NotNode,
    "at_least": AtLeastNode,
    "party_matches": PartyMatchesNode,
    "party_owned_by": PartyOwnedByNode,
    "goods_in": GoodsInNode,
    "country_in": CountryInNode,
    "text_has_phrase": TextHasPhraseNode,
    "field_present": FieldPresentNode,
    "field_compare": FieldCompareNode,
    "fields_differ": FieldsDifferNode,
}
_KEY_OF = {cls: key for key, cls in NODE_TYPES.items()}


def node_key(value: Any) -> str | None:
    """The registry key of a condition given as data or as a model; None if it names no node."""
    if isinstance(value, dict):
        if len(value) == 1:
            key = next(iter(value))
            return key if key in NODE_TYPES else None
        return None
    return _KEY_OF.get(type(value))


Condition = Annotated[
    Union[  # noqa: UP007 - a tagged union of the node models
        Annotated[AllNode, Tag("all")],
        Annotated[AnyNode, Tag("any")],
        Annotated[NotNode, Tag("not")],
        Annotated[AtLeastNode, Tag("at_least")],
        Annotated[PartyMatchesNode, Tag("party_matches")],
        Annotated[PartyOwnedByNode, Tag("party_owned_by")],
        Annotated[GoodsInNode, Tag("goods_in")],
        Annotated[CountryInNode, Tag("country_in")],
        Annotated[TextHasPhraseNode, Tag("text_has_phrase")],
        Annotated[FieldPresentNode, Tag("field_present")],
        Annotated[FieldCompareNode, Tag("field_compare")],
        Annotated[FieldsDifferNode, Tag("fields_differ")],
    ],
    Discriminator(
        node_key,
        custom_error_type="condition",
        custom_error_message="not a known condition",
    ),
]

for _cls in (AllNode, AnyNode, NotNode, AtLeastSpec, AtLeastNode):
    _cls.model_rebuild()


def walk(
    node: _Node, path: str = "when", *, negated: bool = False
) -> Iterator[tuple[str, _Node, bool]]:
    """Every node of a tree with its path, and whether it sits under a ``not``."""
    yield path, node, negated
    for rel, child in node.children():
        yield from walk(child, f"{path}.{rel}", negated=negated or isinstance(node, NotNode))


def check_references(root: _Node, catalogue: Catalogue, report: Report) -> None:
    """Resolve every reference in a tree against the catalogue, reporting what is unknown."""
    for path, node, _ in walk(root):
        node.check(catalogue, f"{path}.{node_key(node)}", report)


def variables(root: _Node) -> set[str]:
    """The message variables a tree can fill: those of its predicates outside any ``not``."""
    return {n.variable for _, n, negated in walk(root) if n.variable and not negated}


ALL_VARIABLES = frozenset(v for cls in NODE_TYPES.values() if (v := cls.variable))
