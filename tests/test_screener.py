"""The Screener's library API: screening, explanations, determinism, pickling."""

from __future__ import annotations

import pickle

import pytest

from engine import Screener, ScreenResult


def test_the_design_example(screener: Screener) -> None:
    result = screener.screen(
        {"shipment_id": "S1", "consignee": "Rosoboroneksport OAO", "hs_code": "8526.91"}
    )
    assert isinstance(result, ScreenResult)
    assert result.shipment_id == "S1"
    assert result.band == "critical"
    assert result.rule_ids == ["sanctioned-party"]
    assert 0 < result.score <= 100
    text = result.explain()
    assert "critical" in text
    assert "Rosoboroneksport OAO" in text
    assert "JSC Rosoboronexport" in text


def test_header_variants_are_accepted(screener: Screener) -> None:
    result = screener.screen(
        {"Consignee Name": "OOO Kamatorg", "Country of Destination": "Russia", "HS Code": "8542.31"}
    )
    assert result.rule_ids == ["controlled-goods-to-russia-belarus"]


def test_ordinary_goods_score_zero(screener: Screener) -> None:
    for destination in ["Germany", "Russia", "Kazakhstan"]:
        result = screener.screen(
            {
                "shipper": "Helios Coffee GmbH",
                "hs_code": "0901.21",
                "destination_country": destination,
            }
        )
        assert result.score == 0.0
        assert result.band == "low"
        assert result.hits == []


def test_a_row_without_parties_or_goods_is_an_error(screener: Screener) -> None:
    result = screener.screen({"shipment_id": "E1", "quantity": "10"})
    assert result.error is not None
    assert "no party or goods field" in result.error
    assert result.score is None
    assert result.band is None
    assert "not screened" in result.explain()


def test_every_hit_message_names_its_evidence(screener: Screener) -> None:
    result = screener.screen(
        {
            "shipper": "SZ DJI Technology Co., Ltd.",
            "consignee": "Dubai Star LLC",
            "consignee_country": "UAE",
            "hs_code": "8806.21",
            "description": "Quadcopter drones for civilian use",
            "payment_country": "KZ",
            "shipper_country": "CN",
        }
    )
    assert result.band == "high"
    for hit in result.hits:
        assert hit.evidence
        for ev in hit.evidence:
            assert ev.detail
            assert ev.detail in hit.message
            assert ev.value
    party = next(e for h in result.hits for e in h.evidence if e.predicate == "party_matches")
    assert party.matched == "SZ DJI Technology Co., Ltd."
    assert party.similarity == 1.0
    assert party.source
    assert "Entity List" in party.source
    assert party.alignment


def test_contributions_agree_with_the_score(screener: Screener) -> None:
    result = screener.screen(
        {"consignee": "Rostec", "consignee_country": "RU", "hs_code": "8542.31", "end_use": "СВО"}
    )
    assert len(result.hits) == 3
    assert abs(sum(h.contribution for h in result.hits) - result.score) < 0.05


def test_screening_is_deterministic(screener: Screener) -> None:
    row = {"shipper": "Hikvision", "consignee_country": "TR", "hs_code": "8525.89"}
    assert screener.screen(row) == screener.screen(dict(reversed(list(row.items()))))


def test_results_carry_digests(screener: Screener) -> None:
    result = screener.screen({"shipper": "X", "hs_code": "01"})
    assert result.ruleset_digest == screener.ruleset_digest
    assert len(result.ruleset_digest) == 64
    assert result.catalogue_digest == screener.catalogue_digest


def test_the_screener_pickles(screener: Screener) -> None:
    again = pickle.loads(pickle.dumps(screener))
    assert again.ruleset_digest == screener.ruleset_digest
    row = {"consignee": "KRET", "hs_code": "8542.31", "destination_country": "RU"}
    assert again.screen(row) == screener.screen(row)


def test_data_quality_notes(screener: Screener) -> None:
    result = screener.screen(
        {"shipper": "X", "destination_country": "Atlantis", "hs_code": "N/A", "value_usd": "lots"}
    )
    assert result.band == "low"
    assert any("Atlantis" in n for n in result.notes)
    assert any("hs_code 'N/A' cannot be read" in n for n in result.notes)
    assert any("value_usd" in n for n in result.notes)


def test_screen_many_numbers_the_rows(screener: Screener) -> None:
    results = list(screener.screen_many([{"shipper": "A"}, {"quantity": "1"}, {"shipper": "B"}]))
    assert [r.shipment_id for r in results] == ["row-1", "row-2", "row-3"]
    assert results[1].error is not None


def test_screen_takes_a_mapping(screener: Screener) -> None:
    with pytest.raises(TypeError, match="takes one shipment as a mapping"):
        screener.screen([{"consignee": "Rostec"}])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not NoneType"):
        screener.screen(None)  # type: ignore[arg-type]


def test_a_lone_surrogate_is_noted_and_the_result_serialises(screener: Screener) -> None:
    result = screener.screen({"consignee": "Rostec\ud800", "description": "Tea \udcff"})
    assert result.band == "critical"
    assert result.notes == [
        "consignee holds lone surrogates (no characters): read as U+FFFD",
        "description holds lone surrogates (no characters): read as U+FFFD",
    ]
    assert "\ufffd" in result.model_dump_json()  # serialises, the surrogates replaced
