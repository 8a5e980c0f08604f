"""The installed shipscreen version (``engine.__version__``)."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version


@lru_cache(maxsize=1)
def engine_version() -> str:
    """The version of the installed distribution, or a source checkout's."""
    try:
        return version("shipscreen")
    except PackageNotFoundError:  # running from a source checkout
        return "0.1.0+source"
