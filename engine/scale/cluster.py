"""Screening on a Dask cluster: a Dask DataFrame partition by partition, or many CSV and Parquet
files into a folder of result partitions.

Dask is an optional dependency (``pip install 'shipscreen[dask]'``: dask.dataframe and
dask.distributed), imported only here and only when used.  Either way the compiled screener
reaches each worker once (see :func:`share`) and each task names it by key, so the catalogue and
any sanctions lists never travel with the tasks.

:func:`screen_dask` screens a ``dask.dataframe.DataFrame`` with ``map_partitions`` and returns the
screened one, for the caller to write where they like.  Each partition is screened by
:func:`engine.scale.frames.screen_frame`; rows are numbered, and duplicate shipment ids noted,
within their partition.

:func:`screen_files` is the command line's ``--engine dask``: the machine that runs it plans the
work (reads the CSV files once for their record boundaries and shipment ids, the Parquet files'
footers and id columns), then each part (a run of a CSV file's records, or of a Parquet file's row
groups) is read, screened and written on a worker by the code of the single-machine path, so the
parts hold what one run over the file would write, line numbers and duplicate-id notes included.
Parts are written to a hidden folder beside the output and the folder is renamed into place, with
its manifest, only when every part is done.  The plan records what it read of each file (its size,
modification time and SHA-256, and the SHA-256 of the bytes each part reads); a part whose file is
not so when it runs fails the run, as does a file changed by the time the parts are done, so that
the manifest describes what was screened.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import hashlib
import importlib
import importlib.util
import itertools
import logging
import os
import secrets
import shutil
import signal
import socket
import struct
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.decoding import splits_on_newline_bytes
from engine.errors import InputError, ShipscreenError
from engine.io.csvreader import FilePart, RowShaper, SeenIds, ShipmentReader, duplicate_note
from engine.io.header import Header
from engine.io.manifest import RunManifest, RunStats, write_manifest
from engine.io.outputs import open_writer
from engine.reading.record import InputRow
from engine.scale.frames import cell_of, screen_frame
from engine.scale.pool import default_workers, fewer_collections, screen_batch
from engine.screener import Screener
from engine.version import engine_version

#: Rows a part holds by default (a task's work: a few seconds on one core).
PART_ROWS = 100_000
#: Rows screened and written together within a part (a Parquet row group).
_BATCH = 5_000
#: The formats a cluster run writes its parts in.
PART_FORMATS = ("parquet", "csv", "jsonl")
_SUFFIXES = {"parquet": ".parquet", "csv": ".csv", "jsonl": ".jsonl"}
_PARQUET_SUFFIXES = (".parquet", ".pq")
_INPUT_SUFFIXES = (".csv", ".tsv", ".txt", *_PARQUET_SUFFIXES)
#: Seconds to wait for an existing cluster's workers.
_WAIT_FOR_WORKERS = 120
#: Seconds a scheduler has to accept the connection and greet (a Dask server sends its handshake
#: at once); the client's connection is bounded by the same.
_CONNECT_TIMEOUT = 30.0
#: The most bytes a scheduler's greeting may take (it takes about sixty).
_GREETING_BYTES = 1 << 16
_ADDRESS_FORMS = "tcp://HOST:PORT (or HOST:PORT), tls://HOST:PORT or another address Dask takes"
#: The run's manifest, inside the output folder (Parquet and Dask readers skip names with "_").
MANIFEST_NAME = "_manifest.json"


class ClusterError(ShipscreenError):
    """The cluster could not be used, or a part could not be screened; nothing was written."""


class InputChangedError(ClusterError):
    """An input file changed after the run was planned: what its parts would read is not what
    the plan (and the run's manifest) say was read."""


def dask_available() -> bool:
    """Whether dask.dataframe and dask.distributed are installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("dask", "distributed", "pandas"))


# ------------------------------------------------------------------------ a Dask DataFrame


def share(screener: Screener, client: Any = None) -> Any:
    """The screener as tasks should take it: with a dask.distributed client (``client``, else the
    current one), a future of it, held on the cluster; without one, a single key of the graph
    (the local schedulers).

    The future is a task that returns the screener: the scheduler keeps the task (the screener
    pickled once) and a worker runs it; every other worker fetches the result once, when it first
    needs it.  If every worker holding it dies, the scheduler runs the task again, where scattered
    data would be lost and the run with it.
    """
    client = client if client is not None else _current_client()
    if client is not None:
        token = secrets.token_hex(8)
        return client.submit(_held, screener, key=f"shipscreen-screener-{token}", pure=False)
    delayed = importlib.import_module("dask").delayed
    return delayed(screener, pure=True)


def _held(screener: Screener) -> Screener:
    return screener


def _current_client() -> Any:
    if importlib.util.find_spec("distributed") is None:
        return None
    distributed = importlib.import_module("distributed")
    try:
        return distributed.default_client()
    except ValueError:  # no client
        return None


def screen_dask(
    screener: Screener,
    frame: Any,
    *,
    columns: Mapping[str, str] | None = None,
    hits: bool = False,
    client: Any = None,
) -> Any:
    """The Dask DataFrame ``frame`` screened: each partition with the result columns added, as
    :func:`engine.scale.frames.screen_frame` adds them (declared as the result's ``meta``).

    Nothing is computed here.  The screener is sent to the workers of ``client`` (default: the
    current dask.distributed client, if any) once, now.  Rows are numbered, and duplicate shipment
    ids noted, within their partition.  Raises ValueError, before anything runs, if no column names
    a shipment field or the frame has result columns already.
    """
    meta = screen_frame(screener, frame._meta, columns=columns, hits=hits)
    return frame.map_partitions(
        _screen_partition,
        screener=share(screener, client),
        columns=dict(columns) if columns else None,
        hits=hits,
        meta=meta,
    )


def _screen_partition(
    partition: Any, *, screener: Screener, columns: dict[str, str] | None, hits: bool
) -> Any:
    return screen_frame(screener, partition, columns=columns, hits=hits)


# ------------------------------------------------------------------------ files on a cluster


@dataclass(frozen=True)
class InputFile:
    """One input file as the plan read it."""

    path: str
    format: str  # csv | parquet
    sha256: str
    bytes: int
    rows: int
    encoding: str | None = None
    delimiter: str | None = None
    #: Its modification time when the plan read it (nanoseconds since the epoch).
    mtime_ns: int = 0


#: Byte ranges of a file, [start, end) each, in order.
Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Part:
    """The work of one task: which rows of which file, and the notes the plan found for them."""

    number: int
    path: str
    format: str  # csv | parquet
    first_line: int
    rows: int
    #: CSV: the bytes to read (None: the whole file), the line the next part starts at (None:
    #: the last part), the file's encoding and delimiter, and whether its UTF-8 lines are read as
    #: UTF-8 (a file detected as single-byte: see ShipmentReader).
    file_part: FilePart | None = None
    stop_line: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    utf8_lines: bool = False
    #: Parquet: the row groups.
    row_groups: tuple[int, ...] = ()
    #: Duplicate-id notes by line.
    duplicates: Mapping[int, str] = field(default_factory=dict)
    #: The file as the plan read it: its size and modification time (None: not planned), the
    #: bytes this part reads (a CSV file's header and the part's lines; a Parquet file's footer
    #: and the part's row groups) and their SHA-256.  See :func:`check_part`.
    stamp: tuple[int, int] | None = None
    spans: Spans = ()
    digest: str = ""


@dataclass
class Plan:
    """The run's inputs, their common header, and the parts to screen."""

    files: list[InputFile]
    header: Header
    parts: list[Part]

    @property
    def rows(self) -> int:
        """The rows of all inputs."""
        return sum(f.rows for f in self.files)

    @property
    def duplicates(self) -> int:
        """The rows whose shipment id an earlier row used."""
        return sum(len(p.duplicates) for p in self.parts)


def expand_inputs(patterns: Sequence[str]) -> list[str]:
    """The files named by paths, folders (their CSV and Parquet files) and glob patterns, in
    order (each folder's and pattern's files sorted), each once."""
    found: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        if pattern == "-":
            raise InputError("a cluster reads files, not standard input", file=pattern)
        if path.is_dir():
            names = sorted(
                str(p)
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in _INPUT_SUFFIXES
            )
            if not names:
                raise InputError("the folder holds no CSV or Parquet files", file=pattern)
        elif glob.has_magic(pattern):
            names = sorted(p for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not names:
                raise InputError("no file matches the pattern", file=pattern)
        elif path.is_file():
            names = [pattern]
        else:
            raise InputError("no such file", file=pattern)
        found.extend(names)
    return list(dict.fromkeys(found))


def input_format(path: str) -> str:
    """'parquet' for a .parquet or .pq file, else 'csv'."""
    return "parquet" if Path(path).suffix.lower() in _PARQUET_SUFFIXES else "csv"


def plan(
    paths: Sequence[str],
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    part_rows: int = PART_ROWS,
) -> Plan:
    """Read the inputs once for the parts to screen: where each part starts, and which rows use
    a shipment id an earlier row (of any input, in order) used.  Every input must have the first
    one's columns.  Raises InputError naming the file if one cannot be read."""
    seen = SeenIds()
    files: list[InputFile] = []
    parts: list[Part] = []
    header: Header | None = None
    for path in paths:
        if input_format(path) == "parquet":
            file, file_header, file_parts = _plan_parquet(path, columns, part_rows, seen)
        else:
            file, file_header, file_parts = _plan_csv(
                path, columns, encoding, delimiter, part_rows, seen
            )
        if header is None:
            header = file_header
        elif file_header.columns != header.columns:
            raise InputError(
                f"its columns ({', '.join(file_header.columns)}) differ from those of "
                f"{paths[0]} ({', '.join(header.columns)}); screen files of one layout together",
                file=path,
            )
        files.append(file)
        for part in file_parts:
            parts.append(dataclasses.replace(part, number=len(parts)))
    if header is None:
        raise InputError("no input files", file="")
    return Plan(files, header, parts)


def _plan_csv(
    path: str,
    columns: Mapping[str, str] | None,
    encoding: str | None,
    delimiter: str | None,
    part_rows: int,
    seen: SeenIds,
) -> tuple[InputFile, Header, list[Part]]:
    starts: list[int] = []  # the first line of each part's first record
    notes: dict[int, str] = {}
    count = 0
    before = _planned_stat(path)
    with ShipmentReader(path, columns=columns, encoding=encoding, delimiter=delimiter) as reader:
        shipment_id = reader.shaper.shipment_id
        for line, cells, _, _ in reader.records(id_only=True):
            if count % part_rows == 0:
                starts.append(line)
            count += 1
            if cells is not None and (sid := shipment_id(cells)) and seen.add(sid):
                notes[line] = duplicate_note(sid)
        file = InputFile(
            path, "csv", reader.sha256(), reader.bytes_read, count, reader.encoding,
            reader.delimiter, before.st_mtime_ns,
        )  # fmt: skip
        header, first_data = reader.header, reader.first_data_line
    encoding = reader.encoding or "utf-8"

    def csv_part(first: int, rows: int, **where: Any) -> Part:
        return Part(
            number=0, path=path, format="csv", first_line=first, rows=rows, encoding=encoding,
            delimiter=reader.delimiter, utf8_lines=reader.utf8_lines, **where,
        )  # fmt: skip

    # One part for a file that cannot be cut at its b"\n" bytes: UTF-16 and UTF-32, and a file
    # whose lines end in a carriage return alone.
    whole_file = not splits_on_newline_bytes(encoding) or reader.line_ends == "CR"
    if len(starts) <= 1 or whole_file:
        whole = [csv_part(first_data, count, duplicates=notes)] if count else []
        return file, header, _sealed_csv(file, before, whole, [((0, file.bytes),)] * len(whole))
    # Each part reads from its first record to the next part's, and on for as many lines as a
    # quoted field may span, so a quote left open is judged as in one pass over the file.
    limit = ShipmentReader.MAX_RECORD_LINES
    ends = [s + limit for s in starts[1:]]
    offsets = _line_offsets(path, [first_data, *starts, *ends])
    by_part = _notes_by_part(notes, starts)
    parts = []
    for i, start in enumerate(starts):
        last = i == len(starts) - 1
        first = first_data if i == 0 else start
        file_part = FilePart(
            head=offsets[first_data],
            start=offsets[first],
            end=file.bytes if last else offsets[ends[i]],
            first_line=first,
        )
        rows = count - i * part_rows if last else part_rows
        stop = None if last else starts[i + 1]
        parts.append(
            csv_part(first, rows, file_part=file_part, stop_line=stop, duplicates=by_part[i])
        )
    spans = [((0, p.head), (p.start, p.end)) for p in (part.file_part for part in parts) if p]
    return file, header, _sealed_csv(file, before, parts, spans)


def _sealed_csv(
    file: InputFile, before: os.stat_result, parts: list[Part], spans: Sequence[Spans]
) -> list[Part]:
    """The parts, sealed (:func:`_sealed`); the file must be as the plan's first read found it:
    ``file``'s size and SHA-256."""
    size, digest, sealed = _sealed(file.path, before, parts, spans)
    if (size, digest) != (file.bytes, file.sha256):
        raise _changed_while_planned(file.path)
    return sealed


def _notes_by_part(notes: Mapping[int, str], starts: Sequence[int]) -> list[dict[int, str]]:
    """The notes (by line) split among the parts that start at the lines ``starts``."""
    by_part: list[dict[int, str]] = [{} for _ in starts]
    for line, note in notes.items():
        by_part[bisect_right(starts, line) - 1][line] = note
    return by_part


def _line_offsets(path: str, lines: Iterable[int]) -> dict[int, int]:
    """The byte offset at which each of ``lines`` (numbered from 1, ended by b"\\n") starts;
    a line past the end starts at the file's end."""
    wanted = sorted(set(lines))
    out: dict[int, int] = {}
    i = 0
    while i < len(wanted) and wanted[i] <= 1:
        out[wanted[i]] = 0
        i += 1
    line, pos = 1, 0  # the line that starts at byte ``pos``
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 23), b""):
            newlines = block.count(b"\n")
            k, p = 0, -1
            while i < len(wanted) and wanted[i] <= line + newlines:
                while k < wanted[i] - line:
                    p = block.index(b"\n", p + 1)
                    k += 1
                out[wanted[i]] = pos + p + 1
                i += 1
            line += newlines
            pos += len(block)
    for number in wanted[i:]:
        out[number] = pos
    return out


def _plan_parquet(
    path: str, columns: Mapping[str, str] | None, part_rows: int, seen: SeenIds
) -> tuple[InputFile, Header, list[Part]]:
    parquet = importlib.import_module("pyarrow.parquet")
    before = _planned_stat(path)
    try:
        source = parquet.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own errors for a file that is not Parquet
        raise InputError(f"cannot read as Parquet: {exc}", file=path) from exc
    names = [str(n) for n in source.schema_arrow.names]
    header = Header.read(names, columns)
    if (message := header.no_field_message()) is not None:
        raise InputError(message, file=path)
    # Rows are numbered as the lines of the CSV file the table would make: the first is line 2.
    notes: dict[int, str] = {}
    id_column = header.fields.index("shipment_id") if "shipment_id" in header.fields else None
    if id_column is not None:
        line = 2
        for batch in source.iter_batches(columns=[names[id_column]], batch_size=65_536):
            for value in batch.column(0).to_pylist():
                if (sid := cell_of(value).strip()) and seen.add(sid):
                    notes[line] = duplicate_note(sid)
                line += 1
    metadata = source.metadata
    total = metadata.num_rows
    runs: list[tuple[int, int, tuple[int, ...]]] = []  # first line, rows, row groups
    groups: list[int] = []
    rows = 0
    first = 2
    for group in range(metadata.num_row_groups):
        groups.append(group)
        rows += metadata.row_group(group).num_rows
        if rows >= part_rows or group == metadata.num_row_groups - 1:
            if rows:
                runs.append((first, rows, tuple(groups)))
            first += rows
            groups, rows = [], 0
    by_part = _notes_by_part(notes, [run[0] for run in runs])
    parts = []
    for (start, count, row_groups), mine in zip(runs, by_part, strict=True):
        part = Part(0, path, "parquet", start, count, row_groups=row_groups, duplicates=mine)
        parts.append(part)
    # A part reads the magic number, the footer (the schema and where each row group lies) and
    # its row groups' column chunks.
    footer = (_parquet_footer_start(path, before.st_size), before.st_size)
    spans = [
        ((0, 4), *(_row_group_span(metadata.row_group(g)) for g in p.row_groups), footer)
        for p in parts
    ]
    size, digest, sealed = _sealed(path, before, parts, spans)
    file = InputFile(path, "parquet", digest, size, total, mtime_ns=before.st_mtime_ns)
    return file, header, sealed


def _parquet_footer_start(path: str, size: int) -> int:
    """Where a Parquet file's footer starts: its last 8 bytes are the footer's length and the
    magic number."""
    with open(path, "rb") as file:
        file.seek(max(0, size - 8))
        (length,) = struct.unpack("<I", file.read(4).ljust(4, b"\0"))
    return max(0, size - 8 - int(length))


def _row_group_span(group: Any) -> tuple[int, int]:
    """The bytes a Parquet row group's column chunks take (their dictionary and data pages)."""
    starts, ends = [], []
    for c in range(group.num_columns):
        column = group.column(c)
        # A writer that wrote no dictionary page may give its offset as 0 (or None).
        offsets = (column.dictionary_page_offset, column.data_page_offset)
        first = min((o for o in offsets if o), default=0)
        starts.append(first)
        ends.append(first + column.total_compressed_size)
    return (min(starts), max(ends)) if starts else (0, 0)


def _planned_stat(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from exc


def _sealed(
    path: str, before: os.stat_result, parts: list[Part], spans: Sequence[Spans]
) -> tuple[int, str, list[Part]]:
    """The file's size and SHA-256, and its parts with what each reads stamped on them (see
    :attr:`Part.stamp`; ``spans``: what each part reads), from one more pass over the file;
    InputError if the file changed while the plan read it (``before``: its status when the plan
    began)."""
    size, digest, digests = _digests(path, spans)
    after = _planned_stat(path)
    stamp = (before.st_size, before.st_mtime_ns)
    if (after.st_size, after.st_mtime_ns) != stamp or size != before.st_size:
        raise _changed_while_planned(path)
    return (
        size,
        digest,
        [
            dataclasses.replace(part, stamp=stamp, spans=mine, digest=hashed)
            for part, mine, hashed in zip(parts, spans, digests, strict=True)
        ],
    )


def _changed_while_planned(path: str) -> InputError:
    return InputError(
        "it changed while the plan read it (is it still being written?); screen it once it is "
        "complete",
        file=path,
    )


def _digests(path: str, span_sets: Sequence[Spans]) -> tuple[int, str, list[str]]:
    """In one pass over the file: its size, its SHA-256, and the SHA-256 of the bytes of each
    set of spans (each set's spans sorted and apart, as :func:`_spans_digest` reads them)."""
    whole = hashlib.sha256()
    hashes = [hashlib.sha256() for _ in span_sets]
    spans = sorted((a, b, i) for i, each in enumerate(span_sets) for a, b in each if b > a)
    active: list[tuple[int, int, int]] = []
    k = pos = 0
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 22), b""):
            end = pos + len(block)
            while k < len(spans) and spans[k][0] < end:
                active.append(spans[k])
                k += 1
            view = memoryview(block)
            for start, stop, i in active:
                if min(stop, end) > max(start, pos):
                    hashes[i].update(view[max(start, pos) - pos : min(stop, end) - pos])
            active = [span for span in active if span[1] > end]
            whole.update(block)
            pos = end
    return pos, whole.hexdigest(), [h.hexdigest() for h in hashes]


def _spans_digest(path: str, spans: Spans) -> str:
    """The SHA-256 of the file's bytes in ``spans``, one after the other (short where the file
    is)."""
    sha = hashlib.sha256()
    with open(path, "rb") as file:
        for start, stop in spans:
            file.seek(start)
            left = stop - start
            while left > 0 and (block := file.read(min(left, 1 << 22))):
                sha.update(block)
                left -= len(block)
    return sha.hexdigest()


def check_part(part: Part) -> None:
    """Raise InputChangedError unless the file the part reads is as the plan read it: of the
    same size and modification time, and the bytes the part reads of the same SHA-256.

    A part runs on a worker, perhaps long after the plan: a file rewritten meanwhile would be
    screened as it now is while the manifest gave the planned file's SHA-256.  The hash covers
    what the part reads (a rewrite within the file system's clock tick, or a copy that kept the
    time, keeps size and modification time).  A part built by hand (no stamp) is not checked.
    """
    if part.stamp is None:
        return
    _check_stamp(part.path, *part.stamp)
    try:
        digest = _spans_digest(part.path, part.spans)
    except OSError as exc:
        raise InputChangedError(
            f"{part.path} cannot be read since the run was planned: {exc.strerror or exc}"
        ) from exc
    if part.digest and digest != part.digest:
        raise InputChangedError(
            f"{part.path} changed after the run was planned: the bytes part {part.number} "
            "reads differ from those planned (its size and modification time are as they were)"
        )


def _check_stamp(path: str, size: int, mtime_ns: int) -> None:
    """Raise InputChangedError unless the file at ``path`` has ``size`` bytes and was last
    modified at ``mtime_ns``."""
    try:
        now = os.stat(path)
    except FileNotFoundError as exc:
        raise InputChangedError(f"{path} changed after the run was planned: it is gone") from exc
    except OSError as exc:
        raise InputChangedError(
            f"{path} cannot be read since the run was planned: {exc.strerror or exc}"
        ) from exc
    changes = []
    if now.st_size != size:
        changes.append(f"it had {size:,} bytes, it has {now.st_size:,}")
    if now.st_mtime_ns != mtime_ns:
        changes.append(
            f"it was modified at {_when(now.st_mtime_ns)} (when planned: {_when(mtime_ns)})"
        )
    if changes:
        raise InputChangedError(f"{path} changed after the run was planned: {'; '.join(changes)}")


def _when(ns: int) -> str:
    moment = dt.datetime.fromtimestamp(ns / 1e9, dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def part_rows(part: Part, columns: Mapping[str, str] | None) -> tuple[Header, Iterator[InputRow]]:
    """The header and the rows of a part, as one pass over its file would give them."""
    if part.format == "parquet":
        return _parquet_rows(part, columns)
    reader = ShipmentReader(
        part.path,
        columns=columns,
        encoding=part.encoding,
        delimiter=part.delimiter,
        part=part.file_part,
        utf8_lines=part.utf8_lines,
    )
    return reader.header, _csv_rows(reader, part)


def _csv_rows(reader: ShipmentReader, part: Part) -> Iterator[InputRow]:
    with reader:
        shape = reader.shaper.shape
        for line, cells, problem, _ in reader.records():
            if part.stop_line is not None and line >= part.stop_line:
                return
            row = shape(line, cells, problem)
            if (read := reader.line_note(line)) is not None:
                row = row.with_note(read)
            if cells is not None and (note := part.duplicates.get(line)) is not None:
                row = row.with_note(note)
            yield row


def _parquet_rows(
    part: Part, columns: Mapping[str, str] | None
) -> tuple[Header, Iterator[InputRow]]:
    parquet = importlib.import_module("pyarrow.parquet")
    source = parquet.ParquetFile(part.path)
    header = Header.read([str(n) for n in source.schema_arrow.names], columns)
    shaper = RowShaper(header, ShipmentReader.MAX_FIELD)

    def rows() -> Iterator[InputRow]:
        line = part.first_line
        for group in part.row_groups:
            table = source.read_row_group(group)
            values = [table.column(i).to_pylist() for i in range(table.num_columns)]
            for record in zip(*values, strict=True):
                row = shaper.shape(line, [cell_of(v) for v in record], None)
                if (note := part.duplicates.get(line)) is not None:
                    row = row.with_note(note)
                yield row
                line += 1

    return header, rows()


def screen_part(
    part: Part,
    *,
    screener: Screener,
    folder: str,
    fmt: str,
    columns: dict[str, str] | None,
) -> RunStats:
    """Screen one part and write it as ``folder/part-NNNNN.<fmt>`` (atomically): the task a
    worker runs.  InputChangedError, and nothing written, if the file is not as the plan read it
    (:func:`check_part`), before or after the part is screened."""
    check_part(part)
    try:
        header, rows = part_rows(part, columns)
    except InputError:
        check_part(part)  # a file that has changed since is told as such
        raise
    path = Path(folder) / part_name(part.number, fmt)
    writer = open_writer(path, fmt, header)  # type: ignore[arg-type]
    stats = RunStats()
    renderers = [writer.renderer]
    try:
        with fewer_collections():
            while batch := list(itertools.islice(rows, _BATCH)):
                result = screen_batch(screener, batch, renderers)
                writer.write_rendered(result.pieces[0])
                stats.merge(result.stats)
        if part.stamp is not None:  # nor while the part was read (Parquet's row groups, as read)
            _check_stamp(part.path, *part.stamp)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return stats


def part_name(number: int, fmt: str) -> str:
    """The file name of part ``number``."""
    return f"part-{number:05d}{_SUFFIXES[fmt]}"


# ------------------------------------------------------------------------ the run


@dataclass
class ClusterRun:
    """What the command line says about a cluster run."""

    scheduler: str | None = None
    workers: int | None = None


def worker_version() -> str:
    """The shipscreen version a worker has (run on each worker before screening)."""
    return engine_version()


def scheduler_address(text: str) -> str:
    """The scheduler address ``text`` as dask.distributed reads it, with its protocol
    (``host:port`` is TCP's), or ClusterError saying why it is not one."""
    comm = importlib.import_module("distributed.comm")
    registry = importlib.import_module("distributed.comm.registry")

    def refuse(why: str) -> ClusterError:
        return ClusterError(
            f"--scheduler {text!r} is not a scheduler address: {why}; give {_ADDRESS_FORMS}"
        )

    if not text or any(c.isspace() or not c.isprintable() for c in text):
        raise refuse("it is empty or has spaces or control characters")
    scheme, location = comm.parse_address(text)
    try:
        backend = registry.get_backend(scheme)
    except ValueError as exc:  # an unknown protocol: the message lists the known ones
        raise refuse(str(exc)) from exc
    if not location:
        raise refuse("it names no host")
    try:
        host, port = backend.get_address_host_port(location)
    except NotImplementedError:  # a protocol without hosts and ports (inproc)
        return str(comm.unparse_address(scheme, location))
    except ValueError as exc:
        raise refuse(str(exc)) from exc
    if not host:
        raise refuse("it names no host")
    if not 0 < port < 65536:
        raise refuse(f"port {port} is not one a scheduler listens on")
    return str(comm.unparse_address(scheme, location))


def _expect_dask(address: str, timeout: float) -> None:
    """Raise ClusterError unless the server at the TCP or TLS ``address`` greets as Dask does,
    within ``timeout`` seconds of being called.

    distributed's client waits for the server's handshake without a time limit and allocates
    whatever length the handshake's first eight bytes give: about 3 EiB for an HTTP reply or
    random bytes.  A Dask server sends its handshake as soon as it accepts a connection, a small
    message: this reads it with a plain socket and a deadline, checks its frame and that it
    decodes as a mapping, and hands it back (the client's half of the handshake: the same
    settings) before closing, so that the scheduler sees a complete handshake.
    """
    scheme, location = importlib.import_module("distributed.comm").parse_address(address)
    if scheme not in ("tcp", "tls"):
        return  # other protocols have their own handshakes
    host, port = importlib.import_module("distributed.comm.addressing").parse_host_port(location)
    context = None
    if scheme == "tls":
        security = importlib.import_module("distributed.security").Security()
        context = security.get_connection_args("client")["ssl_context"]
        if context is None:
            raise ClusterError(
                f"--scheduler {address} asks for TLS, and Dask's configuration has no TLS "
                "certificates for a client (distributed.comm.tls: ca-file, client.cert and "
                "client.key)"
            )
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as plain:
            connection = plain
            if context is not None:  # its handshake within the time left
                plain.settimeout(max(0.1, deadline - time.monotonic()))
                connection = context.wrap_socket(plain, server_hostname=host)
            with connection:
                greeting = _greeting(connection, deadline, address, timeout)
                connection.settimeout(max(0.1, deadline - time.monotonic()))
                connection.sendall(greeting)
    except TimeoutError as exc:
        raise ClusterError(
            f"cannot reach the scheduler at {address}: no answer to connecting in {timeout:g} s"
        ) from exc
    except OSError as exc:
        raise ClusterError(
            f"cannot reach the scheduler at {address}: {exc.strerror or exc}"
        ) from exc


def _greeting(connection: socket.socket, deadline: float, address: str, timeout: float) -> bytes:
    """The handshake a Dask server sends on connecting (its length, then its frames), read by
    ``deadline``; ClusterError if what comes is not one."""
    received = bytearray()

    def receive(count: int) -> None:
        while len(received) < count:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError
                connection.settimeout(left)
                chunk = connection.recv(max(count - len(received), 4096))
            except TimeoutError:
                if not received:
                    raise not_dask(
                        f"it accepted the connection but sent nothing for {timeout:g} s (a Dask "
                        "scheduler greets at once; is this another kind of server?)"
                    ) from None
                raise not_dask(
                    f"it sent {len(received)} bytes, then nothing for {timeout:g} s"
                ) from None
            if not chunk:
                if not received:
                    raise not_dask("it closed the connection without a word")
                raise not_dask(f"it sent {len(received)} bytes and closed the connection")
            received.extend(chunk)

    def not_dask(why: str) -> ClusterError:
        return ClusterError(f"no Dask scheduler answers at {address}: {why}")

    def nonsense() -> ClusterError:
        return not_dask(f"it answered {_shown(bytes(received[:24]))}, not as Dask does")

    receive(8)
    (length,) = struct.unpack("Q", received[:8])
    if not 16 <= length <= _GREETING_BYTES:
        raise nonsense()
    receive(8 + length)
    body = memoryview(received)[8:]
    (frames,) = struct.unpack_from("Q", body)
    if not 1 <= frames <= (length - 8) // 8:
        raise nonsense()
    lengths = struct.unpack_from(f"{frames}Q", body, 8)
    start = 8 + 8 * frames
    if start + lengths[0] > length:
        raise nonsense()
    msgpack = importlib.import_module("msgpack")
    try:  # plain msgpack: nothing a server sends here is unpickled
        message = msgpack.unpackb(body[start : start + lengths[0]], use_list=False)
    except Exception as exc:  # msgpack raises several kinds for bytes that are not msgpack
        raise nonsense() from exc
    if not isinstance(message, dict):
        raise nonsense()
    return bytes(received[: 8 + length])


def _shown(data: bytes) -> str:
    """Bytes as a person reads them: quoted text if they are printable ASCII, else hex."""
    if all(32 <= b < 127 or b in b"\r\n\t" for b in data):
        return repr(data.decode("ascii").splitlines()[0])
    return data.hex(" ")


@contextlib.contextmanager
def connect(scheduler: str | None, workers: int | None, run: ClusterRun) -> Iterator[Any]:
    """A dask.distributed client: of the scheduler at ``scheduler`` (waiting until it has
    ``workers`` workers, or one), or of a local cluster of ``workers`` processes (default: this
    machine's cores) of one thread each.  ClusterError if the address is not one, or no Dask
    scheduler answers there within ``_CONNECT_TIMEOUT`` seconds.

    distributed logs nothing meanwhile (what fails is told by ClusterError; its log lines, with
    tracebacks as a cluster closes on a failure, would only repeat it).  A local cluster's worker
    processes block SIGINT (a terminal's Ctrl-C reaches them too: the command takes it and stops
    them), log nothing either, and end at once if the block fails or is interrupted."""
    distributed = importlib.import_module("distributed")
    local: Any = None
    with contextlib.ExitStack() as stack:
        stack.enter_context(_logs_quiet("distributed"))
        if scheduler is not None:
            scheduler = scheduler_address(scheduler)
            _expect_dask(scheduler, _CONNECT_TIMEOUT)
            try:
                client = stack.enter_context(
                    distributed.Client(scheduler, timeout=_CONNECT_TIMEOUT)
                )
            except OSError as exc:
                raise ClusterError(f"cannot reach the scheduler at {scheduler}: {exc}") from exc
            except Exception as exc:  # a Dask server that is not a scheduler (a worker)
                raise ClusterError(
                    f"cannot use the scheduler at {scheduler}: {type(exc).__name__}: {exc}"
                ) from exc
            _wait_for_workers(client, workers or 1, f"the scheduler at {scheduler}")
        else:
            wanted = workers or default_workers()
            with _sigint_blocked():  # the cluster's threads, and so its workers, block SIGINT
                local = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=0,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.CRITICAL,
                    )
                )
            local.scale(wanted)
            client = stack.enter_context(distributed.Client(local))
            _wait_for_workers(client, wanted, "the local cluster")
        run.scheduler = str(client.scheduler.address)
        run.workers = len(client.scheduler_info().get("workers", {}))
        _check_versions(client)
        try:
            yield client
        except BaseException:
            if local is not None:
                _end_workers(local)
            raise


@contextlib.contextmanager
def _logs_quiet(name: str) -> Iterator[None]:
    """The logger ``name`` (and those under it) logging only what is critical, until the block
    ends; distributed sets the level of its handlers, and puts it back as a cluster closes, before
    the cluster's last messages."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _wait_for_workers(client: Any, wanted: int, cluster: str) -> None:
    try:
        client.wait_for_workers(wanted, timeout=_WAIT_FOR_WORKERS)
    except TimeoutError as exc:
        have = len(client.scheduler_info().get("workers", {}))
        raise ClusterError(
            f"{cluster} has {have} workers; waited {_WAIT_FOR_WORKERS} s for {wanted}"
        ) from exc


def _end_workers(cluster: Any) -> None:
    """End a local cluster's worker processes now (SIGTERM), the run having failed or been
    interrupted: a task cannot be stopped otherwise, and closing waits for it (5 s), then
    kills."""
    for nanny in list(cluster.workers.values()):
        pid = getattr(nanny, "pid", None)
        if isinstance(pid, int):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread, and so in the threads it starts meanwhile (a local
    cluster's event loop), the threads those start and the processes they spawn (its workers),
    for good; in this thread a SIGINT that came meanwhile arrives when the block ends.

    A terminal's Ctrl-C goes to every process of its group: to a worker process it is a
    KeyboardInterrupt, and a traceback from each.  With SIGINT blocked there, the command alone
    takes it, and closes the cluster.  SIGTERM is left alone: it is how a nanny stops its worker.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # multiprocessing starts its resource tracker with the first process it spawns, and then
    # unblocks SIGINT in the thread that spawned it: started here first, it is not started there.
    importlib.import_module("multiprocessing.resource_tracker").ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _check_versions(client: Any) -> None:
    version = engine_version()
    try:
        versions = client.run(worker_version)
    except Exception as exc:  # a worker without shipscreen cannot even load the function
        raise ClusterError(
            f"the workers cannot run shipscreen ({type(exc).__name__}: {exc}); install "
            f"shipscreen {version} on every worker"
        ) from exc
    other = {w: v for w, v in versions.items() if v != version}
    if other:
        listed = ", ".join(f"{w} has {v}" for w, v in sorted(other.items()))
        raise ClusterError(f"the workers must run shipscreen {version}: {listed}")


def check_output(output: str | Path) -> None:
    """Raise InputError unless ``output`` can become the run's folder: absent, or empty."""
    target = Path(output)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            "exists and is not an empty folder; a cluster run writes a new folder of parts",
            file=str(target),
        )


def screen_files(
    screener: Screener,
    the_plan: Plan,
    output: str | Path,
    fmt: str,
    client: Any,
    *,
    columns: Mapping[str, str] | None = None,
    manifest: Callable[[RunStats, list[str]], RunManifest] | None = None,
    progress: Callable[[int], None] | None = None,
    stats: RunStats | None = None,
) -> list[str]:
    """Screen the plan's parts on the cluster of ``client`` into the folder ``output``, which
    appears, with every part and the manifest ``manifest(stats, parts)`` makes, only when all
    parts are written; the part files' paths, in order.

    ``stats`` is filled when the parts are done; ``progress(rows)`` is called as each finishes.
    A part that fails (or whose workers keep dying) fails the run with ClusterError and nothing
    is written; so does an input that is not as the plan read it, when a part reads it or once
    the parts are done (InputChangedError).  If this process itself is killed, a hidden
    ``.NAME.*.partial`` folder is left.
    """
    distributed = importlib.import_module("distributed")
    stats = stats if stats is not None else RunStats()
    check_output(output)
    target = Path(output)
    staging = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
    staging.mkdir(parents=True)
    clock = time.perf_counter()
    futures: list[Any] = []
    paths = [str(target / part_name(p.number, fmt)) for p in the_plan.parts]
    try:
        shared = share(screener, client)
        futures = client.map(
            screen_part,
            the_plan.parts,
            screener=shared,
            folder=str(staging),
            fmt=fmt,
            columns=dict(columns) if columns else None,
            pure=False,
        )
        number_of = {f.key: i for i, f in enumerate(futures)}
        done: dict[int, RunStats] = {}
        rows = 0
        for future in distributed.as_completed(futures):
            number = number_of[future.key]
            done[number] = _result(future, the_plan.parts[number], distributed)
            rows += done[number].rows
            if progress is not None:
                progress(rows)
        for file in the_plan.files:  # as the parts read them, and as the manifest will say
            try:
                _check_stamp(file.path, file.bytes, file.mtime_ns)
            except InputChangedError as exc:
                raise InputChangedError(
                    f"{exc} (found once its parts were screened); nothing was written"
                ) from exc
        for number in range(len(futures)):
            stats.merge(done[number])
        stats.seconds = time.perf_counter() - clock
        stats.finished = dt.datetime.now(dt.UTC)
        # A worker that died while writing leaves its hidden temporary file: not a part.
        for leftover in staging.glob(".*"):
            leftover.unlink()
        if manifest is not None:
            write_manifest(staging / MANIFEST_NAME, manifest(stats, paths))
        if target.exists():
            target.rmdir()  # empty, as check_output found it
        staging.rename(target)
    except BaseException:
        client.cancel(futures)
        _remove_staging(staging)
        raise
    return paths


def _remove_staging(staging: Path) -> None:
    """Remove the hidden folder of a run that failed or was stopped.  Tasks still running (a
    cancelled task is not stopped) may yet open a part in it: it is renamed first, so that they
    find no folder to write in, then removed."""
    removed = staging.with_name(staging.name.removesuffix(".partial") + ".removed")
    try:
        staging.rename(removed)
    except OSError:
        removed = staging
    shutil.rmtree(removed, ignore_errors=True)


def _result(future: Any, part: Part, distributed: Any) -> RunStats:
    try:
        stats: RunStats = future.result()
    except InputChangedError as exc:
        raise InputChangedError(f"{exc}; nothing was written") from exc
    except distributed.KilledWorker as exc:
        raise ClusterError(
            f"part {part.number} ({_where(part)}): the workers running it died (killed, or out "
            "of memory) as many times as the scheduler allows; nothing was written"
        ) from exc
    except CancelledError as exc:  # distributed's FutureCancelledError among them
        raise ClusterError(
            f"part {part.number} ({_where(part)}) was cancelled by the cluster (its scheduler "
            f"or workers were lost: {exc}); nothing was written"
        ) from exc
    except Exception as exc:
        raise ClusterError(
            f"part {part.number} ({_where(part)}) failed: {type(exc).__name__}: {exc}; "
            "nothing was written"
        ) from exc
    return stats


def _where(part: Part) -> str:
    return f"{part.path} from line {part.first_line}"
