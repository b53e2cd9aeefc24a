"""A Better-Auth database without the onboarding plugin: a plain Better-Auth server (tests/fixtures/
plain_better_auth.mjs, its own migration only) writes the sessions. They validate, with no profile; profile checks
refuse to start, naming the missing table; every error is ``{code, message}`` JSON; and the change triggers the
cache needs can be installed from here (``python -m better_auth_fastapi install-triggers``), identical to the
onboarding plugin's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from better_auth_fastapi import BetterAuth, SchemaError, Session
from conftest import (
    PYTHON,
    ROOT,
    Process,
    _database_url,
    answered_within,
    create_database,
    drop_database,
    on_free_port,
    start_process,
)

PLAIN_SERVER = Path(__file__).parent / "fixtures" / "plain_better_auth.mjs"
COOKIE = "better-auth.session_token"


@dataclass
class Plain:
    origin: str
    database_url: str
    secret: str


def plain_database(admin_url: str, secret: str) -> tuple[str, str]:
    """A database migrated by Better-Auth alone: no user_profile, no change triggers."""
    name = "plain_" + secrets.token_hex(5)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = _database_url(admin_url, name)
    env = {**os.environ, "DATABASE_URL": url, "BETTER_AUTH_SECRET": secret, "PUBLIC_URL": "http://127.0.0.1"}
    subprocess.run(["node", str(PLAIN_SERVER), "--migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    return name, url


@pytest.fixture(scope="module")
def plain(admin_url: str, secret: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plain]:
    name, url = plain_database(admin_url, secret)
    tmp = tmp_path_factory.mktemp("plain")

    def start(port: int) -> Process:
        env = {"DATABASE_URL": url, "BETTER_AUTH_SECRET": secret, "PUBLIC_URL": f"http://127.0.0.1:{port}", "PORT": str(port)}
        return start_process(["node", str(PLAIN_SERVER)], env=env, cwd=ROOT,
                             ready_url=f"http://127.0.0.1:{port}/api/auth/ok", name="plain-better-auth", tmp=tmp)

    server = on_free_port(start)
    yield Plain(server.url, url, secret)
    server.stop()
    drop_database(admin_url, name)


class Visitor:
    """Signs up and out on the plain Better-Auth server, as a browser on its origin would."""

    def __init__(self, plain: Plain) -> None:
        self.plain = plain
        self.http = httpx.Client(base_url=plain.origin, timeout=10)
        r = self.http.post("/api/auth/sign-up/email", headers={"origin": plain.origin},
                           json={"email": f"p-{secrets.token_hex(4)}@example.com", "password": "correct horse battery", "name": "P"})
        assert r.status_code == 200, r.text
        self.cookie = {"cookie": f"{COOKIE}={self.http.cookies[COOKIE]}"}

    def sign_out(self) -> None:
        assert self.http.post("/api/auth/sign-out", headers={"origin": self.plain.origin}, json={}).status_code == 200


def app_on(plain: Plain, *, profile_route: bool = False, protect_profile: bool = False, **options: object) -> tuple[FastAPI, BetterAuth]:
    auth = BetterAuth(public_url=plain.origin, database_url=plain.database_url, secret=plain.secret, **options)  # type: ignore[arg-type]
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.get("/me")
    async def me(reader: Session = Depends(auth.current_session)) -> dict[str, object]:
        return {"id": reader.user.id, "profile": reader.profile and reader.profile.to_json()}

    if profile_route:
        @app.get("/chapter")
        async def chapter(reader: Session = Depends(auth.complete_profile)) -> dict[str, str]:
            return {"id": reader.user.id}

    auth.protect(app, public_paths=["/health"], require_profile=protect_profile)
    return app, auth


def test_sessions_validate_without_the_profile_table_and_errors_stay_json(plain: Plain) -> None:
    visitor = Visitor(plain)
    app, _ = app_on(plain)
    # raise_server_exceptions=False: the answer a client would get (a plain-text 500 before this was fixed).
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/me", headers=visitor.cookie)
        assert r.status_code == 200, r.text
        assert r.json()["profile"] is None
        r = client.get("/me")
        assert (r.status_code, r.json()["code"]) == (401, "UNAUTHENTICATED")
        started = time.monotonic()
        visitor.sign_out()
        r = answered_within(lambda: client.get("/me", headers=visitor.cookie), started, 401)
        assert r.json()["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("how", ["a route depends on complete_profile", "protect() requires a complete profile"])
def test_profile_checks_refuse_to_start_naming_the_onboarding_table(plain: Plain, how: str) -> None:
    if how.startswith("a route"):
        app, _ = app_on(plain, profile_route=True)
    else:
        app, _ = app_on(plain, protect_profile=True)
    with pytest.raises(SchemaError, match="user_profile"):
        with TestClient(app):
            pass


def test_control_the_same_checks_start_on_a_database_with_the_plugin(stack) -> None:  # type: ignore[no-untyped-def]
    with_plugin = Plain(stack.origin, stack.database_url, stack.secret)
    app, _ = app_on(with_plugin, profile_route=True, protect_profile=True)
    with TestClient(app) as client:
        assert client.get("/chapter").json()["code"] == "UNAUTHENTICATED"


def signed(token: str, secret: str) -> str:
    """The cookie value Better-Auth would set for ``token``: token.base64(HMAC-SHA256), percent-encoded."""
    signature = base64.b64encode(hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()).decode()
    return quote(f"{token}.{signature}", safe="")


def test_a_profile_table_dropped_while_running_gives_json_errors_not_a_crash(admin_url: str, secret: str) -> None:
    # Started with the table (a full migration), which then goes away: sessions still validate (read again without
    # the join), and a profile check answers PROFILE_TABLE_MISSING as JSON, where it used to be a plain-text 500.
    name, url = create_database(admin_url, secret)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("""INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
                            VALUES ('u1', 'A', 'a@example.com', false, now(), now())""")
            conn.execute("""INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
                            VALUES ('s1', now() + interval '1 day', 'tok1', now(), now(), 'u1')""")
        headers = {"cookie": f"{COOKIE}={signed('tok1', secret)}"}
        app, _ = app_on(Plain("http://127.0.0.1:9", url, secret), profile_route=True, session_cache=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/chapter", headers=headers).json()["code"] == "PROFILE_INCOMPLETE"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("DROP TABLE user_profile CASCADE")
            r = client.get("/me", headers=headers)
            assert r.status_code == 200, r.text
            r = client.get("/chapter", headers=headers)
            assert r.status_code == 500
            assert set(r.json()) == {"code", "message"} and r.json()["code"] == "PROFILE_TABLE_MISSING"
    finally:
        drop_database(admin_url, name)


def install_triggers(database_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([PYTHON, "-m", "better_auth_fastapi", "install-triggers"], env=env, capture_output=True,
                          text=True, timeout=60)


def test_install_triggers_turns_the_cache_on_for_a_plain_better_auth_database(plain: Plain) -> None:
    visitor = Visitor(plain)
    app, auth = app_on(plain)
    assert auth.store is not None and auth.store.listener is not None
    auth.store.listener.heartbeat = 0.2
    with TestClient(app) as client:
        # No triggers yet: nothing proves a sign-out would be heard, so the cache stays off (every request is read
        # from the table, still correct). Asserted once the listener has looked for the triggers and warned.
        listener = auth.store.listener
        deadline = time.monotonic() + 5
        while not listener._warned and time.monotonic() < deadline:
            time.sleep(0.02)
        assert listener._warned, "the listener never checked for the triggers"
        assert auth.session_cache_state == "off"
        done = install_triggers(plain.database_url)
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 5
        while auth.session_cache_state != "on" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert auth.session_cache_state == "on"
        assert client.get("/me", headers=visitor.cookie).status_code == 200  # now served from memory
        started = time.monotonic()
        visitor.sign_out()
        r = answered_within(lambda: client.get("/me", headers=visitor.cookie), started, 401)
        assert r.json()["code"] == "UNAUTHENTICATED"


DEFINITIONS = """
SELECT (SELECT pg_get_functiondef('better_auth_session_changes'::regproc)),
       (SELECT array_agg(c.relname || ': ' || pg_get_triggerdef(g.oid) ORDER BY c.relname, g.tgname)
        FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname LIKE 'better_auth_session_changes%')
"""


def test_the_installed_triggers_are_the_onboarding_migrations_own(database_url: str, admin_url: str, secret: str) -> None:
    # database_url was migrated by the auth server, whose triggers come from @textbook-auth/onboarding.
    with psycopg.connect(database_url) as conn:
        reference = conn.execute(DEFINITIONS).fetchone()
    name, url = create_database(admin_url, secret)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP FUNCTION better_auth_session_changes() CASCADE")  # and with it every trigger
        done = install_triggers(url)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(url) as conn:
            assert conn.execute(DEFINITIONS).fetchone() == reference
        assert reference is not None and len(reference[1]) == 6
    finally:
        drop_database(admin_url, name)


def test_install_triggers_says_what_is_missing(admin_url: str) -> None:
    name = "empty_" + secrets.token_hex(5)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        done = install_triggers(_database_url(admin_url, name))
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and "session" in done.stderr
    finally:
        drop_database(admin_url, name)
    done = install_triggers(None)
    assert done.returncode == 2  # usage: no DATABASE_URL
