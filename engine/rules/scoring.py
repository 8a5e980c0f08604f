"""Scores and bands.

The band is the highest severity among the hits (``low`` with none): escalation is a rule's job,
never an accident of arithmetic.  The score ranks shipments: each hit contributes
``weight * strength`` and

    score = 100 * (1 - prod(1 - weight_i * strength_i))

which is bounded, independent of rule order, and never falls when a hit is added.  Each hit's
contribution is its share of the score in proportion to ``-log(1 - weight_i * strength_i)``, so the
contributions add up to the score whatever the order of the hits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.results import SEVERITIES, SEVERITY_RANK, Severity

# A hit with weight * strength = 1 would have an infinite log-share; cap it just below.
_P_MAX = 1.0 - 1e-9


def combined_score(probabilities: Sequence[float]) -> float:
    """The noisy-OR of the hits' ``weight * strength``, on a 0-100 scale."""
    survive = 1.0
    for p in probabilities:
        survive *= 1.0 - min(max(p, 0.0), 1.0)
    return 100.0 * (1.0 - survive)


def contributions(probabilities: Sequence[float]) -> list[float]:
    """Each hit's share of the score; the shares sum to the score."""
    total = combined_score(probabilities)
    logs = [-math.log1p(-min(max(p, 0.0), _P_MAX)) for p in probabilities]
    mass = sum(logs)
    if mass == 0.0:
        return [0.0 for _ in probabilities]
    return [total * value / mass for value in logs]


def band_of(severities: Sequence[str]) -> Severity:
    """The highest severity, or ``low`` when there is none."""
    if not severities:
        return "low"
    return SEVERITIES[max(SEVERITY_RANK[s] for s in severities)]


@dataclass(frozen=True)
class Scoring:
    """How a Screener turns hits into a score, shares and a band; replaceable to test properties."""

    combine: Callable[[Sequence[float]], float] = combined_score
    shares: Callable[[Sequence[float]], list[float]] = contributions
    band: Callable[[Sequence[str]], Severity] = band_of


DEFAULT_SCORING = Scoring()
