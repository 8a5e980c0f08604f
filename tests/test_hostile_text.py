"""Free text that repeats a red flag, or runs very long: screened as the same text short would be,
in bounded time and memory, with a note saying what part of it was not searched.

The phrase and keyword matchers search the first 15,000 and the last 5,000 characters of a field
(the whole field up to 20,000 characters); a longer field's row says which characters were not
searched.  Each ``text_has_phrase`` condition keeps one piece of evidence per wording matched (with
how many times it matched and an excerpt around the first match), at most five.
"""

from __future__ import annotations

import csv
import gc
import importlib.util
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from engine import Screener, ScreenResult
from engine.io.csvreader import ShipmentReader
from engine.io.outputs import full
from tests.conftest import REPO

# What the matchers search of a long field (engine.reading.phrases), as documented above.
HEAD, TAIL = 15_000, 5_000
KEPT = 5

PHRASE = "for the special military operation "
TO_RUSSIA = {"shipment_id": "S1", "consignee": "OOO Nevatorg", "consignee_country": "RU"}
NORMAL = "Corrugated cartons for the special military operation"
PAD = "plain cotton towels in boxes "  # harmless words

# The evidence of a row, however long its text: a few kilobytes.
RESULT_BYTES = 24 * 1024


def peak_bytes(work: Callable[[], Any]) -> tuple[Any, int]:
    """What ``work`` returns, and the peak memory it allocated (tracemalloc)."""
    tracemalloc.start()
    try:
        out = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def phrase_hits(result: ScreenResult) -> list[Any]:
    return [e for h in result.hits for e in h.evidence if e.predicate == "text_has_phrase"]


def long_text_notes(result: ScreenResult) -> list[str]:
    return [n for n in result.notes if "were not searched" in n]


def test_the_limits_are_the_documented_ones() -> None:
    from engine.reading import phrases

    assert (phrases.EXAMINED_HEAD, phrases.EXAMINED_TAIL) == (HEAD, TAIL)


def test_a_phrase_repeated_25000_times(screener: Screener) -> None:
    normal = screener.screen({**TO_RUSSIA, "description": NORMAL})
    assert normal.band == "critical"
    description = PHRASE * 25_000
    result, peak = peak_bytes(lambda: screener.screen({**TO_RUSSIA, "description": description}))
    assert result.band == normal.band
    assert result.rule_ids == normal.rule_ids
    assert peak < 64 * 1024 * 1024
    assert len(result.model_dump_json()) < RESULT_BYTES
    [evidence] = phrase_hits(result)  # one wording, counted
    assert evidence.matched == "special military operation*"
    assert "special military operation" in (evidence.value or "")
    assert len(evidence.value or "") < 200
    assert "times, first at character 9: " in evidence.detail
    [note] = long_text_notes(result)
    assert note.startswith(f"description is {len(description.strip()):,} characters long")


def test_a_ten_megabyte_mapping(screener: Screener) -> None:
    description = PHRASE * (10_000_000 // len(PHRASE))
    result, peak = peak_bytes(lambda: screener.screen({**TO_RUSSIA, "description": description}))
    assert result.band == "critical"
    assert peak < 64 * 1024 * 1024  # the text's stripped copy (10 MB), then little
    assert len(result.model_dump_json()) < RESULT_BYTES
    assert long_text_notes(result)


def test_long_texts_are_not_kept_once_screened(screener: Screener) -> None:
    """The caches of what texts say keep a few long texts' windows, not the texts: memory stays
    flat however many long rows are screened."""
    screener.screen({**TO_RUSSIA, "description": "warm up"})
    tracemalloc.start()
    try:
        for i in range(20):  # 1 MB each, with some words at the end to search
            text = f"lot {i} " + "x" * 1_000_000 + " " + PAD * 200
            screener.screen({**TO_RUSSIA, "description": text, "end_use": text})
        gc.collect()
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert retained < 4 * 1024 * 1024  # the texts alone are 20 MB


def test_a_short_text_keeps_its_evidence_as_before(screener: Screener) -> None:
    result = screener.screen({**TO_RUSSIA, "description": NORMAL})
    [evidence] = phrase_hits(result)
    assert evidence.value == NORMAL
    assert evidence.detail == (
        f"description '{NORMAL}' contains 'special military operation' (Military end-use wording)"
    )
    assert result.notes == []
    twice = screener.screen({**TO_RUSSIA, "description": f"{NORMAL}; {NORMAL}"})
    [evidence] = phrase_hits(twice)
    assert evidence.detail.endswith("(Military end-use wording), 2 times")


def test_the_note_says_which_characters_were_not_searched(screener: Screener) -> None:
    pad = PAD * (100_000 // len(PAD))
    description = (pad + "for the special military operation " + pad).strip()
    length = len(description)
    result = screener.screen({**TO_RUSSIA, "description": description, "end_use": pad.strip()})
    assert result.band != "critical"  # the phrase stood in the part not searched
    description_note, end_use_note = long_text_notes(result)
    # the windows end and start at the edges of words, within a word of the limits
    first, start = HEAD, length - TAIL
    if description[first - 1 : first + 1].isalpha():
        first = description.rfind(" ", 0, first) + 1
    if description[start - 1 : start + 1].isalpha():
        start = description.find(" ", start)
    last = length - start
    assert description_note == (
        f"description is {length:,} characters long: only its first {first:,} and last "
        f"{last:,} characters were searched for phrases and goods keywords; characters "
        f"{first + 1:,} to {length - last:,} were not searched"
    )
    assert end_use_note.startswith(f"end_use is {len(pad.strip()):,} characters long: only its ")
    assert " were searched for phrases; characters " in end_use_note


def test_where_a_phrase_stands_in_a_long_text(screener: Screener) -> None:
    """The start and the end of a long field are searched, the middle is not."""
    pad = PAD * (200_000 // len(PAD))  # 200,000 characters
    phrase = "for the special military operation"
    cases = {
        "start": (phrase + " " + pad, True),
        "end": (pad + phrase, True),
        "middle": (pad + phrase + " " + pad, False),
    }
    for where, (description, hits) in cases.items():
        result = screener.screen({**TO_RUSSIA, "description": description})
        assert (result.band == "critical") is hits, where
        assert long_text_notes(result), where
        if where == "end":
            [evidence] = phrase_hits(result)
            at = len(pad) + len("for the ") + 1
            assert f"(Military end-use wording), at character {at:,}: '…" in evidence.detail
            assert (evidence.value or "").endswith("in boxes for the special military operation")
            assert (evidence.value or "").startswith("…")
            assert len(evidence.value or "") < 200


def test_no_match_is_made_across_the_part_not_searched(screener: Screener) -> None:
    # The first window ends with "special" (then "not"), the last starts "military operation".
    head = "x " * ((HEAD - len("special ")) // 2) + "special "
    tail = "military operation" + " y" * ((TAIL - len("military operation")) // 2)
    assert (len(head), len(tail)) == (HEAD, TAIL)
    result = screener.screen({**TO_RUSSIA, "description": head + "z " * 10_000 + tail})
    assert phrase_hits(result) == []
    assert long_text_notes(result)
    # nor does a negation at the end of the first window cancel a match in the last
    head = "x " * ((HEAD - len("not ")) // 2) + "not "
    tail = PHRASE + "y " * ((TAIL - len(PHRASE)) // 2)
    result = screener.screen({**TO_RUSSIA, "description": head + "z " * 10_000 + tail})
    assert result.band == "critical"


def test_a_word_cut_by_a_window_is_not_read_as_another(screener: Screener) -> None:
    # The first window ends inside "smoke", the last starts inside "kosmo": neither is "smo".
    head = "x " * ((HEAD - 3) // 2) + " smoke"
    assert head[HEAD - 3 : HEAD] == "smo"
    tail = ("smo" + " y" * TAIL)[:TAIL]
    text = head + " z" * 10_000 + " ko" + tail
    assert text[len(text) - TAIL :].startswith("smo y")
    result = screener.screen({**TO_RUSSIA, "description": text})
    assert phrase_hits(result) == []
    assert long_text_notes(result)


def test_evidence_is_kept_for_a_few_wordings_and_counts_the_rest(screener: Screener) -> None:
    wordings = [f"for the special military operations{'x' * i}" for i in range(12)]
    result = screener.screen({**TO_RUSSIA, "description": " ; ".join(wordings)})
    kept = phrase_hits(result)
    assert len(kept) == KEPT
    assert kept[-1].detail.endswith(
        "; 7 more matches (7 other wordings) not kept as evidence: a condition keeps 5 wordings"
    )
    assert result.band == "critical"


def test_party_names_and_end_use_are_capped_alike(screener: Screener) -> None:
    shipment = {
        **TO_RUSSIA,
        "description": "Leather shoes",
        "end_use": PHRASE * 3_000,
        "end_user": "Almaty Logistics TOO " * 2_000,
        "end_user_country": "KZ",
    }
    result = screener.screen(shipment)
    assert result.band == "critical"
    notes = long_text_notes(result)
    assert sorted(n.split(" ")[0] for n in notes) == ["end_use", "end_user"]
    assert len(result.model_dump_json()) < RESULT_BYTES


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    columns = sorted({c for row in rows for c in row})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)


def _cli(tmp_path: Path, rows: list[dict[str, str]]) -> tuple[list[dict[str, Any]], Path]:
    src = tmp_path / "in.csv"
    _write(src, rows)
    out = tmp_path / "out"
    args = ["screen", str(src), "-q", "-o", f"{out}.jsonl", "-o", f"{out}.csv", "-o", f"{out}.html"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in Path(f"{out}.jsonl").read_text("utf-8").splitlines()]
    return records, out


def test_a_csv_row_just_under_the_field_limit(tmp_path: Path) -> None:
    limit = ShipmentReader.MAX_FIELD
    long = PHRASE * ((limit - 1) // len(PHRASE))
    rows = [
        {**TO_RUSSIA, "shipment_id": "normal", "description": NORMAL},
        {**TO_RUSSIA, "shipment_id": "long", "description": long},
        {**TO_RUSSIA, "shipment_id": "over", "description": PHRASE * 25_000},
    ]
    records, out = _cli(tmp_path, rows)
    normal, row, over = records
    assert row["band"] == normal["band"] == "critical"
    assert [h["rule_id"] for h in row["hits"]] == [h["rule_id"] for h in normal["hits"]]
    assert any("were not searched" in n for n in row["notes"])
    assert len(json.dumps(row)) - len(long) < RESULT_BYTES  # the input cell, then the evidence
    # the row over the CSV reader's limit is refused, saying so
    assert "fields longer than 100,000 are not screened" in over["error"]
    with Path(f"{out}.csv").open(encoding="utf-8", newline="") as fh:
        written = {r["shipment_id"]: r for r in csv.DictReader(fh)}
    assert "were not searched" in written["long"]["reasons"]
    assert len(written["long"]["reasons"]) < RESULT_BYTES
    html = Path(f"{out}.html").read_text("utf-8")
    assert "were not searched" in html
    # the report shows each input cell (twice: as text and to search), then a few kilobytes
    assert len(html) < 2 * (len(long) + len(rows[2]["description"])) + 100_000


def test_the_quiet_lane_sends_long_text_the_full_path(screener: Screener, tmp_path: Path) -> None:
    """Gated, lane and full screening agree on rows with long text in any searched field."""
    ordinary = {"shipment_id": "A1", "consignee": "Lyon Ceramics SARL", "consignee_country": "FR",
                "hs_code": "6911.10", "description": "Porcelain tableware", "end_use": "",
                "unit": "", "end_user": ""}  # fmt: skip
    pad = PAD * (30_000 // len(PAD))
    rows, noted = [ordinary], [False]
    for field in ("description", "end_use", "unit", "end_user", "consignee"):
        rows.append({**ordinary, field: pad})
        rows.append({**ordinary, field: pad + PHRASE, "consignee_country": "RU"})
        rows.append({**ordinary, field: pad + PHRASE + pad, "consignee_country": "RU"})
        rows.append({**ordinary, field: f"  {pad[: 20_000 - 1]}  "})  # long only unstripped
        noted += [True, True, True, False]
    for i, row in enumerate(rows):
        row["shipment_id"] = f"A{i}"
    path = tmp_path / "rows.csv"
    _write(path, rows)
    kinds: list[str] = []
    with ShipmentReader(path) as reader:
        for row, note in zip(reader, noted, strict=True):
            full_result = screener.screen_input_row(row)
            lane = screener.screen_row(row)
            assert full(lane) == full_result, row.line
            kinds.append(type(lane).__name__)
            assert len(long_text_notes(full_result)) == note, row.line
    assert kinds[0] == "Quiet"  # the lane takes the ordinary row


_WORDS = ["cotton", "towels", "steel", "bolts", "ball", "bearings", "drone", "toys", "of", "the",
          "and", "for", "spare", "parts", "industrial", "use", "pcs", "10", "grade", "A",
          "Поставка", "деталей", "не"]  # fmt: skip
_RED_FLAGS = ["for the special military operation", "для нужд СВО", "for military use",
              "for the army", "СВО"]  # fmt: skip
_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_ANY_WORD = st.text(st.characters(categories=["L", "Nd"]), min_size=1, max_size=10)


@settings(max_examples=30, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS) | _ANY_WORD, max_size=12),
    at=st.integers(0, 12),
    flag=st.sampled_from(_RED_FLAGS),
    k=st.integers(1, 1_500),
    country=st.sampled_from(["RU", "KZ", "AE", "DE"]),
)
def test_repeating_a_text_never_lowers_its_band(
    screener: Screener, words: list[str], at: int, flag: str, k: int, country: str
) -> None:
    text = " ".join([*words[:at], flag, *words[at:]])
    shipment = {**TO_RUSSIA, "consignee_country": country}
    once = screener.screen({**shipment, "description": text})
    repeated = screener.screen({**shipment, "description": " ".join([text] * k)})
    assert _RANK[repeated.band or "low"] >= _RANK[once.band or "low"]
    assert len(repeated.model_dump_json()) < RESULT_BYTES


def test_the_benchmark_runs(tmp_path: Path) -> None:
    """benchmarks/hostile_text.py measures what it promises (no figure is asserted)."""
    spec = importlib.util.spec_from_file_location(
        "hostile_text", REPO / "benchmarks" / "hostile_text.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "figures.json"
    figures = module.main(["--runs", "1", "--cases", "normal", "repeat-5k", "--json", str(out)])
    assert out.is_file()
    for case in ("normal", "repeat-5k"):
        entry = figures["cases"][case]
        assert entry["failed"] == []
        assert entry["bands"] == ["critical"]
        assert entry["seconds_median"] > 0
