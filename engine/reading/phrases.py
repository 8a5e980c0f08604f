"""Phrase lists matched against free text: whole words, in order, ``word*`` as a prefix.

A text longer than :data:`EXAMINED_LENGTH` characters is searched in two windows, its first
:data:`EXAMINED_HEAD` and its last :data:`EXAMINED_TAIL` characters, by the phrase matchers and the
goods keywords alike (the row says so in a note, :func:`engine.reading.record.long_text_note`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from engine.catalogue.entities import PhraseList
from engine.reading import caches
from engine.reading.names import romanisations, skeleton
from engine.reading.text import HAN, free_words

_WORD = re.compile(r"\w+", re.UNICODE)
_HAN_WORD = re.compile(f"[{HAN}]+")
_PREFIX_INDEX = 2  # letters of a prefix part its index is keyed by
_RUN = re.compile(r"\w*", re.UNICODE)

#: How much of a long text is searched: its first EXAMINED_HEAD and last EXAMINED_TAIL characters.
#: Goods descriptions and declared end uses are short: a customs declaration's goods description
#: holds 512 characters at most (EU), an export filing's 45 (US AES), the dev set's longest is 49.
#: 20,000 is forty times the longest a declaration allows, and costs a millisecond or two to
#: search, where a field of megabytes would cost seconds and, matched thousands of times over, its
#: evidence gigabytes.  The end is searched as well as the start so that padding put before a red
#: flag does not hide it; what lies between is not searched, and the row's note says so.
EXAMINED_HEAD = 15_000
EXAMINED_TAIL = 5_000
#: A text up to this long is searched whole.
EXAMINED_LENGTH = EXAMINED_HEAD + EXAMINED_TAIL


def text_words(text: str) -> tuple[str, ...]:
    """The lower-case words of a text, in any script, read by the shared normaliser
    (:func:`engine.reading.text.free_words`)."""
    return free_words(text)


def examined_span(text: str) -> tuple[int, int]:
    """Where the windows of a text that are searched end and start: (end of the first, start of
    the last), or (its length, its length) when it is searched whole.

    A window whose edge falls inside a word leaves out the part of the word it would cut, so that
    no cut word reads as another ("smoke" cut to "smo", "kosmo" to "smo").
    """
    length = len(text)
    if length <= EXAMINED_LENGTH:
        return length, length
    head, tail = EXAMINED_HEAD, length - EXAMINED_TAIL
    if _WORD.match(text, head - 1, head) and _WORD.match(text, head, head + 1):
        run = _RUN.match(text[head - 1 :: -1])
        head -= run.end() if run else 0
    if _WORD.match(text, tail - 1, tail) and _WORD.match(text, tail, tail + 1):
        run = _RUN.match(text, tail)
        tail = run.end() if run else tail
    return head, tail


def examined_windows(text: str) -> tuple[str, str]:
    """The parts of a text that are searched: the whole text and '' when it is searched whole,
    else its first and its last window (see :func:`examined_span`)."""
    head, tail = examined_span(text)
    if head == len(text):
        return text, ""
    return text[:head], text[tail:]


def window_words(head: str, tail: str = "") -> tuple[str, ...]:
    """The words of a text's searched windows (see :func:`examined_windows`), in order."""
    if not tail:
        return text_words(head)
    return (*text_words(head), *_GAP, *text_words(tail))


def examined_words(text: str) -> tuple[str, ...]:
    """The words of a text that the phrase and keyword matchers search."""
    return window_words(*examined_windows(text))


def _word_spans(text: str, words: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """Where each of ``words`` (the words of ``text``) stands in ``text``; None where folding
    joined or split words (an invisible character inside a word, a compatibility form), so that
    the words stand for no exact characters."""
    spans: list[tuple[int, int]] = []
    found: list[str] = []
    for run in _WORD.finditer(text):
        parts = text_words(run.group())
        found.extend(parts)
        spans.extend([run.span()] * len(parts))
    return spans if tuple(found) == words else None


def locate(text: str, words: tuple[str, ...], start: int, end: int) -> tuple[int, int] | None:
    """The characters of ``text`` that ``words[start:end]`` stand for, as (start, end) offsets,
    where ``words`` are :func:`examined_words` of ``text``; None where they stand for no exact
    characters (see :func:`_word_spans`)."""
    head, tail = examined_span(text)
    window, offset, first = text[:head], 0, 0
    if head < len(text) and tail < len(text):  # two windows, and the gap between their words
        gap = words.index("")
        if start < gap:
            words = words[:gap]
        else:
            first = gap + len(_GAP)
            window, offset, words = text[tail:], tail, words[first:]
    spans = _word_spans(window, words)
    if spans is None:
        return None
    return offset + spans[start - first][0], offset + spans[end - 1 - first][1]


def excerpt(text: str, start: int, end: int, width: int = 60) -> str:
    """``text[start:end]`` with up to ``width`` characters either side (whole words), spaces run
    together, and '…' where the text goes on; a part longer than ``width`` is cut to its start."""
    end = min(end, start + width)
    low, high = max(0, start - width), min(len(text), end + width)
    if low and not text[low - 1].isspace() and (space := text.find(" ", low, start)) >= 0:
        low = space + 1
    if high < len(text) and not text[high].isspace() and (space := text.rfind(" ", end, high)) >= 0:
        high = space
    shown = " ".join(text[low:high].split())
    return ("…" if low else "") + shown + ("…" if high < len(text) else "")


def words_excerpt(words: tuple[str, ...], start: int, end: int, around: int = 8) -> str:
    """``words[start:end]`` with up to ``around`` words either side, as the matchers read them."""
    low, high = max(0, start - around), min(len(words), end + around)
    shown = " ".join(w for w in words[low:high] if w)
    text = ("…" if low else "") + shown + ("…" if high < len(words) else "")
    return clip(text, 200)


def clip(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and '…' when it is longer."""
    return text if len(text) <= limit else text[:limit] + "…"


# Where a negation is read as governing a phrase ("not for military use", "не для нужд СВО"):
# it stands right before the phrase or before at most MAX_BRIDGES of the list's bridge words
# ("not intended for military use"); a negation elsewhere in the text ("not decaffeinated, for the
# army", "price without VAT, for military use") governs something else and changes nothing.
MAX_BRIDGES = 3
#: How many other words may stand among the words of a phrase matched in any order.
UNORDERED_SLACK = 2
#: Words (and stems) shorter than this are matched as written, never by their stem ("сво" is
#: no form of "свой", "jam" none of "jamming").
STEM_MIN = 4


@lru_cache(maxsize=caches.WORDS)
def stem(word: str) -> str:
    """A word's Snowball stem: the English stemmer for Latin words, the Russian one for Cyrillic;
    other words as they are."""
    if word.isascii():
        return str(_ENGLISH.stemWord(word)) if word.isalpha() else word
    if _CYRILLIC_WORD.fullmatch(word):
        return str(_RUSSIAN.stemWord(word))
    return word


_ENGLISH = snowballstemmer.stemmer("english")
_RUSSIAN = snowballstemmer.stemmer("russian")
_CYRILLIC_WORD = re.compile(r"[а-яё]+")


@lru_cache(maxsize=caches.WORDS)
def _skeleton(word: str) -> str:
    return skeleton(word) if word.isascii() else ""


@dataclass(frozen=True, slots=True)
class _Part:
    """One word of a phrase and how a text's word matches it."""

    word: str  # as written in the list (folded); for a romanised part, its skeletons
    prefix: bool  # "word*": any word starting with it
    stem: str = ""  # matched by stem too (a word of STEM_MIN letters or more, not a prefix)
    skeletons: tuple[str, ...] = ()  # a Cyrillic word romanised: Latin skeletons to compare
    han: bool = False  # Han characters: found inside a run of them, which has no spaces
    number: bool = False  # "#": a number of three digits or more ("в/ч 55432", a unit's)

    def test(self, word: str) -> bool:
        if self.number:
            return len(word) >= 3 and word.isdigit()
        if self.han:
            return self.word in word
        if self.skeletons:
            found = _skeleton(word)
            if self.prefix:
                return any(found.startswith(s) for s in self.skeletons)
            return found in self.skeletons
        if self.prefix:
            return word.startswith(self.word)
        return word == self.word or (bool(self.stem) and same_stem(word, self.word, self.stem))


def same_stem(word: str, written: str, written_stem: str) -> bool:
    """Whether a text's word is a form of a phrase's word (``written``, stemmed
    ``written_stem``): the same Snowball stem, of STEM_MIN letters or more, and not an English
    "-ing" noun against a word without it ("bearing" is no form of "bear", nor "housing" of
    "house"; "bearings" is one of "bearing")."""
    if len(word) < STEM_MIN or stem(word) != written_stem:
        return False
    if not word.isascii():
        return True
    return ("ing" in word[len(written_stem) :]) == ("ing" in written[len(written_stem) :])


@dataclass(frozen=True, slots=True)
class _Phrase:
    written: str
    parts: tuple[_Part, ...]
    romanised: bool = False  # a Cyrillic phrase written in Latin letters ("dlya SVO")


def _parts(written: str, stemmed: bool) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    for raw in written.split():
        if raw == "#":
            parts.append(_Part("#", False, number=True))
            continue
        prefix = raw.endswith("*")
        words = text_words(raw.rstrip("*"))
        for k, word in enumerate(words):
            is_prefix = prefix and k == len(words) - 1
            stemmed_as = ""
            if stemmed and not is_prefix and len(word) >= STEM_MIN:
                # A stem shorter than STEM_MIN is too many words' ("jamming" and "jam").
                stemmed_as = stem(word) if len(stem(word)) >= STEM_MIN else ""
            han = _HAN_WORD.fullmatch(word) is not None
            parts.append(_Part(word, is_prefix and not han, stemmed_as, han=han))
    return tuple(parts)


def _romanised(parts: tuple[_Part, ...]) -> tuple[_Part, ...] | None:
    """A Cyrillic phrase's parts as Latin letters spell them ("для нужд сво": "dlya nuzhd svo"),
    or None for a phrase with no Cyrillic or a single short word (Latin "svo" is an airport)."""
    if not any(_CYRILLIC_WORD.fullmatch(p.word) for p in parts):
        return None
    if len(parts) == 1 and len(parts[0].word) <= 3:
        return None
    out: list[_Part] = []
    for part in parts:
        if part.number:
            out.append(part)
            continue
        word, prefix = part.word, part.prefix
        if not prefix and len(word) >= 5 and len(stem(word)) >= STEM_MIN:
            word, prefix = stem(word), True  # "армии" -> "арм*": any ending
        found = {skeleton(r) for r in romanisations(word)} if not word.isascii() else {word}
        out.append(_Part(word, prefix, skeletons=tuple(sorted(found))))
    return tuple(out)


class PhraseMatcher:
    """Finds the phrases of one or more lists in a text.

    A phrase's words match a text's words as written, by their Snowball stem (``stemmed``:
    "helmets" for "helmet", "операции" for "операция") or, for a Cyrillic phrase, as Latin
    letters spell it ("dlya SVO", "spetsoperatsiya"); in order and next to each other, or
    (``ordered=False``, for goods keywords) in any order with up to :data:`UNORDERED_SLACK` other
    words among them ("helmets, ballistic", "ballistic protective helmet").  ``negations`` cancel
    the phrase they govern (see :data:`MAX_BRIDGES`), unless it is one of ``never_negated``.
    """

    # Kept for the gap between a long text's two windows (see _GAP).
    NEGATION_WINDOW = MAX_BRIDGES

    def __init__(
        self,
        phrases: Iterable[str],
        negations: Iterable[str] = (),
        *,
        bridges: Iterable[str] = (),
        never_negated: Iterable[str] = (),
        stemmed: bool = True,
        ordered: bool = True,
        trade_followers: Callable[[str], bool] | None = None,
        not_after_number: Iterable[str] = (),
        negations_after: Iterable[str] = (),
    ) -> None:
        self._negations: list[_Part] = []
        for word in sorted({w for n in negations for w in text_words(n)}):
            self._negations.append(_Part(word, False))
            if _CYRILLIC_WORD.fullmatch(word):  # "ne dlya SVO"
                spelt = tuple(sorted({skeleton(r) for r in romanisations(word)}))
                self._negations.append(_Part(word, False, skeletons=spelt))
        self._bridges = [p for b in bridges for p in _parts(b, stemmed=True)]
        # Negations and bridges in Han characters, found inside a run of them (longest first).
        self._han_negations = tuple(
            sorted({n for n in negations if _HAN_WORD.fullmatch(n)}, key=len, reverse=True)
        )
        self._han_bridges = sorted(
            {b for b in bridges if _HAN_WORD.fullmatch(b)}, key=len, reverse=True
        )
        self._fixed = frozenset(never_negated)
        self._ordered = ordered
        # Where a one-word phrase must name a firm's trade: the words that may follow it.
        self._followers = trade_followers
        # Phrases that name something else after a number ("254 SMO" is a steel grade).
        self._after_number = frozenset(not_after_number)
        self._negations_after = [p for n in negations_after for p in _parts(n, stemmed=False)]
        compiled: list[_Phrase] = []
        for written in phrases:
            parts = _parts(written, stemmed)
            if not parts:
                continue
            compiled.append(_Phrase(written, parts))
            if (romanised := _romanised(parts)) is not None:
                compiled.append(_Phrase(written, romanised, romanised=True))
        self._phrases = tuple(compiled)
        # The phrases indexed by their first word (every word where order does not matter), as
        # written, by stem and by skeleton, so that a text is scanned once.
        self._exact: dict[str, list[tuple[_Phrase, int]]] = {}
        self._stems: dict[str, list[tuple[_Phrase, int]]] = {}
        self._skeletons: dict[str, list[tuple[_Phrase, int]]] = {}
        self._prefix: list[tuple[_Phrase, int]] = []
        self._skeleton_prefix: list[tuple[_Phrase, int]] = []
        self._han: list[tuple[_Phrase, int]] = []
        for phrase in compiled:
            for k, part in enumerate(phrase.parts if not ordered else phrase.parts[:1]):
                entry = (phrase, k)
                if part.han:
                    self._han.append(entry)
                elif part.skeletons and part.prefix:
                    self._skeleton_prefix.append(entry)
                elif part.skeletons:
                    for found in part.skeletons:
                        self._skeletons.setdefault(found, []).append(entry)
                elif part.prefix:
                    self._prefix.append(entry)
                else:
                    self._exact.setdefault(part.word, []).append(entry)
                    if part.stem:
                        self._stems.setdefault(part.stem, []).append(entry)
        starts = sorted({p.parts[k].word for p, k in self._prefix}, key=len, reverse=True)
        self._prefix_start = re.compile("|".join(map(re.escape, starts))) if starts else None
        # The prefix parts by their first two letters, so that a word is tried against the few
        # that can start it (a catalogue has hundreds).
        self._prefix_by_start: dict[str, list[tuple[_Phrase, int]]] = {}
        for entry in self._prefix:
            start = entry[0].parts[entry[1]].word[:_PREFIX_INDEX]
            self._prefix_by_start.setdefault(start, []).append(entry)
        self._romanised = bool(self._skeletons or self._skeleton_prefix)
        # Whether a word's skeleton starts a romanised prefix part, in one match.
        ordered_spelt = sorted(
            {sk for p, k in self._skeleton_prefix for sk in p.parts[k].skeletons},
            key=len,
            reverse=True,
        )
        self._skeleton_start = (
            re.compile("|".join(map(re.escape, ordered_spelt))) if ordered_spelt else None
        )

    @classmethod
    def of_list(
        cls, plist: PhraseList, trade_followers: Callable[[str], bool] | None = None
    ) -> PhraseMatcher:
        """The matcher of one of the catalogue's phrase lists; ``trade_followers`` tells the
        words that may follow a trade word of a ``names_trade`` list (legal forms, generic words,
        countries), besides the list's own ``trade_followers``.  Without it the trade rule is
        off: a trade word counts wherever it stands."""
        follows: Callable[[str], bool] | None = None
        if plist.names_trade and trade_followers is not None:
            own = frozenset(w for f in plist.trade_followers for w in text_words(f))
            given = trade_followers

            def follows(word: str) -> bool:
                return word in own or given(word)

        return cls(
            plist.phrases,
            plist.negations,
            bridges=plist.negation_bridges,
            never_negated=plist.never_negated,
            stemmed=plist.stemmed,
            trade_followers=follows,
            not_after_number=plist.not_after_number,
            negations_after=plist.negations_after,
        )

    def find(self, text: str) -> list[tuple[str, str]]:
        """(phrase as written in the list, the words of the text it matched), in text order.

        Where matches overlap ("для нужд сво" and "сво"), only the longest is kept.  A long text
        is searched in its windows (:func:`examined_words`).
        """
        return self.find_words(examined_words(text))

    def find_words(self, words: tuple[str, ...]) -> list[tuple[str, str]]:
        """As :meth:`find`, for a text already split by :func:`examined_words`."""
        return [(written, " ".join(words[a:b])) for a, b, written in self.matches(words)]

    def _candidates(self, word: str) -> list[tuple[_Phrase, int]]:
        found: list[tuple[_Phrase, int]] = list(self._exact.get(word, ()))
        if self._stems and len(word) >= STEM_MIN:
            for entry in self._stems.get(stem(word), ()):
                if entry not in found and entry[0].parts[entry[1]].test(word):
                    found.append(entry)
        if self._prefix_start is not None and self._prefix_start.match(word):
            for start in {word[:_PREFIX_INDEX], word[:1]}:  # a one-letter prefix part too
                found += [
                    e
                    for e in self._prefix_by_start.get(start, ())
                    if word.startswith(e[0].parts[e[1]].word)
                ]
        if self._han and _HAN_WORD.match(word):
            found += [e for e in self._han if e[0].parts[e[1]].word in word]
        if self._romanised and word.isascii():
            spelt = _skeleton(word)
            found += self._skeletons.get(spelt, ())
            if self._skeleton_start is not None and self._skeleton_start.match(spelt):
                found += [e for e in self._skeleton_prefix if e[0].parts[e[1]].test(word)]
        return found

    def matches(self, words: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """(first word, end word, phrase as written) of each match in ``words``, in text order;
        where matches overlap, only the longest is kept."""
        spans = self.all_matches(words)
        if not spans:
            return []
        kept: list[tuple[int, int, str]] = []
        taken = [False] * len(words)
        for start, end, written in sorted(spans, key=lambda m: (m[0] - m[1], m[0], m[2])):
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                kept.append((start, end, written))
        return sorted(kept)

    def all_matches(self, words: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """Every match in ``words``, overlapping ones too, in text order (each once)."""
        spans: list[tuple[int, int, str]] = []
        negated: list[tuple[int, int]] = []
        for i, word in enumerate(words):
            if not word:
                continue
            for phrase, k in self._candidates(word):
                span = self._ordered_at(words, i, phrase) if self._ordered else None
                if not self._ordered:
                    span = self._unordered_at(words, i, phrase, k)
                if span is None:
                    continue
                if self._followers is not None and not self._names_trade(words, span, phrase):
                    continue
                if (
                    phrase.written in self._after_number
                    and span[0]
                    and words[span[0] - 1].isdigit()
                ):
                    continue
                if self._negated(words, span[0], phrase) or (
                    phrase.written not in self._fixed and self._negated_after(words, span[1])
                ):
                    negated.append(span)
                else:
                    spans.append((*span, phrase.written))
        if negated:  # a negated phrase takes the phrases within it along ("не для нужд СВО")
            spans = [m for m in spans if not any(a <= m[0] and m[1] <= b for a, b in negated)]
        return sorted(set(spans))

    @staticmethod
    def _ordered_at(words: tuple[str, ...], i: int, phrase: _Phrase) -> tuple[int, int] | None:
        n = len(phrase.parts)
        if i + n > len(words):
            return None
        if all(part.test(words[i + k]) for k, part in enumerate(phrase.parts)):
            return i, i + n
        return None

    @staticmethod
    def _unordered_at(
        words: tuple[str, ...], i: int, phrase: _Phrase, k: int
    ) -> tuple[int, int] | None:
        """The words of ``phrase`` in any order around ``words[i]`` (its part ``k``), within
        a span of its length and UNORDERED_SLACK more words; each word matched once."""
        n = len(phrase.parts)
        if n == 1:
            return i, i + 1
        reach = n - 1 + UNORDERED_SLACK
        low, high = max(0, i - reach), min(len(words), i + reach + 1)
        used = {i}
        for j, part in enumerate(phrase.parts):
            if j == k:
                continue
            near = sorted(
                (abs(p - i), p)
                for p in range(low, high)
                if p not in used and words[p] and part.test(words[p])
            )
            if not near:
                return None
            used.add(near[0][1])
        if max(used) - min(used) + 1 > n + UNORDERED_SLACK:
            return None
        return min(used), max(used) + 1

    def _negated_after(self, words: tuple[str, ...], end: int) -> bool:
        """Whether a negation that follows its phrase stands right after it, or after bridges."""
        if not self._negations_after:
            return False
        for position in range(end, min(end + MAX_BRIDGES + 1, len(words))):
            word = words[position]
            if not word:
                return False
            if any(n.test(word) for n in self._negations_after):
                return True
            if not any(b.test(word) for b in self._bridges):
                return False
        return False

    def _han_negated(self, word: str, written: str) -> bool:
        """Whether a Han phrase is negated inside its run of Han characters, which has no spaces:
        a negation right before it, or before bridges ("非军用", "不用于军事用途")."""
        before = word[: word.find(written)]
        for _ in range(MAX_BRIDGES + 1):
            if before.endswith(self._han_negations):
                return True
            bridge = next((b for b in self._han_bridges if before.endswith(b)), None)
            if bridge is None:
                return False
            before = before[: -len(bridge)]
        return False

    def _names_trade(self, words: tuple[str, ...], span: tuple[int, int], phrase: _Phrase) -> bool:
        """Whether a one-word trade phrase in Latin letters stands where it names the firm's
        trade: last, or before a follower or another of the list's words."""
        if len(phrase.parts) > 1 or not words[span[0]].isascii():
            return True
        after = span[1]
        if after >= len(words) or not words[after]:
            return True
        following = words[after]
        assert self._followers is not None
        return self._followers(following) or bool(self._candidates(following))

    def _negated(self, words: tuple[str, ...], start: int, phrase: _Phrase) -> bool:
        if not self._negations or phrase.written in self._fixed:
            return False
        if phrase.parts[0].han and self._han_negated(words[start], phrase.parts[0].word):
            return True
        position = start - 1
        for _ in range(MAX_BRIDGES + 1):
            if position < 0 or not words[position]:
                return False
            word = words[position]
            if any(n.test(word) for n in self._negations):
                return True
            if not any(b.test(word) for b in self._bridges):
                return False
            position -= 1
        return False


# Stands between the words of a text's two windows: no phrase spans it (no phrase word is empty)
# and no negation reaches across it.
_GAP = ("",) * PhraseMatcher.NEGATION_WINDOW
