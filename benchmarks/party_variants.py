"""Party cells as trade documents and diverters write them, built from real list names, and
look-alike decoys: the variant kinds of the party-matching benchmark (match_speed.py).

Each kind takes one listed name and returns a cell that still names that party, or None when
the kind does not apply to the name (an abbreviation needs a word it abbreviates). The wording
lists here are the benchmark's own, written apart from engine.testing's, so that the benchmark
does not merely replay what the tests already check.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from engine.catalogue.entities import Party

Kind = Callable[[str, random.Random], "str | None"]

_OTHERS = [
    "Orion Cargo Services LLC",
    "Kestrel Freight FZE",
    "Tianhe Supply Chain Co., Ltd",
    "Anadolu Lojistik A.S.",
    "Steppe Forwarding TOO",
    "Caspian Shipping Agency",
    "ООО «Вектор Логистик»",
    "Bremer Spedition GmbH",
]

# Several parties in one cell: how they are separated.
_LISTS = [
    "{a} / {b}",
    "{a}; {b}",
    "{a} | {b}",
    "{a}\n{b}",
    "1) {a} 2) {b}",
    "1. {a}, 2. {b}",
    "{a} and {b}",
    "{a} & {b}",
    "{a} + {b}",
]

# Role wording; {n} is the listed party, {o} another party of the cell.
_ROLES = [
    "{o} c/o {n}",
    "{n} c/o {o}",
    "{o}, care of {n}",
    "to the order of {n}",
    "To Order of {n}",
    "{o} on behalf of {n}",
    "{o} acting on behalf of {n}",
    "{o} as agent for {n}",
    "{o} (as agents for {n})",
    "for account of {n}",
    "{o} for the account of {n}",
    "{n} via {o}",
    "{o} t/a {n}",
    "{n} trading as {o}",
    "{o} d/b/a {n}",
    "{n} (formerly {o})",
    "{o} formerly known as {n}",
    "{o} a.k.a. {n}",
    "{o} aka {n}",
]

_OFFICES = [
    "{n} Dubai Branch",
    "{n} - Almaty Branch",
    "Branch of {n} in Tashkent",
    "{n}, Yerevan branch office",
    "{n} Representative Office in Kazakhstan",
    "Representative office of {n} (Beijing)",
    "{n} Liaison Office, Istanbul",
    "Филиал {n} в г. Екатеринбург",
    "Представительство {n} в Республике Казахстан",
    "{n} (Shenzhen Rep. Office)",
]

_ADDRESSES = [
    "Bldg 2, 15 Leninsky Prospekt, Moscow, 119071, Russia",
    "Unit 1203, 12/F, 88 Nathan Road, Kowloon, Hong Kong",
    "P.O. Box 54321, Jebel Ali Free Zone, Dubai, UAE",
    "Halaskargazi Cad. No 40, Sisli, Istanbul 34394, Turkey",
    "д. 5, ул. Профсоюзная, Москва 117997",
    "10 Abay Ave, Almaty 050000, Kazakhstan",
    "Office 401, 3 Amir Temur St, Tashkent 100000",
    "Room 805, Block B, Futian District, Shenzhen 518000, China",
    "ul. Krasnaya 12, Krasnodar, 350000",
    "Warehouse 7, Sharjah Airport International Free Zone",
]

_IDENTIFIERS = [
    "INN 7709876543",
    "ИНН/КПП 7704123456/770401001",
    "OGRN 1157746123456",
    "ОГРН 1027700132195",
    "TIN: 302456789",
    "Tax ID 91440300MA5DC2KX4R",
    "Reg. No. 2014/123456/07",
    "Tel: +971 4 123 4567",
    "tel./fax +7 (495) 777-12-34",
    "e-mail: sales@example.com",
]

# Legal forms as people write them (misspelt, abbreviated, in the other script).
_FORMS = [
    "Ltd Liability Co.",
    "Limited Liabilty Company",
    "Limted Liability Company",
    "L.L.C.",
    "OOO",
    "ООО",
    "TOO",
    "ТОО",
    "OsOO",
    "AO",
    "АО",
    "PAO",
    "ПАО",
    "НАО",
    "Joint-Stock Co.",
    "Joint Stock Comapny",
    "Publicly Traded Company",
    "Co.,Ltd",
    "Co Limited",
    "FZCO",
    "FZ-LLC",
    "LLP",
    "Limited Liability Partnership",
    "Obshchestvo s Ogranichennoi Otvetstvennostiu",
    "Aktsionernoe Obshchestvo",
]

_FORM_WORDS = {
    "llc", "ltd", "limited", "liability", "company", "co", "jsc", "joint", "stock", "ooo", "oao",
    "ao", "pao", "zao", "open", "closed", "public", "private", "inc", "incorporated", "corp",
    "corporation", "gmbh", "fze", "fzco", "llp", "obshchestvo", "s", "ogranichennoy",
    "otvetstvennostyu", "aktsionernoe", "aktsionernoye", "otkrytoe", "zakrytoe", "publichnoe",
    "too", "plc", "sa", "bv", "ag", "pte", "pvt", "sdn", "bhd", "&",
}  # fmt: skip

# Trade contractions: a word of the name and how invoices shorten it.
_CONTRACTIONS = {
    "trading": ["Trdg", "Trdg."],
    "international": ["Intl", "Int'l", "Intl."],
    "manufacturing": ["Mfg", "Mfg."],
    "technology": ["Tech.", "Tech"],
    "technologies": ["Techs", "Tech."],
    "industrial": ["Ind.", "Indl"],
    "industries": ["Ind.", "Inds"],
    "import": ["Imp", "Imp."],
    "export": ["Exp", "Exp."],
    "general": ["Gen.", "Genl"],
    "corporation": ["Corp.", "Corp"],
    "company": ["Co.", "Co"],
    "engineering": ["Eng.", "Engg"],
    "group": ["Grp"],
    "holding": ["Hldg"],
    "holdings": ["Hldgs"],
    "services": ["Svcs"],
    "systems": ["Sys."],
    "national": ["Natl"],
    "electronics": ["Elec."],
    "scientific": ["Sci."],
    "research": ["Res."],
    "institute": ["Inst."],
}
# Russian research and production bodies: the long form and the initialism, in both scripts.
_RUSSIAN_BODIES = [
    (r"nauchno[- ]proizvodstvennoe predpriyatie", ["NPP", "НПП"]),
    (r"nauchno[- ]proizvodstvennoe obedinenie", ["NPO", "НПО"]),
    (r"nauchno[- ]proizvodstvennaya firma", ["NPF", "НПФ"]),
    (r"opytno[- ]konstruktorskoe byuro", ["OKB", "ОКБ"]),
    (r"nauchno[- ]issledovatelskii institut", ["NII", "НИИ"]),
    (r"konstruktorskoe byuro", ["KB", "КБ"]),
    (r"gruppa kompanii", ["GK", "ГК"]),
    (r"\bnpp\b", ["Nauchno-Proizvodstvennoe Predpriyatie", "НПП"]),
    (r"\bnpo\b", ["Nauchno-Proizvodstvennoe Obedinenie", "НПО"]),
    (r"\bokb\b", ["Opytno-Konstruktorskoe Byuro", "ОКБ"]),
    (r"\bnii\b", ["Nauchno-Issledovatelskii Institut", "НИИ"]),
]

# Latin letters and the Cyrillic letters drawn the same, by case.
_UPPER_LOOKALIKES = dict(zip("ABCEHKMOPTXY", "АВСЕНКМОРТХУ", strict=True))
_LOWER_LOOKALIKES = dict(zip("aceopxy", "асеорху", strict=True))

# Ukrainian and Russian spellings of the same given name, and the usual transliterations: the
# Russian BGN/PCGN and passport (ICAO) romanisations, Ukraine's national romanisation of 2010
# (Cabinet of Ministers resolution 55: Oleksandr, Serhii, Volodymyr) and common English forms.
_GIVEN = [
    ["Aleksandr", "Alexander", "Alexandr", "Oleksandr", "Olexandr"],
    ["Aleksey", "Alexey", "Aleksei", "Alexei", "Oleksiy", "Oleksii"],
    ["Andrey", "Andrei", "Andriy", "Andrii"],
    ["Sergey", "Sergei", "Serhiy", "Serhii", "Sergiy"],
    ["Vladimir", "Volodymyr", "Wladimir"],
    ["Dmitry", "Dmitriy", "Dmitri", "Dmytro"],
    ["Nikolay", "Nikolai", "Mykola"],
    ["Yuriy", "Yury", "Yuri", "Iurii"],
    ["Yevgeniy", "Evgeny", "Evgeniy", "Yevhen", "Yevgeny"],
    ["Mikhail", "Mykhailo", "Michail"],
    ["Igor", "Ihor"],
    ["Oleg", "Oleh"],
    ["Viktor", "Victor"],
    ["Pavel", "Pavlo"],
    ["Grigory", "Grigoriy", "Hryhoriy"],
    ["Anatoly", "Anatoliy", "Anatolii"],
    ["Vasily", "Vasiliy", "Vasyl"],
    ["Konstantin", "Kostiantyn", "Constantin"],
    ["Maksim", "Maxim", "Maksym"],
    ["Ilya", "Ilia", "Illia"],
    ["Tatyana", "Tatiana", "Tetiana"],
    ["Natalya", "Natalia", "Nataliya"],
    ["Yelena", "Elena", "Olena"],
    ["Olga", "Olha"],
]
_GIVEN_OF = {v.casefold(): group for group in _GIVEN for v in group}


# Word stems of the Russian forms in Latin letters, however the list spells them.
_FORM_STEMS = re.compile(
    r"(obshchestv|ogranichenn|otvetstvenn|aktsioner|otkryt|zakryt|publichn|nepublichn)\w*$"
)
# Latin-American and Balkan forms written as several dotted words.
_DOTTED_FORMS = re.compile(
    r"\b(S\.?\s*(A|C)\.?\s+DE\s+C\.?\s*V\.?|S\.?\s*DE\s+R\.?\s*L\.?(\s+DE\s+C\.?\s*V\.?)?"
    r"|D\.?\s*O\.?\s*O\.?|S\.?\s*A\.?\s*S\.?|S\.?\s*R\.?\s*L\.?|S\.?\s*A\.?|S\.?\s*C\.?)(?=\s|$)",
    re.IGNORECASE,
)


def _is_form_word(word: str) -> bool:
    bare = word.casefold().strip(".")
    return bare in _FORM_WORDS or _FORM_STEMS.match(bare) is not None


def _form_split(name: str) -> tuple[list[str], list[str]]:
    """The name's words without its legal form, and the form's words: the form words opening
    and closing the name (a form word inside it, "EDBI STOCK BROKERAGE", is the name's)."""
    dotted = [m.group(0) for m in _DOTTED_FORMS.finditer(name)]
    words = _DOTTED_FORMS.sub(" ", name).replace(",", " ").split()
    start, end = 0, len(words)
    while start < end and _is_form_word(words[start]):
        start += 1
    while end > start and _is_form_word(words[end - 1]):
        end -= 1
    core = words[start:end]
    form = words[:start] + words[end:] + dotted
    return (core or words), form


def multi_party(name: str, rnd: random.Random) -> str:
    a, b = name, rnd.choice(_OTHERS)
    if rnd.random() < 0.5:
        a, b = b, a
    return rnd.choice(_LISTS).format(a=a, b=b)


def role(name: str, rnd: random.Random) -> str:
    return rnd.choice(_ROLES).format(n=name, o=rnd.choice(_OTHERS))


def office(name: str, rnd: random.Random) -> str:
    return rnd.choice(_OFFICES).format(n=name)


def address(name: str, rnd: random.Random) -> str:
    sep = rnd.choice([", ", " - ", "\n", " "])
    return f"{name}{sep}{rnd.choice(_ADDRESSES)}"


def identifier(name: str, rnd: random.Random) -> str:
    sep = rnd.choice([", ", " ", "; ", " (", "\n"])
    ident = rnd.choice(_IDENTIFIERS)
    return f"{name}{sep}{ident}{')' if sep == ' (' else ''}"


def legal_form(name: str, rnd: random.Random) -> str | None:
    core, form = _form_split(name)
    if not form and rnd.random() < 0.5:
        return None  # a form added to a name without one is the evasion kind's
    new = rnd.choice(_FORMS)
    body = " ".join(core)
    return f"{new} {body}" if rnd.random() < 0.4 else f"{body} {new}"


def abbreviation(name: str, rnd: random.Random) -> str | None:
    for pattern, shorts in rnd.sample(_RUSSIAN_BODIES, len(_RUSSIAN_BODIES)):
        if re.search(pattern, name, re.IGNORECASE):
            return re.sub(pattern, rnd.choice(shorts), name, count=1, flags=re.IGNORECASE)
    words = name.split()
    spots = [i for i, w in enumerate(words) if w.casefold().strip(",.") in _CONTRACTIONS]
    if not spots:
        return None
    for i in rnd.sample(spots, rnd.randint(1, len(spots))):
        tail = "," if words[i].endswith(",") else ""
        words[i] = rnd.choice(_CONTRACTIONS[words[i].casefold().strip(",.")]) + tail
    text = " ".join(words)
    if rnd.random() < 0.5:  # "Import Export" written "Imp & Exp" / "Imp.-Exp."
        text = re.sub(r"\bImp\.? Exp\b", rnd.choice(["Imp & Exp", "Imp.-Exp", "Impex"]), text)
    return text


def _person_parts(name: str) -> tuple[str, list[str]] | None:
    """A list's "SURNAME, Given Patronymic" as (surname, given names)."""
    if "," not in name:
        return None
    surname, _, given = name.partition(",")
    given_names = [g for g in given.split() if g.strip(".")]
    if not given_names or not surname.strip():
        return None
    return surname.strip(), given_names


def person(name: str, rnd: random.Random) -> str | None:
    parts = _person_parts(name)
    if parts is None:
        return None
    surname, given = parts
    first, middle = given[0], given[1:]
    group = _GIVEN_OF.get(first.casefold())
    if group and rnd.random() < 0.5:  # another spelling of the first name
        first = rnd.choice([g for g in group if g.casefold() != first.casefold()] or group)
    if middle and len(middle[0].strip(".")) > 1:
        how = rnd.choice(["drop", "initial", "keep"])
        if how == "drop":
            middle = []
        elif how == "initial":
            middle = [middle[0][0] + ".", *middle[1:]]
    style = rnd.randrange(5)
    surname_case = surname.upper() if rnd.random() < 0.5 else surname.title()
    given_text = " ".join([first, *middle])
    if style == 0:
        return f"{given_text} {surname_case}"
    if style == 1:
        return f"{surname_case} {given_text}"
    if style == 2:
        return f"{surname_case}, {given_text}"
    if style == 3:
        return (
            f"Mr. {given_text} {surname_case}"
            if rnd.random() < 0.5
            else f"{given_text} {surname_case}"
        )
    return (
        f"{first[0]}. {surname_case}"
        if not middle and len(surname) > 6
        else f"{given_text} {surname_case}"
    )


def lookalike_word(name: str, rnd: random.Random) -> str | None:
    """One whole word of a Latin name typed in Cyrillic letters drawn like its Latin ones."""
    words = name.split()
    if len(words) < 2:
        return None
    spots = [
        i
        for i, w in enumerate(words)
        if len(w.strip(".,")) >= 2
        and all(ch in _UPPER_LOOKALIKES or ch in _LOWER_LOOKALIKES for ch in w.strip(".,"))
    ]
    if not spots:
        return None
    i = rnd.choice(spots)
    words[i] = "".join(_UPPER_LOOKALIKES.get(ch, _LOWER_LOOKALIKES.get(ch, ch)) for ch in words[i])
    return " ".join(words)


def russian_quotes(name: str, rnd: random.Random) -> str | None:
    """A Russian form before the name in quotes: АО «...», ООО "...", ГК «...»."""
    core, form = _form_split(name)
    if not form:
        return None
    prefix = rnd.choice(["АО", "ООО", "ПАО", "ЗАО", "ГК", "AO", "OOO"])
    left, right = rnd.choice([("«", "»"), ('"', '"'), ("„", "“"), ("'", "'")])
    return f"{prefix} {left}{' '.join(core)}{right}"


def spacing(name: str, rnd: random.Random) -> str | None:
    """Two words of the name run together, or a long word split in two (pinyin, compounds)."""
    core, form = _form_split(name)
    if len(core) >= 2 and rnd.random() < 0.6:
        i = rnd.randrange(len(core) - 1)
        joint = rnd.choice(["", "-"])
        if len(core[i]) < 3 or len(core[i + 1]) < 3:
            return None
        core[i : i + 2] = [
            core[i] + joint + core[i + 1].lower() if joint == "" else core[i] + joint + core[i + 1]
        ]
    else:
        long = [i for i, w in enumerate(core) if len(w) >= 9 and w.isalpha()]
        if not long:
            return None
        i = rnd.choice(long)
        cut = rnd.randint(4, len(core[i]) - 4)
        core[i : i + 1] = [core[i][:cut], core[i][cut:]]
    return " ".join(core + form)


KINDS: dict[str, Kind] = {
    "multi_party": multi_party,
    "role": role,
    "office": office,
    "address": address,
    "identifier": identifier,
    "legal_form": legal_form,
    "abbreviation": abbreviation,
    "person": person,
    "lookalike_word": lookalike_word,
    "russian_quotes": russian_quotes,
    "spacing": spacing,
}


def _coined(rnd: random.Random) -> str:
    consonants = "bcdfgklmnprstvz"
    return "".join(
        rnd.choice(consonants) + rnd.choice("aeiou") for _ in range(rnd.randint(2, 3))
    ).capitalize()


_TRADE_WORDS = [
    "Logistics",
    "Marine",
    "Services",
    "Trading",
    "Textiles",
    "Foods",
    "Pharma",
    "Retail",
]


def decoy_added(name: str, rnd: random.Random) -> str:
    """The name with two distinctive words added: another firm."""
    a, b = _coined(rnd), _coined(rnd)
    return f"{a} {b} {name}" if rnd.random() < 0.5 else f"{name} {a} {b}"


def decoy_added_trade(name: str, rnd: random.Random) -> str | None:
    """The name's words with a distinctive word and a trade word added (`Rosneft Marine
    Services` beside `Rosneft`)."""
    core, form = _form_split(name)
    return " ".join([*core, _coined(rnd), rnd.choice(_TRADE_WORDS), *form])


def decoy_replaced(name: str, rnd: random.Random) -> str | None:
    """A distinctive word of the name replaced by another of the same length."""
    core, form = _form_split(name)
    if len(core) < 2:
        return None
    i = max(range(len(core)), key=lambda k: len(core[k]))
    word = _coined(rnd)
    while len(word) < len(core[i]) - 1:
        word += rnd.choice("bcdfgklmnprstvz") + rnd.choice("aeiou")
    core[i] = word[: len(core[i])].capitalize()
    return " ".join(core + form)


DECOYS: dict[str, Kind] = {
    "added_words": decoy_added,
    "added_word_and_trade_word": decoy_added_trade,
    "replaced_word": decoy_replaced,
}


def make_cells(
    parties: Sequence[Party], per_kind: int, seed: int, kinds: dict[str, Kind]
) -> dict[str, list[tuple[str, str]]]:
    """Up to ``per_kind`` distinct cells of each kind, each with the id of the party it names."""
    rnd = random.Random(seed)
    firms = [p for p in parties if p.kind not in {"vessel", "aircraft", "person"}]
    people = [p for p in parties if p.kind == "person"]
    out: dict[str, list[tuple[str, str]]] = {}
    for kind, make in kinds.items():
        pool = people if kind == "person" else firms
        cells: dict[str, str] = {}
        tries = 0
        while len(cells) < per_kind and tries < per_kind * 200:
            tries += 1
            party = rnd.choice(pool)
            names = [party.name] if kind == "person" else party.all_names()
            cell = make(rnd.choice(names), rnd)
            if cell is not None and cell not in cells:
                cells[cell] = party.id
        out[kind] = list(cells.items())
    return out
