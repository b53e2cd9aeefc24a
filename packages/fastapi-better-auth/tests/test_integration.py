"""The FastAPI layer in-process: one line protects a whole app, public paths stay open, CSRF and codes hold."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from better_auth_fastapi import BetterAuth, Session
from conftest import Reader

COOKIE = "better-auth.session_token"


def make_app(stack, *, require_profile: bool = True) -> tuple[FastAPI, BetterAuth]:  # type: ignore[no-untyped-def]
    auth = BetterAuth(database_url=stack.database_url, secret=stack.secret, trusted_origins=[stack.origin])
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/public/page")
    async def public_page() -> dict[str, str]:
        return {"page": "open"}

    @app.get("/private")
    async def private(session: Session = Depends(auth.current_session)) -> dict[str, str]:
        return {"id": session.user.id}

    @app.post("/private")
    async def write(session: Session = Depends(auth.current_session)) -> dict[str, str]:
        return {"written": session.user.id}

    auth.protect(app, public_paths=["/health", "/public/*"], require_profile=require_profile)
    return app, auth


@pytest.fixture(scope="module")
def readers(stack):  # type: ignore[no-untyped-def]
    return {"incomplete": Reader(stack).sign_up(), "complete": Reader(stack).sign_up().onboard()}


@pytest.fixture(scope="module")
def client(stack) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app, _ = make_app(stack)
    with TestClient(app) as c:
        yield c


def cookie(reader: Reader) -> dict[str, str]:
    return {"cookie": f"{COOKIE}={reader.cookie}"}


def test_public_paths_need_no_session(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/public/page").status_code == 200


def test_every_other_path_needs_a_session(client: TestClient) -> None:
    for path in ["/private", "/not-a-route", "/public", "/healthz"]:
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.json()["code"] == "UNAUTHENTICATED"


def test_incomplete_profile_is_403_everywhere_protected(client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/private", headers=cookie(readers["incomplete"]))
    assert r.status_code == 403
    assert r.json() == {"code": "PROFILE_INCOMPLETE", "message": "Profile Incomplete"}
    assert client.get("/public/page", headers=cookie(readers["incomplete"])).status_code == 200


def test_complete_profile_passes_by_cookie_and_bearer(client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/private", headers=cookie(readers["complete"])).status_code == 200
    r = client.get("/private", headers={"authorization": f"Bearer {readers['complete'].bearer}"})
    assert r.status_code == 200


def test_cross_site_cookie_write_is_refused_before_the_route(stack, client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    headers = cookie(readers["complete"])
    r = client.post("/private", headers={**headers, "origin": "https://evil.example"})
    assert r.status_code == 403
    assert r.json()["code"] == "INVALID_ORIGIN"
    assert client.post("/private", headers={**headers, "origin": stack.origin}).status_code == 200
    bearer = {"authorization": f"Bearer {readers['complete'].bearer}", "origin": "https://evil.example"}
    assert client.post("/private", headers=bearer).status_code == 200


def test_session_only_mode_lets_incomplete_profiles_through(stack, readers) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(stack, require_profile=False)
    with TestClient(app) as c:
        assert c.get("/private", headers=cookie(readers["incomplete"])).status_code == 200
        assert c.get("/private").status_code == 401


def test_one_lookup_per_request_even_with_a_route_dependency(stack, readers) -> None:  # type: ignore[no-untyped-def]
    app, auth = make_app(stack)
    assert auth.store is not None
    calls = 0
    lookup = auth.store.lookup

    async def counting(token, via):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return await lookup(token, via)

    auth.store.lookup = counting  # type: ignore[method-assign]
    with TestClient(app) as c:
        assert c.get("/private", headers=cookie(readers["complete"])).status_code == 200
    assert calls == 1



def test_session_cache_state_says_whether_sessions_come_from_memory(stack) -> None:  # type: ignore[no-untyped-def]
    assert BetterAuth(database_url=stack.database_url, secret=stack.secret, session_cache=False).session_cache_state == "disabled"
    auth = BetterAuth(database_url=stack.database_url, secret=stack.secret)
    assert auth.session_cache_state == "off"  # not started: no notification has been proven to arrive
    with TestClient(FastAPI(lifespan=auth.lifespan)):
        deadline = time.monotonic() + 5
        while auth.session_cache_state != "on" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert auth.session_cache_state == "on"  # the first probe came back
    assert auth.session_cache_state == "off"  # stopped: emptied and no longer trusted
