"""What a screening run saw, and its manifest.

The manifest (``OUTPUT.manifest.json`` beside each output) says what was screened with what, so a
run can be replayed and audited: engine version, command line, times, the input's SHA-256, the
outputs, the rule set's digest, the catalogue's, each list's with its entry count, the
allow-lists, and the rows by band and with errors.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from engine.io.atomic import AtomicFile
from engine.io.csvreader import ShipmentReader
from engine.io.csvwriter import ScreenedBatch
from engine.io.outputs import dumps
from engine.results import SEVERITIES, Quiet, ScreenResult
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
    #: Rows that fill a field the engine could not read, and how often each field was unread.
    unread: int = 0
    unread_fields: Counter[str] = field(default_factory=Counter)
    error_messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    last_line: int = 0

    def add(self, result: ScreenResult | Quiet) -> None:
        """Count one result."""
        self.rows += 1
        self.last_line = result.row or self.last_line
        if isinstance(result, Quiet):
            self.bands[result.band] += 1
        elif result.error is not None:
            self.errors += 1
            if len(self.error_messages) < 20:
                self.error_messages.append(result.error)
        else:
            self.bands[str(result.band)] += 1
            self.rules.update(result.rule_ids)
            if result.unread:
                self.unread += 1
                self.unread_fields.update(result.unread)

    def add_batch(self, batch: ScreenedBatch) -> None:
        """Count the rows of a batch."""
        quiet = 0
        for result in batch.results:
            if result is None:
                quiet += 1
            else:
                self.add(result)
        if quiet:
            self.rows += quiet
            self.bands[batch.screener._quiet_band] += quiet
        if batch.numbers:
            self.last_line = batch.numbers[-1]

    def merge(self, other: RunStats) -> None:
        """Add the counts of another run's (or batch's) rows, which come after these."""
        self.rows += other.rows
        self.errors += other.errors
        self.bands.update(other.bands)
        self.rules.update(other.rules)
        self.unread += other.unread
        self.unread_fields.update(other.unread_fields)
        room = 20 - len(self.error_messages)
        self.error_messages.extend(other.error_messages[: max(room, 0)])
        self.last_line = other.last_line or self.last_line

    def reached(self, band: str) -> bool:
        """Whether any shipment reached ``band`` or a higher one."""
        rank = [str(b) for b in SEVERITIES].index(band)
        return any(self.bands[b] for b in SEVERITIES[rank:])


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
    #: How the rows were screened: "local" (with its worker processes) or "dask" (scheduler,
    #: workers, partitions).
    screening: dict[str, Any] | None = None


def run_manifest(
    screener: Screener,
    reader: ShipmentReader,
    stats: RunStats,
    outputs: Sequence[tuple[str, str]],
    *,
    version: str,
    command: Sequence[str] | None = None,
    workers: int | None = None,
) -> RunManifest:
    """The manifest of a finished run over one input."""
    source = {
        "path": reader.path,
        "sha256": reader.sha256(),
        "bytes": reader.bytes_read,
        "encoding": reader.encoding,
        "encoding_detection": {
            "method": reader.detection.method,
            "confidence": reader.detection.confidence,
            "alternatives": list(reader.detection.alternatives),
        },
        "delimiter": reader.delimiter,
        "blank_lines": reader.blank_lines,
        # Lines valid as UTF-8 in a file read in a single-byte encoding, read as UTF-8.
        "utf8_lines": reader.utf8_lines_read,
        "line_ends": reader.line_ends or "LF or CRLF",
        "changed_while_read": reader.changed(),
        "columns_unrecognised": reader.header.unrecognised,
        "column_map_unmatched": reader.header.unmatched_map,
    }
    return build_manifest(
        screener,
        stats,
        source,
        outputs,
        duplicates=reader.duplicates,
        version=version,
        command=command,
        screening={"engine": "local", "workers": workers} if workers else None,
    )


def build_manifest(
    screener: Screener,
    stats: RunStats,
    source: dict[str, Any],
    outputs: Sequence[tuple[str, str]],
    *,
    duplicates: int,
    version: str,
    command: Sequence[str] | None = None,
    screening: dict[str, Any] | None = None,
) -> RunManifest:
    """The manifest of a finished run: ``source`` describes the input (or inputs)."""
    return RunManifest(
        engine_version=version,
        command=list(command if command is not None else sys.argv),
        started=stats.started,
        finished=stats.finished or dt.datetime.now(dt.UTC),
        seconds=round(stats.seconds, 3),
        input=source,
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
                "encoding": x.encoding,
                "sha256": x.digest,
                "entries": x.entries,
                "published": x.published,  # the list's own date, where the file states it
            }
            for x in screener.lists
        ],
        as_of=screener.as_of,
        rows={
            "total": stats.rows,
            "screened": stats.rows - stats.errors,
            "errors": stats.errors,
            "duplicate_ids": duplicates,
            "by_band": {band: stats.bands[band] for band in reversed(SEVERITIES)},
            "by_rule": dict(stats.rules.most_common()),
            # Rows screened without a field they fill (the band does not account for it).
            "unread": stats.unread,
            "unread_by_field": dict(stats.unread_fields.most_common()),
        },
        screening=screening,
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
