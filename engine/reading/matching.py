"""Party matching: compare a shipment's party name with every name and alias of the loaded lists.

Names are normalised (engine.reading.names) and compared token by token: each token of the query is
aligned with at most one token of the candidate (exact, transliterated, fuzzy within a small edit
distance, or two words written as one), and the similarity is a weighted Dice coefficient over the
aligned tokens.  A token's weight says how much it identifies a firm: generic words ("Technology",
"Trading") and places count for little, and so does any word that many listed entities share.  An
added distinguishing word lowers the score; numbers must agree; legal forms are set aside and
reported.

At list scale the matcher does not compare a query with every name.  :class:`NameIndex` is built
once: a vocabulary of token skeletons with posting lists of the names that hold them, a
deletion-neighbourhood index that finds every vocabulary word within one edit of a query word, and
the concatenations of adjacent words.  A query's words collect candidate names with an upper bound
of their similarity; only candidates whose bound reaches the floor are scored in full.

The interface is :meth:`PartyMatcher.match`; everything else here is its implementation.
"""

from __future__ import annotations

import bisect
import itertools
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA

from engine.catalogue.entities import Party
from engine.reading import caches
from engine.reading.caches import fingerprint
from engine.reading.names import NameKey, NameNormaliser, Token, ascii_words

# The lowest similarity the matcher reports; rules ask for this or more.
MATCH_FLOOR = 0.70
_SIM_TRANSLITERATED = 0.97
_SIM_JOINED = 0.97
_MIN_TOKEN_SIM = 0.80
_NUMBER_MISMATCH_FACTOR = 0.75
# A place word on one side only ("(China)", "Wuhan") says little against a match: it counts for this
# fraction of its weight.
_UNMATCHED_PLACE_FACTOR = 0.2
# Words held by at most this many listed entities keep their full weight; beyond, the weight falls
# with the logarithm of the count, to _MIN_WEIGHT for words held by _DF_FLOOR entities or more.
_DF_RARE = 5
_DF_FLOOR = 2000
_MIN_WEIGHT = 0.15
# Names of this many characters or fewer (acronyms such as "BNC") match only a query equal to them.
_EXACT_ONLY_LENGTH = 3
# Slack on the similarity bound: fuzzy pairs weigh slightly differently on the two sides.
_BOUND_SLACK = 1.1

Span = tuple[int, int, int, int, float, str]


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


def _max_edits(length: int) -> int:
    return 0 if length < 5 else (1 if length < 10 else 2)


def _token_similarity(q: Token, c: Token) -> tuple[float, str]:
    if q.text == c.text:
        return 1.0, ("exact" if q.script == c.script else "transliterated")
    if q.kind == "number" or c.kind == "number":
        return 0.0, ""
    if q.skeleton == c.skeleton:
        return _SIM_TRANSLITERATED, "transliterated"
    max_edits = _max_edits(min(len(q.skeleton), len(c.skeleton)))
    if not max_edits:
        return 0.0, ""
    # Optimal string alignment: a letter missing, wrong, added, or two letters swapped is one edit.
    dist = OSA.distance(q.skeleton, c.skeleton, score_cutoff=max_edits)
    if dist > max_edits:
        return 0.0, ""
    sim = 1.0 - dist / max(len(q.skeleton), len(c.skeleton))
    return (sim, "fuzzy") if sim >= _MIN_TOKEN_SIM else (0.0, "")


def compare(query: NameKey, candidate: NameKey) -> tuple[float, list[Span]]:
    """Similarity in [0, 1] of two normalised names, with the alignment behind it.

    The alignment is a list of (query start, query end, candidate start, candidate end, similarity,
    kind) spans; a span covers two tokens on one side when two words were written as one.  Words
    with the same skeleton are paired first (identical text before variant spellings); the words
    left over are then paired best first, as two words written as one or within a few edits.
    """
    qt, ct = query.tokens, candidate.tokens
    if not qt or not ct:
        return 0.0, []
    used_q = [False] * len(qt)
    used_c = [False] * len(ct)
    spans: list[Span] = []
    by_skeleton: dict[str, list[int]] = {}
    for j, c in enumerate(ct):
        by_skeleton.setdefault(c.skeleton, []).append(j)
    for i, q in enumerate(qt):
        free = [j for j in by_skeleton.get(q.skeleton, ()) if not used_c[j]]
        if not free:
            continue
        j = next((j for j in free if ct[j].text == q.text), free[0])
        sim, kind = _token_similarity(q, ct[j])
        used_q[i] = used_c[j] = True
        spans.append((i, i + 1, j, j + 1, sim, kind))
    if not all(used_q) and not all(used_c):
        spans.extend(_pair_rest(qt, ct, used_q, used_c))
    matched = 0.0
    for q0, q1, c0, c1, sim, _ in spans:
        weight = qt[q0].weight + ct[c0].weight
        if q1 - q0 == 2:
            weight += qt[q0 + 1].weight
        if c1 - c0 == 2:
            weight += ct[c0 + 1].weight
        matched += sim * weight
    total = 0.0
    numbers_left = False
    for tokens, flags in ((qt, used_q), (ct, used_c)):
        for t, used in zip(tokens, flags, strict=True):
            if used:
                total += t.weight
            elif t.kind == "place":
                total += t.weight * _UNMATCHED_PLACE_FACTOR
            else:
                total += t.weight
                numbers_left = numbers_left or t.kind == "number"
    score = matched / total
    if numbers_left:
        score *= _NUMBER_MISMATCH_FACTOR
    # Rounded so that sums taken in different orders do not leave a name short of matching itself.
    return round(min(score, 1.0), 6), spans


def _pair_rest(
    qt: tuple[Token, ...], ct: tuple[Token, ...], used_q: list[bool], used_c: list[bool]
) -> list[Span]:
    """Pair the words left unpaired: two words written as one, or a few edits apart."""
    options: list[tuple[float, float, int, int, int, int, str]] = []
    free_q = [i for i, u in enumerate(used_q) if not u]
    free_c = [j for j, u in enumerate(used_c) if not u]
    for i in free_q:
        for j in free_c:
            sim, kind = _token_similarity(qt[i], ct[j])
            if sim:
                options.append((sim, qt[i].weight + ct[j].weight, i, i + 1, j, j + 1, kind))
    # Two words on one side written as one on the other ("Rosoboron Export" / "Rosoboronexport").
    for i in free_q:
        if i + 1 < len(qt) and not used_q[i + 1]:
            joined = qt[i].skeleton + qt[i + 1].skeleton
            for j in free_c:
                if joined == ct[j].skeleton:
                    weight = qt[i].weight + qt[i + 1].weight + ct[j].weight
                    options.append((_SIM_JOINED, weight, i, i + 2, j, j + 1, "joined"))
    for j in free_c:
        if j + 1 < len(ct) and not used_c[j + 1]:
            joined = ct[j].skeleton + ct[j + 1].skeleton
            for i in free_q:
                if joined == qt[i].skeleton:
                    weight = qt[i].weight + ct[j].weight + ct[j + 1].weight
                    options.append((_SIM_JOINED, weight, i, i + 1, j, j + 2, "joined"))
    options.sort(key=lambda o: (o[0], o[1]), reverse=True)
    spans: list[Span] = []
    for sim, _, q0, q1, c0, c1, kind in options:
        if any(used_q[q0:q1]) or any(used_c[c0:c1]):
            continue
        used_q[q0:q1] = [True] * (q1 - q0)
        used_c[c0:c1] = [True] * (c1 - c0)
        spans.append((q0, q1, c0, c1, sim, kind))
    return spans


_ID_BITS = 24
_ID_MASK = (1 << _ID_BITS) - 1


def _fold(variant: str) -> int:
    """A 40-bit fingerprint of a deletion variant."""
    return fingerprint(variant) >> _ID_BITS


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _min_total(key: NameKey) -> float:
    """The smallest total weight a name can count in a comparison (places unmatched)."""
    return sum(
        t.weight * (_UNMATCHED_PLACE_FACTOR if t.kind == "place" else 1.0) for t in key.tokens
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    party_id: str
    entry_name: str
    name: str
    dataset: str
    key: NameKey
    min_total: float


class NameIndex:
    """Every name and alias of a set of parties, indexed for candidate generation."""

    def __init__(self, parties: Iterable[Party], normaliser: NameNormaliser) -> None:
        self._normaliser = normaliser
        self._weighed = lru_cache(maxsize=caches.WORDS)(self._weigh_token)
        raw: list[tuple[Party, str, NameKey]] = []
        holders: dict[str, set[str]] = defaultdict(set)
        for party in parties:
            for name in party.all_names():
                key = normaliser.key(name)
                if key.tokens:
                    raw.append((party, name, key))
                    for t in key.tokens:
                        holders[t.skeleton].add(party.id)
        self._df = {skel: len(ids) for skel, ids in holders.items()}
        # The most a word many entities share may weigh (see weight()).
        self._caps = {skel: self._cap(df) for skel, df in self._df.items() if df > _DF_RARE}
        self.entries: list[_Entry] = []
        self._exact_only: dict[str, list[int]] = defaultdict(list)
        vocab: dict[str, int] = {}
        postings: list[list[int]] = []
        joined: dict[str, list[int]] = defaultdict(list)
        for party, name, key in raw:
            key = self.weigh(key)
            idx = len(self.entries)
            self.entries.append(
                _Entry(party.id, party.name, name, party.dataset, key, _min_total(key))
            )
            if len(key.tokens) == 1 and len(key.tokens[0].text) <= _EXACT_ONLY_LENGTH:
                self._exact_only[key.tokens[0].skeleton].append(idx)
                continue
            for t in key.tokens:
                tid = vocab.setdefault(t.skeleton, len(vocab))
                if tid == len(postings):
                    postings.append([])
                if not postings[tid] or postings[tid][-1] != idx:
                    postings[tid].append(idx)
            for a, b in itertools.pairwise(key.tokens):
                joined[a.skeleton + b.skeleton].append(idx)
        # The deletion neighbourhood: (variant fingerprint, word id) packed in one sorted array,
        # a tenth of the memory of a dictionary of strings (and of the pages worker processes
        # would copy); a fingerprint that collides only brings in a word the edit distance
        # then rejects.
        self._deletions = array(
            "Q",
            sorted(
                _fold(variant) << _ID_BITS | tid
                for skel, tid in vocab.items()
                if _max_edits(len(skel))
                for variant in _deletions(skel) | {skel}
            ),
        )
        if len(vocab) >= 1 << _ID_BITS:
            raise ValueError(f"a vocabulary of {len(vocab)} words is too large to index")
        self._vocab = vocab
        # Every prefix of a vocabulary word: a word written as two starts with one of them.
        self._heads = frozenset(w[:k] for w in vocab for k in range(1, len(w) + 1))
        self._words = list(vocab)
        self._postings = postings
        self._joined = dict(joined)
        # Posting lists as sets, made on first use, for the common words that are only looked up.
        self._sets: dict[int, frozenset[int]] = {}
        self._min_totals = [e.min_total for e in self.entries]
        # Query words recur across names ("trading", "llc"): their vocabulary matches are kept.
        self._word_cache = lru_cache(maxsize=caches.WORDS)(self._word_matches)

    def __len__(self) -> int:
        return len(self.entries)

    @staticmethod
    def _cap(df: int) -> float:
        fall = math.log(df / _DF_RARE) / math.log(_DF_FLOOR / _DF_RARE)
        return max(_MIN_WEIGHT, 1.0 - (1.0 - _MIN_WEIGHT) * fall)

    def weight(self, token: Token) -> float:
        """A token's own weight (generic, place, word), lowered for words many entities share."""
        cap = self._caps.get(token.skeleton)
        return token.weight if cap is None else min(token.weight, cap)

    def weigh(self, key: NameKey) -> NameKey:
        """The key with each token weighted for this index."""
        caps = self._caps
        if all(t.skeleton not in caps for t in key.tokens):
            return key
        tokens = tuple(map(self._weighed, key.tokens))
        return NameKey(original=key.original, tokens=tokens, legal_forms=key.legal_forms)

    def _weigh_token(self, token: Token) -> Token:
        weight = self.weight(token)
        return token if weight == token.weight else replace(token, weight=weight)

    def _word_matches(self, skel: str, fuzzy: bool) -> tuple[int, ...]:
        """Ids of the vocabulary words a query word can align with (same skeleton or few edits)."""
        found: set[int] = set()
        tid = self._vocab.get(skel)
        if tid is not None:
            found.add(tid)
        if fuzzy and _max_edits(len(skel)):
            table = self._deletions
            for variant in _deletions(skel) | {skel}:
                low = _fold(variant) << _ID_BITS
                i = bisect.bisect_left(table, low)
                while i < len(table) and table[i] >> _ID_BITS == low >> _ID_BITS:
                    other = table[i] & _ID_MASK
                    i += 1
                    if other in found:
                        continue
                    word = self._words[other]
                    limit = _max_edits(min(len(skel), len(word)))
                    if limit and OSA.distance(skel, word, score_cutoff=limit) <= limit:
                        found.add(other)
        return tuple(found)

    def may_match(self, skeletons: list[str]) -> bool:
        """False only if no query whose tokens are among ``skeletons`` has a candidate.

        Most names in a trade file resemble no listed name; this rules them out from their words
        alone, before the name is normalised in full: a candidate needs a token that is (or is
        close to) a vocabulary word, a joined pair or a short exact-only name, or two tokens that
        written together are a vocabulary word.
        """
        return any(map(self.hits_anything, skeletons)) or self.pair_in_vocabulary(skeletons)

    def hits_anything(self, skel: str) -> bool:
        """Whether a query token with this skeleton brings in any candidate by itself."""
        return bool(
            skel in self._joined or skel in self._exact_only or self._word_cache(skel, True)
        )

    def pair_in_vocabulary(self, skeletons: list[str]) -> bool:
        """Whether two of the skeletons, written together in either order, are a vocabulary word."""
        vocab, heads = self._vocab, self._heads
        for i, head in enumerate(skeletons):
            if head in heads:
                for j, tail in enumerate(skeletons):
                    if i != j and head + tail in vocab:
                        return True
        return False

    def candidates(self, query: NameKey, floor: float = MATCH_FLOOR) -> list[int]:
        """Entries that may reach ``floor`` with the query; every one that can is included.

        Each query word collects the names holding a vocabulary word it can align with.  A name
        can reach ``floor`` only if it shares at least ``floor * q / (2 * slack - floor)`` of the
        query's weight ``q`` (prefix filtering), so only the rarest words, up to what the common
        words together cannot make up, bring in candidates; the common words just add weight to
        names already found.  A name is kept when twice the weight it shares could reach ``floor``
        of the two names' smallest totals.
        """
        tokens = query.tokens
        if not tokens:
            return []
        postings = self._postings
        sources: list[tuple[int, int, list[list[int]]]] = []
        for i, token in enumerate(tokens):
            matches = self._word_cache(token.skeleton, token.kind != "number")
            lists = [postings[tid] for tid in matches]
            if joined := self._joined.get(token.skeleton):
                lists.append(joined)
            if i + 1 < len(tokens):
                pair = self._vocab.get(token.skeleton + tokens[i + 1].skeleton)
                if pair is not None:
                    lists.append(postings[pair])
            sources.append((sum(map(len, lists)), i, lists))
        sources.sort()
        q_total = _min_total(query)
        required = floor * q_total / (2 * _BOUND_SLACK - floor)
        # The most common words, taken together, must weigh less than `required`: a name holding
        # only those cannot qualify.  The others bring in the candidates.
        common_weight = 0.0
        seeds = len(sources)
        while seeds > 1:
            weight = tokens[sources[seeds - 1][1]].weight
            if common_weight + weight >= required:
                break
            common_weight += weight
            seeds -= 1
        accumulated: dict[int, float] = {}
        for _, pos, lists in sources[:seeds]:
            weight = tokens[pos].weight
            found = set().union(*lists)
            if not accumulated:
                accumulated = dict.fromkeys(found, weight)
                continue
            for idx in found:
                accumulated[idx] = accumulated.get(idx, 0.0) + weight
        need = floor / (2 * _BOUND_SLACK)
        totals = self._min_totals
        # The common words can add at most `rest` to a name: drop the names that cannot reach the
        # floor even then, before looking the common words up, and again after each one.
        rest = common_weight
        for _, pos, lists in sources[seeds:]:
            accumulated = {
                idx: shared
                for idx, shared in accumulated.items()
                if shared + rest >= need * (q_total + totals[idx])
            }
            if not accumulated:
                return []
            weight = tokens[pos].weight
            rest -= weight
            shared_now: set[int] = set()
            for posting in lists:
                shared_now |= accumulated.keys() & self._posting_set(posting)
            for idx in shared_now:
                accumulated[idx] += weight
        return [
            idx for idx, shared in accumulated.items() if shared >= need * (q_total + totals[idx])
        ]

    def _posting_set(self, posting: list[int]) -> frozenset[int]:
        key = id(posting)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = frozenset(posting)
        return found

    def exact_only(self, query: NameKey) -> list[int]:
        """Short names (acronyms) equal to the whole query."""
        if len(query.tokens) != 1:
            return []
        return list(self._exact_only.get(query.tokens[0].skeleton, ()))


class PartyMatcher:
    """Matches party names against the names and aliases of a set of parties."""

    def __init__(
        self,
        parties: Iterable[Party],
        normaliser: NameNormaliser,
        *,
        cache_size: int = caches.NAMES,
    ) -> None:
        self._normaliser = normaliser
        self.index = NameIndex(parties, normaliser)
        self._cached = lru_cache(maxsize=cache_size)(self._match)
        # Most names of a trade file resemble no listed name: those are remembered compactly.
        self._clear = caches.Fingerprints(caches.NAMES_CLEAR_LOG2)
        # What each word of a name says for the word filter (see _word_info), for the words seen
        # lately; emptied when it holds caches.FILTER_WORDS words.
        self._words: dict[str, str | tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def share(self) -> None:
        """Share what is learnt of names that resemble no listed name with processes forked from
        now on (see caches.Fingerprints.share)."""
        self._clear.share()

    def match(self, name: str, *, min_similarity: float = MATCH_FLOOR) -> tuple[PartyMatch, ...]:
        """The parties whose names resemble ``name``, best first, one match per party."""
        if not name or name in self._clear:
            return ()
        found = self._cached(name)
        if not found:
            self._clear.add(name)
            return ()
        return tuple(m for m in found if m.similarity >= min_similarity)

    def match_exhaustive(self, name: str) -> tuple[PartyMatch, ...]:
        """As :meth:`match`, scoring every name of the index (slow: to measure the index)."""
        query = self.index.weigh(self._normaliser.key(name))
        return self._score(query, range(len(self.index.entries)))

    def _word_info(self, word: str) -> str | tuple[str, ...]:
        """() if one of the word's skeletons brings in a candidate by itself, else its skeletons:
        the word itself when it is its only skeleton (kept compactly, as the key is)."""
        skeletons = self._normaliser.word_skeletons(word)
        if any(map(self.index.hits_anything, skeletons)):
            return ()
        return word if skeletons == (word,) else skeletons

    def _ruled_out(self, name: str) -> bool:
        """Whether the word filter (NameIndex.may_match) rules the name out."""
        words = ascii_words(name)
        if words is None:
            return False
        known = self._words
        skeletons: list[str] = []
        for word in words:
            info = known.get(word)
            if info is None:
                info = self._word_info(word)
                if len(known) >= caches.FILTER_WORDS:
                    known.clear()
                known[word] = info
            if isinstance(info, str):
                skeletons.append(info)
            elif info:
                skeletons.extend(info)
            else:  # a word that brings in a candidate
                return False
        return not self.index.pair_in_vocabulary(skeletons)

    def _match(self, name: str) -> tuple[PartyMatch, ...]:
        if self._ruled_out(name):
            return ()
        query = self.index.weigh(self._normaliser.key(name))
        if not query.tokens:
            return ()
        found = self.index.candidates(query) + self.index.exact_only(query)
        return self._score(query, found)

    def _score(self, query: NameKey, candidates: Iterable[int]) -> tuple[PartyMatch, ...]:
        best: dict[str, PartyMatch] = {}
        entries = self.index.entries
        for idx in candidates:
            entry = entries[idx]
            if (
                len(entry.key.tokens) == 1
                and len(entry.key.tokens[0].text) <= _EXACT_ONLY_LENGTH
                and query.text != entry.key.text
            ):
                continue
            score, spans = compare(query, entry.key)
            if score < MATCH_FLOOR:
                continue
            current = best.get(entry.party_id)
            if current is not None and current.similarity >= score:
                continue
            best[entry.party_id] = _evidence(query, entry, score, spans)
        return tuple(sorted(best.values(), key=lambda m: (-m.similarity, m.party_id)))


def _evidence(query: NameKey, entry: _Entry, score: float, spans: list[Span]) -> PartyMatch:
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
