"""Where the bundled rule set and entity catalogue live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

from engine.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent.parent  # the engine package


def bundled_dir(name: str) -> Path:
    """The bundled ``rules`` or ``entities`` directory.

    In a wheel they are copied into the package (``engine/_bundled``); in a source checkout they are
    the repository's top-level directories.
    """
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"the bundled {name} directory is missing from this installation")
