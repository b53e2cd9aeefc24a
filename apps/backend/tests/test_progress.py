"""Reading progress: writes, CSRF and data safety on data the backend owns."""

from __future__ import annotations

import psycopg
import pytest

from conftest import Reader


def stored(stack, email: str) -> list[str]:  # type: ignore[no-untyped-def]
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            'SELECT chapter FROM reading_progress p JOIN "user" u ON u.id = p.user_id WHERE u.email = %s ORDER BY chapter',
            (email,),
        ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture
def complete_reader(stack):  # type: ignore[no-untyped-def]
    return Reader(stack).sign_up().onboard()


def test_same_origin_write_succeeds_and_reads_back(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    r = complete_reader.put("/api/progress", {"chapter": "getting-started", "completed": True})
    assert r.status_code == 200, r.text
    assert [c["chapter"] for c in r.json()["chapters"]] == ["getting-started"]
    assert complete_reader.get("/api/progress").json()["chapters"][0]["chapter"] == "getting-started"
    r = complete_reader.put("/api/progress", {"chapter": "getting-started", "completed": False})
    assert r.json()["chapters"] == []


def test_cross_origin_write_with_the_cookie_is_403_and_writes_nothing(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    for origin in ["https://evil.example", "null", None]:
        r = complete_reader.put("/api/progress", {"chapter": "csrf", "completed": True}, origin=origin)
        assert r.status_code == 403, (origin, r.text)
        assert r.json()["code"] == "INVALID_ORIGIN"
    # Also on the backend's own port.
    own = Reader(stack, stack.backend.url)
    own.http.cookies.set("better-auth.session_token", complete_reader.cookie)
    r = own.put("/api/progress", {"chapter": "csrf", "completed": True}, origin="https://evil.example")
    assert r.status_code == 403
    assert stored(stack, complete_reader.email) == []


def test_referer_stands_in_for_a_missing_origin(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    r = complete_reader.put(
        "/api/progress", {"chapter": "via-referer", "completed": True}, origin=None, headers={"referer": stack.origin + "/docs/x"}
    )
    assert r.status_code == 200, r.text


def test_bearer_writes_need_no_origin(stack, complete_reader) -> None:  # type: ignore[no-untyped-def]
    api = Reader(stack)
    r = api.put(
        "/api/progress", {"chapter": "from-a-script", "completed": True}, origin=None,
        headers={"authorization": f"Bearer {complete_reader.bearer}"},
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "body",
    [
        {"chapter": "../etc/passwd", "completed": True},
        {"chapter": "x'; DROP TABLE reading_progress;--", "completed": True},
        {"chapter": "", "completed": True},
        {"chapter": "a" * 200, "completed": True},
        {"chapter": "ok", "completed": "yes"},
        {"chapter": "ok"},
        {"chapter": "ok", "completed": True, "user_id": "someone-else"},
        [],
    ],
)
def test_bad_input_is_400_and_writes_nothing(stack, complete_reader, body) -> None:  # type: ignore[no-untyped-def]
    r = complete_reader.put("/api/progress", body)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "INVALID_REQUEST"
    assert stored(stack, complete_reader.email) == []


def test_incomplete_reader_cannot_write(stack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up()
    r = reader.put("/api/progress", {"chapter": "intro", "completed": True})
    assert r.status_code == 403
    assert r.json()["code"] == "PROFILE_INCOMPLETE"
    assert stored(stack, reader.email) == []
