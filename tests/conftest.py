"""Shared fixtures: the bundled screener, paths to the repository and to ../shared."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from engine import Screener
from engine.testing import CI_PROFILE, register_profiles

pytest_plugins = ["pytester"]  # running pytest on a user's test file, as the README shows

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


# What a test waits for gets this long: far more than any wait takes on a busy machine, so that a
# wait fails only when what it waits for does not come.
DEADLINE = 120.0


def wait_for(
    condition: Callable[[], object], what: str, process: subprocess.Popen[str] | None = None
) -> None:
    """Wait until ``condition()`` is true (fail after DEADLINE seconds, or as soon as ``process``
    has ended, with what it printed)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if process is not None and process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}:\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {DEADLINE:.0f} s for {what}")
        time.sleep(0.01)


@contextmanager
def fifo_writer(fifo: Path, process: subprocess.Popen[str]) -> Iterator[Callable[[bytes], None]]:
    """A function writing to the FIFO, once ``process`` has opened it for reading (so it has got
    as far as reading it); each write waits for the process to take the bytes (failing after
    DEADLINE seconds, or if it ends).  The write end is closed when the block ends."""
    fds: list[int] = []

    def opened() -> bool:
        try:
            fds.append(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # ENXIO: no reader yet
            return False
        return True

    wait_for(opened, f"{process.args} to open {fifo.name}", process)
    fd = fds[0]

    def write(data: bytes) -> None:
        rest = memoryview(data)

        def written() -> bool:
            nonlocal rest
            with contextlib.suppress(BlockingIOError):
                rest = rest[os.write(fd, rest) :]
            return not rest

        wait_for(written, f"the command to read {len(data):,} bytes", process)

    try:
        yield write
    finally:
        os.close(fd)


Spawn = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start ``python ARGS...`` from the repository in a process group of its own; whatever the
    test does, the group (the command and any workers it forked) is killed when the test ends."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, **kwargs: object) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            **kwargs,  # type: ignore[call-overload]
        )
        started.append(process)
        return process

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if process.stderr is not None:
            process.stderr.close()
