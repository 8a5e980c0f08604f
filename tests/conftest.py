"""Shared fixtures: the bundled screener, paths to the repository and to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from engine import Screener
from engine.testing import CI_PROFILE, register_profiles

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHIPSCREEN_SHARED", REPO.parent / "shared"))

# The shipped profiles: deterministic and bounded in CI, more examples locally
# (HYPOTHESIS_PROFILE=shipscreen-dev pytest).
register_profiles()
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", CI_PROFILE))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test (with the reason) when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (the shared project material is absent)")
    return path


@pytest.fixture(scope="session")
def screener() -> Screener:
    """The bundled catalogue and rule set."""
    return Screener.default()


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository's root."""
    return REPO
