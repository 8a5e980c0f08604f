"""The hypothesis strategies of :mod:`engine.testing` (see the package for what each draws)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar, cast

try:
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("engine.testing needs hypothesis: pip install 'shipscreen[testing]'") from exc

import pycountry

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import Catalogue, load_catalogue
from engine.reading.countries import CountryResolver
from engine.reading.text import script

SearchStrategy = st.SearchStrategy

CI_PROFILE = "shipscreen-ci"
DEV_PROFILE = "shipscreen-dev"


def register_profiles() -> None:
    """Register the shipscreen hypothesis profiles.

    ``shipscreen-ci`` is deterministic and bounded (derandomised, 60 examples, no deadline) so a
    pipeline always runs the same examples in the same time; ``shipscreen-dev`` explores more
    (500 examples, random) for local runs.  Load one with ``settings.load_profile(name)``.
    """
    settings.register_profile(
        CI_PROFILE,
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    settings.register_profile(
        DEV_PROFILE,
        max_examples=500,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@lru_cache(maxsize=1)
def bundled_catalogue() -> Catalogue:
    """The bundled entity catalogue (loaded once)."""
    return load_catalogue(bundled_dir("entities"))


def _catalogue(catalogue: Catalogue | None) -> Catalogue:
    return catalogue if catalogue is not None else bundled_catalogue()


F = TypeVar("F", bound=Callable[..., Any])
_MEMO_SIZE = 4096


def _memo(factory: F) -> F:
    """The strategy ``factory`` makes for the same arguments, made once.

    Strategies are immutable, and hypothesis checks each one the first time it draws from it; a
    test that draws thousands of shipments would otherwise build and check their parts thousands
    of times.  A catalogue argument counts by identity (and is kept, so its identity stays its
    own); a call with an argument that cannot be a key is not remembered.
    """
    cache: dict[Any, tuple[tuple[Catalogue, ...], Any]] = {}

    def key_of(value: Any) -> Any:
        return ("catalogue", id(value)) if isinstance(value, Catalogue) else value

    @functools.wraps(factory)
    def remembered(*args: Any, **kwargs: Any) -> Any:
        held = tuple(v for v in (*args, *kwargs.values()) if isinstance(v, Catalogue))
        key = (tuple(map(key_of, args)), tuple((k, key_of(v)) for k, v in sorted(kwargs.items())))
        try:
            hit = cache.get(key)
        except TypeError:  # an unhashable argument (a list, say)
            return factory(*args, **kwargs)
        if hit is not None and all(a is b for a, b in zip(hit[0], held, strict=True)):
            return hit[1]
        made = factory(*args, **kwargs)
        if len(cache) >= _MEMO_SIZE:
            cache.clear()
        cache[key] = (held, made)
        return made

    return cast(F, remembered)


# ----------------------------------------------------------------------------------- names

# Words for names of ordinary firms: places and trades that identify no listed firm.
_PLACES = [
    "Atlas",
    "Nordic",
    "Summit",
    "Harbor",
    "Crown",
    "Vista",
    "Granite",
    "Helios",
    "Lyon",
    "Meridian",
    "Zenith",
    "Osaka",
    "Bremer",
    "Baltic",
    "Alpine",
    "Coastal",
    "Sierra",
    "Lotus",
    "Maple",
    "Orchid",
    "Cedar",
    "Aurora",
    "Riviera",
    "Tundra",
    "Sahara",
    "Fjord",
]
_TRADES = [
    "Coffee",
    "Textiles",
    "Foods",
    "Furniture",
    "Ceramics",
    "Papers",
    "Retail",
    "Sports",
    "Wines",
    "Garden",
    "Home",
    "Kitchen",
    "Apparel",
    "Pharma",
    "Toys",
    "Footwear",
    "Bakery",
]
_CYRILLIC = [
    "Северный",
    "Волга",
    "Байкал",
    "Урал",
    "Нева",
    "Кама",
    "Амур",
    "Сокол",
    "Берёза",
    "Торг",
    "Снаб",
    "Комплект",
    "Пром",
    "Мебель",
    "Текстиль",
    "Кофе",
]
_HAN = [
    "宁波",
    "厦门",
    "苏州",
    "东莞",
    "青岛",
    "天宇",
    "恒泰",
    "华美",
    "金丰",
    "鑫达",
    "家具",
    "纺织",
    "食品",
    "陶瓷",
    "贸易",
]
_SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "tel",
    "vor",
    "san",
    "lin",
    "dar",
    "nov",
    "mag",
    "ter",
    "kom",
    "bel",
    "gran",
    "zen",
    "ost",
    "lux",
    "vel",
    "mar",
    "tor",
]
_BRACKET_PLACES = ["Moscow", "Dubai", "Hong Kong", "Istanbul", "Almaty", "Tashkent", "Shenzhen"]
_LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
_TRANSLIT = [("ks", "x"), ("x", "ks"), ("kh", "h"), ("ts", "c"), ("y", "i"), ("i", "y")]
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]


@_memo
def legal_forms(catalogue: Catalogue | None = None) -> SearchStrategy[str]:
    """Legal forms as the catalogue's name words spell them (JSC, ООО, 有限公司, GmbH...)."""
    forms = sorted({f for lf in _catalogue(catalogue).name_words.legal_forms for f in lf.forms})
    return st.sampled_from(forms)


@_memo
def _latin_name() -> SearchStrategy[str]:
    coined = st.lists(st.sampled_from(_SYLLABLES), min_size=2, max_size=3).map(
        lambda parts: "".join(parts).capitalize()
    )
    return st.one_of(
        st.tuples(st.sampled_from(_PLACES), st.sampled_from(_TRADES)).map(" ".join),
        st.tuples(coined, st.sampled_from(_TRADES)).map(" ".join),
        st.tuples(st.sampled_from(_PLACES), coined, st.sampled_from(_TRADES)).map(" ".join),
    )


@_memo
def _cyrillic_name() -> SearchStrategy[str]:
    return st.lists(st.sampled_from(_CYRILLIC), min_size=1, max_size=3, unique=True).map(
        lambda words: "«" + " ".join(words) + "»"
    )


@_memo
def _han_name() -> SearchStrategy[str]:
    return st.lists(st.sampled_from(_HAN), min_size=2, max_size=4).map("".join)


@_memo
def company_names(
    *,
    scripts: Sequence[str] = ("latin", "cyrillic", "han"),
    with_legal_form: bool | None = None,
    catalogue: Catalogue | None = None,
) -> SearchStrategy[str]:
    """Names of ordinary firms in Latin, Cyrillic or Chinese script, with or without legal form."""
    makers = {"latin": _latin_name(), "cyrillic": _cyrillic_name(), "han": _han_name()}
    base = st.one_of(*(makers[s] for s in scripts))
    forms = legal_forms(catalogue)
    with_form = st.tuples(st.booleans(), base, forms).map(
        lambda t: f"{t[2]} {t[1]}" if t[0] else f"{t[1]} {t[2]}"
    )
    if with_legal_form is True:
        return with_form
    if with_legal_form is False:
        return base
    return st.one_of(base, with_form)


@_memo
def name_variants(
    name: str,
    *,
    kinds: Sequence[str] = ("case", "space", "punctuation", "legal-form"),
    catalogue: Catalogue | None = None,
) -> SearchStrategy[str]:
    """Variants of ``name`` that must still match it: case, spacing, punctuation, a legal form."""

    @st.composite
    def variant(draw: Any) -> str:
        text = name
        for kind in draw(st.lists(st.sampled_from(list(kinds)), min_size=1, max_size=3)):
            if kind == "case":
                text = draw(st.sampled_from([text.upper(), text.lower(), text.title(), text]))
            elif kind == "space":
                pad = draw(st.sampled_from(["  ", "\t", "\u00a0", " "]))
                text = f"{pad}{pad.join(text.split())}{pad}"
            elif kind == "punctuation":
                mark = draw(st.sampled_from([",", ".", '"', "«", "»", ";", "!"]))
                words = text.split()
                at = draw(st.integers(0, len(words)))
                text = " ".join([*words[:at], mark, *words[at:]])
            elif kind == "legal-form":
                form = draw(legal_forms(catalogue))
                text = draw(st.sampled_from([f"{text} {form}", f"{form} {text}"]))
        return text

    return variant()


@_memo
def evasions(name: str) -> SearchStrategy[str]:
    """``name`` disguised the way diverters disguise names (it may or may not still match)."""

    @st.composite
    def evade(draw: Any) -> str:
        words = name.split()
        how = draw(
            st.sampled_from(
                ["typo", "lookalike", "invisible", "order", "translit", "bracket", "case"]
            )
        )
        long_words = [i for i, w in enumerate(words) if len(w) >= 6]
        if how == "typo" and long_words:
            i = draw(st.sampled_from(long_words))
            w = words[i]
            at = draw(st.integers(1, len(w) - 2))
            op = draw(st.sampled_from(["drop", "swap", "double", "change"]))
            if op == "drop":
                w = w[:at] + w[at + 1 :]
            elif op == "swap":
                w = w[: at - 1] + w[at] + w[at - 1] + w[at + 1 :]
            elif op == "double":
                w = w[:at] + w[at] + w[at:]
            else:
                w = w[:at] + draw(st.sampled_from("aeiou")) + w[at + 1 :]
            words[i] = w
        elif how == "lookalike":
            spots = [
                (i, k)
                for i, w in enumerate(words)
                for k, ch in enumerate(w)
                if ch.lower() in _LOOKALIKES
            ]
            if spots:
                i, k = draw(st.sampled_from(spots))
                words[i] = words[i][:k] + _LOOKALIKES[words[i][k].lower()] + words[i][k + 1 :]
        elif how == "invisible" and words:
            i = draw(st.integers(0, len(words) - 1))
            k = draw(st.integers(0, len(words[i])))
            words[i] = words[i][:k] + draw(st.sampled_from(_INVISIBLE)) + words[i][k:]
        elif how == "order" and len(words) > 1:
            words = draw(st.permutations(words))
        elif how == "translit":
            old, new = draw(st.sampled_from(_TRANSLIT))
            words = [w.replace(old, new).replace(old.upper(), new.upper()) for w in words]
        elif how == "bracket":
            words.append(f"({draw(st.sampled_from(_BRACKET_PLACES))})")
        else:
            words = [w.upper() for w in words]
        return " ".join(words)

    return evade()


# What trade documents write around a party's name, for wrapped_cells.
_ROLES_BEFORE = ["c/o", "care of", "to the order of", "on behalf of", "as agent for",
                 "for account of", "via", "through", "t/a", "trading as", "d/b/a", "formerly",
                 "a.k.a.", "attn:"]  # fmt: skip
_OTHER_PARTIES = ["Sigma Trade LLC", "Alfa Logistics FZE", "Beta Freight Ltd",
                  "Vostok Cargo OOO", "Gamma Handels GmbH"]  # fmt: skip
_OFFICES = ["Moscow branch of {}", "{} (Dubai branch)", "{}, representative office in Almaty",
            "{} liaison office", "филиал {}", "представительство {}"]  # fmt: skip
_ADDRESSES = ["12 Tverskaya St, Moscow 125009", "PO Box 1234, Dubai", "Office 5, Bldg 3,"
              " Al Quoz, Dubai", "ul. Lenina 7, Novosibirsk 630004",
              "Room 1502, 8 Queen's Road, Hong Kong"]  # fmt: skip
_IDS = ["INN 7701234567", "ИНН 7727123456", "OGRN 1027700123456", "VAT DE123456789",
        "tel +7 495 123 45 67", "info@example.ru"]  # fmt: skip


def wrapped_cells(name: str) -> SearchStrategy[str]:
    """A party cell holding ``name`` and what trade documents write around it: role wording,
    another party, an office, an address, an identifier or a phone number (the party named is
    still ``name``)."""

    @st.composite
    def wrap(draw: Any) -> str:
        how = draw(st.sampled_from(["role", "role-after", "list", "office", "address", "id"]))
        other = draw(st.sampled_from(_OTHER_PARTIES))
        if how == "role":
            return f"{other} {draw(st.sampled_from(_ROLES_BEFORE))} {name}"
        if how == "role-after":
            return f"{name} c/o {other}"
        if how == "list":
            sep: str = draw(st.sampled_from([" / ", "; ", " | ", "\n"]))
            parts: list[str] = draw(st.permutations([other, name]))
            if draw(st.booleans()):
                return f"1) {parts[0]} 2) {parts[1]}"
            return sep.join(parts)
        if how == "office":
            office: str = draw(st.sampled_from(_OFFICES))
            return office.format(name)
        if how == "address":
            return f"{name}, {draw(st.sampled_from(_ADDRESSES))}"
        return f"{name}, {draw(st.sampled_from(_IDS))}"

    return wrap()


_TITLES = ["Mr.", "Mrs.", "Ms", "Dr.", "Mr", "Г-н", "Господин"]


@_memo
def _given_name_spellings(catalogue: Catalogue) -> dict[str, list[str]]:
    """Each Latin given name of the catalogue's given-name table, with the other Latin spellings
    of its group (the matcher romanises the Cyrillic ones itself)."""
    out: dict[str, list[str]] = {}
    for group in _catalogue(catalogue).name_words.given_names:
        latin = [g for g in group if g.isascii()]
        for g in latin:
            out[g.casefold()] = [o for o in latin if o != g]
    return out


def person_variants(name: str, *, catalogue: Catalogue | None = None) -> SearchStrategy[str]:
    """A person's name as a list writes it (``SURNAME, Given Middle``) as trade files write it:
    in any order, the middle names left out or given as initials, a title before it, the given
    name in another Latin spelling of the catalogue's given-name table (the person named is
    still ``name``)."""
    surname, _, given = name.partition(",")
    given_names = given.split()
    if not given_names or not surname.strip():
        return st.just(name)
    spellings = _given_name_spellings(_catalogue(catalogue))

    @st.composite
    def variant(draw: Any) -> str:
        first, middle = given_names[0], given_names[1:]
        others = spellings.get(first.casefold())
        if others and draw(st.booleans()):
            first = draw(st.sampled_from(others))
        how = draw(st.sampled_from(["keep", "drop", "initials"]))
        if how == "drop":
            middle = []
        elif how == "initials":
            middle = [m[0] + "." for m in middle]
        last = surname.strip()
        last = draw(st.sampled_from([last.upper(), last.title()]))
        given_text = " ".join([first, *middle])
        order = draw(st.sampled_from(["given-first", "surname-first", "comma"]))
        text = {
            "given-first": f"{given_text} {last}",
            "surname-first": f"{last} {given_text}",
            "comma": f"{last}, {given_text}",
        }[order]
        if order != "comma" and draw(st.booleans()):
            text = f"{draw(st.sampled_from(_TITLES))} {text}"
        return text

    return variant()


def decoys(name: str) -> SearchStrategy[str]:
    """``name`` with two distinctive words added (made-up words no list holds): another firm,
    which must not match as ``name``."""
    word = st.text("bcdfgklmnprstvz", min_size=3, max_size=4).map(
        lambda c: "".join(ch + v for ch, v in zip(c, "aeiouaeiou", strict=False)).capitalize()
    )
    return st.tuples(word, word, st.booleans()).map(
        lambda t: f"{t[0]} {t[1]} {name}" if t[2] else f"{name} {t[0]} {t[1]}"
    )


@_memo
def listed_names(
    tag: str | None = "sanctioned", *, catalogue: Catalogue | None = None
) -> SearchStrategy[str]:
    """Names and aliases of catalogue parties (with ``tag``, if given)."""
    parties = _catalogue(catalogue).parties.values()
    names = sorted(n for p in parties if tag is None or tag in p.tags for n in p.all_names())
    if not names:
        raise ValueError(f"no catalogue party is tagged '{tag}'")
    return st.sampled_from(names)


@_memo
def disguised_names(
    tag: str | None = "sanctioned", *, catalogue: Catalogue | None = None
) -> SearchStrategy[str]:
    """Listed names put through one of the diverters' disguises."""
    return listed_names(tag, catalogue=catalogue).flatmap(evasions)


@_memo
def _party_names(tag: str, catalogue: Catalogue) -> SearchStrategy[str]:
    return st.one_of(
        listed_names(tag, catalogue=catalogue), disguised_names(tag, catalogue=catalogue)
    )


# ----------------------------------------------------------------------------------- goods


def hs_notation_list(digits: str) -> list[str]:
    """Every common way to write one HS code of 2 to 10 digits: dots, spaces, dashes, prefixes,
    EAEU, among words, and as spreadsheets damage it."""
    d = digits
    forms = [d, f"HS {d}"]
    if len(d) == 6:
        forms += [f"{d[:4]}.{d[4:]}", f"{d[:4]} {d[4:]}", f"HS {d[:4]}.{d[4:]}"]
    elif len(d) == 8:
        forms += [f"{d[:4]}.{d[4:6]}.{d[6:]}", f"{d[:4]} {d[4:6]} {d[6:]}"]
    elif len(d) == 10:
        forms += [
            f"{d[:4]}.{d[4:6]}.{d[6:]}",  # US HTS
            f"{d[:4]} {d[4:6]} {d[6:8]} {d[8:]}",  # EU TARIC
            f"{d[:4]} {d[4:6]} {d[6:9]} {d[9]}",  # EAEU
        ]
    if d.startswith("0") and len(d) in {6, 8, 10}:
        forms.append(d[1:])  # a leading zero lost in a spreadsheet
    dotted = f"{d[:4]}.{d[4:6]}" if len(d) == 6 else d
    # Written among words, as trade files write it.
    forms += [f"HS{dotted}", f"HS code: {dotted}", f"{dotted} (goods)", f"{dotted}&nbsp;"]
    if len(d) == 6:
        forms += [f"{d[:4]}\u2013{d[4:]}", f"{d[:4]},{d[4:]}"]  # an en dash; a decimal comma
    # What spreadsheets make of a code: kept as text by an apostrophe, or a number (its leading
    # zero lost), written as a decimal or, when long, in scientific notation.
    number = d.lstrip("0") or "0"
    forms += [f"'{d}"] + ([f"{number}.0"] if len(number) >= 4 else [])
    if len(d) >= 6 and not number.endswith("0"):
        forms.append(f"{number[0]}.{number[1:]}E+{len(number) - 1:02d}")
    return forms


@_memo
def hs_notations(digits: str) -> SearchStrategy[str]:
    """One HS code written in any of its common notations."""
    return st.sampled_from(hs_notation_list(digits))


@_memo
def _extend(prefix: str) -> SearchStrategy[str]:
    """A 6, 8 or 10-digit code starting with ``prefix``."""
    return st.sampled_from([n for n in (6, 8, 10) if n >= len(prefix)]).flatmap(
        lambda n: st.text("0123456789", min_size=n - len(prefix), max_size=n - len(prefix)).map(
            lambda rest: prefix + rest
        )
    )


@_memo
def hs_codes(
    *,
    tag: str | None = None,
    category: str | None = None,
    code: str | None = None,
    catalogue: Catalogue | None = None,
) -> SearchStrategy[str]:
    """HS codes in any notation: of a goods tag or category of the catalogue, of a code, or any."""
    if code is not None:
        return hs_notations(code)
    cat = _catalogue(catalogue)
    if tag is not None or category is not None:
        prefixes = sorted(
            p
            for c in cat.categories.values()
            if (tag is None or tag in c.tags) and (category is None or c.id == category)
            for p in c.hs
        )
        if not prefixes:
            raise ValueError(f"no category with HS codes matches tag={tag!r} category={category!r}")
        digits = st.sampled_from(prefixes).flatmap(_extend)
    else:
        chapters = st.integers(1, 97).map(lambda n: f"{n:02d}")
        digits = chapters.flatmap(_extend)
    return digits.flatmap(hs_notations)


@_memo
def ordinary_hs_codes(*, catalogue: Catalogue | None = None) -> SearchStrategy[str]:
    """HS codes of goods in no catalogue category (furniture, coffee, toys...), in any notation."""
    prefixes = {p for c in _catalogue(catalogue).categories.values() for p in c.hs}

    def ordinary(digits: str) -> bool:
        return not any(digits[:n] in prefixes for n in range(2, len(digits) + 1, 2))

    chapters = st.integers(1, 97).map(lambda n: f"{n:02d}").filter(lambda c: c not in prefixes)
    return chapters.flatmap(_extend).filter(ordinary).flatmap(hs_notations)


@_memo
def invalid_hs_codes() -> SearchStrategy[str]:
    """Values an HS code field may hold that are not HS codes."""
    return st.one_of(
        st.sampled_from(["N/A", "tbd", "see invoice", "-", "HS", "8542.31a", "99", "00", "123"]),
        # 11, 13 or 14 digits: 12 are a national tariff line (Turkey's GTİP), read as its HS code.
        st.text("0123456789", min_size=11, max_size=14).filter(lambda s: len(s) != 12),
        st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=8),
    )


# ------------------------------------------------------------------------- places and money


_SPELLINGS: dict[int, tuple[Catalogue, dict[str, list[str]]]] = {}


def _spellings(catalogue: Catalogue) -> dict[str, list[str]]:
    cached = _SPELLINGS.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1]
    resolver = CountryResolver(catalogue.countries)
    out: dict[str, list[str]] = {}
    for c in pycountry.countries:
        names = [c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", None)]
        out[c.alpha_2] = [n for n in names if n and resolver.resolve(n) == c.alpha_2]
    for country in catalogue.countries.values():
        out.setdefault(country.code, []).extend(
            s for s in [country.name, *country.spellings] if resolver.resolve(s) == country.code
        )
    _SPELLINGS[id(catalogue)] = (catalogue, out)
    return out


# Endings a "word*" of a phrase list is written with, by script.
_LATIN_ENDINGS = ("", "s", "es", "al")
_CYRILLIC_ENDINGS = ("", "ой", "ая", "ые", "ии", "ия", "ых", "ую", "ами")
# Sentences with a negation that governs something else, to wrap a wording in.
_UNRELATED_NEGATIONS = (
    "Price without VAT, {}",
    "Goods not insured; {}",
    "{}. No returns accepted",
    "Not decaffeinated, {}",
    "Цена без НДС, {}",
    "{}; не подлежит возврату",
)


@_memo
def wordings(list_id: str, *, catalogue: Catalogue | None = None) -> SearchStrategy[str]:
    """Texts that say a phrase of one of the catalogue's phrase lists: a phrase, its "word*"
    written with an ending, in any case (never one of its ``never_negated`` phrases, so that a
    negation in front of it cancels it)."""
    plist = _catalogue(catalogue).phrase_lists[list_id]
    phrases = [p for p in plist.phrases if p not in plist.never_negated]

    @st.composite
    def wording(draw: Any) -> str:
        words = []
        for raw in draw(st.sampled_from(phrases)).split():
            if raw == "#":  # any number
                raw = str(draw(st.integers(100, 99_999)))
            elif raw.endswith("*"):
                stem = raw[:-1]
                cyrillic = any(script(ch) == "cyrillic" for ch in stem)
                endings = _CYRILLIC_ENDINGS if cyrillic else _LATIN_ENDINGS
                raw = stem + draw(st.sampled_from(endings))
            words.append(raw)
        text = " ".join(words)
        return cast(str, draw(st.sampled_from([text, text.upper(), text.capitalize()])))

    return wording()


def reworded(text: str) -> SearchStrategy[str]:
    """``text`` written as files and diverters write it, saying the same: look-alike letters of
    the other script in a word (fewer than half its letters), HTML entities, no-break and
    invisible characters, full-width letters, an abbreviation dotted or spaced ("S.M.O.",
    "С В О"), or the text inside a longer sentence with a negation that governs something else."""

    @st.composite
    def reword(draw: Any) -> str:
        how = draw(
            st.sampled_from(
                ["lookalike", "entities", "invisible", "fullwidth", "abbreviation", "sentence"]
            )
        )
        words = text.split(" ")
        if how == "lookalike":
            i = draw(st.integers(0, len(words) - 1))
            word = words[i]
            spots = [k for k, ch in enumerate(word) if ch in _SWAPPABLE]
            most = (len([c for c in word if c.isalpha()]) - 1) // 2
            if spots and most:
                for k in draw(
                    st.lists(st.sampled_from(spots), min_size=1, max_size=most, unique=True)
                ):
                    word = word[:k] + _SWAPPABLE[word[k]] + word[k + 1 :]
                words[i] = word
            return " ".join(words)
        if how == "entities":
            out = []
            for ch in text:
                if ch == " " and draw(st.booleans()):
                    out.append("&nbsp;")
                elif ch.isalpha() and draw(st.integers(0, 3)) == 0:
                    out.append(f"&#{ord(ch)};")
                else:
                    out.append(ch)
            return "".join(out)
        if how == "invisible":
            return " ".join(
                w[:1] + draw(st.sampled_from(["\u200b", "\u00ad", "\u2060"])) + w[1:]
                if len(w) > 2
                else w
                for w in words
            ).replace(" ", draw(st.sampled_from([" ", "\u00a0", "\u202f"])))
        if how == "fullwidth":
            return "".join(
                chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" and ch.isalnum() else ch for ch in text
            )
        if how == "abbreviation":  # one word: two spaced side by side would read as one
            short = [
                i for i, w in enumerate(words) if 3 <= len(w) <= 4 and w.isalpha() and w.isupper()
            ]
            if short:
                i = draw(st.sampled_from(short))
                words[i] = draw(st.sampled_from([".".join(words[i]) + ".", " ".join(words[i])]))
            return " ".join(words)
        return cast(str, draw(st.sampled_from(_UNRELATED_NEGATIONS))).format(text)

    return reword()


# Letters and the look-alike of the other script they are swapped for (Latin <-> Cyrillic).
_TO_LATIN = dict(zip("аеосрхАВЕКМНОРСТХ", "aeocpxABEKMHOPCTX", strict=True))
_SWAPPABLE = {**_TO_LATIN, **{latin: c for c, latin in _TO_LATIN.items()}}


@_memo
def country_spellings(
    code: str | None = None, *, tag: str | None = None, catalogue: Catalogue | None = None
) -> SearchStrategy[str]:
    """Ways shipments write a country: ISO codes, names, common variants, in any case."""
    cat = _catalogue(catalogue)
    table = _spellings(cat)
    if code is not None:
        codes = [code]
    elif tag is not None:
        codes = sorted(c.code for c in cat.countries.values() if tag in c.tags)
    else:
        codes = sorted(table)
    spelled = st.sampled_from(codes).flatmap(lambda c: st.sampled_from(table[c]))
    return spelled.flatmap(lambda s: st.sampled_from([s, s.upper(), s.lower()]))


@_memo
def _any_hs_codes(catalogue: Catalogue) -> SearchStrategy[str]:
    return st.one_of(hs_codes(catalogue=catalogue), invalid_hs_codes())


def _plain_country_codes(catalogue: Catalogue) -> list[str]:
    tagged = {c.code for c in catalogue.countries.values() if c.tags}
    return sorted(set(_spellings(catalogue)) - tagged)


@_memo
def _countries(catalogue: Catalogue, *, ordinary: bool) -> SearchStrategy[str]:
    """Country spellings: of any country, or (``ordinary``) of one no role tag marks."""
    if not ordinary:
        return country_spellings(catalogue=catalogue)
    return st.sampled_from(_plain_country_codes(catalogue)).flatmap(
        lambda c: country_spellings(c, catalogue=catalogue)
    )


@_memo
def routes(
    countries: SearchStrategy[str] | None = None, *, catalogue: Catalogue | None = None
) -> SearchStrategy[str]:
    """Transit lists as shipments write them: country spellings separated by ';', '|' or ','."""
    spelled = countries if countries is not None else country_spellings(catalogue=catalogue)
    return st.tuples(
        st.lists(spelled, min_size=1, max_size=3), st.sampled_from(["; ", "|", ", ", ";"])
    ).map(lambda t: t[1].join(t[0]))


@_memo
def values() -> SearchStrategy[str]:
    """Money amounts as shipments write them: '12000', '12,000.50', '$ 12 000', '12000 USD'."""
    amount = st.integers(1, 5_000_000)
    return st.tuples(amount, st.sampled_from(["{}", "{:,}", "${:,}", "{} USD", "{:,}.00"])).map(
        lambda t: t[1].format(t[0])
    )


# ---------------------------------------------------------------------------------- records


_ORDINARY_GOODS = [
    "Roasted coffee",
    "Wooden furniture",
    "Cotton T-shirts",
    "Porcelain tableware",
    "Leather shoes",
    "Toys",
    "Red wine",
    "Bananas",
    "Corrugated cartons",
]


_SHIPMENT_IDS = st.from_regex(r"\A[A-Z]{2,3}-[0-9]{3,6}\Z")


@st.composite
def _shipment(
    draw: Any,
    *,
    catalogue: Catalogue,
    destination: str | None,
    goods_tag: str | None,
    goods_category: str | None,
    party_tag: str | None,
    party_role: str,
    ordinary: bool,
) -> dict[str, str]:
    country = _countries(catalogue, ordinary=ordinary)
    shipment: dict[str, str] = {
        "shipment_id": draw(_SHIPMENT_IDS),
        "shipper": draw(company_names(catalogue=catalogue)),
        "shipper_country": draw(country),
        "consignee": draw(company_names(catalogue=catalogue)),
        "consignee_country": draw(country),
    }
    if goods_tag is not None or goods_category is not None:
        shipment["hs_code"] = draw(
            hs_codes(tag=goods_tag, category=goods_category, catalogue=catalogue)
        )
    elif ordinary:
        shipment["hs_code"] = draw(ordinary_hs_codes(catalogue=catalogue))
    else:
        shipment["hs_code"] = draw(_any_hs_codes(catalogue))
    if ordinary:
        shipment["description"] = draw(st.sampled_from(_ORDINARY_GOODS))
    if destination is not None:
        shipment["destination_country"] = draw(country_spellings(destination, catalogue=catalogue))
    elif draw(st.booleans()):
        shipment["destination_country"] = draw(country)
    if not ordinary:
        for role in ("end_user", "intermediary", "notify_party"):
            if draw(st.booleans()):
                shipment[role] = draw(company_names(catalogue=catalogue))
                shipment[f"{role}_country"] = draw(country)
        if draw(st.booleans()):
            shipment["transit_countries"] = draw(routes(catalogue=catalogue))
        if draw(st.booleans()):
            shipment["payment_country"] = draw(country)
    else:
        shipment["payment_country"] = shipment["consignee_country"]
    if draw(st.booleans()):
        shipment["value_usd"] = draw(values())
    if party_tag is not None:
        shipment[party_role] = draw(_party_names(party_tag, catalogue))
    return shipment


@_memo
def shipments(
    *,
    destination: str | None = None,
    goods_tag: str | None = None,
    goods_category: str | None = None,
    party_tag: str | None = None,
    party_role: str = "consignee",
    ordinary: bool = False,
    catalogue: Catalogue | None = None,
) -> SearchStrategy[dict[str, str]]:
    """Shipment records (canonical field names), optionally constrained.

    ``destination``: an ISO alpha-2 code, written in any of its spellings; ``goods_tag`` /
    ``goods_category``: goods of the catalogue's categories, HS code in any notation; ``party_tag``:
    the party in ``party_role`` is a catalogue party with the tag, as listed or disguised;
    ``ordinary``: ordinary goods between ordinary countries, no end user, intermediary, transit or
    third-country payment (the other constraints still apply on top).
    """
    return _shipment(
        catalogue=_catalogue(catalogue),
        destination=destination,
        goods_tag=goods_tag,
        goods_category=goods_category,
        party_tag=party_tag,
        party_role=party_role,
        ordinary=ordinary,
    )


@_memo
def ordinary_shipments(*, catalogue: Catalogue | None = None) -> SearchStrategy[dict[str, str]]:
    """Shipments with no risk indicator: ordinary goods, parties and countries."""
    return shipments(ordinary=True, catalogue=catalogue)


@_memo
def any_shipments(*, catalogue: Catalogue | None = None) -> SearchStrategy[dict[str, str]]:
    """A mixture that reaches every band: ordinary, unconstrained and risky shipments."""
    cat = _catalogue(catalogue)
    goods_tags = cat.goods_tags
    party_tags = cat.party_tags
    risky: list[SearchStrategy[dict[str, str]]] = []
    for tag in ("chpl", "military", "heavy-machinery"):
        if tag in goods_tags:
            risky.append(shipments(destination="RU", goods_tag=tag, catalogue=cat))
            risky.append(shipments(destination="AE", goods_tag=tag, catalogue=cat))
    for tag in ("sanctioned", "named-supplier"):
        if tag in party_tags:
            risky.append(shipments(party_tag=tag, party_role="shipper", catalogue=cat))
            risky.append(
                shipments(
                    party_tag=tag,
                    goods_tag="chpl" if "chpl" in goods_tags else None,
                    destination="KZ",
                    catalogue=cat,
                )
            )
    return st.one_of(ordinary_shipments(catalogue=cat), shipments(catalogue=cat), *risky)
