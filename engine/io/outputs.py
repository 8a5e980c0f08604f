"""What screening writes: CSV, JSON Lines and a self-contained HTML report, all written atomically.

Every writer takes the input row's cells and its :class:`~engine.results.ScreenResult`, one row at
a time, and keeps memory flat however long the input is:

- CSV (:class:`engine.io.csvwriter.ResultWriter`): the input columns, neutralised against
  spreadsheet formulas, then ``risk_score, risk_band, rule_ids, reasons, error, unread``;
- JSON Lines: one :class:`ScreenRecord` per line, the input cells as they were;
- HTML: one file with no network fetches, flagged shipments first.  Each shipment is rendered
  when it is screened into a spool file of its band; the report is assembled from the spools when
  the run completes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from engine.io.atomic import AtomicFile, TextOutput
from engine.io.csvwriter import CsvRenderer, ResultWriter
from engine.io.header import Header
from engine.io.parquet import ParquetRenderer, ParquetWriter
from engine.results import SEVERITIES, Hit, Quiet, Screened, ScreenResult

Format = Literal["csv", "jsonl", "html", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "html", "parquet")
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def format_of(path: str, explicit: str | None = None) -> Format:
    """The output format: given explicitly, or from the file name's suffix (CSV otherwise)."""
    if explicit is not None:
        return explicit  # type: ignore[return-value]
    return _SUFFIXES.get(Path(path).suffix.lower(), "csv")


class ScreenRecord(BaseModel):
    """One shipment in the JSON Lines output: its input row as it was, and its result."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shipment_id: str
    row: int | None = Field(default=None, description="line number in the input file")
    input: dict[str, str] = Field(description="the input row, column by column, unchanged")
    score: float | None = Field(description="0-100; null when the row could not be screened")
    band: Literal["low", "medium", "high", "critical"] | None
    hits: list[Hit]
    suppressed: list[Hit] = Field(description="hits cleared by the allow-list; they do not score")
    notes: list[str] = Field(description="data-quality notes about the input row")
    unread: list[str] = Field(
        default=[], description="fields the row fills but the engine could not read"
    )
    error: str | None = Field(description="why the row could not be screened, if it could not")
    ruleset_digest: str
    catalogue_digest: str = Field(description="catalogue, loaded lists and allow-lists")


_RESULT_FIELDS = tuple(f for f in ScreenRecord.model_fields if f != "input")


def screen_record(header: Header, cells: Sequence[str], result: ScreenResult) -> ScreenRecord:
    """The JSON Lines record of one row."""
    return _record(header.keys, cells, result)


def _record(keys: Sequence[str], cells: Sequence[str], result: ScreenResult) -> ScreenRecord:
    # The result is already validated: its fields are taken over as they are.
    return ScreenRecord.model_construct(
        input=dict(zip(keys, cells, strict=False)),
        **{name: getattr(result, name) for name in _RESULT_FIELDS},
    )


def record_schema() -> dict[str, Any]:
    """The JSON Schema of a JSON Lines record."""
    schema = ScreenRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shipscreen JSON Lines record"
    return schema


def full(result: ScreenResult | Quiet) -> ScreenResult:
    """The full result of a row (made now for a row the quiet lane screened)."""
    return result.result() if isinstance(result, Quiet) else result


class JsonlRenderer:
    """Renders screened rows as JSON Lines, one :class:`ScreenRecord` a line."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = list(keys)

    def render(self, rows: Screened) -> str:
        """The lines of ``rows`` (cells, result), in order."""
        return "".join(
            _record(self._keys, cells, full(result)).model_dump_json() + "\n"
            for cells, result in rows
        )


class JsonlWriter(TextOutput):
    """Writes one JSON object per shipment, one per line."""

    renderer: JsonlRenderer

    def __init__(self, path: str | Path | IO[str], header: Header) -> None:
        super().__init__(path, newline="\n")
        self.renderer = JsonlRenderer(header.keys)


_ENV = Environment(
    loader=PackageLoader("engine.io", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# The order the report shows shipments in: flagged first, then rows with errors, then the rest.
_SECTIONS = ("critical", "high", "medium", "error", "low")


@dataclass
class HtmlPiece:
    """Shipments rendered for the report: HTML by section, and what the summary counts."""

    sections: dict[str, str] = field(default_factory=dict)
    bands: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    titles: dict[str, str] = field(default_factory=dict)
    #: Shipments screened without a field they fill, which could not be read.
    unread: int = 0


class HtmlRenderer:
    """Renders screened rows as the report's shipment entries, each in the section of its band."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._columns = list(columns)

    def render(self, rows: Screened) -> HtmlPiece:
        """The entries of ``rows`` (cells, result), in order within each section."""
        template = _ENV.get_template("shipment.html.j2")
        piece = HtmlPiece()
        parts: dict[str, list[str]] = {}
        for cells, quiet_or_result in rows:
            result = full(quiet_or_result)
            section = "error" if result.error is not None else str(result.band)
            piece.bands[section] += 1
            piece.unread += bool(result.unread)
            for hit in result.hits:
                piece.rules[hit.rule_id] += 1
                piece.titles[hit.rule_id] = hit.title
            values = [(c, v) for c, v in zip(self._columns, cells, strict=False) if v.strip()]
            searchable = " ".join(
                [result.shipment_id, *(v for _, v in values), *result.rule_ids]
            ).casefold()
            html = template.render(
                result=result, section=section, values=values, searchable=searchable
            )
            parts.setdefault(section, []).append(html)
        piece.sections = {section: "".join(texts) for section, texts in parts.items()}
        return piece


class HtmlWriter:
    """Writes a self-contained HTML report for analysts; every input value is escaped."""

    def __init__(
        self,
        path: str | Path | IO[str],
        header: Header,
        *,
        title: str,
        run: dict[str, Any],
    ) -> None:
        self.renderer = HtmlRenderer(header.columns)
        self.name = str(path) if isinstance(path, str | Path) else "-"
        self._path = path
        self._title = title
        self._run = run
        # The report's own temporary file, made now so that a target that cannot be written fails
        # before the first row, not after the last; assembled in finish().
        self._atomic: AtomicFile | None = None
        if isinstance(path, str | Path):
            self._atomic = AtomicFile(path, newline="\n")
        self._spool_dir = tempfile.TemporaryDirectory(prefix="shipscreen-report-")
        self._spools = {
            section: open(  # noqa: SIM115 - closed in commit/abort
                Path(self._spool_dir.name) / f"{section}.html", "w", encoding="utf-8"
            )
            for section in _SECTIONS
        }
        self.bands: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.titles: dict[str, str] = {}
        self.unread = 0
        self._finished = False

    def write(self, cells: Sequence[str], result: ScreenResult) -> None:
        """Render one shipment into the spool of its band."""
        self.write_rendered(self.renderer.render([(cells, result)]))

    def write_rendered(self, piece: HtmlPiece) -> None:
        """Spool shipments rendered by :attr:`renderer`."""
        for section, text in piece.sections.items():
            self._spools[section].write(text)
        self.bands.update(piece.bands)
        self.rules.update(piece.rules)
        self.titles.update(piece.titles)
        self.unread += piece.unread

    def finish(self) -> None:
        """Assemble the report (under a temporary name): the summary, then each band's
        shipments, flagged first."""
        if self._finished:
            return
        for spool in self._spools.values():
            spool.close()
        page = _ENV.get_template("report.html.j2").render(
            title=self._title,
            run=self._run,
            sections=_SECTIONS,
            severities=list(reversed(SEVERITIES)),
            bands=self.bands,
            rules=sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0])),
            titles=self.titles,
            total=sum(self.bands.values()),
            unread=self.unread,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
        head, tail = page.split("<!--SHIPMENTS-->", 1)
        out = self._atomic.file if self._atomic is not None else self._path
        assert not isinstance(out, str | Path)
        try:
            out.write(head)
            for section in _SECTIONS:
                with open(Path(self._spool_dir.name) / f"{section}.html", encoding="utf-8") as fh:
                    shutil.copyfileobj(fh, out)
            out.write(tail)
            if self._atomic is not None:
                self._atomic.finish()
            else:
                out.flush()
        except BaseException:
            if self._atomic is not None:
                self._atomic.abort()
            raise
        finally:
            self._spool_dir.cleanup()
        self._finished = True

    def commit(self) -> None:
        """Assemble the report (if :meth:`finish` did not) and move it into place."""
        self.finish()
        if self._atomic is not None:
            self._atomic.commit()

    def abort(self) -> None:
        """Discard everything (never raising: a full disk fails a spool's flush)."""
        for spool in self._spools.values():
            with contextlib.suppress(OSError):
                spool.close()
        self._spool_dir.cleanup()
        if self._atomic is not None:
            self._atomic.abort()


Writer = ResultWriter | JsonlWriter | HtmlWriter | ParquetWriter
Renderer = CsvRenderer | JsonlRenderer | HtmlRenderer | ParquetRenderer


def open_writer(
    target: str | Path | IO[str],
    fmt: Format,
    header: Header,
    *,
    title: str = "shipscreen report",
    run: dict[str, Any] | None = None,
) -> Writer:
    """A writer for one output: a path, or an open text stream (standard output)."""
    if fmt == "csv":
        return ResultWriter(target, header)
    if fmt == "jsonl":
        return JsonlWriter(target, header)
    if fmt == "parquet":
        if not isinstance(target, str | Path):
            raise ValueError("Parquet output goes to a file, not a stream")
        return ParquetWriter(target, header)
    return HtmlWriter(target, header, title=title, run=run or {})


def dumps(data: Any) -> str:
    """JSON for manifests and schemas: readable, non-ASCII kept."""
    return json.dumps(data, indent=2, ensure_ascii=False)
