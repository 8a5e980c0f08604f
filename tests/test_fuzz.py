"""Fuzzing: the readers, the normaliser and the screener on arbitrary input.

Nothing may raise but the project's own errors, and every row is accounted for. The CI profile runs
a bounded number of examples; for a longer local run:

    HYPOTHESIS_PROFILE=shipscreen-dev pytest tests/test_fuzz.py
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from engine import InputError, Screener
from engine.decoding import detect_encoding
from engine.io.csvreader import ShipmentReader
from engine.reading.countries import country_key
from engine.reading.hscodes import parse_hs
from engine.reading.phrases import PhraseMatcher

SCREENER = Screener.default()
RESOLVER = SCREENER._knowledge.resolver
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
HEADER = b"shipment_id,consignee,consignee_country,hs_code,description\n"


def _read_all(data: bytes) -> list[object] | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(data)
        try:
            with ShipmentReader(path) as reader:
                return [SCREENER.screen_input_row(row) for row in reader]
        except InputError:
            return None


@given(st.binary(max_size=2000))
def test_the_reader_on_arbitrary_bytes(data: bytes) -> None:
    _read_all(data)  # anything but an InputError would fail the test
    results = _read_all(HEADER + data)
    assert results is not None  # a readable header makes the file usable, whatever follows


@given(st.binary(max_size=2000))
def test_encoding_detection_never_fails(data: bytes) -> None:
    assert detect_encoding(data)


@given(
    st.lists(st.lists(TEXT.filter(lambda t: "\x00" not in t), min_size=5, max_size=5), max_size=20)
)
def test_every_written_row_is_read_back(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["shipment_id", "consignee", "consignee_country", "hs_code", "description"])
    writer.writerows(rows)
    results = _read_all(buffer.getvalue().encode("utf-8"))
    assert results is not None
    assert len(results) == sum(1 for r in rows if any(r) or len(r) != 1)


@given(TEXT)
def test_hs_reader(text: str) -> None:
    codes, _problems = parse_hs(text)
    for code in codes:
        assert code.digits.isdigit()
        assert len(code.digits) in {2, 4, 6, 8, 10}
        assert parse_hs(code.digits)[0][0].digits == code.digits  # reading its digits is stable


@given(TEXT)
def test_country_reader(text: str) -> None:
    code = RESOLVER.resolve(text)
    assert code is None or RESOLVER.resolve(code) == code
    codes, _bad = RESOLVER.resolve_list(text)
    assert all(RESOLVER.resolve(c) == c for c in codes)
    assert country_key(country_key(text)) == country_key(text)


@given(TEXT)
def test_name_normaliser(text: str) -> None:
    once = SCREENER.normalise_name(text)
    assert SCREENER.normalise_name(once) == once
    SCREENER.match(text)


@given(TEXT)
def test_phrase_matcher(text: str) -> None:
    plist = SCREENER.catalogue.phrase_lists["military-end-use"]
    for phrase, words in PhraseMatcher.of_list(plist).find(text):
        assert phrase in plist.phrases
        assert words


FIELDS = st.sampled_from(
    ["shipper", "consignee", "consignee_country", "hs_code", "description", "end_use",
     "transit_countries", "value_usd", "payment_country", "destination_country"]
)  # fmt: skip


@given(st.dictionaries(FIELDS, TEXT, max_size=8))
def test_the_screener_on_arbitrary_values(shipment: dict[str, str]) -> None:
    result = SCREENER.screen(shipment)
    assert (result.error is None) == (result.band is not None)
    if result.score is not None:
        assert 0 <= result.score <= 100


_PIECES = st.one_of(
    st.sampled_from(["k,S1,Acme\n", "k,S2,Bolt GmbH,DE\r\n", "a", "b,c", ",", " ", "\n"]),
    st.sampled_from(['"q"', '"x,y"', '"two\nlines"', '"open', "\r\n", "\r", '""']),
)


@given(
    pieces=st.lists(_PIECES, max_size=60),
    block=st.sampled_from([8, 64, 1 << 18]),
    id_column=st.booleans(),
)
def test_reading_ids_only_reads_the_same_records(
    pieces: list[str], block: int, id_column: bool
) -> None:
    """The reader's records with ``id_only`` (a line without a quote split only up to its id)
    have the line numbers, texts and problems of the full reading, and the same shipment ids."""
    header = "kind,shipment_id,consignee\n" if id_column else "consignee,origin_country\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes((header + "".join(pieces)).encode())
        readings = []
        for id_only in (False, True):
            with ShipmentReader(path, encoding="utf-8", delimiter=",") as reader:
                reader.BLOCK_BYTES = block
                readings.append(list(reader.records(id_only=id_only)))
                shipment_id = reader.shaper.shipment_id
        full, part = readings
        assert [(n, p, t) for n, _, p, t in full] == [(n, p, t) for n, _, p, t in part]
        for (_, whole, _, _), (_, some, _, _) in zip(full, part, strict=True):
            assert (whole is None) == (some is None)
            if whole is not None and some is not None:
                assert shipment_id(whole) == shipment_id(some)
                assert some == whole or some[:-1] == whole[: len(some) - 1]


# Accidents of quoting a record may hold: quotes inside unquoted fields (an inch mark), quoted
# fields over several lines, a quote left open, carriage returns, blank lines.
_ACCIDENTS = st.sampled_from(
    [
        "S1,Acme,RU,8542.31,Chips\n",
        "S2,Bolt GmbH,DE,0901.21,Coffee\r\n",
        'S3,Acme,KZ,7304.19,12" pipe\n',
        'S4,"Acme, Inc.",TR,8542.31,"two\nlines"\n',
        'S5,Ac"me,AE,8471.50,"6"" pipe"\n',
        "\n",
        "\r\n",
        'S6,"open quote,RU,8542.31,x\n',
        'S7,a"b"c,DE,,\n',
        'S8,Orion LLC,RU,8542.31,"x"y\n',
        '"',
        "\r",
        'S9,x,RU,8542.31,"ends in a quote""\n',
        "S1,Acme again,RU,8542.31,Chips\n",
    ]
)


def _outputs(path: Path, *, workers: bool, block: int) -> tuple[str, str]:
    """The CSV and JSON Lines outputs of a file: screened in one process, or as the main
    process sends it to workers and a worker screens it (in this process)."""
    from engine.io.csvwriter import ResultWriter
    from engine.io.outputs import JsonlWriter
    from engine.scale import pool

    csv_out, jsonl_out = io.StringIO(), io.StringIO()
    with ShipmentReader(path, encoding="utf-8") as reader:
        reader.BLOCK_BYTES = block
        writers = [ResultWriter(csv_out, reader.header), JsonlWriter(jsonl_out, reader.header)]
        if workers:
            pool.set_worker(
                SCREENER, [w.renderer for w in writers], reader.shaper, reader.delimiter
            )
            for segments, _ in pool._work(reader, 7):
                done = pool._screen_in_worker(segments)
                for writer, piece in zip(writers, done.pieces, strict=True):
                    writer.write_rendered(piece)
        else:
            pool.screen_rows(SCREENER, reader, writers, workers=1, commit=False)
    return csv_out.getvalue(), jsonl_out.getvalue()


def _parts_outputs(path: Path, part_rows: int) -> tuple[str, str]:
    """The CSV and JSON Lines outputs of a file as a cluster writes them, its parts joined (the
    parts screened here, one after another, by the code a worker runs)."""
    from engine.scale.cluster import part_name, plan, screen_part

    the_plan = plan([str(path)], encoding="utf-8", part_rows=part_rows)
    joined = []
    for fmt in ("csv", "jsonl"):
        with tempfile.TemporaryDirectory() as folder:
            for part in the_plan.parts:
                screen_part(part, screener=SCREENER, folder=folder, fmt=fmt, columns=None)
            texts = [
                (Path(folder) / part_name(p.number, fmt)).read_bytes().decode("utf-8")
                for p in the_plan.parts
            ]
        if fmt == "csv" and texts:  # each part has the header; the whole has it once
            texts = [texts[0], *(t.split("\n", 1)[1] for t in texts[1:])]
        joined.append("".join(texts))
    return joined[0], joined[1]


@given(
    pieces=st.lists(_ACCIDENTS, max_size=40),
    block=st.sampled_from([16, 64, 1 << 18]),
    part_rows=st.integers(1, 9),
)
def test_workers_and_parts_read_records_as_one_process_does(
    pieces: list[str], block: int, part_rows: int
) -> None:
    """Differential: whatever the quoting accidents, the rows a worker parses from the text it is
    sent, and the rows of a cluster's parts joined, are the rows the single process reads (a
    quote left open spans at most 4 lines here)."""
    original = ShipmentReader.MAX_RECORD_LINES
    ShipmentReader.MAX_RECORD_LINES = 4
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "in.csv"
            path.write_bytes((HEADER.decode() + "".join(pieces)).encode())
            one = _outputs(path, workers=False, block=block)
            assert _outputs(path, workers=True, block=block) == one
            if one[0].count("\n") > 1:  # a file with rows: a cluster plans parts of it
                assert _parts_outputs(path, part_rows) == one
    finally:
        ShipmentReader.MAX_RECORD_LINES = original
