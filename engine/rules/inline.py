"""Running a rule set's inline tests: shipments that must hit a rule, and ones that must not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from engine.results import ScreenResult
from engine.rules.ruleset import RuleSet


class Screens(Protocol):
    """What running inline tests needs of a screener: its rule set, screening a mapping, and the
    same screener with other rules."""

    @property
    def ruleset(self) -> RuleSet: ...

    def screen(self, shipment: Mapping[str, Any], *, row: int | None = None) -> ScreenResult: ...

    def with_rules(self, ruleset: RuleSet) -> Screens: ...


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


def run_inline_tests(
    screener: Screens, rule_ids: set[str] | None = None, *, every_hit: bool = False
) -> list[InlineTest]:
    """Screen every inline test shipment of the rule set, in rule order.

    Whether a rule hits a shipment does not depend on the other rules, so each rule's tests are
    screened by a few rules only: the rule set dealt into groups of at most 16 (every n-th rule,
    so that rules written alike, which sit side by side, fall apart), and the time grows with the
    rules rather than with their square.  A test that fails is screened again by the whole rule
    set, so that it says every rule that hit; with ``every_hit``, every test is (its hits all
    listed, as a verbose listing shows them).
    """
    rules = [r for r in screener.ruleset.rules if rule_ids is None or r.id in rule_ids]
    groups = max(1, -(-len(rules) // _GROUP))
    tester: dict[str, Screens] = {}
    for g in range(groups):
        dealt = rules[g::groups]
        few = screener if every_hit else screener.with_rules(RuleSet(tuple(dealt)))
        tester.update((r.id, few) for r in dealt)
    outcomes: list[InlineTest] = []
    for rule in rules:
        for group in ("hits", "passes"):
            for index, shipment in enumerate(getattr(rule.tests, group)):
                data = {"shipment_id": f"{rule.id}/{group}/{index}", **shipment}
                result = tester[rule.id].screen(data)
                hit = rule.id in result.rule_ids
                if not every_hit and result.error is None and hit != (group == "hits"):
                    result = screener.screen(data)  # failed: say every rule that hit
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


# Rules screened together when running inline tests (see run_inline_tests).
_GROUP = 16
