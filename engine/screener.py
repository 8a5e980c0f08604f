"""The Screener: a compiled catalogue and rule set that screens shipments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.bundled import bundled_dir
from engine.conditions import NODE_TYPES
from engine.csvio import InputRow, ShipmentReader, row_values
from engine.entities import Catalogue, load_catalogue
from engine.facts import Facts, Knowledge
from engine.matching import MATCH_FLOOR, PartyMatch
from engine.record import Record, RecordError, read_record
from engine.results import SEVERITY_RANK, Evidence, Hit, ScreenResult
from engine.rules import Rule, RuleSet, load_rules
from engine.scoring import band_of, combined_score, contributions

_VARIABLE_OF = {key: cls.variable for key, cls in NODE_TYPES.items() if cls.variable}


class Screener:
    """Screens shipments against a catalogue and a rule set; immutable once built.

    Build one with :meth:`default` (the bundled catalogue and rules) or :meth:`load`; it pickles (by
    rebuilding from its catalogue and rules), so worker processes can receive it once.
    """

    def __init__(self, catalogue: Catalogue, ruleset: RuleSet) -> None:
        self._catalogue = catalogue
        self._ruleset = ruleset
        self._knowledge = Knowledge(catalogue)
        self._rules: tuple[Rule, ...] = ruleset.active
        self._ruleset_digest = ruleset.digest()
        self._catalogue_digest = catalogue.digest()

    # -------------------------------------------------------------------------------- building

    @classmethod
    def default(cls) -> Screener:
        """The bundled entity catalogue and rule set."""
        return _default_screener()

    @classmethod
    def load(
        cls,
        rules: str | Path | None = None,
        entities: str | Path | None = None,
    ) -> Screener:
        """Load a rule set and a catalogue (each defaults to the bundled one)."""
        catalogue = load_catalogue(entities if entities is not None else bundled_dir("entities"))
        ruleset = load_rules(rules if rules is not None else bundled_dir("rules"), catalogue)
        return cls(catalogue, ruleset)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Screener, (self._catalogue, self._ruleset))

    # ------------------------------------------------------------------------------ inspecting

    @property
    def catalogue(self) -> Catalogue:
        """The entity catalogue."""
        return self._catalogue

    @property
    def ruleset(self) -> RuleSet:
        """The rule set."""
        return self._ruleset

    @property
    def ruleset_digest(self) -> str:
        """SHA-256 of the rule set's content."""
        return self._ruleset_digest

    @property
    def catalogue_digest(self) -> str:
        """SHA-256 of the catalogue's content."""
        return self._catalogue_digest

    def match(self, name: str, *, min_similarity: float = MATCH_FLOOR) -> list[PartyMatch]:
        """Catalogue parties resembling ``name``, best first, with their evidence."""
        return list(self._knowledge.matcher.match(name, min_similarity=min_similarity))

    # ------------------------------------------------------------------------------- screening

    def screen(self, shipment: Mapping[str, Any], *, row: int | None = None) -> ScreenResult:
        """Screen one shipment given as a mapping (canonical names or common header variants)."""
        values = row_values(shipment)
        default_id = f"row-{row}" if row is not None else "shipment"
        try:
            record = read_record(values, self._knowledge.resolver, default_id=default_id)
        except RecordError as exc:
            where = f"line {row}: " if row is not None else ""
            shipment_id = str(values.get("shipment_id") or default_id)
            return self._error(shipment_id, row, where + str(exc))
        return self._screen_record(record, row=row)

    def screen_many(self, shipments: Iterable[Mapping[str, Any]]) -> Iterator[ScreenResult]:
        """Screen shipments one by one, in order."""
        for i, shipment in enumerate(shipments, start=1):
            yield self.screen(shipment, row=i)

    def screen_csv(
        self, path: str | Path, *, columns: Mapping[str, str] | None = None
    ) -> Iterator[ScreenResult]:
        """Screen a CSV file row by row; every data row gives exactly one result, in order."""
        with ShipmentReader(path, columns=columns) as reader:
            for row in reader:
                yield self.screen_input_row(row)

    def screen_input_row(self, row: InputRow) -> ScreenResult:
        """Screen one row read by ShipmentReader (kept separate so the CLI can write its cells)."""
        if row.error is not None:
            shipment_id = row.values.get("shipment_id") or f"row-{row.line}"
            return self._error(shipment_id, row.line, row.error)
        result = self.screen(row.values, row=row.line)
        if row.notes:
            result = result.model_copy(update={"notes": [*row.notes, *result.notes]})
        return result

    def _error(self, shipment_id: str, row: int | None, message: str) -> ScreenResult:
        return ScreenResult(
            shipment_id=shipment_id,
            row=row,
            error=message,
            ruleset_digest=self._ruleset_digest,
            catalogue_digest=self._catalogue_digest,
        )

    def _screen_record(self, record: Record, *, row: int | None) -> ScreenResult:
        facts = Facts(record, self._knowledge)
        found: list[tuple[Rule, float, list[Evidence]]] = []
        for rule in self._rules:
            outcome = rule.when.evaluate(facts)
            if outcome is not None:
                found.append((rule, outcome[0], outcome[1]))
        probabilities = [rule.weight * strength for rule, strength, _ in found]
        shares = contributions(probabilities)
        hits = [
            Hit(
                rule_id=rule.id,
                title=rule.title,
                severity=rule.severity,
                weight=rule.weight,
                strength=round(strength, 4),
                contribution=round(share, 2),
                message=_message(rule, evidence, record),
                evidence=evidence,
            )
            for (rule, strength, evidence), share in zip(found, shares, strict=True)
        ]
        hits.sort(key=lambda h: (-SEVERITY_RANK[h.severity], -h.contribution, h.rule_id))
        return ScreenResult(
            shipment_id=record.shipment_id,
            row=row,
            score=round(combined_score(probabilities), 2),
            band=band_of([h.severity for h in hits]),
            hits=hits,
            notes=record.notes,
            ruleset_digest=self._ruleset_digest,
            catalogue_digest=self._catalogue_digest,
        )


def _message(rule: Rule, evidence: list[Evidence], record: Record) -> str:
    values: dict[str, list[str]] = {}
    for ev in evidence:
        variable = _VARIABLE_OF.get(ev.predicate)
        if variable is not None and ev.detail not in values.setdefault(variable, []):
            values[variable].append(ev.detail)
    filled = {name: "; ".join(lines) for name, lines in values.items()}
    filled["shipment_id"] = record.shipment_id
    return rule.render(_Missing(filled))


class _Missing(dict[str, str]):
    """Template values; a variable with no evidence (an unused branch of ``any``) reads as 'n/a'."""

    def __missing__(self, key: str) -> str:
        return "n/a"


@lru_cache(maxsize=1)
def _default_screener() -> Screener:
    return Screener.load()
