"""Gates: a rule whose gate stays shut could not have hit (checked on generated shipments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.facts import Facts, Knowledge
from engine.reading.record import read_record
from engine.rules.gates import RuleGates
from engine.rules.ruleset import Rule, load_rules
from engine.rules.signals import OPEN
from engine.testing import any_shipments, company_names, country_spellings, listed_names

CATALOGUE = load_catalogue(bundled_dir("entities"))
KNOWLEDGE = Knowledge(CATALOGUE, as_of=dt.date(2024, 6, 1))
BUNDLED = load_rules(bundled_dir("rules"), CATALOGUE).active
OWNED = sorted(KNOWLEDGE.ownership(frozenset({"sanctioned"})))
SOME_PARTY = sorted(CATALOGUE.parties)[0]
PHRASES = sorted({p for pl in CATALOGUE.phrase_lists.values() for p in pl.phrases})
NEGATIONS = sorted({n for pl in CATALOGUE.phrase_lists.values() for n in pl.negations})

# Every kind of predicate and combinator, with the options that change what they look at.
CONDITIONS: list[dict[str, Any]] = [
    {"party_matches": {"parties": [SOME_PARTY], "roles": ["consignee", "end_user"]}},
    {"party_matches": {"tags": ["sanctioned"], "kinds": ["person"], "min_similarity": 0.8}},
    {"party_owned_by": {"tags": ["sanctioned"], "min_share": 25}},
    {"goods_in": {"categories": sorted(CATALOGUE.categories)[:3]}},
    {"country_in": {"fields": ["transit_countries", "payment_country"], "countries": ["AE"]}},
    {"country_in": {"fields": ["touch_points"], "tags": ["diversion-hub"], "countries": ["CN"]}},
    {
        "text_has_phrase": {
            "fields": ["end_user", "description", "end_use"],
            "phrases": sorted(CATALOGUE.phrase_lists),
        }
    },
    {"field_present": {"field": "transit_countries"}},
    {"field_compare": {"field": "value_usd", "op": "gt", "value": 100000}},
    {"fields_differ": {"field": "payment_country", "from": ["shipper_country", "consignee"]}},
    {
        "fields_differ": {
            "field": "payment_country",
            "from": ["shipper_country", "end_user_country"],
        }
    },
    {"any": [{"goods_in": {"tags": ["chpl"]}}, {"field_present": {"field": "end_use"}}]},
    {
        "at_least": {
            "n": 2,
            "of": [
                {"goods_in": {"tags": ["military"]}},
                {"country_in": {"fields": ["route"], "tags": ["diversion-hub"]}},
                {"party_matches": {"tags": ["named-supplier"]}},
            ],
        }
    },
    {
        "all": [
            {"not": {"goods_in": {"tags": ["chpl"]}}},
            {"country_in": {"fields": ["destination_country"], "countries": ["RU", "BY"]}},
        ]
    },
    {"not": {"field_present": {"field": "payment_country"}}},
]


def _rule(i: int, when: dict[str, Any]) -> Rule:
    return Rule.model_validate(
        {
            "id": f"probe-{i}",
            "title": "probe",
            "status": "test",
            "severity": "low",
            "weight": 0.1,
            "description": "probe",
            "when": when,
            "message": "probe",
            "falsepositives": ["none"],
        }
    )


PROBES = [_rule(i, c) for i, c in enumerate(CONDITIONS)]
GATES = RuleGates([*BUNDLED, *PROBES], KNOWLEDGE)


@st.composite
def shipments(draw: Any) -> dict[str, Any]:
    shipment = dict(draw(any_shipments(catalogue=CATALOGUE)))
    if draw(st.booleans()):
        words = draw(st.lists(st.sampled_from([*PHRASES, *NEGATIONS, "goods", "for"]), max_size=4))
        shipment[draw(st.sampled_from(["description", "end_use"]))] = " ".join(words)
    if draw(st.booleans()):
        shipment[draw(st.sampled_from(["end_user", "intermediary", "notify_party"]))] = draw(
            st.one_of(
                company_names(catalogue=CATALOGUE),
                listed_names("sanctioned", catalogue=CATALOGUE),
                st.sampled_from([CATALOGUE.parties[p].name for p in OWNED] or ["none"]),
            )
        )
    if draw(st.booleans()):
        shipment["payment_country"] = draw(country_spellings(catalogue=CATALOGUE))
    if draw(st.integers(0, 4)) == 0:  # text too long to be searched whole, wording anywhere in it
        field = draw(st.sampled_from(["description", "end_use", "end_user"]))
        text = str(shipment.get(field) or "goods")
        pad = "boxes of goods " * draw(st.integers(1_000, 2_000))
        shipment[field] = draw(st.sampled_from([text + pad, pad + text, pad + text + pad]))
    return shipment


@given(shipments())
def test_a_shut_gate_means_the_rule_could_not_hit(shipment: dict[str, Any]) -> None:
    record = read_record(shipment, KNOWLEDGE.resolver, default_id="t")
    open_ids = {r.id for r in GATES.open_rules(record)}
    for clear in (True, False):
        facts = Facts(record, KNOWLEDGE, clear=clear)
        hit = {r.id for r in [*BUNDLED, *PROBES] if r.when.evaluate(facts) is not None}
        assert hit <= open_ids, f"rules hit with their gate shut: {sorted(hit - open_ids)}"


def test_the_bundled_rules_have_selective_gates() -> None:
    """Every bundled rule needs some signal, so an ordinary shipment skips them all."""
    gates = RuleGates(BUNDLED, KNOWLEDGE)
    assert all(gate != OPEN for gate in gates.gates)
    ordinary = {
        "shipper": "Bremer Textiles GmbH",
        "shipper_country": "DE",
        "consignee": "Lyon Ceramics SARL",
        "consignee_country": "FR",
        "hs_code": "6911.10",
        "description": "Porcelain tableware",
        "destination_country": "France",
    }
    assert gates.open_rules(read_record(ordinary, KNOWLEDGE.resolver, default_id="t")) == []


def test_not_opens_its_gate() -> None:
    gates = RuleGates([PROBES[-1]], KNOWLEDGE)
    assert gates.gates == (OPEN,)
    record = read_record({"consignee": "Anyone Ltd"}, KNOWLEDGE.resolver, default_id="t")
    assert [r.id for r in gates.open_rules(record)] == [PROBES[-1].id]


def test_any_keeps_a_clause_of_each_part() -> None:
    (gate,) = RuleGates([PROBES[11]], KNOWLEDGE).gates
    assert len(gate) == 1
    assert ("present", "end_use") in gate[0]
    assert ("goods-tag", "chpl") in gate[0]
