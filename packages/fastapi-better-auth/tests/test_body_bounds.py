"""Request bodies against the real backend under uvicorn, measured on the wire and in the server's memory: an
unauthenticated upload is refused before its body is read, and what an authenticated one may send is bounded in
bytes and in time (BetterAuth.protect() and install(); no proxy in front)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from conftest import Process, Reader, exchange, rss_mib, start_backend

MIB = 1024 * 1024


def put_head(stack, length: int | None, cookie: str | None = None) -> bytes:  # type: ignore[no-untyped-def]
    lines = [
        "PUT /api/progress HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Origin: {stack.origin}",
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    if cookie:
        lines.append(f"Cookie: better-auth.session_token={cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def port_of(process: Process) -> int:
    port = urlsplit(process.url).port
    assert port is not None
    return port


def code(body: bytes) -> str:
    return str(json.loads(body)["code"])


@pytest.fixture(scope="module")
def complete_reader(stack) -> Reader:  # type: ignore[no-untyped-def]
    return Reader(stack).sign_up().onboard()


def stored(stack, email: str) -> list[str]:  # type: ignore[no-untyped-def]
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            'SELECT chapter FROM reading_progress p JOIN "user" u ON u.id = p.user_id WHERE u.email = %s', (email,)
        ).fetchall()
    return [r[0] for r in rows]


@pytest.mark.parametrize("chunked", [False, True], ids=["192 MiB declared", "192 MiB chunked"])
def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(stack, chunked: bool) -> None:  # type: ignore[no-untyped-def]
    pid = stack.backend.pid
    before = rss_mib(pid)
    size = 192 * MIB
    r = exchange(port_of(stack.backend), put_head(stack, None if chunked else size), payload=size, chunked=chunked)
    grew = rss_mib(pid) - before
    figures = f"sent {r.sent / MIB:.1f} MiB before the answer, in {r.seconds:.2f} s; RSS {before:.0f} -> {before + grew:.0f} MiB"
    print(figures)
    assert (r.status, code(r.body)) == (401, "UNAUTHENTICATED"), figures
    # What the server's socket buffers and uvicorn's 64 KiB read-ahead take in before the answer, not the body.
    assert r.sent < 8 * MIB, figures
    assert grew < 16, figures


def test_a_declared_body_over_the_limit_is_refused_before_any_of_it_is_sent(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    r = exchange(port_of(stack.backend), put_head(stack, 2 * MIB, complete_reader.cookie), limit=10)
    assert (r.status, code(r.body)) == (413, "PAYLOAD_TOO_LARGE"), r
    assert b"connection: close" in r.head.lower()
    assert r.seconds < 5


def test_a_streamed_body_is_cut_at_the_limit(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    pid = stack.backend.pid
    before = rss_mib(pid)
    r = exchange(port_of(stack.backend), put_head(stack, None, complete_reader.cookie), payload=64 * MIB, chunked=True)
    grew = rss_mib(pid) - before
    figures = f"sent {r.sent / MIB:.1f} MiB before the answer; RSS grew {grew:.1f} MiB"
    assert (r.status, code(r.body)) == (413, "PAYLOAD_TOO_LARGE"), figures
    assert r.sent < 16 * MIB and grew < 16, figures
    assert stored(stack, complete_reader.email) == []


def test_control_a_body_within_the_limit_is_read(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"chapter": "bounded", "completed": True}).encode()
    head = put_head(stack, len(body), complete_reader.cookie)
    r = exchange(port_of(stack.backend), head + body)
    assert r.status == 200, r.body
    assert stored(stack, complete_reader.email) == ["bounded"]
    assert b"cache-control: no-store" in r.head.lower()


@pytest.fixture(scope="module")
def impatient_backend(stack, tmp_path_factory) -> Iterator[Process]:  # type: ignore[no-untyped-def]
    backend = start_backend(
        stack.database_url, stack.secret, stack.origin, tmp_path_factory.mktemp("impatient"), name="impatient",
        HTTP_REQUEST_TIMEOUT_MS="1000", HTTP_HEADERS_TIMEOUT_MS="1000",
    )
    yield backend
    backend.stop()


def test_a_body_that_stops_arriving_is_cut_after_the_body_timeout(stack, impatient_backend, complete_reader) -> None:  # type: ignore[no-untyped-def]
    # Ten bytes of a declared hundred, then nothing: the worker would otherwise wait for the rest for ever.
    r = exchange(port_of(impatient_backend), put_head(stack, 100, complete_reader.cookie) + b'{"chapter":', limit=10)
    assert (r.status, code(r.body)) == (408, "REQUEST_TIMEOUT"), r
    assert 0.9 < r.seconds < 5
    # Control: the same backend takes a body that arrives.
    body = json.dumps({"chapter": "prompt", "completed": True}).encode()
    assert exchange(port_of(impatient_backend), put_head(stack, len(body), complete_reader.cookie) + body).status == 200
