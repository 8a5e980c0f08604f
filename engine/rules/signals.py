"""Signals and gates: what a condition needs a shipment to show before it can hold.

A *signal* is a cheap fact about one field value (a party name matches an entry with a tag, a
country field resolves to a country with a tag, a phrase list is found in a text field...).  A
*gate* is a conjunction of clauses, each a set of signals of which a shipment must show at least
one for a condition to be able to hold.  Each condition node reduces itself to a gate
(:meth:`engine.rules.conditions._Node.gate`); :mod:`engine.rules.gates` raises the signals of
shipments and opens the gates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# A signal: (kind, field or role, detail).
Signal = tuple[str, ...]
# A gate: clauses that must each share a signal with the shipment; () is always open.
Gate = tuple[frozenset[Signal], ...]

PARTY = "party"  # (PARTY, role): the party in ``role`` matches some list entry
PARTY_TAG = "party-tag"  # (PARTY_TAG, role, tag): ... an entry carrying ``tag``
PARTY_ID = "party-id"  # (PARTY_ID, role, id): ... the entry ``id``
GOODS_CATEGORY = "goods-category"  # (GOODS_CATEGORY, id): the goods fall in a category
GOODS_TAG = "goods-tag"  # (GOODS_TAG, tag): ... in a category carrying ``tag``
COUNTRY = "country"  # (COUNTRY, field, code): a country field resolves to ``code``
COUNTRY_TAG = "country-tag"  # (COUNTRY_TAG, field, tag): ... to a country carrying ``tag``
PHRASE = "phrase"  # (PHRASE, field, list): a text field holds a phrase of the list
PRESENT = "present"  # (PRESENT, field): a field has a value
DIFFERS = "differs"  # (DIFFERS, field, *others): a country field's code is none of the others
NUMBER = "number"  # (NUMBER, field): a numeric field holds a number

OPEN: Gate = ()


def clause(signals: Iterable[Signal]) -> Gate:
    """A gate of one clause."""
    return (frozenset(signals),)


def either(gates: Sequence[Gate]) -> Gate:
    """A gate open when any of ``gates`` is: one clause of each, merged (open if any is open)."""
    if any(not g for g in gates):
        return OPEN
    # Any clause of a part is implied by it; the smallest keeps the merged clause tightest.
    return clause(s for g in gates for s in min(g, key=len))


def both(gates: Sequence[Gate]) -> Gate:
    """A gate open when all of ``gates`` are."""
    return tuple(c for g in gates for c in g)
