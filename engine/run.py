"""A screening run over a file: every row into every writer, counted, and its manifest.

The manifest (``OUTPUT.manifest.json`` beside each output) says what was screened with what, so a
run can be replayed and audited: engine version, command line, times, the input's SHA-256, the
outputs, the rule set's digest, the catalogue's, each list's with its entry count, the
allow-lists, and the rows by band and with errors.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from engine.atomic import AtomicFile
from engine.csvio import ShipmentReader
from engine.outputs import Writer, dumps
from engine.results import SEVERITIES, ScreenResult
from engine.screener import Screener


@dataclass
class RunStats:
    """What a run saw: rows, bands, rules, errors and time."""

    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    finished: dt.datetime | None = None
    rows: int = 0
    errors: int = 0
    bands: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    error_messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    last_line: int = 0

    def add(self, result: ScreenResult) -> None:
        """Count one result."""
        self.rows += 1
        self.last_line = result.row or self.last_line
        if result.error is not None:
            self.errors += 1
            if len(self.error_messages) < 20:
                self.error_messages.append(result.error)
        else:
            self.bands[str(result.band)] += 1
            self.rules.update(result.rule_ids)

    def reached(self, band: str) -> bool:
        """Whether any shipment reached ``band`` or a higher one."""
        rank = [str(b) for b in SEVERITIES].index(band)
        return any(self.bands[b] for b in SEVERITIES[rank:])


def screen_rows(
    screener: Screener,
    reader: ShipmentReader,
    writers: Sequence[Writer],
    *,
    progress: Callable[[int, int], None] | None = None,
    every: int = 1000,
    stats: RunStats | None = None,
) -> RunStats:
    """Screen every row of ``reader`` into every writer, calling ``progress(rows, bytes)`` at times.

    The writers are committed when the input is exhausted and aborted if anything goes wrong
    (an interruption included), so no output looks complete unless it is.  ``stats``, if given, is
    filled as the run goes, so the caller knows how far an interrupted run got.
    """
    stats = stats if stats is not None else RunStats()
    clock = time.perf_counter()
    try:
        for row in reader:
            result = screener.screen_input_row(row)
            for writer in writers:
                writer.write(row.cells, result)
            stats.add(result)
            if progress is not None and stats.rows % every == 0:
                progress(stats.rows, reader.bytes_read)
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


class RunManifest(BaseModel):
    """The record of one screening run."""

    model_config = ConfigDict(extra="forbid")

    engine_version: str
    command: list[str]
    started: dt.datetime
    finished: dt.datetime
    seconds: float
    input: dict[str, Any]
    outputs: list[dict[str, str]]
    rules: dict[str, Any]
    catalogue: dict[str, Any]
    lists: list[dict[str, Any]]
    as_of: dt.date
    rows: dict[str, Any]


def run_manifest(
    screener: Screener,
    reader: ShipmentReader,
    stats: RunStats,
    outputs: Sequence[tuple[str, str]],
    *,
    version: str,
    command: Sequence[str] | None = None,
) -> RunManifest:
    """The manifest of a finished run."""
    return RunManifest(
        engine_version=version,
        command=list(command if command is not None else sys.argv),
        started=stats.started,
        finished=stats.finished or dt.datetime.now(dt.UTC),
        seconds=round(stats.seconds, 3),
        input={
            "path": reader.path,
            "sha256": reader.sha256(),
            "bytes": reader.bytes_read,
            "encoding": reader.encoding,
            "delimiter": reader.delimiter,
            "blank_lines": reader.blank_lines,
        },
        outputs=[{"path": path, "format": fmt} for path, fmt in outputs],
        rules={
            "source": screener.ruleset.source,
            "digest": screener.ruleset_digest,
            "rules": len(screener.ruleset.rules),
            "active": len(screener.ruleset.active),
        },
        catalogue={
            "digest": screener.catalogue_digest,
            "entities_digest": screener.catalogue.digest(),
            "files": list(screener.catalogue.files),
            "cleared": len(screener.catalogue.cleared),
        },
        lists=[
            {
                "name": x.name,
                "path": x.path,
                "format": x.format,
                "sha256": x.digest,
                "entries": x.entries,
            }
            for x in screener.lists
        ],
        as_of=screener.as_of,
        rows={
            "total": stats.rows,
            "screened": stats.rows - stats.errors,
            "errors": stats.errors,
            "duplicate_ids": reader.duplicates,
            "by_band": {band: stats.bands[band] for band in reversed(SEVERITIES)},
            "by_rule": dict(stats.rules.most_common()),
        },
    )


def write_manifest(path: str | Path, manifest: RunManifest) -> None:
    """Write a manifest atomically."""
    atomic = AtomicFile(path, newline="\n")
    try:
        atomic.file.write(dumps(manifest.model_dump(mode="json")) + "\n")
    except BaseException:
        atomic.abort()
        raise
    atomic.commit()


def manifest_path(output: str | Path) -> Path:
    """Where the manifest of an output goes: beside it, named OUTPUT.manifest.json."""
    path = Path(output)
    return path.with_name(path.name + ".manifest.json")
