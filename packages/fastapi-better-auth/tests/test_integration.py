"""The FastAPI layer in-process: one line protects a whole app, public paths stay open, CSRF and codes hold."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from better_auth_fastapi import BetterAuth, Session
from conftest import Reader

COOKIE = "better-auth.session_token"


def make_app(stack, *, require_profile: bool = True, session_only_paths: tuple[str, ...] = ()) -> tuple[FastAPI, BetterAuth]:  # type: ignore[no-untyped-def]
    auth = BetterAuth(public_url=stack.origin, database_url=stack.database_url, secret=stack.secret)
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

    @app.post("/upload")
    async def upload(request: Request, session: Session = Depends(auth.current_session)) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/open/{rest:path}")
    async def open_tree(rest: str) -> dict[str, str]:
        return {"open": rest}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("inside")
        await websocket.close()

    @app.websocket("/ws-dependency")
    async def ws_dependency(websocket: WebSocket, session: Session = Depends(auth.current_session)) -> None:
        await websocket.accept()
        await websocket.send_text(session.user.id)
        await websocket.close()

    auth.protect(
        app,
        public_paths=["/health", "/public/*", "/open/**", "/ws-dependency"],
        require_profile=require_profile,
        session_only_paths=session_only_paths,
    )
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


def test_session_only_paths_need_a_session_but_no_profile(stack, readers) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(stack, session_only_paths=("/private",))
    with TestClient(app) as c:
        assert c.get("/private", headers=cookie(readers["incomplete"])).status_code == 200
        assert c.get("/private").json()["code"] == "UNAUTHENTICATED"
        assert c.post("/upload", headers={**cookie(readers["incomplete"]), "origin": stack.origin}).json()["code"] == "PROFILE_INCOMPLETE"


def test_one_lookup_per_request_even_with_a_route_dependency(stack, readers) -> None:  # type: ignore[no-untyped-def]
    app, auth = make_app(stack)
    assert auth.store is not None
    calls = 0
    lookup = auth.store.lookup

    async def counting(token, via, **options):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return await lookup(token, via, **options)

    auth.store.lookup = counting  # type: ignore[method-assign]
    with TestClient(app) as c:
        assert c.get("/private", headers=cookie(readers["complete"])).status_code == 200
    assert calls == 1


def test_public_patterns_do_not_match_across_slashes(client: TestClient) -> None:
    # "/public/*" is one segment: a deeper path is protected (fnmatch's "*" used to match "/" too).
    for path in ["/public/a/b", "/public/page/extra"]:
        r = client.get(path)
        assert (r.status_code, r.json()["code"]) == (401, "UNAUTHENTICATED"), path
    # "**" is asked for explicitly and crosses segments.
    assert client.get("/open/a/b/c").json() == {"open": "a/b/c"}


def test_options_requests_need_a_session_too(client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    r = client.options("/private")
    assert (r.status_code, r.json()["code"]) == (401, "UNAUTHENTICATED")
    # Control: with a session the request reaches the app (which has no OPTIONS route).
    assert client.options("/private", headers=cookie(readers["complete"])).status_code == 405


def _websocket_outcome(client: TestClient, path: str, headers: dict[str, str]) -> tuple[str, object]:
    try:
        with client.websocket_connect(path, headers=headers) as ws:
            return ("message", ws.receive_text())
    except WebSocketDisconnect as closed:
        return ("closed", (closed.code, closed.reason))


def test_websocket_without_a_session_is_closed_with_a_policy_violation(stack, client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    origin = {"origin": stack.origin}
    assert _websocket_outcome(client, "/ws", origin) == ("closed", (1008, "UNAUTHENTICATED"))
    assert _websocket_outcome(client, "/ws", {**origin, **cookie(readers["incomplete"])}) == ("closed", (1008, "PROFILE_INCOMPLETE"))
    # Cross-site WebSocket hijacking: the browser attaches the cookie to a handshake another site opens.
    hijack = {"origin": "https://evil.example", **cookie(readers["complete"])}
    assert _websocket_outcome(client, "/ws", hijack) == ("closed", (1008, "INVALID_ORIGIN"))
    assert _websocket_outcome(client, "/ws", {**origin, **cookie(readers["complete"])}) == ("message", "inside")
    bearer = {"authorization": f"Bearer {readers['complete'].bearer}"}
    assert _websocket_outcome(client, "/ws", bearer) == ("message", "inside")


def test_websocket_route_dependency_closes_the_same_way(stack, client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    # A public path for protect(); the route's own dependency refuses it.
    assert _websocket_outcome(client, "/ws-dependency", {"origin": stack.origin}) == ("closed", (1008, "UNAUTHENTICATED"))
    headers = {"origin": stack.origin, **cookie(readers["complete"])}
    kind, user_id = _websocket_outcome(client, "/ws-dependency", headers)
    assert kind == "message" and user_id


def test_answers_to_credentialed_requests_are_not_stored(client: TestClient, readers) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/private", headers=cookie(readers["complete"]))
    assert (r.status_code, r.headers.get("cache-control")) == (200, "no-store")
    r = client.get("/private", headers={"authorization": f"Bearer {readers['complete'].bearer}"})
    assert (r.status_code, r.headers.get("cache-control")) == (200, "no-store")
    # Control: a public answer to a request without a credential may be cached.
    assert client.get("/health").headers.get("cache-control") is None


def test_bodies_over_the_limit_are_refused_declared_or_streamed(stack, readers) -> None:  # type: ignore[no-untyped-def]
    auth = BetterAuth(public_url=stack.origin, database_url=stack.database_url, secret=stack.secret, max_body_size=1000)
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.post("/upload")
    async def upload(request: Request, session: Session = Depends(auth.current_session)) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    auth.protect(app)
    headers = {"origin": stack.origin, **cookie(readers["complete"])}
    with TestClient(app) as c:
        assert c.post("/upload", headers=headers, content=b"x" * 1000).json() == {"bytes": 1000}
        r = c.post("/upload", headers=headers, content=b"x" * 1001)
        assert (r.status_code, r.json()["code"], r.headers["connection"]) == (413, "PAYLOAD_TOO_LARGE", "close")
        # No Content-Length: counted as it arrives and cut.
        chunks = iter([b"x" * 600, b"x" * 600, b"x" * 600])
        r = c.post("/upload", headers=headers, content=chunks)
        assert (r.status_code, r.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
        # Unauthenticated: refused before the body matters.
        r = c.post("/upload", headers={"origin": stack.origin}, content=b"x" * 5000)
        assert (r.status_code, r.json()["code"]) == (401, "UNAUTHENTICATED")


def test_public_url_is_required_and_names_the_cookie(stack) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="public_url"):
        BetterAuth(database_url=stack.database_url, secret=stack.secret)
    secure = BetterAuth(public_url="https://book.example", database_url=stack.database_url, secret=stack.secret)
    assert secure.cookie_name == "__Secure-better-auth.session_token"
    assert "https://book.example" in secure.trusted

def test_session_cache_state_says_whether_sessions_come_from_memory(stack) -> None:  # type: ignore[no-untyped-def]
    assert BetterAuth(public_url=stack.origin, database_url=stack.database_url, secret=stack.secret, session_cache=False).session_cache_state == "disabled"
    auth = BetterAuth(public_url=stack.origin, database_url=stack.database_url, secret=stack.secret)
    assert auth.session_cache_state == "off"  # not started: no notification has been proven to arrive
    with TestClient(FastAPI(lifespan=auth.lifespan)):
        deadline = time.monotonic() + 5
        while auth.session_cache_state != "on" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert auth.session_cache_state == "on"  # the first probe came back
    assert auth.session_cache_state == "off"  # stopped: emptied and no longer trusted
