"""Shared pytest fixtures: real processes on one real PostgreSQL.

The stack is started by the same module every test family uses, apps/server/src/testing/stack.ts, through its CLI:
a fresh database inside the PostgreSQL that scripts/test.mjs starts (TEST_PG_URL), migrated by the auth server's own
migration, the real Node auth server and the real uvicorn backend on free 127.0.0.1 ports. The CLI prints one JSON
line (URLs, PIDs) and holds the processes until it is stopped, by PID. Tests that need no stack (the pure-Python
ones) request none of these fixtures and run without Node or PostgreSQL.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from better_auth_fastapi.contract import SESSION_COOKIE

ROOT = Path(__file__).resolve().parent
STACK_CLI = ["node", "--import", "tsx", "apps/server/src/testing/stack.ts", "--json"]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


REVOCATION_BOUND = 0.1  # seconds: the documented bound from a revocation to the backend refusing it


def answered_within(get: Callable[[], httpx.Response], started: float, status: int) -> httpx.Response:
    """Asks ``get()`` again until it answers ``status``; fails when a request sent once the revocation bound since
    ``started`` has passed still answers otherwise (what one look after sleeping out the bound checked). Not at
    once: the backend learns of a change by notification, milliseconds after it commits; asked in a loop instead
    of after a fixed sleep, the test waits only as long as the change takes."""
    deadline = started + REVOCATION_BOUND
    for _ in range(10_000):  # each request takes at least a few ms: the deadline ends the loop long before this
        sent = time.monotonic()
        r = get()
        if r.status_code == status:
            return r
        assert sent < deadline, f"still {r.status_code} {sent - started:.3f} s after the change: {r.text}"
    raise AssertionError("unreachable: the deadline ends the loop")


def refused_after(reader: "Reader", started: float, status: int) -> None:
    """Asserts ``reader``'s /api/me answers ``status`` within the revocation bound of ``started``."""
    answered_within(lambda: reader.get("/api/me"), started, status)


class ManualClock:
    """A clock that moves only when a test moves it, for code that takes a ``clock`` (the ``time`` module's
    ``time()`` and ``monotonic()``): an expiry or a lapse is crossed exactly, without sleeping past it."""

    def __init__(self) -> None:
        self._wall = time.time()
        self._monotonic = time.monotonic()

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._wall += seconds
        self._monotonic += seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    proc: subprocess.Popen  # what stop() ends: the server itself, or the stack CLI holding it
    url: str
    log: Path
    pid: int = 0  # the server's own process (its memory, its CPU); proc's when 0

    def __post_init__(self) -> None:
        self.pid = self.pid or self.proc.pid

    def stop(self) -> None:
        _end(self.proc)


def _end(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 30 s (the stack CLI stops each of its processes with 10 s of grace first)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_process(cmd: list[str], *, env: dict[str, str], cwd: Path, ready_url: str, name: str, tmp: Path) -> Process:
    log = tmp / f"{name}.log"
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = ready_url.split("/api/")[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log.read_text()
            if "EADDRINUSE" in output or "address already in use" in output.lower():
                raise PortTaken(f"{name}: port taken")
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{output[-3000:]}")
        try:
            if httpx.get(ready_url, timeout=1).status_code == 200:
                return Process(proc, base, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{name} did not become ready:\n{log.read_text()[-3000:]}")


def _database_url(admin: str, name: str) -> str:
    parts = urlsplit(admin)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def admin_url() -> str:
    url = os.environ.get("TEST_PG_URL")
    if not url:
        # Skipped, not failed: the tests that need no stack (the package's pure-Python ones) still run with plain
        # pytest, without Node or PostgreSQL; scripts/test.mjs always sets TEST_PG_URL, so nothing is skipped there.
        pytest.skip("needs the stack (TEST_PG_URL): run through `npm test` or `node scripts/test.mjs <files>`")
    return url


@pytest.fixture(scope="session")
def secret() -> str:
    return secrets.token_urlsafe(32)


def run_stack(args: list[str], *, tmp: Path | None, name: str, admin_url: str | None = None,
              timeout: float = 180) -> tuple[subprocess.Popen, dict]:
    """Runs the stack CLI with ``args`` and returns it with the JSON line it printed once everything answered. Its
    stdin stays open: the CLI stops the stack when it closes, so a test run that dies takes its processes with it."""
    # Without a folder the output is piped: only for --detach, which prints little and exits.
    log = (tmp / f"{name}.log").open("w") if tmp else subprocess.PIPE
    env = {**os.environ, **({"TEST_PG_URL": admin_url} if admin_url else {})}
    proc = subprocess.Popen(STACK_CLI + args, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=log)
    assert proc.stdout is not None
    readable, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if readable else b""
    if not line:
        _end(proc)
        tail = (tmp / f"{name}.log").read_text()[-3000:] if tmp else proc.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
        raise RuntimeError(f"{name}: the stack did not start (exit {proc.returncode}):\n{tail}")
    return proc, json.loads(line)


def create_database(admin_url: str, secret: str) -> tuple[str, str]:
    """A fresh database in the test PostgreSQL, migrated; the caller drops it (drop_database)."""
    proc, info = run_stack(["--no-node", "--detach", "--secret", secret], tmp=None, name="database", admin_url=admin_url)
    proc.wait(timeout=30)
    return info["databaseName"], info["databaseUrl"]


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def database_url(admin_url: str, secret: str) -> Iterator[str]:
    name, url = create_database(admin_url, secret)
    yield url
    drop_database(admin_url, name)


class PortTaken(RuntimeError):
    pass


def on_free_port(start: Callable[[int], Process], port: int | None = None, attempts: int = 3) -> Process:
    """free_port() releases the port before the child binds it; another process on this machine may take it in
    between. Then the child exits with "address in use" and we try again on a new port (a bounded number of times)."""
    for attempt in range(attempts):
        try:
            return start(port if port is not None and attempt == 0 else free_port())
        except PortTaken:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _env_args(flag: str, env: dict[str, str]) -> list[str]:
    return [a for k, v in env.items() for a in (flag, f"{k}={v}")]


def start_backend(database_url: str, secret: str, public_url: str, tmp: Path, name: str = "backend", **extra: str) -> Process:
    """The backend alone, trusting ``public_url``, on a database already migrated."""
    args = ["--no-node", "--backend", "--database-url", database_url, "--secret", secret, "--public-url", public_url]
    proc, info = run_stack(args + _env_args("--backend-env", extra), tmp=tmp, name=name)
    return Process(proc, info["backendUrl"], tmp / f"{name}.log", info["backendPid"])


def start_node(database_url: str, secret: str, backend_url: str, tmp: Path, port: int, **extra: str) -> Process:
    """Node on ``port``: its PUBLIC_URL is fixed before start (the backend trusts it), so no retry on another port."""
    args = ["--database-url", database_url, "--secret", secret, "--port", str(port), "--backend-url", backend_url]
    proc, info = run_stack(args + _env_args("--env", extra), tmp=tmp, name="node")
    return Process(proc, info["url"], tmp / "node.log", info["nodePid"])


@dataclass
class Exchange:
    status: int | None
    head: bytes
    body: bytes
    sent: int  # body bytes the server let us send before the exchange ended
    seconds: float


def exchange(port: int, head: bytes, *, payload: int = 0, chunked: bool = False, finish: bool = True,
             limit: float = 30.0) -> Exchange:
    """One request on a raw socket: ``head`` (request line and headers, ending in a blank line), then ``payload``
    bytes of body (in chunk frames when ``chunked``, closed by the last chunk when ``finish``), written only while
    the server takes them, until an answer arrives or ``limit`` seconds pass. So the caller sees how much of a body
    the server read before it answered, which no HTTP client library reports."""

    def stream() -> Iterator[bytes]:
        left = payload
        while left > 0:
            n = min(left, 65536)
            left -= n
            yield (b"%x\r\n" % n + b"x" * n + b"\r\n") if chunked else b"x" * n
        if chunked and finish:
            yield b"0\r\n\r\n"

    started = time.monotonic()
    received = b""
    sent = 0
    pieces = stream()
    pending = next(pieces, b"")
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as s:
        s.sendall(head)
        s.setblocking(False)
        while time.monotonic() - started < limit:
            readable, writable, _ = select.select([s], [s] if pending else [], [], 0.5)
            if readable:
                try:
                    data = s.recv(65536)
                except ConnectionResetError:
                    break
                if not data:
                    break
                received += data
                if _complete(received):
                    break
            elif writable:
                try:
                    n = s.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    pending = b""
                    continue
                sent += n
                pending = pending[n:] or next(pieces, b"")
    head_bytes, _, rest = received.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ")[1]) if head_bytes.startswith(b"HTTP/1.1 ") else None
    return Exchange(status, head_bytes, rest, sent, time.monotonic() - started)


def _complete(received: bytes) -> bool:
    head, sep, rest = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(rest) >= int(value.strip())
    return True


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class Stack:
    node: Process
    backend: Process
    database_url: str
    secret: str
    processes: list[Process] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.node.url


def start_stack(database_url: str, secret: str, tmp: Path, *args: str) -> Stack:
    """Node in front of the backend on ``database_url``, one stack CLI holding both; ``args`` are more CLI options."""
    proc, info = run_stack(["--backend", "--database-url", database_url, "--secret", secret, *args], tmp=tmp, name="stack")
    log = tmp / "stack.log"
    node = Process(proc, info["url"], log, info["nodePid"])
    backend = Process(proc, info["backendUrl"], log, info["backendPid"])
    return Stack(node, backend, database_url, secret)


@pytest.fixture(scope="session")
def stack(database_url: str, secret: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real product: Node auth server proxying /api/* to the real backend, on one database."""
    # Short-lived JWTs let the JWT tests see a real token expire.
    started = start_stack(database_url, secret, tmp_path_factory.mktemp("stack"), "--jwt-expiration", "3s")
    yield started
    started.node.stop()  # one CLI holds both: this stops the backend too


class Reader:
    """A browser-like client on the product's origin: keeps cookies, sends Origin on writes."""

    def __init__(self, stack: Stack, base_url: str | None = None) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=base_url or stack.node.url, timeout=10)
        self.auth = httpx.Client(base_url=stack.node.url, timeout=10)  # always the auth server
        self.email = f"reader-{secrets.token_hex(4)}@example.com"
        self.bearer: str | None = None

    @property
    def cookie(self) -> str:
        return self.auth.cookies[SESSION_COOKIE]

    def _sync(self) -> None:
        self.http.cookies.set(SESSION_COOKIE, self.cookie)

    def sign_up(self) -> Reader:
        r = self.auth.post(
            "/api/auth/sign-up/email",
            json={"email": self.email, "password": "correct horse battery", "name": "Reader"},
            headers={"origin": self.stack.origin},
        )
        assert r.status_code == 200, r.text
        self.bearer = r.headers["set-auth-token"]
        self._sync()
        return self

    def another_session(self) -> Reader:
        """The same reader signed in a second time, as from another device: a second session row."""
        other = Reader(self.stack, str(self.http.base_url))
        other.email = self.email
        r = other.auth.post(
            "/api/auth/sign-in/email",
            json={"email": self.email, "password": "correct horse battery"},
            headers={"origin": self.stack.origin},
        )
        assert r.status_code == 200, r.text
        other.bearer = r.headers["set-auth-token"]
        other._sync()
        return other

    def onboard(self, proficiency: str = "intermediate", role: str = "data_science") -> Reader:
        r = self.auth.post(
            "/api/auth/profile",
            json={"pythonProficiency": proficiency, "developerRole": role},
            headers={"origin": self.stack.origin},
        )
        assert r.status_code == 200, r.text
        return self

    def sign_out(self) -> None:
        r = self.auth.post("/api/auth/sign-out", json={}, headers={"origin": self.stack.origin})
        assert r.status_code == 200, r.text

    def jwt(self) -> str:
        r = self.auth.get("/api/auth/token")
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def get(self, path: str, **kw):  # type: ignore[no-untyped-def]
        return self.http.get(path, **kw)

    def put(self, path: str, json: object, origin: str | None = "default", **kw):  # type: ignore[no-untyped-def]
        headers = dict(kw.pop("headers", {}))
        if origin == "default":
            headers["origin"] = self.stack.origin
        elif origin is not None:
            headers["origin"] = origin
        return self.http.put(path, json=json, headers=headers, **kw)


@pytest.fixture
def reader(stack: Stack) -> Reader:
    return Reader(stack)
