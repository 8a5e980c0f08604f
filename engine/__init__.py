"""shipscreen: rule-based sanctions-risk screening of shipments.

>>> from engine import Screener
>>> screener = Screener.default()
>>> result = screener.screen({"consignee": "Rosoboroneksport OAO", "hs_code": "8526.91"})
>>> result.band
'critical'

The package is layered; a layer imports only the layers listed before it (``tests/test_layers.py``
checks it)::

    errors.py, results.py  what the engine raises and returns (importing nothing of the engine,
    version.py, decoding.py  as the installed version and bytes read as text do not either)
    catalogue/             entities, list readers, safe YAML, the bundled data
    reading/               what a cell says: names, countries, HS codes, phrases, the record,
                           party matching against the catalogue's index
    facts.py               the catalogue compiled for screening, and what one shipment shows
    rules/                 the rule model, condition tree, gates, scoring, inline rule tests
    screener.py            the compiled Screener: catalogue + rules -> results
    io/                    bytes and files: decoding, CSV in and out, JSON Lines, Parquet, HTML,
                           manifests, atomic outputs
    scale/                 many rows at once: the worker pool, pandas, Dask
    testing/               hypothesis strategies and the engine's properties

The names below are imported when first used, so that ``import engine`` (and the command line's
start) stays cheap until something is screened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.catalogue.entities import Catalogue, load_catalogue
    from engine.errors import (
        CatalogueError,
        ConfigError,
        InputError,
        Problem,
        RuleSetError,
        ShipscreenError,
    )
    from engine.reading.matching import PartyMatch
    from engine.results import Evidence, Hit, ScreenResult
    from engine.rules.inline import InlineTest, run_inline_tests
    from engine.rules.ruleset import Rule, RuleSet, load_rules
    from engine.screener import Screener

    __version__: str

# Each public name and the module it lives in.
_EXPORTS = {
    "Catalogue": "engine.catalogue.entities",
    "load_catalogue": "engine.catalogue.entities",
    "CatalogueError": "engine.errors",
    "ConfigError": "engine.errors",
    "InputError": "engine.errors",
    "Problem": "engine.errors",
    "RuleSetError": "engine.errors",
    "ShipscreenError": "engine.errors",
    "PartyMatch": "engine.reading.matching",
    "Evidence": "engine.results",
    "Hit": "engine.results",
    "ScreenResult": "engine.results",
    "InlineTest": "engine.rules.inline",
    "run_inline_tests": "engine.rules.inline",
    "Rule": "engine.rules.ruleset",
    "RuleSet": "engine.rules.ruleset",
    "load_rules": "engine.rules.ruleset",
    "Screener": "engine.screener",
}

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


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from engine.version import engine_version

        value: Any = engine_version()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
