"""The ``shipscreen`` command: a thin shell over the engine's public API.

Exit codes: 0 done; 1 a shipment reached ``--fail-on``'s band, a row had unread fields under
``--fail-on-unread``, or a rule test or property failed;
2 unusable rules, entities, lists, column map or input; 130 and 143 interrupted by SIGINT (Ctrl-C)
and SIGTERM.

SIGINT and SIGTERM are handled from the moment the command starts, before anything is loaded: at
any moment they stop it, outputs not yet complete are removed, and it says what it got to, with no
traceback.  The engine is imported inside the commands, so that the command starts (and can be
stopped cleanly) in the time it takes Python to load click.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from engine import Screener
    from engine.decoding import Detection
    from engine.io.csvreader import ShipmentReader
    from engine.io.manifest import RunManifest, RunStats

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2

# Inputs smaller than this are screened in one process: starting workers would cost more.
_PARALLEL_FROM = 1_000_000
_DIR = click.Path(exists=False, file_okay=False, path_type=Path)
_FILE = click.Path(exists=False, path_type=Path)

# The engine's names for what the options offer, written here so that the command starts without
# importing the engine (tests/test_cli.py checks that they agree with it).
BANDS = ("low", "medium", "high", "critical")  # engine.results.SEVERITIES
FORMATS = ("csv", "jsonl", "html", "parquet")  # engine.io.outputs.FORMATS
PART_ROWS = 100_000  # engine.scale.cluster.PART_ROWS


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the command stops wherever it is.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it, and
    unlike it, so that click does not turn it into "Aborted!" and exit code 1: :class:`Shipscreen`
    reports it and exits with 128 + the signal's number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """SIGINT or SIGTERM."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


_INTERRUPTED = threading.Event()  # the command was interrupted: it is on its way out


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # The first signal stops the command; the clean-up it sets off is not itself interrupted.
    for other in _SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    _INTERRUPTED.set()
    raise Interrupted(signum)


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` (in the main thread; elsewhere, as before)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _INTERRUPTED.clear()
    previous = {s: signal.signal(s, _interrupt) for s in _SIGNALS}
    try:
        yield
    finally:
        # Once interrupted, the command is on its way out: the signals stay ignored, as the first
        # left them, so that a second one during the interpreter's shutdown (joining a worker
        # pool's threads) prints no traceback.
        if not _INTERRUPTED.is_set():
            for s, handler in previous.items():
                signal.signal(s, handler)


class Shipscreen(click.Group):
    """The command group: signals are handled before anything else, and an interruption anywhere
    ends the command with its exit code and a line saying so."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with _interruptible():
            try:
                return super().main(*args, **kwargs)
            except Interrupted as exc:  # a command that writes nothing, or before it began to
                click.echo(
                    f"shipscreen: interrupted by {exc.name}; no output was written", err=True
                )
                sys.exit(exc.exit_code)


@lru_cache(maxsize=1)
def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    click.echo(f"shipscreen: {message}", err=True)
    sys.exit(code)


def _load(
    rules: Path | None,
    entities: Path | None,
    lists: tuple[Path, ...] = (),
    allow: tuple[Path, ...] = (),
) -> Screener:
    from engine import ConfigError, Screener

    context = click.get_current_context(silent=True)
    list_encoding = context.meta.get(_LIST_ENCODING) if context is not None else None
    try:
        if rules is None and entities is None and not lists and not allow:
            return Screener.default()
        return Screener.load(
            rules=rules, entities=entities, lists=lists, allow=allow, list_encoding=list_encoding
        )
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable; keeps type checkers sure the function returns


rules_option = click.option("--rules", type=_DIR, help="Rule set directory (default: bundled).")
entities_option = click.option(
    "--entities", type=_DIR, help="Entity catalogue directory (default: bundled)."
)
columns_option = click.option(
    "--columns", type=_FILE, help="YAML file mapping input headers to shipment fields."
)
encoding_option = click.option(
    "--encoding",
    help="The input's encoding (default: detected: UTF-8, UTF-16, Windows-1251 or Latin-1).",
)
delimiter_option = click.option(
    "--delimiter", help="The input's field delimiter (default: detected: , ; tab or |)."
)
F = TypeVar("F", bound=Callable[..., Any])
_LIST_ENCODING = "shipscreen.list_encoding"


def _remember_list_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_LIST_ENCODING] = value


_list_path_option = click.option(
    "--list",
    "lists",
    multiple=True,
    type=_FILE,
    help="Sanctions list to screen against as well: OFAC sdn.csv (alt.csv beside it is read too), "
    "OpenSanctions targets.simple.csv, or entity YAML. Repeatable.",
)
_list_encoding_option = click.option(
    "--list-encoding",
    expose_value=False,
    callback=_remember_list_encoding,
    help="The lists' encoding (default: each list's own: its byte-order mark, else UTF-8, else "
    "Windows-1252).",
)


def list_option(command: F) -> F:
    """--list and --list-encoding (which the loading reads from the command's context)."""
    return _list_path_option(_list_encoding_option(command))


allow_option = click.option(
    "--allow",
    multiple=True,
    type=_FILE,
    help="Allow-list file of cleared matches (YAML with 'cleared:'). Repeatable.",
)


def screening_options(command: F) -> F:
    """The options of a command that screens an input: rules, entities, columns, encoding,
    delimiter, lists and allow-lists."""
    for option in (allow_option, list_option, delimiter_option, encoding_option, columns_option,
                   entities_option, rules_option):  # fmt: skip
        command = option(command)
    return command


def _delimiter(delimiter: str | None) -> str | None:
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            _fail(f"--delimiter is one character (or 'tab'), not {delimiter!r}")
    return delimiter


def _column_map(columns: Path | None) -> dict[str, str] | None:
    from engine import InputError
    from engine.io.header import load_column_map

    try:
        return load_column_map(columns) if columns else None
    except InputError as exc:
        _fail(str(exc))
        raise  # unreachable


def _reader(
    input_path: str,
    columns: Path | None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ShipmentReader:
    from engine import InputError
    from engine.io.csvreader import ShipmentReader

    delimiter = _delimiter(delimiter)
    mapping = _column_map(columns)
    try:
        return ShipmentReader(input_path, columns=mapping, encoding=encoding, delimiter=delimiter)
    except InputError as exc:
        _fail(str(exc))
        raise  # unreachable


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from engine.version import engine_version

        click.echo(f"shipscreen, version {engine_version()}")
        ctx.exit()


@click.group(cls=Shipscreen, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Screen shipments for signs of diversion to Russia's military."""


@main.command()
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    help="File to write: CSV, JSON Lines (.jsonl), HTML (.html) or Parquet (.parquet), by its "
    "name or --format; "
    "'-' for standard output. Repeatable, to write several formats in one pass. With --engine "
    "dask: the folder to write the parts in.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from the name)."
)
@click.option(
    "--fail-on",
    type=click.Choice(BANDS),
    help="Exit with code 1 when any shipment reaches this band or a higher one.",
)
@click.option(
    "--fail-on-unread",
    is_flag=True,
    help="Exit with code 1 when a row fills a field that could not be read (a party, country, "
    "HS code, number or text: the 'unread' column), or when a --columns entry names no column.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option(
    "--manifest/--no-manifest",
    default=True,
    show_default=True,
    help="Write OUTPUT.manifest.json beside each output file (with --engine dask: "
    "FOLDER/_manifest.json).",
)
@screening_options
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes to screen in; results keep the input's order. Default: the machine's cores "
    f"(one for an input under {_PARALLEL_FROM // 1_000_000} MB). With --engine dask: the local "
    "cluster's worker processes, or with --scheduler the workers to wait for.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine's processes. dask: a Dask cluster (needs shipscreen[dask]); INPUT "
    "may then be several CSV or Parquet files, folders or quoted glob patterns.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: the scheduler of an existing cluster (e.g. tcp://10.0.0.5:8786); "
    "default: a local cluster of --workers processes.",
)
@click.option(
    "--partition-rows",
    type=click.IntRange(min=1),
    default=PART_ROWS,
    show_default=True,
    help="With --engine dask: rows per part (one task, one output file).",
)
def screen(
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    fmt: str | None,
    fail_on: str | None,
    fail_on_unread: bool,
    quiet: bool,
    manifest: bool,
    rules: Path | None,
    entities: Path | None,
    columns: Path | None,
    encoding: str | None,
    delimiter: str | None,
    lists: tuple[Path, ...],
    allow: tuple[Path, ...],
    workers: int | None,
    engine: str,
    scheduler: str | None,
    partition_rows: int,
) -> None:
    """Screen the shipments in INPUT (CSV, or '-' for standard input) into the outputs.

    With --engine dask, screen many CSV or Parquet files on a Dask cluster into a folder of
    parts (Parquet by default) and one manifest, _manifest.json.
    """
    from engine.errors import OutputError
    from engine.io.atomic import signals_held
    from engine.io.manifest import RunStats, run_manifest
    from engine.io.outputs import dumps, format_of, open_writer
    from engine.io.parquet import parquet_available
    from engine.io.targets import check_targets, manifest_path, move_into_place, write_out
    from engine.scale.pool import WorkerError, default_workers
    from engine.version import engine_version

    if engine == "dask":
        stats = _screen_on_cluster(
            inputs, outputs, fmt, quiet=quiet, manifest=manifest, columns=_column_map(columns),
            encoding=encoding, delimiter=_delimiter(delimiter), workers=workers,
            scheduler=scheduler, partition_rows=partition_rows,
            load=lambda: _load(rules, entities, lists, allow),
        )  # fmt: skip
        _check_fail_on(stats, fail_on, quiet)
        _check_unread(stats, [], fail_on_unread, quiet)
        return
    if scheduler is not None:
        _fail("--scheduler is for --engine dask")
    if len(inputs) > 1:
        _fail(
            f"{len(inputs)} inputs given: screen one file at a time, or several with --engine dask"
        )
    input_path = inputs[0]
    if fmt is not None and len(outputs) > 1:
        _fail("--format applies to a single output; name the outputs by their suffix instead")
    if list(outputs).count("-") > 1:
        _fail("only one output can be standard output")
    kinds = {out: format_of(out, fmt) for out in outputs}
    if kinds.get("-") == "parquet":
        _fail("Parquet output goes to a file, not standard output")
    if "parquet" in kinds.values() and not parquet_available():
        _fail("Parquet output needs pyarrow: pip install 'shipscreen[parquet]'")
    try:  # before anything is loaded or read: a mistake in the outputs costs no screening
        check_targets(outputs, input_path=input_path, manifests=manifest)
    except OutputError as exc:
        _fail(str(exc))
    stats = RunStats()
    writers: list[Any] = []
    committed = False
    try:
        screener = _load(rules, entities, lists, allow)
        if not quiet:
            for loaded in screener.lists:
                _stderr().print(
                    f"shipscreen: list {loaded.path}: {loaded.entries} entries ({loaded.format}), "
                    f"sha256 {loaded.digest[:12]}"
                )
        reader = _reader(input_path, columns, encoding, delimiter)
        formats = [(out, format_of(out, fmt)) for out in outputs]
        run = {
            "encoding_warning": _encoding_warning(reader.detection),
            "input": input_path,
            "version": engine_version(),
            "ruleset_digest": screener.ruleset_digest,
            "catalogue_digest": screener.catalogue_digest,
            "lists": [
                {"name": x.name, "entries": x.entries, "digest": x.digest} for x in screener.lists
            ],
        }
        with reader:
            if not quiet:
                for warning in reader.header.warnings:
                    _stderr().print(f"shipscreen: {input_path}: {warning}", markup=False)
                if run["encoding_warning"]:
                    _stderr().print(
                        f"shipscreen: {input_path}: {run['encoding_warning']}", markup=False
                    )
            for out, kind in formats:
                target: str | IO[str] = sys.stdout if out == "-" else out
                try:
                    writers.append(open_writer(target, kind, reader.header, run=run))
                except OSError as exc:
                    raise OutputError(f"cannot write: {exc.strerror or exc}", file=out) from exc
            if workers is None:
                small = reader.size is not None and reader.size < _PARALLEL_FROM
                workers = 1 if small else default_workers()
            try:
                _screen_with_progress(
                    screener, reader, writers, quiet=quiet, stats=stats, workers=workers
                )
            except WorkerError as exc:
                _fail(str(exc))
        record = run_manifest(
            screener, reader, stats, formats, version=engine_version(), workers=workers
        )
        text = dumps(record.model_dump(mode="json")) + "\n"
        manifests = [(manifest_path(o), text) for o in outputs if o != "-"] if manifest else []
        # Every output with its manifest, or none (engine.io.targets).
        steps = write_out(list(zip(outputs, writers, strict=True)), manifests)
        with signals_held():
            move_into_place(steps)
            committed = True
        if not quiet:
            _summary(stats, screener, [out for out, _ in formats])
            _stderr().print(
                f"  input read as {reader.encoding}, delimiter {reader.delimiter!r}; "
                f"{reader.duplicates} duplicate shipment ids, {reader.blank_lines} blank lines "
                "skipped"
            )
            if reader.utf8_lines_read:
                _stderr().print(
                    f"shipscreen: {input_path}: {reader.utf8_lines_read} lines are UTF-8 in a "
                    f"file read as {reader.encoding}; they were read as UTF-8 (each row says "
                    "so); give --encoding to read the file otherwise"
                )
        if (changed := reader.changed()) is not None:
            _fail(
                f"{input_path}: {changed}; the outputs hold the rows read, as their manifests say"
            )
        _check_fail_on(stats, fail_on, quiet)
        _check_unread(stats, reader.header.unmatched_map, fail_on_unread, quiet)
    except BaseException as exc:
        if not committed:  # what is not complete goes, whatever stopped the run
            for writer in writers:
                writer.abort()
        if isinstance(exc, OutputError):
            _fail(str(exc))
        if not isinstance(exc, Interrupted):
            raise
        if committed:
            done = "after the outputs were written with their manifests: " + ", ".join(outputs)
        elif stats.rows:
            done = f"after {stats.rows} rows (input line {stats.last_line}); no output was written"
        else:
            done = "before any row was screened; no output was written"
        _stderr().print(f"shipscreen: interrupted by {exc.name} {done}")
        sys.exit(exc.exit_code)


def _check_fail_on(stats: RunStats, fail_on: str | None, quiet: bool) -> None:
    """Exit with EXIT_FAILED if a shipment reached the --fail-on band."""
    if fail_on is not None and stats.reached(fail_on):
        if not quiet:
            _stderr().print(f"shipscreen: shipments reached {fail_on} or higher (--fail-on)")
        sys.exit(EXIT_FAILED)


def _screen_on_cluster(
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    fmt: str | None,
    *,
    quiet: bool,
    manifest: bool,
    columns: dict[str, str] | None,
    encoding: str | None,
    delimiter: str | None,
    workers: int | None,
    scheduler: str | None,
    partition_rows: int,
    load: Callable[[], Screener],
) -> RunStats:
    """``screen --engine dask``: the inputs' parts screened on a Dask cluster into a folder.
    ``load`` loads the screener (once the inputs and outputs are found usable)."""
    from engine import InputError
    from engine.io.manifest import RunStats, build_manifest
    from engine.io.parquet import parquet_available
    from engine.scale import cluster
    from engine.version import engine_version

    if not cluster.dask_available():
        _fail("--engine dask needs Dask: pip install 'shipscreen[dask]'")
    if scheduler is not None:
        try:
            scheduler = cluster.scheduler_address(scheduler)
        except cluster.ClusterError as exc:
            _fail(str(exc))
    if len(outputs) != 1 or outputs[0] == "-":
        _fail("--engine dask writes one folder of parts: give it as -o FOLDER")
    output = outputs[0]
    kind = fmt or "parquet"
    if kind not in cluster.PART_FORMATS:
        _fail(f"--engine dask writes parts as {', '.join(cluster.PART_FORMATS)}, not {kind}")
    try:
        paths = cluster.expand_inputs(inputs)
        cluster.check_output(output)
    except InputError as exc:
        _fail(str(exc))
    reads_parquet = any(cluster.input_format(p) == "parquet" for p in paths)
    if (kind == "parquet" or reads_parquet) and not parquet_available():
        _fail("Parquet needs pyarrow: pip install 'shipscreen[parquet]'")
    screener = load()
    stats = RunStats()
    try:
        plan = cluster.plan(
            paths, columns=columns, encoding=encoding, delimiter=delimiter, part_rows=partition_rows
        )
    except InputError as exc:
        _fail(str(exc))
        raise  # unreachable
    if not quiet:
        for warning in plan.header.warnings:
            _stderr().print(f"shipscreen: {paths[0]}: {warning}")
        _stderr().print(
            f"shipscreen: {_count(len(plan.files), 'file')}, {_count(plan.rows, 'row')}, "
            f"{_count(len(plan.parts), 'part')}; "
            + (f"scheduler {scheduler}" if scheduler else "starting a local Dask cluster")
        )
    run = cluster.ClusterRun()

    def record(done: RunStats, parts: list[str]) -> RunManifest:
        source = {
            "files": [dataclasses.asdict(f) for f in plan.files],
            "rows": plan.rows,
        }
        screening = {
            "engine": "dask",
            "scheduler": scheduler or "local",
            "workers": run.workers,
            "partitions": len(plan.parts),
            "partition_rows": partition_rows,
        }
        return build_manifest(
            screener, done, source, [(p, kind) for p in parts], duplicates=plan.duplicates,
            version=engine_version(), screening=screening,
        )  # fmt: skip

    try:
        with (
            cluster.connect(scheduler, workers, run) as client,
            _row_progress(plan.rows, quiet) as progress,
        ):
            written = cluster.screen_files(
                screener, plan, output, kind, client, columns=columns,
                manifest=record if manifest else None, progress=progress, stats=stats,
            )  # fmt: skip
    except Interrupted as exc:
        _stderr().print(f"shipscreen: interrupted by {exc.name}; no output was written")
        sys.exit(exc.exit_code)
    except cluster.ClusterError as exc:
        _fail(str(exc))
    if not quiet:
        _summary(stats, screener, [output])
        _stderr().print(
            f"  {_count(len(written), 'part')} on {_count(run.workers or 0, 'worker')}; "
            f"{plan.duplicates} duplicate shipment ids"
        )
    return stats


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@contextmanager
def _row_progress(total: int, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar of rows screened (none when quiet or not on a terminal)."""
    if quiet or not _stderr().is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("screening"),
        BarColumn(),
        TextColumn("{task.completed} of {task.total} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_stderr(), transient=True) as progress:
        task = progress.add_task("screening", total=total)
        yield lambda rows: progress.update(task, completed=rows)


def _screen_with_progress(
    screener: Screener,
    reader: ShipmentReader,
    writers: Sequence[Any],
    *,
    quiet: bool,
    stats: RunStats,
    workers: int,
) -> RunStats:
    from engine.scale.pool import WorkerPool, screen_rows

    show = not quiet and _stderr().is_terminal and reader.size is not None
    if not show:
        return screen_rows(screener, reader, writers, stats=stats, workers=workers, commit=False)
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("screening"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with contextlib.ExitStack() as stack:
        # Worker processes start before the progress display's thread does.
        pool = None
        if workers > 1:
            renderers = [w.renderer for w in writers]
            pool = stack.enter_context(WorkerPool(screener, reader, renderers, workers))
        progress = stack.enter_context(Progress(*columns, console=_stderr(), transient=True))
        task = progress.add_task("screening", total=reader.size, rows=0)

        def update(rows: int, done: int) -> None:
            progress.update(task, completed=done, rows=rows)

        return screen_rows(
            screener, reader, writers, progress=update, stats=stats, pool=pool, commit=False
        )


def _encoding_warning(detection: Detection) -> str:
    """What the run says of an encoding it is unsure of ('' when it is sure)."""
    if not detection.low:
        return ""
    return (
        f"the file's encoding was guessed: read as {detection.describe()}; if names or wording "
        "look wrong in the outputs, give the encoding with --encoding"
    )


def _check_unread(
    stats: RunStats, unmatched_map: list[str], fail_on_unread: bool, quiet: bool
) -> None:
    """Exit with EXIT_FAILED, with --fail-on-unread, if a row has a field that could not be read
    or a --columns entry named no column."""
    if not fail_on_unread or not (stats.unread or unmatched_map):
        return
    if not quiet:
        why = [f"{stats.unread} rows have fields that could not be read"] if stats.unread else []
        if unmatched_map:
            why.append(f"--columns entries name no column: {', '.join(unmatched_map)}")
        _stderr().print(f"shipscreen: {'; '.join(why)} (--fail-on-unread)", markup=False)
    sys.exit(EXIT_FAILED)


def _summary(stats: RunStats, screener: Screener, outputs: list[str]) -> None:
    from rich.table import Table

    from engine.results import SEVERITIES

    rate = stats.rows / stats.seconds if stats.seconds else 0.0
    bands = ", ".join(f"{stats.bands[b]} {b}" for b in reversed(SEVERITIES))
    _stderr().print(
        f"shipscreen: screened {stats.rows} rows in {stats.seconds:.1f} s ({rate:,.0f} rows/s): "
        f"{bands}, {stats.errors} with errors -> {', '.join(outputs)}"
    )
    for message in stats.error_messages:
        _stderr().print(f"  error: {message}", markup=False)
    if stats.unread:
        fields = ", ".join(f"{f} {n}" for f, n in stats.unread_fields.most_common())
        _stderr().print(
            f"  {stats.unread} rows were screened without a field they fill, which could not be "
            f"read ({fields}): see the unread column; the band does not account for them",
            markup=False,
        )
    if stats.errors > len(stats.error_messages):
        more = stats.errors - len(stats.error_messages)
        _stderr().print(f"  ... and {more} more rows with errors (see the error column)")
    table = Table(title="by band", show_edge=False, title_justify="left")
    table.add_column("band")
    table.add_column("shipments", justify="right")
    for band in reversed(SEVERITIES):
        table.add_row(band, str(stats.bands[band]))
    table.add_row("errors", str(stats.errors))
    table.add_row("with unread fields", str(stats.unread))
    _stderr().print(table)
    if stats.rules:
        table = Table(title="by rule", show_edge=False, title_justify="left")
        table.add_column("rule")
        table.add_column("shipments", justify="right")
        for rule_id, count in stats.rules.most_common():
            table.add_row(rule_id, str(count))
        _stderr().print(table)
    _stderr().print(
        f"  rule set {screener.ruleset_digest[:12]}, catalogue {screener.catalogue_digest[:12]}"
    )


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option("--id", "shipment_id", required=True, help="The shipment to explain.")
@screening_options
def explain(
    input_path: str,
    shipment_id: str,
    rules: Path | None,
    entities: Path | None,
    columns: Path | None,
    encoding: str | None,
    delimiter: str | None,
    lists: tuple[Path, ...],
    allow: tuple[Path, ...],
) -> None:
    """Explain one shipment of INPUT in plain words: what it is, what matched and why."""
    screener = _load(rules, entities, lists, allow)
    with _reader(input_path, columns, encoding, delimiter) as reader:
        for row in reader:
            result = screener.screen_input_row(row)
            if result.shipment_id != shipment_id:
                continue
            click.echo(f"{input_path}, line {row.line}:")
            for column, value in zip(reader.header.columns, row.cells, strict=False):
                if value.strip():
                    click.echo(f"  {column}: {value}")
            click.echo()
            click.echo(result.explain())
            return
    _fail(f"{input_path}: no shipment with id '{shipment_id}'")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the JSON Lines output records."""
    from engine.io.outputs import record_schema

    click.echo(json.dumps(record_schema(), indent=2, ensure_ascii=False))


@main.group()
def rules() -> None:
    """Work with rule sets."""


@rules.command("check")
@click.argument("directory", required=False, type=_DIR)
@entities_option
@list_option
def rules_check(directory: Path | None, entities: Path | None, lists: tuple[Path, ...]) -> None:
    """Validate a rule set (default: the bundled one) and run its inline tests."""
    from engine import run_inline_tests
    from engine.catalogue.bundled import bundled_dir

    screener = _load(directory, entities, lists)
    source = directory or bundled_dir("rules")
    outcomes = run_inline_tests(screener)
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        click.echo(outcome.describe(), err=True)
    n_rules = len(screener.ruleset.rules)
    click.echo(
        f"{source}: {n_rules} rules valid; {len(outcomes) - len(failed)} of {len(outcomes)} "
        "inline tests passed"
    )
    if failed:
        sys.exit(EXIT_FAILED)


@rules.command("list")
@click.argument("directory", required=False, type=_DIR)
@entities_option
def rules_list(directory: Path | None, entities: Path | None) -> None:
    """List a rule set's rules: id, severity, weight, status, title and what each looks at."""
    from rich.console import Console
    from rich.table import Table

    from engine.results import SEVERITIES

    screener = _load(directory, entities)
    columns = ("rule", "severity", "weight", "status", "title", "looks at")
    rows = [
        (r.id, r.severity, f"{r.weight:g}", r.status, r.title, r.when.summary())
        for r in sorted(screener.ruleset.rules, key=lambda r: (-SEVERITIES.index(r.severity), r.id))
    ]
    if not sys.stdout.isatty():  # piped: one tab-separated line per rule, for grep and cut
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(row))
        return
    table = Table(show_lines=True)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False).print(table)


@rules.command("test")
@click.argument("directory", required=False, type=_DIR)
@entities_option
@list_option
@click.option(
    "--properties",
    is_flag=True,
    help="Also check the engine's properties against the rule set (needs shipscreen[testing]).",
)
@click.option(
    "--property",
    "only",
    multiple=True,
    metavar="NAME",
    help="With --properties: check only this property (repeatable; default: all of them).",
)
@click.option(
    "--examples",
    type=click.IntRange(1, 100000),
    default=60,
    show_default=True,
    help="Examples per property.",
)
@click.option(
    "--random",
    "random_examples",
    is_flag=True,
    help="Draw new examples each run instead of the same deterministic ones.",
)
@click.option("-v", "--verbose", is_flag=True, help="List the inline tests that pass too.")
def rules_test(
    directory: Path | None,
    entities: Path | None,
    lists: tuple[Path, ...],
    properties: bool,
    only: tuple[str, ...],
    examples: int,
    random_examples: bool,
    verbose: bool,
) -> None:
    """Run a rule set's inline tests and, with --properties, the engine's properties against it."""
    from engine import run_inline_tests
    from engine.catalogue.bundled import bundled_dir

    if only and not properties:
        _fail("--property goes with --properties")
    screener = _load(directory, entities, lists)
    source = directory or bundled_dir("rules")
    outcomes = run_inline_tests(screener, every_hit=verbose)  # listed in full: each one's hits
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes if verbose else failed:
        click.echo(outcome.describe())
    click.echo(f"{source}: {len(outcomes) - len(failed)} of {len(outcomes)} inline tests passed")
    broken = 0
    if properties:
        try:
            from engine.testing.properties import PROPERTIES, check_property
        except ImportError as exc:
            _fail(f"--properties: {exc}")
            return
        names = [p.name for p in PROPERTIES]
        unknown = [name for name in only if name not in names]
        if unknown:
            _fail(f"--property: no property {', '.join(unknown)}; properties: {', '.join(names)}")
        click.echo(f"properties ({examples} examples each):")
        for prop in PROPERTIES:
            if only and prop.name not in only:
                continue
            failure = check_property(
                prop, screener, max_examples=examples, seed=not random_examples
            )
            if failure is None:
                click.echo(f"  ok      {prop.name}: {prop.description}")
                continue
            broken += 1
            click.echo(f"  FAILED  {prop.name}: {failure.message}")
            click.echo(f"          {_example_text(failure.example)}")
    if failed or broken:
        sys.exit(EXIT_FAILED)


def _example_text(example: object) -> str:
    """A failing example as the user can paste it (a shipment into a rule's tests)."""
    if isinstance(example, dict):
        import yaml

        line = yaml.safe_dump([example], allow_unicode=True, default_flow_style=None, width=10**6)
        return "paste into a rule's tests: " + line.strip()
    return f"example: {example!r}"


@main.command()
@click.argument("name")
@list_option
@allow_option
@entities_option
@click.option(
    "--min-similarity",
    type=click.FloatRange(0.7, 1.0),
    default=0.7,
    show_default=True,
    help="The lowest similarity to show.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def match(
    name: str,
    lists: tuple[Path, ...],
    allow: tuple[Path, ...],
    entities: Path | None,
    min_similarity: float,
    fmt: str,
) -> None:
    """Show the catalogue and list entries NAME resembles, best first, with the evidence."""
    screener = _load(None, entities, lists, allow)
    found = screener.match(name, min_similarity=min_similarity)
    if fmt == "json":
        click.echo(
            json.dumps([m.model_dump(mode="json") for m in found], ensure_ascii=False, indent=2)
        )
        return
    if not found:
        click.echo(f"'{name}': no entry reaches {min_similarity:.0%} similarity")
        return
    for m in found:
        tags = ", ".join(m.tags) or "no tags"
        click.echo(
            f"{m.similarity:6.1%}  {m.entry_name}  [{m.list} {m.entry_id}; {m.kind}; {tags}]"
        )
        if m.matched_name != m.entry_name:
            click.echo(f"        on the name '{m.matched_name}'")
        click.echo(f"        {m.how}")
        if m.source:
            click.echo(f"        source: {m.source}")
        if m.cleared:
            click.echo(f"        suppressed: {m.cleared}")


if __name__ == "__main__":
    main()
