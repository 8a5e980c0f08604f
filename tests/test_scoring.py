"""Scores and bands: bounded, order-free, monotone, and explained by the contributions."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from engine.rules.scoring import band_of, combined_score, contributions

probs = st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=12)


@given(probs)
def test_score_is_bounded(ps: list[float]) -> None:
    assert 0.0 <= combined_score(ps) <= 100.0


@given(probs, st.randoms())
def test_score_does_not_depend_on_order(ps: list[float], rnd: object) -> None:
    shuffled = list(ps)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert math.isclose(combined_score(ps), combined_score(shuffled), abs_tol=1e-9)


@given(probs, st.floats(min_value=0.0, max_value=1.0))
def test_adding_a_hit_never_lowers_the_score(ps: list[float], p: float) -> None:
    assert combined_score([*ps, p]) >= combined_score(ps) - 1e-9


@given(probs)
def test_contributions_add_up_to_the_score(ps: list[float]) -> None:
    assert math.isclose(sum(contributions(ps)), combined_score(ps), abs_tol=1e-6)


def test_no_hits() -> None:
    assert combined_score([]) == 0.0
    assert contributions([]) == []
    assert band_of([]) == "low"


def test_band_is_the_highest_severity() -> None:
    assert band_of(["medium", "critical", "low"]) == "critical"
    assert band_of(["medium", "high"]) == "high"


def test_a_certain_hit_takes_most_of_the_score() -> None:
    shares = contributions([1.0, 0.5])
    assert math.isclose(sum(shares), 100.0)
    assert shares[0] > 20 * shares[1]
