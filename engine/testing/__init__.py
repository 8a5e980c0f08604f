"""Hypothesis strategies for testing rule sets: realistic shipments and their parts.

Install with ``pip install 'shipscreen[testing]'`` (hypothesis is an optional dependency).

A compliance team tests its own rule the way engineers test code::

    from hypothesis import given
    from engine import Screener
    from engine.testing.strategies import shipments

    screener = Screener.load(rules="my-rules/")

    @given(shipments(destination="RU", goods_tag="chpl"))
    def test_chips_to_russia_are_high(shipment):
        assert screener.screen(shipment).band in {"high", "critical"}

Strategies read the bundled catalogue unless given another one (``catalogue=``):

- names: :func:`company_names` (Latin, Cyrillic, Chinese, with legal forms), :func:`legal_forms`,
  :func:`name_variants` (variants that must still match: case, spacing, punctuation, legal form),
  :func:`evasions` (what a diverter does: typos, look-alike letters, invisible characters, word
  order, transliteration, a place in brackets), :func:`listed_names` and :func:`disguised_names`,
  :func:`wrapped_cells` and :func:`decoys` (party cells), :func:`person_variants` (a person's
  name in any order, middle names dropped or as initials, a title, another given-name spelling);
- goods: :func:`hs_codes` in every notation the reader accepts (``tag=``, ``category=`` or
  ``code=``), :func:`hs_notations` of one code, :func:`invalid_hs_codes`, :func:`ordinary_hs_codes`;
- places and money: :func:`country_spellings`, :func:`routes`, :func:`values`;
- wording: :func:`wordings` (a phrase of a phrase list, inflected) and :func:`reworded` (a text
  written as diverters write it, saying the same: look-alikes, entities, abbreviations, an
  unrelated negation around it);
- whole records: :func:`shipments` (optionally constrained) and :func:`ordinary_shipments` (no
  indicator at all).
"""

from __future__ import annotations

from engine.testing.strategies import (
    CI_PROFILE,
    DEV_PROFILE,
    SearchStrategy,
    any_shipments,
    bundled_catalogue,
    company_names,
    country_spellings,
    decoys,
    disguised_names,
    evasions,
    hs_codes,
    hs_notation_list,
    hs_notations,
    invalid_hs_codes,
    legal_forms,
    listed_names,
    name_variants,
    ordinary_hs_codes,
    ordinary_shipments,
    person_variants,
    register_profiles,
    reworded,
    routes,
    shipments,
    values,
    wordings,
    wrapped_cells,
)

__all__ = [
    "CI_PROFILE",
    "DEV_PROFILE",
    "SearchStrategy",
    "any_shipments",
    "bundled_catalogue",
    "company_names",
    "country_spellings",
    "decoys",
    "disguised_names",
    "evasions",
    "hs_codes",
    "hs_notation_list",
    "hs_notations",
    "invalid_hs_codes",
    "legal_forms",
    "listed_names",
    "name_variants",
    "ordinary_hs_codes",
    "ordinary_shipments",
    "person_variants",
    "register_profiles",
    "reworded",
    "routes",
    "shipments",
    "values",
    "wordings",
    "wrapped_cells",
]
