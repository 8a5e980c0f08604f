"""Cities in country cells (issue 15, item 4): a city or free zone named without its country is
found in the gazetteer, plainly one country's or said to be ambiguous, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Screener
from engine.reading import gazetteer
from engine.reading.countries import CountryResolver

SCREENER = Screener.default()
RESOLVER = CountryResolver(SCREENER.catalogue.countries)

# Cities as shipment files write them, with the country they are in.
CITIES = {
    "RU": ["Moscow", "Москва", "Saint Petersburg", "Novosibirsk", "Yekaterinburg"],
    "BY": ["Minsk", "Минск", "Grodno", "Gomel", "Vitebsk"],
    "AE": ["Dubai", "Abu Dhabi", "Sharjah", "Ajman"],
    "TR": ["Istanbul", "İstanbul", "Ankara", "Mersin"],
    "KZ": ["Almaty", "Алматы", "Astana", "Shymkent"],
    "KG": ["Bishkek", "Бишкек", "Karakol"],
    "UZ": ["Tashkent", "Ташкент", "Bukhara", "Namangan"],
    "AM": ["Yerevan", "Gyumri"],
    "GE": ["Tbilisi", "Batumi", "Kutaisi"],
    "CN": ["Shenzhen", "Shanghai", "Ningbo"],
    "DE": ["Hamburg", "Frankfurt am Main"],
}


@pytest.mark.parametrize(
    ("cell", "code"),
    [(city, code) for code, cities in CITIES.items() for city in cities]
    + [
        ("Jebel Ali Free Zone, Dubai", "AE"),
        ("Hong Kong SAR, China", "HK"),
        ("Valencia", None),  # Spain's and Venezuela's alike
        ("Brest", None),  # Belarus's 347,000, France's 145,000: not plainly either
        ("Osh", None),
        ("Springfield, Narnia", "US"),
        ("Narnia", None),
    ],
)
def test_cities(cell: str, code: str | None) -> None:
    assert RESOLVER.resolve(cell) == code


def test_the_evidence_says_how_a_city_was_read() -> None:
    result = SCREENER.screen(
        {"consignee": "Orion LLC", "hs_code": "8542.31", "destination_country": "Moscow"}
    )
    assert result.band == "high"
    [note] = result.notes
    assert "read as RU: is a city of" in note
    assert "smaller cities of the name in US" in note
    ambiguous = SCREENER.screen({"consignee": "Orion LLC", "destination_country": "Valencia"})
    assert ambiguous.unread == ["destination_country"]
    assert "names cities in" in ambiguous.notes[0]


def _hub_row(destination: str) -> dict[str, str]:
    return {
        "consignee": "Orion Supply LLC",
        "hs_code": "8542.31",
        "destination_country": destination,
    }


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(CITIES)).flatmap(
        lambda c: st.tuples(st.just(c), st.sampled_from(CITIES[c]))
    )
)
def test_a_city_for_its_country_keeps_the_band(pair: tuple[str, str]) -> None:
    """Metamorphic: the destination written as its city, alone or with its country, screens as
    the country does."""
    code, city = pair
    band = SCREENER.screen(_hub_row(code)).band
    assert SCREENER.screen(_hub_row(city)).band == band
    name = RESOLVER.name(code)
    assert SCREENER.screen(_hub_row(f"{city}, {name}")).band == band


def test_the_city_property_fails_without_the_gazetteer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer.Gazetteer, "find", lambda self, text: None)
    resolver = CountryResolver(SCREENER.catalogue.countries)
    assert [resolver.resolve(c) for c in ("Moscow", "Dubai", "Yekaterinburg")] == [None] * 3


RUSSIAN_CASES = [
    ("России", "RU"),
    ("в Россию", "RU"),
    ("Российской Федерации", "RU"),
    ("из Беларуси", "BY"),
    ("Казахстана", "KZ"),
    ("Китая", "CN"),
    ("Грузии", "GE"),
    ("Армении", "AM"),
    ("Турции", "TR"),
    ("Узбекистана", "UZ"),
    ("Киргизии", "KG"),
    ("Ўзбекистон", "UZ"),
    ("Кыргыз Республикасы", "KG"),
    ("Rosja", "RU"),
]


@pytest.mark.parametrize(("cell", "code"), RUSSIAN_CASES)
def test_country_names_in_russian_cases_and_the_region_s_languages(cell: str, code: str) -> None:
    assert RESOLVER.resolve(cell) == code


def test_the_case_forms_fail_without_the_stem_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.reading import countries

    monkeypatch.setattr(countries, "_stem_keys", lambda text: ())
    resolver = CountryResolver(SCREENER.catalogue.countries)
    assert resolver.resolve("России") is None
    assert resolver.resolve("Казахстана") is None


# ------------------------------------------------------- zones, regions, languages, word order

PLACES = [
    ("Jebel Ali Free Zone", "AE"),
    ("JAFZA", "AE"),
    ("Plot S30211, JAFZA South", "AE"),
    ("Poti FIZ", "GE"),
    ("ОЭЗ «Алабуга»", "RU"),
    ("Great Stone Industrial Park", "BY"),
    ("St. Petersburg, Florida", "US"),  # a region beside the city: Florida's, not Russia's
    ("Atlanta, Georgia, USA", "US"),
    ("Georgia (USA)", "US"),
    ("Armenia (Quindío), COL", "CO"),
    ("Moskva", "RU"),  # a region of one country, named alone
    ("Bayern", "DE"),
    ("Florida", None),  # a region of the US and of Uruguay
    ("Georgia, Armenia", None),  # two countries: not read as the US state
    ("Kirghizistan, Och", "KG"),  # names in the languages of trade files
    ("Russische Föderation", "RU"),
    ("Émirats arabes unis", "AE"),
    ("Kazachstan", "KZ"),
    ("г. Гродно Республики Беларусь", "BY"),  # a country among other words, in its case
    ("территория Республики Беларусь", "BY"),
    ("Moscow Russia", "RU"),
    ("12 Jordan Street Dubai", None),  # a country's name beside another country's city
    ("С.-Петербург", "RU"),  # Russian abbreviations of city names
    ("Н. Новгород", "RU"),
    ("俄罗斯 新西伯利亚", "RU"),  # a name of three Han characters among other words
    ("روسیه، سن پترزبورگ", "RU"),
    ("Russia, OH 45363, USA", "US"),  # a region's code with its postcode
    ("Atlanta, GA (Georgia), U.S.", "US"),
    ("Navoi FIEZ (Navoiy erkin iqtisodiy zonasi)", "UZ"),  # the zone before its bracket
]


@pytest.mark.parametrize(("cell", "code"), PLACES)
def test_zones_regions_languages_and_words(cell: str, code: str | None) -> None:
    assert RESOLVER.resolve(cell) == code


def test_a_free_zone_is_said_in_the_notes() -> None:
    result = SCREENER.screen(
        {"consignee": "Orion LLC", "hs_code": "8542.31", "destination_country": "JAFZA"}
    )
    assert result.band == "medium"
    assert any("is a free zone in AE" in note for note in result.notes)


@pytest.mark.parametrize(
    ("breaks", "cells"),
    [
        ("_zones", ["JAFZA", "Poti FIZ"]),
        ("_translated", ["Kirghizistan", "Russische Föderation"]),
        ("_in_words", ["г. Гродно Республики Беларусь", "Moscow Russia"]),
    ],
)
def test_each_place_reader_is_what_reads_its_cells(
    monkeypatch: pytest.MonkeyPatch, breaks: str, cells: list[str]
) -> None:
    resolver = CountryResolver(SCREENER.catalogue.countries)
    assert all(resolver.resolve(c) for c in cells)
    resolver = CountryResolver(SCREENER.catalogue.countries)
    if breaks == "_zones":
        resolver._zones = {}
    else:
        monkeypatch.setattr(resolver, breaks, {"_translated": dict}.get(breaks, lambda t: None))
    assert not any(resolver.resolve(c) for c in cells)
