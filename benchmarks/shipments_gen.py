"""Realistic shipment files for benchmarks: many rows, party names repeating with a skew.

A trade file repeats its parties: a few hundred thousand distinct names per million rows, a few of
them very often (regular suppliers and buyers) and most rarely.  Names are drawn from a pool of
``0.4 * rows`` distinct names with a Zipf distribution (exponent 1); a small share are names
from a sanctions list, some of them in capitals.  Countries, HS codes, routes and wording
follow simple weights: mostly ordinary trade, a few percent to Russia, Belarus or the hubs, a few
percent controlled goods.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from collections.abc import Sequence
from pathlib import Path

COLUMNS = (
    "shipment_id", "date", "shipper", "shipper_country", "consignee", "consignee_country",
    "end_user", "end_user_country", "intermediary", "intermediary_country", "notify_party",
    "notify_party_country", "hs_code", "description", "quantity", "unit", "value_usd",
    "origin_country", "transit_countries", "destination_country", "payment_country", "end_use",
)  # fmt: skip
# Words party names are made of.
_PREFIXES = [
    "Atlas", "Nordic", "Summit", "Harbor", "Crown", "Vista", "Granite", "Helios", "Lyon",
    "Meridian", "Zenith", "Osaka", "Bremer", "Baltic", "Alpine", "Coastal", "Sierra", "Lotus",
    "Maple", "Orchid", "Cedar", "Aurora", "Riviera", "Pacific", "Golden", "Silver", "Ningbo",
    "Xiamen", "Suzhou", "Dongguan", "Qingdao", "Shenzhen", "Almaty", "Tashkent", "Dubai",
    "Istanbul", "Yerevan", "Tbilisi", "Bishkek", "Volga", "Ural", "Neva", "Kama",
]  # fmt: skip
_SYLLABLES = [
    "ka", "ro", "mi", "tel", "vor", "san", "lin", "dar", "nov", "mag", "ter", "kom", "bel", "gran",
    "zen", "ost", "lux", "vel", "mar", "tor", "hua", "mei", "xin", "tai", "sib", "snab", "prom",
    "torg", "tex", "plast",
]  # fmt: skip
_TRADES = [
    "Trading", "Textiles", "Foods", "Furniture", "Ceramics", "Papers", "Retail", "Sports", "Wines",
    "Garden", "Home", "Kitchen", "Apparel", "Pharma", "Toys", "Machinery", "Electronics",
    "Industrial", "Logistics", "Import Export", "Supply", "Components",
]  # fmt: skip
_FORMS = [
    "GmbH", "LLC", "Ltd", "Co., Ltd.", "SARL", "BV", "AB", "KK", "Inc.", "OOO", "JSC", "FZE",
    "TOO", "A.S.", "S.p.A.", "Pty Ltd", "AO", "PJSC", "MChJ", "LLP",
]  # fmt: skip
# (HS code, description): ordinary goods, and goods the catalogue controls.
_ORDINARY = [
    ("0901.21", "Roasted coffee"), ("9403.60", "Wooden furniture"), ("6109.10", "Cotton T-shirts"),
    ("6911.10", "Porcelain tableware"), ("6403.99", "Leather shoes"), ("9503.00", "Toys"),
    ("2204.21", "Red wine"), ("0803.90", "Bananas"), ("4819.10", "Corrugated cartons"),
    ("3004.90", "Medicaments"), ("8450.11", "Washing machines"), ("9506.62", "Footballs"),
    ("6506.10", "Bicycle helmets"), ("3208.90", "Nitrocellulose lacquer"),
    ("7308.90", "Steel structures"), ("8703.23", "Passenger cars"),
    ("3923.30", "Plastic bottles"), ("1006.30", "Rice"),
]  # fmt: skip
_CONTROLLED = [
    ("8542.31", "Microcontrollers"), ("8542.39", "FPGA integrated circuits"),
    ("8517.62", "Network switches"), ("8526.91", "GNSS navigation receivers"),
    ("8482.10", "Ball bearings"), ("8525.89", "Thermal imaging cameras"),
    ("9013.80", "Optical devices"), ("8457.10", "CNC machining centres"),
    ("8806.21", "Quadcopter drones"), ("9306.30", "Cartridges"),
    ("8429.52", "Hydraulic excavators"), ("8704.23", "Heavy dump trucks"),
]  # fmt: skip
# (country as written, weight): codes and names mixed, as in real files.
_ORIGINS = [
    ("CN", 30), ("China", 10), ("DE", 10), ("US", 8), ("United States", 4), ("IT", 6), ("JP", 6),
    ("Japan", 3), ("TR", 4), ("IN", 5), ("KR", 4), ("FR", 4), ("GB", 3),
]  # fmt: skip
_DESTINATIONS = [
    ("DE", 10), ("US", 10), ("FR", 6), ("NL", 6), ("GB", 6), ("IT", 5), ("PL", 5), ("CA", 4),
    ("AU", 4), ("JP", 4), ("VN", 4), ("TH", 4), ("Spain", 3), ("Sweden", 3), ("Ireland", 3),
    ("AE", 3), ("UAE", 1), ("TR", 3), ("Turkey", 1), ("KZ", 2), ("Kazakhstan", 1), ("KG", 1),
    ("UZ", 1), ("AM", 1), ("GE", 1), ("RU", 2), ("Russia", 1), ("BY", 1),
]  # fmt: skip


def _weighted(items: Sequence[tuple[str, int]]) -> tuple[list[str], list[int]]:
    values = [v for v, _ in items]
    cumulative = list(itertools.accumulate(w for _, w in items))
    return values, cumulative


def _pick(rnd: random.Random, table: tuple[list[str], list[int]]) -> str:
    values, cumulative = table
    return values[bisect.bisect_right(cumulative, rnd.random() * cumulative[-1])]


def _pool(size: int, rnd: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < size:
        coined = "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
        parts = [rnd.choice(_PREFIXES), coined, rnd.choice(_TRADES), rnd.choice(_FORMS)]
        if rnd.random() < 0.3:
            parts.pop(0)
        names.add(" ".join(parts))
    ordered = sorted(names)
    rnd.shuffle(ordered)
    return ordered


def generate(
    path: Path, rows: int, *, seed: int = 7, listed: Sequence[str] = (), skew: float = 1.0
) -> Path:
    """Write ``rows`` shipments to ``path``; ``listed`` names fill about 0.2% of party slots.

    With the defaults a million rows hold about 260,000 distinct party names.
    """
    rnd = random.Random(seed)
    pool = _pool(max(100, int(rows * 0.4)), rnd)
    # Zipf-like weights: the k-th name is drawn in proportion to 1 / k**skew.
    cumulative = list(itertools.accumulate(1.0 / (k**skew) for k in range(1, len(pool) + 1)))
    total = cumulative[-1]

    def party() -> str:
        if listed and rnd.random() < 0.002:
            name = rnd.choice(listed)
            return name.upper() if rnd.random() < 0.5 else name
        return pool[bisect.bisect_left(cumulative, rnd.random() * total)]

    origins = _weighted(_ORIGINS)
    destinations = _weighted(_DESTINATIONS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(rows):
            goods = rnd.choice(_CONTROLLED) if rnd.random() < 0.06 else rnd.choice(_ORDINARY)
            destination = _pick(rnd, destinations)
            row = {
                "shipment_id": f"S{i:08d}",
                "date": f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                "shipper": party(),
                "shipper_country": _pick(rnd, origins),
                "consignee": party(),
                "consignee_country": destination,
                "hs_code": goods[0],
                "description": goods[1],
                "quantity": str(rnd.randint(1, 10000)),
                "unit": rnd.choice(["pcs", "kg", "sets"]),
                "value_usd": str(rnd.randint(500, 2_000_000)),
                "origin_country": _pick(rnd, origins),
                "destination_country": destination,
            }
            if rnd.random() < 0.2:
                row["end_user"] = party()
                row["end_user_country"] = _pick(rnd, destinations)
            if rnd.random() < 0.1:
                row["intermediary"] = party()
                row["intermediary_country"] = _pick(rnd, destinations)
            if rnd.random() < 0.3:
                row["notify_party"] = party()
                row["notify_party_country"] = destination
            if rnd.random() < 0.05:
                row["transit_countries"] = "; ".join(
                    _pick(rnd, destinations) for _ in range(rnd.randint(1, 2))
                )
            if rnd.random() < 0.7:
                row["payment_country"] = rnd.choice([destination, row["shipper_country"]])
                if rnd.random() < 0.02:
                    row["payment_country"] = rnd.choice(["AE", "KZ", "TR"])
            if rnd.random() < 0.01:
                row["end_use"] = rnd.choice(["for civilian use", "for special military operation",
                                             "СВО", "research"])  # fmt: skip
            writer.writerow([row.get(c, "") for c in COLUMNS])
    return path
