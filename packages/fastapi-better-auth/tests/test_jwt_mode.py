"""JWT verification as a plain function: keys from the ``jwks`` table, the refetch limit, the algorithm allow-list."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from better_auth_fastapi import JWTVerifier
from conftest import ManualClock, Reader


def count_loads(verifier: JWTVerifier) -> list[int]:
    """Counts the verifier's JWKS loads from now on, in a one-item list the caller reads after the fact."""
    loads = [0]
    load = verifier._load_jwks

    async def counting_load():  # type: ignore[no-untyped-def]
        loads[0] += 1
        return await load()

    verifier._load_jwks = counting_load  # type: ignore[method-assign]
    return loads


@contextmanager
def withdrawn_key(database_url: str, kid: str) -> Iterator[None]:
    """Inside the block, key ``kid`` is withdrawn as Better-Auth's rotation does (expired in ``jwks``); then restored."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute('UPDATE jwks SET "expiresAt" = now() - interval \'1 hour\' WHERE id = %s', (kid,))
        try:
            yield
        finally:
            conn.execute('UPDATE jwks SET "expiresAt" = NULL WHERE id = %s', (kid,))


T = TypeVar("T")


def run_then_close(verifier: JWTVerifier, steps: Callable[[], Awaitable[T]]) -> T:
    """Runs ``steps`` on a new event loop and closes the verifier on it after, whatever happens (its loads live there)."""

    async def run() -> T:
        try:
            return await steps()
        finally:
            await verifier.close()

    return asyncio.run(run())


def _verify(verifier: JWTVerifier, *tokens: str):  # type: ignore[no-untyped-def]
    async def steps():  # type: ignore[no-untyped-def]
        return [await verifier.verify(t) for t in tokens]

    return run_then_close(verifier, steps)


def test_real_token_verifies_against_the_jwks_table(stack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard("advanced", "backend")
    verifier = JWTVerifier(issuer=stack.origin, audience=stack.origin, database_url=stack.database_url)
    (session,) = _verify(verifier, reader.jwt())
    assert session is not None and session.via == "jwt"
    assert session.user.email == reader.email
    assert session.profile_complete and session.profile.developer_role == "backend"


def test_wrong_issuer_or_audience_configuration_refuses_real_tokens(stack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    token = reader.jwt()
    for iss, aud in [("https://other.example", stack.origin), (stack.origin, "https://other.example")]:
        verifier = JWTVerifier(issuer=iss, audience=aud, database_url=stack.database_url)
        assert _verify(verifier, token) == [None]


def test_unknown_key_ids_refetch_at_most_once_per_interval(stack) -> None:  # type: ignore[no-untyped-def]
    # Without the limit, every forged kid would cost a JWKS fetch: a cheap way to hammer the auth server.
    token = Reader(stack).sign_up().onboard().jwt()
    verifier = JWTVerifier(issuer=stack.origin, audience=stack.origin, database_url=stack.database_url)
    loads = count_loads(verifier)
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = [
        jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": secrets.token_hex(8)})
        for _ in range(20)
    ]
    results = _verify(verifier, token, *forged, token)
    assert results[0] is not None and results[-1] is not None
    assert results[1:-1] == [None] * 20
    assert loads == [1]


@pytest.mark.parametrize("algorithms", [("HS256",), ("none",), ("EdDSA", "HS512"), ()], ids=str)
def test_symmetric_or_empty_algorithm_lists_are_refused_at_construction(algorithms) -> None:  # type: ignore[no-untyped-def]
    # HS* verified with a public key as the secret is the algorithm-confusion attack; refuse the setting itself.
    with pytest.raises(ValueError):
        JWTVerifier(issuer="https://a.example", audience="https://a.example", jwks_url="https://a.example/jwks", algorithms=algorithms)


def test_keys_expired_beyond_the_grace_period_are_not_loaded(stack) -> None:  # type: ignore[no-untyped-def]
    # Mirrors Better-Auth's /jwks: a rotated key verifies during the grace period, then never again.
    import psycopg

    token = Reader(stack).sign_up().onboard().jwt()
    kid = jwt.get_unverified_header(token)["kid"]
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute('UPDATE jwks SET "expiresAt" = now() - interval \'1 hour\' WHERE id = %s', (kid,))
        try:
            within = JWTVerifier(issuer=stack.origin, audience=stack.origin, database_url=stack.database_url)
            beyond = JWTVerifier(
                issuer=stack.origin, audience=stack.origin, database_url=stack.database_url, key_grace_period=60
            )
            assert _verify(within, token)[0] is not None
            assert _verify(beyond, token) == [None]
        finally:
            conn.execute('UPDATE jwks SET "expiresAt" = NULL WHERE id = %s', (kid,))


def test_unreachable_jwks_is_unavailable_and_not_hammered(stack) -> None:  # type: ignore[no-untyped-def]
    # An outage must never verify a token (no pass) nor look like a bad token (401): it is 503 upstream.
    from better_auth_fastapi import Unavailable
    from conftest import free_port

    token = Reader(stack).sign_up().onboard().jwt()
    verifier = JWTVerifier(issuer=stack.origin, audience=stack.origin, jwks_url=f"http://127.0.0.1:{free_port()}/jwks")
    loads = count_loads(verifier)

    async def steps() -> list[str]:
        outcomes = []
        for _ in range(10):
            try:
                await verifier.verify(token)
                outcomes.append("verified")
            except Unavailable:
                outcomes.append("unavailable")
        return outcomes

    assert run_then_close(verifier, steps) == ["unavailable"] * 10
    assert loads == [1]


def test_a_remembered_token_is_checked_again_once_its_key_is_withdrawn(stack) -> None:  # type: ignore[no-untyped-def]
    # Verified tokens skip the signature check when they come back; a key dropped from the JWKS must end that.
    token = Reader(stack).sign_up().onboard().jwt()
    kid = jwt.get_unverified_header(token)["kid"]
    claims = jwt.decode(token, options={"verify_signature": False})
    unknown_kid = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "unknown"})
    verifier = JWTVerifier(
        issuer=stack.origin, audience=stack.origin, database_url=stack.database_url, refetch_interval=0
    )

    async def steps():  # type: ignore[no-untyped-def]
        first = await verifier.verify(token)
        with withdrawn_key(stack.database_url, kid):
            verifier.key_grace_period = 60
            remembered = await verifier.verify(token)
            assert await verifier.verify(unknown_kid) is None  # makes the verifier reload the key set
            after = await verifier.verify(token)
        return first, remembered, after

    first, remembered, after = run_then_close(verifier, steps)
    assert first is not None and remembered is not None
    assert after is None


def test_a_withdrawn_key_stops_verifying_on_schedule_without_an_unknown_kid(stack) -> None:  # type: ignore[no-untyped-def]
    # Only tokens signed with the known key arrive, so nothing would ever prompt a reload but the schedule.
    token = Reader(stack).sign_up().onboard().jwt()
    kid = jwt.get_unverified_header(token)["kid"]
    clock = ManualClock()
    verifier = JWTVerifier(
        issuer=stack.origin, audience=stack.origin, database_url=stack.database_url,
        key_grace_period=60, key_refresh_interval=0.5, key_max_age=5, clock=clock,
    )
    loads = count_loads(verifier)

    async def steps():  # type: ignore[no-untyped-def]
        first = await verifier.verify(token)
        with withdrawn_key(stack.database_url, kid):
            soon = await verifier.verify(token)  # within the interval: the remembered verification holds
            clock.advance(0.6)  # past key_refresh_interval
            later = await verifier.verify(token)
        return first, soon, later

    first, soon, later = run_then_close(verifier, steps)
    assert first is not None and soon is not None
    assert later is None
    assert loads == [2]


def test_keys_are_used_while_the_source_is_briefly_down_then_refused(stack) -> None:  # type: ignore[no-untyped-def]
    # A reload that fails keeps the last keys until they are key_max_age old; past that, 503, never a pass.
    from better_auth_fastapi import Unavailable

    token = Reader(stack).sign_up().onboard().jwt()
    clock = ManualClock()
    verifier = JWTVerifier(
        issuer=stack.origin, audience=stack.origin, database_url=stack.database_url,
        key_refresh_interval=0.2, key_max_age=1.0, failure_backoff=0.1, clock=clock,
    )

    async def steps():  # type: ignore[no-untyped-def]
        assert await verifier.verify(token) is not None
        # The source is gone: a database of that name does not exist (whatever the stack named its own).
        verifier.database_url = urlunsplit(urlsplit(stack.database_url)._replace(path="/missing_database"))
        clock.advance(0.3)  # due for a reload, which fails; the keys are younger than key_max_age
        still = await verifier.verify(token)
        clock.advance(1.0)  # older than key_max_age
        try:
            await verifier.verify(token)
            return still, "verified"
        except Unavailable:
            return still, "unavailable"

    still, after = run_then_close(verifier, steps)
    assert still is not None
    assert after == "unavailable"
