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
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA

from engine.catalogue.entities import Party
from engine.reading import caches
from engine.reading.caches import fingerprint
from engine.reading.names import NameKey, NameNormaliser, Token, ascii_words
from engine.reading.parties import AND_WORDS, read_party_cell

# The lowest similarity the matcher reports; rules ask for this or more.
MATCH_FLOOR = 0.70
_SIM_TRANSLITERATED = 0.97
_SIM_JOINED = 0.97
_MIN_TOKEN_SIM = 0.80
_SIM_ONE_TYPO = 0.90
# An initial ("V.") for a given name or patronymic of a person ("Vladimirovich").
_SIM_INITIAL = 0.90
_NUMBER_MISMATCH_FACTOR = 0.75
# A place word on one side only ("(China)", "Wuhan") says little against a match: it counts for this
# fraction of its weight.
_UNMATCHED_PLACE_FACTOR = 0.2
# A listed person's middle name or patronymic left out of a name that has no word of its own
# left unmatched ("Vladimir Putin" for "PUTIN, Vladimir Vladimirovich") counts for this fraction
# of its weight; a different middle name written instead still counts in full.
_UNMATCHED_MIDDLE_FACTOR = 0.1
# A distinctive word (one few listed names hold: this weight or more) left unmatched on either
# side costs this much beyond the weight it adds to the total, so that two words added to a
# long listed name ("... Ministry of Defense Ribogi Vagoze") say "another firm" as they do
# beside a short one.
_DISTINCT_WEIGHT = 0.9
_UNMATCHED_DISTINCT_COST = 0.05
# Words held by at most this many listed entities keep their full weight; beyond, the weight falls
# with the logarithm of the count, to _MIN_WEIGHT for words held by _DF_FLOOR entities or more.
_DF_RARE = 5
_DF_FLOOR = 2000
_MIN_WEIGHT = 0.15
# The word filter looks for words written apart among at most this many different words.
_PAIR_WORDS = 64
# Names of this many characters or fewer (acronyms such as "BNC") match only a query equal to them.
_EXACT_ONLY_LENGTH = 3
# Slack on the similarity bound: fuzzy pairs weigh slightly differently on the two sides.
_BOUND_SLACK = 1.1

Span = tuple[int, int, int, int, float, str]

# A listed name holding "and": a part cut at an "and" it may be (CellPart.unsure) is not matched
# to it alone.  Besides the words a cell is cut at, the Spanish, Portuguese, Turkish and Uzbek
# words lists write ("Transporte y Servicios", "Sanayi ve Ticaret").
_CONJUNCTION = re.compile(rf"(?:^|\s)(?:{AND_WORDS}|y|e|ve|va)(?:\s|$)", re.IGNORECASE)


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
    # Where the cell named more than one party, or more than a name: the party that matched,
    # and what was set aside from the cell for it (text, reason), identifiers included.
    part: str = ""
    set_aside: tuple[tuple[str, str], ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()

    def detail(self) -> str:
        """The token alignment in words, e.g. "'rostekh'≈'rostech' transliterated 0.97"."""
        parts = [str(p) for p in self.pairs]
        if self.part:
            parts.insert(0, f"the party '{self.part}' of the cell")
        if self.unmatched_query:
            parts.append("query only: " + ", ".join(self.unmatched_query))
        if self.unmatched_candidate:
            parts.append("entry only: " + ", ".join(self.unmatched_candidate))
        if self.query_legal_forms or self.candidate_legal_forms:
            q = "/".join(self.query_legal_forms) or "none"
            c = "/".join(self.candidate_legal_forms) or "none"
            parts.append(f"legal forms set aside: {q} vs {c}")
        if self.set_aside:
            parts.append(
                "set aside: " + ", ".join(f"'{text}' ({why})" for text, why in self.set_aside)
            )
        return "; ".join(parts)


def join(*skeletons: str) -> str:
    """Skeletons of words written as one: a letter doubled where they meet is folded once, as
    in the skeleton of the word written whole ("electro" + "optics" = "electroptics", the
    skeleton of "Electrooptics")."""
    out = skeletons[0]
    for skel in skeletons[1:]:
        out += skel[1:] if out and skel and out[-1] == skel[0] else skel
    return out


def _initial_of(a: Token, b: Token) -> bool:
    """Whether one of two words is a letter the other begins with."""
    if len(a.text) == 1 and len(b.text) > 1:
        return a.text.isalpha() and b.text[0] == a.text
    return len(b.text) == 1 and len(a.text) > 1 and b.text.isalpha() and a.text[0] == b.text


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
    if not max_edits or abs(len(q.skeleton) - len(c.skeleton)) > max_edits:
        return 0.0, ""
    # Optimal string alignment: a letter missing, wrong, added, or two letters swapped is one edit.
    dist = OSA.distance(q.skeleton, c.skeleton, score_cutoff=max_edits)
    if dist > max_edits:
        return 0.0, ""
    longest = max(len(q.skeleton), len(c.skeleton))
    sim = 1.0 - dist / longest
    if dist == 1 and longest >= 6 and q.skeleton[0] == c.skeleton[0]:
        # One typo in a word of six to nine letters is 0.83 to 0.89: the name would need a
        # second word to match at all.  The first letter kept, it says as much as a longer word's.
        sim = max(sim, _SIM_ONE_TYPO)
    return (sim, "fuzzy") if sim >= _MIN_TOKEN_SIM else (0.0, "")


def compare(
    query: NameKey, candidate: NameKey, *, initials: bool = False
) -> tuple[float, list[Span]]:
    """Similarity in [0, 1] of two normalised names, with the alignment behind it.

    The alignment is a list of (query start, query end, candidate start, candidate end, similarity,
    kind) spans; a span covers two tokens on one side when two words were written as one.  Words
    with the same skeleton are paired first (identical text before variant spellings); the words
    left over are then paired best first, as two or three words written as one or within a few
    edits, and, with ``initials`` (a person's name), a letter with a word it is the initial of.
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
        spans.extend(_pair_rest(qt, ct, used_q, used_c, initials))
    matched = 0.0
    for q0, q1, c0, c1, sim, _ in spans:
        if q1 - q0 == 1 and c1 - c0 == 1:
            matched += sim * (qt[q0].weight + ct[c0].weight)
        else:
            matched += sim * (sum(t.weight for t in qt[q0:q1]) + sum(t.weight for t in ct[c0:c1]))
    total = 0.0
    numbers_left = False
    distinct_left = 0
    words_left = [False, False]  # whether the query, the candidate, has a word unmatched
    middle_left = [0.0, 0.0]  # the weight of its middle names unmatched
    middle_distinct = [0, 0]
    for side, tokens, flags in ((0, qt, used_q), (1, ct, used_c)):
        for t, used in zip(tokens, flags, strict=True):
            if used:
                total += t.weight
            elif t.kind == "place":
                total += t.weight * _UNMATCHED_PLACE_FACTOR
            elif t.middle:
                middle_left[side] += t.weight
                middle_distinct[side] += t.weight >= _DISTINCT_WEIGHT
            else:
                total += t.weight
                if t.kind == "word":
                    words_left[side] = True
                    distinct_left += t.weight >= _DISTINCT_WEIGHT
                else:
                    numbers_left = numbers_left or t.kind == "number"
    # Middle names are left out only by a side with no word of its own unmatched; else they
    # count in full, as other words do.
    for side in (0, 1):
        if middle_left[side]:
            if words_left[1 - side] or middle_left[1 - side]:
                total += middle_left[side]
                distinct_left += middle_distinct[side]
            else:
                total += middle_left[side] * _UNMATCHED_MIDDLE_FACTOR
    score = matched / total - _UNMATCHED_DISTINCT_COST * distinct_left
    if numbers_left:
        score *= _NUMBER_MISMATCH_FACTOR
    # Rounded so that sums taken in different orders do not leave a name short of matching itself.
    return round(min(max(score, 0.0), 1.0), 6), spans


def _pair_rest(
    qt: tuple[Token, ...],
    ct: tuple[Token, ...],
    used_q: list[bool],
    used_c: list[bool],
    initials: bool = False,
) -> list[Span]:
    """Pair the words left unpaired: two or three words written as one, a few edits apart, or an
    initial and its word."""
    options: list[tuple[float, float, int, int, int, int, str]] = []
    free_q = [i for i, u in enumerate(used_q) if not u]
    free_c = [j for j, u in enumerate(used_c) if not u]
    for i in free_q:
        for j in free_c:
            sim, kind = _token_similarity(qt[i], ct[j])
            if sim:
                options.append((sim, qt[i].weight + ct[j].weight, i, i + 1, j, j + 1, kind))
            elif initials and _initial_of(qt[i], ct[j]):
                options.append((_SIM_INITIAL, qt[i].weight + ct[j].weight, i, i + 1, j, j + 1,
                                "initial"))  # fmt: skip
    # Words on one side written as one on the other ("Rosoboron Export" / "Rosoboronexport",
    # "Jin Ming Sheng" / "Jinmingsheng").
    for one, other, used_one, used_other, flip in (
        (qt, ct, used_q, used_c, False),
        (ct, qt, used_c, used_q, True),
    ):
        free_other = [j for j, u in enumerate(used_other) if not u]
        # Only a word of the other side can be two or three written as one.
        spelt = {other[j].skeleton for j in free_other}
        for i in (i for i, u in enumerate(used_one) if not u) if spelt else ():
            for n in (2, 3):
                if i + n > len(one) or any(used_one[i : i + n]):
                    break
                joined = join(*(t.skeleton for t in one[i : i + n]))
                if joined not in spelt:
                    continue
                for j in free_other:
                    if joined == other[j].skeleton:
                        weight = sum(t.weight for t in one[i : i + n]) + other[j].weight
                        span = (j, j + 1, i, i + n) if flip else (i, i + n, j, j + 1)
                        options.append((_SIM_JOINED, weight, *span, "joined"))
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


_PATRONYMIC = re.compile(r"\w{3,}(?:ovich|evich|ich|ovna|evna|ichna|inichna|ogly|oglu|kyzy|qizi)$")


def _given_part(name: str) -> tuple[str, str, bool] | None:
    """A person's name as written by a list: (surname, given names, whether the surname comes
    first), from "SURNAME, Given Middle" or from the surname's capitals ("Given Middle SURNAME");
    None when the name does not say which words are the surname."""
    if "," in name:
        surname, _, given = name.partition(",")
        return surname, given, True
    words = name.split()
    caps = [w.isupper() and sum(ch.isalpha() for ch in w) >= 2 for w in words]
    if all(caps) or not any(caps):
        return None
    n = caps.index(False) if caps[0] else len(caps) - caps[::-1].index(False)
    if caps[0] and not any(caps[n:]):
        return " ".join(words[:n]), " ".join(words[n:]), True
    if not caps[0] and all(caps[n:]):
        return " ".join(words[n:]), " ".join(words[:n]), False
    return None


def _mark_middle_names(name: str, key: NameKey, normaliser: NameNormaliser) -> NameKey:
    """A listed person's key with the middle names and patronymics marked (Token.middle): the
    given names after the first, where the list shows which words are the surname, or the
    middle word of a name of three; and any patronymic ("Vladimirovich")."""
    tokens = key.tokens
    if len(tokens) < 3:
        return key
    middle = {i for i, t in enumerate(tokens) if _PATRONYMIC.fullmatch(t.text)}
    parts = _given_part(key.original)
    if parts is not None:
        surname, given = (normaliser.key(part).tokens for part in parts[:2])
        order = (*surname, *given) if parts[2] else (*given, *surname)
        if [t.text for t in order] == [t.text for t in tokens] and given:
            first = len(surname) if parts[2] else 0
            middle.update(range(first + 1, first + len(given)))
    elif len(tokens) == 3:
        middle.add(1)
    if not middle or len(middle) > len(tokens) - 2:
        return key
    marked = tuple(replace(t, middle=True) if i in middle else t for i, t in enumerate(tokens))
    return NameKey(original=key.original, tokens=marked, legal_forms=key.legal_forms)


def _min_total(key: NameKey, *, middle: bool = True) -> float:
    """The smallest total weight a name can count in a comparison (places unmatched, and
    middle names left out unless ``middle`` is False)."""
    return sum(t.weight * _unmatched_factor(t, middle) for t in key.tokens)


def _initial_share(weight: float) -> float:
    """The most an initial of this weight, paired with a word (of weight 1.0 at most), brings to
    the candidate bound, in the query-weight units of NameIndex.candidates."""
    return _SIM_INITIAL * (weight + 1.0) / (2 * _BOUND_SLACK)


def _unmatched_factor(token: Token, middle: bool = True) -> float:
    """The least fraction of its weight a token can count for when it is left unmatched."""
    if token.middle and middle:
        return _UNMATCHED_MIDDLE_FACTOR
    return _UNMATCHED_PLACE_FACTOR if token.kind == "place" else 1.0


@dataclass(frozen=True, slots=True)
class _Entry:
    party_id: str
    entry_name: str
    name: str
    dataset: str
    key: NameKey
    min_total: float
    person: bool = False


class NameIndex:
    """Every name and alias of a set of parties, indexed for candidate generation."""

    def __init__(self, parties: Iterable[Party], normaliser: NameNormaliser) -> None:
        self._normaliser = normaliser
        self._weighed = lru_cache(maxsize=caches.WORDS)(self._weigh_token)
        raw: list[tuple[Party, str, NameKey]] = []
        holders: dict[str, set[str]] = defaultdict(set)
        for party in parties:
            person = party.kind == "person"
            for name in party.all_names():
                key = normaliser.key(name)
                if key.tokens:
                    # A person is often written without patronymic or middle name.
                    raw.append(
                        (party, name, _mark_middle_names(name, key, normaliser) if person else key)
                    )
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
                _Entry(
                    party.id,
                    party.name,
                    name,
                    party.dataset,
                    key,
                    _min_total(key),
                    party.kind == "person",
                )
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
            skels = [t.skeleton for t in key.tokens]
            for n in (2, 3):
                for k in range(len(skels) - n + 1):
                    joined[join(*skels[k : k + n])].append(idx)
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
        # Each listed person's name, with what its initials may bring in a comparison.
        self._initials = {
            idx: sum(
                _initial_share(t.weight)
                for t in e.key.tokens
                if len(t.text) == 1 and t.text.isalpha()
            )
            for idx, e in enumerate(self.entries)
            if e.person
        }
        self._full_totals = [_min_total(e.key, middle=False) for e in self.entries]
        # Query words recur across names ("trading", "llc"): their vocabulary matches are kept.
        self._word_cache = lru_cache(maxsize=caches.WORDS)(self._word_matches)
        self._source_cache = lru_cache(maxsize=caches.WORDS)(self._word_sources)

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
        """Whether two or three of the skeletons, written together in any order, are a
        vocabulary word (True, not ruling the name out, for a text of more than
        ``_PAIR_WORDS`` different words, where looking would take long)."""
        counts = Counter(skeletons)
        if len(counts) > _PAIR_WORDS:
            return True
        vocab, heads = self._vocab, self._heads
        for head in counts:
            if head not in heads:
                continue
            for tail, n in counts.items():
                if tail == head and n < 2:
                    continue
                two = join(head, tail)
                if two in vocab:
                    return True
                if two in heads and any(
                    m > (last == head) + (last == tail) and join(two, last) in vocab
                    for last, m in counts.items()
                ):
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
        # (postings, weight, lists): each query word, and each two or three words that written
        # as one are a vocabulary word, with their weight (a name sharing both a word and its pair
        # is counted twice: the bound only grows).
        sources: list[tuple[int, float, tuple[list[int], ...]]] = []
        vocab = self._vocab
        postings = self._postings
        # An initial ("V.") may pair with any given name of a person: for a person it is counted
        # as shared, for as much as such a pair can bring.
        free = 0.0
        skels = [t.skeleton for t in tokens]
        for i, token in enumerate(tokens):
            if len(token.text) == 1 and token.text.isalpha():
                free += max(token.weight, _initial_share(token.weight))
            size, lists = self._source_cache(token.skeleton, token.kind != "number")
            sources.append((size, token.weight, lists))
            if i + 1 < len(tokens):
                two = join(skels[i], skels[i + 1])
                tid = vocab.get(two)
                if tid is not None:
                    weight = token.weight + tokens[i + 1].weight
                    sources.append((len(postings[tid]), weight, (postings[tid],)))
                if i + 2 < len(tokens):
                    tid = vocab.get(join(two, skels[i + 2]))
                    if tid is not None:
                        weight = sum(t.weight for t in tokens[i : i + 3])
                        sources.append((len(postings[tid]), weight, (postings[tid],)))
        sources.sort(key=lambda s: (s[0], -s[1]))
        q_total = _min_total(query)
        required = floor * q_total / (2 * _BOUND_SLACK - floor)
        # The most common words, taken together, must weigh less than `required`: a name holding
        # only those cannot qualify.  The others bring in the candidates.
        common_weight = 0.0
        seeds = len(sources)
        while seeds > 1:
            weight = sources[seeds - 1][1]
            if common_weight + weight >= required:
                break
            common_weight += weight
            seeds -= 1
        accumulated: dict[int, float] = {}
        for _, weight, lists in sources[:seeds]:
            found = lists[0] if len(lists) == 1 else set().union(*lists)
            if not accumulated:
                accumulated = dict.fromkeys(found, weight)
                continue
            for idx in found:
                accumulated[idx] = accumulated.get(idx, 0.0) + weight
        if not accumulated:
            return []
        need = floor / (2 * _BOUND_SLACK)
        totals = self._min_totals
        # What a person's name may share beyond its words: the query's initials, and any query
        # word its own initials stand for.
        persons = self._initials
        # The weight each name must share to be kept (its bound), what it may share beyond its
        # words taken off.  The common words can add at most `rest` to a name: the names that
        # cannot reach the floor even then are dropped before the common words are looked up,
        # and again after each one.
        rest = common_weight
        limits: dict[int, float] = {}
        kept: dict[int, float] = {}
        for idx, shared in accumulated.items():
            limit = need * (q_total + totals[idx])
            if idx in persons:
                limit -= free + persons[idx]
            if shared + rest >= limit:
                limits[idx] = limit
                kept[idx] = shared
        accumulated = kept
        for k, (_, weight, lists) in enumerate(sources[seeds:]):
            if k:
                accumulated = {
                    idx: shared
                    for idx, shared in accumulated.items()
                    if shared + rest >= limits[idx]
                }
            if not accumulated:
                return []
            rest -= weight
            if len(lists) == 1:
                shared_now = accumulated.keys() & self._posting_set(lists[0])
            else:  # a name in two of the lists counts the word once
                shared_now = set()
                for posting in lists:
                    shared_now |= accumulated.keys() & self._posting_set(posting)
            for idx in shared_now:
                accumulated[idx] += weight
        # A listed person's middle names count little only if every word of the query is
        # paired, so with less shared than the query's words weigh they count in full.
        words = sum(t.weight for t in tokens if t.kind == "word") - 1e-9
        full = self._full_totals
        out = []
        for idx, shared in accumulated.items():
            if shared < limits[idx]:
                continue
            reach = shared + (free + persons[idx] if idx in persons else 0.0)
            if reach >= words or reach >= need * (q_total + full[idx]):
                out.append(idx)
        out.sort()  # in the index's order, as exhaustive scoring takes them (ties keep the first)
        return out

    def _word_sources(self, skel: str, fuzzy: bool) -> tuple[int, tuple[list[int], ...]]:
        """The posting lists a query word brings in (of the vocabulary words it can align with,
        and of the joined pairs it spells), and how many entries they hold in all."""
        lists = [self._postings[tid] for tid in self._word_cache(skel, fuzzy)]
        if joined := self._joined.get(skel):
            lists.append(joined)
        return sum(map(len, lists)), tuple(lists)

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
        self._cached_cell = lru_cache(maxsize=cache_size)(self._match_cell)
        # Most names of a trade file resemble no listed name: those are remembered compactly.
        self._clear = caches.Fingerprints(caches.NAMES_CLEAR_LOG2)
        # What each word of a name says for the word filter (see _word_info), for the words seen
        # lately; emptied when it holds caches.FILTER_WORDS words.
        self._words: dict[str, str | tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def clear_cache(self) -> None:
        """Forget the names matched so far, and those found to resemble no listed name (to
        measure matching from cold; what is known of single words is kept, as the index's own
        word cache is)."""
        self._cached.cache_clear()
        self._cached_cell.cache_clear()
        self._clear = caches.Fingerprints(caches.NAMES_CLEAR_LOG2)

    def share(self) -> None:
        """Share what is learnt of names that resemble no listed name with processes forked from
        now on (see caches.Fingerprints.share)."""
        self._clear.share()

    def match(self, name: str, *, min_similarity: float = MATCH_FLOOR) -> tuple[PartyMatch, ...]:
        """The parties whose names resemble ``name``, best first, one match per party."""
        if not name or name in self._clear:
            return ()
        found = self._cached_cell(name)
        if not found:
            self._clear.add(name)
            return ()
        return tuple(m for m in found if m.similarity >= min_similarity)

    def _match_cell(self, cell: str) -> tuple[PartyMatch, ...]:
        """A cell's matches: the cell as one name, and each party it names (read_party_cell),
        the best match per listed party kept (a party's own over the whole cell's at a tie)."""
        if self._ruled_out(cell):  # a part's words are among the cell's: none can match either
            return ()
        normaliser = self._normaliser
        parts = read_party_cell(
            cell, is_place=normaliser.is_place, form_words=normaliser.form_words
        )
        whole = self._match_name(cell)  # the word filter has passed it
        if len(parts) == 1 and parts[0].name == cell.strip() and not parts[0].set_aside:
            return whole
        best = {m.party_id: m for m in whole}
        for part in parts:
            for m in self._cached(part.name) if part.name else ():
                if part.unsure and _CONJUNCTION.search(m.matched_name):
                    continue  # the cell's "and" may be the listed name's own
                current = best.get(m.party_id)
                if current is None or m.similarity >= current.similarity:
                    best[m.party_id] = replace(
                        m,
                        query=cell,
                        part=part.name,
                        set_aside=part.set_aside,
                        identifiers=part.identifiers,
                    )
        return tuple(sorted(best.values(), key=lambda m: (-m.similarity, m.party_id)))

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
        return () if self._ruled_out(name) else self._match_name(name)

    def _match_name(self, name: str) -> tuple[PartyMatch, ...]:
        """A name's matches, the word filter left out."""
        query = self.index.weigh(self._normaliser.key(name))
        if not query.tokens:
            return ()
        found = self.index.candidates(query) + self.index.exact_only(query)
        return self._score(query, found)

    def _score(self, query: NameKey, candidates: Iterable[int]) -> tuple[PartyMatch, ...]:
        # The best entry of each party: (similarity as reported, entry, score, alignment); the
        # evidence is written for that entry alone.
        best: dict[str, tuple[float, _Entry, float, list[Span]]] = {}
        entries = self.index.entries
        for idx in candidates:
            entry = entries[idx]
            if (
                len(entry.key.tokens) == 1
                and len(entry.key.tokens[0].text) <= _EXACT_ONLY_LENGTH
                and query.text != entry.key.text
            ):
                continue
            score, spans = compare(query, entry.key, initials=entry.person)
            if score < MATCH_FLOOR:
                continue
            current = best.get(entry.party_id)
            if current is not None and current[0] >= score:
                continue
            best[entry.party_id] = (round(score, 4), entry, score, spans)
        found = [_evidence(query, entry, score, spans) for _, entry, score, spans in best.values()]
        return tuple(sorted(found, key=lambda m: (-m.similarity, m.party_id)))


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
