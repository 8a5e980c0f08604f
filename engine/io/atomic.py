"""Files written whole or not at all: a temporary file beside the target, renamed when complete."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol

from engine.results import Screened, ScreenResult


class AtomicFile:
    """A file that appears at ``path`` only when :meth:`commit` is called.

    The temporary file lies beside the target (so the rename stays on one file system) and is
    created with the user's umask like any file they write.  :meth:`abort` removes it; an
    interrupted run therefore leaves no file that looks complete.  It is a UTF-8 text file, or a
    binary one with ``binary``.
    """

    def __init__(self, path: str | Path, *, newline: str | None = "", binary: bool = False) -> None:
        self.path = Path(path)
        self.temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        fd = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.file: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        )

    def finish(self) -> None:
        """Write out and close the file, still under its temporary name."""
        self.file.close()

    def commit(self) -> None:
        """Close the file (if :meth:`finish` did not) and move it into place: a rename."""
        self.file.close()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        """Close and remove the unfinished file (never raising: it is being thrown away, and a
        full disk fails the close's flush)."""
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            self.temporary.unlink(missing_ok=True)


class _TextRenderer(Protocol):
    def render(self, rows: Screened) -> str: ...


class TextOutput:
    """A text output of screened rows: a file written atomically (:class:`AtomicFile`), or an
    open stream (standard output) written as it goes.  Subclasses set :attr:`renderer`; rows are
    rendered by it (in a worker process, if screening runs in several) and written with
    :meth:`write_rendered`."""

    renderer: _TextRenderer

    def __init__(self, target: str | Path | IO[str], *, newline: str | None = "") -> None:
        #: The output's path, or "-" for a stream (as the command names it).
        self.name = str(target) if isinstance(target, str | Path) else "-"
        if isinstance(target, str | Path):
            self._atomic: AtomicFile | None = AtomicFile(target, newline=newline)
            self._stream: IO[str] = self._atomic.file
        else:
            self._atomic, self._stream = None, target

    def write(self, cells: Sequence[str], result: ScreenResult) -> None:
        """Write one input row with its result."""
        self.write_rendered(self.renderer.render([(cells, result)]))

    def write_rendered(self, text: str) -> None:
        """Write rows rendered by :attr:`renderer`."""
        self._stream.write(text)

    def finish(self) -> None:
        """Write out what is written (the file stays under its temporary name)."""
        if self._atomic is not None:
            self._atomic.finish()
        else:
            self._stream.flush()

    def commit(self) -> None:
        """Finish the file and move it into place."""
        if self._atomic is not None:
            self._atomic.commit()

    def abort(self) -> None:
        """Discard the partial file."""
        if self._atomic is not None:
            self._atomic.abort()


_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends, then arrive (as the handlers in place when
    it began take them): for steps that must happen whole or not at all, such as renaming
    outputs into place with their manifests.

    Held at Python's level, where the handlers run: masking them in the process would not do,
    since the system hands a signal to any thread that does not mask it (pyarrow's, Dask's,
    the worker pool's), and Python then runs its handler in the main thread all the same.  Off
    the main thread, where handlers cannot be set, nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[tuple[int, FrameType | None]] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        arrived.append((signum, frame))

    previous = {s: signal.signal(s, remember) for s in _HELD}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if arrived:
            signum, frame = arrived[0]
            handler = previous[signal.Signals(signum)]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM blocked for this thread while the block runs, and so for the
    processes it forks meanwhile (a forked child keeps its parent thread's mask): workers are
    forked inside it, and each lets them through (:func:`release_signals`) once it has set its
    own handling.  Where signals cannot be blocked (not POSIX), they are not."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release_signals() -> None:
    """Let SIGINT and SIGTERM through again in a process forked inside :func:`signals_blocked`."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
