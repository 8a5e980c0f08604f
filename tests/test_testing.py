"""The shipped strategies (engine.testing) make what they promise, and the README example works."""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Screener
from engine.catalogue.bundled import bundled_dir
from engine.reading.hscodes import parse_hs
from engine.testing import (
    company_names,
    country_spellings,
    disguised_names,
    hs_codes,
    hs_notation_list,
    invalid_hs_codes,
    name_variants,
    ordinary_hs_codes,
    routes,
    shipments,
    values,
)
from tests.conftest import REPO

SCREENER = Screener.default()


@given(hs_codes(tag="chpl"))
def test_hs_codes_of_a_tag_read_back_into_it(code: str) -> None:
    assert any("chpl" in SCREENER.catalogue.categories[c].tags
               for c in SCREENER.goods_categories(code))  # fmt: skip


@given(hs_codes())
def test_every_notation_is_readable(code: str) -> None:
    codes, problems = parse_hs(code)
    assert codes
    assert not problems


@given(invalid_hs_codes())
def test_invalid_codes_are_reported(value: str) -> None:
    codes, problems = parse_hs(value)
    assert problems or not codes


@given(ordinary_hs_codes())
def test_ordinary_codes_are_in_no_category(code: str) -> None:
    assert SCREENER.goods_categories(code) == []


def test_notations_of_one_code() -> None:
    assert set(hs_notation_list("8542310000")) >= {
        "8542310000", "8542.31.0000", "8542 31 00 00", "8542 31 000 0",
    }  # fmt: skip
    assert "10121" in hs_notation_list("010121")


@given(st.sampled_from(["RU", "BY", "AE", "TR", "KG", "DE"]).flatmap(
    lambda code: st.tuples(st.just(code), country_spellings(code))))  # fmt: skip
def test_country_spellings_resolve_to_their_country(pair: tuple[str, str]) -> None:
    code, written = pair
    assert SCREENER.screen({"shipper": "X", "destination_country": written}).notes == []
    resolver = SCREENER._knowledge.resolver
    assert resolver.resolve(written) == code


@given(routes(), values())
def test_routes_and_values_are_readable(route: str, value: str) -> None:
    result = SCREENER.screen({"shipper": "X", "transit_countries": route, "value_usd": value})
    assert result.notes == []


@given(company_names().flatmap(lambda n: st.tuples(st.just(n), name_variants(n))))
def test_name_variants_match_their_name(pair: tuple[str, str]) -> None:
    name, variant = pair
    assert SCREENER.similarity(name, variant) >= 0.97


@given(disguised_names("sanctioned"))
def test_disguised_names_are_strings_with_content(name: str) -> None:
    assert SCREENER.normalise_name(name)


@given(shipments(destination="RU", goods_tag="chpl"))
def test_chpl_goods_to_russia_are_high_or_critical(shipment: dict[str, str]) -> None:
    result = SCREENER.screen(shipment)
    assert result.band in {"high", "critical"}
    assert "controlled-goods-to-russia-belarus" in result.rule_ids


@given(shipments(party_tag="sanctioned", party_role="end_user"))
def test_shipments_can_carry_a_listed_party(shipment: dict[str, str]) -> None:
    assert shipment["end_user"]


def _block(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert match, marker
    return match.group(1)


def test_the_readme_property_test_example_works(pytester: pytest.Pytester) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rule = _block(readme, "example-rule")
    test = _block(readme, "example-test")
    rules = pytester.path / "my-rules"
    shutil.copytree(bundled_dir("rules"), rules)
    (rules / "heavy-machinery-via-hub.yaml").write_text(rule, encoding="utf-8")
    (pytester.path / "test_my_rule.py").write_text(test, encoding="utf-8")
    # pytest run on the file as a user runs it (in this process: the engine is imported already).
    done = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "test_my_rule.py")
    done.assert_outcomes(passed=2)
