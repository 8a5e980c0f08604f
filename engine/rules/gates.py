"""Gates: which rules a shipment could possibly trigger, decided from cheap, cached signals.

Most shipments trigger no rule.  Evaluating every rule's condition tree for each of them is the
bulk of the work, so each rule's condition is reduced, once, to a *gate*: a conjunction of clauses,
each clause a set of signals of which the shipment must show at least one for the condition to be
able to hold.  A shipment's signals are looked up per field value (a party name, a country, an HS
code and description) in caches, so that a trade file repeating the same parties and goods costs
a few dictionary look-ups per row.  Only rules whose gate is open are evaluated, exactly as before.

A gate never changes a result: every predicate's gate is implied by the predicate being true (a
party tag signal is raised by any match at the matcher's floor, whatever the rule's threshold; a
presence signal by any value, readable or not), ``any`` and ``at_least`` keep one clause from each
part, and ``not`` opens its gate always.  ``tests/test_gates.py`` checks that gated and ungated
screening agree on generated shipments.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from engine.facts import Knowledge
from engine.reading import caches
from engine.reading.phrases import EXAMINED_LENGTH, examined_words
from engine.reading.record import (
    COUNTRY_FIELDS,
    LIST_COUNTRY_FIELDS,
    NEEDS_ONE,
    NUMERIC_FIELDS,
    PARTY_ROLES,
    READ_FIELDS,
    SEARCHED_FIELDS,
    SURROGATE,
    Record,
    lost_text,
    no_name,
    parse_number,
    read_hs,
)
from engine.rules.ruleset import Rule
from engine.rules.signals import (
    COUNTRY,
    COUNTRY_TAG,
    DIFFERS,
    GOODS_CATEGORY,
    GOODS_TAG,
    NUMBER,
    PARTY,
    PARTY_ID,
    PARTY_TAG,
    PHRASE,
    PRESENT,
    Gate,
    Signal,
)

# What the quiet lane makes of a row (QuietLane.verdict).
QUIET, MAYBE, FULL = 0, 1, 2
_NONE: frozenset[Signal] = frozenset()


class RuleGates:
    """The gates of a rule set's rules, and the signals of shipments, for one Knowledge."""

    def __init__(self, rules: Sequence[Rule], knowledge: Knowledge) -> None:
        self._rules = tuple(rules)
        self._knowledge = knowledge
        self._gates = tuple(rule.when.gate() for rule in self._rules)
        # One clause of each rule, the rarest: a shipment showing none of these signals opens no
        # gate, which is all most shipments need to know.
        self._trigger: frozenset[Signal] | None = (
            frozenset(s for gate in self._gates for s in min(gate, key=_commonness))
            if all(self._gates)
            else None
        )
        wanted = {s for gate in self._gates for c in gate for s in c}
        kinds: dict[str, set[str]] = {}
        for signal in wanted:
            if len(signal) > 1:
                kinds.setdefault(signal[0], set()).add(signal[1])
        self._roles = sorted(kinds.get(PARTY, set()) | kinds.get(PARTY_TAG, set())
                             | kinds.get(PARTY_ID, set()))  # fmt: skip
        self._countries = sorted(kinds.get(COUNTRY, set()) | kinds.get(COUNTRY_TAG, set()))
        self._present = sorted(kinds.get(PRESENT, set()))
        self._numbers = sorted(kinds.get(NUMBER, set()))
        self._differs = sorted(s for s in wanted if s[0] == DIFFERS)
        self._goods = any(s[0] in (GOODS_CATEGORY, GOODS_TAG) for s in wanted)
        self._phrases: dict[str, tuple[str, ...]] = {}
        for signal in wanted:
            if signal[0] == PHRASE:
                self._phrases[signal[1]] = (*self._phrases.get(signal[1], ()), signal[2])
        self._phrase_fields = sorted(self._phrases)
        # Party names are many; what they match is cached by the matcher, their wording not at all.
        self._party = lru_cache(maxsize=caches.NAMES // 8)(self._party_signals)
        self._text = lru_cache(maxsize=caches.TEXTS)(self._text_signals)
        self._goods_cached = lru_cache(maxsize=caches.TEXTS)(self._goods_signals)
        self._country = lru_cache(maxsize=caches.VALUES)(self._country_signals)
        trigger = self._trigger or frozenset()
        codes = list(knowledge.resolver.known_codes())
        self._hot_codes = {
            name: frozenset(c for c in codes if not self._country(name, c).isdisjoint(trigger))
            for name in self._countries
        }
        self._hot_transit = self._hot_codes.get(LIST_COUNTRY_FIELDS[0], frozenset())
        self._present_triggers = [n for n in self._present if (PRESENT, n) in trigger]
        self._number_triggers = [n for n in self._numbers if (NUMBER, n) in trigger]

    @property
    def gates(self) -> tuple[Gate, ...]:
        """Each rule's gate, in rule order."""
        return self._gates

    def open_rules(self, record: Record) -> list[Rule]:
        """The rules whose gates the shipment opens, in rule order."""
        if self._trigger is not None and self._quiet(record, self._trigger):
            return []
        signals = self.signals(record)
        found = []
        for rule, gate in zip(self._rules, self._gates, strict=True):
            for clause in gate:
                if clause.isdisjoint(signals):
                    break
            else:
                found.append(rule)
        return found

    def signals(self, record: Record) -> set[Signal]:
        """The signals a shipment shows, for the fields some gate looks at."""
        raw = record.raw
        out: set[Signal] = set()
        for role in self._roles:
            name, ids = raw.get(role, ""), raw.get(f"{role}_id", "")
            if name or ids:
                out |= self._party(role, name, ids)
        for name in self._phrase_fields:
            if text := raw.get(name):
                out |= self._phrases_in(name, text)
        if self._goods and ("hs_code" in raw or "description" in raw):
            out |= self._goods_of(raw.get("hs_code", ""), raw.get("description", ""))
        for name in self._countries:
            for code in record.country_codes(name):
                out |= self._country(name, code)
        out.update((PRESENT, name) for name in self._present if name in raw)
        out.update((NUMBER, name) for name in self._numbers if name in record.numbers)
        for signal in self._differs:
            mine = record.countries.get(signal[1])
            others = [c for f in signal[2:] if (c := record.countries.get(f)) is not None]
            if mine is not None and others and mine not in others:
                out.add(signal)
        return out

    def _quiet(self, record: Record, trigger: frozenset[Signal]) -> bool:
        """Whether the shipment shows none of the trigger signals (so opens no gate).

        Cheaper than :meth:`signals`: any list match of a gated role counts, and a country
        counts when its code is one the trigger names for its field.
        """
        raw = record.raw
        match = self._knowledge.match_party
        for role in self._roles:
            name, ids = raw.get(role, ""), raw.get(f"{role}_id", "")
            if (name or ids) and match(name, ids):
                return False
        for name in self._phrase_fields:
            if (text := raw.get(name)) and not self._phrases_in(name, text).isdisjoint(trigger):
                return False
        if self._goods and ("hs_code" in raw or "description" in raw):
            found = self._goods_of(raw.get("hs_code", ""), raw.get("description", ""))
            if not found.isdisjoint(trigger):
                return False
        hot = self._hot_codes
        for name, code in record.countries.items():
            if code in hot.get(name, ()):
                return False
        if record.transit and not self._hot_transit.isdisjoint(record.transit):
            return False
        if any(name in raw for name in self._present_triggers):
            return False
        return not any(name in record.numbers for name in self._number_triggers)

    def _phrases_in(self, name: str, text: str) -> frozenset[Signal]:
        """The phrase signals of a text field, its words read as the conditions read them."""
        if name in PARTY_ROLES:  # a party's name: seldom seen twice, not worth remembering
            return self._phrase_signals(name, examined_words(text))
        if len(text) > EXAMINED_LENGTH:  # not kept here (Knowledge keeps a few by their windows)
            return self._text_signals(name, text)
        return self._text(name, text)

    def _goods_of(self, hs_code: str, description: str) -> frozenset[Signal]:
        """The goods signals of an HS code cell and a description (a long one is not kept)."""
        if len(description) > EXAMINED_LENGTH:
            return self._goods_signals(hs_code, description)
        return self._goods_cached(hs_code, description)

    def _party_signals(self, role: str, name: str, ids: str = "") -> frozenset[Signal]:
        knowledge = self._knowledge
        out: set[Signal] = set()
        for match in knowledge.match_party(name, ids):
            out.add((PARTY, role))
            out.add((PARTY_ID, role, match.party_id))
            out.update((PARTY_TAG, role, tag) for tag in knowledge.party_tags[match.party_id])
        return frozenset(out) if out else _NONE

    def _text_signals(self, name: str, text: str) -> frozenset[Signal]:
        return self._phrase_signals(name, self._knowledge.words(text))

    def _phrase_signals(self, name: str, words: tuple[str, ...]) -> frozenset[Signal]:
        matchers = self._knowledge.phrase_matchers
        found = [lid for lid in self._phrases[name] if matchers[lid].find_words(words)]
        return frozenset((PHRASE, name, lid) for lid in found) if found else _NONE

    def _goods_signals(self, hs_code: str, description: str) -> frozenset[Signal]:
        out: set[Signal] = set()
        for finding in self._knowledge.classify_text(hs_code, description):
            out.add((GOODS_CATEGORY, finding.category.id))
            out.update((GOODS_TAG, tag) for tag in finding.category.tags)
        return frozenset(out)

    def _country_signals(self, name: str, code: str) -> frozenset[Signal]:
        tags = self._knowledge.country_tags.get(code, frozenset())
        return frozenset([(COUNTRY, name, code), *((COUNTRY_TAG, name, tag) for tag in tags)])


# How often a kind of signal is raised by ordinary trade, rarest first.
_KIND_RANK = {PARTY_TAG: 0, PARTY_ID: 0, PARTY: 1, PHRASE: 2, GOODS_CATEGORY: 3, GOODS_TAG: 3,
              COUNTRY: 4, COUNTRY_TAG: 4, NUMBER: 5, DIFFERS: 6, PRESENT: 6}  # fmt: skip


def _commonness(c: frozenset[Signal]) -> tuple[int, int]:
    return max((_KIND_RANK[s[0]] for s in c), default=-1), len(c)


# Fields whose values the quiet lane reads as more than text: countries, HS codes.
_CODED = frozenset((*COUNTRY_FIELDS, *LIST_COUNTRY_FIELDS, "hs_code"))


def _picker(columns: Sequence[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A function giving the cells of ``columns`` from a row's cells, as a tuple."""
    if len(columns) < 2:
        return lambda cells: tuple(cells[i] for i in columns)
    return operator.itemgetter(*columns)


class QuietLane:
    """Tells, from a row's cells alone, that the full path would screen it quiet with nothing to
    note: every value readable, no gate open.  Such a row scores as no hit at all, without a
    record, facts or result being built; any other row takes the full path.

    It reads the cells as :func:`engine.reading.record.read_raw` does (stripped, empty meaning
    absent), and raises the signals :meth:`RuleGates.signals` raises, through the same caches, as
    bits: one bit for each clause of each rule's gate, set when the row shows a signal of the
    clause.  A rule's gate is open when all its clause bits are set.  What each cell says is
    remembered per column for the cells seen lately: a trade file repeats its parties, countries
    and goods, so most rows cost a dictionary look-up a cell.  ``tests/test_lane.py`` checks that
    the lane and the full path agree.
    """

    # A cell's code: bits OR-ed over the row.  _FULL: the row needs the full path; _NEED: a cell
    # of NEEDS_ONE holds a value; the clause bits from _CLAUSE up.
    _FULL = 1
    _NEED = 2
    _CLAUSE = 4

    def __init__(self, gates: RuleGates, fields: Sequence[str | None]) -> None:
        column = {f: i for i, f in enumerate(fields) if f}
        knowledge = gates._knowledge
        self._gates = gates
        self._enabled = gates._trigger is not None
        self._match = knowledge.matcher.match
        self._resolve = knowledge.resolver.resolve
        self._resolve_list = knowledge.resolver.resolve_list
        self._read_country = knowledge.resolver.read
        # Each clause's bit; each signal's bits (those of the clauses holding it); each rule's.
        bits: dict[Signal, int] = {}
        self._rules: list[int] = []
        bit = self._CLAUSE
        for gate in gates.gates:
            mask = 0
            for signals in gate:
                for signal in signals:
                    bits[signal] = bits.get(signal, 0) | bit
                mask |= bit
                bit <<= 1
            self._rules.append(mask)
        self._bits = bits
        # A row sets none of these bits unless some gate opens (one clause of each rule).
        trigger = gates._trigger or _NONE
        self._trigger = functools.reduce(operator.or_, map(bits.__getitem__, trigger), 0)
        self._differs = [
            (s, bits[s], column[s[1]], [column[f] for f in s[2:] if f in column])
            for s in gates._differs
            if s[1] in column
        ]
        self._differ_bits = functools.reduce(operator.or_, (d[1] for d in self._differs), 0)
        # Numeric cells, with the bits a number (or any value) in them sets.
        self._numbers = [
            (column[f], bits.get((NUMBER, f), 0) | bits.get((PRESENT, f), 0))
            for f in NUMERIC_FIELDS
            if f in column
        ]
        checked = {column[f] for f in NEEDS_ONE if f in column}
        checked.update(column[r] for r in gates._roles if r in column)
        checked.update(column[f] for f in gates._phrase_fields if f in column)
        checked.update(column[f] for f in COUNTRY_FIELDS if f in column)
        checked.update(column[f] for f in LIST_COUNTRY_FIELDS if f in column)
        checked.update(column[f] for f in gates._present if f in column)
        checked.update(column[f] for f in READ_FIELDS if f in column)  # unread: a note to make
        checked.difference_update(i for i, _ in self._numbers)
        self._fields = {i: f for f, i in column.items()}
        self._needs = {column[f] for f in NEEDS_ONE if f in column}
        self._roles = {column[r] for r in gates._roles if r in column}
        self._phrase_columns = {column[f] for f in gates._phrase_fields if f in column}
        # Text too long to be searched whole gets a note (read_raw), so its row the full path:
        # the checked cells say so when they are read, the others are measured on each row.
        self._searched = {column[f] for f in SEARCHED_FIELDS if f in column}
        self._long_unchecked = sorted(self._searched - checked)
        # The checked cells of a row, and what each column's cells seen lately say (a table is
        # emptied when it holds its limit of cells: memory stays flat).
        self._checked = sorted(checked)
        self._pick = _picker(self._checked)
        self._tables: list[dict[str, int]] = [{} for _ in self._checked]
        # Party names are many (and mostly resemble no listed name, which the matcher remembers
        # compactly): fewer of them are kept.
        self._limits = [caches.NAMES if i in self._roles else caches.VALUES for i in self._checked]
        # How a column's new cells are read: a party's name that no phrase list is looked for
        # in (most of them) says only whether a list resembles it.
        self._coders = [
            self._name_code
            if i in self._roles and i not in self._phrase_columns and self._fields[i] not in _CODED
            else self._code
            for i in self._checked
        ]
        self._hs = column.get("hs_code")
        self._description = column.get("description")
        self._goods: dict[tuple[str, str], int] = {}
        self._id = column.get("shipment_id")

    def shipment_id(self, cells: list[str], line: int) -> str:
        """The shipment id of a row, as the full path gives it."""
        text = cells[self._id].strip() if self._id is not None else ""
        return text or f"row-{line}"

    def verdict(self, cells: list[str]) -> int:
        """QUIET: nothing to note and no gate open; MAYBE: nothing to note, but a gate opens, so
        the row's rules must be evaluated (:meth:`open_rules`); FULL: the row needs the full path
        (a note to make, a name a list resembles, a row that cannot be screened)."""
        code = self._row_code(cells)
        if code is None:
            return FULL
        if not code & self._trigger:
            return QUIET
        for mask in self._rules:
            if code & mask == mask:
                return MAYBE
        return QUIET

    def open_rules(self, cells: list[str]) -> list[Rule]:
        """The rules whose gates a row the lane does not send the full path opens, in rule order:
        what :meth:`RuleGates.open_rules` gives for the row's record."""
        code = self._row_code(cells)
        if code is None:
            raise ValueError("the row needs the full path")
        return [
            rule
            for rule, mask in zip(self._gates._rules, self._rules, strict=True)
            if code & mask == mask
        ]

    def _row_code(self, cells: list[str]) -> int | None:
        """The clause bits the row sets (with its DIFFERS bits where they could open a gate), or
        None if the row needs the full path."""
        if not self._enabled:
            return None
        picked = self._pick(cells)
        codes = list(map(dict.get, self._tables, picked))
        if None in codes:
            for n, found in enumerate(codes):
                if found is None:
                    known, i, cell = self._tables[n], self._checked[n], picked[n]
                    codes[n] = found = self._coders[n](i, cell)
                    if len(cell) > EXAMINED_LENGTH:
                        continue  # not remembered: a long cell would stay in memory
                    if len(known) >= self._limits[n]:
                        known.clear()
                    known[cell] = found
        code: int = functools.reduce(operator.or_, codes, 0)
        if code & self._FULL or not code & self._NEED:
            return None
        for i in self._long_unchecked:
            if len(cells[i]) > EXAMINED_LENGTH and len(cells[i].strip()) > EXAMINED_LENGTH:
                return None
        for i, number_bits in self._numbers:
            text = cells[i]
            if text.isdigit() and text.isascii():  # a plain number, as most are
                code |= number_bits
            elif text := text.strip():
                if parse_number(text) is None:
                    return None
                code |= number_bits
        if self._hs is not None or self._description is not None:
            key = (
                cells[self._hs] if self._hs is not None else "",
                cells[self._description] if self._description is not None else "",
            )
            goods = self._goods.get(key)
            if goods is None:
                goods = self._goods_code(*key)
                if len(self._goods) >= caches.VALUES:
                    self._goods.clear()
                if len(key[1]) <= EXAMINED_LENGTH:
                    self._goods[key] = goods
            if goods & self._FULL:
                return None
            code |= goods
        if code & self._trigger and self._differs and code & self._differ_bits != self._differ_bits:
            code |= self._differing(cells)
        return code

    def _mask(self, signals: Iterable[Signal]) -> int:
        bits = self._bits
        return functools.reduce(operator.or_, (bits.get(s, 0) for s in signals), 0)

    def _name_code(self, i: int, cell: str) -> int:
        """What a cell of a party's name says (as :meth:`_code`, for such a column)."""
        text = cell.strip()
        if not text:
            return 0
        if len(text) > EXAMINED_LENGTH or self._match(text):
            return self._FULL
        if not text.isascii() and SURROGATE.search(text):
            return self._FULL
        if lost_text(text) is not None or no_name(text):
            return self._FULL  # an unread name: a note to make
        need = self._NEED if i in self._needs else 0
        return need | self._bits.get((PRESENT, self._fields[i]), 0)

    def _code(self, i: int, cell: str) -> int:
        """What one cell says (see the class's codes)."""
        text = cell.strip()
        if not text:
            return 0
        if (i in self._searched and len(text) > EXAMINED_LENGTH) or (
            not text.isascii() and SURROGATE.search(text)
        ):
            return self._FULL  # a note to make
        field = self._fields[i]
        if field in READ_FIELDS and lost_text(text) is not None:
            return self._FULL  # an unread cell: a note to make
        code = self._NEED if i in self._needs else 0
        if i in self._roles and (self._match(text) or no_name(text)):
            return self._FULL
        gates = self._gates
        if i in self._phrase_columns:
            code |= self._mask(gates._phrases_in(field, text))
        if field in COUNTRY_FIELDS:
            # Unread, or read as a city (a note says so): the full path.
            country, place = self._read_country(text)
            if country is None or place is not None:
                return self._FULL
            code |= self._mask(gates._country(field, country))
        elif field in LIST_COUNTRY_FIELDS:
            codes, bad = self._resolve_list(text)
            if bad:
                return self._FULL
            for country in codes:
                code |= self._mask(gates._country(field, country))
        elif field == "hs_code" and read_hs(text)[1]:
            return self._FULL
        return code | self._bits.get((PRESENT, field), 0)

    def _goods_code(self, hs_cell: str, description_cell: str) -> int:
        """The clause bits the goods set."""
        gates = self._gates
        hs, description = hs_cell.strip(), description_cell.strip()
        if description and gates._knowledge.goods_notes(hs, description):
            return self._FULL  # the code and the words disagree: a note to make
        if gates._goods and (hs or description):
            return self._mask(gates._goods_of(hs, description))
        return 0

    def _differing(self, cells: list[str]) -> int:
        """The bits of the DIFFERS signals the row shows (its country cells are all readable)."""
        code = 0
        resolve = self._resolve
        for _, bit, mine, others in self._differs:
            country = resolve(cells[mine].strip()) if cells[mine].strip() else None
            theirs = [resolve(t) for i in others if (t := cells[i].strip())]
            if country is not None and theirs and country not in theirs:
                code |= bit
        return code
