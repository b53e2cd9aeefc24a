"""Slow and oversized requests against the backend as `python -m app` runs it (uvicorn with the bounds it lacks):
a connection that never finishes its headers is answered 408 and closed, oversized headers get 431."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from conftest import Process, exchange, start_backend


@pytest.fixture(scope="module")
def backend(stack, tmp_path_factory) -> Iterator[Process]:  # type: ignore[no-untyped-def]
    process = start_backend(
        stack.database_url, stack.secret, stack.origin, tmp_path_factory.mktemp("slow"), name="slow", HTTP_HEADERS_TIMEOUT_MS="1000"
    )
    yield process
    process.stop()


def port(process: Process) -> int:
    value = urlsplit(process.url).port
    assert value is not None
    return value


def wait_for_answer(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    started = time.monotonic()
    sock.settimeout(limit)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pass
    return received, time.monotonic() - started


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"GET /api/hea"],
    ids=["nothing at all", "headers never finished", "request line never finished"],
)
def test_a_request_that_never_finishes_its_headers_is_answered_408_and_closed(backend, sent: bytes) -> None:  # type: ignore[no-untyped-def]
    with socket.create_connection(("127.0.0.1", port(backend))) as sock:
        sock.sendall(sent)
        received, seconds = wait_for_answer(sock, 10)
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert json.loads(received.partition(b"\r\n\r\n")[2])["code"] == "REQUEST_TIMEOUT"
    assert 0.9 < seconds < 5  # the connection was closed (recv saw the end), not left open


def test_headers_trickled_byte_by_byte_do_not_extend_the_deadline(backend) -> None:  # type: ignore[no-untyped-def]
    request = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    with socket.create_connection(("127.0.0.1", port(backend))) as sock:
        started = time.monotonic()
        for byte in request:  # one byte every 50 ms: each arrives in time, the whole does not
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.05)
            if time.monotonic() - started > 5:
                break
        received, _ = wait_for_answer(sock, 5)
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert time.monotonic() - started < 6


def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_request(backend) -> None:  # type: ignore[no-untyped-def]
    with socket.create_connection(("127.0.0.1", port(backend))) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(5)
        first = b""
        for _ in range(100):  # headers and body may come in separate reads: read until the whole answer is in
            first += sock.recv(65536)
            head, _, body = first.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), None)
            if length is not None and len(body) >= length:
                break
        assert first.startswith(b"HTTP/1.1 200 "), first
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the next one stalls
        received, seconds = wait_for_answer(sock, 10)
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert seconds < 5


def test_oversized_headers_get_431_and_normal_ones_pass(backend) -> None:  # type: ignore[no-untyped-def]
    def head(pad: int) -> bytes:
        return b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * pad + b"\r\n\r\n"

    big = exchange(port(backend), head(20_000), limit=10)
    assert big.status == 431 and json.loads(big.body)["code"] == "HEADERS_TOO_LARGE", big
    assert exchange(port(backend), head(8_000), limit=10).status == 200
