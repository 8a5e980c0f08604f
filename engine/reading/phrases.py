"""Phrase lists matched against free text: whole words, in order, ``word*`` as a prefix.

A text longer than :data:`EXAMINED_LENGTH` characters is searched in two windows, its first
:data:`EXAMINED_HEAD` and its last :data:`EXAMINED_TAIL` characters, by the phrase matchers and the
goods keywords alike (the row says so in a note, :func:`engine.reading.record.long_text_note`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.reading.names import fold_text, strip_invisible

_WORD = re.compile(r"\w+", re.UNICODE)
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
    """The lower-case words of a text, in any script."""
    if text.isascii():  # nothing to fold but case and invisible characters
        return tuple(_WORD.findall(strip_invisible(text).lower()))
    return tuple(_WORD.findall(fold_text(text)))


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


@dataclass(frozen=True, slots=True)
class _Phrase:
    written: str
    parts: tuple[tuple[str, bool], ...]  # (word, is_prefix)


class PhraseMatcher:
    """Finds the phrases of one or more lists in a text."""

    # How many words before a match a negation word may stand.
    NEGATION_WINDOW = 3

    def __init__(self, phrases: Iterable[str], negations: Iterable[str] = ()) -> None:
        self._negations = frozenset(w for n in negations for w in text_words(n))
        compiled: list[_Phrase] = []
        for written in phrases:
            parts: list[tuple[str, bool]] = []
            for raw in written.split():
                prefix = raw.endswith("*")
                words = text_words(raw.rstrip("*"))
                for k, word in enumerate(words):
                    parts.append((word, prefix and k == len(words) - 1))
            if parts:
                compiled.append(_Phrase(written, tuple(parts)))
        self._phrases = tuple(compiled)
        # First words index the phrases, so a text is scanned once.
        self._exact: dict[str, list[_Phrase]] = {}
        self._prefix: list[_Phrase] = []
        for phrase in compiled:
            word, is_prefix = phrase.parts[0]
            if is_prefix:
                self._prefix.append(phrase)
            else:
                self._exact.setdefault(word, []).append(phrase)
        # Whether a word starts a prefix phrase, in one regular-expression match.
        starts = sorted({p.parts[0][0] for p in self._prefix}, key=len, reverse=True)
        self._prefix_start = re.compile("|".join(map(re.escape, starts))) if starts else None

    def find(self, text: str) -> list[tuple[str, str]]:
        """(phrase as written in the list, the words of the text it matched), in text order.

        Where matches overlap ("для нужд сво" and "сво"), only the longest is kept.  A long text
        is searched in its windows (:func:`examined_words`).
        """
        return self.find_words(examined_words(text))

    def find_words(self, words: tuple[str, ...]) -> list[tuple[str, str]]:
        """As :meth:`find`, for a text already split by :func:`examined_words`."""
        return [(written, " ".join(words[a:b])) for a, b, written in self.matches(words)]

    def matches(self, words: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """(first word, end word, phrase as written) of each match in ``words``, in text order;
        where matches overlap, only the longest is kept."""
        spans: list[tuple[int, int, str]] = []
        exact, prefix_start = self._exact, self._prefix_start
        for i, word in enumerate(words):
            starts: Sequence[_Phrase] = exact.get(word, ())
            if prefix_start is not None and prefix_start.match(word):
                starts = [*starts, *(p for p in self._prefix if word.startswith(p.parts[0][0]))]
            for phrase in starts:
                n = len(phrase.parts)
                if i + n > len(words):
                    continue
                if all(
                    words[i + k].startswith(w) if pre else words[i + k] == w
                    for k, (w, pre) in enumerate(phrase.parts)
                ) and not self._negated(words, i):
                    spans.append((i, i + n, phrase.written))
        if not spans:
            return []
        kept: list[tuple[int, int, str]] = []
        taken = [False] * len(words)
        for start, end, written in sorted(spans, key=lambda m: (m[0] - m[1], m[0])):
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                kept.append((start, end, written))
        return sorted(kept)

    def _negated(self, words: tuple[str, ...], start: int) -> bool:
        window = words[max(0, start - self.NEGATION_WINDOW) : start]
        return any(w in self._negations for w in window)


# Stands between the words of a text's two windows: no phrase spans it (no phrase word is empty)
# and no negation word reaches across it.
_GAP = ("",) * PhraseMatcher.NEGATION_WINDOW
