"""JWT mode with real tokens from the Node server: valid, expired, signed by another key, and the usual forgeries."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import Reader, free_port, start_backend, start_node


@pytest.fixture(scope="module")
def jwt_backend(stack, tmp_path_factory):  # type: ignore[no-untyped-def]
    proc = start_backend(
        stack.database_url, stack.secret, stack.origin, tmp_path_factory.mktemp("jwt"), name="jwt-backend",
        AUTH_MODE="jwt", JWKS_URL=f"{stack.origin}/api/auth/jwks",
    )
    yield proc
    proc.stop()


def call(jwt_backend, token: str):  # type: ignore[no-untyped-def]
    import httpx

    return httpx.get(f"{jwt_backend.url}/api/me", headers={"authorization": f"Bearer {token}"}, timeout=10)


def test_real_token_after_onboarding_is_200(stack, jwt_backend) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard("beginner", "student")
    r = call(jwt_backend, reader.jwt())
    assert r.status_code == 200, r.text
    assert r.json()["user"]["email"] == reader.email
    assert r.json()["profile"]["developerRole"] == "student"


def test_real_token_through_the_node_proxy_is_200(stack, jwt_backend, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    # The auth server rewrites every request's credentials to the shared rule before proxying; a JWT is not a
    # session token and must reach the backend as sent.
    import httpx

    front = start_node(
        stack.database_url, stack.secret, jwt_backend.url, tmp_path_factory.mktemp("jwt-front"), free_port()
    )
    try:
        reader = Reader(stack).sign_up().onboard()
        r = httpx.get(f"{front.url}/api/me", headers={"authorization": f"Bearer {reader.jwt()}"}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["user"]["email"] == reader.email
    finally:
        front.stop()


def test_real_token_before_onboarding_is_403(stack, jwt_backend) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up()
    r = call(jwt_backend, reader.jwt())
    assert r.status_code == 403
    assert r.json()["code"] == "PROFILE_INCOMPLETE"


def test_expired_real_token_is_401(stack, jwt_backend) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    token = reader.jwt()
    assert call(jwt_backend, token).status_code == 200
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    # Asked until refused, not after a fixed sleep: the backend runs in its own process, beyond an injected clock.
    # Bounded by exp (JWT_EXPIRATION=3 s) plus the verifier's 5 s leeway plus 5 s of slack.
    deadline = exp + 10
    while (r := call(jwt_backend, token)).status_code == 200:
        assert time.time() < deadline, "an expired token is still accepted"
        time.sleep(0.2)
    assert time.time() >= exp, "refused before its exp: not for expiring"
    assert r.status_code == 401
    assert r.json()["code"] == "UNAUTHENTICATED"


def _forge(token: str, *, key: Ed25519PrivateKey | None = None, header: dict | None = None, claims: dict | None = None) -> str:
    real_header = jwt.get_unverified_header(token)
    real_claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(
        {**real_claims, **(claims or {})},
        key or Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={**real_header, **(header or {})},
    )


def test_token_signed_by_another_key_is_401(stack, jwt_backend) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    token = reader.jwt()
    r = call(jwt_backend, _forge(token))  # same kid, same claims, another Ed25519 key
    assert r.status_code == 401


@pytest.mark.parametrize(
    "attack",
    ["unknown kid", "alg none", "algorithm confusion HS256", "wrong issuer", "wrong audience", "tampered payload"],
)
def test_forged_tokens_are_401(stack, jwt_backend, attack) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    token = reader.jwt()
    header_b64, payload_b64, signature = token.split(".")
    if attack == "unknown kid":
        forged = _forge(token, header={"kid": "not-a-key"})
    elif attack == "alg none":
        h = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
        forged = f"{h}.{payload_b64}."
    elif attack == "algorithm confusion HS256":
        import httpx

        # The public key used as an HMAC secret: PyJWT refuses to build this, so it is built by hand.
        import hashlib
        import hmac

        jwk = httpx.get(f"{stack.origin}/api/auth/jwks").json()["keys"][0]
        h = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": jwk["kid"]}).encode()).rstrip(b"=").decode()
        mac = hmac.new(json.dumps(jwk).encode(), f"{h}.{payload_b64}".encode(), hashlib.sha256).digest()
        forged = f"{h}.{payload_b64}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    elif attack == "wrong issuer":
        forged = _forge(token, claims={"iss": "https://evil.example"})
    elif attack == "wrong audience":
        forged = _forge(token, claims={"aud": "https://evil.example"})
    else:
        claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
        claims["sub"] = "someone-else"
        p = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        forged = f"{header_b64}.{p}.{signature}"
    r = call(jwt_backend, forged)
    assert r.status_code == 401, (attack, r.text)


def test_signed_out_token_stays_valid_until_it_expires(stack, jwt_backend) -> None:  # type: ignore[no-untyped-def]
    # The documented price of JWT mode without the session check: revocation waits for exp.
    reader = Reader(stack).sign_up().onboard()
    token = reader.jwt()
    reader.sign_out()
    assert call(jwt_backend, token).status_code == 200


@pytest.fixture(scope="module")
def checking_backend(stack, tmp_path_factory):  # type: ignore[no-untyped-def]
    proc = start_backend(
        stack.database_url, stack.secret, stack.origin, tmp_path_factory.mktemp("jwt-check"), name="jwt-check-backend",
        AUTH_MODE="jwt", JWT_CHECK_SESSION="true",
    )
    yield proc
    proc.stop()


def test_session_check_refuses_a_signed_out_token_at_once(stack, checking_backend) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(stack).sign_up().onboard()
    token = reader.jwt()
    assert call(checking_backend, token).status_code == 200
    reader.sign_out()
    r = call(checking_backend, token)
    assert r.status_code == 401
    assert r.json()["code"] == "UNAUTHENTICATED"
