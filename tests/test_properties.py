"""The engine's properties hold, and each one catches a deliberately broken engine.

Every property of engine.testing.properties is checked against the bundled screener (it must hold)
and against at least one broken variant: a scorer, rule set, normaliser, reader or writer with a bug
the property exists to catch (it must fail, with an example).
"""

from __future__ import annotations

import copy
import itertools
import statistics
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from engine import Screener
from engine.io.csvwriter import ResultWriter
from engine.rules.conditions import NotNode
from engine.rules.ruleset import Rule, RuleSet, parse_rule
from engine.rules.scoring import Scoring, combined_score
from engine.testing.properties import PROPERTIES, Property, check_property

BY_NAME = {p.name: p for p in PROPERTIES}
EXAMPLES = 60  # as the CI profile; the dev profile explores more


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.name)
def test_the_property_holds(screener: Screener, prop: Property) -> None:
    failure = check_property(prop, screener, max_examples=EXAMPLES)
    assert failure is None, f"{failure.message}\nexample: {failure.example!r}"


def scoring(screener: Screener, **changes: Any) -> Screener:
    return screener.with_rules(screener.ruleset, scoring=Scoring(**changes))


def subclass(screener: Screener, **methods: Callable[..., Any]) -> Screener:
    broken = copy.copy(screener)
    broken.__class__ = type("BrokenScreener", (Screener,), methods)
    return broken


_calls = itertools.count()


def _alternating(ps: Sequence[float]) -> float:
    return min(100.0, combined_score(ps) + next(_calls) % 2)


def _mean(ps: Sequence[float]) -> float:
    return 100.0 * statistics.fmean(ps) if ps else 0.0


def _first_only(ps: Sequence[float]) -> float:
    return 100.0 * ps[0] if ps else 0.0


def _extra_rule(screener: Screener) -> Screener:
    rule, problems = parse_rule(
        {
            "id": "fires-on-ordinary-goods",
            "title": "Broken: fires on any shipment without controlled goods",
            "status": "experimental",
            "severity": "low",
            "weight": 0.1,
            "description": "A deliberately wrong rule.",
            "when": {"not": {"goods_in": {"tags": ["chpl", "military"]}}},
            "message": "fired",
            "falsepositives": ["all of them"],
        },
        screener.catalogue,
        file="fires-on-ordinary-goods.yaml",
    )
    assert rule is not None, problems
    return screener.with_rules(RuleSet((*screener.ruleset.rules, rule)))


BROKEN: dict[str, list[Callable[[Screener], Screener]]] = {
    "score-and-band": [
        lambda s: scoring(s, combine=lambda ps: 100.0 * sum(ps)),  # unbounded
        lambda s: scoring(s, band=lambda severities: "low"),  # ignores the hits
    ],
    "deterministic": [lambda s: scoring(s, combine=_alternating)],
    "adding-a-hit-never-lowers-the-score": [lambda s: scoring(s, combine=_mean)],
    "rule-order-free": [lambda s: scoring(s, combine=_first_only)],
    "no-indicator-no-score": [_extra_rule],
    "contributions-explain-the-score": [
        lambda s: scoring(s, shares=lambda ps: [100.0 * p for p in ps])
    ],
    "normalisation-idempotent": [
        lambda s: subclass(
            s, normalise_name=lambda self, name: Screener.normalise_name(self, name)[1:]
        )
    ],
    "names-match-their-variants": [
        lambda s: subclass(s, similarity=lambda self, a, b: 1.0 if a == b else 0.5)
    ],
    "hs-notations-agree": [
        lambda s: subclass(
            s,
            goods_categories=lambda self, code, description="": Screener.goods_categories(
                self, code.split(" ")[0], description
            ),
        )
    ],
}


@pytest.mark.parametrize(
    ("name", "breaking"),
    [(name, b) for name, breakers in BROKEN.items() for b in breakers],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_property_catches_a_broken_engine(
    screener: Screener, name: str, breaking: Callable[[Screener], Screener]
) -> None:
    failure = check_property(BY_NAME[name], breaking(screener), max_examples=200, shrink=False)
    assert failure is not None, f"{name} did not catch the broken engine"
    assert failure.message


def test_not_inverts_catches_a_broken_not(
    screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(NotNode, "evaluate", lambda self, facts: (1.0, []))
    failure = check_property(BY_NAME["not-inverts"], screener, max_examples=200, shrink=False)
    assert failure is not None
    assert "'not' of its condition" in failure.message


def test_dump_and_load_catches_a_lossy_dump(
    screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Rule.to_data

    def lossy(self: Rule) -> dict[str, Any]:
        data = real(self)
        data["weight"] = round(data["weight"] / 2, 3)
        return data

    fresh = screener.with_rules(screener.ruleset)  # a screener the property has not seen yet
    monkeypatch.setattr(Rule, "to_data", lossy)
    failure = check_property(
        BY_NAME["dump-and-load-identical"], fresh, max_examples=200, shrink=False
    )
    assert failure is not None


def test_csv_round_trip_catches_a_writer_that_trims(
    screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ResultWriter.write
    monkeypatch.setattr(
        ResultWriter,
        "write",
        lambda self, cells, result: real(self, [c.strip() for c in cells], result),
    )
    failure = check_property(BY_NAME["csv-round-trip"], screener, max_examples=200, shrink=False)
    assert failure is not None
    assert "came back as" in failure.message


def test_every_property_has_a_bug_it_catches() -> None:
    tested_elsewhere = {"not-inverts", "dump-and-load-identical", "csv-round-trip"}
    assert set(BROKEN) | tested_elsewhere == set(BY_NAME)
