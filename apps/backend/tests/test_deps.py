"""The backend's own database failing under a signed-in reader: 503 AUTH_UNAVAILABLE, never a 500 or a traceback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool

from app.core.config import Settings
from app.main import create_app
from conftest import Reader, free_port


@pytest.fixture
def client(stack) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(DATABASE_URL=stack.database_url, BETTER_AUTH_SECRET=stack.secret, PUBLIC_URL=stack.origin)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _as_reader(client: TestClient, stack) -> dict[str, str]:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    client.cookies.set("better-auth.session_token", reader.cookie)
    return {"origin": stack.origin}


def _assert_unavailable(client: TestClient, headers: dict[str, str]) -> None:
    for r in (client.get("/api/progress"), client.put("/api/progress", json={"chapter": "x", "completed": True}, headers=headers)):
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "AUTH_UNAVAILABLE"


def test_unreachable_progress_database_is_503(stack, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    headers = _as_reader(client, stack)
    assert client.get("/api/progress").status_code == 200
    dead = AsyncConnectionPool(f"postgresql://postgres:postgres@127.0.0.1:{free_port()}/x", min_size=0, max_size=1, timeout=0.5, open=False)
    client.portal.call(dead.open)  # type: ignore[union-attr]
    client.app.state.db = dead  # type: ignore[attr-defined]
    try:
        _assert_unavailable(client, headers)
    finally:
        client.portal.call(dead.close)  # type: ignore[union-attr]


def test_connection_dying_mid_request_is_503(stack, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    # The pool handed out a connection, then the database went away before the route's query ran.
    headers = _as_reader(client, stack)

    class DyingPool:
        @asynccontextmanager
        async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
            conn = await psycopg.AsyncConnection.connect(stack.database_url, autocommit=True)
            await conn.close()
            yield conn

    client.app.state.db = DyingPool()  # type: ignore[attr-defined]
    _assert_unavailable(client, headers)


def test_unexpected_error_is_json_without_details(stack, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    _as_reader(client, stack)

    class BrokenPool:
        @asynccontextmanager
        async def connection(self) -> AsyncIterator[object]:
            class Conn:
                async def execute(self, *_a: object) -> None:
                    raise RuntimeError("secret internals")

            yield Conn()

    client.app.state.db = BrokenPool()  # type: ignore[attr-defined]
    r = client.get("/api/progress")
    assert r.status_code == 500
    assert r.json()["code"] == "INTERNAL_ERROR"
    assert "secret internals" not in r.text
