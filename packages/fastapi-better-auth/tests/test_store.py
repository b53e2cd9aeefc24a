"""The one session query, on a real database migrated by the auth server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import psycopg
import pytest

from better_auth_fastapi import SessionStore, Unavailable, verify_signed_token
from conftest import Reader, free_port

PROFILE_FIELDS = Path(__file__).resolve().parents[3] / "packages" / "onboarding" / "src" / "profile-fields.json"


def test_profile_enums_in_the_database_equal_the_one_source(database_url: str) -> None:
    # Python keeps no copy of the values: it reads them as text, and this pins the database to the shared JSON.
    fields = json.loads(PROFILE_FIELDS.read_text())
    with psycopg.connect(database_url) as conn:
        for field in ("pythonProficiency", "developerRole"):
            spec = fields[field]
            labels = conn.execute(
                "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = %s"
                " ORDER BY e.enumsortorder",
                (spec["enumType"],),
            ).fetchall()
            assert [label for (label,) in labels] == list(spec["values"]), field
            (udt,) = conn.execute(
                "SELECT udt_name FROM information_schema.columns WHERE table_name = 'user_profile' AND column_name = %s",
                (spec["column"],),
            ).fetchone()
            assert udt == spec["enumType"]


async def _lookup(url: str, token: str, **kw):  # type: ignore[no-untyped-def]
    store = SessionStore(url, **kw)
    await store.open()
    try:
        return await store.lookup(token, "cookie")
    finally:
        await store.close()


@pytest.mark.parametrize("prepare", [True, False], ids=["prepared", "pooler mode (no prepared statements)"])
def test_lookup_follows_the_session_through_onboarding(stack, prepare: bool) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up()
    token = verify_signed_token(reader.cookie, stack.secret.encode())
    assert token is not None

    session = asyncio.run(_lookup(stack.database_url, token, prepare=prepare))
    assert session is not None and session.user.email == reader.email
    assert not session.profile_complete

    reader.onboard("beginner", "devops")
    session = asyncio.run(_lookup(stack.database_url, token, prepare=prepare))
    assert session is not None and session.profile_complete
    assert (session.profile.python_proficiency, session.profile.developer_role) == ("beginner", "devops")

    reader.sign_out()
    assert asyncio.run(_lookup(stack.database_url, token, prepare=prepare)) is None


def test_unknown_token_is_none(database_url: str) -> None:
    assert asyncio.run(_lookup(database_url, "no-such-token")) is None


def test_unreachable_database_is_unavailable_not_none() -> None:
    # None would read as "signed out"; an outage must stay distinguishable so the API answers 503, not 401.
    url = f"postgresql://postgres:postgres@127.0.0.1:{free_port()}/postgres?connect_timeout=1"
    with pytest.raises(Unavailable):
        asyncio.run(_lookup(url, "any-token", timeout=0.5))
