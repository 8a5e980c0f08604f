"""Name normalisation and party matching: variants that must match, look-alikes that must not."""

from __future__ import annotations

import pytest

from engine import Screener
from engine.bundled import bundled_dir
from engine.entities import load_catalogue
from engine.names import NameNormaliser, skeleton

NORMALISER = NameNormaliser(load_catalogue(bundled_dir("entities")).name_words)
THRESHOLD = 0.88  # the default rules' min_similarity


def words(name: str) -> list[str]:
    return [t.text for t in NORMALISER.key(name).tokens]


@pytest.mark.parametrize(
    ("name", "expected", "forms"),
    [
        ("ROSOBORONEKSPORT OAO", ["rosoboroneksport"], ("jsc",)),
        ("АО «Рособоронэкспорт»", ["rosoboroneksport"], ("jsc",)),
        ("Госкорпорация «Ростех»", ["rostekh"], ("state-corporation",)),
        (
            "Fujian Nan'an Baofeng Electronic Co., Ltd.",
            ["fujian", "nanan", "baofeng", "electronic"],
            ("ltd",),
        ),
        ("保利科技有限公司", ["baolikeji"], ("ltd",)),
        ("Istanbul Elektronik Ltd. Şti.", ["istanbul", "elektronik"], ("llc",)),
        ("Poly Technologies, Inc. (China)", ["poly", "technologies", "china"], ("inc",)),
        (
            "  Wuhan  Global Sensor Tech Co Ltd ",
            ["wuhan", "global", "sensor", "technology"],
            ("ltd",),
        ),
        ("U.A.E. Trading L.L.C.", ["uae", "trading"], ("llc",)),
        ("Company Limited", ["company", "limited"], ()),
    ],
)
def test_normalisation(name: str, expected: list[str], forms: tuple[str, ...]) -> None:
    key = NORMALISER.key(name)
    assert [t.text for t in key.tokens] == expected
    assert key.legal_forms == forms


def test_invisible_characters_and_lookalike_letters_are_folded() -> None:
    assert words("POLY\u200b TECH\u00adNOLOGIES") == ["poly", "technologies"]
    # Latin with Cyrillic "о" and "с" (a disguise) reads as Latin
    assert words("Rоstес") == ["rostec"]
    # a word wholly in Cyrillic is transliterated, not mapped letter by letter
    assert words("Ростех") == ["rostekh"]


def test_normalisation_is_idempotent_on_its_output() -> None:
    for name in ["АО «Рособоронэкспорт»", "Wuhan Global Sensor Tech Co Ltd", "保利科技有限公司"]:
        once = NORMALISER.key(name).text
        assert NORMALISER.key(once).text == once


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("rosoboroneksport", "rosoboronexport"),
        ("rostekh", "rosteh"),
        ("tsentr", "centr"),
        ("yantai", "iantai"),
    ],
)
def test_transliteration_variants_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(
    ("name", "party_id"),
    [
        ("JSC Rosoboronexport", "rosoboronexport"),
        ("Rosoboron Export", "rosoboronexport"),
        ("Rosoboronexpert", "rosoboronexport"),  # one typo in a long name
        ("Рособоронэкспорт", "rosoboronexport"),
        ("STATE CORPORATION ROSTEC", "rostec"),
        ("ROSTEKH STATE CORP", "rostec"),
        ("Roѕtec", "rostec"),  # Cyrillic "ѕ" in a Latin word
        ("АО «КРЭТ»", "kret"),
        ("KRET JSC", "kret"),
        ("Concern KRET", "kret"),
        ("Kontsern Radioelektronnye Tekhnologii", "kret"),
        ("JOINT STOCK COMPANY CONCERN RADIO ELECTRONIC TECHNOLOGIES", "kret"),
        ("Yantai IRay Tech", "iray-technology"),
        ("Poly Technologies Inc. (China)", "poly-technologies"),
        ("Global Sensor Technology (Wuhan)", "wuhan-global-sensor"),
        ("WUHAN TONGSHENG TECH CO LTD", "wuhan-tongsheng"),
        ("海康威视", "hikvision"),
        ("大疆", "dji"),
        ("SZ DJI Tech", "dji"),
        ("Мегафон", "megafon"),
        ("AVIC Intl Holding Corporation", "avic-international"),
    ],
)
def test_variants_match(screener: Screener, name: str, party_id: str) -> None:
    matches = screener.match(name, min_similarity=THRESHOLD)
    assert matches, name
    assert matches[0].party_id == party_id


@pytest.mark.parametrize(
    "name",
    [
        "Rostelecom PJSC",  # shares a prefix only
        "Kretschmer Bau GmbH",  # a short name inside a longer word
        "Polytech Industries GmbH",
        "Global Sensor Systems Inc.",  # generic words only
        "Baoli Furniture Co., Ltd.",
        "Sunray Lighting Ltd",
        "Hikari Optics KK",
        "DJL Trading GmbH",
        "Huaxin Electronics Co., Ltd.",
        "North China Pharmaceutical Group",
        "Avicenna Pharma Ltd",
        "Tongsheng Garments Co., Ltd.",
        "Poly Trading Co",
        "Technology Trading Co",
        "Russian Trading House",
        "State Corporation",
        "Dji Baby Store",
        "Polytechnic Institute",
    ],
)
def test_look_alikes_do_not_match(screener: Screener, name: str) -> None:
    assert screener.match(name, min_similarity=THRESHOLD) == []


def test_names_differing_in_a_number_do_not_match() -> None:
    from engine.matching import compare

    a, b = NORMALISER.key("Sibir Trade LLC"), NORMALISER.key("Sibir Trade 2 LLC")
    assert compare(a, b)[0] < THRESHOLD
    assert compare(a, NORMALISER.key("Sibir Trade OOO"))[0] == 1.0


def test_a_match_explains_itself(screener: Screener) -> None:
    match = screener.match("ROSOBORONEKSPORT OAO")[0]
    assert match.query == "ROSOBORONEKSPORT OAO"
    assert match.entry_name == "JSC Rosoboronexport"
    assert match.similarity == 1.0
    assert "legal forms set aside: jsc" in match.detail()
    assert match.pairs[0].kind == "exact"
    fuzzy = screener.match("Rosoboronexpert")[0]
    assert any(p.kind == "fuzzy" for p in fuzzy.pairs)


def test_empty_and_blank_names_match_nothing(screener: Screener) -> None:
    assert screener.match("") == []
    assert screener.match("   ") == []
    assert screener.match("!!!") == []
