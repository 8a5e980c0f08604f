"""Write entities/legal_forms.yaml from rigour's table of organisation types.

rigour (https://github.com/opensanctions/rigour, MIT licence, Copyright (c) 2023-2025
OpenSanctions Datenbanken GmbH) keeps, in ``resources/names/org_types.yml``, the legal forms
written in entity names across languages, with their abbreviations and common misspellings.
shipscreen sets legal forms aside before comparing names; this script turns that table into the
catalogue's ``legal_forms`` format::

    python scripts/import_legal_forms.py PATH/TO/org_types.yml COMMIT > entities/legal_forms.yaml

What is left out, because setting it aside would lose what tells firms and people apart: the
types of religious and military bodies; one-word spellings that are ordinary words ("Cooperation",
"Charity", "Bank"...); one-word spellings of three letters or fewer, unless they are among the
widely used abbreviations of SHORT (a short word is set aside wherever it stands, or at either
end of a name, and the table's "in", "im", "is", "sad", "cia", "hao" or "NPO" are names' own
words, surnames or Chinese syllables as often as legal forms); and spellings made only of single
letters ("A. S.", "K. G."), which read as a person's initials (the dotted "A.S." is one word
and kept).  A one-word spelling is kept if it is an abbreviation (dotted, upper case or short)
or a long word that is only a legal form ("Aktiengesellschaft").
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import yaml

SKIP_GENERIC = {"REL", "MIL"}
# Ordinary words a one-word spelling must not be: names are told apart by them.
ORDINARY = {
    "association", "bank", "charity", "company", "cooperation", "cooperative", "corporation",
    "enterprise", "foundation", "fund", "group", "holding", "institute", "institution",
    "organisation", "organization", "partnership", "society", "trust", "union", "university",
    "agency", "authority", "bureau", "center", "centre", "concern", "consortium", "office",
    "plant", "factory", "firm", "establishment", "entity", "co-op", "coop", "mutual",
}  # fmt: skip


# Abbreviations of three letters or fewer common enough in trade files to set aside (as written
# with dots and spaces removed, case folded).
SHORT = {
    "ad", "dd", "kd", "kg", "ek", "ev", "eg", "gp", "ug", "pt", "sp", "oy", "as", "ab", "ag",
    "nv", "bv", "sa", "ao", "ip", "uab", "sia", "zrt", "kft", "sas", "snc", "lda", "vof", "ohg",
    "mbh", "fop", "sro", "spa", "srl", "plc", "inc", "ltd", "llc", "ооо", "оао", "зао", "пао",
    "ао", "ип", "ад", "кд", "тоо", "чп", "тов", "фоп", "ооd", "еад", "оод", "ead", "ood",
}  # fmt: skip


def keep(alias: str) -> bool:
    """Whether a spelling from the table is kept."""
    text = alias.strip()
    if not text or len(text) > 120:
        return False
    words = text.split()
    letters = re.sub(r"\W", "", text)
    if len(words) > 1:
        return any(len(re.sub(r"\W", "", w)) > 1 for w in words)
    if text.casefold().strip(".") in ORDINARY:
        return False
    if len(letters) <= 3 and letters.casefold() not in SHORT:
        return False
    return "." in text or text.isupper() or len(letters) <= 5 or len(letters) >= 8


def spelling_key(text: str) -> str:
    """A spelling with case and punctuation folded ("S.A." and "s.a" alike)."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    path, commit = Path(argv[1]), argv[2]
    types = yaml.safe_load(path.read_text(encoding="utf-8"))["types"]
    url = f"https://github.com/opensanctions/rigour/blob/{commit}/resources/names/org_types.yml"
    header = (
        "Legal forms as entity names write them, in many languages, with abbreviations and"
        " misspellings: imported from rigour's organisation types (see"
        " scripts/import_legal_forms.py, which says what was left out). Set aside before names"
        " are compared, like the forms in names.yaml.\n\n"
        f"Source: opensanctions/rigour, resources/names/org_types.yml at commit {commit[:12]}.\n"
        "MIT licence. Copyright (c) 2023-2025 OpenSanctions Datenbanken GmbH. Permission is"
        " hereby granted, free of charge, to any person obtaining a copy of this software and"
        " associated documentation files, to deal in the Software without restriction, subject"
        " to the condition that the copyright notice and this permission notice be included in"
        ' all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS",'
        " WITHOUT WARRANTY OF ANY KIND.\n\n"
        f"Each entry cites its place in that table: {url}"
    )
    out = [
        "# " + line if line else "#"
        for paragraph in header.split("\n")
        for line in (textwrap.wrap(paragraph, 94, break_long_words=False) or [""])
    ]
    out += [
        "#",
        "# Written as JSON (which YAML reads as it is), one legal form to a line: read fast.",
    ]
    count = 0
    entries: list[str] = []
    for i, entry in enumerate(types):
        generic = entry.get("generic") or ""
        if generic in SKIP_GENERIC:
            continue
        aliases = [a for a in dict.fromkeys(map(str, entry.get("aliases") or [])) if keep(a)]
        display = entry.get("display")
        if display and keep(str(display)) and display not in aliases:
            aliases.insert(0, str(display))
        # Spellings that differ only in case and punctuation are set aside alike: one is kept.
        spellings = list({spelling_key(a): a for a in reversed(aliases)}.values())[::-1]
        if not spellings:
            continue
        family = re.sub(r"[^a-z0-9]+", "-", generic.lower()).strip("-") or "other"
        cite = f"rigour org_types.yml at {commit[:12]}, entry {i + 1}"
        entry_out = {
            "id": f"rigour-{i + 1}",
            "family": f"rigour-{family}",
            "title": str(display or spellings[0]),
            "forms": spellings,
            "sources": [{"public": cite}],
        }
        entries.append(json.dumps(entry_out, ensure_ascii=False))
        count += 1
    body = '{"legal_forms": [\n' + ",\n".join(entries) + "\n]}"
    sys.stdout.write("\n".join(out) + "\n" + body + "\n")
    print(f"{count} legal forms written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
