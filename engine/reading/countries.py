"""Country names and codes as shipments write them, resolved to ISO 3166-1 alpha-2."""

from __future__ import annotations

import gettext
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pycountry

from engine.catalogue.entities import Country
from engine.reading import caches
from engine.reading.gazetteer import Ambiguous, Gazetteer, Place
from engine.reading.phrases import stem
from engine.reading.text import normalise, unmix

# The stops of a route, as people write them: "TR; AM", "China > Kazakhstan → Russia", "via
# Dubai then Moscow", one a line.
_STRONG_SPLIT = re.compile(
    r"\s*(?:[;|\n\r>→⇒➔➝⟶]|->|=>|(?<!\w)(?:via|then|through|через|затем|далее)(?!\w))\s*",
    re.IGNORECASE,
)
# The parts of a place or a stop: a place and its country, or two countries ("Moscow, Russia",
# "Bishkek - Kyrgyzstan", "TR, AM", "Russia / Kazakhstan").
_WEAK_SPLIT = re.compile(r"\s*(?:,|\s[-–—]\s|/)\s*")
_BRACKETS = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_NOISE = re.compile(r"[^\w]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
_CHINESE_REGIONS = frozenset({"HK", "MO"})
_SUBDIVISION = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}")
# A region's code, perhaps with a postcode after it ("OH 45363", "GA", "NY 10001-1234").
_REGION_CODE = re.compile(r"([A-Z]{2})(?:\s+\d{4,6}(?:-\d{4})?)?")
_DIGITS_ONLY = re.compile(r"[\d\s.-]+")


def _long_enough(key: str) -> bool:
    """Whether a folded name is long enough to be read as a country's among other words: four
    letters in Latin ones (three are codes), two in other scripts ("俄罗斯", "روسیه")."""
    return len(key) > 3 or (len(key) >= 2 and not key.isascii())


def country_key(text: str) -> str:
    """Fold a country spelling for lookup: case, accents, dots and spaces ("U.A.E." -> "uae")."""
    text = normalise(text)
    if not text.isascii():  # look-alike letters undone word by word ("Russiа" with Cyrillic а)
        text = " ".join(unmix(w) for w in _WORD.findall(text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOISE.sub("", text.casefold())


class CountryResolver:
    """Resolves ISO alpha-2, alpha-3 and numeric codes and names (ISO's, the catalogue's)."""

    def __init__(self, countries: Mapping[str, Country]) -> None:
        table: dict[str, str] = {}
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    table.setdefault(country_key(value), c.alpha_2)
            table[country_key(c.alpha_3)] = c.alpha_2
            table[country_key(c.numeric)] = c.alpha_2
            table[country_key(str(int(c.numeric)))] = c.alpha_2
        # pycountry writes some names "Korea, Republic of": accept the part before the comma too
        # when no other country has it.
        for c in pycountry.countries:
            head = c.name.split(",")[0]
            table.setdefault(country_key(head), c.alpha_2)
        for country in countries.values():
            for spelling in [country.name, *country.spellings]:
                table[country_key(spelling)] = country.code
        # Russian names in any grammatical case ("России", "в Россию", "Казахстана"): by the
        # Snowball stems of their words; a stem two countries share is neither's.
        stemmed: dict[str, str | None] = {}
        for country in countries.values():
            for spelling in [country.name, *country.spellings]:
                for stem_key in _stem_keys(spelling):
                    known = stemmed.setdefault(stem_key, country.code)
                    if known != country.code:
                        stemmed[stem_key] = None
        self._stemmed = {k: v for k, v in stemmed.items() if v is not None}
        for c in pycountry.countries:  # two-letter codes last, so they always mean the code
            table[country_key(c.alpha_2)] = c.alpha_2
        self._table = table
        # ISO 3166-2 subdivisions: their codes ("RU-MOW") mean their country, and their names
        # beside a country's code ("Georgia, US") mean a subdivision, not a namesake country.
        self._subdivision_codes = {s.code.upper(): s.country_code for s in pycountry.subdivisions}
        self._region_codes: dict[str, set[str]] = {}  # "OH" -> {"US", ...}
        self._subdivision_names: dict[str, set[str]] = {}
        for sub in pycountry.subdivisions:
            self._region_codes.setdefault(sub.code.split("-")[1], set()).add(sub.country_code)
            self._subdivision_names.setdefault(country_key(sub.name), set()).add(sub.country_code)
        # Free zones and industrial parks named in place of their country.
        self._zones: dict[str, tuple[str, str]] = {}
        for country in countries.values():
            for zone in country.zones:
                self._zones.setdefault(country_key(zone), (country.code, zone))
        self._foreign: dict[str, str] | None = None  # translated names, loaded when first needed
        self._names = {c.alpha_2: c.name for c in pycountry.countries}
        for country in countries.values():
            self._names[country.code] = country.name
        # A city named without its country, found in the gazetteer (loaded when first needed).
        self._gazetteer = Gazetteer(country_key)
        self._placed = lru_cache(maxsize=caches.VALUES)(self._place)
        # Shipment files write the same few hundred spellings over and over.
        self._resolved = lru_cache(maxsize=caches.VALUES)(self._resolve)
        self._noted = lru_cache(maxsize=caches.VALUES)(self._place_note)
        self._read = lru_cache(maxsize=caches.VALUES)(self._read_cell)
        self._listed = lru_cache(maxsize=caches.VALUES)(self._resolve_list)

    def resolve(self, text: str) -> str | None:
        """The alpha-2 code for one country spelling, or None."""
        return self._resolved(text)

    def read(self, text: str) -> tuple[str | None, str | None]:
        """A country cell's code (or None) and its place note (:meth:`place_note`), at once."""
        return self._read(text)

    def _read_cell(self, text: str) -> tuple[str | None, str | None]:
        return self._resolved(text), self._noted(text)

    def resolve_list(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Resolve a route or list of countries; return (codes, unreadable parts).

        Stops are separated by ';', '|', arrows, '>', newlines, "via" or "then"; a stop may name
        several countries (',', ' - ', '/') or a place and its country ("Moscow, Russia").
        Names that hold a comma themselves ("Korea, Republic of") are read whole.
        """
        return self._listed(text)

    def _resolve(self, text: str) -> str | None:
        text = normalise(text)
        if not text or not text.strip():
            return None
        found = self._table.get(country_key(text))
        if found is None and _SUBDIVISION.fullmatch(text.strip()):
            found = self._subdivision_codes.get(text.strip().upper())
        if found is None:
            found = self._translated().get(country_key(text))
        if found is None and not text.isascii():
            found = self._by_stem(text)
        if found is None:
            found = self._find(text)
        if found is None:
            found = self._placed(text)[0]
        return found if found is not None else self._in_words(text)

    def _translated(self) -> dict[str, str]:
        if self._foreign is None:
            self._foreign = {k: v for k, v in _translated_names().items() if k not in self._table}
        return self._foreign

    def _named_in(self, key: str) -> str | None:
        """The country a folded name names: ISO's or the catalogue's, else a translation."""
        code = self._table.get(key)
        if code is None and _long_enough(key):
            code = self._translated().get(key)
        return code

    def _by_stem(self, text: str) -> str | None:
        """The country a Russian name names in any grammatical case (see _stem_keys)."""
        return next((c for k in _stem_keys(text) if (c := self._stemmed.get(k))), None)

    def _in_words(self, text: str) -> str | None:
        """The one country a cell names among its words, where no comma or bracket sets it apart
        ("г. Гродно Республики Беларусь", "Moscow Russia"): a name long enough not to be a code
        (_long_enough), in any Russian case, and no city of another country beside it (a
        "Jordan Street" in Dubai is no Jordan)."""
        words = _WORD.findall(normalise(text))
        if len(words) < 2 or len(words) > 8:
            return None
        found: set[str] = set()
        used: set[int] = set()
        for n in range(min(4, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if used & set(range(i, i + n)):
                    continue
                window = " ".join(words[i : i + n])
                key = country_key(window)
                code = self._table.get(key) if _long_enough(key) and not key.isdigit() else None
                if code is None and not window.isascii():
                    code = self._by_stem(window)
                if code is not None:
                    found.add(code)
                    used.update(range(i, i + n))
        if len(found) != 1:
            return None
        code = next(iter(found))
        rest = [w for i, w in enumerate(words) if i not in used]
        for n in (2, 1):  # a city of another country among the other words: not read
            for i in range(len(rest) - n + 1):
                place = self._gazetteer.find(" ".join(rest[i : i + n]))
                if isinstance(place, Place) and place.country != code:
                    return None
        return code

    def names_country(self, word: str) -> bool:
        """Whether a word is a country's name (not a two-letter code: "co" is no Colombia)."""
        key = country_key(word)
        return len(key) > 2 and key in self._table

    def place_note(self, text: str) -> str | None:
        """What the gazetteer made of a cell that names no country: the city it read ("read as
        AE: Dubai is a city of 3,478,300 people (GeoNames)"), the countries a city name is
        ambiguous between, or None."""
        return self._noted(text)

    def _place_note(self, text: str) -> str | None:
        if self._table.get(country_key(normalise(text))) is not None or self._find(text):
            return None
        return self._placed(normalise(text))[1] if self._in_words(text) is None else None

    def _place(self, text: str) -> tuple[str | None, str | None]:
        """The country of the one city a cell names (the whole cell, or one of its parts), and
        the note on it."""
        parts = [text, *(p.strip() for p in _WEAK_SPLIT.split(text))]
        parts += _BRACKETS.findall(text)
        if "(" in text or "[" in text:  # "Navoi FIEZ (Navoiy ...)": the name before its bracket
            parts += [p.strip() for p in _WEAK_SPLIT.split(_BRACKETS.sub(" ", text))]
        if not text.isascii():  # "С.-Петербург", "СПб": the name written out, beside as written
            parts += [w for p in parts if (w := _written_out(p)) != p]
        found: dict[str, tuple[str, str]] = {}
        ambiguous: list[tuple[str, tuple[str, ...]]] = []
        zones = [(p, z) for p in dict.fromkeys(parts) if (z := self._zones.get(country_key(p)))]
        if zones and len({code for _, (code, _) in zones}) == 1:
            part, (code, zone) = zones[0]
            return code, f"read as {code}: {_named(part, text)}is a free zone in {code} ({zone})"
        # A region named beside a city ("St. Petersburg, Florida"): the city of that name in
        # the region's country, not the largest of the name.
        regions = {
            part: self._subdivision_names[country_key(part)]
            for part in parts[1:]
            if part != text and country_key(part) in self._subdivision_names
        }
        for part in dict.fromkeys(p for p in parts if p):
            if _DIGITS_ONLY.fullmatch(part):
                continue
            if regions and part not in regions:
                within = {
                    c: n
                    for c, n in self._gazetteer.cities(part).items()
                    if any(c in countries for countries in regions.values())
                }
                if len(within) == 1:
                    (country, people), region = next(iter(within.items())), next(iter(regions))
                    note = f"a city of {people:,} people in {region} (GeoNames)"
                    found.setdefault(country, (part, note))
                continue
            if regions:
                continue
            place = self._gazetteer.find(part)
            if isinstance(place, Place):
                found.setdefault(place.country, (part, place.note))
            elif isinstance(place, Ambiguous):
                ambiguous.append((part, place.countries))
        if len(found) == 1:
            country, (part, note) = next(iter(found.items()))
            return country, f"read as {country}: {_named(part, text)}is {note}"
        if len(found) > 1:
            return None, f"names cities of several countries ({', '.join(sorted(found))})"
        named = any(self._named_in(country_key(p)) for p in parts if p)
        if not ambiguous and not named:  # a region alone ("Moskva", "Bayern"), of one country
            for part in dict.fromkeys(p for p in parts if p):
                codes = self._subdivision_names.get(country_key(part), set())
                if len(codes) == 1:
                    country = next(iter(codes))
                    return (
                        country,
                        f"read as {country}: {_named(part, text)}is a region of {country}",
                    )
        if ambiguous:
            part, countries = ambiguous[0]
            return None, (
                f"{_named(part, text)}names cities in {', '.join(countries)}, none plainly: "
                "not read as any"
            )
        return None, None

    def _find(self, text: str) -> str | None:
        """The one country a cell names among other words: a country in brackets or after them
        ("Russian Federation (the)", "Kazakhstan (KZ)"), or one of its comma-separated parts
        ("Moscow, Russia", "Россия, Москва").  A name weighs more than a two-letter or numeric
        code ("Chicago, IL, USA" is the United States, not Israel); two countries named are
        none (the cell is reported, not guessed)."""
        segments = [p.strip() for p in _WEAK_SPLIT.split(text) if p.strip()]
        if len(segments) < 2 and _BRACKETS.search(text) is None:
            return None
        strong: set[str] = set()
        weak: set[str] = set()
        subdivided: set[str] = set()  # countries a named piece is a subdivision of

        def add(piece: str) -> bool:
            key = country_key(piece)
            code = self._named_in(key)
            subdivided.update(self._subdivision_names.get(key, ()))
            # A region's code, with a postcode or alone ("OH 45363", "GA"): of these countries.
            if (short := _REGION_CODE.fullmatch(piece.strip())) is not None:
                subdivided.update(self._region_codes.get(short.group(1).upper(), ()))
            if code is not None:
                (weak if len(key) <= 2 or key.isdigit() else strong).add(code)
            return code is not None

        i = 0
        while i < len(segments):
            # A name that holds a comma itself ("Korea, Republic of") is read whole.
            if i + 1 < len(segments) and add(f"{segments[i]}, {segments[i + 1]}"):
                i += 2
                continue
            segment = segments[i]
            if not add(segment) and _BRACKETS.search(segment):
                add(_BRACKETS.sub(" ", segment))
                for inside in _BRACKETS.findall(segment):
                    add(inside)
            i += 1
        # A subdivision named with its country's code ("Georgia, US") is in that country.
        if len(strong) == 1 and len(weak) == 1 and weak <= subdivided and not weak <= strong:
            return weak.pop()
        # A region of China named with it ("Hong Kong SAR, China") is the region.
        if len(strong) == 2 and "CN" in strong and strong & _CHINESE_REGIONS:
            strong.discard("CN")
        # A country's region among the names ("Georgia (USA)", "Armenia (Quindío), COL",
        # "Atlanta, GA (Georgia), U.S."): the other name is a region or a city of that country.
        named = strong | weak
        if len(named) > 1 and len(named & subdivided) == 1:
            return (named & subdivided).pop()
        if strong:
            return strong.pop() if len(strong) == 1 else None
        return weak.pop() if len(weak) == 1 else None

    def _resolve_list(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        codes: list[str] = []
        bad: list[str] = []
        lines = text.replace("\r", "\n").replace("\n", ";")  # a line of its own is a stop
        for chunk in _STRONG_SPLIT.split(normalise(lines).strip()):
            pieces = [p.strip() for p in _WEAK_SPLIT.split(chunk)]
            i = 0
            while i < len(pieces):
                part = pieces[i]
                pair = f"{part}, {pieces[i + 1]}" if i + 1 < len(pieces) else ""
                step = 1
                code: str | None = self._table.get(country_key(pair)) if pair else None
                if code is not None:
                    step = 2
                else:
                    code = self.resolve(part) if part else None
                    # A place and its country ("Moscow, Russia") are one stop of the route.
                    if code is None and pair and (code := self._find(pair)) is not None:
                        step = 2
                i += step
                if code is None:
                    if part:
                        bad.append(part)
                elif code not in codes:
                    codes.append(code)
        return tuple(codes), tuple(bad)

    def name(self, code: str) -> str:
        """The country's name for explanations."""
        return self._names.get(code, code)

    def known_codes(self) -> Iterable[str]:
        """Every alpha-2 code the resolver knows."""
        return self._names.keys()


def _named(part: str, text: str) -> str:
    """How a note names the part of a cell it speaks of: not at all when it is the whole cell."""
    return "" if part == text else f"'{part}' "


# Russian abbreviations of city names and their first words ("С.-Петербург", "СПб", "г. Москва").
_ABBREVIATED = [
    (re.compile(r"^(?:г|гор)\.\s*"), ""),
    (re.compile(r"^[СC]\.\s*-?\s*(?=\w)"), "Санкт-"),
    (re.compile(r"^Н\.\s*(?=\w)"), "Нижний "),
    (re.compile(r"^(?:СПб|Спб|СПБ)$"), "Санкт-Петербург"),
    (re.compile(r"^(?:Мск|МСК)$"), "Москва"),
]


def _written_out(part: str) -> str:
    for pattern, replacement in _ABBREVIATED:
        part = pattern.sub(replacement, part)
    return part


# Prepositions a Russian place name may follow in a cell ("в Россию", "из Китая").
_PREPOSITIONS = frozenset({"в", "во", "из", "на", "до", "для", "к", "ко", "через"})
_CYRILLIC = re.compile(r"[а-яё]+")


# The case endings of Russian nouns and adjectives, longest first: what a name loses to be
# compared in any case ("Китай", "Китая"; "Беларусь", "Беларуси"), where Snowball's stems of
# proper names differ between cases.
_ENDINGS = ("ией", "ии", "ия", "ию", "ей", "ой", "ом", "ем", "ам", "ям", "ах", "ях", "ая", "ую",
            "а", "я", "и", "ы", "у", "ю", "е", "ь", "й")  # fmt: skip


def _stem_keys(text: str) -> tuple[str, ...]:
    """A Russian name's keys in any case: the Snowball stems of its words and the words without
    their case endings, a leading preposition dropped; () for a name not wholly in Russian."""
    words = _WORD.findall(normalise(text).casefold().replace("ё", "е"))
    if words and words[0] in _PREPOSITIONS:
        words = words[1:]
    if not words or not all(_CYRILLIC.fullmatch(w) for w in words):
        return ()
    if len(words) > 4:
        return ()
    # Each word without each ending it may have ("китая": "кит", "кита"), so that two cases meet.
    forms = [
        {word, *(word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 3)}
        for word in words
    ]
    bare = ["~" + " ".join(combo) for combo in itertools.product(*map(sorted, forms))]
    return (" ".join(stem(w) for w in words), *bare)


# The languages whose names of countries are read (pycountry's translations, from Debian's
# iso-codes): those of the trade files between the suppliers, the hubs and Russia.
_LANGUAGES = ("ar", "az", "be", "bg", "bs", "ca", "cs", "da", "de", "el", "es", "et", "fa", "fi",
              "fr", "he", "hi", "hr", "hu", "hy", "id", "it", "ja", "ka", "kk", "ko", "ky", "lt",
              "lv", "mk", "mn", "ms", "nb_NO", "nl", "pl", "pt", "pt_BR", "ro", "ru", "sk", "sl",
              "sq", "sr", "sr@latin", "sv", "tg", "th", "tk", "tr", "uk", "ur", "uz", "vi",
              "zh_CN", "zh_HK", "zh_TW")  # fmt: skip


def _translated_names() -> dict[str, str]:
    """Country names in :data:`_LANGUAGES` ("Kirghizistan", "Russische Föderation"), folded:
    the whole name and the part before its comma ("Russie, Fédération de"); a name two
    countries share, or too short to be told from a code (_long_enough), is left out."""
    written_as: dict[str, set[str]] = {}  # each name once, however many languages write it so
    for language in _LANGUAGES:
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:  # a pycountry without that language
            continue
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if not value or (written := translation.gettext(value)) == value:
                    continue
                for form in (written, written.split(",")[0]):
                    written_as.setdefault(form, set()).add(c.alpha_2)
    named: dict[str, set[str]] = {}
    for form, codes in written_as.items():
        if _long_enough(key := country_key(form)):
            named.setdefault(key, set()).update(codes)
    return {key: next(iter(codes)) for key, codes in named.items() if len(codes) == 1}
