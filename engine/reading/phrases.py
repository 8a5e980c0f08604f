"""Phrase lists matched against free text: whole words, in order, ``word*`` as a prefix."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine.reading.names import fold_text, strip_invisible

_WORD = re.compile(r"\w+", re.UNICODE)


def text_words(text: str) -> tuple[str, ...]:
    """The lower-case words of a text, in any script."""
    if text.isascii():  # nothing to fold but case and invisible characters
        return tuple(_WORD.findall(strip_invisible(text).lower()))
    return tuple(_WORD.findall(fold_text(text)))


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

        Where matches overlap ("для нужд сво" and "сво"), only the longest is kept.
        """
        return self.find_words(text_words(text))

    def find_words(self, words: tuple[str, ...]) -> list[tuple[str, str]]:
        """As :meth:`find`, for a text already split by :func:`text_words`."""
        spans: list[tuple[int, int, str]] = []
        exact, prefix_start = self._exact, self._prefix_start
        for i, word in enumerate(words):
            starts = exact.get(word, [])
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
        kept: list[tuple[int, str, str]] = []
        taken = [False] * len(words)
        for start, end, written in sorted(spans, key=lambda m: (m[0] - m[1], m[0])):
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                kept.append((start, written, " ".join(words[start:end])))
        return [(written, matched) for _, written, matched in sorted(kept)]

    def _negated(self, words: tuple[str, ...], start: int) -> bool:
        window = words[max(0, start - self.NEGATION_WINDOW) : start]
        return any(w in self._negations for w in window)
