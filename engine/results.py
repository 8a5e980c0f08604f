"""What screening returns: a result per shipment, its hits, and the evidence behind each hit."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
#: The columns every tabular output adds after the input's, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "risk_score",
    "risk_band",
    "rule_ids",
    "reasons",
    "error",
    "unread",
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenAlignment(_Out):
    """How one word of a party name matched a word of a list entry."""

    query: str
    candidate: str
    kind: str
    similarity: float


class MatchReport(_Out):
    """One list entry a party name resembles, with the evidence an analyst needs to judge it."""

    query: str
    entry_id: str = Field(description="the party id in the catalogue or list")
    entry_name: str
    matched_name: str = Field(description="the name or alias of the entry that matched")
    list: str = Field(description="the dataset: shipscreen-catalogue, ofac-sdn, opensanctions...")
    kind: str
    tags: builtins.list[str]
    similarity: float
    alignment: builtins.list[TokenAlignment]
    unmatched_query: builtins.list[str]
    unmatched_entry: builtins.list[str]
    query_legal_forms: builtins.list[str]
    entry_legal_forms: builtins.list[str]
    source: str | None = None
    how: str = ""
    cleared: str | None = Field(default=None, description="the clearance suppressing this match")


class Evidence(_Out):
    """One fact that made a rule's condition true."""

    predicate: str
    field: str | None = None
    value: str | None = Field(default=None, description="the input value the fact is about")
    matched: str | None = Field(default=None, description="the list entry, category or phrase")
    list: str | None = Field(default=None, description="the list, dataset or tag it belongs to")
    similarity: float | None = None
    source: str | None = None
    detail: str = Field(default="", description="what matched, in one sentence")
    how: str = Field(default="", description="how a name matched: token alignment, legal forms")
    alignment: builtins.list[TokenAlignment] = []

    def line(self) -> str:
        """The evidence in plain words, with how a name matched and the source behind it."""
        parts = [self.detail]
        if self.how:
            parts.append(f"how: {self.how}")
        if self.source and self.source not in self.detail:
            parts.append(f"source: {self.source}")
        return "\n      ".join(parts)


class Hit(_Out):
    """A rule whose condition was true for a shipment."""

    rule_id: str
    title: str
    severity: Severity
    weight: float
    strength: float
    contribution: float = Field(description="points of the 0-100 score this hit accounts for")
    message: str
    evidence: list[Evidence]


class ScreenResult(_Out):
    """The outcome of screening one shipment."""

    shipment_id: str
    row: int | None = Field(default=None, description="line number in the input file, if any")
    score: float | None = Field(default=None, description="0-100; None when the row has an error")
    band: Severity | None = None
    hits: list[Hit] = []
    suppressed: list[Hit] = Field(default=[], description="hits cleared by the allow-list")
    notes: list[str] = Field(default=[], description="data-quality notes about the input row")
    unread: list[str] = Field(
        default=[],
        description="fields the row fills but the engine could not read (a party, country, HS "
        "code, number or text it screened without): the band does not account for them",
    )
    error: str | None = None
    ruleset_digest: str
    catalogue_digest: str

    @property
    def rule_ids(self) -> list[str]:
        """The ids of the rules that hit, most severe first."""
        return [h.rule_id for h in self.hits]

    def explain(self) -> str:
        """The result in plain words: band, score, each hit with its message and evidence."""
        if self.error is not None:
            return f"Shipment {self.shipment_id}: not screened: {self.error}"
        lines = [f"Shipment {self.shipment_id}: {self.band} risk, score {self.score:.1f} of 100"]
        if not self.hits:
            lines.append("  No rule matched.")
        for hit in self.hits:
            lines.append(
                f"  [{hit.severity}] {hit.rule_id}: {hit.title} "
                f"(weight {hit.weight:g}, strength {hit.strength:.2f}, "
                f"{hit.contribution:.1f} points)"
            )
            lines.append(f"    {hit.message}")
            lines.extend(f"    - {ev.line()}" for ev in hit.evidence)
        for hit in self.suppressed:
            lines.append(f"  [suppressed: {hit.severity}] {hit.rule_id}: {hit.message}")
            lines.extend(f"    - {ev.line()}" for ev in hit.evidence if ev.predicate == "cleared")
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.unread:
            lines.append(
                f"  not read (the band does not account for them): {', '.join(self.unread)}"
            )
        lines.append(
            f"  rule set {self.ruleset_digest[:12]}, catalogue {self.catalogue_digest[:12]}"
        )
        return "\n".join(lines)


class QuietSource(Protocol):
    """What a Quiet is made from: the screener's result of no hit, no note."""

    _quiet_band: str
    _quiet_cells: list[str]

    def quiet_result(self, shipment_id: str, row: int | None) -> ScreenResult: ...


@dataclass(frozen=True, slots=True)
class Quiet:
    """A row screened by the quiet lane: the result of no hit and no note, made when asked."""

    shipment_id: str
    row: int
    screener: QuietSource

    @property
    def band(self) -> str:
        """The band of no hit."""
        return self.screener._quiet_band

    @property
    def cells(self) -> list[str]:
        """The CSV result columns (score, band, rule ids, reasons, error, unread); do not
        modify."""
        return self.screener._quiet_cells

    def result(self) -> ScreenResult:
        """The full result."""
        return self.screener.quiet_result(self.shipment_id, self.row)


# Rows with their results (a Quiet for a row the quiet lane screened), as renderers take them.
Screened = Iterable[tuple[Sequence[str], ScreenResult | Quiet]]
