"""Free text as files and diverters write it: the shared normaliser, stems, scoped negation and
goods told by their words (issue 15, items 1, 2, 3 and 6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Screener
from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.facts import Knowledge
from engine.reading import phrases, text
from engine.reading.phrases import PhraseMatcher
from engine.reading.text import free_words, normalise, reading_notes
from engine.testing import ordinary_shipments, reworded, wordings

CATALOGUE = load_catalogue(bundled_dir("entities"))
SCREENER = Screener.default()
MILITARY = CATALOGUE.phrase_lists["military-end-use"]


def _military(wording: str) -> bool:
    return bool(PhraseMatcher.of_list(MILITARY).find(wording))


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("for S.M.O.", ("for", "smo")),
        ("для С. В. О.", ("для", "сво")),
        ("S M O needs", ("smo", "needs")),
        ("для СВO", ("для", "сво")),  # a Latin O in a Cyrillic word
        ("для CBO", ("для", "сво")),  # a Latin word typed to look Russian, among Russian words
        ("for CBO", ("for", "cbo")),  # ... but not among English ones
        ("для &#1057;&#1042;&#1054;", ("для", "сво")),
        ("для&nbsp;армии", ("для", "армии")),
        ("&amp;nbsp;SMO", ("smo",)),  # escaped twice
        ("ＳＭＯ", ("smo",)),  # full-width
        ("mili\u200btary\u00aduse", ("militaryuse",)),
        ("non‑military", ("non", "military")),  # a non-breaking hyphen
        ("Rоstес", ("rostec",)),  # Cyrillic о and с in a Latin word
        ("Ёлка", ("елка",)),
        ("Vitamin A, vitamin C", ("vitamin", "a", "vitamin", "c")),
    ],
)
def test_free_words(written: str, words: tuple[str, ...]) -> None:
    assert free_words(written) == words


def test_normalise_keeps_what_it_need_not_touch() -> None:
    assert normalise("8542.31 — ICs") == "8542.31 - ICs"
    assert normalise("plain text, 100%") == "plain text, 100%"


def test_reading_notes_say_what_was_undone() -> None:
    assert reading_notes("для СВO") == ("look-alike letters undone: 'свo' read as 'сво'",)
    assert reading_notes("for S.M.O.") == ("abbreviation read as one word: 'S.M.O.'",)
    assert reading_notes("для &#1057;ВО") == ("HTML entities decoded",)
    assert reading_notes("for military use") == ()


@pytest.mark.parametrize(
    "wording",
    [
        "специальной военной операции",
        "спецоперации",
        "в интересах специальных военных операций",
        "for special military operations",
        "dlya SVO",
        "dlya nuzhd SVO",
        "spetsoperatsiya",
        "spetsialnoy voennoy operatsii",
        "для нужд армии",
        "для армию",
        "military end-users",
        "Price without VAT, for military use",
        "Not decaffeinated, for the army",
        "not only coffee: for military purposes",
    ],
)
def test_military_wording_in_its_forms(wording: str) -> None:
    assert _military(wording)


@pytest.mark.parametrize(
    "wording",
    [
        "not for military use",
        "not intended for military use",
        "no military end use",
        "не для нужд СВО",
        "не предназначено для военного использования",
        "для своих нужд",  # "for own needs": сво is no stem of свой
        "svo airport",  # Latin svo alone is Sheremetyevo
        "military green paint",
    ],
)
def test_no_military_wording(wording: str) -> None:
    assert not _military(wording)


def test_a_phrase_never_negated_stays() -> None:
    assert _military("no войсковая часть 12345") or _military("войсковая часть 12345")
    assert PhraseMatcher(["войсков* част*"], ["не", "no"], never_negated=["войсков* част*"]).find(
        "не войсковая часть"
    )
    assert not PhraseMatcher(["войсков* част*"], ["не"]).find("не войсковая часть")


# --------------------------------------------------------------------------- metamorphic


def _hub(shipment: dict[str, str], end_use: str) -> dict[str, str]:
    return {**shipment, "destination_country": "AE", "end_use": end_use}


@settings(max_examples=60, deadline=None)
@given(
    ordinary_shipments(),
    wordings("military-end-use").flatmap(lambda w: st.tuples(st.just(w), reworded(w))),
)
def test_military_wording_reworded_keeps_its_band(
    shipment: dict[str, str], pair: tuple[str, str]
) -> None:
    """Metamorphic: a wording that makes a shipment to a hub critical does so written in
    look-alikes, entities, abbreviations or inside a sentence with an unrelated negation."""
    wording, written = pair
    assert SCREENER.screen(_hub(shipment, wording)).band == "critical"
    assert SCREENER.screen(_hub(shipment, written)).band == "critical", written


@settings(max_examples=60, deadline=None)
@given(ordinary_shipments(), wordings("military-end-use"))
def test_a_local_negation_changes_the_band(shipment: dict[str, str], wording: str) -> None:
    """Metamorphic: the same wording, negated where it stands, is no military end use."""
    negation = "не" if not wording.split()[0].isascii() else "not"
    result = SCREENER.screen(_hub(shipment, f"{negation} {wording}"))
    assert "military-end-use-wording" not in {h.rule_id for h in result.hits}


_BENIGN = [
    "Roasted coffee beans, not decaffeinated",
    "Price without VAT",
    "Spare parts for civil tractors",
    "Кофе жареный, без кофеина",
    "Для своих нужд",
    "Cotton t-shirts, military green",
    "Ship to SVO airport cargo terminal",
]


@settings(max_examples=60, deadline=None)
@given(ordinary_shipments(), st.sampled_from(_BENIGN).flatmap(reworded))
def test_benign_text_reworded_stays_low(shipment: dict[str, str], written: str) -> None:
    assert SCREENER.screen({**shipment, "end_use": written, "description": written}).band == "low"


# Broken readers: each repair taken out makes the rewording property fail on fixed examples.
_REWORDED = [
    "для СВO",
    "для CBO",
    "for S.M.O.",
    "С В О",
    "для &#1057;&#1042;&#1054;",
    "Price without VAT, for military use",
    "специальной военной операции",
    "dlya SVO",
    "supplies for the armies",
]


def _every_rewording_reads() -> bool:
    return all(_military(w) for w in _REWORDED)


def _unmix_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "unmix", lambda word: word)
    monkeypatch.setattr(text, "TO_CYRILLIC", str.maketrans({}))


def _dotted_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_DOTTED", text.re.compile(r"(?!)"))
    monkeypatch.setattr(text, "_SPACED", text.re.compile(r"(?!)"))


def _entities_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text.html, "unescape", lambda s: s)


def _old_negation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any negation in the three words before a phrase cancels it, as the reader once did."""

    def negated(self: PhraseMatcher, words: tuple[str, ...], start: int, phrase: object) -> bool:
        window = words[max(0, start - 3) : start]
        return any(any(n.test(w) for n in self._negations) for w in window if w)

    monkeypatch.setattr(PhraseMatcher, "_negated", negated)


def _unromanised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phrases, "_romanised", lambda parts: None)


def _unstemmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phrases, "stem", lambda word: word)


@pytest.mark.parametrize(
    "breaks", [_unmix_off, _dotted_off, _entities_off, _old_negation, _unromanised, _unstemmed]
)
def test_the_rewording_property_fails_on_a_broken_reader(
    breaks: Callable[[pytest.MonkeyPatch], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _every_rewording_reads()
    breaks(monkeypatch)
    assert not _every_rewording_reads()


def test_the_evidence_says_how_the_text_was_read() -> None:
    result = SCREENER.screen(
        {"consignee": "Orion Supply LLC", "consignee_country": "AE", "end_use": "для СВO"}
    )
    [evidence] = [e for h in result.hits for e in h.evidence if e.predicate == "text_has_phrase"]
    assert "look-alike letters undone: 'свo' read as 'сво'" in evidence.detail


@pytest.mark.parametrize(
    ("keyword", "text", "matches"),
    [
        ("ball bearings", "bearing, ball", True),
        ("ball bearings", "ball bearing", True),
        ("bearings", "teddy bear", False),  # Snowball stems both "bear"
        ("bearing", "bears", False),
        ("housing", "house", False),
        ("helmets", "helmet", True),
        ("vest", "vests", True),
        ("jamming", "strawberry jam", False),  # a stem of three letters is too many words'
    ],
)
def test_stems_match_forms_not_other_words(keyword: str, text: str, matches: bool) -> None:
    assert bool(PhraseMatcher([keyword], ordered=False).find(text)) is matches


# ----------------------------------------------------------------- goods keywords, reordered

KNOWLEDGE = Knowledge(CATALOGUE, as_of=dt.date(2024, 6, 1))
_KEYWORDS = sorted(
    {k for c in CATALOGUE.categories.values() for k in c.keywords if len(k.split()) > 1}
)


def _to_russia(shipment: dict[str, str], description: str) -> dict[str, str]:
    return {**shipment, "destination_country": "RU", "hs_code": "", "description": description}


@settings(max_examples=80, deadline=None)
@given(
    ordinary_shipments(),
    st.sampled_from(_KEYWORDS).flatmap(
        lambda k: st.tuples(
            st.just(k), st.permutations(k.split()), st.sampled_from([" ", ", ", " - "])
        )
    ),
)
def test_goods_keywords_reordered_keep_their_band(
    shipment: dict[str, str], drawn: tuple[str, list[str], str]
) -> None:
    """Metamorphic: a goods keyword's words in another order, as catalogues write them
    ("helmets, ballistic"), name the same goods."""
    keyword, words, joiner = drawn
    written = joiner.join(words)
    named = {f.category.id for f in KNOWLEDGE.classify_text("", keyword)}
    assert named, keyword
    assert named <= {f.category.id for f in KNOWLEDGE.classify_text("", written)}, written
    band = SCREENER.screen(_to_russia(shipment, keyword)).band
    assert SCREENER.screen(_to_russia(shipment, written)).band == band, written


_REORDERED = ["helmets, ballistic", "vests, bulletproof", "sight thermal", "bearings, ball"]


def _every_reordering_reads(screener: Screener) -> bool:
    return all(screener.screen(_to_russia({}, w)).band != "low" for w in _REORDERED)


def test_the_reordering_property_fails_on_an_ordered_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _every_reordering_reads(Screener.load())
    init = PhraseMatcher.__init__

    def ordered(self: PhraseMatcher, *args: object, **kwargs: object) -> None:
        init(self, *args, **{**kwargs, "ordered": True})  # type: ignore[arg-type]

    monkeypatch.setattr(PhraseMatcher, "__init__", ordered)
    assert not _every_reordering_reads(Screener.load())


@pytest.mark.parametrize(
    ("wording", "military"),
    [
        ("для армейских нужд", True),
        ("для военных нужд", True),
        ("Цена без НДС, for the army", True),  # the Latin "the" stays Latin among Latin words
        ("F.O.R. T.H.E. army", True),  # two dotted words are two words
        ("Stainless steel seamless pipes, grade 254 SMO", False),  # a steel grade
        ("654 SMO plates", False),
        ("supplies for SMO 2024", True),
    ],
)
def test_wording_classes(wording: str, military: bool) -> None:
    assert _military(wording) is military


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("防弹衣 IIIA级", "body-armour"),
        ("防弹头盔", "ballistic-helmets"),
        ("GPS干扰器", "jamming-equipment"),
        ("军用无人机", "drones"),  # a keyword inside a run of Han characters
        ("热成像瞄准镜", "weapon-sights"),
        ("抗干扰天线", None),  # an anti-jamming antenna
        ("玩具无人机", None),  # a toy drone
    ],
)
def test_goods_words_in_chinese(description: str, category: str | None) -> None:
    found = [f.category.id for f in KNOWLEDGE.classify_text("", description)]
    assert found == ([category] if category else [])


def test_chinese_goods_words_need_the_han_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the Han runs searched inside, a keyword glued to others is missed."""
    assert PhraseMatcher(["无人机"]).find("军用无人机")
    monkeypatch.setattr(phrases._Part, "test", lambda self, word: word == self.word)
    assert not PhraseMatcher(["无人机"]).find("军用无人机")


@pytest.mark.parametrize(
    ("wording", "military"),
    [
        ("用于特别军事行动", True),  # for the special military operation
        ("供俄军使用", True),  # for the Russian army's use
        ("本产品用于军事用途", True),
        ("不用于军事用途", False),  # not for military use: a negation inside the run
        ("严禁用于军事用途", False),
        ("非军事用途", False),
        ("军用级连接器", False),  # military-grade connectors: a grade, not an end use
        ("不锈钢水壶，俄军", True),  # "不" of 不锈钢 (stainless) negates nothing after it
    ],
)
def test_chinese_military_wording(wording: str, military: bool) -> None:
    assert _military(wording) is military


def test_chinese_negation_needs_the_han_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not _military("不用于军事用途")
    monkeypatch.setattr(PhraseMatcher, "_han_negated", lambda self, word, written: False)
    assert _military("不用于军事用途")


def test_a_chinese_civilian_claim() -> None:
    civilian = PhraseMatcher.of_list(CATALOGUE.phrase_lists["civilian-claims"])
    assert civilian.find("本产品为民用产品，非军用")
    assert not civilian.find("非民用")


@pytest.mark.parametrize(
    ("wording", "military"),
    [
        ("for the Russian armed forces", True),
        ("заказчик: Минобороны России", True),
        ("ДЛЯ BOEHHЫX ЦЕЛЕЙ", True),  # Latin look-alikes in a word with a letter only Cyrillic has
        ("per uso militare", True),
        ("non per uso militare", False),
        ("für militärische Zwecke", True),
        ("nicht für militärische Zwecke", False),
        ("askeri kullanım içindir", True),
        ("askeri kullanım için değildir", False),  # Turkish writes the negation after
        ("әскери мақсатта пайдалану үшін", True),
        ("әскери мақсатта емес", False),
        ("للاستخدام العسكري", True),
        ("用途：军用", True),
        ("Стеклосетка для армирования штукатурки", False),  # reinforcing mesh, not the army
        ("доставка в в/ч 55432", True),  # a military unit's number
        ("в ч. 2 ст. 14", False),  # a part of a law
        ("military / defence", True),
    ],
)
def test_military_wording_in_the_languages_of_trade_files(wording: str, military: bool) -> None:
    assert _military(wording) is military


def test_a_negation_after_its_phrase_needs_the_after_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not _military("askeri kullanım için değildir")
    monkeypatch.setattr(PhraseMatcher, "_negated_after", lambda self, words, end: False)
    assert _military("askeri kullanım için değildir")


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("Çelik yelek, seviye 3A", "body-armour"),
        ("chalecos antibalas nivel III", "body-armour"),
        ("զրահաբաճկոններ, III դաս", "body-armour"),
        ("ჯავშანჟილეტები", "body-armour"),
        ("оқ өтпейтін кеудешелер", "body-armour"),
        ("سترات واقية من الرصاص", "body-armour"),
        ("Balistik kask, aramid", "ballistic-helmets"),
        ("генератор радиопомех широкополосный", "jamming-equipment"),
        ("Warnschutzweste", None),  # a high-visibility vest
    ],
)
def test_goods_words_in_the_languages_of_trade_files(
    description: str, category: str | None
) -> None:
    found = [f.category.id for f in KNOWLEDGE.classify_text("", description)]
    assert found == ([category] if category else [])
