"""A screening run over a file: every row into every writer, in one process or in a pool of
worker processes, with what it saw counted (:class:`engine.io.manifest.RunStats`)."""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import gc
import itertools
import multiprocessing
import multiprocessing.connection
import os
import platform
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import OutputError, ShipscreenError
from engine.io.atomic import release_signals, signals_blocked
from engine.io.csvreader import RowShaper, ShipmentReader
from engine.io.csvwriter import ScreenedBatch, writes_as
from engine.io.manifest import RunStats
from engine.io.outputs import Renderer, Writer
from engine.io.targets import os_error_text
from engine.reading.record import InputRow
from engine.results import Quiet
from engine.rules.gates import QUIET
from engine.screener import Screener


class WorkerError(ShipscreenError):
    """A worker process failed; the run's outputs were not written."""


Piece = Any  # what a writer's renderer makes of a batch (text, or an HtmlPiece)


@dataclass
class Batch:
    """Rows read together, and how far into the input they reach (bytes, for progress)."""

    rows: list[InputRow]
    bytes_read: int


@dataclass
class BatchResult:
    """A batch screened: each writer's rendering of it, and what it counted."""

    pieces: list[Piece]
    stats: RunStats


def screen_batch(
    screener: Screener, rows: Sequence[InputRow], renderers: Sequence[Renderer]
) -> BatchResult:
    """Screen rows and render them for each writer (the work a worker process does)."""
    screened = [(row.cells, screener.screen_row(row)) for row in rows]
    stats = RunStats()
    for _, result in screened:
        stats.add(result)
    return BatchResult([r.render(screened) for r in renderers], stats)


def batches(reader: ShipmentReader, size: int) -> Iterator[Batch]:
    """The reader's rows, ``size`` at a time."""
    rows = iter(reader)
    while chunk := list(itertools.islice(rows, size)):
        yield Batch(chunk, reader.bytes_read)


def default_workers() -> int:
    """The processes to screen in by default: the cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def screen_rows(
    screener: Screener,
    reader: ShipmentReader,
    writers: Sequence[Writer],
    *,
    workers: int = 1,
    pool: WorkerPool | None = None,
    progress: Callable[[int, int], None] | None = None,
    stats: RunStats | None = None,
    batch_size: int | None = None,
    commit: bool = True,
) -> RunStats:
    """Screen every row of ``reader`` into every writer, calling ``progress(rows, bytes)`` at times.

    With ``workers`` above 1 the rows are screened and rendered in that many worker processes (a
    :class:`WorkerPool`, or ``pool`` if one is given, already started) and written in input
    order.  The writers are committed when the input is exhausted (left for the caller to commit
    or abort if ``commit`` is false, e.g. together with their manifests) and aborted if anything
    goes wrong (an interruption included), so no output looks complete unless it is.  ``stats``,
    if given, is filled as the run goes, so the caller knows how far an interrupted run got.
    """
    stats = stats if stats is not None else RunStats()
    clock = time.perf_counter()
    renderers = [w.renderer for w in writers]
    parallel = pool is not None or workers > 1
    size = batch_size or (WorkerPool.BATCH if parallel else 256)
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(fewer_collections())
            if parallel:
                if pool is None:
                    pool = WorkerPool(screener, reader, renderers, workers)
                stack.enter_context(pool)
                results = pool.screen(reader, size)
            else:
                results = (
                    (screen_batch(screener, b.rows, renderers), b.bytes_read)
                    for b in batches(reader, size)
                )
            for result, bytes_read in results:
                for writer, piece in zip(writers, result.pieces, strict=True):
                    try:
                        writer.write_rendered(piece)
                    except OSError as exc:  # a full disk, a lost mount
                        text = os_error_text(exc)
                        raise OutputError(f"cannot write: {text}", file=writer.name) from exc
                stats.merge(result.stats)
                if progress is not None:
                    progress(stats.rows, bytes_read)
        if commit:
            for writer in writers:
                writer.commit()
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    stats.seconds = time.perf_counter() - clock
    stats.finished = dt.datetime.now(dt.UTC)
    if progress is not None:
        progress(stats.rows, reader.bytes_read)
    return stats


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often while screening.

    Screening allocates many short-lived objects, freed by reference counting, and keeps growing
    caches; at the default thresholds the cyclic collector keeps walking those caches, which cost
    a third of the run.  Collections stay on (so memory stays bounded), just rarer.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


_THRESHOLDS = (100_000, 50, 50)

# What a worker process needs (set once in each worker): the screener, the writers' renderers,
# how to shape rows, and the input's delimiter.
_WORKER: tuple[Screener, Sequence[Renderer], RowShaper, str] | None = None

# A row sent as it is: line, cells, error, notes.
RowTuple = tuple[int, list[str], str | None, tuple[str, ...]]


@dataclass(slots=True)
class _Text:
    """A run of clean records as their text, parsed again in the worker (cheaper to send than
    cells): each record's first line, the duplicate-id notes by record index, and how many lines
    each record that holds a quote takes (the others take one), as the main process read them."""

    firsts: list[int]
    text: str
    duplicates: dict[int, str]
    spans: dict[int, int]


@dataclass(slots=True)
class _Rows:
    """Records read line by line, or in error, as rows."""

    rows: list[RowTuple]


# Work for a worker: segments in input order.
Segment = _Text | _Rows


def _start_worker(
    parent: int,
    screener: Screener,
    renderers: Sequence[Renderer],
    shaper: RowShaper,
    delimiter: str,
) -> None:
    # Ctrl-C reaches the whole process group: the main process stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    release_signals()  # forked with them held back (WorkerPool.__enter__)
    gc.set_threshold(*_THRESHOLDS)
    set_worker(screener, renderers, shaper, delimiter)


def _die_with_parent(parent: int) -> None:
    """End this worker when ``parent``, the process that started it, ends, however it ends
    (SIGKILL included, which gives it no chance to stop its workers): on Linux the kernel sends
    SIGKILL (PR_SET_PDEATHSIG); elsewhere a thread watches the parent's id.

    ``parent`` is the id the parent gave before forking: one read here could already be the
    reaper's, if the parent died between the fork and now (then the kernel is told to watch the
    reaper, and the worker would outlive its parent for good)."""
    if os.getppid() != parent:  # the parent is gone already
        os._exit(1)
    prctl = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            prctl = ctypes.CDLL(None, use_errno=True).prctl
    if prctl is not None and prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
        if os.getppid() != parent:  # the parent died before the kernel was told
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="shipscreen-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def set_worker(
    screener: Screener, renderers: Sequence[Renderer], shaper: RowShaper, delimiter: str
) -> None:
    """Make this process a worker (what a pool's processes do when they start; tests too)."""
    global _WORKER
    _WORKER = (screener, renderers, shaper, delimiter)


def _screen_in_worker(segments: list[Segment]) -> BatchResult:
    assert _WORKER is not None, "not a worker process"
    screener, renderers, shaper, delimiter = _WORKER
    lane = screener.quiet_lane(shaper.fields)
    verdict_of = lane.verdict
    width, longest = shaper.width, shaper.max_field
    batch = ScreenedBatch(screener, lane.shipment_id)
    add = batch.add
    for segment in segments:
        if isinstance(segment, _Rows):
            for n, cells, error, notes in segment.rows:
                add(
                    cells,
                    screener.screen_row(InputRow(n, cells, shaper.fields, error, notes)),
                    n,
                    None,
                )
            continue
        duplicates = segment.duplicates
        for i, (n, cells, line) in enumerate(_parse(segment, delimiter)):
            # A well-formed row the quiet lane passes is screened from its cells alone.
            verdict = None
            if (
                len(cells) == width
                and i not in duplicates
                and (len(line) if line is not None else max(map(len, cells))) <= longest
            ):
                verdict = verdict_of(cells)
                if verdict == QUIET:
                    add(cells, None, n, line if line is not None and writes_as(line) else None)
                    continue
            row = shaper.shape(n, cells, None)
            if i in duplicates:
                row = row.with_note(duplicates[i])
            result = screener.screen_row(row, verdict)
            quiet = isinstance(result, Quiet) and line is not None and writes_as(line)
            add(row.cells, result, n, line if quiet else None)
    stats = RunStats()
    stats.add_batch(batch)
    return BatchResult([r.render(batch) for r in renderers], stats)


def _parse(segment: _Text, delimiter: str) -> list[tuple[int, list[str], str | None]]:
    """The records of a text segment: first line number, cells, and the line itself (without
    its line end) for a one-line record that holds no quote, if the delimiter is a comma."""
    text, firsts = segment.text, segment.firsts
    comma = delimiter == ","
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    cr = "\r" in text
    if '"' not in text:  # one line a record
        if cr:
            lines = [line.rstrip("\r") for line in lines]
        if len(lines) != len(firsts):
            raise AssertionError(f"{len(lines)} lines for {len(firsts)} records in a batch")
        if comma:
            return [(n, line.split(","), line) for n, line in zip(firsts, lines, strict=True)]
        return [(n, line.split(delimiter), None) for n, line in zip(firsts, lines, strict=True)]
    out: list[tuple[int, list[str], str | None]] = []
    append = out.append
    spans = segment.spans
    i = 0
    for k, number in enumerate(firsts):
        line = lines[i]
        if '"' not in line:
            if cr:
                line = line.rstrip("\r")
            append((number, line.split(delimiter), line if comma else None))
            i += 1
            continue
        # A record with a quote is parsed as the reader parsed it, over the lines the reader
        # found it on: a quoted field may hold line ends, and a quote inside an unquoted field
        # (12" pipe) is a plain character.
        end = i + spans.get(k, 1)
        record = [f"{part}\n" for part in lines[i:end]]
        append((number, next(csv.reader(record, delimiter=delimiter, strict=True)), None))
        i = end
    if i != len(lines):
        raise AssertionError(f"{len(lines) - i} lines of a batch left unread")
    return out


def _work(reader: ShipmentReader, size: int) -> Iterator[tuple[list[Segment], int]]:
    """The reader's records, ``size`` at a time, as segments for workers, with bytes read."""
    shape = reader.shaper.shape
    duplicate = reader.duplicate
    segments: list[Segment] = []
    firsts: list[int] = []
    texts: list[str] = []
    duplicates: dict[int, str] = {}
    spans: dict[int, int] = {}
    rows: list[RowTuple] = []

    def end_text() -> None:
        nonlocal firsts, texts, duplicates, spans
        if firsts:
            segments.append(_Text(firsts, "".join(texts), duplicates, spans))
            firsts, texts, duplicates, spans = [], [], {}, {}

    def end_rows() -> None:
        nonlocal rows
        if rows:
            segments.append(_Rows(rows))
            rows = []

    count = 0
    for line, cells, problem, text in reader.records(id_only=True):
        note = duplicate(cells) if cells is not None else None
        if text is not None and problem is None:
            end_rows()
            if note is not None:
                duplicates[len(firsts)] = note
            if '"' in text:  # how many lines it takes is the reader's to say, not the quotes'
                spans[len(firsts)] = text.count("\n") + (not text.endswith("\n"))
            firsts.append(line)
            texts.append(text)
        else:
            end_text()
            row = shape(line, cells, problem)
            notes = row.notes
            if (read := reader.line_note(line)) is not None:
                notes = (*notes, read)
            if note is not None:
                notes = (*notes, note)
            rows.append((row.line, row.cells, row.error, notes))
        count += 1
        if count == size:
            end_text()
            end_rows()
            yield segments, reader.bytes_read
            segments, count = [], 0
    end_text()
    end_rows()
    if segments:
        yield segments, reader.bytes_read


def _map_large_blocks() -> None:
    """Have the C library's malloc (glibc) give every block of 128 KiB or more a mapping of its
    own, returned to the system when freed, in this process and those it forks.

    Batches travel between processes as text of a few hundred KiB, allocated and freed a
    thousand times a million rows.  By default glibc raises that threshold as large blocks are
    freed, after which such blocks are carved from the heap and fragment it: memory then grows
    with the length of the run.  Elsewhere (another C library, another system) nothing is done.
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, 128 * 1024)


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Let the pipes that carry batches to and from the workers hold a whole batch (1 MiB, the
    most an unprivileged process may ask on Linux; 64 KiB by default): each batch then crosses in
    a few writes rather than dozens, with as many fewer switches between processes.  Where the
    system or the executor's make-up differs, the pipes stay as they are."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl

    for name in ("_call_queue", "_result_queue"):
        connection = getattr(getattr(pool, name, None), "_reader", None)
        with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
            fcntl.fcntl(connection.fileno(), _F_SETPIPE_SZ, 1 << 20)  # type: ignore[union-attr]


_F_SETPIPE_SZ = 1031  # linux/fcntl.h


class WorkerPool:
    """Worker processes that screen and render batches of rows, results taken in input order.

    The main process reads and the workers parse, screen and render: runs of clean records
    travel as text.  The compiled screener reaches each worker once: inherited where processes
    are forked (Linux), pickled (rebuilt from its catalogue and rules) where they are spawned.
    At most ``AHEAD`` batches per worker are in flight, so memory stays flat however long the
    input.  A worker that dies (killed, out of memory) fails the run with :class:`WorkerError`;
    leaving the pool early (an error, Ctrl-C, SIGTERM) stops the workers at once.
    """

    BATCH = 1000
    AHEAD = 3

    def __init__(
        self,
        screener: Screener,
        reader: ShipmentReader,
        renderers: Sequence[Renderer],
        workers: int,
    ) -> None:
        self._workers = workers
        self._args = (screener, list(renderers), reader.shaper, reader.delimiter)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        if self._pool is not None:
            return self  # started already
        _map_large_blocks()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        if context.get_start_method() == "fork":
            self._args[0].share_with_forks()
        # Objects that exist now are never collected in the workers: their pages stay shared.
        gc.collect()
        gc.freeze()
        try:
            # The workers are forked with SIGINT and SIGTERM held back, so that one arriving
            # meanwhile reaches this process after the fork, never a half-started worker (each
            # worker sets its own handling, then lets them through).
            with signals_blocked():
                self._pool = ProcessPoolExecutor(
                    self._workers,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(os.getpid(), *self._args),
                )
                _widen_pipes(self._pool)
                started = self._pool.submit(int)  # the workers start now, before any other thread
            started.result()
        except BaseException:
            self.__exit__(*sys.exc_info())  # an interruption while starting stops the workers
            raise
        finally:
            gc.unfreeze()
        return self

    def screen(self, reader: ShipmentReader, size: int) -> Iterator[tuple[BatchResult, int]]:
        """Each batch's result and the bytes read by then, in input order."""
        pool = self._pool
        assert pool is not None, "use the pool in a with statement"
        pending: deque[tuple[Future[BatchResult], int]] = deque()
        try:
            for segments, bytes_read in _work(reader, size):
                pending.append((pool.submit(_screen_in_worker, segments), bytes_read))
                if len(pending) >= self._workers * self.AHEAD:
                    future, done = pending.popleft()
                    yield self._result(future), done
            while pending:
                future, done = pending.popleft()
                yield self._result(future), done
        except BrokenProcessPool as exc:
            raise WorkerError(
                "a screening worker process stopped unexpectedly (killed, or out of memory); "
                "nothing was written"
            ) from exc

    #: Seconds between looks at the workers while waiting for a batch, and how long a worker may
    #: stay stopped (SIGSTOP, a debugger) before the run fails rather than waiting for good.
    WATCH_SECONDS = 1.0
    STOPPED_SECONDS = 30.0

    def _result(self, future: Future[BatchResult]) -> BatchResult:
        """A batch's result; the run fails if a worker stays stopped (a worker that dies breaks
        the pool, which the caller sees)."""
        stopped_since: dict[int, float] = {}
        while True:
            try:
                return future.result(timeout=self.WATCH_SECONDS)
            except TimeoutError:
                pass
            now = time.monotonic()
            for pid in self._stopped():
                first = stopped_since.setdefault(pid, now)
                if now - first >= self.STOPPED_SECONDS:
                    raise WorkerError(
                        f"screening worker process {pid} has been stopped (SIGSTOP, or held by a "
                        f"debugger) for {now - first:.0f} s; nothing was written"
                    )

    def _stopped(self) -> list[int]:
        """The workers that are stopped now (from /proc; none known where there is no /proc)."""
        return self._stopped_of(list(getattr(self._pool, "_processes", None) or {}))

    @staticmethod
    def _stopped_of(pids: list[int]) -> list[int]:
        """Those of ``pids`` that are stopped now (from /proc)."""
        found = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state in ("T", "t"):
                found.append(pid)
        return found

    def _wait_for_end(self, processes: dict[int, Any]) -> None:
        """Wait for the workers to end by themselves; if one stays stopped for STOPPED_SECONDS,
        end them all now (the others may be waiting on a lock of the queue the stopped one
        holds, which they would never get)."""
        stopped_since: dict[int, float] = {}
        while alive := [p for p in processes.values() if p.is_alive()]:
            multiprocessing.connection.wait([p.sentinel for p in alive], self.WATCH_SECONDS)
            now = time.monotonic()
            stopped = set(self._stopped_of([p.pid for p in alive if p.pid is not None]))
            for pid in list(stopped_since):
                if pid not in stopped:
                    del stopped_since[pid]
            for pid in stopped:
                if now - stopped_since.setdefault(pid, now) >= self.STOPPED_SECONDS:
                    self._end_now(processes)
                    return

    @staticmethod
    def _end_now(processes: dict[int, Any]) -> None:
        """Stop the workers at once: SIGTERM (a stopped one is let go to take it), then SIGKILL
        for any still there after 5 s."""
        for process in list(processes.values()):
            process.terminate()
            if process.pid is not None and hasattr(signal, "SIGCONT"):
                with contextlib.suppress(OSError):  # a stopped worker takes SIGTERM when let go
                    os.kill(process.pid, signal.SIGCONT)
        deadline = time.monotonic() + 5
        for process in list(processes.values()):
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():  # stopped, or ignoring SIGTERM: SIGKILL ends it even so
                process.kill()
                process.join(timeout=5)

    def __exit__(self, *exc: object) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        manager = getattr(pool, "_executor_manager_thread", None)
        # Taken before shutdown(), which lets go of them (so, before, none was ever stopped here).
        processes = dict(getattr(pool, "_processes", None) or {})
        if exc[0] is None:
            # Every result is in: the workers end once they see the queue closed.  One that is
            # stopped (SIGSTOP, a debugger) never would, and shutdown(wait=True) would wait for it
            # for good.
            pool.shutdown(wait=False)
            self._wait_for_end(processes)
        else:
            pool.shutdown(wait=False, cancel_futures=True)
            self._end_now(processes)  # ProcessPoolExecutor would finish the work in progress
        # Let the executor's manager thread see its workers gone and close its pipes now: at
        # interpreter exit, concurrent.futures would otherwise wake it through a pipe it may be
        # closing that moment, and print an ignored "Bad file descriptor" traceback (Python 3.11).
        if manager is not None:
            manager.join(timeout=5)
