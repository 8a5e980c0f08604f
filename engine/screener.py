"""The Screener: a compiled catalogue and rule set that screens shipments."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import Catalogue, Clearance, load_catalogue, load_clearances
from engine.catalogue.lists import LoadedList, iter_parties, load_lists
from engine.errors import CatalogueError, Problem
from engine.facts import Facts, Knowledge
from engine.reading.hscodes import parse_hs
from engine.reading.matching import MATCH_FLOOR, compare
from engine.reading.record import InputRow, Record, RecordError, cell_text, read_raw, row_values
from engine.results import (
    RESULT_COLUMNS,
    SEVERITY_RANK,
    Evidence,
    Hit,
    MatchReport,
    Quiet,
    ScreenResult,
    TokenAlignment,
)
from engine.rules.conditions import NODE_TYPES, PartyOwnedByNode, party_source, walk
from engine.rules.gates import MAYBE, QUIET, QuietLane, RuleGates
from engine.rules.ruleset import Rule, RuleSet, load_rules
from engine.rules.scoring import DEFAULT_SCORING, Scoring

_VARIABLE_OF = {key: cls.variable for key, cls in NODE_TYPES.items() if cls.variable}


class Screener:
    """Screens shipments against a catalogue and a rule set; immutable once built.

    Build one with :meth:`default` (the bundled catalogue and rules) or :meth:`load`; it pickles (by
    rebuilding from its catalogue and rules), so worker processes can receive it once.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        ruleset: RuleSet,
        *,
        lists: Sequence[LoadedList] = (),
        cleared: Sequence[Clearance] = (),
        as_of: dt.date | None = None,
        scoring: Scoring = DEFAULT_SCORING,
    ) -> None:
        self._set_scoring(scoring)
        self._catalogue = catalogue
        self._ruleset = ruleset
        self._lists = tuple(lists)
        self._cleared = tuple(cleared)
        self._as_of = as_of or dt.date.today()
        merged = catalogue.with_parties(iter_parties(self._lists), self._cleared)
        _check_clearances(merged)
        self._knowledge = Knowledge(merged, as_of=self._as_of)
        self._rules: tuple[Rule, ...] = ruleset.active
        self._gates = RuleGates(self._rules, self._knowledge)
        self._lanes: dict[int, tuple[Sequence[str | None], QuietLane]] = {}
        _prepare(self._knowledge, self._rules)
        self._ruleset_digest = ruleset.digest()
        digests = [catalogue.digest(), *(f"{x.name}:{x.digest}" for x in self._lists)]
        digests += [c.model_dump_json() for c in self._cleared]
        self._catalogue_digest = (
            digests[0]
            if len(digests) == 1
            else hashlib.sha256("\n".join(digests).encode("utf-8")).hexdigest()
        )

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
        lists: Iterable[str | Path] = (),
        allow: Iterable[str | Path] = (),
        as_of: dt.date | None = None,
        list_encoding: str | None = None,
    ) -> Screener:
        """Load a rule set, a catalogue, sanctions lists and allow-lists.

        ``rules`` and ``entities`` default to the bundled ones; ``lists`` are OFAC sdn.csv (with
        alt.csv), OpenSanctions targets.simple.csv or entity YAML files, read in
        ``list_encoding`` (default: each file's own, detected); ``allow`` are allow-list files;
        ``as_of`` (default today) is the day clearances are judged on.
        """
        catalogue = load_catalogue(entities if entities is not None else bundled_dir("entities"))
        loaded = load_lists(lists, encoding=list_encoding)
        cleared = [c for path in allow for c in load_clearances(path)]
        merged = catalogue.with_parties(iter_parties(loaded))
        ruleset = load_rules(rules if rules is not None else bundled_dir("rules"), merged)
        return cls(catalogue, ruleset, lists=loaded, cleared=cleared, as_of=as_of)

    def __reduce__(self) -> tuple[Any, ...]:
        parts = (self._catalogue, self._ruleset, self._lists, self._cleared, self._as_of)
        return (_rebuild, (*parts, self._scoring))

    def __copy__(self) -> Screener:
        # The compiled catalogue shared (copy.copy would go through __reduce__ and rebuild it).
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        return other

    def with_rules(self, ruleset: RuleSet, *, scoring: Scoring | None = None) -> Screener:
        """This screener with another rule set (or scoring), sharing the compiled catalogue.

        The rule set's references must resolve in this screener's catalogue (as load_rules checks).
        """
        other = copy.copy(self)
        other._ruleset = ruleset
        other._rules = ruleset.active
        other._gates = RuleGates(other._rules, self._knowledge)
        other._lanes = {}
        _prepare(self._knowledge, other._rules)
        other._ruleset_digest = ruleset.digest()
        other._set_scoring(scoring or self._scoring)
        return other

    def _set_scoring(self, scoring: Scoring) -> None:
        self._scoring = scoring
        # What a row with no hit and no note scores (the quiet lane's answer).
        self._quiet_band: str = scoring.band([])
        self._quiet_cells = [
            f"{round(scoring.combine([]), 2):.1f}",
            self._quiet_band,
            *[""] * (len(RESULT_COLUMNS) - 2),
        ]

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
        """SHA-256 of the catalogue's content, with the loaded lists and allow-lists."""
        return self._catalogue_digest

    @property
    def lists(self) -> tuple[LoadedList, ...]:
        """The sanctions lists loaded at screening time."""
        return self._lists

    @property
    def as_of(self) -> dt.date:
        """The day allow-list clearances are judged on."""
        return self._as_of

    def normalise_name(self, name: str) -> str:
        """A name as the matcher compares it: folded, transliterated, legal forms set aside."""
        return self._knowledge.normaliser.key(name).text

    def similarity(self, a: str, b: str) -> float:
        """How similar two names are for the matcher, in [0, 1] (word weights of this screener)."""
        index = self._knowledge.matcher.index
        normaliser = self._knowledge.normaliser
        return compare(index.weigh(normaliser.key(a)), index.weigh(normaliser.key(b)))[0]

    def goods_categories(self, hs_code: str, description: str = "") -> list[str]:
        """The ids of the goods categories an HS code (and description) place goods in."""
        record = Record(shipment_id="-", raw={"hs_code": hs_code, "description": description})
        record.hs_codes = parse_hs(hs_code)[0] if hs_code else ()
        return [f.category.id for f in self._knowledge.classify(record)]

    def match(self, name: str, *, min_similarity: float = MATCH_FLOOR) -> list[MatchReport]:
        """Catalogue and list entries resembling ``name``, best first, with their evidence.

        A match the allow-list clears is included, with ``cleared`` saying by whom and why.
        """
        knowledge = self._knowledge
        key = knowledge.normaliser.key(name).text
        reports = []
        for m in knowledge.matcher.match(name, min_similarity=min_similarity):
            party = knowledge.catalogue.parties[m.party_id]
            clearance = knowledge.clearances.get((key, m.party_id))
            reports.append(
                MatchReport(
                    query=m.query,
                    entry_id=m.party_id,
                    entry_name=m.entry_name,
                    matched_name=m.matched_name,
                    list=m.dataset,
                    kind=party.kind,
                    tags=list(party.tags),
                    similarity=m.similarity,
                    alignment=[
                        TokenAlignment(
                            query=p.query,
                            candidate=p.candidate,
                            kind=p.kind,
                            similarity=p.similarity,
                        )
                        for p in m.pairs
                    ],
                    unmatched_query=list(m.unmatched_query),
                    unmatched_entry=list(m.unmatched_candidate),
                    query_legal_forms=list(m.query_legal_forms),
                    entry_legal_forms=list(m.candidate_legal_forms),
                    source=party_source(party),
                    how=m.detail(),
                    cleared=clearance.describe() if clearance else None,
                )
            )
        return reports

    # ------------------------------------------------------------------------------- screening

    def screen(self, shipment: Mapping[str, Any], *, row: int | None = None) -> ScreenResult:
        """Screen one shipment given as a mapping (canonical names or common header variants)."""
        if not isinstance(shipment, Mapping):
            raise TypeError(
                "screen() takes one shipment as a mapping of field names to values, e.g. "
                f"{{'consignee': 'Acme', 'hs_code': '8542.31'}}, not {type(shipment).__name__}"
                + (
                    "; screen_many() takes an iterable of them"
                    if isinstance(shipment, list)
                    else ""
                )
            )
        raw = {
            name: text
            for name, value in row_values(shipment).items()
            if (text := value.strip() if type(value) is str else cell_text(value))
        }
        return self._screen_raw(raw, row)

    def _screen_raw(
        self, raw: dict[str, str], row: int | None, notes: Sequence[str] = ()
    ) -> ScreenResult:
        default_id = f"row-{row}" if row is not None else "shipment"
        try:
            record = read_raw(raw, self._knowledge.resolver, default_id=default_id)
        except RecordError as exc:
            where = f"line {row}: " if row is not None else ""
            shipment_id = raw.get("shipment_id") or default_id
            return self._error(shipment_id, row, where + str(exc), notes)
        if notes:
            record.notes[:0] = notes
        return self._screen_record(record, row=row)

    def screen_many(self, shipments: Iterable[Mapping[str, Any]]) -> Iterator[ScreenResult]:
        """Screen shipments one by one, in order."""
        for i, shipment in enumerate(shipments, start=1):
            yield self.screen(shipment, row=i)

    def screen_csv(
        self, path: str | Path, *, columns: Mapping[str, str] | None = None
    ) -> Iterator[ScreenResult]:
        """Screen a CSV file row by row; every data row gives exactly one result, in order.

        Reads the file with :class:`engine.io.csvreader.ShipmentReader` (the io layer, imported
        here: screening a mapping never touches it).
        """
        from engine.io.csvreader import ShipmentReader

        with ShipmentReader(path, columns=columns) as reader:
            for row in reader:
                yield self.screen_input_row(row)

    def screen_frame(
        self, frame: Any, *, columns: Mapping[str, str] | None = None, hits: bool = False
    ) -> Any:
        """Screen a pandas DataFrame of shipments; a copy of it with the result columns added
        (``risk_score, risk_band, rule_ids, reasons, error, unread``, and ``hits`` as JSON if
        asked).

        Each row is screened as a row of a CSV file is; see
        :func:`engine.scale.frames.screen_frame`.
        Needs pandas (``pip install 'shipscreen[pandas]'``).
        """
        from engine.scale.frames import screen_frame

        return screen_frame(self, frame, columns=columns, hits=hits)

    def screen_dask(
        self,
        frame: Any,
        *,
        columns: Mapping[str, str] | None = None,
        hits: bool = False,
        client: Any = None,
    ) -> Any:
        """Screen a Dask DataFrame partition by partition: a Dask DataFrame with the result
        columns added, computed when the caller computes or writes it.

        The screener is sent to the cluster's workers once; see
        :func:`engine.scale.cluster.screen_dask`.
        Needs Dask (``pip install 'shipscreen[dask]'``).
        """
        from engine.scale.cluster import screen_dask

        return screen_dask(self, frame, columns=columns, hits=hits, client=client)

    def screen_input_row(self, row: InputRow) -> ScreenResult:
        """Screen one row read by ShipmentReader (kept separate so the CLI can write its cells)."""
        if row.error is not None:
            shipment_id = row.values.get("shipment_id") or f"row-{row.line}"
            return self._error(shipment_id, row.line, row.error, row.notes)
        return self._screen_raw(row.raw(), row.line, row.notes)

    def screen_row(self, row: InputRow, verdict: int | None = None) -> ScreenResult | Quiet:
        """As :meth:`screen_input_row`, but a row the quiet lane recognises (no rule can hit,
        nothing to note) comes back as a :class:`Quiet`, whose result is made only if asked.

        ``verdict`` is the lane's verdict on the row's cells, if the caller has it already.
        """
        if row.error is None and not row.notes and row.fields:
            lane = self.quiet_lane(row.fields)
            verdict = lane.verdict(row.cells) if verdict is None else verdict
            if verdict == QUIET:
                return Quiet(lane.shipment_id(row.cells, row.line), row.line, self)
            if verdict == MAYBE:  # nothing to note, and the lane knows which gates open
                record = read_raw(row.raw(), self._knowledge.resolver, default_id=f"row-{row.line}")
                return self._screen_record(record, row=row.line, rules=lane.open_rules(row.cells))
        return self.screen_input_row(row)

    def quiet_lane(self, fields: Sequence[str | None]) -> QuietLane:
        """The quiet lane for rows whose columns are ``fields`` (kept for that very list)."""
        entry = self._lanes.get(id(fields))
        if entry is None or entry[0] is not fields:
            entry = self._lanes[id(fields)] = (fields, QuietLane(self._gates, fields))
        return entry[1]

    def share_with_forks(self) -> None:
        """Let worker processes forked from now on share the matcher's memory of the names that
        resemble no listed name: each distinct name is then matched once, not once a worker."""
        self._knowledge.matcher.share()

    def quiet_result(self, shipment_id: str, row: int | None) -> ScreenResult:
        """The result of a shipment no rule hits, with nothing to note."""
        return ScreenResult(
            shipment_id=shipment_id,
            row=row,
            score=round(self._scoring.combine([]), 2),
            band=self._scoring.band([]),
            hits=[],
            suppressed=[],
            notes=[],
            ruleset_digest=self._ruleset_digest,
            catalogue_digest=self._catalogue_digest,
        )

    def _error(
        self, shipment_id: str, row: int | None, message: str, notes: Sequence[str] = ()
    ) -> ScreenResult:
        return ScreenResult(
            shipment_id=shipment_id,
            row=row,
            error=message,
            hits=[],
            suppressed=[],
            notes=list(notes),
            ruleset_digest=self._ruleset_digest,
            catalogue_digest=self._catalogue_digest,
        )

    def _evaluate(
        self, facts: Facts, rules: Sequence[Rule]
    ) -> list[tuple[Rule, float, list[Evidence]]]:
        found: list[tuple[Rule, float, list[Evidence]]] = []
        for rule in rules:
            outcome = rule.when.evaluate(facts)
            if outcome is not None:
                found.append((rule, outcome[0], outcome[1]))
        return found

    def _screen_record(
        self, record: Record, *, row: int | None, rules: list[Rule] | None = None
    ) -> ScreenResult:
        # Only the rules the shipment's signals leave open can hit (engine.rules.gates).
        if rules is None:
            rules = self._gates.open_rules(record)
        notes = record.notes
        if description := record.text("description"):
            goods_notes = self._knowledge.goods_notes(record.text("hs_code"), description)
            notes = [*notes, *goods_notes] if goods_notes else notes
        if not rules:
            return ScreenResult(
                shipment_id=record.shipment_id,
                row=row,
                score=round(self._scoring.combine([]), 2),
                band=self._scoring.band([]),
                hits=[],
                suppressed=[],
                notes=notes,
                unread=list(record.unread),
                ruleset_digest=self._ruleset_digest,
                catalogue_digest=self._catalogue_digest,
            )
        facts = Facts(record, self._knowledge)
        found = self._evaluate(facts, rules)
        probabilities = [rule.weight * strength for rule, strength, _ in found]
        shares = self._scoring.shares(probabilities)
        hits = [
            _hit(rule, strength, evidence, record, contribution=share)
            for (rule, strength, evidence), share in zip(found, shares, strict=True)
        ]
        hits.sort(key=lambda h: (-SEVERITY_RANK[h.severity], -h.contribution, h.rule_id))
        suppressed: list[Hit] = []
        if facts.cleared:
            # The hits the cleared matches would have caused: shown, marked, not scored.
            fired = {rule.id for rule, _, _ in found}
            cleared = [
                Evidence(
                    predicate="cleared",
                    field=role,
                    value=match.query,
                    matched=match.entry_name,
                    list=match.dataset,
                    similarity=match.similarity,
                    detail=f"{role} '{match.query}' {clearance.describe()}",
                )
                for role, match, clearance in facts.cleared
            ]
            suppressed = [
                _hit(rule, strength, [*evidence, *cleared], record, contribution=0.0)
                for rule, strength, evidence in self._evaluate(
                    Facts(record, self._knowledge, clear=False), rules
                )
                if rule.id not in fired
            ]
        return ScreenResult(
            shipment_id=record.shipment_id,
            row=row,
            score=round(self._scoring.combine(probabilities), 2),
            band=self._scoring.band([h.severity for h in hits]),
            hits=hits,
            suppressed=suppressed,
            notes=notes,
            unread=list(record.unread),
            ruleset_digest=self._ruleset_digest,
            catalogue_digest=self._catalogue_digest,
        )


def _hit(
    rule: Rule, strength: float, evidence: list[Evidence], record: Record, *, contribution: float
) -> Hit:
    return Hit(
        rule_id=rule.id,
        title=rule.title,
        severity=rule.severity,
        weight=rule.weight,
        strength=round(strength, 4),
        contribution=round(contribution, 2),
        message=_message(rule, evidence, record),
        evidence=evidence,
    )


def _prepare(knowledge: Knowledge, rules: Sequence[Rule]) -> None:
    """Work out now what the rules would otherwise compute on first use (ownership through
    chains, over the whole catalogue), so that worker processes share it rather than each
    touching, and so copying, the whole catalogue."""
    for rule in rules:
        for _, node, _ in walk(rule.when):
            if isinstance(node, PartyOwnedByNode):
                knowledge.ownership(node.party_owned_by.tag_set)


def _check_clearances(catalogue: Catalogue) -> None:
    """A clearance whose list is loaded must name an entry of it; others wait for their list."""
    problems = [
        Problem(
            file="allow-list",
            item=f"clearance of '{c.party}'",
            path="entry",
            message=f"no entry '{c.entry}' in list {c.list}",
        )
        for c in catalogue.cleared
        if c.list in catalogue.datasets and c.entry not in catalogue.parties
    ]
    if problems:
        raise CatalogueError("the allow-list names unknown entries", problems=problems)


def _rebuild(
    catalogue: Catalogue,
    ruleset: RuleSet,
    lists: tuple[LoadedList, ...],
    cleared: tuple[Clearance, ...],
    as_of: dt.date,
    scoring: Scoring,
) -> Screener:
    return Screener(catalogue, ruleset, lists=lists, cleared=cleared, as_of=as_of, scoring=scoring)


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
