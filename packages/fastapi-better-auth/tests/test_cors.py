"""auth.cors(): a page on a trusted sibling origin reads this app's answers with the reader's cookie; any other origin
reads nothing and its preflight is refused; protect() still refuses everything else without a session, and the CSRF
check still decides writes. In-process, with sessions from the real auth server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from better_auth_fastapi import BetterAuth, Session
from conftest import Reader

COOKIE = "better-auth.session_token"
DOCS = "https://docs.textbook.test"


def make_app(stack, order: str = "cors-last") -> FastAPI:  # type: ignore[no-untyped-def]
    auth = BetterAuth(public_url=stack.origin, database_url=stack.database_url, secret=stack.secret, trusted_origins=[DOCS])
    app = FastAPI(lifespan=auth.lifespan)
    steps: dict[str, Callable[[], None]] = {
        "install": lambda: auth.install(app),
        "protect": lambda: auth.protect(app, public_paths=["/health"]),
        "cors": lambda: auth.cors(app),
    }
    for name in {"cors-last": ["install", "protect", "cors"], "cors-first": ["cors", "install", "protect"]}[order]:
        steps[name]()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/private")
    async def private(session: Session = Depends(auth.current_session)) -> dict[str, str]:
        return {"id": session.user.id}

    @app.put("/private")
    async def write(session: Session = Depends(auth.current_session)) -> dict[str, str]:
        return {"written": session.user.id}

    return app


@pytest.fixture(scope="module", params=["cors-last", "cors-first"])
def client(request, stack) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    # Both orders of the calls: cors() stays outside protect() and install() whichever came first.
    with TestClient(make_app(stack, request.param)) as c:
        yield c


@pytest.fixture(scope="module")
def member(stack) -> Reader:  # type: ignore[no-untyped-def]
    return Reader(stack).sign_up().onboard()


def cors_headers(r) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-")}


def varies_on_origin(r) -> bool:  # type: ignore[no-untyped-def]
    return "origin" in [v.strip().lower() for v in r.headers.get("vary", "").split(",")]


def preflight(client: TestClient, origin: str, method: str = "PUT"):  # type: ignore[no-untyped-def]
    return client.options(
        "/private",
        headers={"origin": origin, "access-control-request-method": method, "access-control-request-headers": "content-type"},
    )


def test_a_trusted_preflight_is_answered_204_before_protect(client: TestClient) -> None:
    r = preflight(client, DOCS)
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["access-control-allow-origin"] == DOCS
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-allow-methods"] == "GET,HEAD,POST,PUT,PATCH,DELETE"
    assert r.headers["access-control-allow-headers"] == "Content-Type,Authorization"
    assert r.headers["access-control-max-age"] == "600"
    assert varies_on_origin(r)


def test_the_trusted_page_reads_answers_with_the_readers_cookie_refusals_included(client: TestClient, member: Reader) -> None:
    r = client.get("/private", headers={"origin": DOCS, "cookie": f"{COOKIE}={member.cookie}"})
    assert r.status_code == 200 and r.json()["id"]
    # Without a session, protect() refuses as ever, and the page can read why.
    refused = client.get("/private", headers={"origin": DOCS})
    assert (refused.status_code, refused.json()["code"]) == (401, "UNAUTHENTICATED")
    for answer in (r, refused):
        assert answer.headers["access-control-allow-origin"] == DOCS
        assert answer.headers["access-control-allow-credentials"] == "true"
        assert varies_on_origin(answer)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://intruder.textbook.test",  # a sibling that is not listed
        "https://docs.textbook.test.evil.example",
        "https://docs.textbook.test:8443",
        "http://docs.textbook.test",
        "https://DOCS.textbook.test",  # not as a browser sends it
        "null",
    ],
)
def test_an_untrusted_origin_gets_no_cors_header_and_its_preflight_is_refused(client: TestClient, member: Reader, origin: str) -> None:
    r = client.get("/private", headers={"origin": origin, "cookie": f"{COOKIE}={member.cookie}"})
    assert r.status_code == 200  # a read is not refused: the browser keeps the answer from the page
    assert cors_headers(r) == {}
    assert varies_on_origin(r)
    refused = preflight(client, origin)
    assert (refused.status_code, refused.json()["code"]) == (403, "INVALID_ORIGIN")
    assert cors_headers(refused) == {}
    assert varies_on_origin(refused)


def test_an_options_that_is_not_a_preflight_still_needs_a_session(client: TestClient) -> None:
    for headers in ({"origin": DOCS}, {"access-control-request-method": "PUT"}, {}):
        r = client.options("/private", headers=headers)
        assert (r.status_code, r.json()["code"]) == (401, "UNAUTHENTICATED"), headers


def test_csrf_is_unchanged_writes_from_the_trusted_origin_only(client: TestClient, member: Reader) -> None:
    cookie = {"cookie": f"{COOKIE}={member.cookie}"}
    assert client.put("/private", headers={**cookie, "origin": DOCS}).status_code == 200
    refused = client.put("/private", headers={**cookie, "origin": "https://intruder.textbook.test"})
    assert (refused.status_code, refused.json()["code"]) == (403, "INVALID_ORIGIN")
    assert cors_headers(refused) == {}


def test_answers_without_origin_are_unchanged_but_vary(client: TestClient) -> None:
    r = client.get("/health")
    assert r.json() == {"status": "ok"}
    assert cors_headers(r) == {}
    assert varies_on_origin(r)


def test_wildcard_origins_are_refused(stack) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="wildcard"):
        BetterAuth(public_url=stack.origin, database_url=stack.database_url, secret=stack.secret, trusted_origins=["https://*.textbook.test"])
