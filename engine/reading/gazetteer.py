"""Cities found in a country cell that names no country ("Dubai", "Jebel Ali Free Zone, Dubai",
"Алматы"): a gazetteer of the world's cities of 15,000 people or more (GeoNames, CC BY 4.0:
``data/cities.tsv.gz``, built by ``scripts/build_gazetteer.py`` with their names folded by
:func:`engine.reading.countries.country_key`).

A name is read as a country's city only when it is plainly that country's: the largest city of
that name is at least :data:`DOMINANCE` times as populous as the largest of any other country
("Moscow" is Russia's, not Idaho's; "Valencia" is Spain's or Venezuela's, so neither).  The
gazetteer is loaded the first time a cell needs it: a file whose countries are written as
countries never pays for it.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

#: How many times as populous a country's largest city of a name must be as any other country's
#: for the name to be read as that country's.
DOMINANCE = 10


@dataclass(frozen=True, slots=True)
class Place:
    """A name read as a city: its country, and what the evidence says of it."""

    country: str
    note: str


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A name of cities in several countries, none of which it plainly means."""

    countries: tuple[str, ...]


class Gazetteer:
    """The cities by folded name (``key``: the country reader's folding)."""

    def __init__(self, key: Callable[[str], str]) -> None:
        self._key = key
        self._index: dict[str, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, dict[str, int]]:
        with self._lock:
            if self._index is None:
                index: dict[str, dict[str, int]] = {}
                source = resources.files("engine.reading") / "data" / "cities.tsv.gz"
                with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
                    for line in text:
                        if line.startswith("#"):
                            continue
                        country, population, names = line.rstrip("\n").split("\t")
                        people = int(population)
                        for key in names.split("|"):  # folded when the file was built
                            countries = index.setdefault(key, {})
                            if people > countries.get(country, -1):
                                countries[country] = people
                self._index = index
            return self._index

    def cities(self, text: str) -> dict[str, int]:
        """The countries with a city of this name, and the people of the largest there."""
        return dict(self._load().get(self._key(text)) or {})

    def find(self, text: str) -> Place | Ambiguous | None:
        """The country a city name plainly belongs to, the countries it is ambiguous between, or
        None for a name of no city."""
        countries = self._load().get(self._key(text))
        if not countries:
            return None
        ranked = sorted(countries.items(), key=lambda kv: -kv[1])
        country, people = ranked[0]
        if len(ranked) == 1 or people >= DOMINANCE * ranked[1][1]:
            return Place(country, f"a city of {people:,} people (GeoNames){_others(ranked[1:])}")
        return Ambiguous(tuple(c for c, _ in ranked[:4]))


def _others(rest: list[tuple[str, int]]) -> str:
    if not rest:
        return ""
    shown = ", ".join(f"{c} {p:,}" for c, p in rest[:3])
    return f"; smaller cities of the name in {shown} set aside"
