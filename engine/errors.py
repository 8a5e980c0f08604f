"""The exceptions shipscreen raises.

::

    ShipscreenError                 every error the engine raises on purpose
    ├── ConfigError                 rules, entities or lists cannot be used (CLI exit code 2)
    │   ├── RuleSetError            one or more problems in a rule set, all reported at once
    │   └── CatalogueError          one or more problems in the entity catalogue or a list file
    ├── InputError                  an input file cannot be read at all (CLI exit code 2)
    └── OutputError                 an output cannot be written (CLI exit code 2); says which
                                    files were written, if any

A problem in a single shipment row is not an exception: the row comes back with its ``error``
set and the run goes on.  Context is passed keyword-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found while loading data, located as precisely as the loader can."""

    file: str
    message: str
    item: str | None = None  # e.g. "rule 'sanctioned-party'" or "party 'rostec'"
    path: str | None = None  # e.g. "when.all[1].goods_in.tags[0]"
    suggestion: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.item:
            parts.append(self.item)
        if self.path:
            parts.append(self.path)
        text = ": ".join(parts) + ": " + self.message
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ShipscreenError(Exception):
    """Base class of every error shipscreen raises on purpose."""


class ConfigError(ShipscreenError):
    """Rules, entities or lists that cannot be used; carries every problem found."""

    def __init__(self, summary: str, *, problems: Sequence[Problem] = ()) -> None:
        self.problems = tuple(problems)
        lines = [summary, *(f"  {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


class RuleSetError(ConfigError):
    """A rule set with one or more problems."""


class CatalogueError(ConfigError):
    """An entity catalogue or list file with one or more problems."""


class InputError(ShipscreenError):
    """An input file that cannot be read at all."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class OutputError(ShipscreenError):
    """An output that cannot be written: where, why, and the files written all the same."""

    def __init__(self, message: str, *, file: str, written: Sequence[str] = ()) -> None:
        self.file = file
        self.written = tuple(written)
        done = (
            "; written all the same: " + ", ".join(self.written)
            if self.written
            else "; nothing was written"
        )
        super().__init__(f"{file}: {message}{done}")
