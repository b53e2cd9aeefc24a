"""Signed-token parsing against values the real Better-Auth server issued in this run."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote

import psycopg
import pytest

from better_auth_fastapi import bearer_value, verify_signed_token


@pytest.fixture(scope="module")
def issued(stack, reader):  # type: ignore[no-untyped-def]
    reader.sign_up()
    with psycopg.connect(stack.database_url) as conn:
        (token,) = conn.execute(
            'SELECT s.token FROM session s JOIN "user" u ON u.id = s."userId" WHERE u.email = %s', (reader.email,)
        ).fetchone()
    return {"cookie": reader.cookie, "bearer": reader.bearer, "token": token, "secret": stack.secret.encode()}


@pytest.fixture(scope="module")
def reader(stack):  # type: ignore[no-untyped-def]
    from conftest import Reader

    return Reader(stack)


def test_real_cookie_value_verifies_to_the_stored_token(issued):  # type: ignore[no-untyped-def]
    assert "%" in issued["cookie"], "Better-Auth percent-encodes the cookie; this test must see the encoded form"
    assert verify_signed_token(issued["cookie"], issued["secret"]) == issued["token"]


def test_real_bearer_value_verifies_to_the_stored_token(issued):  # type: ignore[no-untyped-def]
    assert verify_signed_token(issued["bearer"], issued["secret"]) == issued["token"]


def _sign(token: str, secret: bytes) -> str:
    return base64.b64encode(hmac.new(secret, token.encode(), hashlib.sha256).digest()).decode()


def _tamper(value: str, index: int) -> str:
    # A character well inside the signature: every bit of it is significant.
    return value[:index] + ("A" if value[index] != "A" else "B") + value[index + 1 :]


def _padding_bits(token: str, secret: bytes) -> str:
    # The 43rd character carries 4 signature bits and 2 padding bits; setting those bits keeps the decoded bytes.
    sig = _sign(token, secret)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet[alphabet.index(sig[42]) ^ 0b01]  # always differs from the original
    assert base64.b64decode(sig[:42] + last + "=") == base64.b64decode(sig)
    return quote(f"{token}.{sig[:42]}{last}=", safe="")


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda v, t, s: _tamper(v, -20), id="tampered signature"),
        pytest.param(lambda v, t, s: _padding_bits(t, s), id="non-canonical base64 (padding bits set)"),
        pytest.param(lambda v, t, s: quote(f"{t}.{_sign(t, b'another secret entirely')}", safe=""), id="wrong secret"),
        pytest.param(lambda v, t, s: quote(f"{_tamper(t, -1)}.{_sign(t, s)}", safe=""), id="tampered token"),
        pytest.param(lambda v, t, s: v[: len(v) // 2], id="truncated"),
        pytest.param(lambda v, t, s: unquote(v)[:-1], id="truncated padding"),
        pytest.param(lambda v, t, s: "", id="empty"),
        pytest.param(lambda v, t, s: ".", id="only a dot"),
        pytest.param(lambda v, t, s: t, id="token without signature"),
        pytest.param(lambda v, t, s: quote(f"{t}é.{_sign(t, s)}", safe=""), id="non-ASCII"),
        pytest.param(lambda v, t, s: f"{t}é.{_sign(t, s)}", id="raw non-ASCII"),
        pytest.param(lambda v, t, s: quote(v, safe=""), id="double-encoded"),
        pytest.param(lambda v, t, s: v + "%", id="broken percent-encoding"),
        pytest.param(lambda v, t, s: "A" * 5000, id="very long"),
    ],
)
def test_forged_values_are_refused(issued, mutate):  # type: ignore[no-untyped-def]
    forged = mutate(issued["cookie"], issued["token"], issued["secret"])
    assert verify_signed_token(forged, issued["secret"]) is None


def test_a_base64url_signature_is_refused() -> None:
    # The session's own token may sign without "+" or "/" (about one in four do), and then its base64url spelling
    # is the same text: a token of our own is chosen whose signature has both, so the case always tests something.
    secret = b"a secret for the base64url case"
    token = next(f"token-{i}" for i in range(200) if {"+", "/"} <= set(_sign(f"token-{i}", secret)))
    signature = _sign(token, secret)
    url_safe = signature.replace("+", "-").replace("/", "_")
    assert url_safe != signature
    assert base64.urlsafe_b64decode(url_safe) == base64.b64decode(signature)  # the same signature bytes
    assert verify_signed_token(quote(f"{token}.{signature}", safe=""), secret) == token  # control: canonical form
    assert verify_signed_token(quote(f"{token}.{url_safe}", safe=""), secret) is None
    assert verify_signed_token(f"{token}.{url_safe}", secret) is None


def test_bearer_header_parsing() -> None:
    assert bearer_value("Bearer abc.def") == "abc.def"
    assert bearer_value("bearer   abc ") == "abc"
    assert bearer_value("BEARER abc") == "abc"
    assert bearer_value("Basic abc") is None
    assert bearer_value("Bearer ") is None
    assert bearer_value("Bearer") is None
    assert bearer_value("Bearer\tabc") is None  # Better-Auth's plugin wants the scheme and one space
    assert bearer_value(None) is None
