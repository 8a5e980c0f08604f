"""Files written whole or not at all: a temporary file beside the target, renamed when complete."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO


class AtomicFile:
    """A text file that appears at ``path`` only when :meth:`commit` is called.

    The temporary file lies beside the target (so the rename stays on one file system) and is
    created with the user's umask like any file they write.  :meth:`abort` removes it; an
    interrupted run therefore leaves no file that looks complete.
    """

    def __init__(self, path: str | Path, *, newline: str | None = "") -> None:
        self.path = Path(path)
        self.temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        fd = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline=newline)

    def commit(self) -> None:
        """Close the file and move it into place."""
        self.file.close()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        """Close and remove the unfinished file."""
        self.file.close()
        self.temporary.unlink(missing_ok=True)
