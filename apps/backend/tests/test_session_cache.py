"""The backend's session cache against the real Node server: fast, yet a revocation is refused within 100 ms.

Every test first proves the cache is really serving (a row deleted with triggers silenced still answers 200),
so the refusals that follow come from invalidation, not from a cache that was never used.
"""

from __future__ import annotations

import time

import psycopg
import pytest

from conftest import Reader, refused_after


@pytest.fixture(params=["through the Node proxy", "on the backend's own port"])
def base_url(request, stack):  # type: ignore[no-untyped-def]
    return stack.node.url if request.param.startswith("through") else stack.backend.url


def silently(database_url: str, sql: str, *params: object) -> None:
    """Runs ``sql`` with triggers off (replica role), so no notification is sent: only an uncached read sees it."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(sql, params)


def session_token(reader: Reader) -> str:
    from urllib.parse import unquote

    return unquote(reader.cookie).rpartition(".")[0]


def prove_cached(stack, reader: Reader, within: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """A second session of ``reader``, read once, deleted silently, still accepted: the cache is serving.
    Tried for up to ``within`` seconds: a backend's listener connects after the backend starts answering."""
    deadline = time.monotonic() + within
    while True:
        spare = reader.another_session()
        assert spare.get("/api/me").status_code == 200
        silently(stack.database_url, "DELETE FROM session WHERE token = %s", session_token(spare))
        if spare.get("/api/me").status_code == 200:
            return
        assert time.monotonic() < deadline, "the session cache is not in use"
        time.sleep(0.2)


def test_sign_out_is_refused_within_100_ms(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    prove_cached(stack, reader)
    assert reader.get("/api/me").status_code == 200
    reader.sign_out()
    refused_after(reader, time.monotonic(), 401)


def test_revoking_every_session_is_refused_within_100_ms(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    other = reader.another_session()
    prove_cached(stack, reader)
    assert other.get("/api/me").status_code == 200
    r = reader.auth.post("/api/auth/revoke-other-sessions", json={}, headers={"origin": stack.origin})
    assert r.status_code == 200, r.text
    refused_after(other, time.monotonic(), 401)
    assert reader.get("/api/me").status_code == 200  # the session that revoked the others is untouched


def test_profile_change_is_seen_within_100_ms(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    prove_cached(stack, reader)
    assert reader.get("/api/me").json()["profile"]["developerRole"] == "data_science"
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(
            'DELETE FROM user_profile WHERE user_id = (SELECT id FROM "user" WHERE email = %s)', (reader.email,)
        )
    refused_after(reader, time.monotonic(), 403)


def test_a_completed_profile_is_seen_at_once_even_before_its_notification(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    prove_cached(stack, Reader(stack, base_url).sign_up().onboard())  # the cache is serving
    reader = Reader(stack, base_url).sign_up()
    assert reader.get("/api/me").status_code == 403  # read, and kept, while incomplete
    # Completed with no notification sent: a cached incomplete session would still be refused.
    silently(
        stack.database_url,
        """INSERT INTO user_profile (user_id, python_proficiency, developer_role, onboarding_completed)
           SELECT id, 'advanced', 'robotics', true FROM "user" WHERE email = %s""",
        reader.email,
    )
    r = reader.get("/api/me")
    assert r.status_code == 200, r.text
    assert r.json()["profile"]["developerRole"] == "robotics"


def test_deleted_user_is_refused_within_100_ms(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    prove_cached(stack, reader)
    assert reader.get("/api/me").status_code == 200
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute('DELETE FROM "user" WHERE email = %s', (reader.email,))
    refused_after(reader, time.monotonic(), 401)


def test_cache_is_emptied_when_the_listener_connection_drops(stack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, stack.backend.url).sign_up().onboard()
    prove_cached(stack, reader)
    assert reader.get("/api/me").status_code == 200
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        (killed,) = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'fastapi-better-auth listener' AND datname = current_database()"
        ).fetchone()
    assert killed >= 1
    # No notification will ever name this row: only a cache emptied on the drop can refuse it.
    silently(stack.database_url, "DELETE FROM session WHERE token = %s", session_token(reader))
    deadline = time.monotonic() + 2
    while reader.get("/api/me").status_code == 200:
        assert time.monotonic() < deadline, "the cache outlived its listener"
        time.sleep(0.01)
    assert reader.get("/api/me").status_code == 401
    # And it comes back once the listener has reconnected.
    prove_cached(stack, Reader(stack, stack.backend.url).sign_up().onboard())
