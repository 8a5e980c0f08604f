"""Party matching at sanctions-list scale: speed, index recall and quality, with a baseline.

Run from the repository root (figures go to stdout; ``--json`` also writes them to a file)::

    python benchmarks/match_speed.py --sdn ../shared/reference/ofac_sdn_2024-05-02.csv

Measured in one run, so that a shared, noisy machine affects both sides alike:

- index build: the list's names normalised and indexed, cold caches, median of ``--runs`` builds;
- throughput: distinct names matched per second on one core (each name once, cache cleared before
  each run), median of ``--runs``; the names are a fixed mix of variants of listed names
  (evasions: legal forms, transliteration, typos, look-alike letters, word order...) and unrelated
  company names;
- baseline: brute-force ``rapidfuzz.process.extractOne`` (WRatio, cutoff 85) over every list name,
  choices pre-processed once, on a sample of the same names; the ratio of the two medians;
- recall of the index against exhaustive scoring (every list name compared) on a sample;
- quality: share of variants found at the default rule threshold, share of unrelated names matched
  to anything, and the same unrelated names against a 100-name list with WRatio at 85 and with
  shipscreen at 0.88.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process, utils

from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import Party, load_catalogue
from engine.catalogue.lists import read_ofac_sdn
from engine.reading.matching import MATCH_FLOOR, PartyMatcher
from engine.reading.names import NameNormaliser, skeleton

sys.path.insert(0, str(Path(__file__).resolve().parent))
from party_variants import DECOYS, KINDS, make_cells

THRESHOLD = 0.88  # the default sanctioned-party rule's min_similarity
WRATIO_CUTOFF = 85

# Word lists for names unrelated to any listed firm.
_PLACES = [
    "Atlas",
    "Nordic",
    "Summit",
    "Harbor",
    "Crown",
    "Vista",
    "Granite",
    "Helios",
    "Lyon",
    "Oak",
    "Pacific",
    "Meridian",
    "Falkner",
    "Zenith",
    "Osaka",
    "Bremer",
    "Golden",
    "Silver",
    "Eastern",
    "Western",
    "United",
    "Delta",
    "Prime",
    "Royal",
    "Baltic",
    "Alpine",
    "Coastal",
]
_KINDS = [
    "Trading",
    "Textiles",
    "Foods",
    "Logistics",
    "Electronics",
    "Machinery",
    "Industrial",
    "Pharma",
    "Garden",
    "Home",
    "Ceramics",
    "Papers",
    "Retail",
    "Sports",
    "Wines",
    "Coffee",
    "Technology",
    "Engineering",
    "Supply",
    "Import Export",
    "Holding",
    "Systems",
]
_FORMS = [
    "GmbH",
    "LLC",
    "Ltd",
    "Co., Ltd.",
    "SARL",
    "BV",
    "AB",
    "KK",
    "Inc.",
    "OOO",
    "JSC",
    "FZE",
    "TOO",
    "A.S.",
    "S.p.A.",
    "Pty Ltd",
    "LLP",
    "AO",
    "PJSC",
    "Limited Liability Company",
]
_SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "tel",
    "vor",
    "san",
    "lin",
    "tek",
    "dar",
    "nov",
    "sib",
    "ural",
    "mag",
    "ter",
    "plast",
    "kom",
    "bel",
    "gran",
    "zen",
    "ost",
    "rus",
    "lux",
    "vel",
]
_LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}
_TRANSLIT = [("ks", "x"), ("x", "ks"), ("kh", "h"), ("ts", "c"), ("y", "i"), ("i", "y")]
_LEGAL = {
    "llc",
    "ltd",
    "jsc",
    "ooo",
    "oao",
    "ao",
    "pao",
    "zao",
    "inc",
    "co",
    "company",
    "limited",
    "liability",
    "joint",
    "stock",
    "public",
    "closed",
    "open",
    "corporation",
    "gmbh",
    "fze",
}


def _typo(word: str, rnd: random.Random) -> str:
    i = rnd.randrange(1, len(word) - 1)
    op = rnd.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + rnd.choice("aeiou") + word[i + 1 :]
    if op == 2:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def perturb(name: str, rnd: random.Random) -> str:
    """A variant of a listed name as a diverter might write it: one or two evasions."""
    words = name.replace(",", " ").split()
    for _ in range(rnd.choice([1, 1, 2])):
        op = rnd.randrange(9)
        core = [i for i, w in enumerate(words) if w.lower().strip(".") not in _LEGAL]
        if op == 0:
            words = [w.lower() for w in words]
        elif op == 1:  # legal form swapped or added
            words = [w for w in words if w.lower().strip(".") not in _LEGAL] or words
            words.append(rnd.choice(_FORMS))
        elif op == 2 and core:  # a typo in the longest word
            i = max(core, key=lambda k: len(words[k]))
            if len(words[i]) >= 6:
                words[i] = _typo(words[i], rnd)
        elif op == 3 and len(core) > 1:  # word order
            a, b = rnd.sample(core, 2)
            words[a], words[b] = words[b], words[a]
        elif op == 4 and core:  # transliteration variant
            i = rnd.choice(core)
            old, new = rnd.choice(_TRANSLIT)
            words[i] = words[i].replace(old, new).replace(old.upper(), new.upper())
        elif op == 5 and core:  # a look-alike letter from another script
            i = rnd.choice(core)
            w = words[i]
            spots = [k for k, ch in enumerate(w) if ch.lower() in _LOOKALIKES]
            if spots:
                k = rnd.choice(spots)
                words[i] = w[:k] + _LOOKALIKES[w[k].lower()] + w[k + 1 :]
        elif op == 6 and core:  # an invisible character
            i = rnd.choice(core)
            k = rnd.randrange(1, max(2, len(words[i])))
            words[i] = words[i][:k] + "\u200b" + words[i][k:]
        elif op == 7:  # a place in brackets
            words.append(f"({rnd.choice(['Moscow', 'Dubai', 'Hong Kong', 'Istanbul'])})")
        else:  # punctuation and spacing
            words = [f'"{w}"' if rnd.random() < 0.2 else w for w in words]
    return "  ".join(words) if rnd.random() < 0.1 else " ".join(words)


def unrelated_name(rnd: random.Random) -> str:
    """A company name made of ordinary words, unrelated to any listed firm."""
    if rnd.random() < 0.5:
        coined = "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
        return f"{coined} {rnd.choice(_KINDS)} {rnd.choice(_FORMS)}"
    return f"{rnd.choice(_PLACES)} {rnd.choice(_PLACES)} {rnd.choice(_KINDS)} {rnd.choice(_FORMS)}"


def make_names(
    parties: Sequence[Party], count: int, seed: int
) -> tuple[list[str], dict[str, str], list[str]]:
    """Distinct query names: variants (with the entry they come from) and unrelated names."""
    rnd = random.Random(seed)
    firms = [p for p in parties if p.kind not in {"vessel", "aircraft"}]
    variants: dict[str, str] = {}
    unrelated: list[str] = []
    seen: set[str] = set()
    while len(seen) < count:
        if rnd.random() < 0.4:
            party = rnd.choice(firms)
            name = perturb(rnd.choice(party.all_names()), rnd)
            if name not in seen:
                variants[name] = party.id
        else:
            name = unrelated_name(rnd)
            if name not in seen:
                unrelated.append(name)
        seen.add(name)
    names = list(variants) + unrelated
    rnd.shuffle(names)
    return names, variants, unrelated


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def build(parties: Sequence[Party], normaliser_words: Any) -> tuple[PartyMatcher, float]:
    skeleton.cache_clear()
    started = time.perf_counter()
    matcher = PartyMatcher(parties, NameNormaliser(normaliser_words))
    return matcher, time.perf_counter() - started


_RECALL_MATCHER: PartyMatcher | None = None


def _recall_one(name: str) -> tuple[set[tuple[str, str, float]], set[tuple[str, str, float]]]:
    assert _RECALL_MATCHER is not None
    exhaustive = {(name, m.party_id, m.similarity) for m in _RECALL_MATCHER.match_exhaustive(name)}
    indexed = {(name, m.party_id, m.similarity) for m in _RECALL_MATCHER.match(name)}
    return exhaustive, indexed


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and print its figures; return them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sdn", type=Path, default=Path("../shared/reference/ofac_sdn_2024-05-02.csv")
    )
    parser.add_argument("--names", type=int, default=20000, help="distinct query names")
    parser.add_argument("--runs", type=int, default=5, help="repeats for medians")
    parser.add_argument("--baseline-sample", type=int, default=300)
    parser.add_argument("--recall-sample", type=int, default=600)
    parser.add_argument(
        "--cells-per-kind", type=int, default=400, help="cells of each variant kind"
    )
    parser.add_argument("--seed", type=int, default=20241)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    global _RECALL_MATCHER
    out: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine()}
    started = time.perf_counter()
    loaded = read_ofac_sdn(args.sdn)
    out["list"] = {
        "path": str(args.sdn),
        "entries": loaded.entries,
        "read_seconds": round(time.perf_counter() - started, 3),
    }
    words = load_catalogue(bundled_dir("entities")).name_words
    parties = loaded.parties

    build_times = []
    matcher = None
    for _ in range(args.runs):
        matcher, seconds = build(parties, words)
        build_times.append(seconds)
    assert matcher is not None
    out["index"] = {
        "names": len(matcher),
        "build_seconds_median": round(statistics.median(build_times), 3),
        "build_seconds_runs": [round(t, 3) for t in build_times],
    }

    names, variants, unrelated = make_names(parties, args.names, args.seed)

    def ours() -> float:
        matcher.clear_cache()
        t = time.perf_counter()
        for name in names:
            matcher.match(name)
        return len(names) / (time.perf_counter() - t)

    ours()  # warm the caches that do not depend on the names (posting sets)
    ours_median, ours_runs = median_of(args.runs, ours)

    choices = [utils.default_process(e.name) for e in matcher.index.entries]
    sample = names[: args.baseline_sample]

    def baseline() -> float:
        t = time.perf_counter()
        for name in sample:
            process.extractOne(
                utils.default_process(name),
                choices,
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=WRATIO_CUTOFF,
            )
        return len(sample) / (time.perf_counter() - t)

    base_median, base_runs = median_of(max(1, min(args.runs, 3)), baseline)
    out["throughput"] = {
        "distinct_names": len(names),
        "names_per_second_median": round(ours_median),
        "names_per_second_runs": [round(v) for v in ours_runs],
        "baseline_names_per_second_median": round(base_median, 1),
        "baseline_names_per_second_runs": [round(v, 1) for v in base_runs],
        "speedup_over_baseline": round(ours_median / base_median, 1),
    }

    # Recall of the index against exhaustive scoring, on a sample rich in true matches.
    rnd = random.Random(args.seed + 1)
    half = args.recall_sample // 2
    recall_names = rnd.sample(list(variants), min(half, len(variants)))
    recall_names += rnd.sample(
        unrelated, min(args.recall_sample - len(recall_names), len(unrelated))
    )
    _RECALL_MATCHER = matcher
    started = time.perf_counter()
    # Exhaustive scoring is slow: on a large sample, share it between the cores.
    ctx = multiprocessing.get_context("fork") if sys.platform != "win32" else None
    if ctx is not None and len(recall_names) >= 100:
        with ctx.Pool(processes=min(2, multiprocessing.cpu_count())) as pool:
            pairs = pool.map(_recall_one, recall_names, chunksize=8)
    else:
        pairs = [_recall_one(n) for n in recall_names]
    exhaustive = set().union(*(p[0] for p in pairs))
    indexed = set().union(*(p[1] for p in pairs))
    strong = {p for p in exhaustive if p[2] >= THRESHOLD}
    out["recall"] = {
        "sample_names": len(recall_names),
        "pairs_at_floor": len(exhaustive),
        "recall_at_floor": round(len(exhaustive & indexed) / max(1, len(exhaustive)), 5),
        "floor": MATCH_FLOOR,
        "pairs_at_threshold": len(strong),
        "recall_at_threshold": round(len(strong & indexed) / max(1, len(strong)), 5),
        "threshold": THRESHOLD,
        "seconds": round(time.perf_counter() - started, 1),
    }

    # Quality at the default rule threshold.
    found = sum(
        1
        for name, pid in variants.items()
        if any(m.party_id == pid for m in matcher.match(name, min_similarity=THRESHOLD))
    )
    accepted = sum(1 for name in unrelated if matcher.match(name, min_similarity=THRESHOLD))
    firms = [p for p in parties if p.kind not in {"vessel", "aircraft", "person"}]
    small = random.Random(args.seed + 2).sample(firms, min(100, len(firms)))
    small_matcher = PartyMatcher(small, NameNormaliser(words))
    small_choices = [utils.default_process(n) for p in small for n in p.all_names()]
    probe = unrelated[:1000]
    wratio_accepts = sum(
        1
        for name in probe
        if process.extractOne(
            utils.default_process(name),
            small_choices,
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=WRATIO_CUTOFF,
        )
    )
    ours_accepts = sum(1 for name in probe if small_matcher.match(name, min_similarity=THRESHOLD))
    out["quality"] = {
        "variants": len(variants),
        "variants_found_at_threshold": round(found / max(1, len(variants)), 4),
        "unrelated": len(unrelated),
        "unrelated_matched_at_threshold": round(accepted / max(1, len(unrelated)), 4),
        "against_100_names": {
            "unrelated_names": len(probe),
            "wratio_85_accepts": round(wratio_accepts / max(1, len(probe)), 4),
            "shipscreen_088_accepts": round(ours_accepts / max(1, len(probe)), 4),
        },
    }

    out["cells"] = _cell_quality(matcher, parties, args.cells_per_kind, args.seed + 3)

    print(json.dumps(out, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _hits(
    matcher: PartyMatcher, cells: dict[str, list[tuple[str, str]]], *, keep: bool
) -> tuple[dict[str, list[bool]], dict[str, list[str]]]:
    """For each kind, whether each cell matched the party it was made from at the threshold,
    and the cells whose outcome was ``keep`` (the examples to show)."""
    hits: dict[str, list[bool]] = {}
    shown: dict[str, list[str]] = {}
    for kind, pairs in cells.items():
        for cell, pid in pairs:
            hit = any(m.party_id == pid for m in matcher.match(cell, min_similarity=THRESHOLD))
            hits.setdefault(kind, []).append(hit)
            if hit == keep:
                shown.setdefault(kind, []).append(cell)
    return hits, shown


def _cell_quality(
    matcher: PartyMatcher, parties: Sequence[Party], per_kind: int, seed: int
) -> dict[str, Any]:
    """Recall per variant kind of party cell, and false matches on look-alike decoys, at the
    rule threshold; with the cells matched per second (cold cache)."""
    variants = make_cells(parties, per_kind, seed, KINDS)
    decoys = make_cells(parties, per_kind, seed + 1, DECOYS)
    matcher.clear_cache()
    started = time.perf_counter()
    found, missed = _hits(matcher, variants, keep=False)
    false, accepted = _hits(matcher, decoys, keep=True)
    seconds = time.perf_counter() - started
    all_found = [h for hits in found.values() for h in hits]
    all_false = [h for hits in false.values() for h in hits]
    return {
        "threshold": THRESHOLD,
        "recall_all_kinds": round(sum(all_found) / max(1, len(all_found)), 4),
        "recall_per_kind": {
            k: {"cells": len(v), "recall": round(sum(v) / max(1, len(v)), 4)}
            for k, v in found.items()
        },
        "decoys_false_match_rate": round(sum(all_false) / max(1, len(all_false)), 4),
        "decoys_per_kind": {
            k: {"cells": len(v), "false_match_rate": round(sum(v) / max(1, len(v)), 4)}
            for k, v in false.items()
        },
        "cells_per_second": round((len(all_found) + len(all_false)) / seconds),
        "missed_examples": {k: v[:5] for k, v in missed.items()},
        "accepted_decoy_examples": {k: v[:5] for k, v in accepted.items()},
    }


if __name__ == "__main__":
    main()
