"""What every reader of a cell does first: one normaliser for the text of a shipment.

:func:`normalise` undoes what files and editors do to text (Unicode compatibility forms, HTML
entities, invisible characters, dash and space variants); the free-text readers (phrases, goods
keywords, countries, HS codes) start from it, and party names are built on the same pieces
(:mod:`engine.reading.names`).  :func:`free_words` goes on to the words of a free text as the
phrase and keyword matchers compare them: case folded, look-alike letters folded to the word's
script ("СВO" with a Latin O, "CBO" written in Latin beside Russian words), dotted and spaced
abbreviations joined ("S.M.O.", "С.В.О.", "S M O").  What it changed can be said
(:func:`reading_notes`), so that evidence shows how the text was read.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from engine.reading import caches

_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs"})

# Cyrillic and Greek letters that look like Latin ones; used only inside words that mix scripts,
# where they are a disguise (or a typing accident), or in a word of free text typed wholly in the
# other script's look-alikes.
LOOKALIKE_PAIRS: dict[str, str] = {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
TO_LATIN = str.maketrans(LOOKALIKE_PAIRS)
# Latin letters that pass for the Russian alphabet's (і, ј, ѕ and ԁ are not Russian letters).
_RUSSIAN_LOOKALIKES = "авекмнорстухАВЕКМНОРСТУХ"
TO_CYRILLIC = str.maketrans({LOOKALIKE_PAIRS[c]: c for c in _RUSSIAN_LOOKALIKES})
_CYRILLIC_LOOKALIKE_OF = frozenset(LOOKALIKE_PAIRS[c] for c in _RUSSIAN_LOOKALIKES)

# Hyphens, dashes and minus signs of every kind, written "-".
DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
ZERO = re.compile(r"(?<=[^\W\d_])0(?=[^\W\d_])")
_WORD = re.compile(r"\w+", re.UNICODE)
# Han characters, written without spaces between words: a run of them is one word apart from
# the Latin letters and digits glued to it ("GPS干扰器" is "gps" and "干扰器").
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_OR_NOT = re.compile(f"[{HAN}]+|[^{HAN}]+")
_HAN = re.compile(f"[{HAN}]")
_LETTER = r"[^\W\d_]"
# An abbreviation written with a full stop after each letter, spaces allowed ("S.M.O.",
# "С. В. О.", "U.A.E"), or three or more capitals each standing alone ("S M O", "С В О").
# Letters each followed by a dot, with a space after every dot or after none ("S.M.O.",
# "С. В. О."): "F.O.R. T.H.E." is two abbreviations, not one.
_DOTTED = re.compile(
    rf"(?<![\w.])(?:(?:{_LETTER}\.){{2,}}(?:{_LETTER}(?![\w.]))?"
    rf"|(?:{_LETTER}\. )+{_LETTER}\.(?!\w))"
)
_SPACED = re.compile(rf"(?<![\w.])(?:{_LETTER} ){{2,}}{_LETTER}(?![\w.])")


def strip_invisible(text: str) -> str:
    """Whitespace of any kind (tabs, newlines, odd spaces) becomes a space; other control and
    format characters (zero-width spaces, soft hyphens, direction marks) are removed."""
    if text.isprintable():
        return text
    return "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )


def script(ch: str) -> str:
    """'latin', 'cyrillic', 'greek' or 'other' (digits, punctuation, other scripts)."""
    if ch.isascii():
        return "latin" if ch.isalpha() else "other"
    name = unicodedata.name(ch, "")
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("GREEK"):
        return "greek"
    if name.startswith("LATIN"):
        return "latin"
    return "other"


# Inside a mostly Cyrillic word, any Cyrillic look-alike (Ukrainian і too).
_UNMIX_CYRILLIC = str.maketrans(
    {latin: cyr for cyr, latin in LOOKALIKE_PAIRS.items() if script(cyr) == "cyrillic"}
)


@lru_cache(maxsize=caches.WORDS)
def unmix(word: str) -> str:
    """Undo look-alike disguises in a word that mixes scripts.

    Look-alike letters are mapped to the script most of the word's letters are in ("Rоstес" with
    Cyrillic о and с reads "Rostec"; "Pособоронэкспорт" with a Latin P reads as Cyrillic), and a
    zero between letters reads as the letter o ("R0stec", "Р0стех").
    """
    if word.isascii():
        return ZERO.sub("o", word) if "0" in word else word
    if "0" in word:
        word = ZERO.sub("\0", word)
    counts: dict[str, int] = {}
    for ch in word:
        kind = script(ch)
        if kind != "other":
            counts[kind] = counts.get(kind, 0) + 1
    if "\0" in word:
        major = max(counts, key=lambda k: counts[k]) if counts else "latin"
        word = word.replace("\0", "о" if major == "cyrillic" else "o")
    if len(counts) < 2 or "latin" not in counts:
        return word
    # A letter only Cyrillic has ("Ы" in "BOEHHЫX") makes the word Cyrillic, whatever the count.
    if counts.get("cyrillic", 0) > counts["latin"] or any(
        script(ch) == "cyrillic" and ch not in LOOKALIKE_PAIRS for ch in word
    ):
        return word.translate(_UNMIX_CYRILLIC)
    return word.translate(TO_LATIN)


def normalise(text: str) -> str:
    """A cell's text as its writer meant it: HTML entities decoded (``&nbsp;``, ``&#1057;``, twice
    escaped too), Unicode compatibility forms folded (NFKC: full-width digits, ligatures,
    no-break spaces), whitespace of any kind a space, invisible characters dropped, hyphens,
    dashes and minus signs written "-"."""
    if text.isascii() and text.isprintable() and "&" not in text:
        return text
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    text = strip_invisible(unicodedata.normalize("NFKC", text))
    return DASHES.sub("-", text)


def _joined(match: re.Match[str]) -> str:
    return "".join(ch for ch in match.group() if ch not in ". ") + " "


def _spaced(match: re.Match[str]) -> str:
    found = match.group()
    return _joined(match) if found.replace(" ", "").isupper() else found


def _abbreviations(text: str) -> str:
    """Dotted and spaced abbreviations written as one word ("S.M.O." -> "SMO ")."""
    if "." in text:
        text = _DOTTED.sub(_joined, text)
    if " " in text:
        text = _SPACED.sub(_spaced, text)
    return text


def _all_cyrillic_lookalike(word: str) -> bool:
    """Whether a Latin word is typed wholly in letters that pass for Russian ones ("CBO")."""
    return word.isascii() and all(ch in _CYRILLIC_LOOKALIKE_OF for ch in word)


def _word_script(word: str) -> str | None:
    """The script of a word's letters where it is plainly one: "cyrillic", "latin" or None (a
    word of look-alikes, digits or another script)."""
    if _all_cyrillic_lookalike(word):
        return None
    kinds = {script(ch) for ch in word} - {"other"}
    return kinds.pop() if len(kinds) == 1 and kinds <= {"cyrillic", "latin"} else None


def _among_cyrillic(words: list[str]) -> list[bool]:
    """For each word, whether it stands among Cyrillic words: the nearest word plainly of one
    script before it, or after it where none is before, is Cyrillic ("для CBO", "CBO нужды"; not
    "Цена без НДС, for the army").  One pass each way, however many look-alike words."""
    scripts = [_word_script(w) for w in words]
    before: list[str | None] = []
    last: str | None = None
    for kind in scripts:
        before.append(last)
        last = kind or last
    after: list[str | None] = []
    last = None
    for kind in reversed(scripts):
        after.append(last)
        last = kind or last
    after.reverse()
    return [(b or a) == "cyrillic" for b, a in zip(before, after, strict=True)]


def free_words(text: str) -> tuple[str, ...]:
    """The lower-case words of a free text in any script, as the phrase and keyword matchers
    compare them (see the module's description)."""
    text = _abbreviations(normalise(text))
    if text.isascii():
        return tuple(_WORD.findall(text.lower()))
    words = _WORD.findall(text)
    if _HAN.search(text):
        words = [part for w in words for part in _HAN_OR_NOT.findall(w)]
    words = [unmix(w) for w in words]
    # A word typed wholly in Latin letters that look Russian, among Russian words ("для CBO").
    if any(_all_cyrillic_lookalike(w) for w in words):
        among = _among_cyrillic(words)
        words = [
            w.translate(TO_CYRILLIC) if cyrillic and _all_cyrillic_lookalike(w) else w
            for w, cyrillic in zip(words, among, strict=True)
        ]
    return tuple(w.casefold().replace("ё", "е") for w in words)


def reading_notes(text: str) -> tuple[str, ...]:
    """What :func:`free_words` undid in a text, for evidence ("look-alike letters undone: 'СВO'
    read as 'сво'"); () where it read the text as written."""
    notes: list[str] = []
    tidy = normalise(text)
    if "&" in text and html.unescape(text) != text:
        notes.append("HTML entities decoded")
    joined = _abbreviations(tidy)
    if joined != tidy:
        shown = [m.group().strip() for m in (*_DOTTED.finditer(tidy), *_SPACED.finditer(tidy))]
        notes.append("abbreviation read as one word: " + ", ".join(f"'{s}'" for s in shown[:3]))
    plain = [w.casefold() for w in _WORD.findall(joined)]
    read = free_words(text)
    changed = [(a, b) for a, b in zip(plain, read, strict=False) if a.replace("ё", "е") != b]
    if changed and len(plain) == len(read):
        pairs = ", ".join(f"'{a}' read as '{b}'" for a, b in changed[:3])
        notes.append(f"look-alike letters undone: {pairs}")
    return tuple(notes)
