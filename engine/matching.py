"""Party matching: compare a shipment's party name with every name and alias of the catalogue.

Names are normalised (engine.names) and compared token by token: each token of the query is
aligned with at most one token of the candidate (exact, transliterated, fuzzy within a small edit
distance, or two words written as one), and the similarity is a weighted Dice coefficient over the
aligned tokens,
so that generic words ("Technology", "Trading") and places count for little and an added
distinguishing word lowers the score.  Numbers must agree.  Legal forms are set aside and reported.

The interface is :meth:`PartyMatcher.match`; everything else here is its implementation.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from engine.entities import Party
from engine.names import NameKey, NameNormaliser, Token

# The lowest similarity the matcher reports; rules ask for this or more.
MATCH_FLOOR = 0.70
_SIM_TRANSLITERATED = 0.97
_SIM_JOINED = 0.97
_MIN_TOKEN_SIM = 0.80
_NUMBER_MISMATCH_FACTOR = 0.75
# A place word on one side only ("(China)", "Wuhan") says little against a match: it counts for this
# fraction of its weight.
_UNMATCHED_PLACE_FACTOR = 0.3


@dataclass(frozen=True, slots=True)
class TokenPair:
    """One aligned pair of tokens: how the query word matched the candidate word."""

    query: str
    candidate: str
    kind: str  # "exact" | "transliterated" | "fuzzy" | "joined"
    similarity: float

    def __str__(self) -> str:
        if self.kind == "exact":
            return f"'{self.query}'='{self.candidate}'"
        return f"'{self.query}'≈'{self.candidate}' {self.kind} {self.similarity:.2f}"


@dataclass(frozen=True, slots=True)
class PartyMatch:
    """A party name matched to a catalogue or list entry, with the evidence for it."""

    query: str
    party_id: str
    entry_name: str
    matched_name: str
    dataset: str
    similarity: float
    pairs: tuple[TokenPair, ...]
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]
    query_legal_forms: tuple[str, ...]
    candidate_legal_forms: tuple[str, ...]

    def detail(self) -> str:
        """The token alignment in words, e.g. "'rostekh'≈'rostech' transliterated 0.97"."""
        parts = [str(p) for p in self.pairs]
        if self.unmatched_query:
            parts.append("query only: " + ", ".join(self.unmatched_query))
        if self.unmatched_candidate:
            parts.append("entry only: " + ", ".join(self.unmatched_candidate))
        if self.query_legal_forms or self.candidate_legal_forms:
            q = "/".join(self.query_legal_forms) or "none"
            c = "/".join(self.candidate_legal_forms) or "none"
            parts.append(f"legal forms set aside: {q} vs {c}")
        return "; ".join(parts)


def _token_similarity(q: Token, c: Token) -> tuple[float, str]:
    if q.text == c.text:
        return 1.0, "exact"
    if q.kind == "number" or c.kind == "number":
        return 0.0, ""
    if q.skeleton == c.skeleton:
        return _SIM_TRANSLITERATED, "transliterated"
    shorter = min(len(q.skeleton), len(c.skeleton))
    if shorter < 5:
        return 0.0, ""
    max_edits = 1 if shorter < 10 else 2
    dist = Levenshtein.distance(q.skeleton, c.skeleton, score_cutoff=max_edits)
    if dist > max_edits:
        return 0.0, ""
    sim = 1.0 - dist / max(len(q.skeleton), len(c.skeleton))
    return (sim, "fuzzy") if sim >= _MIN_TOKEN_SIM else (0.0, "")


def compare(
    query: NameKey, candidate: NameKey
) -> tuple[float, list[tuple[int, int, int, int, float, str]]]:
    """Similarity in [0, 1] of two normalised names, with the alignment behind it.

    The alignment is a list of (query start, query end, candidate start, candidate end, similarity,
    kind) spans; a span covers two tokens on one side when two words were written as one.
    """
    qt, ct = query.tokens, candidate.tokens
    if not qt or not ct:
        return 0.0, []
    options: list[tuple[float, float, int, int, int, int, str]] = []
    for i, q in enumerate(qt):
        for j, c in enumerate(ct):
            sim, kind = _token_similarity(q, c)
            if sim:
                options.append((sim, q.weight + c.weight, i, i + 1, j, j + 1, kind))
    # Two words on one side written as one on the other ("Rosoboron Export" / "Rosoboronexport").
    for i in range(len(qt) - 1):
        joined = qt[i].skeleton + qt[i + 1].skeleton
        for j, c in enumerate(ct):
            if joined == c.skeleton:
                weight = qt[i].weight + qt[i + 1].weight + c.weight
                options.append((_SIM_JOINED, weight, i, i + 2, j, j + 1, "joined"))
    for j in range(len(ct) - 1):
        joined = ct[j].skeleton + ct[j + 1].skeleton
        for i, q in enumerate(qt):
            if joined == q.skeleton:
                weight = q.weight + ct[j].weight + ct[j + 1].weight
                options.append((_SIM_JOINED, weight, i, i + 1, j, j + 2, "joined"))
    options.sort(key=lambda o: (o[0], o[1]), reverse=True)
    used_q = [False] * len(qt)
    used_c = [False] * len(ct)
    spans: list[tuple[int, int, int, int, float, str]] = []
    matched = 0.0
    for sim, _, q0, q1, c0, c1, kind in options:
        if any(used_q[q0:q1]) or any(used_c[c0:c1]):
            continue
        for k in range(q0, q1):
            used_q[k] = True
        for k in range(c0, c1):
            used_c[k] = True
        w = sum(t.weight for t in qt[q0:q1]) + sum(t.weight for t in ct[c0:c1])
        matched += sim * w
        spans.append((q0, q1, c0, c1, sim, kind))
    total = sum(
        t.weight * (_UNMATCHED_PLACE_FACTOR if t.kind == "place" and not used else 1.0)
        for tokens, flags in ((qt, used_q), (ct, used_c))
        for t, used in zip(tokens, flags, strict=True)
    )
    score = matched / total
    numbers_left = any(
        t.kind == "number" and not used for t, used in zip(qt, used_q, strict=True)
    ) or any(t.kind == "number" and not used for t, used in zip(ct, used_c, strict=True))
    if numbers_left:
        score *= _NUMBER_MISMATCH_FACTOR
    return min(score, 1.0), spans


@dataclass(frozen=True, slots=True)
class _Entry:
    party_id: str
    entry_name: str
    name: str
    dataset: str
    key: NameKey


def _block_keys(key: NameKey) -> set[str]:
    keys: set[str] = set()
    toks = key.tokens
    for t in toks:
        keys.add("t:" + t.skeleton)
        if len(t.skeleton) >= 5:
            keys.add("p:" + t.skeleton[:3])
            keys.add("s:" + t.skeleton[-3:])
    for a, b in itertools.pairwise(toks):
        keys.add("t:" + a.skeleton + b.skeleton)
    return keys


class PartyMatcher:
    """Matches party names against the names and aliases of a set of parties."""

    def __init__(
        self, parties: Iterable[Party], normaliser: NameNormaliser, *, cache_size: int = 65536
    ) -> None:
        self._normaliser = normaliser
        self._entries: list[_Entry] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        for party in parties:
            for name in party.all_names():
                key = normaliser.key(name)
                if not key.tokens:
                    continue
                idx = len(self._entries)
                self._entries.append(_Entry(party.id, party.name, name, party.dataset, key))
                for block in _block_keys(key):
                    self._index[block].append(idx)
        self._cached = lru_cache(maxsize=cache_size)(self._match)

    def __len__(self) -> int:
        return len(self._entries)

    def match(self, name: str, *, min_similarity: float = MATCH_FLOOR) -> tuple[PartyMatch, ...]:
        """The parties whose names resemble ``name``, best first, one match per party."""
        if not name or not name.strip():
            return ()
        return tuple(m for m in self._cached(name) if m.similarity >= min_similarity)

    def _match(self, name: str) -> tuple[PartyMatch, ...]:
        query = self._normaliser.key(name)
        if not query.tokens:
            return ()
        candidates: set[int] = set()
        for block in _block_keys(query):
            candidates.update(self._index.get(block, ()))
        best: dict[str, PartyMatch] = {}
        for idx in candidates:
            entry = self._entries[idx]
            score, spans = compare(query, entry.key)
            if score < MATCH_FLOOR:
                continue
            current = best.get(entry.party_id)
            if current is not None and current.similarity >= score:
                continue
            best[entry.party_id] = _evidence(query, entry, score, spans)
        return tuple(sorted(best.values(), key=lambda m: (-m.similarity, m.party_id)))


def _evidence(
    query: NameKey, entry: _Entry, score: float, spans: list[tuple[int, int, int, int, float, str]]
) -> PartyMatch:
    qt, ct = query.tokens, entry.key.tokens
    pairs: list[TokenPair] = []
    used_q: set[int] = set()
    used_c: set[int] = set()
    for q0, q1, c0, c1, sim, kind in sorted(spans):
        pairs.append(
            TokenPair(
                query=" ".join(t.text for t in qt[q0:q1]),
                candidate=" ".join(t.text for t in ct[c0:c1]),
                kind=kind,
                similarity=round(sim, 3),
            )
        )
        used_q.update(range(q0, q1))
        used_c.update(range(c0, c1))
    return PartyMatch(
        query=query.original,
        party_id=entry.party_id,
        entry_name=entry.entry_name,
        matched_name=entry.name,
        dataset=entry.dataset,
        similarity=round(score, 4),
        pairs=tuple(pairs),
        unmatched_query=tuple(t.text for i, t in enumerate(qt) if i not in used_q),
        unmatched_candidate=tuple(t.text for i, t in enumerate(ct) if i not in used_c),
        query_legal_forms=query.legal_forms,
        candidate_legal_forms=entry.key.legal_forms,
    )
