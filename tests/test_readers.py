"""HS codes, countries and phrases as shipments write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.reading.countries import CountryResolver
from engine.reading.hscodes import parse_hs
from engine.reading.phrases import PhraseMatcher

CATALOGUE = load_catalogue(bundled_dir("entities"))
RESOLVER = CountryResolver(CATALOGUE.countries)


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("8542.31", "854231"),
        ("854231", "854231"),
        ("8542 31 90", "85423190"),
        ("8542.31.0000", "8542310000"),
        ("8542310000", "8542310000"),
        ("HS 8482.10", "848210"),
        ("8542 31 900 0", "8542319000"),
        ("HTS: 8471.50.0150", "8471500150"),
        ("85", "85"),
        ("10121", "010121"),  # a leading zero lost in a spreadsheet
    ],
)
def test_hs_notations(written: str, digits: str) -> None:
    codes, problems = parse_hs(written)
    assert [c.digits for c in codes] == [digits]
    assert not problems


@pytest.mark.parametrize("written", ["abc", "N/A", "123", "99.01", "8542.31a", "12345678901"])
def test_unreadable_hs_codes_are_reported(written: str) -> None:
    codes, problems = parse_hs(written)
    assert not codes
    assert problems
    assert problems[0].written == written


def test_several_codes_in_one_cell() -> None:
    codes, _ = parse_hs("8542.31; 8541.29 | 8482.10")
    assert [c.digits for c in codes] == ["854231", "854129", "848210"]


@given(st.from_regex(r"\A[0-9]{6}\Z"))
def test_notations_of_one_code_agree(code: str) -> None:
    if not 1 <= int(code[:2]) <= 97:
        return
    forms = [code, f"{code[:4]}.{code[4:]}", f"{code[:4]} {code[4:]}", f"HS {code[:4]}.{code[4:]}"]
    assert {parse_hs(f)[0][0].digits for f in forms} == {code}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("RUS", "RU"),
        ("ru", "RU"),
        ("643", "RU"),
        ("Россия", "RU"),
        ("РФ", "RU"),
        ("Belarus", "BY"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Turkey", "TR"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("United Arab Emirates", "AE"),
        ("Kyrgyz Republic", "KG"),
        ("Kyrgyzstan", "KG"),
        ("Кыргызстан", "KG"),
        ("Hong Kong SAR", "HK"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("UK", "GB"),
        ("United States", "US"),
        ("USA", "US"),
        ("Georgia", "GE"),
        ("GE", "GE"),
    ],
)
def test_country_spellings(written: str, code: str) -> None:
    assert RESOLVER.resolve(written) == code


def test_unknown_countries_and_transit_lists() -> None:
    assert RESOLVER.resolve("Atlantis") is None
    assert RESOLVER.resolve_list("TR; AM, Kazakhstan | Atlantis") == (
        ("TR", "AM", "KZ"),
        ("Atlantis",),
    )


def _find(list_id: str, text: str) -> list[str]:
    plist = CATALOGUE.phrase_lists[list_id]
    return [m for _, m in PhraseMatcher(plist.phrases, plist.negations).find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "for special military operation",
        "Leather shoes СВО",
        "для нужд СВО",
        "в зону специальной военной операции",
        "Goods for the army",
        "SMO",
    ],
)
def test_military_end_use_wording(text: str) -> None:
    assert _find("military-end-use", text)


@pytest.mark.parametrize(
    "text",
    [
        "Smoke detectors",
        "Military green paint",
        "not for military use",
        "не для военных целей",
        "Svobodny Trading",
    ],
)
def test_no_military_end_use_wording(text: str) -> None:
    assert not _find("military-end-use", text)


def test_overlapping_phrases_report_the_longest() -> None:
    assert _find("military-end-use", "для нужд СВО") == ["для нужд сво"]
