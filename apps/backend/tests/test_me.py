"""Across languages, real processes, one database: the Node server issues and revokes, Python checks."""

from __future__ import annotations

import time

import psycopg
import pytest

from conftest import Reader, refused_after


@pytest.fixture(params=["through the Node proxy", "on the backend's own port"])
def base_url(request, stack):  # type: ignore[no-untyped-def]
    return stack.node.url if request.param.startswith("through") else stack.backend.url


def test_health_is_public(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    r = Reader(stack, base_url).get("/api/health")
    assert r.status_code == 200


def test_no_credentials_is_401(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    r = Reader(stack, base_url).get("/api/me")
    assert r.status_code == 401
    assert r.json()["code"] == "UNAUTHENTICATED"


def test_journey_incomplete_complete_signed_out(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up()
    r = reader.get("/api/me")
    assert r.status_code == 403
    assert r.json() == {"code": "PROFILE_INCOMPLETE", "message": "Profile Incomplete"}

    reader.onboard("advanced", "robotics")
    r = reader.get("/api/me")
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["email"] == reader.email
    assert body["profile"] == {"pythonProficiency": "advanced", "developerRole": "robotics", "onboardingCompleted": True}

    # The bearer form of the same session works too.
    bearer = Reader(stack, base_url).get("/api/me", headers={"authorization": f"Bearer {reader.bearer}"})
    assert bearer.status_code == 200

    reader.sign_out()
    signed_out = time.monotonic()
    refused_after(reader, signed_out, 401)  # the old cookie, sent after sign-out
    assert reader.get("/api/me").json()["code"] == "UNAUTHENTICATED"


def test_expired_session_is_401(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    assert reader.get("/api/me").status_code == 200
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(
            """UPDATE session SET "expiresAt" = now() - interval '1 second'
               WHERE "userId" = (SELECT id FROM "user" WHERE email = %s)""",
            (reader.email,),
        )
    refused_after(reader, time.monotonic(), 401)
    assert reader.get("/api/me").json()["code"] == "UNAUTHENTICATED"


def test_deleted_user_is_401(stack, base_url) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack, base_url).sign_up().onboard()
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute('DELETE FROM "user" WHERE email = %s', (reader.email,))
    refused_after(reader, time.monotonic(), 401)
