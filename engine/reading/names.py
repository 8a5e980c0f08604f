"""Party-name normalisation: one comparable form for names written in any script or style.

``NameNormaliser.key(name)`` returns a :class:`NameKey`: the name's tokens after Unicode
compatibility folding, removal of invisible characters, mapping of look-alike letters in
mixed-script words, transliteration of Cyrillic and Chinese (anyascii), case and punctuation
folding and expansion of abbreviations, with legal forms (JSC, ООО, 有限公司...) set aside and
each remaining token weighted by how much it says about the firm (generic words and places
weigh less).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import OSA

from engine.catalogue.entities import NameWords
from engine.reading import caches
from engine.reading.text import LOOKALIKE_PAIRS as _LOOKALIKE_PAIRS
from engine.reading.text import TO_LATIN, strip_invisible
from engine.reading.text import ZERO as _ZERO
from engine.reading.text import script as _script
from engine.reading.text import unmix as _unmix

GENERIC_WEIGHT = 0.2
PLACE_WEIGHT = 0.5
NUMBER_WEIGHT = 1.0
WORD_WEIGHT = 1.0

_LOOKALIKE = TO_LATIN
_WORD = re.compile(r"\w+", re.UNICODE)
_DOTTED = re.compile(
    r"\b(?:\w\.){2,}(?!\w)"
)  # "U.A.E." / "S.p.A." / "L.L.C." -> "UAE" / "SpA" / "LLC"
_APOSTROPHES = re.compile(r"['’ʼ`´‘]")
_SEPARATOR = re.compile(r"[^\w]+", re.UNICODE)
# Transliteration variants folded together to compare (ks/x, kh/h, ts/c, y/i and others).
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "sch"),
    ("kh", "h"),
    ("ks", "x"),
    ("tz", "c"),
    ("ts", "c"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("q", "k"),
)


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def fold_text(text: str) -> str:
    """Compatibility-fold, drop invisible characters, lower-case; keep the script."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_invisible(text)
    return text.casefold().replace("ё", "е")


@lru_cache(maxsize=caches.WORDS)
def skeleton(token: str) -> str:
    """Fold transliteration variants (Rosoboroneksport ~ Rosoboronexport) and doubled letters."""
    for old, new in _SKELETON_RULES:
        token = token.replace(old, new)
    out: list[str] = []
    for ch in token:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _word_script(word: str) -> str:
    if word.isascii():
        return "latin"
    scripts = {_script(ch) for ch in word} - {"other"}
    return scripts.pop() if len(scripts) == 1 else ("latin" if not scripts else "mixed")


# Pinyin of 市, 省, 区, 县: the kind of division after its name in a Chinese firm's name.
_HAN_DIVISIONS = frozenset({"shi", "sheng", "qu", "xian"})
_GUILLEMETS = re.compile(r"«([^»]*)»")
_PARENTHESES = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def _qualifiers(name: str) -> tuple[str, str]:
    """The name without its bracketed parts, and those parts ("(Moscow)", "(Hong Kong)")."""
    if "(" not in name and "[" not in name:
        return name, ""
    inside = " ".join(_PARENTHESES.findall(name))
    return _PARENTHESES.sub(" ", name), inside


_CYRILLIC_FOLD = str.maketrans({"ё": "е", "Ё": "Е", "ь": None, "ъ": None, "Ь": None, "Ъ": None})


def _mostly_latin(text: str) -> bool:
    """Whether most of a text's letters are ASCII Latin ones."""
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return latin > sum(1 for ch in text if ch.isalpha() and not ch.isascii())


# The look-alikes that pass for Latin letters of the same case: lower-case в, н, к, м, т (and
# Greek κ, τ) are small capitals beside Latin text, and a word made of them is Cyrillic
# ("Нева" beside a transliterated legal form is Neva, not "Heba").
_SAME_CASE_LOOKALIKES = frozenset(_LOOKALIKE_PAIRS) - set("вкмнтκτ")


def _all_lookalike(word: str) -> bool:
    """Whether every letter of a word is a Cyrillic or Greek look-alike of a Latin letter of the
    same case."""
    return all(ch in _SAME_CASE_LOOKALIKES for ch in word if ch.isalpha()) and any(
        ch in _SAME_CASE_LOOKALIKES for ch in word
    )


def ascii_words(name: str) -> list[str] | None:
    """The lower-case words of an ASCII name as :func:`_raw_tokens` splits them; None for a name
    in other scripts."""
    if not name.isascii():
        return None
    text = _DOTTED.sub(_undot, name) if "." in name else name
    if "'" in text or "`" in text:
        text = _APOSTROPHES.sub("", text)
    text = strip_invisible(text).lower()
    # Most names are letters and digits between spaces, commas and full stops: split at those.
    plain = text.replace(",", " ").replace(".", " ")
    if plain.replace(" ", "").isalnum():
        return plain.split()
    return [w for w in _SEPARATOR.split(text) if w]


def _undot(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


def _raw_tokens(name: str) -> list[tuple[str, str]]:
    """Latin tokens of ``name``, each with the script it was written in ('han' per character)."""
    if name.isascii():  # most list and shipment names: nothing to fold or transliterate
        text = _DOTTED.sub(_undot, name)
        text = _APOSTROPHES.sub("", strip_invisible(text))
        return [
            (_ZERO.sub("o", t) if "0" in t else t, "latin")
            for t in _SEPARATOR.split(text.lower())
            if t
        ]
    text = unicodedata.normalize("NFKC", name)
    text = strip_invisible(text)
    # ё is written е as often as not; ь and ъ have no letter of their own in Latin spellings
    # (anyascii gives apostrophes, which would split the word).
    text = text.translate(_CYRILLIC_FOLD)
    text = _DOTTED.sub(_undot, text)
    text = _APOSTROPHES.sub("", text)
    tokens: list[tuple[str, str]] = []
    # In a name written mostly in Latin letters, a word typed wholly in look-alike letters of
    # another script ("СО" in Cyrillic) is the Latin word; not where the name holds words only
    # that script writes ("Atlas Coffee ОУ ДПО": ОУ is the Russian form's), nor in Russian
    # quotes («НЕВА» AG & Co. KG: the Russian name itself).
    chunks = [c for c in _SEPARATOR.split(text) if c]
    latin_name = _mostly_latin(text) and not any(
        not c.isascii() and not _all_lookalike(c) and not _unmix(c).isascii() for c in chunks
    )
    quoted = (
        {w for q in _GUILLEMETS.findall(text) for w in _SEPARATOR.split(q)} if "«" in text else ()
    )

    def flush(buf: list[str]) -> None:
        word = "".join(buf)
        script = _word_script(word)
        tokens.extend((t, script) for t in _SEPARATOR.split(anyascii(word)) if t)

    for chunk in chunks:
        if latin_name and not chunk.isascii() and chunk not in quoted and _all_lookalike(chunk):
            chunk = chunk.translate(_LOOKALIKE)
        buf: list[str] = []
        for ch in _unmix(chunk):
            if _is_han(ch):
                if buf:
                    flush(buf)
                    buf = []
                tokens.append((anyascii(ch), "han"))
            else:
                buf.append(ch)
        if buf:
            flush(buf)
    return [(t.lower(), script) for t, script in tokens if t]


# How Russian, Ukrainian and Belarusian letters are written in Latin letters by the systems lists
# and passports use: BGN/PCGN (1947 and 1965), the passport system of ICAO Doc 9303, Ukraine's
# national system (Cabinet of Ministers resolution 55 of 2010), Belarus's national system (2007)
# and the spellings English writes by ear ("x" for "кс").  A letter's options are those of every
# system; words starting with, or vowels after a vowel, "е", "ё", "ю", "я" may carry a "y".
_ROMAN: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v", "w"), "г": ("g", "h"), "ґ": ("g",), "д": ("d",),
    "е": ("e", "ye"), "ё": ("e", "yo", "io"), "є": ("ye", "ie", "e"), "ж": ("zh", "j"),
    "з": ("z",), "и": ("i", "y"), "і": ("i",), "ї": ("yi", "i", "ji"), "й": ("y", "i", "j", ""),
    "к": ("k",), "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",),
    "с": ("s",), "т": ("t",), "у": ("u",), "ў": ("u", "w"), "ф": ("f",), "х": ("kh", "h", "ch"),
    "ц": ("ts", "c", "tz"), "ч": ("ch",), "ш": ("sh",), "щ": ("shch", "sch"), "ъ": ("", "ie"),
    "ы": ("y", "i"), "ь": ("", "i"), "э": ("e",), "ю": ("yu", "iu", "ju"),
    "я": ("ya", "ia", "ja"), "'": ("",), "’": ("",), "ʼ": ("",),
    "кс": ("ks", "x"),
}  # fmt: skip
_ROMAN_LIMIT = 512


def romanisations(word: str) -> set[str]:
    """The Latin spellings of a Cyrillic word under the systems of ``_ROMAN`` (a bounded set:
    options beyond the first are dropped once it holds ``_ROMAN_LIMIT`` spellings)."""
    word = unicodedata.normalize("NFC", word).casefold()
    spellings = {""}
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _ROMAN:
            options, i = _ROMAN[pair], i + 2
        else:
            options, i = _ROMAN.get(word[i], (word[i],)), i + 1
        if len(spellings) * len(options) > _ROMAN_LIMIT:
            options = options[:1]
        spellings = {s + o for s in spellings for o in options}
    return spellings


def given_name_map(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """Skeletons of the spellings of each group of given names (one name in several languages
    and scripts), each mapped to the skeleton of the group's first spelling; a skeleton two
    groups share is left alone (it says nothing about which name it is)."""
    claims: dict[str, set[str]] = {}
    for group in groups:
        names = list(group)
        if not names:
            continue
        canonical = skeleton(_APOSTROPHES.sub("", anyascii(names[0]).casefold()))
        for name in names:
            plain = name.casefold()
            spellings = romanisations(plain) if not plain.isascii() else {plain}
            spellings.add(anyascii(plain).casefold())
            for spelling in spellings:
                spelling = _APOSTROPHES.sub("", spelling)
                if spelling.isalpha():
                    claims.setdefault(skeleton(spelling), set()).add(canonical)
    return {
        skel: next(iter(owners))
        for skel, owners in claims.items()
        if len(owners) == 1 and next(iter(owners)) != skel
    }


@dataclass(frozen=True, slots=True)
class Token:
    """One comparable word of a name."""

    text: str
    skeleton: str
    weight: float
    kind: str  # "word" | "generic" | "place" | "number"
    script: str = "latin"  # the script it was written in: latin, cyrillic, han, greek...
    # A person's middle name or patronymic in a listed name (set by the index): left out of a
    # query, it costs little.
    middle: bool = False


@dataclass(frozen=True, slots=True)
class NameKey:
    """A normalised name: weighted tokens, and the legal forms that were set aside."""

    original: str
    tokens: tuple[Token, ...]
    legal_forms: tuple[str, ...]

    @property
    def text(self) -> str:
        """The normalised name as one string."""
        return " ".join(t.text for t in self.tokens)

    @property
    def total_weight(self) -> float:
        """The sum of the token weights."""
        return sum(t.weight for t in self.tokens)


def _same_form(words: list[str], form: tuple[str, ...]) -> bool:
    """Whether words (skeletons) spell a legal form of several words, a word of six letters or
    more of it with one typo ("Limited Liabilty Company"): a mangled form is still a form, never
    a distinctive word.  The first word is the one the form was found by, so it is exact."""
    if len(words) != len(form):
        return False
    for word, expected in zip(words, form, strict=True):
        if word != expected and (
            len(expected) < 6 or OSA.distance(word, expected, score_cutoff=1) > 1
        ):
            return False
    return True


# Words of legal forms and how forms of several words write them short or in full ("Public Joint
# Stock Co", "Ltd Liability Company"): each form of several words is known in every such spelling.
_FORM_CONTRACTIONS = {
    "company": "co", "limited": "ltd", "corporation": "corp", "incorporated": "inc",
    "private": "pvt", "public": "pub", "brothers": "bros",
}  # fmt: skip
_CONTRACTION_SKELETONS = {
    skeleton(a): skeleton(b)
    for full, short in _FORM_CONTRACTIONS.items()
    for a, b in ((full, short), (short, full))
}


def _contracted(seq: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A legal form's words (skeletons) and its spellings with form words contracted or written
    in full (a form of several words only)."""
    if len(seq) < 2:
        return [seq] if seq else []
    out = [seq]
    for i, word in enumerate(seq):
        other = _CONTRACTION_SKELETONS.get(word)
        if other is not None:
            out += [(*v[:i], other, *v[i + 1 :]) for v in out]
    return out


class NameNormaliser:
    """Turns names into NameKeys, using the catalogue's legal forms and name words."""

    def __init__(self, words: NameWords) -> None:
        forms: dict[tuple[str, ...], str] = {}
        # Forms written with brackets ("UG (h.b.)"): their bracket is no qualifier.
        bracketed: set[tuple[str, ...]] = set()
        for legal_form in words.legal_forms:
            for form in legal_form.forms:
                seq = tuple(skeleton(t) for t, _ in _raw_tokens(form))
                for variant in _contracted(seq):
                    forms.setdefault(variant, legal_form.id)
                if "(" in form and seq:
                    bracketed.add(seq)
        # Forms of several words, longest first, so "Co., Ltd." is taken whole before "Co" or
        # "Ltd"; looked up by their first two words, or by the first alone where the second has
        # six letters or more and may carry a typo (see _same_form).
        self._multi: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for seq in sorted((f for f in forms if len(f) > 1), key=len, reverse=True):
            self._multi.setdefault((seq[0], "" if len(seq[1]) >= 6 else seq[1]), []).append(seq)
        self._forms = forms
        self._bracketed_forms = bracketed
        self._bracketed_ends = {f[-1] for f in bracketed}
        # Long one-word forms by their stems, for Russian case endings ("Госкорпорации" in
        # "филиал Госкорпорации «Ростех»" is the form "Госкорпорация").
        self._stems: dict[str, str] = {}
        for seq, form_id in forms.items():
            if len(seq) == 1 and len(seq[0]) >= 8:
                for cut in (1, 2):
                    self._stems.setdefault(seq[0][:-cut], form_id)
        self._generic = {skeleton(w) for w in self._fold_words(words.generic)}
        self._places = {skeleton(w) for w in self._fold_words(words.places)}
        self._stop = {skeleton(w) for w in self._fold_words(words.stopwords)}
        # Spellings of one given name in other languages and romanisations ("Oleksandr",
        # "Aleksandr", "Alexander") share one skeleton.
        self._given = given_name_map(words.given_names)
        # Words recur across names: a token is made once per (text, script).
        self._token = lru_cache(maxsize=caches.WORDS)(self._make_token)
        self._abbrev = {
            skeleton(_raw_tokens(k)[0][0]): [t for t, _ in _raw_tokens(v)]
            for k, v in words.abbreviations.items()
            if _raw_tokens(k)
        }

    @staticmethod
    def _fold_words(words: Iterable[str]) -> list[str]:
        return [t for w in words for t, _ in _raw_tokens(w)]

    def _expand(self, text: str) -> list[tuple[str, str]]:
        """The raw tokens of a text with abbreviations expanded ("Tech" -> "technology")."""
        raw: list[tuple[str, str]] = []
        for word, script in _raw_tokens(text):
            expansion = None if script == "han" else self._abbrev.get(skeleton(word))
            if expansion:
                raw.extend((w, script) for w in expansion)
            else:
                raw.append((word, script))
        return raw

    def _strip_legal_forms(
        self, tokens: list[tuple[str, str]]
    ) -> tuple[list[tuple[str, str]], list[str]]:
        found: list[str] = []
        skel = [skeleton(t) for t, _ in tokens]
        keep = [True] * len(tokens)
        # Forms of several words wherever they stand, the longest first where two overlap
        # ("Co Limited Liability Company" is "Co" and "Limited Liability Company").
        spans: list[tuple[int, int, tuple[str, ...]]] = []
        multi = self._multi
        for i in range(len(skel) - 1):
            exact = multi.get((skel[i], skel[i + 1]), ())
            loose = multi.get((skel[i], ""), ())
            for form in (
                sorted((*exact, *loose), key=len, reverse=True)
                if exact and loose
                else (exact or loose)
            ):
                if _same_form(skel[i : i + len(form)], form):
                    spans.append((i, i + len(form), form))
                    break
        if spans:
            taken: list[tuple[int, str]] = []
            for start, end, form in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
                if all(keep[start:end]):
                    keep[start:end] = [False] * (end - start)
                    taken.append((start, self._forms[form]))
            found.extend(form_id for _, form_id in sorted(taken))
            if not any(keep):  # a name that is nothing but a legal form: compare it as written
                return tokens, []
            tokens = [t for t, k in zip(tokens, keep, strict=True) if k]
        # One-word forms of three letters or more ("Inc", "GmbH", "OOO") wherever they stand; the
        # shorter ones ("AO", "AS", "Co") could be words, so only at either end, repeatedly.
        # Never the whole name.
        # A Chinese syllable is never a one-word form (syllables join into words below).
        kept: list[tuple[str, str]] = []
        for token in tokens:
            form_id = None if token[1] == "han" else self._forms.get((skeleton(token[0]),))
            if form_id is None and token[1] == "cyrillic" and len(token[0]) >= 8:
                form_id = self._inflected_form(skeleton(token[0]))
            if form_id is not None and len(token[0]) >= 3 and len(tokens) > 1:
                found.append(form_id)
            else:
                kept.append(token)
        tokens = kept or tokens
        changed = True
        while changed and len(tokens) > 1:
            changed = False
            for index in (0, -1):
                # A one-letter word is never a legal form ("K" would read as "KK", and "O" as
                # "OOO", once doubled letters fold).
                if len(tokens[index][0]) < 2 or tokens[index][1] == "han":
                    continue
                form_id = self._forms.get((skeleton(tokens[index][0]),))
                if form_id is not None and len(tokens) > 1:
                    found.append(form_id)
                    del tokens[index]
                    changed = True
        return tokens, found

    def _han_words(self, syllables: list[str]) -> list[str]:
        """A run of Chinese syllables as words: a Chinese firm's name is its administrative
        division, its trade name, its industry and its form (the form is set aside before), the
        characters written without spaces; the division opening the run and the industry words
        closing it are taken apart when two syllables at least are left to the trade name
        (北京金明盛科技: "beijing", "jinmingsheng", "keji")."""
        head: list[str] = []
        tail: list[str] = []
        rest = syllables
        for n in (3, 2):
            if len(rest) - n >= 2 and skeleton("".join(rest[:n])) in self._places:
                head, rest = ["".join(rest[:n])], rest[n:]
                # 市 city, 省 province, 区 district, 县 county after the division's name
                if len(rest) >= 3 and rest[0] in _HAN_DIVISIONS:
                    rest = rest[1:]
                break
        while len(rest) >= 4:
            for n in (3, 2):
                if len(rest) - n >= 2 and skeleton("".join(rest[-n:])) in self._generic:
                    tail.insert(0, "".join(rest[-n:]))
                    rest = rest[:-n]
                    break
            else:
                break
        return [*head, "".join(rest), *tail]

    def _unbracket_form(self, name: str) -> str:
        """The name with the brackets of a legal form taken off ("Alfa UG (h.b.)" is "Alfa UG
        h.b."), so that the form is read whole, not as a qualifier."""
        if "(" not in name or not self._bracketed_forms:
            return name
        for match in reversed(list(_PARENTHESES.finditer(name))):
            inside = _raw_tokens(match.group(1))
            if not inside or skeleton(inside[-1][0]) not in self._bracketed_ends:
                continue
            before = [skeleton(t) for t, _ in _raw_tokens(name[: match.start()])]
            words = before + [skeleton(t) for t, _ in inside]
            if any(tuple(words[-len(f) :]) == f for f in self._bracketed_forms if len(f) > 1):
                name = f"{name[: match.start()]} {match.group(1)} {name[match.end() :]}".strip()
        return name

    def _inflected_form(self, skel: str) -> str | None:
        """The long one-word form a Russian word is a case form of (one to three letters of
        ending changed), if any."""
        for cut in (1, 2, 3):
            form_id = self._stems.get(skel[:-cut])
            if form_id is not None:
                return form_id
        return None

    def is_place(self, text: str) -> bool:
        """Whether every word of a text is a place word (a city, a region, a country)."""
        tokens = _raw_tokens(text)
        return bool(tokens) and all(skeleton(t) in self._places for t, _ in tokens)

    def form_words(self, text: str) -> tuple[int, int, int]:
        """The words of ``text``: how many a legal form opening it holds, how many one closing
        it holds (each leaving a word more), and how many in all (``Alfa Ltd`` is (0, 1, 2))."""
        words = [skeleton(t) for t, _ in _raw_tokens(text)]
        forms = self._forms
        edge = range(1, min(5, len(words)))
        lead = max((n for n in edge if tuple(words[:n]) in forms), default=0)
        trail = max((n for n in edge if tuple(words[-n:]) in forms), default=0)
        return lead, trail, len(words)

    def skeletons(self, name: str) -> list[str] | None:
        """The skeletons of every word the name's key can hold, or None if that is not simple.

        A superset for ASCII names: the words of the name with abbreviations expanded, before
        legal forms, stopwords and brackets are set aside.  Names in other scripts (whose key may
        join characters into words) give None.
        """
        words = ascii_words(name)
        if words is None:
            return None
        return [s for word in words for s in self.word_skeletons(word)]

    def word_skeletons(self, word: str) -> tuple[str, ...]:
        """The skeletons a word of :func:`ascii_words` stands for (more than one if it is an
        abbreviation the catalogue expands)."""
        if "0" in word:
            word = _ZERO.sub("o", word)
        expansion = self._abbrev.get(skeleton(word))
        return tuple(map(self.skeleton, expansion)) if expansion else (self.skeleton(word),)

    def skeleton(self, word: str) -> str:
        """A word's skeleton, the same for every spelling of a given name the catalogue
        lists as one (see given_name_map)."""
        skel = skeleton(word)
        return self._given.get(skel, skel)

    def key(self, name: str) -> NameKey:
        """Normalise one name.

        Bracketed parts qualify the name ("(Moscow)"): they are read apart, after the name's own
        legal forms are set aside, and their words weigh as places do.
        """
        main, bracketed = _qualifiers(self._unbracket_form(name))
        raw, legal = self._strip_legal_forms(self._expand(main))
        if bracketed:
            extra, extra_legal = self._strip_legal_forms(self._expand(bracketed))
            legal += extra_legal
            if raw:
                qualifiers = {t for t, _ in extra}
                raw += extra
            else:
                raw, qualifiers = extra, set()
        else:
            qualifiers = set()
        # Syllables of one run of Chinese characters form one word, as the characters do; the
        # place the run opens with and the industry words it closes with are words of their own.
        merged: list[tuple[str, str]] = []
        run: list[str] = []
        for text, script in [*raw, ("", "")]:
            if script == "han":
                run.append(text)
                continue
            if run:
                merged.extend((word, "han") for word in self._han_words(run))
                run = []
            if text:
                merged.append((text, script))
        tokens = [
            self._token(t, sc, t in qualifiers) for t, sc in merged if skeleton(t) not in self._stop
        ]
        if not tokens and merged:  # a name made only of stopwords: keep it as written
            tokens = [self._token(t, sc, False) for t, sc in merged]
        return NameKey(original=name, tokens=tuple(tokens), legal_forms=tuple(legal))

    def _make_token(self, text: str, script: str = "latin", qualifier: bool = False) -> Token:
        skel = self.skeleton(text)
        if any(ch.isdigit() for ch in text):
            return Token(text, skel, NUMBER_WEIGHT, "number", script)
        if skel in self._generic:
            return Token(text, skel, GENERIC_WEIGHT, "generic", script)
        # Words in brackets qualify a name ("(Moscow)", "(Hong Kong)") and weigh as places do.
        if skel in self._places or qualifier:
            return Token(text, skel, PLACE_WEIGHT, "place", script)
        return Token(text, skel, WORD_WEIGHT, "word", script)
