"""shipscreen: rule-based sanctions-risk screening of shipments.

>>> from engine import Screener
>>> screener = Screener.default()
>>> result = screener.screen({"consignee": "Rosoboroneksport OAO", "hs_code": "8526.91"})
>>> result.band
'critical'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from engine.entities import Catalogue, load_catalogue
from engine.errors import (
    CatalogueError,
    ConfigError,
    InputError,
    Problem,
    RuleSetError,
    ShipscreenError,
)
from engine.matching import PartyMatch
from engine.results import Evidence, Hit, ScreenResult
from engine.rules import Rule, RuleSet, load_rules
from engine.ruletests import InlineTest, run_inline_tests
from engine.screener import Screener

try:
    __version__ = version("shipscreen")
except PackageNotFoundError:  # running from a source checkout
    __version__ = "0.1.0+source"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "ConfigError",
    "Evidence",
    "Hit",
    "InlineTest",
    "InputError",
    "PartyMatch",
    "Problem",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "ScreenResult",
    "Screener",
    "ShipscreenError",
    "__version__",
    "load_catalogue",
    "load_rules",
    "run_inline_tests",
]
