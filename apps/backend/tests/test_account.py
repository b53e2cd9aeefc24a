"""The account page against the real backend: the export carries the backend's own data (GET /api/me/export),
revoking one session and deleting the account are refused by the backend within its usual bound, and a deletion
takes the backend's rows with it (ON DELETE CASCADE on reading_progress.user_id)."""

from __future__ import annotations

import time

import psycopg
import pytest

from conftest import Reader, refused_after
from test_session_cache import prove_cached

PASSWORD = "correct horse battery"


@pytest.fixture(params=["through the Node proxy", "on the backend's own port"])
def base_url(request, stack):  # type: ignore[no-untyped-def]
    return stack.node.url if request.param.startswith("through") else stack.backend.url


def count(stack, sql: str, *params: object) -> int:  # type: ignore[no-untyped-def]
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def post(reader: Reader, path: str, body: object):  # type: ignore[no-untyped-def]
    return reader.auth.post(path, json=body, headers={"origin": reader.stack.origin})


def test_export_holds_the_backends_reading_progress(stack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    assert reader.put("/api/progress", {"chapter": "variables", "completed": True}).status_code == 200
    direct = reader.get("/api/me/export")
    assert direct.status_code == 200, direct.text
    assert [p["chapter"] for p in direct.json()["readingProgress"]] == ["variables"]

    r = reader.auth.get("/api/auth/account/export")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["user"]["email"] == reader.email
    assert data["profile"]["developerRole"] == "data_science"
    assert data["backend"] == direct.json()


def test_export_is_open_to_a_reader_with_an_incomplete_profile(stack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up()
    assert reader.get("/api/me").json()["code"] == "PROFILE_INCOMPLETE"
    r = reader.get("/api/me/export")
    assert r.status_code == 200, r.text
    assert r.json() == {"readingProgress": []}
    assert reader.auth.get("/api/auth/account/export").json()["backend"] == {"readingProgress": []}


def test_export_needs_a_session(stack) -> None:  # type: ignore[no-untyped-def]
    r = Reader(stack).get("/api/me/export")
    assert r.status_code == 401
    assert r.json()["code"] == "UNAUTHENTICATED"


def test_revoking_one_session_is_refused_within_100_ms(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    other = reader.another_session()
    prove_cached(stack, reader)
    assert other.get("/api/me").status_code == 200
    other_id = other.auth.get("/api/auth/get-session").json()["session"]["id"]
    listed = reader.auth.get("/api/auth/list-sessions").json()
    token = next(s["token"] for s in listed if s["id"] == other_id)
    r = post(reader, "/api/auth/revoke-session", {"token": token})
    assert r.status_code == 200, r.text
    refused_after(other, time.monotonic(), 401)
    assert reader.get("/api/me").status_code == 200


def test_deleting_the_account_removes_the_backends_rows_and_is_refused_within_100_ms(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    other = reader.another_session()
    assert reader.put("/api/progress", {"chapter": "variables", "completed": True}).status_code == 200
    prove_cached(stack, reader)
    assert other.get("/api/me").status_code == 200
    user_id = reader.auth.get("/api/auth/get-session").json()["user"]["id"]

    r = post(reader, "/api/auth/delete-user", {"password": PASSWORD})
    assert r.status_code == 200, r.text
    started = time.monotonic()
    refused_after(other, started, 401)
    refused_after(reader, started, 401)
    for table, column in [('"user"', "id"), ("session", '"userId"'), ("account", '"userId"'), ("user_profile", "user_id"),
                          ("reading_progress", "user_id")]:
        assert count(stack, f"SELECT count(*) FROM {table} WHERE {column} = %s", user_id) == 0, table
