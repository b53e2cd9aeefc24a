"""The session cache's rules, without a database: races, expiry, bounds, and what a notification forgets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from better_auth_fastapi.cache import SessionCache
from better_auth_fastapi.invalidation import InvalidationListener, listen_url_for
from better_auth_fastapi.models import Session, User
from conftest import ManualClock


def session(user_id: str = "u1", expires_in: float = 3600.0) -> Session:
    expires = datetime.now(timezone.utc) + timedelta(seconds=expires_in)
    return Session(User(user_id, f"{user_id}@example.com", "R"), None, "s-" + user_id, expires, "cookie")


def started(**kw) -> SessionCache:  # type: ignore[no-untyped-def]
    cache = SessionCache(**kw)
    cache.trust_for(60)
    return cache


def test_nothing_is_kept_until_notifications_are_received() -> None:
    cache = SessionCache()
    cache.put("t", session(), cache.generation)
    assert cache.get("t") is None


def test_a_lookup_that_raced_a_change_is_not_kept() -> None:
    # The row was read before a sign-out committed; its notification arrived before the read finished.
    cache = started()
    read_under = cache.generation
    cache.forget_token("t")
    cache.put("t", session(), read_under)
    assert cache.get("t") is None
    cache.put("t", session(), cache.generation)
    assert cache.get("t") is not None


def test_forget_token_and_forget_user() -> None:
    cache = started()
    for token, user in (("a", "u1"), ("b", "u1"), ("c", "u2")):
        cache.put(token, session(user), cache.generation)
    cache.forget_token("a")
    assert (cache.get("a"), cache.get("b") is not None) == (None, True)
    cache.forget_user("u1")
    assert cache.get("b") is None and cache.get("c") is not None


def test_an_entry_never_outlives_its_session_or_the_ttl() -> None:
    clock = ManualClock()
    cache = started(ttl=60, clock=clock)
    cache.put("soon", session(expires_in=10), cache.generation)
    clock.advance(9.9)
    assert cache.get("soon") is not None
    clock.advance(0.2)
    assert cache.get("soon") is None
    short = started(ttl=5, clock=clock)
    short.put("t", session(), short.generation)
    clock.advance(4.9)
    assert short.get("t") is not None
    clock.advance(0.2)
    assert short.get("t") is None


def test_size_is_bounded_least_recently_used_first() -> None:
    cache = started(max_entries=2)
    cache.put("a", session("u1"), cache.generation)
    cache.put("b", session("u2"), cache.generation)
    cache.get("a")
    cache.put("c", session("u3"), cache.generation)
    assert len(cache) == 2 and cache.get("b") is None and cache.get("a") is not None


def test_stop_empties_and_refuses_until_trusted_again() -> None:
    cache = started()
    cache.put("t", session(), cache.generation)
    cache.stop()
    assert cache.get("t") is None
    cache.put("t", session(), cache.generation)
    assert cache.get("t") is None


def test_trust_is_a_lease_that_lapses_on_its_own() -> None:
    # Even if the listener hangs (a silent network), nothing is served once the last proof of delivery is too old,
    # and what was kept before the lapse is dropped when trust comes back.
    clock = ManualClock()
    cache = SessionCache(clock=clock)
    cache.trust_for(4)
    cache.put("t", session(), cache.generation)
    clock.advance(3.9)
    assert cache.get("t") is not None
    clock.advance(0.2)
    assert cache.get("t") is None
    cache.trust_for(60)
    assert cache.get("t") is None and len(cache) == 0


def test_notification_payloads() -> None:
    cache = started()
    async def no_probe(_payload: str) -> None:
        pass

    listener = InvalidationListener("postgresql://unused", cache, no_probe)
    cache.put("t", session("u1"), cache.generation)
    cache.put("x", session("u2"), cache.generation)
    listener._apply('{"token": "t"}')
    assert cache.get("t") is None and cache.get("x") is not None
    listener._apply('{"user": "u2"}')
    assert cache.get("x") is None
    cache.put("y", session("u3"), cache.generation)
    assert listener._apply('{"probe": "n1"}') == "n1"  # a probe, ours or another process's, forgets nothing
    assert cache.get("y") is not None
    listener._apply('{"all": true}')  # a table was truncated
    assert cache.get("y") is None
    cache.put("y", session("u3"), cache.generation)
    listener._apply("not json")  # unreadable: it could name anything, so everything goes
    assert cache.get("y") is None
    cache.put("y", session("u3"), cache.generation)
    listener._apply("[1, 2]")
    assert cache.get("y") is None


def test_listen_url_avoids_transaction_poolers() -> None:
    plain = "postgresql://u:p@db.internal:5432/app"
    assert listen_url_for(plain) == plain
    neon = "postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/app?sslmode=require"
    assert listen_url_for(neon) == "postgresql://u:p@ep-cool-1234.eu-central-1.aws.neon.tech/app?sslmode=require"
    assert listen_url_for("postgresql://u:p@bouncer:6432/app?pgbouncer=true") is None
