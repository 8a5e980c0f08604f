"""Running a rule set's inline tests: shipments that must hit a rule, and ones that must not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from engine.results import ScreenResult
from engine.rules.ruleset import RuleSet


class Screens(Protocol):
    """What running inline tests needs of a screener: its rule set, and screening a mapping."""

    @property
    def ruleset(self) -> RuleSet: ...

    def screen(self, shipment: Mapping[str, Any], *, row: int | None = None) -> ScreenResult: ...


@dataclass(frozen=True)
class InlineTest:
    """One inline test of one rule and how it went."""

    rule_id: str
    group: str  # "hits" or "passes"
    index: int
    shipment: dict[str, str | int | float]
    rule_ids: tuple[str, ...]
    error: str | None

    @property
    def passed(self) -> bool:
        """Whether the rule behaved as the test says."""
        if self.error is not None:
            return False
        hit = self.rule_id in self.rule_ids
        return hit if self.group == "hits" else not hit

    def describe(self) -> str:
        """One line saying what was expected and what happened."""
        where = f"{self.rule_id}: tests.{self.group}[{self.index}]"
        if self.error is not None:
            return f"{where}: the shipment could not be screened: {self.error}"
        expect = "hit" if self.group == "hits" else "not hit"
        got = ", ".join(self.rule_ids) or "no rule"
        status = "ok" if self.passed else "FAILED"
        return f"{where}: expected the rule to {expect}; hits: {got} [{status}]"


def run_inline_tests(screener: Screens, rule_ids: set[str] | None = None) -> list[InlineTest]:
    """Screen every inline test shipment of the rule set with the whole screener."""
    outcomes: list[InlineTest] = []
    for rule in screener.ruleset.rules:
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        for group in ("hits", "passes"):
            for index, shipment in enumerate(getattr(rule.tests, group)):
                data = {"shipment_id": f"{rule.id}/{group}/{index}", **shipment}
                result = screener.screen(data)
                outcomes.append(
                    InlineTest(
                        rule_id=rule.id,
                        group=group,
                        index=index,
                        shipment=dict(shipment),
                        rule_ids=tuple(result.rule_ids),
                        error=result.error,
                    )
                )
    return outcomes
