"""The change triggers and the listener on real databases migrated by the auth server: what each write announces,
and that the cache is only trusted where its own probe comes back."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator

import psycopg
import pytest

from better_auth_fastapi import SessionStore
from better_auth_fastapi.cache import CHANNEL, SessionCache
from conftest import create_database, drop_database


@pytest.fixture(scope="module")
def fresh_database(admin_url: str, secret: str) -> Iterator[str]:
    # Its own database: these tests truncate tables.
    name, url = create_database(admin_url, secret)
    yield url
    drop_database(admin_url, name)


def announced(url: str, *statements: str) -> list[dict[str, object]]:
    """The payloads the statements' commits send on the channel."""
    with psycopg.connect(url, autocommit=True) as listener, psycopg.connect(url, autocommit=True) as writer:
        listener.execute(f"LISTEN {CHANNEL}")
        for statement in statements:
            writer.execute(statement)
        return [json.loads(n.payload) for n in listener.notifies(timeout=0.5)]


def test_every_change_that_can_make_a_cached_session_stale_is_announced(fresh_database: str) -> None:
    url = fresh_database
    setup = [
        """INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
           VALUES ('u1', 'A', 'a@example.com', false, now(), now()), ('u2', 'B', 'b@example.com', false, now(), now())""",
        """INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
           VALUES ('s1', now() + interval '1 day', 't1', now(), now(), 'u1'), ('s2', now() + interval '1 day', 't2', now(), now(), 'u2')""",
    ]
    # New sessions and users name nothing a cache can hold: no announcement needed.
    assert announced(url, *setup) == []
    assert announced(url, """UPDATE session SET "expiresAt" = now() WHERE id = 's1'""") == [{"token": "t1"}]
    assert announced(url, "DELETE FROM session WHERE id = 's1'") == [{"token": "t1"}]
    assert announced(url, """UPDATE "user" SET name = 'C' WHERE id = 'u1'""") == [{"user": "u1"}]
    assert announced(url, "INSERT INTO user_profile (user_id, python_proficiency) VALUES ('u1', 'beginner')") == [{"user": "u1"}]
    # A profile handed to another user makes both users' cached profiles stale.
    assert announced(url, "UPDATE user_profile SET user_id = 'u2' WHERE user_id = 'u1'") == [{"user": "u1"}, {"user": "u2"}]
    assert announced(url, "DELETE FROM user_profile WHERE user_id = 'u2'") == [{"user": "u2"}]
    # A deleted user takes its sessions with it (ON DELETE CASCADE): both are announced.
    assert {json.dumps(p, sort_keys=True) for p in announced(url, """DELETE FROM "user" WHERE id = 'u2'""")} == {
        '{"user": "u2"}',
        '{"token": "t2"}',
    }
    # Row triggers do not fire on TRUNCATE; statement triggers announce it as "everything".
    for table in ("user_profile", "session", '"user" CASCADE'):
        assert {"all": True} in announced(url, f"TRUNCATE {table}"), table


@contextlib.asynccontextmanager
async def listening(database_url: str, listen_url: str) -> AsyncIterator[SessionStore]:
    """A store with a cache, its listener proving delivery every 0.2 s."""
    store = SessionStore(database_url, cache=SessionCache(), listen_url=listen_url)
    assert store.listener is not None
    store.listener.heartbeat = 0.2
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _eventually(condition: Callable[[], bool], seconds: float) -> bool:
    """True as soon as ``condition()`` holds, False once ``seconds`` have passed without it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _trusted_within(database_url: str, listen_url: str, seconds: float) -> bool:
    async with listening(database_url, listen_url) as store:
        cache = store.cache
        assert cache is not None
        return await _eventually(lambda: cache.enabled, seconds)


def test_the_cache_is_trusted_only_where_its_probe_comes_back(fresh_database: str, database_url: str) -> None:
    assert asyncio.run(_trusted_within(database_url, database_url, 3)), "control: same database, trusted"
    # Listening on another database stands for any path where LISTEN succeeds but nothing is delivered (a
    # transaction pooler, a wrong listen URL): the probe never comes back, so the cache never switches on.
    assert not asyncio.run(_trusted_within(database_url, fresh_database, 2))


def test_disabled_triggers_switch_the_cache_off(database_url: str) -> None:
    async def run() -> tuple[bool, bool]:
        async with listening(database_url, database_url) as store:
            assert store.listener is not None and store.cache is not None
            await asyncio.wait_for(store.listener.listening.wait(), 3)
            before = store.cache.enabled
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute("ALTER TABLE user_profile DISABLE TRIGGER better_auth_session_changes")
                try:
                    # Trust lapses two heartbeats (0.4 s) after the last proof; 3 s bounds a listener that never
                    # notices, and then the test fails.
                    cache = store.cache
                    after = not await _eventually(lambda: not cache.enabled, 3)
                finally:
                    conn.execute("ALTER TABLE user_profile ENABLE TRIGGER better_auth_session_changes")
            return before, after

    assert asyncio.run(run()) == (True, False)
