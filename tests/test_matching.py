"""Name normalisation and party matching: variants that must match, look-alikes that must not.

Each group below is one point of the matching requirements; the names are the catalogue's firms and
the fixture SDN list's entries (tests/fixtures/lists), disguised the way diverters disguise them.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine import Screener
from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.reading.matching import compare
from engine.reading.names import NameNormaliser, skeleton
from engine.testing import company_names, disguised_names, listed_names

NORMALISER = NameNormaliser(load_catalogue(bundled_dir("entities")).name_words)
THRESHOLD = 0.88  # the default rules' min_similarity
LISTS = Path(__file__).parent / "fixtures" / "lists"
SCREENER = Screener.load(lists=[LISTS / "sdn.csv"])


def best(name: str) -> str | None:
    found = SCREENER.match(name, min_similarity=THRESHOLD)
    return found[0].entry_id if found else None


def words(name: str) -> list[str]:
    return [t.text for t in NORMALISER.key(name).tokens]


# ------------------------------------------------------------------------------ normalisation


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
        # The trade name apart from the industry word closing it (科技, technology).
        ("保利科技有限公司", ["baoli", "keji"], ("ltd",)),
        ("Istanbul Elektronik Ltd. Şti.", ["istanbul", "elektronik"], ("llc",)),
        ("Poly Technologies, Inc. (China)", ["poly", "technologies", "china"], ("inc",)),
        (
            "  Wuhan  Global Sensor Tech Co Ltd ",
            ["wuhan", "global", "sensor", "technology"],
            ("ltd",),
        ),
        ("U.A.E. Trading L.L.C.", ["uae", "trading"], ("llc",)),
        ("Company Limited", ["company", "limited"], ()),
        ("Dubai Star FZCO", ["dubai", "star"], ("free-zone",)),
        ("Almaty Impex TOO", ["almaty", "import", "export"], ("llc",)),
        ("Bishkek Import A.S.", ["bishkek", "import"], ("jsc",)),
        ("Bremer Kitchen GmbH", ["bremer", "kitchen"], ("llc",)),
    ],
)
def test_normalisation(name: str, expected: list[str], forms: tuple[str, ...]) -> None:
    key = NORMALISER.key(name)
    assert [t.text for t in key.tokens] == expected
    assert key.legal_forms == forms


def test_invisible_characters_and_lookalike_letters_are_folded() -> None:
    assert words("POLY\u200b TECH\u00adNOLOGIES") == ["poly", "technologies"]
    assert words("Rоstес") == ["rostec"]  # Cyrillic о and с in a Latin word read as Latin
    assert words("Pособоронэкспорт") == ["rosoboroneksport"]  # a Latin P in a Cyrillic word
    assert words("R0stec Р0стех") == ["rostec", "rostekh"]  # a zero between letters
    assert words("Ростех") == ["rostekh"]  # wholly Cyrillic: transliterated, not mapped


def test_normalisation_is_idempotent_on_its_output() -> None:
    for name in ["АО «Рособоронэкспорт»", "Wuhan Global Sensor Tech Co Ltd", "保利科技有限公司"]:
        once = NORMALISER.key(name).text
        assert NORMALISER.key(once).text == once


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("rosoboroneksport", "rosoboronexport"),  # ks / x
        ("rostekh", "rosteh"),  # kh / h
        ("tsentr", "centr"),  # ts / c
        ("evgenii", "evgeny"),  # y / i
    ],
)
def test_transliteration_variants_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


# ------------------------------------------------------------------------------ must match


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("ao kontur", "ofac-sdn-9003"),
        ("KONTUR, J.S.C.", "ofac-sdn-9003"),
        ('"Kontur"  JSC', "ofac-sdn-9003"),
        ("  Sibir  Trade, L.L.C. ", "ofac-sdn-9002"),
    ],
)
def test_case_punctuation_quotes_and_spaces(name: str, entry: str) -> None:
    assert best(name) == entry


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Kontur", "ofac-sdn-9003"),  # legal form on one side only
        ("ZAO Kontur", "ofac-sdn-9003"),  # a different form of the same family
        ("Kontur LLC", "ofac-sdn-9003"),  # swapped for another family
        ("Sibir Trade OOO", "ofac-sdn-9002"),
        ("АО «Контур»", "ofac-sdn-9003"),
        ("Sibir Trade FZCO", "ofac-sdn-9002"),
        ("Sibir Trade Limited Liability Company", "ofac-sdn-9002"),
        ("Tekhnopromeksport Co., Ltd.", "ofac-sdn-9001"),
        ("Tekhnopromeksport GmbH", "ofac-sdn-9001"),
        ("Tekhnopromeksport A.S.", "ofac-sdn-9001"),
        ("Tekhnopromeksport TOO", "ofac-sdn-9001"),
        ("Tekhnopromeksport 有限公司", "ofac-sdn-9001"),
        ("Tekhnopromeksport Joint Stock Company", "ofac-sdn-9001"),
        ("Tekhnopromeksport Inc.", "ofac-sdn-9001"),
    ],
)
def test_legal_forms_on_one_side_or_swapped(name: str, entry: str) -> None:
    assert best(name) == entry


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Technopromexport LLC", "ofac-sdn-9001"),  # ks/x and kh/h
        ("Tehnopromexport LLC", "ofac-sdn-9001"),
        ("Zelenograd Nanotechnology Centr", "ofac-sdn-9005"),
        ("Evgeny Stanislavich Petrov", "ofac-sdn-9006"),  # y/i
        ("ООО «Технопромэкспорт»", "ofac-sdn-9001"),  # native script
        ("Рособоронэкспорт", "rosoboronexport"),
        ("Госкорпорация Ростех", "rostec"),
        ("海康威视", "hikvision"),
        ("大疆", "dji"),
        ("Мегафон", "megafon"),
    ],
)
def test_transliteration_and_native_scripts(name: str, entry: str) -> None:
    assert best(name) == entry


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Zelenogrаd Nanotechnology Center", "ofac-sdn-9005"),  # Cyrillic а
        ("ZELENOGRAD NANOTECHNOLOGY CEΝTER", "ofac-sdn-9005"),  # Greek Ν
        ("Zeleno\u200bgrad Nano\u200dtechnology Center", "ofac-sdn-9005"),  # zero-width
        ("Zelenograd\u00a0Nanotechnology\u2003Center", "ofac-sdn-9005"),  # odd spaces
        ("K\u00adontur JSC", "ofac-sdn-9003"),  # soft hyphen
        ("R0stec", "rostec"),
        ("Roѕtec", "rostec"),
    ],
)
def test_lookalike_letters_and_invisible_characters(name: str, entry: str) -> None:
    assert best(name) == entry


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Center Zelenograd Nanotechnology", "ofac-sdn-9005"),
        ("Research and Development Center Elvees JSC", "ofac-sdn-9004"),
        ("Elvees Research and Development Center (Zelenograd)", "ofac-sdn-9004"),
        ("Elvees Research and Development Center JSC (Moscow, Russia)", "ofac-sdn-9004"),
        ("Trade Sibir LLC", "ofac-sdn-9002"),
        ("Global Sensor Technology (Wuhan)", "wuhan-global-sensor"),
    ],
)
def test_word_order_and_places_in_parentheses(name: str, entry: str) -> None:
    assert best(name) == entry


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Zelenograd Nanotechnolgy Center", "ofac-sdn-9005"),  # a letter missing
        ("Zelenograd Nanotechnoligy Center", "ofac-sdn-9005"),  # a letter wrong
        ("Zelenograd Nanotechnollogy Center", "ofac-sdn-9005"),  # a letter too many
        ("Zelenograd Nanotechnolgoy Center", "ofac-sdn-9005"),  # two letters swapped
        ("Tekhnopromeksprot LLC", "ofac-sdn-9001"),
        ("Rosoboronexpert", "rosoboronexport"),
    ],
)
def test_a_single_typo_in_a_long_name(name: str, entry: str) -> None:
    assert best(name) == entry


def test_words_written_together_or_apart() -> None:
    assert best("Sibirtrade LLC") == "ofac-sdn-9002"
    assert best("Rosoboron Export") == "rosoboronexport"


# ------------------------------------------------------------------------------ must not match


@pytest.mark.parametrize(
    "name",
    [
        "Technology Trading Co",  # generic words only
        "Global Trading Company Limited",
        "Electronics Research Institute",
        "Trading Company",
        "Global Sensor Systems Inc.",
        "North China Pharmaceutical Group",
    ],
)
def test_shared_generic_words_do_not_match(name: str) -> None:
    assert best(name) is None


@pytest.mark.parametrize("name", ["AO Vektor", "OOO Romashka", "Joint Stock Company", "LLC"])
def test_a_shared_legal_form_does_not_match(name: str) -> None:
    assert best(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "Sibir Energy Trade LLC",  # a distinguishing word added
        "Kontur Avtomatika JSC",
        "Zelenograd Nanotechnology Center Dental Clinic",
        "Polytech Industries GmbH",
    ],
)
def test_an_added_distinguishing_word_does_not_match(name: str) -> None:
    assert best(name) is None


def test_names_differing_in_a_number_do_not_match() -> None:
    a, b = NORMALISER.key("Sibir Trade LLC"), NORMALISER.key("Sibir Trade 2 LLC")
    assert compare(a, b)[0] < THRESHOLD
    assert best("Sibir Trade 2 LLC") is None
    plant = NORMALISER.key("JSC 810 Aircraft Repair Plant")
    assert compare(plant, NORMALISER.key("811 Aircraft Repair Plant OAO"))[0] < THRESHOLD
    assert compare(plant, NORMALISER.key("810 Aircraft Repair Plant OAO"))[0] == 1.0


@pytest.mark.parametrize(
    "name",
    [
        "Kamatorg LLC",  # KAMA is a prefix of the word
        "Kamaz Trading",
        "Kretschmer Bau GmbH",  # KRET
        "Rostelecom PJSC",  # Rostec
        "BNF Trading",  # a listed acronym inside a longer name
        "DJL Trading GmbH",
    ],
)
def test_short_names_inside_longer_words_do_not_match(name: str) -> None:
    assert best(name) is None


def test_acronyms_match_only_whole() -> None:
    assert best("BNF") == "ofac-sdn-9008"
    assert best("ZNTC") == "ofac-sdn-9005"


@pytest.mark.parametrize(
    "name",
    [
        "Baoli Furniture Co., Ltd.",
        "Sunray Lighting Ltd",
        "Hikari Optics KK",
        "Huaxin Electronics Co., Ltd.",
        "Avicenna Pharma Ltd",
        "Tongsheng Garments Co., Ltd.",
        "Poly Trading Co",
        "Russian Trading House",
        "State Corporation",
        "Dji Baby Store",
        "Polytechnic Institute",
    ],
)
def test_catalogue_look_alikes_do_not_match(name: str) -> None:
    assert best(name) is None


# ------------------------------------------------------------------------------ evidence


def test_a_match_reports_its_evidence() -> None:
    [report] = SCREENER.match("ZAO Kontur")
    assert report.query == "ZAO Kontur"
    assert report.entry_id == "ofac-sdn-9003"
    assert report.entry_name == "AKTSIONERNOE OBSHCHESTVO KONTUR"
    assert report.list == "ofac-sdn"
    assert report.similarity == 1.0
    assert report.query_legal_forms == ["jsc"]
    assert report.entry_legal_forms == ["jsc"]
    assert report.source == "OFAC SDN 9003 (RUSSIA-EO14024, UKRAINE-EO13662)"
    assert [(a.query, a.candidate, a.kind) for a in report.alignment] == [
        ("kontur", "kontur", "exact")
    ]
    assert "legal forms set aside: jsc vs jsc" in report.how


def test_alignment_kinds() -> None:
    def kinds(name: str) -> set[str]:
        return {a.kind for a in SCREENER.match(name, min_similarity=THRESHOLD)[0].alignment}

    assert kinds("Zelenograd Nanotechnolgy Center") == {"exact", "fuzzy"}
    assert kinds("Technopromexport LLC") == {"fuzzy"}
    assert kinds("Tekhnopromexport LLC") == {"transliterated"}
    assert kinds("Рособоронэкспорт") == {"transliterated"}
    assert kinds("Sibirtrade LLC") == {"exact"}  # SIBIRTRADE OOO is an alias from alt.csv
    assert kinds("Sibir Trafe LLC") == {"exact", "fuzzy"}
    assert kinds("Sibir Tradde LLC") == {"exact", "transliterated"}  # doubled letters fold


def test_the_matched_alias_is_named() -> None:
    report = SCREENER.match("Elvis Plus NPO")[0]
    assert report.entry_name == "ELVEES RESEARCH AND DEVELOPMENT CENTER JSC"
    assert report.matched_name == "ELVIS PLUS NPO"


def test_empty_and_blank_names_match_nothing() -> None:
    assert SCREENER.match("") == []
    assert SCREENER.match("   ") == []
    assert SCREENER.match("!!!") == []


def test_the_index_finds_what_exhaustive_scoring_finds() -> None:
    matcher = SCREENER._knowledge.matcher
    names = [
        "Zelenograd Nanotechnolgy Center",
        "Sibirtrade LLC",
        "Trade Sibir",
        "Rosoboron Export",
        "Kontur",
        "Global Trading Company",
        "Evgenii Petrov",
    ]
    for name in names:
        assert {m.party_id for m in matcher.match(name)} == {
            m.party_id for m in matcher.match_exhaustive(name)
        }, name


def test_vessels_and_aircraft_are_not_matched_as_parties() -> None:
    row = {"consignee": "Ocean Fortune Trading LLC", "consignee_country": "AE"}
    assert SCREENER.match("Ocean Fortune Trading LLC")[0].kind == "vessel"
    assert SCREENER.screen(row).band == "low"
    assert SCREENER.screen({"consignee": "Evgenii Petrov"}).band == "critical"


_WORDS = st.sampled_from(
    ["trading", "Kama", "torg", "Rosoboron", "export", "OOO", "Ltd", "Co.,", "(Moscow)", "S.p.A.",
     "U.A.E.", "R0stec", "Tech", "o'neil", "Nevatorg", "JSC", "and", "of", "Electro", "nics", "7"]
)  # fmt: skip


@st.composite
def _names(draw: st.DrawFn) -> str:
    """Names built from listed names, their disguises and stray words, punctuation and brackets."""
    catalogue = SCREENER.catalogue
    base = draw(
        st.one_of(
            listed_names(None, catalogue=catalogue),
            disguised_names(None, catalogue=catalogue),
            company_names(scripts=("latin",), catalogue=catalogue),
            st.text(alphabet=string.ascii_letters + " .,()'-&0123456789", max_size=40),
        )
    )
    words = base.split() + draw(st.lists(_WORDS, max_size=3))
    if draw(st.booleans()):
        words = [words[i] for i in draw(st.permutations(range(len(words))))]
    if len(words) > 1 and draw(st.booleans()):  # two words written as one
        i = draw(st.integers(0, len(words) - 2))
        words[i : i + 2] = [words[i] + words[i + 1]]
    if words and draw(st.booleans()):  # one word written as two
        i = draw(st.integers(0, len(words) - 1))
        cut = draw(st.integers(0, len(words[i])))
        words[i : i + 1] = [words[i][:cut], words[i][cut:]]
    return " ".join(words)


@pytest.mark.parametrize("screener", [Screener.default(), SCREENER], ids=["bundled", "sdn"])
@settings(max_examples=400)
@given(name=_names())
@example(name="AVICInternational")  # a catalogue name's two words written as one
@example(name="Kama Torg Rosoboron export")
@example(name="BNF Ltd")  # an acronym a list holds, matched only whole
def test_the_word_filter_never_drops_a_candidate(screener: Screener, name: str) -> None:
    """A name the word filter rules out has no candidate in the full search either."""
    matcher = screener._knowledge.matcher
    normaliser = screener._knowledge.normaliser
    words = normaliser.skeletons(name)
    assert matcher._ruled_out(name) == (words is not None and not matcher.index.may_match(words))
    if not matcher._ruled_out(name):
        return
    query = matcher.index.weigh(normaliser.key(name))
    assert matcher.index.candidates(query) == []
    assert matcher.index.exact_only(query) == []


@given(name=_names())
def test_the_word_filter_reads_the_words_the_normaliser_reads(name: str) -> None:
    words = NORMALISER.skeletons(name)
    if name.isascii():
        assert words == [skeleton(w) for w, _ in NORMALISER._expand(name)]
    else:
        assert words is None


@given(name=st.text(alphabet=string.ascii_letters[:6] + "09 _,.'`-&/\t()\x07", max_size=24))
@example(name="U.A.E. Trading Co., Ltd.")
@example(name="A_B, C")
def test_ascii_words_split_as_the_separator_pattern_does(name: str) -> None:
    """The fast split of plain names gives what splitting at every run of non-word characters
    gives."""
    from engine.reading.names import (
        _APOSTROPHES,
        _DOTTED,
        _SEPARATOR,
        _undot,
        ascii_words,
        strip_invisible,
    )

    text = _APOSTROPHES.sub("", _DOTTED.sub(_undot, name))
    expected = [w for w in _SEPARATOR.split(strip_invisible(text).lower()) if w]
    assert ascii_words(name) == expected


@given(data=st.data())
def test_a_pair_is_found_wherever_two_words_make_a_vocabulary_word(data: st.DataObject) -> None:
    """pair_in_vocabulary, which looks only at words that begin a vocabulary word, finds every
    ordered pair of words that written together is one."""
    import itertools

    index = SCREENER._knowledge.matcher.index
    vocab = sorted(index._vocab)
    word = st.sampled_from(vocab)
    skeletons = data.draw(st.lists(st.one_of(word, st.just("trading")), max_size=4))
    if data.draw(st.booleans()):  # a vocabulary word cut in two, somewhere among the others
        whole = data.draw(word)
        cut = data.draw(st.integers(1, max(1, len(whole) - 1)))
        for part in (whole[:cut], whole[cut:]):
            skeletons.insert(data.draw(st.integers(0, len(skeletons))), part)
    skeletons = [s for s in skeletons if s]
    expected = any(a + b in index._vocab for a, b in itertools.permutations(skeletons, 2))
    assert index.pair_in_vocabulary(skeletons) == expected
