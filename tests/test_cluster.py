"""The Dask path: files planned into parts that read as the whole file does, a Dask DataFrame
screened partition by partition, and the command line on a real two-process LocalCluster
(agreeing with the CSV path; a dying worker retried, or the run failed with nothing written)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli import main
from engine import Screener
from engine.errors import InputError
from engine.io.csvreader import ShipmentReader
from engine.io.csvwriter import ResultWriter
from engine.scale.cluster import (
    MANIFEST_NAME,
    ClusterError,
    InputChangedError,
    check_part,
    expand_inputs,
    part_name,
    plan,
    screen_files,
    screen_part,
)
from engine.scale.pool import screen_rows
from tests.conftest import REPO, shared_path

HEADER = "shipment_id,shipper,consignee,consignee_country,hs_code,description\n"
EXAMPLE = REPO / "examples" / "shipments.csv"


def messy_csv(limit: int) -> bytes:
    """A file with what a reader must get right at any cut: blank lines, quoted fields over
    several lines, a stray quote, a quote left open past the reader's limit of lines a record may
    span (``limit``), bad bytes, NUL bytes, ragged rows, duplicate ids and CRLF line ends."""
    rows = [HEADER.encode(), b"\n"]
    for i in range(1, 40):
        rows.append(f"S{i},Acme {i},Orion LLC,RU,8542.31,Integrated circuits\n".encode())
        if i % 7 == 0:
            multiline = f'M{i},"Acme\nWarehouse {i}",Orion LLC,KZ,8471.50,"Servers\nand parts"\n'
            rows.append(multiline.encode())
        if i % 11 == 0:
            rows.append(b"\n")
        if i % 13 == 0:
            rows.append(f'Q{i},Acme "12 pipe,Orion,AE,7304.19,Pipes\r\n'.encode())
    rows.append(b"S5,Acme again,Orion LLC,RU,8542.31,Integrated circuits\n")  # a duplicate id
    rows.append(b"B1,Bad \xff byte,Orion LLC,TR,8536.90,Connectors\n")
    rows.append(b"N1,Nul\x00byte,Orion LLC,TR,8536.90,Connectors\n")
    rows.append(b"R1,Ragged,Orion LLC\n")
    rows.append(b"R2,Too,many,cells,in,this,row,here\n")
    rows.append(b'O1,"Open quote,Orion LLC,RU,8542.31,Chips\n')
    rows.extend(
        f"T{i},Trader {i},Orion LLC,AM,8517.62,Radios\n".encode() for i in range(limit + 60)
    )
    rows.append(b"S7,Last,Orion LLC,RU,8542.31,Chips")  # no line end, and a duplicate id
    return b"".join(rows)


def whole_file_output(screener: Screener, path: Path, tmp_path: Path) -> str:
    out = tmp_path / "whole.csv"
    with ShipmentReader(path) as reader:
        screen_rows(screener, reader, [ResultWriter(out, reader.header)])
    return out.read_text("utf-8")


def joined_parts(folder: Path, count: int, fmt: str = "csv") -> str:
    """The parts' CSV text as one file: the first part's header, then every part's rows."""
    texts = [(folder / part_name(n, fmt)).read_text("utf-8") for n in range(count)]
    header = texts[0].split("\n", 1)[0] + "\n"
    return header + "".join(t.split("\n", 1)[1] for t in texts)


@pytest.mark.parametrize("part_rows", [1, 2, 3, 7, 50, 10_000])
def test_parts_read_as_the_whole_file(
    screener: Screener, tmp_path: Path, part_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A shorter limit for a quote left open (1,000 lines) keeps the file, and its parts, few.
    monkeypatch.setattr(ShipmentReader, "MAX_RECORD_LINES", 40)
    src = tmp_path / "messy.csv"
    src.write_bytes(messy_csv(ShipmentReader.MAX_RECORD_LINES))
    expected = whole_file_output(screener, src, tmp_path)
    assert "is not closed within 40 lines" in expected  # the open quote is past the limit
    the_plan = plan([str(src)], part_rows=part_rows)
    records = len(list(csv.reader(io.StringIO(expected)))) - 1
    assert sum(p.rows for p in the_plan.parts) == the_plan.rows == records
    folder = tmp_path / "parts"
    folder.mkdir()
    for part in the_plan.parts:
        screen_part(part, screener=screener, folder=str(folder), fmt="csv", columns=None)
    assert joined_parts(folder, len(the_plan.parts)) == expected
    assert the_plan.duplicates == 2


def test_a_utf16_file_is_one_part(screener: Screener, tmp_path: Path) -> None:
    src = tmp_path / "wide.csv"
    body = HEADER + "".join(f"S{i},Acme,Orion LLC,RU,8542.31,Chips\n" for i in range(20))
    src.write_bytes(body.encode("utf-16"))
    the_plan = plan([str(src)], part_rows=3)
    assert len(the_plan.parts) == 1
    folder = tmp_path / "parts"
    folder.mkdir()
    screen_part(the_plan.parts[0], screener=screener, folder=str(folder), fmt="csv", columns=None)
    assert joined_parts(folder, 1) == whole_file_output(screener, src, tmp_path)


def test_duplicate_ids_are_found_across_files(screener: Screener, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + "S1,Acme,Orion LLC,RU,8542.31,Chips\n", encoding="utf-8")
    b.write_text(HEADER + "S2,Acme,Orion LLC,RU,8542.31,Chips\nS1,X,Y,DE,0901.21,Tea\n")
    the_plan = plan([str(a), str(b)])
    assert [p.duplicates for p in the_plan.parts] == [
        {},
        {3: "shipment_id 'S1' is used by an earlier row too"},
    ]


def test_inputs_of_another_layout_are_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + "S1,Acme,Orion LLC,RU,8542.31,Chips\n", encoding="utf-8")
    b.write_text("shipment_id,consignee\nS2,Acme\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.csv.*differ from those of"):
        plan([str(a), str(b)])


# ------------------------------------------------------------------ inputs changed after planning


def shipments_csv(rows: int, start: int = 0) -> bytes:
    ids = range(start, start + rows)
    lines = "".join(f"S{i},Acme {i},Orion LLC,RU,8542.31,Integrated circuits\n" for i in ids)
    return (HEADER + lines).encode()


def rewrite(path: Path, data: bytes, how: str) -> None:
    """Write ``data`` over the file, as ``how`` says: ``mtime kept`` puts its modification time
    back (a copy that keeps times, or a write within the file system's clock tick)."""
    planned = path.stat()
    path.write_bytes(data)
    if how == "mtime kept":
        os.utime(path, ns=(planned.st_atime_ns, planned.st_mtime_ns))
    else:  # a clock tick later, however coarse the file system's clock
        os.utime(path, ns=(planned.st_atime_ns, planned.st_mtime_ns + 1_000_000_000))


def same_size_other_bytes(data: bytes) -> bytes:
    """``data`` with one shipment's consignee country changed (RU to BY): the same size."""
    at = data.rindex(b",RU,")
    return data[:at] + b",BY," + data[at + 4 :]


def run_parts(
    screener: Screener, the_plan: Any, folder: Path, fmt: str = "csv"
) -> list[ClusterError]:
    """Screen every part of the plan into ``folder``; the errors of those that failed."""
    folder.mkdir(exist_ok=True)
    errors = []
    for part in the_plan.parts:
        try:
            screen_part(part, screener=screener, folder=str(folder), fmt=fmt, columns=None)
        except ClusterError as exc:
            errors.append(exc)
    return errors


CHANGES = [
    pytest.param("other size", id="other-size"),
    pytest.param("same size", id="same-size-new-mtime"),
    pytest.param("mtime kept", id="same-size-mtime-kept"),
]


@pytest.mark.parametrize("part_rows", [1_000, 7])
@pytest.mark.parametrize("how", CHANGES)
def test_a_csv_file_rewritten_after_planning_fails_its_parts(
    screener: Screener, tmp_path: Path, how: str, part_rows: int
) -> None:
    src = tmp_path / "in.csv"
    data = shipments_csv(30)
    src.write_bytes(data)
    the_plan = plan([str(src)], part_rows=part_rows)
    assert run_parts(screener, the_plan, tmp_path / "before") == []  # unchanged: it passes
    changed = data + shipments_csv(1, 99)[len(HEADER) :] if how == "other size" else None
    rewrite(src, changed or same_size_other_bytes(data), how)
    errors = run_parts(screener, the_plan, tmp_path / "after")
    assert errors, "a part read the rewritten file"
    message = str(errors[-1])  # the last part holds the changed row
    assert message.startswith(f"{src} changed after the run was planned: ")
    if how == "other size":
        assert f"it had {len(data):,} bytes, it has {len(changed or b''):,}" in message
    elif how == "same size":
        assert "it was modified at " in message
    else:
        assert "the bytes part " in message
        assert "differ from those planned" in message
    assert not list((tmp_path / "after").glob(".*"))  # no temporary file left by a failed part


@pytest.mark.parametrize("how", CHANGES)
def test_a_parquet_file_rewritten_after_planning_fails_its_parts(
    screener: Screener, tmp_path: Path, how: str
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    rows = [line.split(",") for line in shipments_csv(30).decode().splitlines()]

    def parquet_bytes(table_rows: list[list[str]]) -> bytes:
        columns = {name: [r[i] for r in table_rows] for i, name in enumerate(rows[0])}
        sink = io.BytesIO()
        pq.write_table(pa.table(columns), sink, row_group_size=10, compression="none")
        return sink.getvalue()

    data = parquet_bytes(rows[1:])
    src.write_bytes(data)
    the_plan = plan([str(src)], part_rows=10)
    assert len(the_plan.parts) == 3
    assert run_parts(screener, the_plan, tmp_path / "before", "parquet") == []
    if how == "other size":
        changed = parquet_bytes([*rows[1:], rows[1]])
    else:  # one byte of the last row group's pages ("Acme 25": neither its least nor its most)
        at = data.index(b"Acme 25") + len("Acme 2")
        changed = data[:at] + b"6" + data[at + 1 :]
    rewrite(src, changed, how)
    errors = run_parts(screener, the_plan, tmp_path / "after", "parquet")
    assert errors, "a part read the rewritten file"
    assert all(str(e).startswith(f"{src} changed after the run was planned: ") for e in errors)
    if how == "mtime kept":  # only the part whose bytes changed can tell
        assert [str(e).split("the bytes part ")[1].split()[0] for e in errors] == ["2"]


@given(position=st.integers(min_value=0), value=st.integers(min_value=1, max_value=255))
def test_any_byte_changed_fails_the_part_that_reads_it(
    screener: Screener, tmp_path_factory: pytest.TempPathFactory, position: int, value: int
) -> None:
    """Whatever byte of a file of several parts changes (size and modification time kept), a
    part that reads it fails, naming the file."""
    src = tmp_path_factory.mktemp("flip") / "in.csv"
    data = shipments_csv(12)
    src.write_bytes(data)
    the_plan = plan([str(src)], part_rows=3)
    at = position % len(data)
    flipped = bytearray(data)
    flipped[at] ^= value
    rewrite(src, bytes(flipped), "mtime kept")
    failed = []
    for part in the_plan.parts:
        try:
            check_part(part)
        except InputChangedError as exc:
            failed.append(str(exc))
    assert failed, f"no part noticed byte {at} changed"
    assert all(f.startswith(f"{src} changed after the run was planned: ") for f in failed)


def test_a_file_that_changes_while_it_is_planned_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.scale.cluster as cluster

    src = tmp_path / "in.csv"
    src.write_bytes(shipments_csv(30))
    offsets = cluster._line_offsets

    def appended_meanwhile(path: str, lines: Any) -> dict[int, int]:
        with open(path, "ab") as file:  # a writer still appending as the plan reads
            file.write(shipments_csv(1, 99)[len(HEADER) :])
        return offsets(path, lines)

    monkeypatch.setattr(cluster, "_line_offsets", appended_meanwhile)
    with pytest.raises(InputError, match=r"in\.csv: it changed while the plan read it"):
        plan([str(src)], part_rows=10)


def test_inputs_expand_folders_and_patterns(tmp_path: Path) -> None:
    for name in ("b.csv", "a.parquet", "notes.md"):
        (tmp_path / name).write_text("x")
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "a.parquet"), str(tmp_path / "b.csv")]
    assert expand_inputs([str(tmp_path / "*.csv"), str(tmp_path / "b.csv")]) == [
        str(tmp_path / "b.csv")
    ]
    with pytest.raises(InputError, match="no file matches"):
        expand_inputs([str(tmp_path / "*.tsv")])
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.csv")])


# ------------------------------------------------------------------------ on a LocalCluster

dd = pytest.importorskip("dask.dataframe", reason="the Dask tests need shipscreen[dask]")
distributed = pytest.importorskip("distributed", reason="the Dask tests need shipscreen[dask]")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _local_cluster(**config: Any) -> Iterator[Any]:
    import dask

    with (
        dask.config.set(config),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
    ):
        yield cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A real cluster: a scheduler and two worker processes (each with its nanny)."""
    yield from _local_cluster()


@pytest.fixture
def client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster) as client:
        yield client


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["screen", *args, "-q"])


def run_on(cluster: Any, *inputs: str, out: Path, rows: int, fmt: str = "parquet") -> Any:
    """``shipscreen screen INPUTS -o OUT --engine dask`` on ``cluster``, parts of ``rows``."""
    address = cluster.scheduler_address
    return run_cli(
        *inputs, "-o", str(out), "--engine", "dask", "--scheduler", address,
        "--partition-rows", str(rows), "--format", fmt,
    )  # fmt: skip


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


RESULTS = ("risk_score", "risk_band", "rule_ids", "reasons", "error", "unread")


def test_the_cli_on_a_cluster_writes_what_the_csv_path_writes(
    screener: Screener, cluster: Any, tmp_path: Path
) -> None:
    source = shared_path("dev-set", "shipments.csv")
    out = tmp_path / "results"
    result = run_on(cluster, str(source), out=out, rows=97, fmt="csv")
    assert result.exit_code == 0, result.output
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [MANIFEST_NAME, *(part_name(n, "csv") for n in range(7))]
    assert joined_parts(out, 7) == whole_file_output(screener, source, tmp_path)


def test_parquet_files_in_parquet_parts_out(
    screener: Screener, cluster: Any, tmp_path: Path
) -> None:
    """The dev set as three Parquet files of several row groups each, screened into Parquet
    parts: every row's result is the CSV path's."""
    source = shared_path("dev-set", "shipments.csv")
    expected = csv_rows(whole_file_output(screener, source, tmp_path))
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    data = tmp_path / "lake"
    data.mkdir()
    for i, chunk in enumerate((frame[:250], frame[250:420], frame[420:])):
        table = pa.Table.from_pandas(chunk.reset_index(drop=True), preserve_index=False)
        pq.write_table(table, data / f"shipments-{i}.parquet", row_group_size=40)
    out = tmp_path / "results"
    result = run_on(cluster, str(data / "*.parquet"), out=out, rows=100)
    assert result.exit_code == 0, result.output
    screened = pd.read_parquet(out)  # the manifest's name starts with "_": readers skip it
    assert len(screened) == len(expected) == 600
    assert screened["risk_score"].dtype == "float64"
    for row, want in zip(screened.to_dict("records"), expected, strict=True):
        assert row["shipment_id"] == want["shipment_id"]
        assert f"{row['risk_score']:.1f}" == want["risk_score"]
        for column in RESULTS[1:]:
            text = row[column] if isinstance(row[column], str) else ""  # null: empty
            assert text == want[column], (row["shipment_id"], column)


def test_the_manifest_accounts_for_the_run(cluster: Any, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = run_on(cluster, str(EXAMPLE), str(EXAMPLE), out=out, rows=4)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    rows = len(csv_rows(EXAMPLE.read_text("utf-8")))
    assert manifest["input"]["rows"] == manifest["rows"]["total"] == rows  # listed once
    assert [f["path"] for f in manifest["input"]["files"]] == [str(EXAMPLE)]
    assert manifest["screening"]["engine"] == "dask"
    assert manifest["screening"]["workers"] == 2
    assert [o["path"] for o in manifest["outputs"]] == [
        str(out / part_name(n, "parquet")) for n in range(manifest["screening"]["partitions"])
    ]
    assert sum(manifest["rows"]["by_band"].values()) + manifest["rows"]["errors"] == rows


def test_screen_dask_agrees_with_screen_frame(
    screener: Screener, client: Any, tmp_path: Path
) -> None:
    source = shared_path("dev-set", "shipments.csv")
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    lazy = screener.screen_dask(dd.from_pandas(frame, npartitions=4), hits=True)
    assert list(lazy.columns) == [*frame.columns, *RESULTS, "hits"]
    screened = lazy.compute()
    whole = screener.screen_frame(frame, hits=True)
    for column in (*RESULTS, "hits"):
        assert screened[column].tolist() == whole[column].tolist(), column


def test_screen_dask_needs_a_shipment_column(screener: Screener) -> None:
    frame = dd.from_pandas(pd.DataFrame({"colour": ["red"]}), npartitions=1)
    with pytest.raises(ValueError, match="no column names a shipment field"):
        screener.screen_dask(frame)


# A worker plugin that kills its worker's process as a part starts: the first time only (a
# marker file says it has), or every time.  Pickled by value: workers cannot import tests.
class _KillOnPart(distributed.WorkerPlugin):
    name = "kill-on-part"

    def __init__(self, marker: str | None) -> None:
        self.marker = marker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or "screen_part" not in str(key):
            return
        if self.marker is not None:
            try:  # the first worker to get here claims the marker; the others go on
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return
        os._exit(1)


@pytest.fixture
def kill_plugin() -> Iterator[type[_KillOnPart]]:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        yield _KillOnPart
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_worker_that_dies_once_is_replaced_and_its_part_screened_again(
    screener: Screener, kill_plugin: type[_KillOnPart], tmp_path: Path
) -> None:
    for cluster in _local_cluster():
        with distributed.Client(cluster) as client:
            client.register_plugin(kill_plugin(str(tmp_path / "killed")))
        out = tmp_path / "results"
        result = run_on(cluster, str(EXAMPLE), out=out, rows=5, fmt="csv")
        assert result.exit_code == 0, result.output
        assert (tmp_path / "killed").exists()  # a worker did die
        count = len(list(out.glob("part-*.csv")))
        assert joined_parts(out, count) == whole_file_output(screener, EXAMPLE, tmp_path)
        assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_workers_that_keep_dying_fail_the_run_with_nothing_written(
    kill_plugin: type[_KillOnPart], tmp_path: Path
) -> None:
    for cluster in _local_cluster(**{"distributed.scheduler.allowed-failures": 0}):
        with distributed.Client(cluster) as client:
            client.register_plugin(kill_plugin(None))
        out = tmp_path / "results"
        result = run_on(cluster, str(EXAMPLE), out=out, rows=5)
        assert result.exit_code == 2
        assert "died" in result.stderr
        assert "nothing was written" in result.stderr
        assert list(tmp_path.iterdir()) == []  # no folder, not even a hidden partial one


def test_the_output_folder_must_be_new_or_empty(tmp_path: Path) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "old.parquet").write_text("x")
    result = run_cli(str(EXAMPLE), "-o", str(out), "--engine", "dask")
    assert result.exit_code == 2
    assert "not an empty folder" in result.stderr


def test_several_inputs_need_the_dask_engine(tmp_path: Path) -> None:
    result = run_cli(str(EXAMPLE), str(EXAMPLE), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "--engine dask" in result.stderr
    result = run_cli(str(EXAMPLE), "-o", str(tmp_path / "x.csv"), "--scheduler", "tcp://x:1")
    assert result.exit_code == 2
    assert "--scheduler is for --engine dask" in result.stderr


def test_waiting_for_more_workers_than_the_cluster_has_times_out(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("engine.scale.cluster._WAIT_FOR_WORKERS", 1)
    out = tmp_path / "results"
    result = run_cli(
        str(EXAMPLE), "-o", str(out), "--engine", "dask", "--workers", "3",
        "--scheduler", cluster.scheduler_address,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "has 2 workers; waited 1 s for 3" in result.stderr
    assert not out.exists()


def test_a_worker_given_as_the_scheduler_is_refused(cluster: Any, tmp_path: Path) -> None:
    """A worker speaks Dask (it greets as a scheduler does) but is not a scheduler."""
    worker = next(iter(cluster.scheduler_info["workers"]))
    out = tmp_path / "results"
    result = run_cli(str(EXAMPLE), "-o", str(out), "--engine", "dask", "--scheduler", worker)
    assert result.exit_code == 2, result.output
    assert f"cannot use the scheduler at {worker}: " in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_file_rewritten_after_planning_fails_the_run_on_a_cluster(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.scale.cluster as module

    src = tmp_path / "in.csv"
    data = shipments_csv(30)
    src.write_bytes(data)
    planned = module.plan

    def rewritten_after_planning(*args: Any, **kwargs: Any) -> Any:
        the_plan = planned(*args, **kwargs)
        rewrite(src, same_size_other_bytes(data), "mtime kept")
        return the_plan

    monkeypatch.setattr(module, "plan", rewritten_after_planning)
    out = tmp_path / "results"
    result = run_on(cluster, str(src), out=out, rows=7)
    assert result.exit_code == 2, result.output
    assert f"shipscreen: {src} changed after the run was planned: the bytes part " in (
        result.stderr
    )
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no folder, no .partial


def test_a_file_rewritten_as_its_parts_finish_fails_the_run(
    screener: Screener, client: Any, tmp_path: Path
) -> None:
    """The parts read the file as planned, and it changes before the folder is put in place:
    the client's last look finds it."""
    src = tmp_path / "in.csv"
    data = shipments_csv(30)
    src.write_bytes(data)
    the_plan = plan([str(src)], part_rows=10)
    done = []

    def rewrite_after_the_last(rows: int) -> None:
        done.append(rows)
        if len(done) == len(the_plan.parts):
            rewrite(src, data + data[len(HEADER) :], "other size")

    out = tmp_path / "results"
    with pytest.raises(ClusterError, match="changed after the run was planned: it had ") as info:
        screen_files(screener, the_plan, out, "csv", client, progress=rewrite_after_the_last)
    assert str(info.value).startswith(str(src))
    assert "(found once its parts were screened); nothing was written" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_the_manifest_records_what_the_plan_read(cluster: Any, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = run_on(cluster, str(EXAMPLE), out=out, rows=4)
    assert result.exit_code == 0, result.output
    (listed,) = json.loads((out / MANIFEST_NAME).read_text("utf-8"))["input"]["files"]
    stat = EXAMPLE.stat()
    assert (listed["bytes"], listed["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns)
