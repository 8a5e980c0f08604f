"""HS codes, countries and phrases as shipments write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.reading import hscodes, text
from engine.reading.countries import CountryResolver
from engine.reading.hscodes import parse_hs
from engine.reading.phrases import PhraseMatcher
from engine.testing import country_spellings, hs_codes, hs_notation_list

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
        ("GTİP 8542.39.90.00.00", "8542399000"),  # a 12-digit national tariff line
        ("854239900000", "8542399000"),
        ("٨٥٤٢٣٩", "854239"),  # Arabic-Indic digits
        ("８５４２.３１", "854231"),  # full-width digits
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


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("HS8542.31", ["854231"]),
        ("HS code: 8542.31", ["854231"]),
        ("8542.31 (ICs)", ["854231"]),
        ("ICs, HS 8542.31, made in Taiwan", ["854231"]),
        ("8542-31", ["854231"]),
        ("8542\u201331", ["854231"]),  # an en dash
        ("8542\u00a031", ["854231"]),  # a no-break space
        ("8542.31&nbsp;", ["854231"]),
        ("8542,31", ["854231"]),  # a decimal comma
        ("8542.31/39", ["854231", "854239"]),
        ("8542.31 / 8541.29", ["854231", "854129"]),
        ("8542.31\n8541.29", ["854231", "854129"]),
        ("8542.31 2 pcs", ["854231"]),  # a stray number after a code of groups
        ("ТН ВЭД 8542310000", ["8542310000"]),
        ("0409.00", ["040900"]),  # a subheading without subdivisions, not a number
        # Spreadsheet damage.
        ("'854231", ["854231"]),
        ("85423100.0", ["85423100"]),  # never chapter 08
        ("8542.0", ["8542"]),
        ("10121.0", ["010121"]),
        ("8.54231E+5", ["854231"]),
        ("8.54231E+05", ["854231"]),
        ("1.0121E+4", ["010121"]),
        ("8.5423E+07", ["8542"]),  # only the digits written are certain
    ],
)
def test_hs_codes_are_found_in_the_cell(written: str, digits: list[str]) -> None:
    codes, problems = parse_hs(written)
    assert [c.digits for c in codes] == digits
    assert not problems


def test_spreadsheet_damage_is_said() -> None:
    notes = [c.note for w in ("85423100.0", "8.5423E+07", "10121") for c in parse_hs(w)[0]]
    assert notes[0] == "read '85423100.0' (a number) as 85423100"
    assert "kept only 5 digits" in str(notes[1])
    assert "a leading zero was restored" in str(notes[2])


@pytest.mark.parametrize("written", ["280.0", "8542.31a", "HS code: n/a", "12.345.678.901"])
def test_what_only_looks_like_a_code_is_reported(written: str) -> None:
    codes, problems = parse_hs(written)
    assert not codes
    assert problems


def _every_notation_reads_back(codes: list[str]) -> list[tuple[str, str]]:
    """The (code, notation) pairs whose notation does not read back as the code alone."""
    return [
        (code, form)
        for code in codes
        for form in hs_notation_list(code)
        if [c.digits for c in parse_hs(form)[0]] != [code]
    ]


@given(st.lists(hs_codes(), min_size=1, max_size=3))
def test_reading_is_unchanged_by_notation_and_damage(written: list[str]) -> None:
    """Metamorphic: a code re-notated, written among words or damaged by a spreadsheet reads as
    the same code (hs_codes draws from every such notation)."""
    digits = [parse_hs(w)[0][0].digits for w in written]
    assert not _every_notation_reads_back(digits)
    joined = parse_hs("; ".join(written))[0]
    assert [c.digits for c in joined] == list(dict.fromkeys(digits))


@pytest.mark.parametrize(
    "broken", ["_FLOAT", "_SCIENTIFIC", "_PREFIX", "_DECIMAL_COMMA", "DASHES", "_CONTINUED"]
)
def test_the_notation_property_fails_on_a_broken_reader(
    broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each repair of the reader, taken out, makes the property above fail."""
    codes = ["854231", "010121", "84713000", "9013100000"]
    if broken == "_CONTINUED":
        monkeypatch.setattr(hscodes, broken, hscodes.re.compile(r"(?!)()()()"))
        parse_hs.cache_clear()
        assert [c.digits for c in parse_hs("8542.31/39")[0]] != ["854231", "854239"]
    else:
        assert not _every_notation_reads_back(codes)
        # Dashes are folded by the shared normaliser, the rest by the HS reader.
        module = text if broken == "DASHES" else hscodes
        monkeypatch.setattr(module, broken, hscodes.re.compile(r"(?!)()()()"))
        parse_hs.cache_clear()
        assert _every_notation_reads_back(codes)
    parse_hs.cache_clear()


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
    assert RESOLVER.resolve("Narnia") is None
    assert RESOLVER.resolve_list("TR; AM, Kazakhstan | Narnia") == (
        ("TR", "AM", "KZ"),
        ("Narnia",),
    )


def _find(list_id: str, text: str) -> list[str]:
    plist = CATALOGUE.phrase_lists[list_id]
    return [m for _, m in PhraseMatcher.of_list(plist).find(text)]


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


def test_a_code_the_description_names_is_read_when_the_code_column_is_empty() -> None:
    from engine.screener import Screener

    screener = Screener.default()
    row = {"consignee": "Alfa Trading LLC", "consignee_country": "RU", "description": "parts"}
    with_code = screener.screen({**row, "hs_code": "8542.31"})
    moved = screener.screen({**row, "description": "parts, HS code: 8542.31, 1000 pcs"})
    assert moved.band == with_code.band != "low"
    assert any("read from the description" in n for n in moved.notes)
    # Other numbers of a description are no codes.
    assert screener.screen({**row, "description": "parts, model 854231, 8542 pcs"}).band == "low"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Moscow, Russia", "RU"),
        ("Россия, Москва", "RU"),
        ("Russian Federation (the)", "RU"),
        ("Kazakhstan (KZ)", "KZ"),
        ("Dubai, UAE", "AE"),
        ("Bishkek - Kyrgyzstan", "KG"),
        ("12 Lenina St, Minsk, Belarus", "BY"),
        ("Chicago, IL, USA", "US"),  # a name weighs more than a two-letter code
        ("Office 4, Korea, Republic of", "KR"),
        ("Russia / Kazakhstan", None),  # two countries: reported, not guessed
    ],
)
def test_countries_are_found_in_the_cell(written: str, code: str | None) -> None:
    assert RESOLVER.resolve(written) == code


_WRAPS = ["Office 5, Lenina St 12, {}", "{} (the)", "Free Zone - {}", "{}, Free Zone"]


def _wrapped_reads_back(spelling: str, wrap: str, resolver: CountryResolver) -> bool:
    return resolver.resolve(wrap.format(spelling)) == resolver.resolve(spelling)


@given(country_spellings(catalogue=CATALOGUE), st.sampled_from(_WRAPS))
def test_a_country_reads_the_same_among_other_words(spelling: str, wrap: str) -> None:
    """Metamorphic: a country written with an address, a city or a bracket is that country."""
    assert _wrapped_reads_back(spelling, wrap, RESOLVER)


def test_the_country_property_fails_on_a_reader_that_only_looks_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolver = CountryResolver(CATALOGUE.countries)
    monkeypatch.setattr(resolver, "_find", lambda text: None)
    monkeypatch.setattr(resolver, "_in_words", lambda text: None)
    assert not _wrapped_reads_back("Russia", _WRAPS[0], resolver)


@pytest.mark.parametrize(
    ("written", "codes"),
    [
        ("China > Kazakhstan > Russia", ("CN", "KZ", "RU")),
        ("CN → KZ → RU", ("CN", "KZ", "RU")),
        ("Turkey - Georgia - Russia", ("TR", "GE", "RU")),
        ("via Dubai, UAE then Moscow, Russia", ("AE", "RU")),
        ("Bishkek - Kyrgyzstan", ("KG",)),
        ("Kazakhstan\nRussia", ("KZ", "RU")),
        ("Armenia через Грузия", ("AM", "GE")),
        ("Guinea-Bissau, Timor-Leste", ("GW", "TL")),  # hyphens inside names
        ("Bosnia and Herzegovina", ("BA",)),
    ],
)
def test_routes_are_split_as_people_write_them(written: str, codes: tuple[str, ...]) -> None:
    assert RESOLVER.resolve_list(written) == (codes, ())


_STOPS = [", ", "; ", " > ", " → ", " -> ", " via ", " then ", "\n", " - ", " / "]


@given(
    st.lists(country_spellings(catalogue=CATALOGUE), min_size=1, max_size=4),
    st.sampled_from(_STOPS),
)
def test_a_route_reads_the_same_whatever_separates_its_stops(
    spellings: list[str], separator: str
) -> None:
    """Metamorphic: the countries of a route do not depend on how its stops are separated."""
    expected = tuple(dict.fromkeys(RESOLVER.resolve(s) for s in spellings))
    codes, bad = RESOLVER.resolve_list(separator.join(spellings))
    assert (codes, bad) == (expected, ())


def test_a_country_written_but_not_read_is_not_compared_as_absent() -> None:
    """fields_differ: a payer in a hub differs from shipper and consignee only when all three
    were read; an unread consignee country may be the payer's own."""
    from engine.screener import Screener

    screener = Screener.default()
    row = {
        "shipper": "Qingdao Xinda Machinery Co., Ltd.",
        "shipper_country": "China",
        "consignee": "Oak Ceramics BV",
        "payment_country": "AE",
        "description": "ceramic tiles",
        "hs_code": "6907.21",
    }
    fired = screener.screen({**row, "consignee_country": "Canada"}).rule_ids
    assert "payment-from-third-country-hub" in fired
    unread = screener.screen({**row, "consignee_country": "Jebel Ali FZ"})
    assert "payment-from-third-country-hub" not in unread.rule_ids
    assert any("consignee_country" in n for n in unread.notes)
