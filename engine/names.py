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

from anyascii import anyascii

from engine.entities import NameWords

GENERIC_WEIGHT = 0.2
PLACE_WEIGHT = 0.5
NUMBER_WEIGHT = 1.0
WORD_WEIGHT = 1.0

# Cyrillic and Greek letters that look like Latin ones; used only inside words that mix scripts,
# where they are a disguise (or a typing accident), never in words written wholly in Cyrillic.
_LOOKALIKE = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip
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


def _script(ch: str) -> str:
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


def fold_text(text: str) -> str:
    """Compatibility-fold, drop invisible characters, lower-case; keep the script."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc", "Co", "Cs"})
    return text.casefold().replace("ё", "е")


def _unmix(word: str) -> str:
    """Map look-alike letters to Latin in a word that mixes Latin with Cyrillic or Greek."""
    scripts = {_script(ch) for ch in word} - {"other"}
    if "latin" in scripts and len(scripts) > 1:
        return word.translate(_LOOKALIKE)
    return word


def skeleton(token: str) -> str:
    """Fold transliteration variants (Rosoboroneksport ~ Rosoboronexport) and doubled letters."""
    for old, new in _SKELETON_RULES:
        token = token.replace(old, new)
    out: list[str] = []
    for ch in token:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _raw_tokens(name: str) -> list[tuple[str, bool]]:
    """Latin tokens of ``name``, each flagged True if it came from a Chinese character."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc", "Co", "Cs"})
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _APOSTROPHES.sub("", text)
    tokens: list[tuple[str, bool]] = []
    for chunk in _SEPARATOR.split(text):
        if not chunk:
            continue
        buf: list[str] = []
        for ch in _unmix(chunk):
            if _is_han(ch):
                if buf:
                    tokens.extend((t, False) for t in _SEPARATOR.split(anyascii("".join(buf))) if t)
                    buf = []
                tokens.append((anyascii(ch).lower(), True))
            else:
                buf.append(ch)
        if buf:
            tokens.extend((t, False) for t in _SEPARATOR.split(anyascii("".join(buf))) if t)
    return [(t.lower(), han) for t, han in tokens if t]


@dataclass(frozen=True, slots=True)
class Token:
    """One comparable word of a name."""

    text: str
    skeleton: str
    weight: float
    kind: str  # "word" | "generic" | "place" | "number"


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


class NameNormaliser:
    """Turns names into NameKeys, using the catalogue's legal forms and name words."""

    def __init__(self, words: NameWords) -> None:
        forms: dict[tuple[str, ...], str] = {}
        for legal_form in words.legal_forms:
            for form in legal_form.forms:
                seq = tuple(skeleton(t) for t, _ in _raw_tokens(form))
                if seq:
                    forms.setdefault(seq, legal_form.id)
        # Longest forms first, so "Co., Ltd." is taken whole before "Co" or "Ltd".
        self._multi = sorted((f for f in forms if len(f) > 1), key=len, reverse=True)
        self._forms = forms
        self._generic = {skeleton(w) for w in self._fold_words(words.generic)}
        self._places = {skeleton(w) for w in self._fold_words(words.places)}
        self._stop = {skeleton(w) for w in self._fold_words(words.stopwords)}
        self._abbrev = {
            skeleton(_raw_tokens(k)[0][0]): [t for t, _ in _raw_tokens(v)]
            for k, v in words.abbreviations.items()
            if _raw_tokens(k)
        }

    @staticmethod
    def _fold_words(words: Iterable[str]) -> list[str]:
        return [t for w in words for t, _ in _raw_tokens(w)]

    def _strip_legal_forms(
        self, tokens: list[tuple[str, bool]]
    ) -> tuple[list[tuple[str, bool]], list[str]]:
        found: list[str] = []
        skel = [skeleton(t) for t, _ in tokens]
        keep = [True] * len(tokens)
        # Forms of several words wherever they stand.
        for form in self._multi:
            n = len(form)
            i = 0
            while i + n <= len(skel):
                if all(keep[i : i + n]) and tuple(skel[i : i + n]) == form:
                    for j in range(i, i + n):
                        keep[j] = False
                    found.append(self._forms[form])
                    i += n
                else:
                    i += 1
        if not any(keep):  # a name that is nothing but a legal form: compare it as written
            return tokens, []
        tokens = [t for t, k in zip(tokens, keep, strict=True) if k]
        # One-word forms of three letters or more ("Inc", "GmbH", "OOO") wherever they stand; the
        # shorter ones ("AO", "AS", "Co") could be words, so only at either end, repeatedly.
        # Never the whole name.
        kept: list[tuple[str, bool]] = []
        for token in tokens:
            form_id = self._forms.get((skeleton(token[0]),))
            if form_id is not None and len(token[0]) >= 3 and len(tokens) > 1:
                found.append(form_id)
            else:
                kept.append(token)
        tokens = kept or tokens
        changed = True
        while changed and len(tokens) > 1:
            changed = False
            for index in (0, -1):
                form_id = self._forms.get((skeleton(tokens[index][0]),))
                if form_id is not None and len(tokens) > 1:
                    found.append(form_id)
                    del tokens[index]
                    changed = True
        return tokens, found

    def key(self, name: str) -> NameKey:
        """Normalise one name."""
        raw: list[tuple[str, bool]] = []
        for text, han in _raw_tokens(name):
            expansion = None if han else self._abbrev.get(skeleton(text))
            raw.extend((word, False) for word in expansion) if expansion else raw.append(
                (text, han)
            )
        raw, legal = self._strip_legal_forms(raw)
        # Syllables of one run of Chinese characters form one word, as the characters do.
        merged: list[str] = []
        prev_han = False
        for text, han in raw:
            if han and prev_han:
                merged[-1] += text
            else:
                merged.append(text)
            prev_han = han
        tokens: list[Token] = []
        for text in merged:
            skel = skeleton(text)
            if skel not in self._stop:
                tokens.append(self._token(text))
        if not tokens and merged:  # a name made only of stopwords: keep it as written
            tokens = [self._token(t) for t in merged]
        return NameKey(original=name, tokens=tuple(tokens), legal_forms=tuple(legal))

    def _token(self, text: str) -> Token:
        skel = skeleton(text)
        if any(ch.isdigit() for ch in text):
            return Token(text, skel, NUMBER_WEIGHT, "number")
        if skel in self._generic:
            return Token(text, skel, GENERIC_WEIGHT, "generic")
        if skel in self._places:
            return Token(text, skel, PLACE_WEIGHT, "place")
        return Token(text, skel, WORD_WEIGHT, "word")
