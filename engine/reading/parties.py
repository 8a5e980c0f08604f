"""What a party cell holds besides a name: several parties, role wording, offices, addresses.

Trade documents write more than a name in a party's cell: ``Sigma Trade LLC / JSC Tactical
Missiles Corporation``, ``Alfa Ltd c/o Beta OOO``, ``Moscow branch of Rostec``,
``Rostec, 12 Tverskaya St, Moscow 125009, INN 7701234567``.  :func:`read_party_cell` reads such a
cell into the parties it names, each with the words set aside from it and why (role wording, an
office, an address, a phone number, an identifier), so that each party is screened as a name of
its own and the evidence says what was left out.

The reading is for any cell, not for a list of examples: parties are split at list marks (``1)``,
``2.``), at ``;``, ``|``, line breaks and a slash between spaces, at ``&``/``and``/``и`` where a
legal form closes the first name or opens the second (``Smith & Sons`` stays one firm), and at
role wording, where both sides are parties (``c/o``, ``on behalf of``, ``trading as``...).  An
office of a firm (``branch``, ``филиал``, ``представительство`` in any case ending) is that firm;
a subsidiary is not, and what follows ``subsidiary of`` is left out (it is matched through
ownership, if the lists say so).  After the name, a comma opens a segment that is set aside when
it reads as an address (a street word, a number, a postcode, a PO box); identifiers (``INN``,
``OGRN``, ``VAT``...), phone numbers, e-mail and web addresses are set aside wherever they stand,
the identifiers kept as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: Why words were set aside from a party's name.
ROLE = "role wording"
OFFICE = "office wording"
ADDRESS = "address"
IDENTIFIER = "identifier"
CONTACT = "contact"
SUBSIDIARY = "a subsidiary is a party of its own"
NUMBERING = "list numbering"
HONORIFIC = "title or honorific"


@dataclass(frozen=True, slots=True)
class CellPart:
    """One party a cell names: the name to screen, and what was set aside from the cell for it."""

    name: str
    set_aside: tuple[tuple[str, str], ...] = ()  # (text, reason)
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value), e.g. ("INN", "7701234567")
    # Cut from a longer text at an "and" with no legal form at the cut: the "and" may be the
    # name's own ("Scientific and Technical Company ...").
    unsure: bool = False


# Words of a text (see read_party_cell): of a legal form opening it, closing it, and in all.
FormWords = Callable[[str], tuple[int, int, int]]

# A cell needs reading only if it holds one of these characters or words; most cells are a name
# and nothing more.  (Words with a slash, "c/o", "t/a", "d/b/a", are found by their slash.)
_HINT_CHARS = re.compile(r"[;|/\n\r&,+@\d]|[а-яё]{2}", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")
# A title before a person's name, or "Messrs."/"M/s." before a firm's, as letters and invoices
# write them; set aside when a name follows.
_TITLES = (
    "mr", "mrs", "ms", "miss", "mx", "mister", "messrs", "m/s", "dr", "prof", "sir", "dame",
    "madam", "mme", "mlle", "herr", "frau", "sr", "sra", "srta", "sheik", "sheikh", "shaikh",
    "sheikha", "haji", "hajji", "господин", "госпожа", "г-н", "г-жа", "гн", "пан", "пані",
)  # fmt: skip
_HINT_WORDS = frozenset({
    "care", "order", "behalf", "agent", "agents", "account", "via", "through", "doing",
    "formerly", "fka", "aka", "also", "acting", "favour", "favor", "attn", "attention", "branch",
    "office", "offices", "rep", "liaison", "subsidiary", "and", "tel", "phone", "fax", "box",
    "inn", "ogrn", "kpp", "vat", "tin", "reg", "uen", "eori", "okpo", "dba",
    # (a title with a slash, "m/s", is found by its slash; "г-н" by its letters)
    *(w for title in _TITLES if "/" not in title for w in _NON_WORD.split(title) if w),
})  # fmt: skip
_DOTTED_AKA = re.compile(r"\ba\.\s*k\.\s*a\b", re.IGNORECASE)


def _needs_reading(text: str) -> bool:
    """Whether a cell may hold more than one name (see _HINT_CHARS and _HINT_WORDS)."""
    if _HINT_CHARS.search(text):
        return True
    words = set(_NON_WORD.split(text.lower()))
    if words & _HINT_WORDS or ("trading" in words and "as" in words):
        return True
    return "." in text and _DOTTED_AKA.search(text) is not None


_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")

# Identifiers: a scheme word, then a value with at least five digits.
_ID_SCHEMES = (
    r"INN|ИНН|KPP|КПП|OGRNIP|ОГРНИП|OGRN|ОГРН|OKPO|ОКПО|BIN|БИН|IIN|ИИН|UNP|УНП|EDRPOU|ЄДРПОУ"
    r"|ЕГРПОУ|TIN|VAT(?:\s*(?:No|Reg(?:istration)?\s*No)\.?)?|Tax\s*(?:ID|No|Code)|TRN|USCC|UEN"
    r"|EORI|CR\s*No|Reg(?:istration)?\.?\s*(?:No|Number|Code)|Company\s*No|ABN|CNPJ|NIP|REGON"
    r"|KVK|LEI|GST(?:IN)?|PAN|IMO"
)
# A scheme, or two sharing their values ("ИНН/КПП 7704123456/770401001"), then the value:
# digits, and letters among them (a Chinese unified social credit code: 91440300MA5DC2KX4R);
# five digits at least (checked when it is read).
_IDENTIFIER = re.compile(
    rf"(?<![\w])((?:{_ID_SCHEMES})(?:\s*/\s*(?:{_ID_SCHEMES}))?)(?![\w])\s*[:.#№=/-]?\s*"
    r"(?:No\.?|№)?\s*([A-Z]{0,3}\d(?:[A-Z\d./-]|\s(?=\d))*[\dA-Z])",
    re.IGNORECASE,
)
_CONTACT_WORD = r"(?:tel|phone|ph|fax|mob|mobile|тел|факс|моб)\.?"
_CONTACT = re.compile(
    rf"(?:(?<![\w]){_CONTACT_WORD}(?:\s*[/,&]\s*{_CONTACT_WORD})*\s*[:.]?\s*)?"
    r"\+?\(?\d[\d\s()./-]{7,}\d"
    r"|(?:(?<![\w])(?:e-?mail|mail|эл\.?\s*почта|почта|web(?:site)?|site|сайт|url)\s*[:.]?\s*)?"
    r"(?:[\w.+-]+@[\w-]+\.[\w.-]+|(?:https?://|www\.)\S+)",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"(?<![\w])(?:P\.?\s*O\.?\s*Box|Post\s*(?:Office\s*)?Box|Postfach|а/я|абонентский\s+ящик)"
    r"\s*[:.#№]?\s*\d+",
    re.IGNORECASE,
)

# Marks that start a numbered list of parties: "1) A 2) B", "(1) A (2) B", "1. A 2. B".
_NUMBERED = re.compile(r"(?:^|(?<=\s))(?:\(\d{1,2}\)|\d{1,2}\)|\d{1,2}\.(?=\s))\s*")
# Separators between parties: line breaks, ";" and "|" anywhere; "/" between spaces, or between
# two words of two letters or more that are not role abbreviations (c/o, t/a, d/b/a, а/я).
_PARTY_SEPARATOR = re.compile(r"\s*(?:[\n\r;|]+|\s/\s|\s//\s)\s*")
_SLASH = re.compile(r"(?<=[^\W\d_]{3})/(?=[^\W\d_]{3})")
# "A & B", "A and B", "A и B": split only where a legal form closes A or opens B.
#: The words and signs for "and" that a cell may be cut at.
AND_WORDS = r"&|\+|and|и|und|et"
_AND = re.compile(rf"\s+(?:{AND_WORDS})\s+", re.IGNORECASE)

# Role wording: the words between two parties, or before one.  Longest first.
_ROLE_PHRASES = (
    r"to\s+the\s+order\s+of|to\s+order\s+of|by\s+order\s+of|on\s+behalf\s+of|in\s+favou?r\s+of"
    r"|for\s+(?:the\s+)?account\s+of|as\s+agents?\s+for|acting\s+(?:for|as\s+agent\s+for)"
    r"|agent\s+for|care\s+of|doing\s+business\s+as|trading\s+as|also\s+known\s+as"
    r"|formerly\s+known\s+as|formerly|previously|f/k/a|fka|a\.k\.a\.?|aka|d/b/a|dba|t/a"
    r"|c/o|o/b/o|f/a/o|attn\.?|attention|via|through"
    r"|по\s+поручению|от\s+имени|в\s+интересах|по\s+заказу|через|ранее|бывш\.?|он\s+же"
)
_ROLE = re.compile(rf"(?:^|(?<=[\s,(]))(?:{_ROLE_PHRASES})(?=[\s:,)]|$)[\s:,]*", re.IGNORECASE)

# An office of a firm: the office words, with "of", "in" and a place name around them.
_OFFICE_WORDS = (
    r"representative\s+office|rep\.?\s+office|liaison\s+office|regional\s+office|branch\s+office"
    r"|head\s+office|sales\s+office|branch|филиал\w*|представительств\w*|обособленн\w*\s+"
    r"подразделени\w*|отделени\w*"
)
_OFFICE = re.compile(
    rf"(?:^|(?<=[\s,(«\"]))(?:{_OFFICE_WORDS})(?=[\s,)»\"]|$)(?:\s+(?:of|in|at|в|г\.?)(?![^\W\d_]))*",
    re.IGNORECASE,
)
_OFFICE_PLACE = re.compile(
    r"\s(?:в|во|in|at)\s+(?:г\.?\s*|city\s+of\s+)?[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)?\s*$",
    re.IGNORECASE,
)
_ENDS_IN = re.compile(r"(?:^|\s)(?:в|во|in|at|г\.?)$", re.IGNORECASE)
_PLACE_AFTER = re.compile(r"\s*(?:г\.\s*|city\s+of\s+)?[^\W\d_][\w-]*(?:\s+of\b)?", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"\([\s,;]*\)|\[[\s,;]*\]")
_SUBSIDIARY = re.compile(
    r"(?:^|(?<=[\s,(]))(?:an?\s+)?(?:(?:wholly[\s-]owned\s+)?subsidiary|affiliate|дочерн\w*\s+"
    r"(?:компани\w*|обществ\w*|предприяти\w*))\s+(?:of|company\s+of)?\s*.*$",
    re.IGNORECASE | re.DOTALL,
)
# Words that make a comma segment an address (a segment with a digit is one too).
_STREET = re.compile(
    r"(?<![\w])(?:st|str|street|strasse|straße|ul|ulitsa|ulica|ул|улица|пр-т|prospekt|проспект"
    r"|pr-t|ave|avenue|road|rd|blvd|boulevard|lane|highway|hwy|pereulok|переулок|пер|shosse"
    r"|шоссе|naberezhnaya|наб|набережная|ploshchad|площадь|building|bldg|bld|stroenie|строение"
    r"|стр|korpus|корпус|корп|дом|suite|floor|этаж|room|kv|кв|mkr|микрорайон|industrial\s+zone"
    r"|free\s+zone|oblast|область|obl|обл|район|rayon|krai|край|г|gorod|город|пос|posyolok"
    r"|office|unit|flat|apt|apartment|block|blk|plot|shop|warehouse|villa|tower|level|офис"
    r"|cad|caddesi|cd|sok|sokak|sk|mah|mahallesi|bulvari|calle|avenida|rua|rue|jalan|jl|вул"
    r"|оф|кабинет|помещение|пом)"
    r"(?![\w])",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\w])(?:\d{4,6}|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})(?![\w])")


_HONORIFIC = re.compile(
    rf"^(?:{'|'.join(map(re.escape, _TITLES))})(?![\w/])\.?\s+(?=\S)", re.IGNORECASE
)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip(" ,;:-–—/|")


def read_party_cell(
    cell: str,
    *,
    is_place: Callable[[str], bool] = lambda _: False,
    form_words: FormWords = lambda text: (0, 0, len(text.split())),
) -> tuple[CellPart, ...]:
    """The parties a cell names, each with what was set aside for it; ``(CellPart(cell),)`` for
    a cell that holds one name and nothing more.

    ``is_place(segment)`` tells whether a comma segment is only a place (a city, a country);
    ``form_words(text)`` counts the words of a text: those of a legal form opening it, of one
    closing it, and all of them (so ``A & B`` can be read as two firms).
    """
    text = cell.strip()
    if not text or not _needs_reading(text):
        return (CellPart(text),)
    set_aside: list[tuple[str, str]] = []
    identifiers: list[tuple[str, str]] = []

    def take(pattern: re.Pattern[str], reason: str, value: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            if reason == IDENTIFIER:
                read = _identifiers(match.group(1), match.group(2))
                if not read:
                    return match.group(0)
                identifiers.extend(read)
            set_aside.append((_clean(match.group(0)), reason))
            return value

        return replace

    text = _IDENTIFIER.sub(take(_IDENTIFIER, IDENTIFIER, ", "), text)
    text = _PO_BOX.sub(take(_PO_BOX, ADDRESS, ", "), text)
    text = _CONTACT.sub(take(_CONTACT, CONTACT, ", "), text)
    text = _SUBSIDIARY.sub(take(_SUBSIDIARY, SUBSIDIARY, ""), text)
    text = _EMPTY_BRACKETS.sub(", ", text)
    pieces = _split_parties(text, set_aside, form_words)
    parts: list[CellPart] = []
    for piece, unsure in pieces:
        for name, aside in _read_piece(piece, is_place, form_words):
            if name and not any(p.name == name for p in parts):
                parts.append(CellPart(name, tuple(set_aside + aside), tuple(identifiers), unsure))
    if not parts:
        return (CellPart(cell.strip(), tuple(set_aside), tuple(identifiers)),)
    return tuple(parts)


def _identifiers(schemes: str, value: str) -> list[tuple[str, str]]:
    """(scheme, value) for each scheme of an identifier, its value's separators dropped; a pair
    of schemes takes a pair of values ("ИНН/КПП 7704123456/770401001"); none if a value has
    fewer than five digits."""
    names = [_SPACE.sub(" ", n.strip()).upper() for n in schemes.split("/")]
    values = value.split("/") if len(names) == 2 and value.count("/") == 1 else [value]
    if len(values) != len(names):
        names = [" / ".join(names)] if len(names) > 1 else names
        values = [value]
    out = []
    for name, raw in zip(names, values, strict=True):
        clean = re.sub(r"[\s./-]", "", raw).upper()
        if sum(ch.isdigit() for ch in clean) < 5:
            return []
        out.append((name, clean))
    return out


def _split_parties(
    text: str, set_aside: list[tuple[str, str]], form_words: FormWords
) -> list[tuple[str, bool]]:
    """The cell's text cut into the parties it lists, each with whether it was cut at an "and"
    that may be a name's own."""
    if _NUMBERED.search(text):
        marks = _NUMBERED.findall(text)
        if len(marks) >= 2 or text.lstrip().startswith(marks[0].strip()):
            set_aside.extend((m.strip(), NUMBERING) for m in marks)
            text = _NUMBERED.sub("\n", text)
    text = _SLASH.sub(" / ", text)
    pieces = [p for p in _PARTY_SEPARATOR.split(text) if _clean(p)]
    out: list[tuple[str, bool]] = []
    for piece in pieces:
        out.extend(_split_and(piece, form_words))
    return out


def _split_and(piece: str, form_words: FormWords) -> list[tuple[str, bool]]:
    """``A & B`` (and, +, и, und, et) as two parties where each side reads as a firm of its own,
    else as one (``Smith & Sons Ltd``).  A cut where a legal form closes or opens a side is
    sure; another may fall inside a name that holds "and" (``Alfa Trade & Beta Systems Ltd``
    can be one firm), so the parts on either side of such a cut are given joined too (every run of
    parts without a sure cut in it, for up to four cuts), and a part with an unsure cut at either
    end is marked so.  An "and" inside a legal form (``GmbH & Co. KG``) is no cut."""
    found = list(_AND.finditer(piece))
    if not found:
        return [(piece, False)]
    spans: list[tuple[int, int]] = []  # (start, end) of the parts between cuts
    sure: list[bool] = []  # of each cut, after spans[k]
    start = 0
    for match in found:
        before, after = piece[start : match.start()], piece[match.end() :]
        left, right = form_words(before), form_words(after)
        if left[1] and _form_across(before, after, left[1], form_words):
            continue
        if left[1] or right[0]:
            sure.append(True)
        elif not _two_firms(left, right):
            continue
        else:
            sure.append(False)
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(piece)))
    if len(spans) == 1:
        return [(piece, False)]
    cut = [True, *sure, True]  # whether each edge of the parts is sure (the piece's own are)
    if len(spans) > 5:
        return [(piece[a:b], not (cut[k] and cut[k + 1])) for k, (a, b) in enumerate(spans)]
    out = []
    for i in range(len(spans)):
        for j in range(i, len(spans)):
            if j > i and sure[j - 1]:
                break
            out.append((piece[spans[i][0] : spans[j][1]], not (cut[i] and cut[j + 1])))
    return out


def _form_across(before: str, after: str, closing: int, form_words: FormWords) -> bool:
    """Whether the legal form closing ``before`` (of ``closing`` words) goes on across the "and"
    into ``after`` (``Ozean GmbH`` & ``Co. KG``: the form is "GmbH & Co. KG")."""
    tail = " ".join(_WORDS.findall(before)[-closing:])
    head = _WORDS.findall(after)
    for k in (1, 2):
        if len(head) >= k and form_words(f"{tail} {' '.join(head[:k])} x")[0] >= closing + k:
            return True
    return False


def _two_firms(left: tuple[int, int, int], right: tuple[int, int, int]) -> bool:
    """Whether the sides of an "and" with no legal form at the cut name a firm each, from their
    form_words counts: a side is a whole firm's name of two words or more with its form on the
    outer edge (``Sercuba & Steppe Forwarding TOO``).  Two sides without forms are one name:
    a part cut from a longer name drops the words that set it apart from a listed one."""
    l_lead, _, l_all = left
    _, r_trail, r_all = right
    return bool((r_trail and r_all - r_trail >= 2) or (l_lead and l_all - l_lead >= 2))


def _read_piece(
    piece: str, is_place: Callable[[str], bool], form_words: FormWords
) -> list[tuple[str, list[tuple[str, str]]]]:
    """One party's text as the names it holds (both sides of role wording), each with what was
    set aside from it."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    roles = list(_ROLE.finditer(piece))
    spans: list[str] = []
    aside: list[tuple[str, str]] = []
    start = 0
    for match in roles:
        spans.append(piece[start : match.start()])
        aside.append((_clean(match.group(0)), ROLE))
        start = match.end()
    spans.append(piece[start:])
    for span in spans:
        # role wording in brackets ("A (as agents for B)") leaves a bracket on each side
        if span.count("(") != span.count(")"):
            span = span.strip().removesuffix("(").removesuffix(")").removeprefix(")")
        name, more = _strip_office_and_address(span, is_place, form_words)
        if name:
            out.append((name, aside + more))
    return out


def _strip_office_and_address(
    span: str, is_place: Callable[[str], bool], form_words: FormWords
) -> tuple[str, list[tuple[str, str]]]:
    aside: list[tuple[str, str]] = []
    title = _HONORIFIC.match(span.lstrip())
    if title:
        aside.append((_clean(title.group(0)), HONORIFIC))
        span = span.lstrip()[title.end() :]
    offices = list(_OFFICE.finditer(span))
    if offices:
        # Where the office is, written before it: "Moscow branch of ...".
        before = _clean(span[: offices[0].start()])
        if before and is_place(before):
            aside.append((before, ADDRESS))
            span = " " * offices[0].start() + span[offices[0].start() :]
        for match in offices:
            aside.append((_clean(match.group(0)), OFFICE))
            # "филиал в г. Минске АО ...", "branch in Dubai of ...": the place after "in".
            if _ENDS_IN.search(match.group(0)):
                where = _PLACE_AFTER.match(span, match.end())
                rest = span[: match.start()] + span[where.end() :] if where else ""
                if where and _clean(rest):
                    aside.append((_clean(where.group(0)), ADDRESS))
                    span = span[: where.start()] + " " * len(where.group(0)) + span[where.end() :]
        span = _OFFICE.sub(" ", span)
        # Where the office is: "... в г. Минске", "... in Dubai" closing the name.
        where = _OFFICE_PLACE.search(span)
        if where:
            aside.append((_clean(where.group(0)), ADDRESS))
            span = span[: where.start()]
        span = _EMPTY_BRACKETS.sub(" ", span)
    segments = span.split(",")
    name = segments[0]
    for k, segment in enumerate(segments[1:], start=1):
        words = _clean(segment)
        if not words:
            continue
        # A district or street name before a place or address ("Al Quoz, Dubai") is part of the
        # address: a short segment without a legal form (which would make it another firm).
        after = _clean(segments[k + 1]) if k + 1 < len(segments) else ""
        district = (
            bool(after)
            and len(words.split()) <= 3
            and (_is_address(after) or is_place(after))
            and not form_words(words)[1]
        )
        if district or _is_address(words) or is_place(words):
            rest = _clean(",".join(segments[k:]))
            if rest:
                aside.append((rest, ADDRESS))
            break
        name += "," + segment
    name = _clean(name)
    head, tail = _address_tail(name)
    if tail:
        aside.append((tail, ADDRESS))
        name = head
    return name, aside


def _is_address(segment: str) -> bool:
    """Whether a comma segment reads as part of an address (a street word, a house number, a
    postcode)."""
    return bool(_STREET.search(segment) or _POSTCODE.search(segment) or segment[:1].isdigit())


# Where an address written after a name without a comma starts: a house number before a
# street ("12 Tverskaya St"); a premises word and its number ("Office 401", "Bldg 2", "д. 5");
# a street word before its name and a number ("ul. Lenina 7"); a street name, its street word
# and a number ("Halaskargazi Cad. No 40", "Nathan Road 88").  A dash may stand before it.
_TAIL_STARTS = (
    re.compile(r"\s(?:[-–—]\s+)?\d{1,5}[a-zA-Z]?\s+\S+.*$", re.DOTALL),
    re.compile(
        r"\s(?:[-–—]\s+)?(?:office|room|unit|suite|flat|apt|apartment|bldg|building|block|blk"
        r"|warehouse|floor|level|shop|plot|villa|house|д|дом|офис|оф|кв|стр|строение|корп|корпус"
        r"|пом|помещение)\.?\s*(?:no\.?\s*|№\s*)?\d.*$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(
        r"\s(?:[-–—]\s+)?(?:ul|ulitsa|ул|улица|вул|vul|street|st|str|prospekt|проспект|пр-т|calle"
        r"|avenida|av|rua|rue|jalan|jl)\.?\s+\S+.*\d.*$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(
        r"\s(?:[-–—]\s+)?[^\W\d_][\w-]*\s+(?:street|st|road|rd|avenue|ave|lane|blvd|boulevard"
        r"|prospekt|cad|caddesi|cd|sok|sokak|sk|mah|mahallesi|bulvari|blv|strasse|straße|str)\.?"
        r",?\s*(?:no\.?\s*|№\s*)?\d.*$",
        re.IGNORECASE | re.DOTALL,
    ),
)


def _street_after_number(text: str) -> bool:
    """Whether a street word follows the house number ``text`` starts with, within four words:
    right after it (``24 Bldg 3``), or later if it is not a premises word with a number of its
    own, which starts the address itself (``Damour 850 SAL Bldg 2`` is "Damour 850 SAL" at
    building 2)."""
    head = " ".join(text.split()[:5])
    street = _STREET.search(head)
    if street is None:
        return False
    if " " not in head[: street.start()].strip():  # right after the number: "24 Bldg 3"
        return True
    return not re.match(r"\.?\s*(?:no\.?\s*|№\s*)?\d", head[street.end() :], re.IGNORECASE)


def _address_tail(name: str) -> tuple[str, str]:
    """A name with an address written after it without a comma (``Rostec 12 Tverskaya St``,
    ``Rostec Office 401``): the name, and the address (empty if there is none); the earliest
    start of an address counts, and a name is never left empty."""
    best: re.Match[str] | None = None
    for k, pattern in enumerate(_TAIL_STARTS):
        match = pattern.search(name)
        if match is None or not _clean(name[: match.start()]):
            continue
        if k == 0 and not _street_after_number(match.group(0)):
            continue
        if best is None or match.start() < best.start():
            best = match
    if best is None:
        return name, ""
    return _clean(name[: best.start()]), _clean(best.group(0))
