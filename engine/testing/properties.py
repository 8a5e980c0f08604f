"""The engine's properties: what screening must never break, checked over generated examples.

Each :class:`Property` pairs a hypothesis strategy (built for a given Screener, so it draws from
that Screener's catalogue) with a check that returns ``None`` when the property holds and a message
when it does not.  :func:`check_property` searches for a failing example and shrinks it to the
smallest one; the same properties run in the project's test suite and in ``shipscreen rules test
--properties`` against a user's rule set.  Needs hypothesis (``pip install 'shipscreen[testing]'``).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "engine.testing.properties needs hypothesis: pip install 'shipscreen[testing]'"
    ) from exc

from engine.facts import Facts
from engine.io.csvreader import ShipmentReader
from engine.io.csvwriter import ResultWriter, neutralise
from engine.io.header import Header
from engine.reading.matching import MATCH_FLOOR
from engine.reading.record import FIELDS, PARTY_ROLES, RecordError, read_record
from engine.results import RESULT_COLUMNS, SEVERITY_RANK, ScreenResult
from engine.rules.conditions import NotNode
from engine.rules.ruleset import RuleSet, load_rules
from engine.screener import Screener
from engine.testing.strategies import (
    any_shipments,
    company_names,
    disguised_names,
    hs_notation_list,
    listed_names,
    name_variants,
    ordinary_shipments,
)

Check = Callable[[Screener, Any], "str | None"]
# The similarity a name and its case/space/punctuation/legal-form variants must keep.
VARIANT_SIMILARITY = 0.97


@dataclass(frozen=True)
class Property:
    """One property: a name, what it says, how to draw examples, and the check."""

    name: str
    description: str
    strategy: Callable[[Screener], st.SearchStrategy[Any]]
    check: Check


@dataclass(frozen=True)
class Failure:
    """A property that does not hold, with the smallest example found and what went wrong."""

    prop: Property
    example: Any
    message: str


def _screen(screener: Screener, shipment: dict[str, str]) -> ScreenResult:
    return screener.screen(shipment)


# ------------------------------------------------------------------------- results of screening


def _score_and_band(screener: Screener, shipment: dict[str, str]) -> str | None:
    result = _screen(screener, shipment)
    if result.error is not None:
        return None if result.score is None and result.band is None else "an error row has a score"
    assert result.score is not None
    if not 0.0 <= result.score <= 100.0:
        return f"score {result.score} is outside [0, 100]"
    severities = [h.severity for h in result.hits]
    expected = max(severities, key=SEVERITY_RANK.__getitem__) if severities else "low"
    if result.band != expected:
        return f"band {result.band} but the highest severity among the hits is {expected}"
    return None


def _deterministic(screener: Screener, shipment: dict[str, str]) -> str | None:
    first = _screen(screener, shipment)
    second = _screen(screener, dict(reversed(list(shipment.items()))))
    if first != second:
        return (
            f"two screenings differ: {first.score} {first.rule_ids} "
            f"vs {second.score} {second.rule_ids}"
        )
    if first.explain() != second.explain():
        return "two explanations differ"
    return None


_DERIVED: dict[tuple[int, str], tuple[Screener, Any]] = {}


def _derived(screener: Screener, what: str, make: Callable[[], Any]) -> Any:
    """Screeners derived from one screener (rule subsets, orders, dumps), built once."""
    key = (id(screener), what)
    cached = _DERIVED.get(key)
    if cached is None or cached[0] is not screener:
        cached = (screener, make())
        _DERIVED[key] = cached
    return cached[1]


def _without_each_rule(screener: Screener) -> list[tuple[str, Screener]]:
    rules = screener.ruleset.rules
    return [
        (rule.id, screener.with_rules(RuleSet(tuple(r for r in rules if r.id != rule.id))))
        for rule in rules
        if rule.active
    ]


def _monotone(screener: Screener, shipment: dict[str, str]) -> str | None:
    full = _screen(screener, shipment)
    if full.score is None:
        return None
    for rule_id, fewer in _derived(screener, "without", lambda: _without_each_rule(screener)):
        less = fewer.screen(shipment)
        assert less.score is not None
        if less.score > full.score + 1e-6:
            return (
                f"without rule {rule_id} the score is {less.score}, with it {full.score}: "
                "adding a hit lowered the score"
            )
    return None


def _order_free(screener: Screener, shipment: dict[str, str]) -> str | None:
    reordered = _derived(
        screener,
        "reversed",
        lambda: screener.with_rules(RuleSet(tuple(reversed(screener.ruleset.rules)))),
    )
    one, two = _screen(screener, shipment), reordered.screen(shipment)
    if one.score != two.score or one.band != two.band:
        return f"rule order changes the result: {one.score} {one.band} vs {two.score} {two.band}"
    if {h.rule_id: h.contribution for h in one.hits} != {
        h.rule_id: h.contribution for h in two.hits
    }:
        return "rule order changes the contributions"
    return None


def _ordinary(screener: Screener) -> st.SearchStrategy[dict[str, str]]:
    def no_listed_party(shipment: dict[str, str]) -> bool:
        return not any(
            screener.match(shipment[role], min_similarity=MATCH_FLOOR)
            for role in PARTY_ROLES
            if shipment.get(role)
        )

    return ordinary_shipments(catalogue=screener.catalogue).filter(no_listed_party)


def _quiet(screener: Screener, shipment: dict[str, str]) -> str | None:
    result = _screen(screener, shipment)
    if result.hits or result.score != 0.0:
        return f"a shipment with no indicator scores {result.score} with hits {result.rule_ids}"
    return None


def _explained(screener: Screener, shipment: dict[str, str]) -> str | None:
    result = _screen(screener, shipment)
    if result.score is None:
        return None
    total = sum(h.contribution for h in result.hits)
    if abs(total - result.score) > 0.01 * len(result.hits) + 0.011:
        return f"the contributions add up to {total:.2f}, the score is {result.score}"
    text = result.explain()
    position = 0
    for hit in result.hits:
        line = f"{hit.rule_id}: {hit.title}"
        at = text.find(line, position)
        if at < 0:
            return f"the explanation does not show {hit.rule_id} in order"
        if f"{hit.contribution:.1f} points" not in text[at : text.find("\n", at)]:
            return f"the explanation does not give {hit.rule_id}'s contribution"
        position = at
    return None


# --------------------------------------------------------------------------- names and goods


def _names(screener: Screener) -> st.SearchStrategy[str]:
    cat = screener.catalogue
    listed = [listed_names(None, catalogue=cat)] if cat.parties else []
    disguised = [disguised_names(None, catalogue=cat)] if cat.parties else []
    return st.one_of(company_names(catalogue=cat), *listed, *disguised)


def _idempotent(screener: Screener, name: str) -> str | None:
    once = screener.normalise_name(name)
    twice = screener.normalise_name(once)
    if once != twice:
        return f"normalising {name!r} gives {once!r}, and again {twice!r}"
    return None


def _name_and_variant(screener: Screener) -> st.SearchStrategy[tuple[str, str]]:
    cat = screener.catalogue
    names = company_names(catalogue=cat, with_legal_form=False)
    if cat.parties:
        names = st.one_of(names, listed_names(None, catalogue=cat))
    return names.flatmap(lambda n: st.tuples(st.just(n), name_variants(n, catalogue=cat)))


def _matches_variants(screener: Screener, pair: tuple[str, str]) -> str | None:
    name, variant = pair
    if not screener.normalise_name(name):
        return None
    itself = screener.similarity(name, name)
    if itself != 1.0:
        return f"{name!r} matches itself at {itself:.3f}"
    similar = screener.similarity(name, variant)
    if similar < VARIANT_SIMILARITY:
        return f"{variant!r} matches {name!r} at {similar:.3f} only"
    return None


def _hs_digits(screener: Screener) -> st.SearchStrategy[str]:
    prefixes = sorted({p for c in screener.catalogue.categories.values() for p in c.hs}) or ["85"]
    lengths = st.sampled_from([6, 8, 10])
    start = st.one_of(st.sampled_from(prefixes), st.integers(1, 97).map(lambda n: f"{n:02d}"))
    return st.tuples(start, lengths).flatmap(
        lambda t: st.text("0123456789", min_size=max(0, t[1] - len(t[0])),
                          max_size=max(0, t[1] - len(t[0]))).map(lambda rest: (t[0] + rest)[: t[1]])
    )  # fmt: skip


def _hs_agree(screener: Screener, digits: str) -> str | None:
    reference = screener.goods_categories(digits)
    for written in hs_notation_list(digits):
        found = screener.goods_categories(written)
        if found != reference:
            return f"HS {written!r} gives {found}, {digits} gives {reference}"
    return None


# ------------------------------------------------------------------------- the rule language


def _not_inverts(screener: Screener, shipment: dict[str, str]) -> str | None:
    knowledge = screener._knowledge
    try:
        record = read_record(shipment, knowledge.resolver, default_id="example")
    except RecordError:
        return None
    for rule in screener.ruleset.active:
        inverted = NotNode.model_validate({"not": rule.when})
        plain = rule.when.evaluate(Facts(record, knowledge))
        negated = inverted.evaluate(Facts(record, knowledge))
        if (plain is None) == (negated is None):
            return f"rule {rule.id}: 'not' of its condition is {negated is not None} as it is"
    return None


def _dumped(screener: Screener) -> Screener:
    with tempfile.TemporaryDirectory() as tmp:
        screener.ruleset.dump(tmp)
        merged = screener._knowledge.catalogue
        return screener.with_rules(load_rules(tmp, merged))


def _dump_load(screener: Screener, shipment: dict[str, str]) -> str | None:
    again = _derived(screener, "dumped", lambda: _dumped(screener))
    one, two = _screen(screener, shipment), again.screen(shipment)
    if one.model_dump(exclude={"ruleset_digest"}) != two.model_dump(exclude={"ruleset_digest"}):
        return f"the dumped rule set screens differently: {one.rule_ids} vs {two.rule_ids}"
    if one.ruleset_digest != two.ruleset_digest:
        return "the dumped rule set has another digest"
    return None


_EXTRA = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)


def _rows(screener: Screener) -> st.SearchStrategy[list[dict[str, str]]]:
    row = st.tuples(any_shipments(catalogue=screener.catalogue), _EXTRA, _EXTRA).map(
        lambda t: {**t[0], "Our Reference": t[1], "Notes (internal)": t[2]}
    )
    return st.lists(row, min_size=1, max_size=5)


def _csv_round_trip(screener: Screener, rows: list[dict[str, str]]) -> str | None:
    columns = [*FIELDS, "Our Reference", "Notes (internal)"]
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([row.get(c, "") for c in columns])
        with ShipmentReader(src) as reader, ResultWriter(dst, reader.header) as out:
            for input_row in reader:
                out.write(input_row.cells, screener.screen_input_row(input_row))
        with dst.open(encoding="utf-8", newline="") as fh:
            back = list(csv.DictReader(fh))
    if len(back) != len(rows):
        return f"{len(rows)} rows in, {len(back)} out"
    expected_header = Header.read(columns).output_columns
    if list(back[0]) != expected_header:
        return f"the output columns are {list(back[0])}"
    for i, (sent, got) in enumerate(zip(rows, back, strict=True)):
        for column in ("shipment_id", "Our Reference", "Notes (internal)"):
            if got[column] != neutralise(sent.get(column, "")):
                return f"row {i + 1}: {column} {sent.get(column)!r} came back as {got[column]!r}"
        if not any(got[c] for c in RESULT_COLUMNS):
            return f"row {i + 1} came back without a result"
    return None


def _shipments(screener: Screener) -> st.SearchStrategy[dict[str, str]]:
    return any_shipments(catalogue=screener.catalogue)


PROPERTIES: tuple[Property, ...] = (
    Property(
        "score-and-band",
        "every score is in [0, 100]; the band is the highest severity among the hits (low if none)",
        _shipments,
        _score_and_band,
    ),
    Property(
        "deterministic",
        "the same shipment screens to the same result and explanation",
        _shipments,
        _deterministic,
    ),
    Property(
        "adding-a-hit-never-lowers-the-score",
        "removing any rule never raises a shipment's score",
        _shipments,
        _monotone,
    ),
    Property(
        "rule-order-free",
        "the score, band and contributions do not depend on the order of the rules",
        _shipments,
        _order_free,
    ),
    Property(
        "no-indicator-no-score",
        "ordinary goods between ordinary parties and countries score 0 with no hits",
        _ordinary,
        _quiet,
    ),
    Property(
        "contributions-explain-the-score",
        "the contributions add up to the score; the explanation shows each hit with it, in order",
        _shipments,
        _explained,
    ),
    Property(
        "normalisation-idempotent",
        "normalising a normalised name changes nothing",
        _names,
        _idempotent,
    ),
    Property(
        "names-match-their-variants",
        "a name matches itself and its case, spacing, punctuation and legal-form variants",
        _name_and_variant,
        _matches_variants,
    ),
    Property(
        "hs-notations-agree",
        "every notation of an HS code gives the same goods categories",
        _hs_digits,
        _hs_agree,
    ),
    Property(
        "not-inverts",
        "a rule's condition under 'not' is true exactly when the condition is false",
        _shipments,
        _not_inverts,
    ),
    Property(
        "dump-and-load-identical",
        "a rule set dumped and loaded again screens identically",
        _shipments,
        _dump_load,
    ),
    Property(
        "csv-round-trip",
        "every row written to CSV comes back, in order, with its id and pass-through columns",
        _rows,
        _csv_round_trip,
    ),
)


def check_property(
    prop: Property,
    screener: Screener,
    *,
    max_examples: int = 60,
    seed: bool = True,
    shrink: bool = True,
) -> Failure | None:
    """Search for an example that breaks ``prop``; return it (the smallest found), or None.

    ``seed`` makes the search deterministic (the same examples every run); without ``shrink`` the
    first failing example is returned as found, which is quicker when any failure will do.
    """
    found: dict[str, str] = {}

    def broken(example: Any) -> bool:
        message = prop.check(screener, example)
        if message is not None:
            found["message"] = message
            return True
        return False

    phases = [Phase.explicit, Phase.generate, *([Phase.shrink] if shrink else [])]
    config = settings(
        max_examples=max_examples,
        derandomize=seed,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )
    try:
        example = find(prop.strategy(screener), broken, settings=config)
    except NoSuchExample:
        return None
    message = prop.check(screener, example) or found.get("message", "")
    return Failure(prop, example, message)


def check_all(
    screener: Screener, *, max_examples: int = 60, names: Sequence[str] | None = None
) -> list[tuple[Property, Failure | None]]:
    """Check every property (or those named) against a screener."""
    chosen = [p for p in PROPERTIES if names is None or p.name in names]
    return [(p, check_property(p, screener, max_examples=max_examples)) for p in chosen]
