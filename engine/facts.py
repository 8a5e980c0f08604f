"""What the engine knows (compiled once per Screener) and what it finds in one shipment.

:class:`Knowledge` turns the catalogue into lookup structures: the party matcher, an HS prefix
table, keyword matchers for goods, country tags, phrase matchers and ownership shares.
:class:`Facts` holds what one shipment shows, computed on first use so that rules that never ask
about a field cost nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from engine.catalogue.entities import Catalogue, Clearance, GoodsCategory, Owned, owned_share
from engine.reading import caches
from engine.reading.countries import CountryResolver
from engine.reading.hscodes import HsCode, hs_in_text, parse_hs
from engine.reading.matching import PartyMatch, PartyMatcher
from engine.reading.names import NameNormaliser
from engine.reading.phrases import (
    EXAMINED_LENGTH,
    PhraseMatcher,
    clip,
    examined_windows,
    text_words,
    window_words,
)
from engine.reading.record import PARTY_ROLES, Record

# Texts too long to be searched whole are seldom seen twice: a few are remembered (by the windows
# of them that are searched), for the rules of the row that holds them.
_LONG_TEXTS = 8


@dataclass(frozen=True, slots=True)
class GoodsFinding:
    """Goods placed in a category, by their HS code or by a keyword of their description."""

    category: GoodsCategory
    code: HsCode | None = None
    prefix: str | None = None
    keyword: str | None = None
    words: str | None = None
    #: Where the keyword matched: (first word, end word) of the description's examined words.
    at: tuple[int, int] | None = None

    def describe(self) -> str:
        """E.g. "HS 8542.31 (CHPL tier 1: Electronic integrated circuits: processors)"."""
        title = self.category.title
        if self.category.chpl_tier:
            title = f"CHPL tier {self.category.chpl_tier}: {title}"
        if self.code is not None:
            return f"HS {self.code} is in {title} (HS {self.prefix})"
        words = clip(self.words or "", 100)
        return f"description words '{words}' mean {title} (keyword '{self.keyword}')"


class Knowledge:
    """The catalogue compiled for screening; built once per Screener, read-only afterwards.

    ``as_of`` is the day the allow-list's clearances are judged on.
    """

    def __init__(self, catalogue: Catalogue, *, as_of: dt.date) -> None:
        self.catalogue = catalogue
        self.normaliser = NameNormaliser(catalogue.name_words)
        self.matcher = PartyMatcher(catalogue.parties.values(), self.normaliser)
        self.resolver = CountryResolver(catalogue.countries)
        self.party_tags = {pid: p.listing_tags for pid, p in catalogue.parties.items()}
        self.party_kinds = {pid: p.kind for pid, p in catalogue.parties.items()}
        self.identifiers = _identifier_index(catalogue)
        self.clearances: dict[tuple[str, str], Clearance] = {
            (self.normaliser.key(c.party).text, c.entry): c
            for c in catalogue.cleared
            if c.active(as_of)
        }
        self.country_tags = {code: frozenset(c.tags) for code, c in catalogue.countries.items()}
        self.hs_prefixes: dict[str, list[GoodsCategory]] = {}
        for category in catalogue.categories.values():
            for prefix in category.hs:
                self.hs_prefixes.setdefault(prefix, []).append(category)
        # Every category's keywords and exclusions in one matcher, so that a description is
        # scanned once; each keyword and exclusion says which categories it belongs to.
        self.keyword_categories = [c for c in catalogue.categories.values() if c.keywords]
        self.goods_words = PhraseMatcher(
            {w: None for c in self.keyword_categories for w in (*c.keywords, *c.exclude)},
            ordered=False,
        )
        followers = _trade_followers(catalogue)
        self._follows_trade = lambda word: word in followers or self.resolver.names_country(word)
        self.phrase_matchers = {
            pl.id: PhraseMatcher.of_list(pl, self._follows_trade)
            for pl in catalogue.phrase_lists.values()
        }
        self._ownership: dict[frozenset[str], dict[str, Owned]] = {}
        # Trade files repeat their goods and wording: classify and split each text once.
        self._classified = lru_cache(maxsize=caches.TEXTS)(self._classify)
        self._words = lru_cache(maxsize=caches.TEXTS)(text_words)
        self._long_classified = lru_cache(maxsize=_LONG_TEXTS)(self._classify)
        self._long_words = lru_cache(maxsize=_LONG_TEXTS)(window_words)

    def match_party(self, cell: str, ids: str = "") -> tuple[PartyMatch, ...]:
        """The catalogue and list parties a party cell names, best first: by name, and by an
        identifier the cell (or the party's identifier cell, ``ids``) writes that equals a
        listed one."""
        matches = self.matcher.match(cell) if cell else ()
        written = f"{cell} {ids}" if ids else cell
        if self.identifiers and _DIGITS.search(written):
            return _with_identifiers(cell or ids, written, matches, self)
        return matches

    def ownership(self, tags: frozenset[str]) -> dict[str, Owned]:
        """Party id -> the stakes owners carrying ``tags`` hold in it, through chains."""
        if tags not in self._ownership:
            self._ownership[tags] = owned_share(self.catalogue, tags)
        return self._ownership[tags]

    def words(self, text: str) -> tuple[str, ...]:
        """The words of a text that the phrase and keyword matchers search (a long text's
        windows: engine.reading.phrases.examined_words), each distinct text split once."""
        if len(text) <= EXAMINED_LENGTH:
            return self._words(text)
        return self._window_words(*examined_windows(text))

    def _window_words(self, head: str, tail: str) -> tuple[str, ...]:
        return self._long_words(head, tail) if tail else self._words(head)

    def classify(self, record: Record) -> tuple[GoodsFinding, ...]:
        """The goods categories a shipment's HS codes and description place it in."""
        return self.classify_text(record.text("hs_code"), record.text("description"))

    def classify_text(self, hs_code: str, description: str) -> tuple[GoodsFinding, ...]:
        """The goods categories an HS code cell and a description place goods in."""
        return self._goods(hs_code, description)[0]

    def goods_notes(self, hs_code: str, description: str) -> tuple[str, ...]:
        """Where a readable HS code and the description's words disagree about the goods: the
        words name a category the code is not in ("HS 6506.10 ... described as 'ballistic
        helmets'")."""
        return self._goods(hs_code, description)[1]

    def _goods(
        self, hs_code: str, description: str
    ) -> tuple[tuple[GoodsFinding, ...], tuple[str, ...]]:
        if len(description) <= EXAMINED_LENGTH:
            return self._classified(hs_code, description, "")
        return self._long_classified(hs_code, *examined_windows(description))

    def _classify(
        self, hs_code: str, head: str, tail: str
    ) -> tuple[tuple[GoodsFinding, ...], tuple[str, ...]]:
        """The goods categories an HS code cell and a description's searched windows place goods
        in, and the notes on where the code and the words disagree."""
        found: list[GoodsFinding] = []
        notes: list[str] = []
        noted: set[str] = set()
        seen: set[str] = set()
        # Without a code cell, a code the description names as one ("HS code 8542.31").
        codes = parse_hs(hs_code)[0] if hs_code else hs_in_text(head)
        for code in codes:
            digits = code.digits
            prefixes = [digits[:length] for length in range(2, len(digits) + 1, 2)]
            # A heading whose one subheading is ".00" (HS writes .00 only for a heading not
            # subdivided) is that subheading: "8534" is 8534.00.
            if len(digits) == 4:
                prefixes.append(digits + "00")
            for prefix in prefixes:
                for category in self.hs_prefixes.get(prefix, ()):
                    if category.id not in seen:
                        seen.add(category.id)
                        found.append(GoodsFinding(category, code=code, prefix=prefix))
        if head or tail:
            words = self._window_words(head, tail)
            declared = ", ".join(f"HS {c}" for c in codes)
            said: dict[str, tuple[int, int]] = {}  # keyword or exclusion -> its first match
            for start, end, written in self.goods_words.all_matches(words):
                first = said.get(written)
                if first is None or (start, start - end) < (first[0], first[0] - first[1]):
                    said[written] = (start, end)
            for category in self.keyword_categories if said else ():
                cid = category.id
                if cid in seen or any(x in said for x in category.exclude):
                    continue
                hits = sorted(
                    (said[k][0], said[k][0] - said[k][1], k) for k in category.keywords if k in said
                )
                if not hits:
                    continue
                start, negative_length, keyword = hits[0]
                end = start - negative_length
                matched = " ".join(words[start:end])
                # Words that name a sibling of the code's subheading (generic "integrated
                # circuits" for HS 8542.31) agree with it: only another heading is a disagreement.
                headings = {c.digits[:4] for c in codes}
                if (
                    codes
                    and not any(h[:4] in headings for h in category.hs)
                    and matched not in noted
                ):
                    noted.add(matched)  # one note for words that name several categories
                    notes.append(_disagreement(declared, category, matched))
                # A readable HS code decides a category that has codes; words decide only where
                # it cannot, and always for the categories only words tell (body armour).
                if category.hs and codes:
                    continue
                seen.add(cid)
                found.append(
                    GoodsFinding(category, keyword=keyword, words=matched, at=(start, end))
                )
        return tuple(found), tuple(notes)


def _trade_followers(catalogue: Catalogue) -> frozenset[str]:
    """The words that may follow a firm's trade word in its name: the words of legal forms,
    generic, place and stop words of the names catalogue."""
    words = catalogue.name_words
    texts = [f for form in words.legal_forms for f in form.forms]
    texts += [*words.generic, *words.places, *words.stopwords]
    return frozenset(w for text in texts for w in text_words(text))


def _disagreement(declared: str, category: GoodsCategory, matched: str) -> str:
    if category.hs:
        codes = ", ".join(_dotted(h) for h in category.hs)
        return (
            f"the description says '{clip(matched, 80)}' ({category.title}, HS {codes}) but "
            f"the goods are declared as {declared}: classified by the code"
        )
    return (
        f"the goods are declared as {declared} but the description says "
        f"'{clip(matched, 80)}' ({category.title}, known by its description only): "
        "classified by the description"
    )


def _dotted(prefix: str) -> str:
    return prefix if len(prefix) <= 4 else f"{prefix[:4]}.{prefix[4:]}"


# An identifier as compared: its letters and digits, upper case ("HRB 123456" -> "HRB123456").
_NOT_ID = re.compile(r"[^0-9A-Z]")
_DIGITS = re.compile(r"\d(?:[\s./-]?\d){4}")  # five digits, perhaps with separators
_ID_PIECES = re.compile(r"[^\s,;:()\[\]№#=]+")


def _id_key(value: str) -> str:
    return _NOT_ID.sub("", value.upper())


def _identifier_index(catalogue: Catalogue) -> dict[str, list[tuple[str, str]]]:
    """A listed identifier (INN, OGRN, USCC, LEI, IMO, tax or registration number) -> the
    parties listed with it and its kind.  Values with fewer than five digits are left out: too
    short to name one party."""
    index: dict[str, list[tuple[str, str]]] = {}
    for pid, party in catalogue.parties.items():
        for kind, value in party.identifiers.items():
            key = _id_key(value)
            if kind != "opensanctions" and sum(c.isdigit() for c in key) >= 5:
                index.setdefault(key, []).append((pid, kind))
    return index


def _with_identifiers(
    cell: str, written: str, matches: tuple[PartyMatch, ...], knowledge: Knowledge
) -> tuple[PartyMatch, ...]:
    """The name matches of a party cell, with the listed parties whose identifier the cell
    writes (``Volgatek, INN 7701234567``): an identifier equal to a listed one is a match on its
    own, whatever the name says."""
    pieces = [_id_key(p) for p in _ID_PIECES.findall(written)]
    # A number may be written in groups ("77 0123 4567"): up to four pieces in a row are joined.
    keys = {"".join(pieces[i : i + n]) for n in range(1, 5) for i in range(len(pieces) - n + 1)}
    found = {pid: kind for key in keys for pid, kind in knowledge.identifiers.get(key, ())}
    if not found:
        return matches
    best = {m.party_id: m for m in matches}
    parties = knowledge.catalogue.parties
    for pid, kind in found.items():
        party = parties[pid]
        value = party.identifiers[kind]
        best[pid] = PartyMatch(
            query=cell,
            party_id=pid,
            entry_name=party.name,
            matched_name=f"{kind} {value} (identifier)",
            dataset=party.dataset,
            similarity=1.0,
            pairs=(),
            unmatched_query=(),
            unmatched_candidate=(),
            query_legal_forms=(),
            candidate_legal_forms=(),
            identifiers=((kind, value),),
        )
    return tuple(sorted(best.values(), key=lambda m: (-m.similarity, m.party_id)))


class Facts:
    """What one shipment shows, computed on first use.

    With ``clear`` (the default) matches that the allow-list clears are set aside in ``cleared``;
    without it they count like any other, to tell which hits the clearances suppress.
    """

    def __init__(self, record: Record, knowledge: Knowledge, *, clear: bool = True) -> None:
        self.record = record
        self.knowledge = knowledge
        self.clear = clear
        self.cleared: list[tuple[str, PartyMatch, Clearance]] = []
        self._matches: dict[str, tuple[PartyMatch, ...]] = {}

    def party_matches(self, role: str) -> tuple[PartyMatch, ...]:
        """Catalogue parties that the party in ``role`` resembles, best first."""
        if role not in self._matches:
            name = self.record.text(role)
            ids = self.record.text(f"{role}_id")
            matches = self.knowledge.match_party(name, ids) if name or ids else ()
            clearances = self.knowledge.clearances
            if matches and clearances and self.clear:
                key = self.knowledge.normaliser.key(name).text
                kept = []
                for match in matches:
                    clearance = clearances.get((key, match.party_id))
                    if clearance is None:
                        kept.append(match)
                    else:
                        self.cleared.append((role, match, clearance))
                matches = tuple(kept)
            self._matches[role] = matches
        return self._matches[role]

    def words(self, name: str) -> tuple[str, ...]:
        """The lower-case words of a text field (each distinct text split once)."""
        return self.knowledge.words(self.record.text(name))

    @cached_property
    def goods(self) -> tuple[GoodsFinding, ...]:
        """The goods categories the shipment falls in."""
        return self.knowledge.classify(self.record)

    def roles_present(self) -> tuple[str, ...]:
        """The party roles the shipment fills."""
        return tuple(r for r in PARTY_ROLES if self.record.text(r))
