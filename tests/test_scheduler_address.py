"""``--scheduler``: an address that is not one is refused before anything is read, and a server
there that is not a Dask scheduler (garbage, an HTTP reply, silence, a closed connection) is
refused within the connect timeout, with one line and exit code 2, memory untouched.

The servers are threads of the test on the loopback interface; the timeout is the module's
named setting, made short here, so that no test waits for long or sleeps a fixed time.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli import main
from engine.scale import cluster
from tests.conftest import REPO

pytest.importorskip("distributed", reason="the Dask tests need shipscreen[dask]")

EXAMPLE = REPO / "examples" / "shipments.csv"


def run_with_scheduler(address: str, tmp_path: Any) -> Any:
    out = tmp_path / "results"
    result = CliRunner().invoke(
        main, ["screen", str(EXAMPLE), "-o", str(out), "--engine", "dask", "--scheduler", address]
    )
    assert not out.exists()
    assert not list(tmp_path.glob(".results.*"))  # no partial folder either
    return result


def assert_refused(result: Any, *phrases: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # ended by the command, not by an error
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("shipscreen: "), result.stderr
    for phrase in phrases:
        assert phrase in error, error


@pytest.mark.parametrize(
    ("address", "phrase"),
    [
        ("not a url", "is not a scheduler address"),
        ("", "is not a scheduler address"),
        ("tcp://", "is not a scheduler address"),
        ("tcp://localhost", "missing port number"),
        ("localhost:http", "invalid literal for int()"),
        ("tcp://localhost:0", "port 0 is not one a scheduler listens on"),
        ("tcp://localhost:99999", "port 99999 is not one a scheduler listens on"),
        ("tcp://::1:8786", "ipv6 needs brackets"),
        ("http://localhost:8787", "unknown address scheme 'http'"),
        ("tcp:// localhost:8786", "is not a scheduler address"),
    ],
)
def test_a_malformed_address_is_refused_before_anything_is_read(
    address: str, phrase: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_plan(*args: object, **kwargs: object) -> None:
        raise AssertionError("the inputs were planned for an address that is not one")

    monkeypatch.setattr(cluster, "plan", no_plan)
    result = run_with_scheduler(address, tmp_path)
    assert_refused(result, f"--scheduler {address!r}", phrase)
    assert "tcp://HOST:PORT" in result.stderr  # it says what an address looks like


@given(st.text(max_size=40))
def test_any_text_is_an_address_or_a_cluster_error(text: str) -> None:
    error: cluster.ClusterError | None = None
    try:
        address = cluster.scheduler_address(text)
    except cluster.ClusterError as exc:
        error = exc
    if error is not None:
        assert repr(text) in str(error)
    else:
        assert "://" in address


@pytest.mark.parametrize(
    ("given_address", "address"),
    [
        ("localhost:8786", "tcp://localhost:8786"),
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("[::1]:8786", "tcp://[::1]:8786"),
        ("tls://scheduler.example:8786", "tls://scheduler.example:8786"),
        ("inproc://10.0.0.5/1234/5", "inproc://10.0.0.5/1234/5"),
    ],
)
def test_addresses_distributed_takes_are_taken(given_address: str, address: str) -> None:
    assert cluster.scheduler_address(given_address) == address


# ------------------------------------------------------------------------ servers that are not Dask


@contextlib.contextmanager
def server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback server whose every connection gets ``answer(connection)``; its address."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            held.append(connection)
            with contextlib.suppress(OSError):
                answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting in accept()
        listener.close()
        for connection in held:
            connection.close()
        thread.join(timeout=10)


def garbage(connection: socket.socket) -> None:
    # Read as a frame's length, these bytes ask for about 3 EiB.
    connection.sendall(b"\xff" * 7 + b"\x2f" + bytes(range(256)) * 16)


def http_reply(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def a_huge_frame(connection: socket.socket) -> None:
    connection.sendall(struct.pack("Q", 1 << 40) + b"\0" * 4096)  # 1 TiB promised


def a_frame_never_finished(connection: socket.socket) -> None:
    # 21 bytes of the 100 promised, then silence.
    connection.sendall(struct.pack("Q", 100) + b"\x01" + b"\0" * 20)


def a_frame_of_nonsense(connection: socket.socket) -> None:
    body = struct.pack("QQ", 1, 6) + b"\xc1" * 6  # one frame, of bytes msgpack never uses
    connection.sendall(struct.pack("Q", len(body)) + body)


def silence(connection: socket.socket) -> None:
    """Accept, and never answer (the connection stays open until the test ends)."""


def hang_up(connection: socket.socket) -> None:
    connection.close()


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (garbage, "answered ff ff ff ff ff ff ff 2f 00 01 02 03"),
        (http_reply, "answered 'HTTP/1.1 400 Bad Request"),
        (a_huge_frame, "answered 00 00 00 00 00 01 00 00 00 00 00 00"),
        (a_frame_of_nonsense, "answered 16 00 00 00 00 00 00 00 01 00 00 00"),
        (a_frame_never_finished, "sent 29 bytes, then nothing for 0.5 s"),
        (silence, "accepted the connection but sent nothing for 0.5 s"),
        (hang_up, "closed the connection without a word"),
    ],
    ids=lambda value: getattr(value, "__name__", "phrase"),
)
def test_a_server_that_is_not_a_dask_scheduler_is_refused_in_bounded_time(
    answer: Callable[[socket.socket], None],
    phrase: str,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cluster, "_CONNECT_TIMEOUT", 0.5)
    before = peak_rss()
    with server(answer) as address:
        result = run_with_scheduler(address, tmp_path)
    assert_refused(result, f"no Dask scheduler answers at {address}", phrase)
    assert peak_rss() - before < 256 << 20  # nothing the size of what the server asked for


def test_a_port_nobody_listens_on_is_refused_at_once(tmp_path: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    # Closed: connecting is refused, at once (distributed retries until its timeout, 30 s).
    result = run_with_scheduler(f"127.0.0.1:{port}", tmp_path)
    assert_refused(result, f"cannot reach the scheduler at tcp://127.0.0.1:{port}", "refused")


# ------------------------------------------------------------------------ TLS


@pytest.fixture
def tls_config(tmp_path: Any) -> dict[str, str]:
    """Dask's TLS settings for every role: one self-signed certificate (made by openssl)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=dask-internal", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    config = {"distributed.comm.tls.ca-file": str(cert)}
    for role in ("client", "scheduler", "worker"):
        config[f"distributed.comm.tls.{role}.cert"] = str(cert)
        config[f"distributed.comm.tls.{role}.key"] = str(key)
    return config


def test_a_tls_scheduler_is_greeted_through_tls(tls_config: dict[str, str], tmp_path: Any) -> None:
    import dask
    import distributed

    with (
        dask.config.set(tls_config),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, protocol="tls",
            security=distributed.Security(), dashboard_address=":0", silence_logs=40,
        ) as tls_cluster,
    ):  # fmt: skip
        address = tls_cluster.scheduler_address
        assert address.startswith("tls://")
        out = tmp_path / "results"
        result = CliRunner().invoke(
            main,
            ["screen", str(EXAMPLE), "-o", str(out), "--engine", "dask", "--scheduler", address],
        )
        assert result.exit_code == 0, result.output
        assert (out / cluster.MANIFEST_NAME).exists()
        with dask.config.set({"distributed.comm.tls.client.cert": None}):
            result = run_with_scheduler(address, tmp_path / "none")
            assert_refused(result, "has no TLS certificates for a client")


def test_a_tls_address_of_a_server_that_is_not_dask_is_refused(
    tls_config: dict[str, str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask

    monkeypatch.setattr(cluster, "_CONNECT_TIMEOUT", 0.5)
    with dask.config.set(tls_config), server(http_reply) as address:
        result = run_with_scheduler(address.replace("tcp://", "tls://"), tmp_path)
    assert_refused(result, "cannot reach the scheduler at tls://127.0.0.1:")
