"""Where a run's outputs go: checked before the first row is read, committed together at the end.

A run writes each output, and each output's manifest, to a temporary file beside it.  Before it
reads anything it checks that every output can be written where it is to go (the folder exists
and takes a file; the path is not a folder, not the input, not another output or its manifest),
so that a mistake costs no screening.  At the end everything is written out under the temporary
names first, the manifests included, and only then renamed into place, one rename each, with
SIGINT and SIGTERM held back: so a run that fails or is interrupted leaves every output with its
manifest, or none; and if a rename itself fails, the error says exactly which files were written.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from engine.errors import OutputError
from engine.io.atomic import AtomicFile


class Committable(Protocol):
    """What a writer offers at the end of a run (every writer of engine.io.outputs does)."""

    def finish(self) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


def check_targets(outputs: Sequence[str], *, input_path: str | None, manifests: bool) -> None:
    """Raise OutputError, before anything is read, for an output that cannot be written: the
    same path twice, the input itself, another output's manifest, a folder, a folder that does
    not exist, or one that does not take a new file (read-only, no permission).  ``-`` is
    standard output."""
    seen: dict[str, str] = {}
    for output in outputs:
        if output == "-":
            continue
        path = Path(output)
        key = os.path.realpath(path)
        names = {key: "output"}
        if manifests:
            names[os.path.realpath(manifest_path(path))] = "manifest"
        for name, kind in names.items():
            if name in seen:
                earlier = seen[name]
                raise OutputError(
                    f"it is given twice ({earlier} and {kind} of {output})"
                    if earlier.startswith("output") or kind == "output"
                    else "two outputs would share a manifest",
                    file=output,
                )
            seen[name] = f"{kind} of {output}" if kind == "manifest" else "output"
        if input_path not in (None, "-") and _same_file(path, Path(input_path)):
            raise OutputError("it is the input: the output would replace it", file=output)
        if path.is_dir():
            raise OutputError("it is a folder; give a file name in it", file=output)
        folder = path.parent
        if not folder.is_dir():
            why = "is not a folder" if folder.exists() else "does not exist"
            raise OutputError(f"the folder {folder} {why}", file=output)
        _probe(folder, output)


def manifest_path(output: str | Path) -> Path:
    """Where the manifest of an output goes: beside it, named OUTPUT.manifest.json."""
    path = Path(output)
    return path.with_name(path.name + ".manifest.json")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _probe(folder: Path, output: str) -> None:
    """Create and remove a file in ``folder``, as the run's temporary files will be."""
    probe = folder / f".shipscreen-probe-{secrets.token_hex(6)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {os_error_text(exc)}", file=output) from exc
    os.close(fd)
    probe.unlink(missing_ok=True)


def os_error_text(exc: OSError) -> str:
    """Why a file could not be written, in plain words."""
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or str(exc)


def write_out(
    writers: Sequence[tuple[str, Committable]], manifests: Sequence[tuple[Path, str]]
) -> list[tuple[str, Committable]]:
    """Write out every output and every manifest (``(path, text)``) under temporary names; the
    steps :func:`move_into_place` then takes, in order.  A failure aborts everything (an
    OutputError: nothing was written)."""
    pending: list[AtomicFile] = []
    try:
        for name, writer in writers:
            _written(name, writer.finish)
        for path, text in manifests:
            atomic = AtomicFile(path, newline="\n")
            pending.append(atomic)
            _written(str(path), lambda a=atomic, t=text: _fill(a, t))
    except BaseException:
        for _, writer in writers:
            writer.abort()
        for atomic in pending:
            atomic.abort()
        raise
    return [*writers, *((str(a.path), a) for a in pending)]


def move_into_place(steps: Sequence[tuple[str, Committable]]) -> list[str]:
    """Rename what :func:`write_out` wrote into place, one rename each; the paths written.

    The caller holds SIGINT and SIGTERM back meanwhile (:func:`engine.io.atomic.signals_held`),
    and learns, before they come, that it is done.  A rename that fails stops there: the
    OutputError lists what was renamed already, and the rest is removed."""
    done: list[str] = []
    for i, (name, step) in enumerate(steps):
        try:
            step.commit()
        except OSError as exc:
            for _, rest in steps[i:]:
                rest.abort()
            text = os_error_text(exc)
            raise OutputError(f"cannot move into place: {text}", file=name, written=done) from exc
        if name != "-":
            done.append(name)
    return done


def _fill(atomic: AtomicFile, text: str) -> None:
    atomic.file.write(text)
    atomic.finish()


def _written(name: str, write: Any) -> None:
    try:
        write()
    except OSError as exc:
        raise OutputError(f"cannot write: {os_error_text(exc)}", file=name) from exc
