"""Each predicate and combinator, evaluated against small shipments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.facts import Facts, Knowledge
from engine.reading.record import read_record
from engine.rules.conditions import Condition

KNOWLEDGE = Knowledge(load_catalogue(bundled_dir("entities")), as_of=dt.date(2024, 6, 1))
ADAPTER: TypeAdapter[Any] = TypeAdapter(Condition)


def evaluate(condition: dict[str, Any], shipment: dict[str, Any]) -> Any:
    node = ADAPTER.validate_python(condition)
    record = read_record(shipment, KNOWLEDGE.resolver, default_id="t")
    return node.evaluate(Facts(record, KNOWLEDGE))


CHPL = {"goods_in": {"tags": ["chpl"]}}
TO_RU = {"country_in": {"fields": ["destination_country"], "tags": ["sanctioned-destination"]}}


def test_all_any_not() -> None:
    ship = {"hs_code": "8542.31", "destination_country": "Russia"}
    assert evaluate({"all": [CHPL, TO_RU]}, ship) is not None
    assert evaluate({"all": [CHPL, TO_RU]}, {**ship, "destination_country": "FR"}) is None
    assert evaluate({"any": [TO_RU, CHPL]}, {**ship, "destination_country": "FR"}) is not None
    assert evaluate({"not": CHPL}, ship) is None
    assert evaluate({"not": CHPL}, {"hs_code": "0901.21"}) == (1.0, [])


def test_at_least() -> None:
    pay = {"country_in": {"fields": ["payment_country"], "tags": ["diversion-hub"]}}
    cond = {"at_least": {"n": 2, "of": [CHPL, TO_RU, pay]}}
    assert evaluate(cond, {"hs_code": "8542.31", "payment_country": "AE"}) is not None
    assert evaluate(cond, {"hs_code": "8542.31", "payment_country": "FR"}) is None
    with pytest.raises(ValueError, match="n is 4 but there are only 3"):
        ADAPTER.validate_python({"at_least": {"n": 4, "of": [CHPL, TO_RU, pay]}})


def test_party_strength_is_the_similarity() -> None:
    cond = {"party_matches": {"tags": ["sanctioned"], "min_similarity": 0.8}}
    strength, evidence = evaluate(cond, {"consignee": "Rosoboronexpert"})
    assert 0.8 <= strength < 1.0
    assert evidence[0].similarity == strength
    assert evidence[0].field == "consignee"
    assert evaluate(cond, {"consignee": "Rosoboronexport"})[0] == 1.0


def test_party_roles_restrict_the_match() -> None:
    cond = {"party_matches": {"roles": ["shipper"], "tags": ["sanctioned"]}}
    assert evaluate(cond, {"consignee": "Rostec"}) is None
    assert evaluate(cond, {"shipper": "Rostec"}) is not None


def test_party_by_id() -> None:
    cond = {"party_matches": {"parties": ["huawei"]}}
    assert evaluate(cond, {"shipper": "Huawei Technologies"}) is not None
    assert evaluate(cond, {"shipper": "Hikvision"}) is None


def test_goods_by_category_and_by_description() -> None:
    armour = {"goods_in": {"categories": ["body-armour"]}}
    assert evaluate(armour, {"hs_code": "6307.90", "description": "Bulletproof vests"}) is not None
    assert evaluate(armour, {"hs_code": "6307.90", "description": "Cotton aprons"}) is None
    drones = {"goods_in": {"categories": ["drones"]}}
    # an HS code that can be read decides; the description decides only without one
    assert evaluate(drones, {"hs_code": "9503.00", "description": "Toy drones"}) is None
    assert evaluate(drones, {"description": "Quadcopter drones"}) is not None
    helmets = {"goods_in": {"tags": ["military"]}}
    assert evaluate(helmets, {"hs_code": "6506.10", "description": "Bicycle helmets"}) is None
    assert evaluate(helmets, {"hs_code": "6506.10", "description": "Ballistic helmets"}) is not None


def test_country_groups_and_transit() -> None:
    hub = {"country_in": {"fields": ["route"], "tags": ["diversion-hub"]}}
    assert evaluate(hub, {"hs_code": "85", "transit_countries": "FR; Kazakhstan"}) is not None
    assert evaluate(hub, {"hs_code": "85", "consignee_country": "KZ"}) is None
    listed = {"country_in": {"fields": ["parties"], "countries": ["CN"]}}
    assert evaluate(listed, {"shipper": "X", "shipper_country": "China"}) is not None


def test_text_has_phrase_in_party_names() -> None:
    cond = {"text_has_phrase": {"fields": ["end_user"], "phrases": ["logistics-companies"]}}
    assert evaluate(cond, {"end_user": "Falcon Freight Forwarding FZE"}) is not None
    assert evaluate(cond, {"end_user": "Falcon Textile Mills FZE"}) is None


LOGISTICS = {"text_has_phrase": {"fields": ["end_user"], "phrases": ["logistics-companies"]}}
TRADE_NAMES = ["Silk Road Cargo LLC", "Cargo Services FZE", "Logistics Mongolia LLC", "Altai Cargo"]
NOT_TRADE_NAMES = ["Cargo Pants Outlet LLC", "Cargo Shorts Wholesale", "Logistic Regression Labs"]


@pytest.mark.parametrize("name", TRADE_NAMES)
def test_a_one_word_trade_names_a_logistics_firm(name: str) -> None:
    assert evaluate(LOGISTICS, {"end_user": name}) is not None


@pytest.mark.parametrize("name", NOT_TRADE_NAMES)
def test_a_trade_word_before_other_goods_is_not_a_logistics_firm(name: str) -> None:
    """'Cargo' in 'Cargo Pants Outlet' names the goods, not the firm's trade."""
    assert evaluate(LOGISTICS, {"end_user": name}) is None


def test_the_trade_rule_is_what_tells_them_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the trade rule off, the clothes shop reads as a logistics firm: the test above is not
    vacuous."""
    from engine.reading.phrases import PhraseMatcher

    monkeypatch.setattr(PhraseMatcher, "_names_trade", lambda self, words, span, phrase: True)
    assert evaluate(LOGISTICS, {"end_user": "Cargo Pants Outlet LLC"}) is not None


def test_long_text_evidence_quotes_an_excerpt() -> None:
    """Evidence on a field too long to quote names what matched, how often and where, with an
    excerpt: never the whole field."""
    military = {"text_has_phrase": {"fields": ["description"], "phrases": ["military-end-use"]}}
    text = "Cartons " * 100 + "for the army " * 2_000
    _, [evidence] = evaluate(military, {"description": text})
    assert evidence.matched == "for the army"
    assert evidence.detail.startswith(
        "description contains 'for the army' (Military end-use wording), 1,476 times, first at "
        "character 801: '…Cartons Cartons"
    )
    assert len(evidence.value) < 200
    drones = {"goods_in": {"categories": ["drones"]}}
    _, [goods] = evaluate(drones, {"description": "Cartons " * 3_000 + "quadcopter drones"})
    assert goods.value.endswith("Cartons quadcopter drones")
    assert len(goods.value) < 200
    present = {"field_present": {"field": "end_use"}}
    _, [given] = evaluate(present, {"shipper": "X", "end_use": "Resale " * 1_000})
    assert given.value.endswith("Resale… (6,999 characters)")
    assert len(given.detail) < 200


def test_field_present_and_compare() -> None:
    assert evaluate({"field_present": {"field": "end_user"}}, {"end_user": "X"}) is not None
    assert evaluate({"field_present": {"field": "end_user"}}, {"shipper": "X"}) is None
    big = {"field_compare": {"field": "value_usd", "op": "ge", "value": 100000}}
    assert evaluate(big, {"shipper": "X", "value_usd": "$120,000"}) is not None
    assert evaluate(big, {"shipper": "X", "value_usd": "90000"}) is None
    assert evaluate(big, {"shipper": "X", "value_usd": "a lot"}) is None


def test_fields_differ() -> None:
    cond = {
        "fields_differ": {
            "field": "payment_country",
            "from": ["shipper_country", "consignee_country"],
        }
    }
    ship = {"shipper": "X", "shipper_country": "CN", "consignee_country": "IE"}
    assert evaluate(cond, {**ship, "payment_country": "AE"}) is not None
    assert evaluate(cond, {**ship, "payment_country": "Ireland"}) is None
    assert evaluate(cond, {"shipper": "X", "payment_country": "AE"}) is None  # nothing to compare
    assert evaluate(cond, ship) is None


def test_a_condition_never_raises_on_odd_data() -> None:
    cond = {"all": [CHPL, TO_RU, {"field_compare": {"field": "quantity", "op": "gt", "value": 1}}]}
    for ship in [{"shipper": "X"}, {"hs_code": "garbage", "destination_country": "???"}]:
        assert evaluate(cond, ship) is None
